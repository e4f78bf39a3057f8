//! The decision on a read snapshot: which permissions take effect (the
//! least fixed point the reference's `Permissions::new` computes) and
//! which kinds are out of reach (`reachable_only`).

use super::catalog::{Catalog, NONE};
use super::snapshot::{Scope, Snapshot, NO_SCOPE};
use super::{bits, Refusal, Span, IDS_NOT_LOADED};

/// What a snapshot allows.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The effective permissions (a bitset over the catalog's).
    pub effective: Vec<u8>,
    /// The kinds out of reach: no scope, every field hidden.
    pub closed: Vec<u8>,
}

impl Decision {
    /// Decides on `s`, read against `c`.
    pub fn new(c: &Catalog, s: &Snapshot) -> Decision {
        let mut d = Decision {
            effective: Vec::new(),
            closed: out_of_reach(c, s),
        };
        loop {
            let mut added = false;
            for i in 0..c.perms().len() {
                if !bits::get(&d.effective, i) && d.takes_effect(c, s, i) {
                    bits::set(&mut d.effective, i);
                    added = true;
                }
            }
            if !added || !c.has_implications() {
                return d;
            }
        }
    }

    /// Whether nothing blocks permission `i`, given what is effective so
    /// far (the reference's `blocker` is `None`).
    fn takes_effect(&self, c: &Catalog, s: &Snapshot, i: usize) -> bool {
        let Some(p) = c.perms().get(i) else {
            return false;
        };
        let e = &self.effective;
        let held = |r: usize| s.granted(r) || bits::get(e, r);
        i < s.known()
            && (p.feature == NONE || s.feature(p.feature as usize))
            && (s.granted(i) || c.implied_by(i).any(|set| bits::contains_all(e, set)))
            && bits::all(p.requires.in_(c.bytes()), held)
            && (p.app == NONE || s.app(p.app as usize))
            && (p.kind == NONE
                || if p.scoped {
                    s.permission_scope(i) != 0
                } else {
                    self.scope(s, p.kind as usize).tag != 0
                })
    }

    /// Whether permission `i` takes effect.
    pub fn can(&self, i: usize) -> bool {
        bits::get(&self.effective, i)
    }

    /// The view scope on kind `k`.
    pub fn scope(&self, s: &Snapshot, k: usize) -> Scope {
        if bits::get(&self.closed, k) {
            NO_SCOPE
        } else {
            s.scope(k)
        }
    }

    /// The scope permission `i` acts with on the records of its kind (the
    /// reference's `permission_scope`): none unless it takes effect; a
    /// `scoped` permission's own (a variant without data), else its kind's
    /// view scope. `None` for a permission that acts on no kind.
    pub fn permission_scope(&self, c: &Catalog, s: &Snapshot, i: usize) -> Option<(usize, Scope)> {
        let p = c.perms().get(i).filter(|p| p.kind != NONE)?;
        let k = p.kind as usize;
        Some(if !self.can(i) {
            (k, NO_SCOPE)
        } else if p.scoped {
            let tag = s.permission_scope(i);
            (k, Scope { tag, ..NO_SCOPE })
        } else {
            (k, self.scope(s, k))
        })
    }

    /// The filter on kind `k`'s records with `scope` (the reference's
    /// `filter_with`): every record, or those whose field matches a
    /// clause, each clause a field of the catalog and whether its values
    /// are the scope's ids (else the subject). A `listed` scope is
    /// `ids_not_loaded`.
    pub fn filter(
        &self,
        c: &Catalog,
        k: usize,
        scope: Scope,
    ) -> Result<(bool, Vec<(Span, bool)>), Refusal> {
        let Some(def) = c.kind_def(k) else {
            return Ok((false, Vec::new()));
        };
        let own = c.owner_fields(def).iter().map(|f| (*f, false));
        Ok(match scope.tag {
            4 => (true, Vec::new()),
            1 => (false, own.collect()),
            2 => (false, own.chain(def.assignee.map(|a| (a, false))).collect()),
            3 => (
                false,
                core::iter::once((def.id_field, true)).chain(own).collect(),
            ),
            5 => return Err(IDS_NOT_LOADED),
            _ => (false, Vec::new()),
        })
    }

    /// Whether field `j` of kind `k` is hidden.
    pub fn hidden(&self, s: &Snapshot, k: usize, j: usize) -> bool {
        bits::get(&self.closed, k) || s.hidden(k, j)
    }
}

/// The kinds some permissions act on, all of them gated by a feature the
/// account lacks or an application the person may not enter.
fn out_of_reach(c: &Catalog, s: &Snapshot) -> Vec<u8> {
    // Per kind: 0 no permission acts on it, 1 only gated ones, 2 reached.
    let mut state = vec![0u8; c.kinds().len()];
    for p in c.perms() {
        if let Some(k) = state.get_mut(p.kind as usize) {
            let gated = (p.feature != NONE && !s.feature(p.feature as usize))
                || (p.app != NONE && !s.app(p.app as usize));
            *k = (*k).max(if gated { 1 } else { 2 });
        }
    }
    let mut closed = Vec::new();
    for (k, st) in state.iter().enumerate() {
        if *st == 1 {
            bits::set(&mut closed, k);
        }
    }
    closed
}
