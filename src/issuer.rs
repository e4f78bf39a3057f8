//! The issuer: loads a policy, computes a staff member's effective
//! permissions, refuses inconsistent or forbidden grants, and signs snapshots.
//! Behind the `issuer` feature; never part of the browser build.

use crate::crypto::signing::IssuerKey;
use crate::encoding as base64url;
use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::{policy_error, Catalog};
use crate::model::def::{PolicyDef, Scope, StaffDef};
use crate::wire::{self, Claims, FLAG_OWNER, FLAG_PRINCIPAL, FLAG_SHARED};
use std::collections::HashSet;

/// Default snapshot lifetime: 15 minutes.
pub const DEFAULT_LIFETIME: u32 = 15 * 60;

/// Longest snapshot lifetime the issuer signs: one day. Snapshots are meant
/// to be short-lived (refreshed, revocable); a year-long one is a mistake.
pub const MAX_LIFETIME: u32 = 24 * 60 * 60;

/// Latest start of validity after the issue time: one day.
pub const MAX_NOT_BEFORE_OFFSET: u32 = 24 * 60 * 60;

/// Field names that smell of secrets: a policy never carries them.
const SECRET_WORDS: &[&str] = &["pin", "password", "secret", "hash", "nip", "otp"];

/// A loaded, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    tenant: String,
    catalog: Catalog,
    staff: Vec<StaffDef>,
    origin: String,
}

/// A signed snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The binary form.
    pub bytes: Vec<u8>,
    /// What it says.
    pub claims: Claims,
}

impl Snapshot {
    /// The base64url text form, for cookies and headers.
    pub fn text(&self) -> String {
        base64url::encode(&self.bytes)
    }
}

/// Per-issue settings.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// Issue time, seconds since the Unix epoch.
    pub now: u64,
    /// Lifetime in seconds.
    pub lifetime: u32,
    /// Start of validity, seconds after `now` (normally 0).
    pub not_before_offset: u32,
    /// The tenant's revocation epoch.
    pub epoch: u32,
    /// Snapshot id; random when `None`.
    pub id: Option<[u8; 8]>,
}

impl IssueOptions {
    /// Refuses a lifetime of 0 or above [`MAX_LIFETIME`], or a start of
    /// validity further than [`MAX_NOT_BEFORE_OFFSET`].
    pub fn check(&self) -> Result<()> {
        if self.lifetime == 0 || self.lifetime > MAX_LIFETIME {
            return Err(Error::InvalidArgument {
                detail: format!(
                    "a snapshot lifetime is 1 to {MAX_LIFETIME} seconds (one day), got {}",
                    self.lifetime
                ),
            });
        }
        if self.not_before_offset > MAX_NOT_BEFORE_OFFSET || self.not_before_offset >= self.lifetime
        {
            return Err(Error::InvalidArgument {
                detail: "the start of validity must fall within the lifetime and one day".into(),
            });
        }
        Ok(())
    }

    /// Defaults at time `now`: 15 minutes, epoch 0, random id.
    pub fn at(now: u64) -> IssueOptions {
        IssueOptions {
            now,
            lifetime: DEFAULT_LIFETIME,
            not_before_offset: 0,
            epoch: 0,
            id: None,
        }
    }
}

/// Seconds since the Unix epoch, from the system clock.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The definition of a catalog compiled by [`Catalog::compile`] (always there).
fn definition(c: &Catalog) -> Result<&crate::model::def::CatalogDef> {
    c.def()
        .ok_or_else(|| policy_error("catalog", "a compiled catalog cannot issue snapshots"))
}

