//! The decision on a read snapshot: which permissions take effect (the
//! least fixed point the reference's `Permissions::new` computes), which
//! kinds are out of reach (`reachable_only`), and why a permission takes
//! effect or not (the reference's `explain`).

use super::catalog::{Catalog, NONE};
use super::snapshot::{Scope, Snapshot, NO_SCOPE};
use super::{bits, reason, Refusal, Span, IDS_NOT_LOADED};
use crate::wire::FLAG_OWNER;

/// Why a permission takes effect or not (the reference's `Reason`): the
/// reason's index in [`crate::decision::Reason::CODES`] and what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Why {
    /// The reason's index in `Reason::CODES`.
    pub reason: u8,
    /// What it names.
    pub detail: Detail,
}

/// What a reason names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Nothing.
    None,
    /// A name in the catalog's bytes: a permission, application, kind or
    /// feature.
    Name(Span),
    /// A role's id, in the snapshot's bytes.
    Role(Span),
    /// The permissions that give it (`implied`): a bitset in the catalog's
    /// bytes (empty when none does).
    Set(Span),
}

const OWNER: u8 = reason("owner");
const GRANTED_BY_ROLE: u8 = reason("granted_by_role");
const GRANTED_TO_PERSON: u8 = reason("granted_to_person");
const NOT_GRANTED: u8 = reason("not_granted");
const REMOVED_FOR_PERSON: u8 = reason("removed_for_person");
const MISSING_REQUIREMENT: u8 = reason("missing_requirement");
const APP_NOT_ALLOWED: u8 = reason("app_not_allowed");
const NO_SCOPE_ON: u8 = reason("no_scope");
const IMPLIED: u8 = reason("implied");
const FEATURE_NOT_ENABLED: u8 = reason("feature_not_enabled");

impl Why {
    fn of(reason: u8, detail: Detail) -> Why {
        Why { reason, detail }
    }
}

/// Name `i` of `names`, as a detail.
fn name(names: &[Span], i: usize) -> Detail {
    Detail::Name(names.get(i).copied().unwrap_or_default())
}

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
    /// far.
    fn takes_effect(&self, c: &Catalog, s: &Snapshot, i: usize) -> bool {
        self.blocker(c, s, i).is_none()
    }

    /// Why permission `i` does not take effect given what is effective so
    /// far, or `None` when nothing blocks it (the reference's `blocker`,
    /// its checks in its order).
    fn blocker(&self, c: &Catalog, s: &Snapshot, i: usize) -> Option<Why> {
        let not_granted = Some(Why::of(NOT_GRANTED, Detail::None));
        let Some(p) = c.perms().get(i) else {
            return not_granted;
        };
        // A permission the snapshot's revision did not have yet.
        if i >= s.known() {
            return not_granted;
        }
        let e = &self.effective;
        if p.feature != NONE && !s.feature(p.feature as usize) {
            let feature = name(c.features(), p.feature as usize);
            return Some(Why::of(FEATURE_NOT_ENABLED, feature));
        }
        if !s.granted(i) && !c.implied_by(i).any(|set| bits::contains_all(e, set)) {
            return match s.granting_role(i) {
                Some(role) => Some(Why::of(REMOVED_FOR_PERSON, Detail::Role(role))),
                None => not_granted,
            };
        }
        // A requirement is met by a grant, or by an implied permission.
        let held = |r: usize| s.granted(r) || bits::get(e, r);
        if let Some(r) = bits::members(p.requires.in_(c.bytes())).find(|r| !held(*r)) {
            let requires = c.perms().get(r).map(|q| q.name).unwrap_or_default();
            return Some(Why::of(MISSING_REQUIREMENT, Detail::Name(requires)));
        }
        if p.app != NONE && !s.app(p.app as usize) {
            return Some(Why::of(APP_NOT_ALLOWED, name(c.apps(), p.app as usize)));
        }
        if p.kind == NONE {
            return None;
        }
        let none = if p.scoped {
            s.permission_scope(i) == 0
        } else {
            self.scope(s, p.kind as usize).tag == 0
        };
        none.then(|| Why::of(NO_SCOPE_ON, name(c.kinds(), p.kind as usize)))
    }

    /// Why permission `i` takes effect or not (the reference's `explain`).
    pub fn why(&self, c: &Catalog, s: &Snapshot, i: usize) -> Why {
        if let Some(blocked) = self.blocker(c, s, i) {
            return blocked;
        }
        if s.flags & FLAG_OWNER != 0 {
            return Why::of(OWNER, Detail::None);
        }
        if !s.granted(i) {
            let e = &self.effective;
            let mut sets = c.sets_of(i).iter().copied();
            let set = sets.find(|set| bits::contains_all(e, set.in_(c.bytes())));
            return Why::of(IMPLIED, Detail::Set(set.unwrap_or_default()));
        }
        match s.granting_role(i) {
            Some(role) => Why::of(GRANTED_BY_ROLE, Detail::Role(role)),
            None => Why::of(GRANTED_TO_PERSON, Detail::None),
        }
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
