//! Revocations a verifier knows of: per-account epochs, snapshot ids and
//! per-person versions. They only grow, except that what can no longer
//! matter is forgotten: an id is kept for one maximum snapshot lifetime
//! (plus leeway) after its notice, since every snapshot it can revoke has
//! expired by then; a person's bound for a lifetime plus the replica lag
//! the model allows ([`MAX_REPLICA_LAG`]), since a lagging replica may
//! still issue the old version that long after the notice. Memory holds
//! the edits of the notices seen in the last two days (a feed that still
//! lists a notice shows it again at every fetch).

use crate::error::{hex, Error, Result};
use crate::wire::{Claims, Notice, MAX_LIFETIME};

/// Revocations known to the verifier. Applying an older notice again never
/// lifts a newer one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revocations {
    /// Per tenant, sorted by tenant: snapshots with a lower epoch are revoked.
    min_epoch: Vec<(String, u32)>,
    /// Revoked snapshot ids (big-endian integers) with the account whose
    /// notice revoked them (empty: any account, the app's own list),
    /// sorted, each with the time after which it can be forgotten.
    ids: Vec<((u64, String), u64)>,
    /// Per (tenant, subject), sorted: snapshots with a lower version are
    /// revoked; with the time after which the bound can be forgotten.
    staff: Vec<((String, String), u64, u64)>,
}

/// The `until` of an entry applied with no clock: set at the next prune.
const PENDING: u64 = u64::MAX;

/// How far behind the database an issuer replica may be, seconds: one
/// day. A replica that has not seen an edit yet issues the person's old
/// version up to this long after the notice, each snapshot valid up to a
/// lifetime more, so a person's bound is kept a lifetime plus this long
/// (attack review, session 18: kept a lifetime only, a snapshot a replica
/// issued an hour late was accepted again in its last hour).
pub const MAX_REPLICA_LAG: u64 = 86_400;

/// How long past its notice a person's bound is kept.
const STAFF_MEMORY: u64 = MAX_LIFETIME as u64 + MAX_REPLICA_LAG;

impl Revocations {
    /// No revocation.
    pub fn new() -> Self {
        Revocations::default()
    }

    /// Revokes every snapshot of `tenant` with an epoch below `epoch`
    /// (keeps the higher bound if one is already known). Epochs are one
    /// number per account and are never forgotten.
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

    /// Revokes one snapshot by id, of whatever account, until `until`
    /// (seconds since the Unix epoch): the app's own list
    /// (`setRevocations`).
    pub fn revoke_id(&mut self, id: [u8; 8], until: u64) {
        self.revoke_id_of("", id, until);
    }

    /// Revokes the snapshot `id` of account `tenant` (a notice's: it
    /// revokes only within its own account) until `until`.
    pub fn revoke_id_of(&mut self, tenant: &str, id: [u8; 8], until: u64) {
        let id = u64::from_be_bytes(id);
        match self.id_at(tenant, id) {
            Ok(at) => {
                if let Some((_, u)) = self.ids.get_mut(at) {
                    *u = (*u).max(until);
                }
            }
            Err(at) => self.ids.insert(at, ((id, tenant.to_owned()), until)),
        }
    }

    fn id_at(&self, tenant: &str, id: u64) -> core::result::Result<usize, usize> {
        self.ids
            .binary_search_by(|((i, t), _)| (*i, t.as_str()).cmp(&(id, tenant)))
    }

    /// Revokes every snapshot of staff `subject` of `tenant` with a version
    /// below `before`, until `until`.
    pub fn revoke_staff(&mut self, tenant: &str, subject: &str, before: u64, until: u64) {
        match self.staff_at(tenant, subject) {
            Ok(at) => {
                if let Some((_, b, u)) = self.staff.get_mut(at) {
                    *b = (*b).max(before);
                    *u = (*u).max(until);
                }
            }
            Err(at) => self
                .staff
                .insert(at, ((tenant.to_owned(), subject.to_owned()), before, until)),
        }
    }

    fn staff_at(&self, tenant: &str, subject: &str) -> core::result::Result<usize, usize> {
        self.staff
            .binary_search_by(|((t, s), _, _)| (t.as_str(), s.as_str()).cmp(&(tenant, subject)))
    }

