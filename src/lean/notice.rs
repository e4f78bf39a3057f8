//! A revocation notice read in place (`wire::decode_notice`): its account,
//! time, epoch, snapshot ids and per-person bounds, as offsets into its
//! bytes. What a verifier does with it (FORMAT.md, "Revocation") is the
//! caller's: the browser entry keeps the revocations in JavaScript.

use super::snapshot::Parts;
use super::{Refusal, Span, MALFORMED};
use crate::wire::read::{read_all, Bad};
use crate::wire::MAX_TIME;

/// A notice whose payload decoded (its signature checked by the caller).
#[derive(Debug, Clone, Default)]
pub struct Notice {
    bytes: Vec<u8>,
    /// Account id.
    pub tenant: Span,
    /// When it was issued, seconds since the epoch.
    pub issued_at: u64,
    /// Snapshots of the account with a lower epoch are revoked.
    pub min_epoch: u32,
    /// Revoked snapshot ids (8 bytes each).
    pub ids: Vec<Span>,
    /// Per person (staff id): snapshots with a lower version are revoked.
    pub staff: Vec<(Span, u64)>,
}

impl Notice {
    /// Reads the payload of `bytes` (split into `parts` by
    /// [`super::snapshot::split_notice`]): every field in order, the whole
    /// payload consumed, an account and every person named, a time in
    /// seconds; `malformed` otherwise, as the reference refuses.
    pub fn read(bytes: &[u8], parts: &Parts) -> Result<Notice, Refusal> {
        let mut n = Notice {
            bytes: bytes.to_vec(),
            ..Notice::default()
        };
        n.payload(bytes, parts.payload.in_(bytes))
            .map_err(|_| MALFORMED)?;
        let well_formed =
            n.tenant.len > 0 && n.staff.iter().all(|(s, _)| s.len > 0) && n.issued_at <= MAX_TIME;
        well_formed.then_some(n).ok_or(MALFORMED)
    }

    fn payload(&mut self, whole: &[u8], payload: &[u8]) -> Result<(), Bad> {
        let span = |part: &[u8]| Span::of(whole, part);
        read_all(payload, |r| {
            self.tenant = span(r.text()?.as_bytes());
            self.issued_at = r.u64()?;
            self.min_epoch = r.u32()?;
            for _ in 0..r.len()? {
                let id = r.take(8)?;
                self.ids.push(span(id));
            }
            for _ in 0..r.len()? {
                let subject = span(r.text()?.as_bytes());
                let before = r.u64()?;
                self.staff.push((subject, before));
            }
            Ok(())
        })
    }

    /// The notice's bytes (what every [`Span`] of it points into).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
