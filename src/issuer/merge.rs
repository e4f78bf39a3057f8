//! What one staff member gets: their roles merged, then their own
//! adjustments applied, then the product's rules (FORMAT.md, "Several
//! roles"). Every problem names the person and what they use; nothing else
//! is consulted, so a problem in one record or role never refuses anyone
//! else.
//!
//! Merge rules, for a person holding several roles:
//! - owner: any owner role (or the record's `owner`) makes the person an
//!   owner: every permission, application, and an `all` scope everywhere;
//! - permissions: the union of the roles', plus `grant`, minus `remove`;
//!   an unmet requirement is a warning, never a refusal;
//! - applications: the union of the roles', unless the record sets `apps`,
//!   plus those that follow their permissions;
//! - scope per kind: the widest of the roles' (`none` < `own` <
//!   `assigned` / `specific` < `all`; two `specific` lists join; `assigned`
//!   with `specific` is refused: the record must say), unless the record
//!   sets the kind (or `*`); then widened by the permissions' `gives_scopes`
//!   (a scope the record sets for the kind by name is never widened:
//!   refused; its `*` is);
//! - scope of a `scoped` permission: the record's, else the widest of the
//!   roles' that set one;
//! - hidden fields per kind: a field is hidden when every role that gives
//!   the person's (widest) scope on the kind hides it — a narrower role
//!   showing a field on its own records does not unhide it on everyone's —
//!   (with no role giving exactly that scope — a switch, the record or two
//!   joined `specific` lists made it —: any role seeing the kind that hides
//!   it; with none seeing it, any role), unless the record sets the kind;
//! - step-up: asked by any role or by the record (a safety demand is
//!   never dropped by holding another role), and the product's rule for
//!   shared accounts.
//!
//! The product's rules (`catalog.account`): roles per person, what a shared
//! account must or may never hold and the feature it needs.

use super::roles::{definition, CompiledRole};
use super::warning::Warning;
use super::Account;
use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::{policy_error, Catalog};
use crate::model::def::{RolesPerPerson, Scope, StaffRecord};
use crate::wire::{RoleGrant, MAX_ROLES};

/// What a person gets, before times, ids and the catalog binding.
#[derive(Debug, Clone)]
pub(crate) struct Grants {
    pub owner: bool,
    pub roles: Vec<RoleGrant>,
    pub permissions: Bits,
    pub step_up: Bits,
    pub scopes: Vec<Scope>,
    pub hidden: Vec<Bits>,
    pub apps: Bits,
    /// Scopes of the held `scoped` permissions, by index.
    pub permission_scopes: Vec<(u32, Scope)>,
    /// The account's features.
    pub features: Bits,
    /// What the record asks that has no effect.
    pub warnings: Vec<Warning>,
}

