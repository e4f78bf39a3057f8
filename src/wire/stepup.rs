//! Step-up proofs: "the acting person `actor` gave their PIN on shared
//! account `account` (snapshot `snapshot`) for `permission`, on `method
//! path`", signed by the issuer after it checked the PIN, valid a minute at
//! most. The PIN and its hash never appear: only who proved it.

use super::read::read_all;
use super::{check_kid, check_time, frame};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The three magic bytes of a step-up proof.
pub const STEP_UP_MAGIC: [u8; 3] = *b"PSU";
/// Domain separation prefix of a signed step-up proof.
pub const STEP_UP_DOMAIN: &[u8] = b"permsnap/v2 step-up\0";
/// Largest binary step-up proof accepted.
pub const MAX_STEP_UP_LEN: usize = 2048;
/// Longest life of a step-up proof, in seconds.
pub const MAX_STEP_UP_LIFETIME: u8 = 60;

/// A step-up proof's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepUp {
    /// Business account id.
    pub tenant: String,
    /// The id of the shared account's snapshot it is bound to.
    pub snapshot: [u8; 8],
    /// The shared account (that snapshot's subject).
    pub account: String,
    /// The staff member who gave their PIN: the action is theirs.
    pub actor: String,
    /// The permission the action needs.
    pub permission: String,
    /// The request method, upper case.
    pub method: String,
    /// The request's canonical path (no query).
    pub path: String,
    /// Issued at, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Seconds it stays valid, 1 to [`MAX_STEP_UP_LIFETIME`].
    pub lifetime: u8,
    /// Random; the origin may record it to accept each proof once.
    pub nonce: [u8; 16],
}

impl StepUp {
    /// Expiry, seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.issued_at.saturating_add(u64::from(self.lifetime))
    }

    fn check(&self) -> core::result::Result<(), String> {
        let named = [
            self.tenant.as_str(),
            &self.account,
            &self.actor,
            &self.permission,
            &self.method,
            &self.path,
        ];
        let Some(fault) = step_up_fault(named, self.lifetime, self.issued_at) else {
            return Ok(());
        };
        Err(match fault {
            StepUpFault::Unnamed => {
                "a step-up proof names its account, shared account, acting person, \
                               permission, method and path"
                    .into()
            }
            StepUpFault::SameActor => {
                "the acting person is another staff member than the shared account".into()
            }
            StepUpFault::Lifetime => format!(
                "a step-up proof lives 1 to {MAX_STEP_UP_LIFETIME} seconds, not {}",
                self.lifetime
            ),
            StepUpFault::MethodOrPath => {
                "the method is one upper-case word and the path starts with `/`".into()
            }
            StepUpFault::Control => "no control character in any name or the path".into(),
            StepUpFault::Time => return check_time(self.issued_at),
        })
    }
}

/// What is wrong with a proof's fields beyond their encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepUpFault {
    Unnamed,
    SameActor,
    Lifetime,
    MethodOrPath,
    Control,
    Time,
}

/// The rules of a proof's fields beyond their encoding, the first one
/// broken: `named` is its tenant, shared account, actor, permission,
/// method and path. No message, so that the small core reads proofs by the
/// same rules ([`StepUp::check`] says what is wrong).
pub(crate) fn step_up_fault(named: [&str; 6], lifetime: u8, issued_at: u64) -> Option<StepUpFault> {
    let [_, account, actor, _, method, path] = named;
    if named.iter().any(|s| s.is_empty()) {
        Some(StepUpFault::Unnamed)
    } else if actor == account {
        Some(StepUpFault::SameActor)
    } else if lifetime == 0 || lifetime > MAX_STEP_UP_LIFETIME {
        Some(StepUpFault::Lifetime)
    } else if !method.bytes().all(|b| b.is_ascii_uppercase()) || !path.starts_with('/') {
        Some(StepUpFault::MethodOrPath)
    } else if named.iter().any(|s| s.chars().any(char::is_control)) {
        Some(StepUpFault::Control)
    } else if actor.eq_ignore_ascii_case(account) {
        Some(StepUpFault::SameActor)
    } else if issued_at > super::MAX_TIME {
        Some(StepUpFault::Time)
    } else {
        None
    }
}

