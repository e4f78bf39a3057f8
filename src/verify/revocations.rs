//! Revocations a verifier knows of: per-account epochs and snapshot ids,
//! only ever growing.

use crate::error::{hex, Error, Result};
use crate::wire::{Claims, Notice};

/// Revocations known to the verifier: per tenant, a minimum epoch, and
/// individual snapshot ids. Revocations only grow: applying an older notice
/// again never lifts a newer one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revocations {
    /// Per tenant, sorted by tenant: snapshots with a lower epoch are revoked.
    min_epoch: Vec<(String, u32)>,
    /// Revoked snapshot ids (as big-endian integers), sorted.
    ids: Vec<u64>,
}

impl Revocations {
    /// No revocation.
    pub fn new() -> Self {
        Revocations::default()
    }

    /// Revokes every snapshot of `tenant` with an epoch below `epoch`
    /// (keeps the higher bound if one is already known).
    pub fn revoke_before(&mut self, tenant: &str, epoch: u32) {
        match self
            .min_epoch
            .binary_search_by(|(t, _)| t.as_str().cmp(tenant))
        {
            Ok(at) => {
                if let Some((_, e)) = self.min_epoch.get_mut(at) {
                    *e = (*e).max(epoch);
                }
            }
            Err(at) => self.min_epoch.insert(at, (tenant.to_owned(), epoch)),
        }
    }

    /// Revokes one snapshot by id.
    pub fn revoke_id(&mut self, id: [u8; 8]) {
        let id = u64::from_be_bytes(id);
        if let Err(at) = self.ids.binary_search(&id) {
            self.ids.insert(at, id);
        }
    }

    /// Applies a verified notice.
    pub fn apply(&mut self, notice: &Notice) {
        self.revoke_before(&notice.tenant, notice.min_epoch);
        if notice.ids.iter().all(|id| self.is_revoked_id(id)) {
            return; // the common case: the same notice fetched again
        }
        self.ids
            .extend(notice.ids.iter().map(|id| u64::from_be_bytes(*id)));
        self.ids.sort_unstable();
        self.ids.dedup();
    }

    /// The epoch below which snapshots of `tenant` are revoked.
    pub fn min_epoch(&self, tenant: &str) -> u32 {
        self.min_epoch
            .binary_search_by(|(t, _)| t.as_str().cmp(tenant))
            .ok()
            .and_then(|at| self.min_epoch.get(at))
            .map_or(0, |(_, e)| *e)
    }

    /// Whether snapshot `id` is revoked by id.
    pub fn is_revoked_id(&self, id: &[u8; 8]) -> bool {
        self.ids.binary_search(&u64::from_be_bytes(*id)).is_ok()
    }

    /// Number of individually revoked ids.
    pub fn id_count(&self) -> usize {
        self.ids.len()
    }

    /// Why `claims` is revoked, if it is.
    pub fn check(&self, claims: &Claims) -> Result<()> {
        let min = self.min_epoch(&claims.tenant);
        if claims.epoch < min {
            return Err(Error::Revoked {
                detail: format!(
                    "account `{}` revoked everything before epoch {min}; this snapshot has epoch {}",
                    claims.tenant, claims.epoch
                ),
            });
        }
        if self.is_revoked_id(&claims.id) {
            return Err(Error::Revoked {
                detail: format!("snapshot `{}` was revoked", hex(&claims.id)),
            });
        }
        Ok(())
    }
}