pub(crate) fn grants(catalog: &Catalog, account: &Account, s: &StaffRecord) -> Result<Grants> {
    let cdef = definition(catalog)?;
    let roles = account.roles();
    let at = format!("staff `{}`", s.id);
    if let Some(problem) = super::names::id_problem(&s.id) {
        return Err(policy_error(
            "staff",
            format!("the staff id {:?} {problem}", s.id),
        ));
    }
    // A row of another account (its `tenant`), on every path that reads a
    // person: issue, claims, review (attack review, session 16). Said as
    // "issued for account <asked>, not <the row's>".
    if let Some(tenant) = s.tenant.as_ref().filter(|t| **t != account.tenant) {
        return Err(Error::WrongTenant {
            expected: tenant.clone(),
            found: account.tenant.clone(),
        });
    }
    if !s.active {
        return Err(Error::Deactivated {
            staff: s.id.clone(),
        });
    }
    // Bounded first: the repeat check below is quadratic.
    if s.roles.len() > MAX_ROLES {
        return Err(policy_error(
            &at,
            format!("holds more than {MAX_ROLES} roles"),
        ));
    }
    let mut held: Vec<&CompiledRole> = Vec::with_capacity(s.roles.len());
    for id in &s.roles {
        if held.iter().any(|r| &r.def.id == id) {
            return Err(policy_error(&at, format!("holds role `{id}` twice")));
        }
        held.push(roles.get(&s.id, id)?);
    }
    let owner = s.owner || held.iter().any(|r| r.def.owner);
    let rules = &cdef.account;
    match rules.roles_per_person {
        RolesPerPerson::One if held.len() > 1 => {
            return Err(policy_error(
                &at,
                format!(
                    "holds {} roles; in this product a person holds one role",
                    held.len()
                ),
            ))
        }
        RolesPerPerson::None if !held.is_empty() => {
            return Err(policy_error(
                &at,
                "holds a role; this product sets access person by person (`grant`, `owner`)",
            ))
        }
        RolesPerPerson::None => {}
        _ if held.is_empty() && !owner => {
            return Err(policy_error(&at, "has no role and is not an owner"));
        }
        _ => {}
    }
    if s.principal && !owner {
        return Err(policy_error(&at, "is the principal admin but not an owner"));
    }
    // (An owner's settings are ignored and warned, below.)
    if let Some(role) = held.iter().find(|r| !r.def.adjustable && !owner) {
        if let Some(field) = adjustments(s).first() {
            return Err(policy_error(
                &at,
                format!(
                    "holds role `{}`, which takes no per-person settings in this product, and \
                     sets `{field}`: give the person another role instead",
                    role.def.id
                ),
            ));
        }
    }

    // Names in the record, checked whether or not they end up mattering.
    let granted = catalog.expand_patterns(cdef, &s.grant, &at)?;
    let mut removed = Bits::new();
    for r in &s.remove {
        removed.set(
            catalog.perm(r).map_err(|_| {
                policy_error(&at, format!("`remove` names unknown permission `{r}`"))
            })?,
        );
    }
    let mut own_apps = Bits::new();
    for a in s.apps.iter().flatten() {
        own_apps.set(
            catalog
                .app(a)
                .map_err(|_| policy_error(&at, format!("unknown application `{a}`")))?,
        );
    }
    catalog.check_scopes_and_fields(&s.scopes, &s.hidden_fields, &at)?;
    let mut step_up = Bits::new();
    for p in &s.step_up {
        step_up.set(
            catalog.perm(p).map_err(|_| {
                policy_error(&at, format!("`step_up` names unknown permission `{p}`"))
            })?,
        );
    }

    let mut permissions = if owner {
        // Every permission, the principal admin's own only to them.
        (0..catalog.permission_count())
            .filter(|i| s.principal || !catalog.is_principal_only(*i))
            .collect()
    } else {
        let mut p = Bits::new();
        for r in &held {
            p.union_with(&r.permissions);
        }
        p.union_with(&granted);
        for r in removed.iter() {
            p.clear(r);
        }
        p
    };
    permissions.trim();
    // What the person will hold once verifiers add implications: every
    // rule below is checked on it, not on the grants alone.
    let held_all = catalog.implication_closure(&permissions);
    if !owner {
        if let Some(r) = removed.iter().find(|r| held_all.get(*r)) {
            return Err(policy_error(
                &at,
                format!(
                    "removes `{}`, which the person still gets by holding the permissions that \
                     imply it: remove those too",
                    catalog.perm_name(r)
                ),
            ));
        }
    }
    if owner && !s.principal {
        if let Some(i) = granted.iter().find(|i| catalog.is_principal_only(*i)) {
            return Err(policy_error(
                &at,
                format!(
                    "is granted `{}`, which is the principal admin's alone",
                    catalog.perm_name(i)
                ),
            ));
        }
    }
    if !owner {
        if let Some(i) = permissions.iter().find(|i| catalog.is_owner_only(*i)) {
            return Err(Error::OwnerOnly {
                staff: s.id.clone(),
                permission: catalog.perm_name(i).into(),
            });
        }
    }
    if s.shared_account {
        let any = &rules.shared_account.must_hold_any;
        if !any.is_empty()
            && !any
                .iter()
                .any(|n| catalog.perm(n).is_ok_and(|i| held_all.get(i)))
        {
            return Err(policy_error(
                &at,
                format!(
                    "is a shared account and holds none of {}: a shared account of this product \
                     holds at least one",
                    any.join(", ")
                ),
            ));
        }
        let never = rules
            .shared_account
            .never
            .iter()
            .find(|n| catalog.perm(n).is_ok_and(|i| held_all.get(i)));
        if let Some(name) = never {
            return Err(policy_error(
                &at,
                format!(
                    "is a shared account and holds `{name}`, which a shared account may never hold"
                ),
            ));
        }
    }
    let own_permission_scopes = catalog.permission_scopes(&s.permission_scopes, &at)?;
    if let Some(e) = shared_feature_missing(catalog, account.features(), s) {
        return Err(e);
    }
    let mut features = Bits::new();
    for id in account.features() {
        features.set(catalog.feature(id)?);
    }
    // Switches (`gives_scopes`) and applications that follow their rights
    // act only through permissions that can take effect: their feature on,
    // their requirements held. A switch of a missing feature widens nothing.
    let acting: Bits = held_all
        .iter()
        .filter(|p| catalog.feature_of(*p).is_none_or(|f| features.get(f)))
        .filter(|p| {
            catalog
                .requires_of(*p)
                .is_none_or(|req| held_all.contains_all(req))
        })
        .collect();

    let mut apps = if owner {
        (0..catalog.app_count()).collect()
    } else if s.apps.is_some() {
        own_apps
    } else {
        let mut a = Bits::new();
        for r in &held {
            a.union_with(&r.apps);
        }
        a
    };
    // Applications entered by holding their permissions.
    for p in acting.iter() {
        if let Some(a) = catalog.app_of(p) {
            if cdef
                .applications
                .get(a)
                .is_some_and(|d| d.follows_permissions)
            {
                apps.set(a);
            }
        }
    }

    let mut scopes = Vec::with_capacity(catalog.kind_count());
    let mut hidden = Vec::with_capacity(catalog.kind_count());
    // The kinds each held role acts on for this person: those whose
    // records a permission it gives (with what that implies and requires)
    // needs a scope on, among the permissions the person acts with (a
    // `remove`, a missing feature, requirement or application take it
    // away).
    let acts_on: Vec<Vec<bool>> = held
        .iter()
        .map(|r| {
            let mut kinds = vec![false; cdef.kinds.len()];
            // Not through a `scoped` permission (it carries its own scope,
            // never the kind's), nor one of an application the person may
            // not enter (third review, session 17).
            let mut mark = |p: usize| {
                if catalog.is_scoped(p) {
                    return;
                }
                if let Some(k) = catalog.scope_kind_of(p).and_then(|k| kinds.get_mut(k)) {
                    *k = true;
                }
            };
            for p in catalog
                .implication_closure(&r.permissions)
                .iter()
                .filter(|p| acting.get(*p) && catalog.app_of(*p).is_none_or(|a| apps.get(a)))
            {
                mark(p);
                for q in catalog.requires_of(p).into_iter().flat_map(Bits::iter) {
                    mark(q);
                }
            }
            kinds
        })
        .collect();
    for (k, kind) in cdef.kinds.iter().enumerate() {
        if owner {
            scopes.push(Scope::All);
            hidden.push(Bits::new());
            continue;
        }
        // Each held role's scope on the kind. A kind a role names is its
        // own. Its `*` speaks for the kinds it acts on, and for the others
        // only while none of the person's roles names them: a payments
        // role written `"*": "all"` gave a clerk holding it too every
        // client, their hidden fields shown (attack review, session 17).
        let named = held.iter().any(|r| r.def.scopes.contains_key(&kind.name));
        let role_scopes: Vec<Scope> = held
            .iter()
            .zip(&acts_on)
            .map(|(r, a)| {
                if r.def.scopes.contains_key(&kind.name) || !named || a.get(k) == Some(&true) {
                    r.scope(&kind.name)
                } else {
                    Scope::None
                }
            })
            .collect();
        let own_scope = s.scopes.get(&kind.name).or_else(|| s.scopes.get("*"));
        let scope = match own_scope {
            Some(scope) => scope.clone(),
            None => widest(role_scopes.iter().cloned())
                .map_err(|(a, b)| policy_error(&at, format!(
                    "its roles give incomparable scopes on `{}` ({a} and {b}): set the person's own scope for it",
                    kind.name
                )))?,
        };
        // A permission that gives a scope (a "view all" switch) widens it.
        let given: Vec<(usize, Scope)> = acting
            .iter()
            .filter_map(|p| {
                cdef.permissions
                    .get(p)
                    .and_then(|d| d.gives_scopes.get(&kind.name))
                    .map(|s| (p, s.clone()))
            })
            .collect();
        // ... but never a scope the record set for this kind by name: that
        // narrowing was asked for, and dropping it without a word would
        // show them more than their admin chose. The record's `*` (its
        // view mode, "restricted") yields to a switch, as the products'
        // "view all loyalty cards, whatever the view" do.
        if s.scopes.contains_key(&kind.name) {
            if let Some((p, wider)) = given.iter().find(|(_, g)| {
                widest([scope.clone(), g.clone()].into_iter()).as_ref() != Ok(&scope)
            }) {
                return Err(policy_error(
                    &at,
                    format!(
                        "its own scope on `{}` is `{}`, but it holds `{}`, which gives `{}`: \
                         remove that permission or widen the person's scope",
                        kind.name,
                        scope.name(),
                        catalog.perm_name(*p),
                        wider.name()
                    ),
                ));
            }
        }
        let scope = widest(std::iter::once(scope.clone()).chain(given.into_iter().map(|(_, s)| s)))
            .map_err(|(a, b)| {
                policy_error(
                    &at,
                    format!(
                        "a permission gives `{b}` on `{}` where the person has `{a}`: set the \
                     person's own scope for it",
                        kind.name
                    ),
                )
            })?;
        let names: Vec<&String> = match s.hidden_fields.get(&kind.name) {
            Some(fields) => fields.iter().collect(),
            None => {
                // The roles that give the person's scope decide what of it
                // is visible: a narrower role showing a field on its own
                // records must not unhide it on everyone's.
                // When none gives it exactly (a switch, the record or two
                // joined lists made it), no role showed a field on all of
                // those records: a field hidden by any role that sees the
                // kind stays hidden (by any role, when none sees it; a role
                // that does not see the kind hides nothing of it otherwise).
                let mut deciders: Vec<&&CompiledRole> = held
                    .iter()
                    .zip(&role_scopes)
                    .filter(|(_, rs)| gives(rs, &scope))
                    .map(|(r, _)| r)
                    .collect();
                let every = !deciders.is_empty();
                if !every {
                    deciders = held
                        .iter()
                        .zip(&role_scopes)
                        .filter(|(_, rs)| **rs != Scope::None)
                        .map(|(r, _)| r)
                        .collect();
                    if deciders.is_empty() {
                        deciders = held.iter().collect();
                    }
                }
                let hides = |r: &CompiledRole, f: &String| {
                    r.def
                        .hidden_fields
                        .get(&kind.name)
                        .is_some_and(|h| h.contains(f))
                };
                kind.fields
                    .iter()
                    .map(|f| &f.name)
                    .filter(|f| {
                        if every {
                            deciders.iter().all(|r| hides(r, f))
                        } else {
                            deciders.iter().any(|r| hides(r, f))
                        }
                    })
                    .collect()
            }
        };
        let mut bits = Bits::new();
        for f in names {
            bits.set(catalog.field(k, f)?);
        }
        scopes.push(scope);
        hidden.push(bits);
    }

    let mut permission_scopes = Vec::new();
    for p in permissions.iter().filter(|p| catalog.is_scoped(*p)) {
        let scope = if owner {
            Scope::All
        } else if let Some((_, own)) = own_permission_scopes.iter().find(|(i, _)| *i == p) {
            own.clone()
        } else {
            widest(held.iter().filter_map(|r| {
                r.permission_scopes
                    .iter()
                    .find(|(i, _)| *i == p)
                    .map(|(_, s)| s.clone())
            }))
            .unwrap_or(Scope::None)
        };
        if scope != Scope::None {
            permission_scopes.push((u32::try_from(p).unwrap_or(u32::MAX), scope));
        }
    }

    let mut warnings = warnings(
        catalog,
        s,
        &Effects {
            owner,
            held: &held,
            granted: &granted,
            removed: &removed,
            own_step_up: &step_up,
            permissions: &permissions,
            apps: &apps,
            scopes: &scopes,
            permission_scopes: &permission_scopes,
            own_permission_scopes: &own_permission_scopes,
        },
    );
    if !owner {
        warnings.extend(feature_warnings(catalog, &features, &permissions, s));
    }
    for r in &held {
        step_up.union_with(&r.step_up);
    }
    // The product's rule for shared accounts (after the record's warnings:
    // the record did not ask for it).
    if s.shared_account {
        for name in &rules.shared_account.step_up {
            if let Ok(i) = catalog.perm(name) {
                step_up.set(i);
            }
        }
    }
    // What the person holds only through actions behind a PIN is behind it
    // too: `refunds.partial` implied by `refunds.make` (PIN) was done with
    // none (attack review, session 17).
    let free =
        catalog.implication_closure(&permissions.iter().filter(|i| !step_up.get(*i)).collect());
    for q in held_all.iter().filter(|q| !free.get(*q)) {
        step_up.set(q);
    }
    // Kept for implied permissions too: an action behind a PIN stays behind
    // it however the person comes to hold it.
    let step_up: Bits = step_up.iter().filter(|i| held_all.get(*i)).collect();

    let roles = held
        .iter()
        .map(|r| RoleGrant {
            id: r.def.id.clone(),
            permissions: r.permissions.clone(),
        })
        .collect();
    Ok(Grants {
        owner,
        roles,
        permissions,
        step_up,
        scopes,
        hidden,
        apps,
        permission_scopes,
        features,
        warnings,
    })
}

