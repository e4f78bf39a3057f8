//! Revocation notices: "nothing of this account before epoch N, these
//! snapshot ids, and nothing issued to these people before their version
//! V", signed with the issuer's keys under their own domain.

use super::read::{read_all, Reader};
use super::{check_kid, check_time, frame};
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
#[serde(deny_unknown_fields)]
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

/// What a decoded notice must also be: of an account, naming its staff,
/// with a time in seconds.
fn well_formed(notice: &Notice) -> bool {
    !notice.tenant.is_empty()
        && notice.staff.iter().all(|s| !s.subject.is_empty())
        && check_time(notice.issued_at).is_ok()
}

/// Decodes a notice payload (the fields of [`Notice`] in order); the
/// whole payload must be consumed, in canonical form.
pub fn decode_notice(payload: &[u8]) -> Result<Notice> {
    let read = read_all(payload, |r| {
        Ok(Notice {
            tenant: r.string()?,
            issued_at: r.u64()?,
            min_epoch: r.u32()?,
            ids: r.seq(Reader::array)?,
            staff: r.seq(|r| {
                Ok(StaffRevocation {
                    subject: r.string()?,
                    before: r.u64()?,
                })
            })?,
        })
    });
    match read {
        Ok(notice) if well_formed(&notice) => Ok(notice),
        _ => Err(Error::Malformed {
            detail: "the revocation notice does not decode".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::read::{mutations, oracle, vectors};

    #[test]
    fn notices_read_as_postcard_reads_them_canonically() {
        let vectors = vectors();
        let notices = vectors["notices"]["apply"].as_array().unwrap();
        for text in notices {
            let bytes = crate::encoding::decode(text.as_str().unwrap()).unwrap();
            let parts = super::super::split_framed(&bytes, &NOTICE_MAGIC, MAX_NOTICE_LEN).unwrap();
            // The oracle has no emptiness or time checks: mutations that
            // only break those are refused by decode_notice alone.
            assert!(decode_notice(parts.payload).is_ok());
            for m in mutations(parts.payload) {
                let ours = decode_notice(&m).ok();
                let oracle = oracle::<Notice>(&m).filter(well_formed);
                assert_eq!(ours, oracle, "{m:02x?}");
            }
        }
        assert!(notices.len() >= 2);
    }
}
