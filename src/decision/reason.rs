//! Why a permission is or is not allowed: the reasons `explain` gives.

use crate::model::bits::Bits;
use crate::model::catalog::Catalog;
use crate::model::def::Scope;
use crate::wire::Claims;
use serde::Serialize;

/// Why a permission is or is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The person is an owner of the account.
    Owner,
    /// Granted by one of the person's roles.
    GrantedByRole {
        /// Role id.
        role: String,
    },
    /// Added for this person on top of the role.
    GrantedToPerson,
    /// Not granted by the roles nor to the person.
    NotGranted,
    /// A role grants it, but it was removed for this person.
    RemovedForPerson {
        /// Role id.
        role: String,
    },
    /// Granted, but a permission it requires is not.
    MissingRequirement {
        /// The missing permission.
        requires: String,
    },
    /// Granted, but the person may not enter the application it lives in.
    AppNotAllowed {
        /// Application id.
        app: String,
    },
    /// Granted, but the person's scope on the records it acts on is `none`.
    NoScope {
        /// Kind name.
        kind: String,
    },
    /// Not granted as such, but the person holds every permission of a set
    /// that gives it.
    Implied {
        /// The permissions that give it, joined with `+`.
        by: String,
    },
    /// The account does not have the feature the permission belongs to.
    FeatureNotEnabled {
        /// Feature id.
        feature: String,
    },
}

impl Reason {
    /// Every reason code with the key of its one detail, if any: the one
    /// source of the reasons other languages list.
    pub const CODES: &'static [(&'static str, Option<&'static str>)] = &[
        ("owner", None),
        ("granted_by_role", Some("role")),
        ("granted_to_person", None),
        ("not_granted", None),
        ("removed_for_person", Some("role")),
        ("missing_requirement", Some("requires")),
        ("app_not_allowed", Some("app")),
        ("no_scope", Some("kind")),
        ("implied", Some("by")),
        ("feature_not_enabled", Some("feature")),
    ];

    /// The stable code (`owner`, `granted_by_role`, ...), as serialized.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Owner => "owner",
            Reason::GrantedByRole { .. } => "granted_by_role",
            Reason::GrantedToPerson => "granted_to_person",
            Reason::NotGranted => "not_granted",
            Reason::RemovedForPerson { .. } => "removed_for_person",
            Reason::MissingRequirement { .. } => "missing_requirement",
            Reason::AppNotAllowed { .. } => "app_not_allowed",
            Reason::NoScope { .. } => "no_scope",
            Reason::Implied { .. } => "implied",
            Reason::FeatureNotEnabled { .. } => "feature_not_enabled",
        }
    }

    /// The reason's one detail, as `(key, value)`: the role, requirement,
    /// application or kind it names.
    pub fn detail(&self) -> Option<(&'static str, &str)> {
        match self {
            Reason::GrantedByRole { role } | Reason::RemovedForPerson { role } => {
                Some(("role", role))
            }
            Reason::MissingRequirement { requires } => Some(("requires", requires)),
            Reason::AppNotAllowed { app } => Some(("app", app)),
            Reason::NoScope { kind } => Some(("kind", kind)),
            Reason::Implied { by } => Some(("by", by)),
            Reason::FeatureNotEnabled { feature } => Some(("feature", feature)),
            Reason::Owner | Reason::GrantedToPerson | Reason::NotGranted => None,
        }
    }

    /// A sentence for people.
    pub fn describe(&self) -> String {
        match self {
            Reason::Owner => "granted: the person is an owner of the account".into(),
            Reason::GrantedByRole { role } => format!("granted by role `{role}`"),
            Reason::GrantedToPerson => "granted to this person on top of their roles".into(),
            Reason::NotGranted => "not granted by the person's roles nor to this person".into(),
            Reason::RemovedForPerson { role } => {
                format!("role `{role}` grants it, but it was removed for this person")
            }
            Reason::MissingRequirement { requires } => {
                format!("granted, but it requires `{requires}`, which is not granted")
            }
            Reason::AppNotAllowed { app } => {
                format!("granted, but the person may not enter application `{app}`")
            }
            Reason::NoScope { kind } => {
                format!("granted, but the person has no access to any `{kind}` record")
            }
            Reason::Implied { by } => {
                format!("given by holding `{}`", by.replace('+', "` and `"))
            }
            Reason::FeatureNotEnabled { feature } => {
                format!("the account does not have feature `{feature}`")
            }
        }
    }
}

/// The answer of [`crate::Permissions::explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The permission asked about.
    pub permission: String,
    /// Whether `can` answers yes.
    pub allowed: bool,
    /// Why.
    pub reason: Reason,
    /// The action needs the acting person's PIN first (shared accounts).
    pub step_up: bool,
    /// `reason` as a sentence.
    pub message: String,
}

