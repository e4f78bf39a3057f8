//! Feed heads: a signed, timestamped statement "at time T, the revocation
//! feed held exactly these notices", so a verifier can prove its feed is
//! current (a stale cache or a replayed feed is older than its maximum age)
//! and complete (a notice left out changes the digest).
//!
//! ```text
//! head    = "PSH" | version u8 (2) | kid_len u8 | kid | payload | signature (64)
//! payload = postcard(FeedHead { tenant option<string>, issued_at varint, count varint, digest [u8; 16] })
//! digest  = SHA-512("permsnap/v2 feed" 00 | for each notice: its length, 4 bytes big-endian, then its bytes)[0..16]
//! signed message = "permsnap/v2 feed head" 00 | every byte before the signature
//! ```

use super::read::read_all;
use super::{check_kid, check_time, digest, frame};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The three magic bytes of a feed head.
pub const FEED_MAGIC: [u8; 3] = *b"PSH";
/// Domain separation prefix of a signed feed head.
pub const FEED_DOMAIN: &[u8] = b"permsnap/v2 feed head\0";
/// Domain separation prefix of the digest of a feed's notices.
pub const FEED_DIGEST_DOMAIN: &[u8] = b"permsnap/v2 feed\0";
/// Largest feed head accepted.
pub const MAX_FEED_HEAD_LEN: usize = 1024;

/// What a feed head says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedHead {
    /// The account whose notices the feed holds; `None`: every account of
    /// the issuer.
    pub tenant: Option<String>,
    /// When the head was signed, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Number of notices in the feed.
    pub count: u32,
    /// Digest of the notices, in feed order (binary forms).
    pub digest: [u8; 16],
}

/// The digest of a feed's notices (binary forms, in feed order).
pub fn feed_digest(notices: &[Vec<u8>]) -> [u8; 16] {
    feed_digest_of(notices.iter().map(Vec::as_slice))
}

/// [`feed_digest`] of notices however they are held (the small core reads
/// them in place): each one's length, 4 bytes big-endian, then its bytes.
pub(crate) fn feed_digest_of<'a>(notices: impl Iterator<Item = &'a [u8]>) -> [u8; 16] {
    let framed: Vec<([u8; 4], &[u8])> = notices
        .map(|n| (u32::try_from(n.len()).unwrap_or(u32::MAX).to_be_bytes(), n))
        .collect();
    digest(
        FEED_DIGEST_DOMAIN,
        framed.iter().flat_map(|(l, n)| [l.as_slice(), *n]),
    )
}

/// Encodes the header and payload of a feed head: the bytes to sign.
pub fn encode_feed_head_unsigned(kid: &str, head: &FeedHead) -> Result<Vec<u8>> {
    check_kid(kid)?;
    check_time(head.issued_at).map_err(|detail| Error::InvalidArgument { detail })?;
    frame(&FEED_MAGIC, kid, head, "feed head", MAX_FEED_HEAD_LEN)
}

/// What a decoded feed head must also be: of an account when it names one,
/// with a time in seconds.
fn well_formed(head: &FeedHead) -> bool {
    head.tenant.as_deref() != Some("") && check_time(head.issued_at).is_ok()
}

/// Decodes a feed head payload (the fields of [`FeedHead`] in order); the
/// whole payload must be consumed, in canonical form.
pub fn decode_feed_head(payload: &[u8]) -> Result<FeedHead> {
    let read = read_all(payload, |r| {
        Ok(FeedHead {
            tenant: r.option(|r| r.string())?,
            issued_at: r.u64()?,
            count: r.u32()?,
            digest: r.array()?,
        })
    });
    match read {
        Ok(head) if well_formed(&head) => Ok(head),
        _ => Err(Error::Malformed {
            detail: "the feed head does not decode".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::read::{mutations, oracle, vectors};

    #[test]
    fn feed_heads_read_as_postcard_reads_them_canonically() {
        let vectors = vectors();
        let text = vectors["feeds"]["feed"]["head"].as_str().unwrap();
        let bytes = crate::encoding::decode(text).unwrap();
        let parts = super::super::split_framed(&bytes, &FEED_MAGIC, MAX_FEED_HEAD_LEN).unwrap();
        let all = FeedHead {
            tenant: None,
            issued_at: 1_800_000_000,
            count: 70_000,
            digest: [0x80; 16],
        };
        let all = postcard::to_allocvec(&all).unwrap();
        for payload in [parts.payload, &all] {
            assert!(decode_feed_head(payload).is_ok());
            for m in mutations(payload) {
                let ours = decode_feed_head(&m).ok();
                let oracle = oracle::<FeedHead>(&m).filter(well_formed);
                assert_eq!(ours, oracle, "{m:02x?}");
            }
        }
    }
}
