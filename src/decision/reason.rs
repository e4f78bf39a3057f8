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

    /// Each reason's sentence for people, in [`Reason::CODES`]' order:
    /// `{}` stands for its detail (for `implied`, the permissions that give
    /// it joined with "` and `"). The one source of the sentences other
    /// languages print (the browser entry's, generated into codes.ts).
    pub const SENTENCES: &'static [&'static str] = &[
        "granted: the person is an owner of the account",
        "granted by role `{}`",
        "granted to this person on top of their roles",
        "not granted by the person's roles nor to this person",
        "role `{}` grants it, but it was removed for this person",
        "granted, but it requires `{}`, which is not granted",
        "granted, but the person may not enter application `{}`",
        "granted, but the person has no access to any `{}` record",
        "given by holding `{}`",
        "the account does not have feature `{}`",
    ];

    /// A sentence for people.
    pub fn describe(&self) -> String {
        let code = self.code();
        let at = Self::CODES.iter().position(|(c, _)| *c == code);
        let sentence = at.and_then(|i| Self::SENTENCES.get(i)).copied();
        let sentence = sentence.unwrap_or_default();
        // The detail in the place of `{}` (split at a char: a string
        // pattern's searcher costs the browser build kilobytes).
        let Some((before, after)) = sentence.split_once('{') else {
            return sentence.to_owned();
        };
        let detail = match self {
            Reason::Implied { by } => by.replace('+', "` and `"),
            _ => self.detail().map_or("", |(_, d)| d).to_owned(),
        };
        let after = after.strip_prefix('}').unwrap_or(after);
        format!("{before}{detail}{after}")
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
        // One sentence per reason, with a place for its detail exactly
        // when it has one.
        assert_eq!(Reason::SENTENCES.len(), Reason::CODES.len());
        for ((code, detail), sentence) in Reason::CODES.iter().zip(Reason::SENTENCES) {
            let places = sentence.matches("{}").count();
            assert_eq!(places, usize::from(detail.is_some()), "{code}");
        }
    }

    #[test]
    fn sentences_name_the_detail() {
        let role = Reason::GrantedByRole {
            role: "front-desk".into(),
        };
        assert_eq!(role.describe(), "granted by role `front-desk`");
        let by = Reason::Implied {
            by: "payments.view+payments.refund".into(),
        };
        assert_eq!(
            by.describe(),
            "given by holding `payments.view` and `payments.refund`"
        );
        assert_eq!(
            Reason::NotGranted.describe(),
            "not granted by the person's roles nor to this person"
        );
    }
}
