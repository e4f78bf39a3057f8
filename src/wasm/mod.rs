//! The wasm-bindgen layer: conversions between JavaScript values and the
//! core types ([`convert`]), and thin classes over the core ([`verifier`],
//! [`permissions`], the issuer's). Every
//! decision is made by the core. (The edge's gate is the small core's:
//! lean/src/edge.rs.)

#[cfg(target_family = "wasm")]
mod alloc;
mod convert;
#[cfg(feature = "issuer")]
mod issuer;
mod permissions;
mod verifier;

#[cfg(feature = "issuer")]
pub use issuer::WasmIssuer;
pub use permissions::WasmPermissions;
pub use verifier::WasmVerifier;
