//! The one error type of permsnap.
//!
//! Every variant has a stable machine code ([`Error::code`]) that programs may
//! switch on, and a message written for a person (its `Display`). Codes never
//! change meaning once released; new variants get new codes.

use core::fmt;
use std::string::String;

/// Everything that can go wrong in permsnap, from a malformed snapshot to an
/// inconsistent policy. A refused snapshot grants nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// There is no snapshot at all (signed out, cookie missing).
    NoSnapshot,
    /// The text form is not valid base64url.
    BadEncoding {
        /// What was wrong with the text.
        detail: String,
    },
    /// The snapshot is shorter than its structure requires.
    Truncated {
        /// How many bytes were needed at least.
        needed: usize,
        /// How many bytes were there.
        actual: usize,
    },
    /// The snapshot is longer than any valid snapshot may be.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
        /// The size received.
        actual: usize,
    },
    /// The snapshot does not start with the permsnap magic bytes.
    BadMagic {
        /// The bytes found where the magic was expected.
        found: [u8; 3],
    },
    /// The snapshot's format version is outside the supported range.
    UnsupportedVersion {
        /// The version found.
        found: u8,
        /// Lowest supported version.
        min: u8,
        /// Highest supported version.
        max: u8,
    },
    /// The key id is not in the verifier's keyring.
    UnknownKey {
        /// The key id named by the snapshot.
        kid: String,
    },
    /// The Ed25519 signature does not verify (tampered, or signed by another key).
    BadSignature,
    /// The signed payload does not decode as a snapshot.
    Malformed {
        /// What could not be decoded.
        detail: String,
    },
    /// The snapshot's lifetime has ended.
    Expired {
        /// Expiry, seconds since the Unix epoch.
        expires_at: u64,
        /// The verifier's clock, seconds since the Unix epoch.
        now: u64,
    },
    /// The snapshot is not valid yet.
    NotYetValid {
        /// Start of validity, seconds since the Unix epoch.
        not_before: u64,
        /// The verifier's clock, seconds since the Unix epoch.
        now: u64,
    },
    /// The snapshot was issued for another tenant than the one expected.
    WrongTenant {
        /// The tenant the verifier expects.
        expected: String,
        /// The tenant named in the snapshot.
        found: String,
    },
    /// The snapshot was issued for another catalog than the verifier's.
    WrongCatalog {
        /// Fingerprint of the verifier's catalog, hex.
        expected: String,
        /// Fingerprint named in the snapshot, hex.
        found: String,
    },
    /// The snapshot has been revoked.
    Revoked {
        /// Why: an epoch cut-off or the snapshot id.
        detail: String,
    },
    /// A permission name that the catalog does not define.
    UnknownPermission {
        /// The name asked for.
        name: String,
    },
    /// A record kind that the catalog does not define.
    UnknownKind {
        /// The kind asked for.
        name: String,
    },
    /// An account feature that the catalog does not define.
    UnknownFeature {
        /// The feature asked for.
        name: String,
    },
    /// A step-up proof that cannot be used for this request (forged,
    /// expired, for another snapshot, person, action, method or path).
    StepUpRefused {
        /// Why.
        detail: String,
    },
    /// A key or key set (JWK / JWKS) that cannot be used.
    InvalidKey {
        /// What was wrong.
        detail: String,
    },
    /// The policy file is inconsistent or malformed.
    InvalidPolicy {
        /// Where: file, then entry.
        at: String,
        /// What was wrong.
        detail: String,
    },
    /// Issuing would grant an owner-only power to someone who is not an owner.
    OwnerOnly {
        /// The staff member.
        staff: String,
        /// The owner-only permission.
        permission: String,
    },
    /// The staff member holds a role the account does not define (deleted,
    /// misspelled) or one that is invalid: only this person is refused.
    UnknownRole {
        /// The staff member.
        staff: String,
        /// The role id.
        role: String,
        /// Why the role cannot be used.
        detail: String,
    },
    /// The revocation feed is missing or older than the verifier's maximum
    /// feed age: decisions would rest on revocations that may be stale.
    StaleFeed {
        /// What was found.
        detail: String,
    },
    /// A filter or membership test needs the id list that travels beside
    /// the snapshot for this kind, and it has not been attached.
    IdsNotLoaded {
        /// The record kind.
        kind: String,
        /// The list's digest, hex: what to fetch.
        digest: String,
    },
    /// The staff account is deactivated and gets no snapshot.
    Deactivated {
        /// The staff member.
        staff: String,
    },
    /// No staff member with that id in the policy.
    UnknownStaff {
        /// The id asked for.
        staff: String,
    },
    /// Keys or revocations needed to decide could not be loaded (an edge
    /// whose JWKS or revocation feed is unreachable).
    Unavailable {
        /// What could not be loaded.
        detail: String,
    },
    /// An argument passed to the API is not of the expected shape.
    InvalidArgument {
        /// What was wrong.
        detail: String,
    },
    /// A synchronous load in the build that checks signatures with the
    /// platform's WebCrypto (the browser build): the snapshot or notice must
    /// first be verified asynchronously (`verify`, `verifyNotice`).
    AsyncRequired,
}

