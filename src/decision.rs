//! Decisions on a verified snapshot: `can`, `explain`, scopes, hidden
//! fields, applications, step-up, and record filters and redactions as plain
//! descriptions that any runtime can apply.

use crate::error::{Error, Result};
use crate::format::{Claims, FLAG_OWNER, FLAG_PRINCIPAL, FLAG_SHARED};
use crate::model::bits::Bits;
use crate::model::catalog::Catalog;
use crate::model::def::{Redact, Scope};
use serde::Serialize;
use std::sync::Arc;

/// What a verified snapshot allows. Built only by [`crate::Verifier`].
#[derive(Debug, Clone)]
pub struct Permissions {
    catalog: Arc<Catalog>,
    claims: Arc<Claims>,
    /// Granted, with every requirement, application and scope condition met.
    effective: Arc<Bits>,
}

/// Why a permission is or is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The person is an owner of the account.
    Owner,
    /// Granted by the person's role.
    GrantedByRole {
        /// Role id.
        role: String,
    },
    /// Added for this person on top of the role.
    GrantedToPerson,
    /// Not granted by the role nor to the person.
    NotGranted,
    /// The role grants it, but it was removed for this person.
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
            Reason::GrantedToPerson => "granted to this person on top of their role".into(),
            Reason::NotGranted => "not granted by the role nor to this person".into(),
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

/// The answer of [`Permissions::explain`].
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

/// Which records of a kind a person may see, as data: a record is kept when
/// `all` is true, or when any clause matches it. A clause matches when the
/// record's `field` is a string (or number, compared in decimal) among
/// `values`, or an array holding such an element. No clause and `all` false:
/// nothing is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordFilter {
    /// Kind name.
    pub kind: String,
    /// The scope it derives from: `none`, `own`, `assigned`, `specific`, `all`.
    pub scope: &'static str,
    /// Every record is kept.
    pub all: bool,
    /// Otherwise: records matching any clause are kept.
    pub clauses: Vec<Clause>,
}

/// One `field ∈ values` condition of a [`RecordFilter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// Field name.
    pub field: String,
    /// Accepted values.
    pub values: Vec<String>,
}

/// Something with named fields that a [`RecordFilter`] can test.
pub trait Record {
    /// Whether `pred` holds for the value of `field` (a string or number), or
    /// for any string or number element when the value is an array.
    fn any_value(&self, field: &str, pred: &mut dyn FnMut(&str) -> bool) -> bool;
}

impl RecordFilter {
    /// The one reference implementation of the filter semantics.
    pub fn matches(&self, record: &dyn Record) -> bool {
        self.all
            || self
                .clauses
                .iter()
                .any(|c| record.any_value(&c.field, &mut |v| c.values.iter().any(|w| w == v)))
    }
}

#[cfg(feature = "std-json")]
impl Record for serde_json::Value {
    fn any_value(&self, field: &str, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        fn one(v: &serde_json::Value, pred: &mut dyn FnMut(&str) -> bool) -> bool {
            match v {
                serde_json::Value::String(s) => pred(s),
                serde_json::Value::Number(n) => pred(&n.to_string()),
                _ => false,
            }
        }
        match self.get(field) {
            Some(serde_json::Value::Array(items)) => items.iter().any(|v| one(v, pred)),
            Some(v) => one(v, pred),
            None => false,
        }
    }
}

/// How to redact records of a kind: fields to remove, fields to mask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    /// Kind name.
    pub kind: String,
    /// Fields removed from each record.
    pub remove: Vec<String>,
    /// Fields whose value is replaced by a mask.
    pub mask: Vec<Mask>,
}

/// A masked field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mask {
    /// Field name.
    pub field: String,
    /// Replacement text.
    pub with: String,
}

/// A readable view of verified claims, names resolved (for inspectors and
/// `permsnap verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Account id.
    pub tenant: String,
    /// Staff id.
    pub subject: String,
    /// Seconds since the Unix epoch.
    pub issued_at: u64,
    /// Seconds since the Unix epoch.
    pub not_before: u64,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
    /// Snapshot id, hex.
    pub id: String,
    /// Revocation epoch.
    pub epoch: u32,
    /// Catalog fingerprint, hex.
    pub catalog: String,
    /// Role id.
    pub role: Option<String>,
    /// Owner of the account.
    pub owner: bool,
    /// Principal admin.
    pub principal: bool,
    /// Shared front-desk account.
    pub shared_account: bool,
    /// Allowed permissions.
    pub allowed: Vec<String>,
    /// Permissions needing a PIN step-up.
    pub step_up: Vec<String>,
    /// Scope per kind.
    pub scopes: std::collections::BTreeMap<String, Scope>,
    /// Hidden fields per kind (kinds with none left out).
    pub hidden_fields: std::collections::BTreeMap<String, Vec<String>>,
    /// Applications.
    pub apps: Vec<String>,
}