/// The per-person settings a record makes, by field name.
fn adjustments(s: &StaffRecord) -> Vec<&'static str> {
    [
        ("grant", !s.grant.is_empty()),
        ("remove", !s.remove.is_empty()),
        ("scopes", !s.scopes.is_empty()),
        ("hidden_fields", !s.hidden_fields.is_empty()),
        ("apps", s.apps.is_some()),
        ("step_up", !s.step_up.is_empty()),
        ("permission_scopes", !s.permission_scopes.is_empty()),
    ]
    .into_iter()
    .filter_map(|(field, set)| set.then_some(field))
    .collect()
}

/// A granted permission of a feature the account lacks has no effect.
fn feature_warnings(
    catalog: &Catalog,
    features: &Bits,
    permissions: &Bits,
    s: &StaffRecord,
) -> Vec<Warning> {
    permissions
        .iter()
        .filter_map(|p| {
            let f = catalog.feature_of(p).filter(|f| !features.get(*f))?;
            Some(Warning {
                code: "feature_not_enabled",
                staff: s.id.clone(),
                field: "grant",
                detail: format!(
                    "gives `{}`, of feature `{}`, which the account does not have: it has no \
                     effect",
                    catalog.perm_name(p),
                    catalog.feature_id(f)
                ),
            })
        })
        .collect()
}

