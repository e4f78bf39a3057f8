//! Verification: the verifier (keyring + catalog + options), its cache of
//! verified snapshots, and the revocations it applies.

mod cache;
#[cfg(feature = "server")]
mod feed;
mod options;
mod revocations;
#[cfg(feature = "server")]
mod stepup;
mod verifier;

pub use cache::CACHE_ENTRIES;
#[cfg(feature = "server")]
pub use feed::FeedReport;
pub use options::{Options, TenantCheck, DEFAULT_LEEWAY, MAX_LEEWAY};
pub use revocations::{Revocations, MAX_REPLICA_LAG};
#[cfg(feature = "server")]
pub use stepup::StepUpTarget;
pub use verifier::Verifier;
