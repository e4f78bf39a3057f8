//! Why a permission is or is not allowed: the reasons `explain` gives.

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

/// Why permission `i` is not effective, or `None` when it is.
pub(super) fn blocker(catalog: &Catalog, claims: &Claims, i: usize) -> Option<Reason> {
    if !claims.permissions.get(i) {
        return Some(match granting_role(claims, i) {
            Some(role) => Reason::RemovedForPerson {
                role: role.to_owned(),
            },
            None => Reason::NotGranted,
        });
    }
    if let Some(missing) = catalog
        .requires_of(i)
        .and_then(|req| req.iter().find(|r| !claims.permissions.get(*r)))
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
        if matches!(claims.scopes.get(k), None | Some(Scope::None)) {
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
                | Reason::NoScope { .. } => {}
            }
        }
        let listed: Vec<(&str, Option<&str>)> = all
            .iter()
            .map(|r| (r.code(), r.detail().map(|d| d.0)))
            .collect();
        assert_eq!(listed, Reason::CODES);
    }
}