/// Encodes the header and payload of a proof: the bytes to sign.
pub fn encode_step_up_unsigned(kid: &str, proof: &StepUp) -> Result<Vec<u8>> {
    check_kid(kid)?;
    proof
        .check()
        .map_err(|detail| Error::InvalidArgument { detail })?;
    frame(&STEP_UP_MAGIC, kid, proof, "step-up proof", MAX_STEP_UP_LEN)
}

/// Decodes a proof payload (the fields of [`StepUp`] in order); the whole
/// payload must be consumed, in canonical form.
pub fn decode_step_up(payload: &[u8]) -> Result<StepUp> {
    let read = read_all(payload, |r| {
        Ok(StepUp {
            tenant: r.string()?,
            snapshot: r.array()?,
            account: r.string()?,
            actor: r.string()?,
            permission: r.string()?,
            method: r.string()?,
            path: r.string()?,
            issued_at: r.u64()?,
            lifetime: r.u8()?,
            nonce: r.array()?,
        })
    });
    match read {
        Ok(proof) if proof.check().is_ok() => Ok(proof),
        _ => Err(Error::StepUpRefused {
            detail: "the proof does not decode".into(),
        }),
    }
}

/// A proof that keeps every rule, for the tests of both readers.
#[cfg(test)]
pub(crate) fn example_step_up() -> StepUp {
    StepUp {
        tenant: "spa-lumi".into(),
        snapshot: [0x81; 8],
        account: "front-desk".into(),
        actor: "ana".into(),
        permission: "payments.refund".into(),
        method: "POST".into(),
        path: "/payments/7/refund".into(),
        issued_at: 1_800_000_000,
        lifetime: 60,
        nonce: [0xff; 16],
    }
}

/// A step-up proof's fields, as a request's check reads them.
#[cfg(any(feature = "server", feature = "routes"))]
pub(crate) struct Proved<'a> {
    pub tenant: &'a str,
    pub snapshot: &'a [u8],
    pub account: &'a str,
    pub permission: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub issued_at: u64,
    pub expires_at: u64,
}

/// What a step-up proof must match: the request's verified snapshot,
/// where the request goes, the time.
#[cfg(any(feature = "server", feature = "routes"))]
pub(crate) struct Expected<'a> {
    /// The snapshot is a shared account's.
    pub shared: bool,
    pub tenant: &'a str,
    pub subject: &'a str,
    pub snapshot: &'a [u8],
    /// The permission the proof names is one the route needs behind a
    /// PIN, granted by the snapshot behind one.
    pub permission: bool,
    pub method: &'a str,
    pub path: &'a str,
    pub now: u64,
    pub leeway: u64,
}

/// Why a proof, its signature checked, does not open the request (the
/// detail of `step_up_refused`), or `None`: the reference verifier's rules
/// and the small core's, one source.
#[cfg(any(feature = "server", feature = "routes"))]
pub(crate) fn step_up_mismatch(p: &Proved<'_>, e: &Expected<'_>) -> Option<String> {
    if !e.shared {
        return Some(
            "the snapshot is not a shared account's: a person proves who they are by their \
             own snapshot"
                .into(),
        );
    }
    if p.tenant != e.tenant || p.account != e.subject || p.snapshot != e.snapshot {
        return Some("it was issued for another snapshot than the request's".into());
    }
    if !e.permission {
        return Some(format!(
            "it proves a PIN for `{}`, which is not what this route needs behind a PIN",
            p.permission
        ));
    }
    if p.method != e.method || p.path != e.path {
        return Some(format!(
            "it is for `{} {}`, not `{} {}`",
            p.method, p.path, e.method, e.path
        ));
    }
    if p.issued_at > e.now.saturating_add(e.leeway) || e.now >= p.expires_at {
        return Some(format!(
            "it is valid from {} to {}, and the time is {}",
            p.issued_at, p.expires_at, e.now
        ));
    }
    None
}

/// The message of `step_up_refused`.
pub(crate) fn step_up_refused(detail: &str) -> String {
    format!("step-up proof refused: {detail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::read::{mutations, oracle};

    #[test]
    fn proofs_read_as_postcard_reads_them_canonically() {
        let proof = example_step_up();
        let payload = postcard::to_allocvec(&proof).unwrap();
        assert_eq!(decode_step_up(&payload).ok(), Some(proof));
        for m in mutations(&payload) {
            let ours = decode_step_up(&m).ok();
            let oracle = oracle::<StepUp>(&m).filter(|p| p.check().is_ok());
            assert_eq!(ours, oracle, "{m:02x?}");
        }
    }
}