impl Policy {
    /// Parses and validates a policy file; `origin` (the file name) starts
    /// every error message.
    pub fn from_json(json: &str, origin: &str) -> Result<Policy> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| policy_error(origin, e.to_string()))?;
        reject_secret_fields(&value, origin)?;
        let def: PolicyDef =
            serde_json::from_value(value).map_err(|e| policy_error(origin, e.to_string()))?;
        Policy::from_def(def, origin)
    }

    /// Validates a parsed policy.
    pub fn from_def(def: PolicyDef, origin: &str) -> Result<Policy> {
        if def.tenant.is_empty() {
            return Err(policy_error(format!("{origin}: tenant"), "is empty"));
        }
        let catalog = Catalog::compile(def.catalog, origin)?;
        let cdef = definition(&catalog)?;
        let mut ids = HashSet::new();
        let mut principal: Option<&str> = None;
        for s in &def.staff {
            let at = format!("{origin}: staff `{}`", s.id);
            if s.id.is_empty() {
                return Err(policy_error(
                    format!("{origin}: staff"),
                    "a staff id is empty",
                ));
            }
            if !ids.insert(s.id.as_str()) {
                return Err(policy_error(&at, "is defined twice"));
            }
            let role = match &s.role {
                Some(r) => Some(
                    catalog
                        .role(r)
                        .ok_or_else(|| policy_error(&at, format!("unknown role `{r}`")))?,
                ),
                None => None,
            };
            let owner = s.owner || role.is_some_and(|r| cdef.roles.get(r).is_some_and(|d| d.owner));
            if role.is_none() && !owner {
                return Err(policy_error(&at, "has no role and is not an owner"));
            }
            if s.principal {
                if !owner {
                    return Err(policy_error(&at, "is the principal admin but not an owner"));
                }
                if let Some(first) = principal {
                    return Err(policy_error(
                        &at,
                        format!("is a second principal admin (`{first}` is one already): an account has exactly one"),
                    ));
                }
                principal = Some(&s.id);
            }
            let granted = catalog.expand_patterns(cdef, &s.grant, &at)?;
            if !owner {
                if let Some(i) = granted.iter().find(|i| catalog.is_owner_only(*i)) {
                    return Err(policy_error(
                        &at,
                        format!(
                            "is granted owner-only power `{}` but is not an owner",
                            catalog.perm_name(i)
                        ),
                    ));
                }
            }
            for r in &s.remove {
                catalog.perm(r).map_err(|_| {
                    policy_error(&at, format!("`remove` names unknown permission `{r}`"))
                })?;
            }
            for a in s.apps.iter().flatten() {
                catalog
                    .app(a)
                    .map_err(|_| policy_error(&at, format!("unknown application `{a}`")))?;
            }
            catalog.check_scopes_and_fields(&s.scopes, &s.hidden_fields, &at)?;
            for p in &s.step_up {
                catalog.perm(p).map_err(|_| {
                    policy_error(&at, format!("`step_up` names unknown permission `{p}`"))
                })?;
            }
        }
        Ok(Policy {
            tenant: def.tenant,
            catalog,
            staff: def.staff,
            origin: origin.to_owned(),
        })
    }

    /// The account id.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The compiled catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The staff list.
    pub fn staff(&self) -> &[StaffDef] {
        &self.staff
    }

    /// Every problem that would stop a snapshot from being issued, one per
    /// active staff member at most (deactivated accounts are skipped).
    pub fn problems(&self) -> Vec<Error> {
        self.staff
            .iter()
            .filter(|s| s.active)
            .filter_map(|s| self.claims_for(&s.id, &IssueOptions::at(0)).err())
            .collect()
    }

    /// The claims a snapshot for `staff_id` would carry (id zero unless set).
    pub fn claims_for(&self, staff_id: &str, opts: &IssueOptions) -> Result<Claims> {
        let s = self
            .staff
            .iter()
            .find(|s| s.id == staff_id)
            .ok_or_else(|| Error::UnknownStaff {
                staff: staff_id.into(),
            })?;
        if !s.active {
            return Err(Error::Deactivated {
                staff: s.id.clone(),
            });
        }
        let c = &self.catalog;
        let cdef = definition(c)?;
        let role_idx = s.role.as_deref().and_then(|r| c.role(r));
        let role = role_idx.and_then(|r| cdef.roles.get(r));
        let owner = s.owner || role.is_some_and(|r| r.owner);
        let at = format!("{}: staff `{}`", self.origin, s.id);

        let mut perms = if owner {
            (0..c.permission_count()).collect()
        } else {
            let mut p = role_idx
                .and_then(|r| c.role_perms(r))
                .cloned()
                .unwrap_or_default();
            p.union_with(&c.expand_patterns(cdef, &s.grant, &at)?);
            for r in &s.remove {
                p.clear(c.perm(r)?);
            }
            p
        };
        perms.trim();
        if !owner {
            if let Some(i) = perms.iter().find(|i| c.is_owner_only(*i)) {
                return Err(Error::OwnerOnly {
                    staff: s.id.clone(),
                    permission: c.perm_name(i).into(),
                });
            }
        }
        if let Some((p, r)) = c.first_missing_requirement(&perms) {
            return Err(Error::MissingRequirement {
                staff: s.id.clone(),
                permission: c.perm_name(p).into(),
                requires: c.perm_name(r).into(),
            });
        }

        let apps: Bits = if owner {
            (0..c.app_count()).collect()
        } else {
            let ids = s.apps.as_ref().or(role.map(|r| &r.apps));
            let mut b = Bits::new();
            for a in ids.into_iter().flatten() {
                b.set(c.app(a)?);
            }
            b
        };

        let mut scopes = Vec::with_capacity(c.kind_count());
        let mut hidden = Bits::new();
        for (k, kind) in cdef.kinds.iter().enumerate() {
            let pick = |m: &std::collections::BTreeMap<String, Scope>| m.get(&kind.name).cloned();
            let scope = if owner {
                Scope::All
            } else {
                pick(&s.scopes)
                    .or_else(|| role.and_then(|r| pick(&r.scopes)))
                    .or_else(|| s.scopes.get("*").cloned())
                    .or_else(|| role.and_then(|r| r.scopes.get("*").cloned()))
                    .unwrap_or(Scope::None)
            };
            scopes.push(scope);
            if !owner {
                let fields = s
                    .hidden_fields
                    .get(&kind.name)
                    .or_else(|| role.and_then(|r| r.hidden_fields.get(&kind.name)));
                for f in fields.into_iter().flatten() {
                    hidden.set(c.field(k, f)?);
                }
            }
        }

        let mut step_up = Bits::new();
        for p in role
            .map(|r| r.step_up.as_slice())
            .unwrap_or(&[])
            .iter()
            .chain(&s.step_up)
        {
            let i = c.perm(p)?;
            if perms.get(i) {
                step_up.set(i);
            }
        }

        let mut flags = 0;
        if owner {
            flags |= FLAG_OWNER;
        }
        if s.principal {
            flags |= FLAG_PRINCIPAL;
        }
        if s.shared_account {
            flags |= FLAG_SHARED;
        }
        Ok(Claims {
            tenant: self.tenant.clone(),
            subject: s.id.clone(),
            issued_at: opts.now,
            not_before: opts.now.saturating_add(u64::from(opts.not_before_offset)),
            expires_at: opts.now.saturating_add(u64::from(opts.lifetime)),
            id: opts.id.unwrap_or([0; 8]),
            epoch: opts.epoch,
            catalog: c.fingerprint(),
            role: role_idx.and_then(|r| u16::try_from(r).ok()),
            flags,
            permissions: perms,
            step_up,
            scopes,
            hidden,
            apps,
        })
    }

    /// Issues and signs a snapshot for `staff_id`.
    pub fn issue(&self, staff_id: &str, key: &IssuerKey, opts: &IssueOptions) -> Result<Snapshot> {
        opts.check()?;
        let mut claims = self.claims_for(staff_id, opts)?;
        claims.id = match opts.id {
            Some(id) => id,
            None => {
                let mut id = [0u8; 8];
                getrandom::fill(&mut id).map_err(|e| Error::InvalidArgument {
                    detail: format!("no randomness for the snapshot id: {e}"),
                })?;
                id
            }
        };
        sign_claims(key, claims)
    }
}