    /// Applies a verified notice, with no clock: what it revokes is kept
    /// until the next [`Revocations::prune`], and a snapshot lifetime from
    /// then. (Kept from its issue time, a notice dated more than a day
    /// back, signed by a replica whose clock runs behind, was forgotten at
    /// the next prune while the snapshot it revoked was still valid:
    /// attack review, session 14.)
    pub fn apply(&mut self, notice: &Notice) {
        self.apply_seen(notice, 0);
    }

    /// Applies a verified notice that a verifier sees at `seen` (its own
    /// clock): its ids and per-person bounds are kept a snapshot lifetime
    /// from the later of its issue time and `seen`. A notice signed with a
    /// clock running behind (or dated with a stored edit time) is not
    /// forgotten at once while the snapshots it revokes are still valid.
    /// `seen` 0: no clock ([`Revocations::apply`]).
    pub fn apply_seen(&mut self, notice: &Notice, seen: u64) {
        let until = |memory: u64| {
            if seen == 0 {
                PENDING
            } else {
                notice.issued_at.max(seen).saturating_add(memory)
            }
        };
        self.revoke_before(&notice.tenant, notice.min_epoch);
        for id in &notice.ids {
            self.revoke_id_of(&notice.tenant, *id, until(u64::from(MAX_LIFETIME)));
        }
        for s in &notice.staff {
            self.revoke_staff(&notice.tenant, &s.subject, s.before, until(STAFF_MEMORY));
        }
    }

    /// Forgets ids whose notice is older than the longest snapshot
    /// lifetime plus `leeway` at time `now`, and per-person bounds older
    /// than that plus [`MAX_REPLICA_LAG`]: no snapshot they could revoke
    /// is still accepted. Entries applied with no clock get their time
    /// now: they are kept as long from this prune.
    pub fn prune(&mut self, now: u64, leeway: u64) {
        for (_, u) in &mut self.ids {
            if *u == PENDING {
                *u = now.saturating_add(u64::from(MAX_LIFETIME));
            }
        }
        for (_, _, u) in &mut self.staff {
            if *u == PENDING {
                *u = now.saturating_add(STAFF_MEMORY);
            }
        }
        let live = |until: u64| until.saturating_add(leeway) >= now;
        self.ids.retain(|(_, u)| live(*u));
        self.staff.retain(|(_, _, u)| live(*u));
    }

    /// The epoch below which snapshots of `tenant` are revoked.
    pub fn min_epoch(&self, tenant: &str) -> u32 {
        self.min_epoch
            .binary_search_by(|(t, _)| t.as_str().cmp(tenant))
            .ok()
            .and_then(|at| self.min_epoch.get(at))
            .map_or(0, |(_, e)| *e)
    }

    /// The version below which snapshots of `subject` of `tenant` are revoked.
    pub fn min_version(&self, tenant: &str, subject: &str) -> u64 {
        self.staff_at(tenant, subject)
            .ok()
            .and_then(|at| self.staff.get(at))
            .map_or(0, |(_, b, _)| *b)
    }

    /// Whether snapshot `id` is revoked by id for any account (the app's
    /// list) or for `tenant` (a notice of that account).
    pub fn is_revoked_id(&self, tenant: &str, id: &[u8; 8]) -> bool {
        let id = u64::from_be_bytes(*id);
        self.id_at("", id).is_ok() || self.id_at(tenant, id).is_ok()
    }

    /// Number of individually revoked ids remembered.
    pub fn id_count(&self) -> usize {
        self.ids.len()
    }

    /// Number of per-person bounds remembered.
    pub fn staff_count(&self) -> usize {
        self.staff.len()
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
        let before = self.min_version(&claims.tenant, &claims.subject);
        if claims.version < before {
            return Err(Error::Revoked {
                detail: format!(
                    "staff member `{}` was edited or deactivated: snapshots before version {before} are revoked, this one has version {}",
                    claims.subject, claims.version
                ),
            });
        }
        if self.is_revoked_id(&claims.tenant, &claims.id) {
            return Err(Error::Revoked {
                detail: format!("snapshot `{}` was revoked", hex(&claims.id)),
            });
        }
        Ok(())
    }
}
