//! Step-up proofs at a verifier: a shared account's request carries a
//! proof, signed by the issuer after it checked the acting person's PIN,
//! bound to the shared account's verified snapshot, the action, the method
//! and the canonical path (FORMAT.md, "Step-up proofs"). Edges and servers
//! only: the `server` feature.

use super::Verifier;
use crate::decision::Permissions;
use crate::error::{Error, Result};
use crate::wire::{self, StepUp};

/// What one request is: the snapshot it was verified with, and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct StepUpTarget<'a> {
    /// The method the request is gated as, upper case.
    pub method: &'a str,
    /// Its canonical path.
    pub path: &'a str,
    /// The permissions the action may be taken under (a route's required
    /// permission, or the granted ones of its `any`).
    pub permissions: &'a [usize],
}

impl Verifier {
    /// Verifies a step-up proof (binary or base64url text) for a request
    /// made with the verified `snapshot` of a shared account, at `now`: the
    /// issuer's signature, the same account, snapshot and shared account,
    /// a permission of `target` that the snapshot grants behind a PIN, the
    /// same method and canonical path, and a time within the proof's life
    /// (at most a minute; issued no later than `now` plus the leeway).
    /// Anything else is `step_up_refused`, naming what did not match, but a
    /// proof signed with a key id the keyring lacks, `unknown_key` (reload
    /// the keys and ask again).
    /// Single use is the origin's to enforce, with the proof's nonce.
    pub fn verify_step_up(
        &self,
        snapshot: &Permissions,
        proof: &[u8],
        target: &StepUpTarget<'_>,
        now: u64,
    ) -> Result<StepUp> {
        let refused = |detail: String| Error::StepUpRefused { detail };
        let bytes = wire::to_binary_framed(proof, &wire::STEP_UP_MAGIC, wire::MAX_STEP_UP_LEN)
            .map_err(|e| refused(format!("not a step-up proof ({e})")))?;
        let parts = wire::split_framed(&bytes, &wire::STEP_UP_MAGIC, wire::MAX_STEP_UP_LEN)
            .map_err(|e| refused(format!("not a step-up proof ({e})")))?;
        // A key this verifier does not know stays `unknown_key`: the edge
        // then reloads its key set (the issuer may have rotated), as it
        // does for snapshots.
        self.keyring()
            .verify_domain(
                wire::STEP_UP_DOMAIN,
                parts.kid,
                parts.signed,
                parts.signature,
            )
            .map_err(|e| match e {
                Error::UnknownKey { .. } => e,
                other => refused(format!("its signature does not verify ({other})")),
            })?;
        let p = wire::decode_step_up(parts.payload)?;
        let c = snapshot.claims();
        let ours = snapshot.catalog().perm(&p.permission).is_ok_and(|i| {
            target.permissions.contains(&i) && c.step_up.get(i) && snapshot.effective_bits().get(i)
        });
        let proved = wire::Proved {
            tenant: &p.tenant,
            snapshot: &p.snapshot,
            account: &p.account,
            permission: &p.permission,
            method: &p.method,
            path: &p.path,
            issued_at: p.issued_at,
            expires_at: p.expires_at(),
        };
        let expected = wire::Expected {
            shared: snapshot.is_shared_account(),
            tenant: &c.tenant,
            subject: &c.subject,
            snapshot: &c.id,
            permission: ours,
            method: target.method,
            path: target.path,
            now,
            leeway: self.options().leeway,
        };
        if let Some(detail) = wire::step_up_mismatch(&proved, &expected) {
            return Err(refused(detail));
        }
        Ok(p)
    }
}