/// Encodes and signs arbitrary claims (used by `issue`, and by tests and
/// vectors that need snapshots no policy would produce).
pub fn sign_claims(key: &IssuerKey, claims: Claims) -> Result<Snapshot> {
    let mut bytes = wire::encode_unsigned(key.kid(), &claims)?;
    let sig = key.sign(&bytes);
    bytes.extend_from_slice(&sig);
    Ok(Snapshot { bytes, claims })
}

/// Encodes and signs a revocation notice; returns the binary notice.
pub fn sign_notice(key: &IssuerKey, notice: &wire::Notice) -> Result<Vec<u8>> {
    let mut bytes = wire::encode_notice_unsigned(key.kid(), notice)?;
    let sig = key.sign_domain(wire::NOTICE_DOMAIN, &bytes);
    bytes.extend_from_slice(&sig);
    Ok(bytes)
}

/// Refuses any object key that names secret material (a PIN, a password, a
/// hash of either), wherever it is in the policy.
fn reject_secret_fields(value: &serde_json::Value, origin: &str) -> Result<()> {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let lower = k.to_ascii_lowercase();
                if SECRET_WORDS.iter().any(|w| {
                    lower == *w
                        || lower.starts_with(&format!("{w}_"))
                        || lower.ends_with(&format!("_{w}"))
                }) {
                    return Err(policy_error(
                        origin,
                        format!("field `{k}` looks like secret material; PINs, passwords and their hashes never go into a policy or a snapshot"),
                    ));
                }
                reject_secret_fields(v, origin)?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => items
            .iter()
            .try_for_each(|v| reject_secret_fields(v, origin)),
        _ => Ok(()),
    }
}
