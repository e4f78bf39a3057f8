//! The wasm-bindgen layer: conversions between JavaScript values and the
//! core types ([`convert`]), and thin classes over the core ([`verifier`],
//! [`permissions`], and the edge build's [`gate`] and [`feed`]). Every
//! decision is made by the core.

#[cfg(target_family = "wasm")]
mod alloc;
mod convert;
#[cfg(feature = "server")]
mod feed;
#[cfg(feature = "guard")]
mod gate;
#[cfg(feature = "issuer")]
mod issuer;
mod permissions;
mod verifier;

#[cfg(feature = "guard")]
pub use gate::WasmGate;
#[cfg(feature = "issuer")]
pub use issuer::WasmIssuer;
pub use permissions::WasmPermissions;
pub use verifier::WasmVerifier;