/// What a person ends up with, to compare the record against.
struct Effects<'a> {
    owner: bool,
    held: &'a [&'a CompiledRole],
    granted: &'a Bits,
    removed: &'a Bits,
    own_step_up: &'a Bits,
    permissions: &'a Bits,
    apps: &'a Bits,
    scopes: &'a [Scope],
    permission_scopes: &'a [(u32, Scope)],
    own_permission_scopes: &'a [(usize, Scope)],
}

/// Every adjustment of the record `s` that has no effect (class A of the
/// seed-fidelity review: nothing is dropped silently).
fn warnings(catalog: &Catalog, s: &StaffRecord, e: &Effects<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |code: &'static str, field: &'static str, detail: String| {
        out.push(Warning {
            code,
            staff: s.id.clone(),
            field,
            detail,
        })
    };
    let name = |i: usize| catalog.perm_name(i).to_owned();
    if e.owner {
        // A step-up on an owner still applies (a shared owner account).
        for field in adjustments(s).into_iter().filter(|f| *f != "step_up") {
            warn(
                "ignored_for_owner",
                field,
                "is ignored: an owner holds every permission, application and record".into(),
            );
        }
    } else {
        let mut from_roles = Bits::new();
        for r in e.held {
            from_roles.union_with(&r.permissions);
        }
        for r in e.removed.iter() {
            if e.granted.get(r) {
                warn(
                    "grant_and_remove",
                    "remove",
                    format!(
                        "names `{}`, which `grant` also names: it is removed",
                        name(r)
                    ),
                );
            } else if !from_roles.get(r) {
                warn(
                    "remove_not_held",
                    "remove",
                    format!(
                        "names `{}`, which none of the person's roles grants",
                        name(r)
                    ),
                );
            }
        }
        for p in e.permissions.iter() {
            if let Some(a) = catalog.app_of(p) {
                if !e.apps.get(a) {
                    warn(
                        "grant_without_app",
                        "apps",
                        format!(
                            "leaves out application `{}`, so `{}` has no effect",
                            catalog.app_id(a),
                            name(p)
                        ),
                    );
                }
            }
            if let Some(k) = catalog.scope_kind_of(p) {
                let kind = catalog.kind_def(k).map_or("", |d| d.name.as_str());
                if catalog.is_scoped(p) {
                    if !e.permission_scopes.iter().any(|(i, _)| *i as usize == p) {
                        warn(
                            "grant_without_scope",
                            "permission_scopes",
                            format!(
                                "gives `{}` no scope (`own`, `assigned` or `all` of `{kind}`), \
                                 so it has no effect",
                                name(p)
                            ),
                        );
                    }
                } else if matches!(e.scopes.get(k), None | Some(Scope::None)) {
                    warn(
                        "grant_without_scope",
                        "scopes",
                        format!(
                            "gives no `{kind}` record, so `{}` (which acts on them) has no effect",
                            name(p)
                        ),
                    );
                }
            }
        }
        for (p, r) in catalog.missing_requirements(e.permissions) {
            // Named by what caused it: the record's `remove` of the
            // requirement, its `grant` of the permission, else its roles
            // (it blamed `grant` on a record without one: attack review,
            // session 17).
            let givers: Vec<String> = e
                .held
                .iter()
                .filter(|h| h.permissions.get(p))
                .map(|h| format!("`{}`", h.def.id))
                .collect();
            let (field, verb, by) = if e.removed.get(r) {
                ("remove", "leaves", String::new())
            } else if e.granted.get(p) || givers.is_empty() {
                ("grant", "leaves", String::new())
            } else {
                (
                    "roles",
                    "leave",
                    format!(" (given by role {})", givers.join(", ")),
                )
            };
            warn(
                "requirement_not_held",
                field,
                format!(
                    "{verb} `{}`{by} without `{}`, which it requires, so it has no effect",
                    name(p),
                    name(r)
                ),
            );
        }
        for kind in s.hidden_fields.keys() {
            let none = catalog
                .kind(kind)
                .ok()
                .is_some_and(|k| matches!(e.scopes.get(k), None | Some(Scope::None)));
            if none {
                warn(
                    "hidden_without_scope",
                    "hidden_fields",
                    format!("hides fields of `{kind}`, of which the person sees no record"),
                );
            }
        }
    }
    for (p, _) in e.own_permission_scopes {
        if !e.permissions.get(*p) {
            warn(
                "scope_not_held",
                "permission_scopes",
                format!("names `{}`, which the person does not hold", name(*p)),
            );
        }
    }
    for p in e.own_step_up.iter() {
        if !e.permissions.get(p) {
            warn(
                "step_up_not_held",
                "step_up",
                format!("names `{}`, which the person does not hold", name(p)),
            );
        }
    }
    out
}

