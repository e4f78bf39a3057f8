#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod crypto;
pub mod decision;
pub mod encoding;
pub mod error;
// The on-curve check of the build without the curve code (tested in
// every build against curve25519-dalek's decoding).
#[cfg(any(test, not(feature = "ed25519")))]
mod field;
#[cfg(feature = "guard")]
pub mod guard;
#[cfg(feature = "issuer")]
pub mod issuer;
#[cfg(feature = "routes")]
mod json;
#[cfg(feature = "ed25519")]
mod keytable;
pub mod lean;
pub mod model;
#[cfg(any(feature = "routes", feature = "issuer"))]
mod path;
mod router;
#[cfg(feature = "routes")]
mod routes;
mod signature;
mod sort;
#[cfg(feature = "std-json")]
pub mod strict_json;
pub mod verify;
/// The wasm-bindgen classes (features `wasm`, `edge`): used from
/// JavaScript through the npm package, not from Rust.
#[cfg(feature = "wasm")]
#[doc(hidden)]
pub mod wasm;
pub mod wire;

#[cfg(feature = "issuer")]
pub use crypto::signing::IssuerKey;
pub use crypto::{Jwk, Jwks, Keyring};
pub use decision::Summary;
pub use decision::{Explanation, Permissions, Reason, RecordFilter, Redaction};
pub use error::{Error, Result};
#[cfg(feature = "guard")]
pub use guard::{Decision, Gate, Request, RouteDef, RoutesDef};
#[cfg(feature = "issuer")]
pub use issuer::{
    Account, IssueOptions, Issuer, Policy, RecordReader, Roles, Snapshot, StepUpRequest, Unsigned,
};
pub use model::catalog::Catalog;
pub use model::def::{CatalogDef, IdListRef, PolicyDef, RoleDef, Scope, StaffRecord};
#[cfg(feature = "server")]
pub use verify::FeedReport;
pub use verify::{Options, Revocations, TenantCheck, Verifier};
pub use wire::Claims;
pub use wire::{FeedHead, Notice, RoleGrant, StaffRevocation, StepUp};
