//! A step-up proof read in place (`wire::decode_step_up`), for the edge
//! build on the small core (#16): its fields as offsets into its bytes,
//! held to the reference's rules (`wire::step_up_fault`). The signature is
//! the caller's (the platform's WebCrypto), checked between [`split_proof`]
//! and [`StepUp::read`]; so is what the proof must match (the request's
//! snapshot, permission, method, path and time: FORMAT.md, "Step-up
//! proof").

use super::snapshot::{split_framed, Parts};
use super::{Refusal, Span, STEP_UP_REFUSED};
use crate::wire::read::{read_all, Bad};
use crate::wire::{MAX_STEP_UP_LEN, STEP_UP_MAGIC};

/// Splits a binary step-up proof, as the reference splits it (format 2
/// only). The gate answers any refusal here `step_up_refused`.
pub fn split_proof(bytes: &[u8]) -> Result<Parts, Refusal> {
    split_framed(bytes, &STEP_UP_MAGIC, MAX_STEP_UP_LEN, 2)
}

/// A proof whose payload decoded (its signature checked by the caller).
#[derive(Debug, Clone, Default)]
pub struct StepUp {
    bytes: Vec<u8>,
    /// Business account id.
    pub tenant: Span,
    /// The id of the shared account's snapshot it is bound to (8 bytes).
    pub snapshot: Span,
    /// The shared account (that snapshot's subject).
    pub account: Span,
    /// The staff member who gave their PIN.
    pub actor: Span,
    /// The permission the action needs.
    pub permission: Span,
    /// The request method, upper case.
    pub method: Span,
    /// The request's canonical path.
    pub path: Span,
    /// Issued at, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Seconds it stays valid.
    pub lifetime: u8,
    /// Its nonce (16 bytes).
    pub nonce: Span,
}

impl StepUp {
    /// Reads the payload of `bytes` (split into `parts` by
    /// [`split_proof`]): every field in order, the whole payload consumed,
    /// and the rules of the reference; `step_up_refused` otherwise.
    pub fn read(bytes: &[u8], parts: &Parts) -> Result<StepUp, Refusal> {
        let mut p = StepUp {
            bytes: bytes.to_vec(),
            ..StepUp::default()
        };
        p.payload(bytes, parts.payload.in_(bytes))
            .map_err(|_| STEP_UP_REFUSED)?;
        let text = |s: Span| core::str::from_utf8(s.in_(bytes)).unwrap_or_default();
        let named = [p.tenant, p.account, p.actor, p.permission, p.method, p.path].map(text);
        match crate::wire::step_up_fault(named, p.lifetime, p.issued_at) {
            None => Ok(p),
            Some(_) => Err(STEP_UP_REFUSED),
        }
    }

    fn payload(&mut self, whole: &[u8], payload: &[u8]) -> Result<(), Bad> {
        let span = |part: &[u8]| Span::of(whole, part);
        read_all(payload, |r| {
            self.tenant = span(r.text()?.as_bytes());
            self.snapshot = span(r.take(8)?);
            self.account = span(r.text()?.as_bytes());
            self.actor = span(r.text()?.as_bytes());
            self.permission = span(r.text()?.as_bytes());
            self.method = span(r.text()?.as_bytes());
            self.path = span(r.text()?.as_bytes());
            self.issued_at = r.u64()?;
            self.lifetime = r.u8()?;
            self.nonce = span(r.take(16)?);
            Ok(())
        })
    }

    /// Its expiry, seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.issued_at.saturating_add(u64::from(self.lifetime))
    }

    /// The proof's bytes (what every [`Span`] of it points into).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