/// How wide a scope is: `none` 0, `own` 1, `assigned` / `specific` 2, `all` 3.
fn scope_rank(s: &Scope) -> u8 {
    match s {
        Scope::None => 0,
        Scope::Own => 1,
        Scope::Assigned | Scope::Specific(_) | Scope::Listed(_) => 2,
        Scope::All => 3,
    }
}

/// Whether a role's scope `role` gives the person's whole scope `person`
/// on a kind: the same scope, or for `specific` a list holding every id of
/// the person's (two roles' lists join: each role decides only on its own
/// ids, so neither alone decides the joined list). `none` gives nothing.
fn gives(role: &Scope, person: &Scope) -> bool {
    match (role, person) {
        // Sorted and searched: a role's list of 60,000 ids took 7 s per
        // issue (attack review, session 17).
        (Scope::Specific(r), Scope::Specific(p)) => {
            let mut r: Vec<&str> = r.iter().map(String::as_str).collect();
            crate::sort::sort_by(&mut r, |a, b| a < b);
            p.iter().all(|id| r.binary_search(&id.as_str()).is_ok())
        }
        (Scope::None, _) => false,
        (r, p) => r == p,
    }
}

/// The widest of several scopes, or the first incomparable pair.
fn widest(
    scopes: impl Iterator<Item = Scope>,
) -> std::result::Result<Scope, (&'static str, &'static str)> {
    widest_of(scopes.collect())
}

