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
        if !snapshot.is_shared_account() {
            return Err(refused(
                "the snapshot is not a shared account's: a person proves who they are by \
                 their own snapshot"
                    .into(),
            ));
        }
        if p.tenant != c.tenant || p.account != c.subject || p.snapshot != c.id {
            return Err(refused(
                "it was issued for another snapshot than the request's".into(),
            ));
        }
        let catalog = snapshot.catalog();
        let allowed = catalog.perm(&p.permission).is_ok_and(|i| {
            target.permissions.contains(&i) && c.step_up.get(i) && snapshot.effective_bits().get(i)
        });
        if !allowed {
            return Err(refused(format!(
                "it proves a PIN for `{}`, which is not what this route needs behind a PIN",
                p.permission
            )));
        }
        if p.method != target.method || p.path != target.path {
            return Err(refused(format!(
                "it is for `{} {}`, not `{} {}`",
                p.method, p.path, target.method, target.path
            )));
        }
        let leeway = self.options().leeway;
        if p.issued_at > now.saturating_add(leeway) || now >= p.expires_at() {
            return Err(refused(format!(
                "it is valid from {} to {}, and the time is {now}",
                p.issued_at,
                p.expires_at()
            )));
        }
        Ok(p)
    }
}