impl Error {
    /// Every code [`Error::code`] can return, in declaration order: the one
    /// source of the codes other languages list (the TypeScript types are
    /// generated from it by `tests/typescript.rs`).
    pub const CODES: &'static [&'static str] = &[
        "no_snapshot",
        "bad_encoding",
        "truncated",
        "too_large",
        "bad_magic",
        "unsupported_version",
        "unknown_key",
        "bad_signature",
        "malformed",
        "expired",
        "not_yet_valid",
        "wrong_tenant",
        "wrong_catalog",
        "revoked",
        "unknown_permission",
        "unknown_kind",
        "unknown_feature",
        "step_up_refused",
        "invalid_key",
        "invalid_policy",
        "owner_only",
        "unknown_role",
        "stale_feed",
        "ids_not_loaded",
        "deactivated",
        "unknown_staff",
        "unavailable",
        "invalid_argument",
        "async_required",
    ];

    /// The stable machine code of this error, e.g. `"expired"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NoSnapshot => "no_snapshot",
            Error::BadEncoding { .. } => "bad_encoding",
            Error::Truncated { .. } => "truncated",
            Error::TooLarge { .. } => "too_large",
            Error::BadMagic { .. } => "bad_magic",
            Error::UnsupportedVersion { .. } => "unsupported_version",
            Error::UnknownKey { .. } => "unknown_key",
            Error::BadSignature => "bad_signature",
            Error::Malformed { .. } => "malformed",
            Error::Expired { .. } => "expired",
            Error::NotYetValid { .. } => "not_yet_valid",
            Error::WrongTenant { .. } => "wrong_tenant",
            Error::WrongCatalog { .. } => "wrong_catalog",
            Error::Revoked { .. } => "revoked",
            Error::UnknownPermission { .. } => "unknown_permission",
            Error::UnknownKind { .. } => "unknown_kind",
            Error::UnknownFeature { .. } => "unknown_feature",
            Error::StepUpRefused { .. } => "step_up_refused",
            Error::InvalidKey { .. } => "invalid_key",
            Error::InvalidPolicy { .. } => "invalid_policy",
            Error::OwnerOnly { .. } => "owner_only",
            Error::UnknownRole { .. } => "unknown_role",
            Error::StaleFeed { .. } => "stale_feed",
            Error::IdsNotLoaded { .. } => "ids_not_loaded",
            Error::Deactivated { .. } => "deactivated",
            Error::UnknownStaff { .. } => "unknown_staff",
            Error::Unavailable { .. } => "unavailable",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::AsyncRequired => "async_required",
        }
    }

    /// True when the error refuses a snapshot (as opposed to a bad question
    /// asked of a valid one, or a policy problem at issue time).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::NoSnapshot
                | Error::BadEncoding { .. }
                | Error::Truncated { .. }
                | Error::TooLarge { .. }
                | Error::BadMagic { .. }
                | Error::UnsupportedVersion { .. }
                | Error::UnknownKey { .. }
                | Error::BadSignature
                | Error::Malformed { .. }
                | Error::Expired { .. }
                | Error::NotYetValid { .. }
                | Error::WrongTenant { .. }
                | Error::WrongCatalog { .. }
                | Error::Revoked { .. }
                | Error::StaleFeed { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoSnapshot => write!(
                f,
                "no snapshot: sign in, or send `Authorization: Permsnap <snapshot>` or the snapshot cookie"
            ),
            Error::BadEncoding { detail } => {
                write!(f, "the text is not valid base64url: {detail}")
            }
            Error::Truncated { needed, actual } => write!(
                f,
                "truncated: at least {needed} bytes are needed, {actual} were given"
            ),
            Error::TooLarge { limit, actual } => write!(
                f,
                "too large: {actual} bytes, the limit is {limit}"
            ),
            Error::BadMagic { found } => write!(
                f,
                "not the permsnap document expected here: it starts with `{}` (snapshots start with `PSN`, notices `PSR`, feed heads `PSH`, id lists `PSI`)",
                hex(found)
            ),
            Error::UnsupportedVersion { found, min, max } => write!(
                f,
                "format version {found} is not supported (this build reads {min} to {max})"
            ),
            Error::UnknownKey { kid } => write!(
                f,
                "signed with key `{kid}`, which is not in the keyring; load the issuer's current JWKS"
            ),
            Error::BadSignature => write!(
                f,
                "the signature does not verify: the document was altered or signed with another key"
            ),
            Error::Malformed { detail } => write!(f, "malformed: {detail}"),
            Error::Expired { expires_at, now } => write!(
                f,
                "the snapshot expired at {expires_at} (now {now}); ask the backend for a fresh one"
            ),
            Error::NotYetValid { not_before, now } => write!(
                f,
                "the snapshot is not valid before {not_before} (now {now}); check the clocks"
            ),
            Error::WrongTenant { expected, found } => write!(
                f,
                "issued for account `{found}`, not `{expected}`"
            ),
            Error::WrongCatalog { expected, found } => write!(
                f,
                "the snapshot was issued for catalog {found}; this verifier has {expected}: deploy the same catalog (or a later revision of it) on both sides"
            ),
            Error::Revoked { detail } => write!(f, "the snapshot has been revoked: {detail}"),
            Error::UnknownPermission { name } => write!(
                f,
                "unknown permission `{name}`: it is not in the catalog (check the spelling)"
            ),
            Error::UnknownKind { name } => write!(
                f,
                "unknown record kind `{name}`: it is not in the catalog"
            ),
            Error::UnknownFeature { name } => write!(
                f,
                "unknown account feature `{name}`: it is not in the catalog"
            ),
            Error::StepUpRefused { detail } => f.write_str(&crate::wire::step_up_refused(detail)),
            Error::InvalidKey { detail } => write!(f, "invalid key: {detail}"),
            Error::InvalidPolicy { at, detail } => write!(f, "{at}: {detail}"),
            Error::OwnerOnly { staff, permission } => write!(
                f,
                "refusing to issue: `{permission}` is an owner-only power and staff member `{staff}` is not an owner"
            ),
            Error::UnknownRole {
                staff,
                role,
                detail,
            } => write!(
                f,
                "refusing to issue: staff member `{staff}` holds role `{role}`, which {detail}"
            ),
            Error::StaleFeed { detail } => write!(
                f,
                "the revocation feed is not current ({detail}): refusing rather than deciding on stale revocations"
            ),
            Error::IdsNotLoaded { kind, digest } => write!(
                f,
                "the `{kind}` scope lists its record ids beside the snapshot (id list {digest}); attach that list before filtering"
            ),
            Error::Deactivated { staff } => write!(
                f,
                "refusing to issue: the account of staff member `{staff}` is deactivated"
            ),
            Error::UnknownStaff { staff } => {
                write!(f, "no staff member `{staff}` in the policy")
            }
            Error::Unavailable { detail } => write!(f, "unavailable: {detail}"),
            Error::InvalidArgument { detail } => write!(f, "invalid argument: {detail}"),
            Error::AsyncRequired => write!(
                f,
                "this build checks signatures with the platform's WebCrypto, asynchronously: `await verifier.verify(snapshot)` (or `verifyNotice`) first, after which `load` answers for it synchronously; or import `permsnap/sync`, which verifies in WebAssembly"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Lower-case hex of a byte string.
pub fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Shorthand for results in permsnap.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every variant: the match is exhaustive inside the
    /// crate, so a new variant fails to compile here until it is listed.
    fn one_of_each() -> Vec<Error> {
        let s = String::new;
        let all = vec![
            Error::NoSnapshot,
            Error::BadEncoding { detail: s() },
            Error::Truncated {
                needed: 0,
                actual: 0,
            },
            Error::TooLarge {
                limit: 0,
                actual: 0,
            },
            Error::BadMagic { found: [0; 3] },
            Error::UnsupportedVersion {
                found: 0,
                min: 0,
                max: 0,
            },
            Error::UnknownKey { kid: s() },
            Error::BadSignature,
            Error::Malformed { detail: s() },
            Error::Expired {
                expires_at: 0,
                now: 0,
            },
            Error::NotYetValid {
                not_before: 0,
                now: 0,
            },
            Error::WrongTenant {
                expected: s(),
                found: s(),
            },
            Error::WrongCatalog {
                expected: s(),
                found: s(),
            },
            Error::Revoked { detail: s() },
            Error::UnknownPermission { name: s() },
            Error::UnknownKind { name: s() },
            Error::UnknownFeature { name: s() },
            Error::StepUpRefused { detail: s() },
            Error::InvalidKey { detail: s() },
            Error::InvalidPolicy {
                at: s(),
                detail: s(),
            },
            Error::OwnerOnly {
                staff: s(),
                permission: s(),
            },
            Error::UnknownRole {
                staff: s(),
                role: s(),
                detail: s(),
            },
            Error::StaleFeed { detail: s() },
            Error::IdsNotLoaded {
                kind: s(),
                digest: s(),
            },
            Error::Deactivated { staff: s() },
            Error::UnknownStaff { staff: s() },
            Error::Unavailable { detail: s() },
            Error::InvalidArgument { detail: s() },
            Error::AsyncRequired,
        ];
        for e in &all {
            match e {
                Error::NoSnapshot
                | Error::BadEncoding { .. }
                | Error::Truncated { .. }
                | Error::TooLarge { .. }
                | Error::BadMagic { .. }
                | Error::UnsupportedVersion { .. }
                | Error::UnknownKey { .. }
                | Error::BadSignature
                | Error::Malformed { .. }
                | Error::Expired { .. }
                | Error::NotYetValid { .. }
                | Error::WrongTenant { .. }
                | Error::WrongCatalog { .. }
                | Error::Revoked { .. }
                | Error::UnknownPermission { .. }
                | Error::UnknownKind { .. }
                | Error::UnknownFeature { .. }
                | Error::StepUpRefused { .. }
                | Error::InvalidKey { .. }
                | Error::InvalidPolicy { .. }
                | Error::OwnerOnly { .. }
                | Error::UnknownRole { .. }
                | Error::StaleFeed { .. }
                | Error::IdsNotLoaded { .. }
                | Error::Deactivated { .. }
                | Error::UnknownStaff { .. }
                | Error::Unavailable { .. }
                | Error::InvalidArgument { .. }
                | Error::AsyncRequired => {}
            }
        }
        all
    }

    #[test]
    fn codes_lists_every_variant_once() {
        let codes: Vec<&str> = one_of_each().iter().map(Error::code).collect();
        assert_eq!(codes, Error::CODES);
    }
}