impl Permissions {
    /// Everything the snapshot says, names resolved.
    pub fn summary(&self) -> Summary {
        let own = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
        let kinds = &self.catalog.tables().kinds;
        Summary {
            tenant: self.claims.tenant.clone(),
            subject: self.claims.subject.clone(),
            issued_at: self.claims.issued_at,
            not_before: self.claims.not_before,
            expires_at: self.claims.expires_at,
            id: crate::error::hex(&self.claims.id),
            epoch: self.claims.epoch,
            catalog: crate::error::hex(&self.claims.catalog),
            role: self.role().map(str::to_owned),
            owner: self.is_owner(),
            principal: self.is_principal(),
            shared_account: self.is_shared_account(),
            allowed: own(self.allowed()),
            step_up: own(self.step_up_actions()),
            scopes: kinds
                .iter()
                .zip(&self.claims.scopes)
                .map(|(k, s)| (k.name.clone(), s.clone()))
                .collect(),
            hidden_fields: kinds
                .iter()
                .filter_map(|k| {
                    let h = self.hidden_fields(&k.name).ok()?;
                    (!h.is_empty()).then(|| (k.name.clone(), own(h)))
                })
                .collect(),
            apps: own(self.apps()),
        }
    }

    /// The effective permissions as a bitset over the catalog.
    pub fn effective_bits(&self) -> &Bits {
        &self.effective
    }

    /// What a refusal means: nothing allowed, no scope on any kind, every
    /// field hidden, no application. Subject and tenant are empty.
    pub fn deny_all(catalog: Arc<Catalog>) -> Permissions {
        let claims = Claims {
            tenant: String::new(),
            subject: String::new(),
            issued_at: 0,
            not_before: 0,
            expires_at: 0,
            id: [0; 8],
            epoch: 0,
            catalog: catalog.fingerprint(),
            role: None,
            flags: 0,
            permissions: Bits::new(),
            step_up: Bits::new(),
            scopes: vec![Scope::None; catalog.kind_count()],
            hidden: (0..catalog.field_count()).collect(),
            apps: Bits::new(),
        };
        Permissions {
            catalog,
            claims: Arc::new(claims),
            effective: Arc::new(Bits::new()),
        }
    }

    pub(crate) fn new(catalog: Arc<Catalog>, claims: Arc<Claims>) -> Permissions {
        let effective = (0..catalog.permission_count())
            .filter(|i| blocker(&catalog, &claims, *i).is_none())
            .collect();
        Permissions {
            catalog,
            claims,
            effective: Arc::new(effective),
        }
    }

    /// The shared parts, for the verifier's cache.
    pub(crate) fn shared(&self) -> (Arc<Claims>, Arc<Bits>) {
        (Arc::clone(&self.claims), Arc::clone(&self.effective))
    }

    /// Rebuilds permissions from cached parts (no recomputation).
    pub(crate) fn from_shared(
        catalog: Arc<Catalog>,
        claims: Arc<Claims>,
        effective: Arc<Bits>,
    ) -> Permissions {
        Permissions {
            catalog,
            claims,
            effective,
        }
    }

    /// The verified claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The catalog the snapshot was verified against.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Staff id.
    pub fn subject(&self) -> &str {
        &self.claims.subject
    }

    /// Account id.
    pub fn tenant(&self) -> &str {
        &self.claims.tenant
    }