/// `widest`, one copy for every caller (generic, it was one per iterator
/// type: 3 KB of wasm each).
fn widest_of(scopes: Vec<Scope>) -> std::result::Result<Scope, (&'static str, &'static str)> {
    let rank = scope_rank;
    if scopes.contains(&Scope::All) {
        return Ok(Scope::All);
    }
    let mut out = Scope::None;
    for s in scopes {
        out = match (out, s) {
            (Scope::Specific(a), Scope::Specific(b)) => Scope::Specific(joined(a, b)),
            (a, b) if rank(&a) == 2 && rank(&b) == 2 && a.name() != b.name() => {
                return Err((a.name(), b.name()))
            }
            (a, b) => {
                if rank(&b) > rank(&a) {
                    b
                } else {
                    a
                }
            }
        };
    }
    Ok(out)
}

/// Two lists of ids as one, each id once, in the order first met: sorted
/// to find repeats (a scan per id was quadratic: 60,000 ids in a role took
/// 7 s per issue; attack review, session 17).
fn joined(a: Vec<String>, b: Vec<String>) -> Vec<String> {
    let all: Vec<String> = a.into_iter().chain(b).collect();
    let mut keys: Vec<(&str, usize)> = all.iter().map(String::as_str).zip(0..).collect();
    crate::sort::sort_by(&mut keys, |a, b| a < b);
    let mut keep = vec![true; all.len()];
    for pair in keys.windows(2) {
        if let [(x, _), (y, later)] = pair {
            if x == y {
                if let Some(k) = keep.get_mut(*later) {
                    *k = false;
                }
            }
        }
    }
    all.into_iter()
        .zip(keep)
        .filter_map(|(id, k)| k.then_some(id))
        .collect()
}

