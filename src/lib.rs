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
#[cfg(feature = "guard")]
pub mod guard;
#[cfg(feature = "issuer")]
pub mod issuer;
pub mod model;
pub mod verify;
#[cfg(feature = "wasm")]
pub mod wasm;
pub mod wire;

pub use crypto::{Jwk, Jwks, Keyring};
pub use decision::{Explanation, Permissions, Reason, RecordFilter, Redaction};
pub use error::{Error, Result};
pub use model::catalog::Catalog;
pub use model::def::{CatalogDef, PolicyDef, Scope};
pub use verify::{Options, Revocations, Verifier};
pub use wire::Claims;