    /// Expiry, seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.claims.expires_at
    }

    /// Whether the person is an owner of the account.
    pub fn is_owner(&self) -> bool {
        self.claims.flags & FLAG_OWNER != 0
    }

    /// Whether the person is the principal admin.
    pub fn is_principal(&self) -> bool {
        self.claims.flags & FLAG_PRINCIPAL != 0
    }

    /// Whether the snapshot is for a shared front-desk account.
    pub fn is_shared_account(&self) -> bool {
        self.claims.flags & FLAG_SHARED != 0
    }

    /// The person's role id, if any.
    pub fn role(&self) -> Option<&str> {
        self.claims
            .role
            .map(|r| self.catalog.role_id(usize::from(r)))
    }

    /// May the person do `name`? Unknown names are an error, never `false`.
    pub fn can(&self, name: &str) -> Result<bool> {
        Ok(self.effective.get(self.catalog.perm(name)?))
    }

    /// All of `names`? Every name must be known.
    pub fn can_all<S: AsRef<str>>(&self, names: &[S]) -> Result<bool> {
        let mut all = true;
        for n in names {
            all &= self.can(n.as_ref())?;
        }
        Ok(all)
    }

    /// Any of `names`? Every name must be known.
    pub fn can_any<S: AsRef<str>>(&self, names: &[S]) -> Result<bool> {
        let mut any = false;
        for n in names {
            any |= self.can(n.as_ref())?;
        }
        Ok(any)
    }

    /// Names of every permission `can` answers yes for, in catalog order.
    pub fn allowed(&self) -> Vec<&str> {
        self.effective
            .iter()
            .map(|i| self.catalog.perm_name(i))
            .collect()
    }

    /// Why `can(name)` answers what it does.
    pub fn explain(&self, name: &str) -> Result<Explanation> {
        let i = self.catalog.perm(name)?;
        let reason = match blocker(&self.catalog, &self.claims, i) {
            Some(r) => r,
            None if self.is_owner() => Reason::Owner,
            None => match self.role_grants(i) {
                Some(role) => Reason::GrantedByRole { role },
                None => Reason::GrantedToPerson,
            },
        };
        Ok(Explanation {
            permission: name.to_owned(),
            allowed: self.effective.get(i),
            step_up: self.claims.step_up.get(i),
            message: reason.describe(),
            reason,
        })
    }

    fn role_grants(&self, i: usize) -> Option<String> {
        let r = usize::from(self.claims.role?);
        let perms = self.catalog.role_perms(r)?;
        perms.get(i).then(|| self.catalog.role_id(r).to_owned())
    }

    /// Does `name` need the acting person's PIN first?
    pub fn needs_step_up(&self, name: &str) -> Result<bool> {
        Ok(self.claims.step_up.get(self.catalog.perm(name)?))
    }

    /// Names of the permissions that need a PIN step-up.
    pub fn step_up_actions(&self) -> Vec<&str> {
        self.claims
            .step_up
            .iter()
            .map(|i| self.catalog.perm_name(i))
            .collect()
    }

    /// The view scope on records of `kind`.
    pub fn scope(&self, kind: &str) -> Result<&Scope> {
        let k = self.catalog.kind(kind)?;
        self.claims
            .scopes
            .get(k)
            .ok_or(Error::UnknownKind { name: kind.into() })
    }

    /// Fields of `kind` hidden from the person.
    pub fn hidden_fields(&self, kind: &str) -> Result<Vec<&str>> {
        let k = self.catalog.kind(kind)?;
        let def = self
            .catalog
            .kind_def(k)
            .ok_or(Error::UnknownKind { name: kind.into() })?;
        let offset = self.catalog.field_offset(k);
        Ok(def
            .fields
            .iter()
            .enumerate()
            .filter(|(j, _)| self.claims.hidden.get(offset + j))
            .map(|(_, f)| f.name.as_str())
            .collect())
    }

    /// Applications the person may enter.
    pub fn apps(&self) -> Vec<&str> {
        self.claims
            .apps
            .iter()
            .map(|i| self.catalog.app_id(i))
            .collect()
    }

    /// May the person enter application `id`?
    pub fn has_app(&self, id: &str) -> Result<bool> {
        Ok(self.claims.apps.get(self.catalog.app(id)?))
    }

    /// The records of `kind` the person may see, as a description.
    pub fn filter(&self, kind: &str) -> Result<RecordFilter> {
        let k = self.catalog.kind(kind)?;
        let def = self
            .catalog
            .kind_def(k)
            .ok_or(Error::UnknownKind { name: kind.into() })?;
        let scope = self
            .claims
            .scopes
            .get(k)
            .ok_or(Error::UnknownKind { name: kind.into() })?;
        let me = || vec![self.claims.subject.clone()];
        let own = || {
            def.owner_fields
                .iter()
                .map(|f| Clause {
                    field: f.clone(),
                    values: me(),
                })
                .collect::<Vec<_>>()
        };
        let (all, clauses) = match scope {
            Scope::None => (false, Vec::new()),
            Scope::All => (true, Vec::new()),
            Scope::Own => (false, own()),
            Scope::Assigned => {
                let mut c = own();
                if let Some(a) = &def.assignee_field {
                    c.push(Clause {
                        field: a.clone(),
                        values: me(),
                    });
                }
                (false, c)
            }
            Scope::Specific(ids) => {
                let mut c = vec![Clause {
                    field: def.id_field.clone(),
                    values: ids.clone(),
                }];
                c.extend(own());
                (false, c)
            }
        };
        Ok(RecordFilter {
            kind: kind.to_owned(),
            scope: scope.name(),
            all,
            clauses,
        })
    }

    /// How to redact records of `kind` for the person.
    pub fn redaction(&self, kind: &str) -> Result<Redaction> {
        let k = self.catalog.kind(kind)?;
        let def = self
            .catalog
            .kind_def(k)
            .ok_or(Error::UnknownKind { name: kind.into() })?;
        let offset = self.catalog.field_offset(k);
        let mut r = Redaction {
            kind: kind.to_owned(),
            remove: Vec::new(),
            mask: Vec::new(),
        };
        for (j, f) in def.fields.iter().enumerate() {
            if !self.claims.hidden.get(offset + j) {
                continue;
            }
            match &f.redact {
                Redact::Remove => r.remove.push(f.name.clone()),
                Redact::Mask(with) => r.mask.push(Mask {
                    field: f.name.clone(),
                    with: with.clone(),
                }),
            }
        }
        Ok(r)
    }
}

/// Why permission `i` is not effective, or `None` when it is.
fn blocker(catalog: &Catalog, claims: &Claims, i: usize) -> Option<Reason> {
    if !claims.permissions.get(i) {
        let role = claims.role.map(usize::from);
        let role_had = role
            .and_then(|r| catalog.role_perms(r))
            .is_some_and(|p| p.get(i));
        return Some(match (role_had, role) {
            (true, Some(r)) => Reason::RemovedForPerson {
                role: catalog.role_id(r).to_owned(),
            },
            _ => Reason::NotGranted,
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
