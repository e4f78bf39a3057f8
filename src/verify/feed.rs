//! Revocation feeds at a verifier: a signed feed head vouches for a list
//! of notices and for the time it was signed; applying it keeps the
//! verifier's revocations complete and proves them current (what
//! [`super::Options::max_feed_age`] checks). Edges and servers only: the
//! `server` feature (browsers get fresh snapshots instead).

use super::options::TenantCheck;
use super::Verifier;
use crate::error::{Error, Result};
use crate::wire::{self, FeedHead};

/// What [`Verifier::apply_feed`] did.
#[derive(Debug)]
pub struct FeedReport {
    /// The verified head.
    pub head: FeedHead,
    /// Notices applied.
    pub applied: usize,
    /// Notices of another account, skipped.
    pub skipped: usize,
    /// Notices that could not be verified or read, by position: they may
    /// have revoked someone, so the feed does not count as current.
    pub failed: Vec<(usize, Error)>,
}

impl Verifier {
    /// Verifies a signed feed head and the notices it lists (each binary or
    /// base64url text, in feed order), applies every notice that verifies,
    /// and, when all of them did, records the head's time as the feed's: what
    /// [`crate::Options::max_feed_age`] is checked against. Refused: a head that
    /// does not verify, names another account (or, for a verifier of several
    /// accounts, any one account), does not match the notices
    /// given (count and digest: nothing left out or added), is older than
    /// a head already applied (a replayed feed), or is dated after `now`
    /// (the verifier's clock) plus the leeway: an issuer clock running ahead
    /// (or milliseconds for seconds) would otherwise keep the feed "current"
    /// past its time. Then forgets what can no longer matter at `now`.
    pub fn apply_feed<N: AsRef<[u8]>>(
        &mut self,
        head: &[u8],
        notices: &[N],
        now: u64,
    ) -> Result<FeedReport> {
        let bytes = wire::to_binary_framed(head, &wire::FEED_MAGIC, wire::MAX_FEED_HEAD_LEN)?;
        let parts = wire::split_framed(&bytes, &wire::FEED_MAGIC, wire::MAX_FEED_HEAD_LEN)?;
        self.keyring().verify_domain(
            wire::FEED_DOMAIN,
            parts.kid,
            parts.signed,
            parts.signature,
        )?;
        let head = wire::decode_feed_head(parts.payload)?;
        // A head naming one account vouches for that account's notices
        // only: a verifier that accepts several accounts needs the feed of
        // every account, or one account's fresh head would keep the others'
        // revocations "current" while they stopped arriving.
        match (&self.options().tenant, &head.tenant) {
            (TenantCheck::Fixed(expected), Some(found)) if found != expected => {
                return Err(Error::WrongTenant {
                    expected: expected.clone(),
                    found: found.clone(),
                });
            }
            (TenantCheck::PerRequest | TenantCheck::Any, Some(found)) => {
                return Err(Error::WrongTenant {
                    expected: "every account".into(),
                    found: found.clone(),
                });
            }
            _ => {}
        }
        let ahead = head
            .issued_at
            .saturating_sub(now.saturating_add(self.options().leeway));
        if ahead > 0 {
            return Err(Error::StaleFeed {
                detail: format!(
                    "this feed head is dated {} s after this verifier's clock (beyond the leeway): the issuer's clock runs ahead, or gave milliseconds",
                    head.issued_at - now
                ),
            });
        }
        if let Some(at) = self.feed_at.filter(|at| head.issued_at < *at) {
            return Err(Error::StaleFeed {
                detail: format!(
                    "this feed head was signed at {}, before the one already applied ({at}): an old copy",
                    head.issued_at
                ),
            });
        }
        let binary = notices
            .iter()
            .map(|n| wire::to_binary_framed(n.as_ref(), &wire::NOTICE_MAGIC, wire::MAX_NOTICE_LEN))
            .collect::<Result<Vec<_>>>()?;
        if binary.len() != head.count as usize || wire::feed_digest(&binary) != head.digest {
            return Err(Error::Malformed {
                detail: format!(
                    "the feed's {} notices are not the {} its head lists (one left out, added or changed)",
                    binary.len(),
                    head.count
                ),
            });
        }
        let mut report = FeedReport {
            head,
            applied: 0,
            skipped: 0,
            failed: Vec::new(),
        };
        for (i, n) in binary.iter().enumerate() {
            // Kept a lifetime from now at least, whatever the date the
            // notice says (attack review, session 12: one dated two days
            // back was applied and forgotten in the same call).
            match self.apply_notice_at(n, now) {
                Ok(_) => report.applied += 1,
                Err(Error::WrongTenant { .. }) => report.skipped += 1,
                Err(e) => report.failed.push((i, e)),
            }
        }
        if report.failed.is_empty() {
            self.feed_at = Some(report.head.issued_at);
        }
        self.forget_expired(now);
        Ok(report)
    }

    /// Issue time of the newest feed head applied in full, if any.
    pub fn feed_at(&self) -> Option<u64> {
        self.feed_at
    }
}
