//! Revocation notices: "nothing of this account before epoch N, these
//! snapshot ids, and nothing issued to these people before their version
//! V", signed with the issuer's keys under their own domain.

use super::{check_kid, check_time, frame, is_canonical};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The three magic bytes of a revocation notice.
pub const NOTICE_MAGIC: [u8; 3] = *b"PSR";
/// Domain separation prefix of a signed revocation notice.
pub const NOTICE_DOMAIN: &[u8] = b"permsnap/v2 revocation\0";
/// Largest binary revocation notice accepted (about 8,000 ids).
pub const MAX_NOTICE_LEN: usize = 65_536;

/// A revocation notice: for one tenant, "nothing issued before epoch
/// `min_epoch`", individual snapshot ids, and per person "nothing issued
/// before version V". Signed like a snapshot (magic `PSR`, its own signing
/// domain; see FORMAT.md).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Notice {
    /// Business account id.
    pub tenant: String,
    /// When the notice was issued, seconds since the Unix epoch. A verifier
    /// forgets it [`crate::wire::MAX_LIFETIME`] later: every snapshot it
    /// can revoke has expired by then.
    pub issued_at: u64,
    /// Snapshots of the tenant with a lower epoch are revoked.
    pub min_epoch: u32,
    /// Revoked snapshot ids.
    pub ids: Vec<[u8; 8]>,
    /// Per person: snapshots issued with a lower version are revoked.
    pub staff: Vec<StaffRevocation>,
}

/// "Every snapshot of staff `subject` with a version below `before`":
/// written when the app edits or deactivates the person and increments
/// their counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRevocation {
    /// Staff id.
    pub subject: String,
    /// Snapshots with a lower version are revoked.
    pub before: u64,
}

/// Encodes the header and payload of a notice: the bytes to sign.
pub fn encode_notice_unsigned(kid: &str, notice: &Notice) -> Result<Vec<u8>> {
    check_kid(kid)?;
    check_time(notice.issued_at).map_err(|detail| Error::InvalidArgument { detail })?;
    frame(&NOTICE_MAGIC, kid, notice, "notice", MAX_NOTICE_LEN)
}

/// Decodes a notice payload; the whole payload must be consumed.
pub fn decode_notice(payload: &[u8]) -> Result<Notice> {
    match postcard::take_from_bytes::<Notice>(payload) {
        Ok((notice, []))
            if !notice.tenant.is_empty()
                && notice.staff.iter().all(|s| !s.subject.is_empty())
                && check_time(notice.issued_at).is_ok()
                && is_canonical(&notice, payload) =>
        {
            Ok(notice)
        }
        _ => Err(Error::Malformed {
            detail: "the revocation notice does not decode".into(),
        }),
    }
}