/// The first of the person's roles that grants permission `i`.
pub(super) fn granting_role(claims: &Claims, i: usize) -> Option<&str> {
    claims
        .roles
        .iter()
        .find(|r| r.permissions.get(i))
        .map(|r| r.id.as_str())
}

/// The first set of permissions, all effective, that implies permission `i`.
pub(super) fn implying_set<'a>(
    catalog: &'a Catalog,
    effective: &Bits,
    i: usize,
) -> Option<&'a Bits> {
    catalog
        .implied_by(i)
        .iter()
        .find(|set| effective.contains_all(set))
}

/// Why permission `i` is not effective, or `None` when it is, given the
/// permissions known to be effective so far (`effective`: implications
/// and requirements met by implied permissions read it).
pub(super) fn blocker(
    catalog: &Catalog,
    claims: &Claims,
    effective: &Bits,
    i: usize,
) -> Option<Reason> {
    // A permission the snapshot's catalog revision did not have yet: its
    // issuer never applied a step-up, `never` or `remove` to it, so no
    // implication of older permissions grants it (attack review, session
    // 15: a revision 2 permission `implied_by` a revision 1 one was
    // granted to revision 1 and format 1 snapshots).
    if i >= known_permissions(catalog, claims) {
        return Some(Reason::NotGranted);
    }
    if let Some(f) = catalog.feature_of(i) {
        if !claims.features.get(f) {
            return Some(Reason::FeatureNotEnabled {
                feature: catalog.feature_id(f).to_owned(),
            });
        }
    }
    if !claims.permissions.get(i) && implying_set(catalog, effective, i).is_none() {
        return Some(match granting_role(claims, i) {
            Some(role) => Reason::RemovedForPerson {
                role: role.to_owned(),
            },
            None => Reason::NotGranted,
        });
    }
    // A requirement is met by a grant, or by an implied permission.
    let held = |r: usize| claims.permissions.get(r) || effective.get(r);
    if let Some(missing) = catalog
        .requires_of(i)
        .and_then(|req| req.iter().find(|r| !held(*r)))
    {
        return Some(Reason::MissingRequirement {
            requires: catalog.perm_name(missing).to_owned(),
        });
    }
    if let Some(app) = catalog.app_of(i) {
        if !claims.apps.get(app) {
            return Some(Reason::AppNotAllowed {
                app: catalog.app_id(app).to_owned(),
            });
        }
    }
    if let Some(k) = catalog.scope_kind_of(i) {
        let none = if catalog.is_scoped(i) {
            permission_scope(claims, i).is_none()
        } else {
            matches!(claims.scopes.get(k), None | Some(Scope::None))
        };
        if none {
            return Some(Reason::NoScope {
                kind: catalog
                    .kind_def(k)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
            });
        }
    }
    None
}

/// How many of the catalog's permissions the snapshot's revision had
/// (FORMAT.md, "Catalog revisions"); all of them for a snapshot of the
/// latest revision, or of the next one (read truncated to this catalog).
pub(super) fn known_permissions(catalog: &Catalog, claims: &Claims) -> usize {
    catalog
        .revisions()
        .iter()
        .find(|r| r.number == claims.revision && r.fingerprint == claims.catalog)
        .map_or(catalog.permission_count(), |r| r.permissions)
}

/// The scope a `scoped` permission carries in the claims, if any.
pub(super) fn permission_scope(claims: &Claims, i: usize) -> Option<&Scope> {
    let i = u32::try_from(i).ok()?;
    claims
        .permission_scopes
        .binary_search_by_key(&i, |(p, _)| *p)
        .ok()
        .and_then(|at| claims.permission_scopes.get(at))
        .map(|(_, s)| s)
}

#[cfg(test)]
mod reason_tests {
    use super::Reason;

    #[test]
    fn codes_list_every_reason_with_its_detail() {
        let s = String::new;
        let all = [
            Reason::Owner,
            Reason::GrantedByRole { role: s() },
            Reason::GrantedToPerson,
            Reason::NotGranted,
            Reason::RemovedForPerson { role: s() },
            Reason::MissingRequirement { requires: s() },
            Reason::AppNotAllowed { app: s() },
            Reason::NoScope { kind: s() },
            Reason::Implied { by: s() },
            Reason::FeatureNotEnabled { feature: s() },
        ];
        for r in &all {
            match r {
                Reason::Owner
                | Reason::GrantedByRole { .. }
                | Reason::GrantedToPerson
                | Reason::NotGranted
                | Reason::RemovedForPerson { .. }
                | Reason::MissingRequirement { .. }
                | Reason::AppNotAllowed { .. }
                | Reason::NoScope { .. }
                | Reason::Implied { .. }
                | Reason::FeatureNotEnabled { .. } => {}
            }
        }
        let listed: Vec<(&str, Option<&str>)> = all
            .iter()
            .map(|r| (r.code(), r.detail().map(|d| d.0)))
            .collect();
        assert_eq!(listed, Reason::CODES);
    }
}
