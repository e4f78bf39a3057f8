//! A revocation feed's head read in place (`wire::decode_feed_head`), and
//! the notices it lists checked against it (FORMAT.md, "Feed head"): the
//! small core's part of `Verifier::apply_feed`, for the edge build on the
//! small core (#16). The signature is the caller's (the platform's
//! WebCrypto), checked between [`split_head`] and [`FeedHead::read`]; so
//! are the account, the head's age and its order, which the caller keeps
//! with the revocations.

use super::snapshot::{split_framed, Parts};
use super::{Refusal, Span, MALFORMED};
use crate::wire::feed_digest_of;
use crate::wire::read::{read_all, Bad};
use crate::wire::{FEED_MAGIC, MAX_FEED_HEAD_LEN, MAX_TIME};

/// Splits a binary feed head, as the reference splits it (format 2 only).
pub fn split_head(bytes: &[u8]) -> Result<Parts, Refusal> {
    split_framed(bytes, &FEED_MAGIC, MAX_FEED_HEAD_LEN, 2)
}

/// A feed head whose payload decoded (its signature checked by the caller).
#[derive(Debug, Clone, Default)]
pub struct FeedHead {
    bytes: Vec<u8>,
    /// The account whose notices the feed holds; `None`: every account of
    /// the issuer.
    pub tenant: Option<Span>,
    /// When the head was signed, seconds since the epoch.
    pub issued_at: u64,
    /// How many notices the feed holds.
    pub count: u32,
    /// The digest of its notices (`wire::feed_digest`).
    pub digest: [u8; 16],
}

impl FeedHead {
    /// Reads the payload of `bytes` (split into `parts` by [`split_head`]):
    /// every field in order, the whole payload consumed, an account named
    /// when one is, a time in seconds; `malformed` otherwise, as the
    /// reference refuses.
    pub fn read(bytes: &[u8], parts: &Parts) -> Result<FeedHead, Refusal> {
        let mut h = FeedHead {
            bytes: bytes.to_vec(),
            ..FeedHead::default()
        };
        h.payload(bytes, parts.payload.in_(bytes))
            .map_err(|_| MALFORMED)?;
        let well_formed = h.tenant.is_none_or(|t| t.len > 0) && h.issued_at <= MAX_TIME;
        well_formed.then_some(h).ok_or(MALFORMED)
    }

    fn payload(&mut self, whole: &[u8], payload: &[u8]) -> Result<(), Bad> {
        read_all(payload, |r| {
            self.tenant = r
                .option(|r| r.text())?
                .map(|t| Span::of(whole, t.as_bytes()));
            self.issued_at = r.u64()?;
            self.count = r.u32()?;
            self.digest = r.array()?;
            Ok(())
        })
    }

    /// Whether `notices` (binary, in feed order) are the ones this head
    /// lists: as many, with its digest (`malformed` otherwise: one left
    /// out, added or changed).
    pub fn lists<'a>(
        &self,
        notices: impl ExactSizeIterator<Item = &'a [u8]>,
    ) -> Result<(), Refusal> {
        let count = notices.len();
        let listed = count == self.count as usize && feed_digest_of(notices) == self.digest;
        listed.then_some(()).ok_or(MALFORMED)
    }

    /// The head's bytes (what every [`Span`] of it points into).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