/// A shared account in an account without the feature shared accounts
/// need (`account.shared_account.feature`): that person's refusal.
fn shared_feature_missing(
    catalog: &Catalog,
    features: &[String],
    s: &StaffRecord,
) -> Option<Error> {
    let feature = catalog.def()?.account.shared_account.feature.as_ref()?;
    (s.shared_account && !features.contains(feature)).then(|| {
        policy_error(
            format!("staff `{}`", s.id),
            format!(
                "is a shared account, and the account does not have feature `{feature}` that \
                 shared accounts need"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widest_scope_joins_and_refuses_incomparable_ones() {
        let s = |v: &[&str]| Scope::Specific(v.iter().map(|x| x.to_string()).collect());
        assert_eq!(
            widest([Scope::Own, Scope::None].into_iter()),
            Ok(Scope::Own)
        );
        assert_eq!(widest([Scope::Own, Scope::All].into_iter()), Ok(Scope::All));
        assert_eq!(
            widest([s(&["a"]), Scope::Own, s(&["b", "a"])].into_iter()),
            Ok(s(&["a", "b"]))
        );
        assert_eq!(
            widest([Scope::Assigned, s(&["a"])].into_iter()),
            Err(("assigned", "specific"))
        );
        assert_eq!(
            widest([Scope::Assigned, s(&["a"]), Scope::All].into_iter()),
            Ok(Scope::All)
        );
        assert_eq!(widest(std::iter::empty()), Ok(Scope::None));
    }
}
