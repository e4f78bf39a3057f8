//! Reading the previous format (version 1) until its snapshots have expired
//! (one day at most): a format 2 verifier given the format 1 compiled
//! catalog it replaces ([`Format1::read`]) reads format 1 snapshots signed
//! against it, as snapshots of revision 1 of its own catalog. Nothing here
//! writes format 1. FORMAT.md, "Reading format 1".
//!
//! ```text
//! format 1 snapshot  = "PSN" | 01 | kid_len | kid | postcard(V1Claims) | signature
//! signed message     = "permsnap/v1 snapshot" 00 | every byte before the signature
//! format 1 catalog   = "PSC" | 01 | postcard(V1Tables)   (it carried the roles)
//! format 1 fingerprint = SHA-512("permsnap/v1 catalog" 00 | body)[0..8]
//! ```

use super::snapshot::{Claims, RoleGrant, MAX_LIFETIME};
use super::{is_canonical, FORMAT1};
use crate::error::{hex, Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::{policy_error, Catalog};
use crate::model::def::{Redact, Scope};
use serde::{Deserialize, Serialize};

/// Domain separation prefix of a format 1 snapshot's signed message.
pub const FORMAT1_SIGNING_DOMAIN: &[u8] = b"permsnap/v1 snapshot\0";
const FORMAT1_CATALOG_DOMAIN: &[u8] = b"permsnap/v1 catalog\0";
const KNOWN_FLAGS: u8 = 7;

#[derive(Serialize, Deserialize)]
struct V1Claims {
    tenant: String,
    subject: String,
    issued_at: u64,
    not_before_offset: u32,
    lifetime: u32,
    id: [u8; 8],
    epoch: u32,
    catalog: [u8; 8],
    role: u16,
    flags: u8,
    permissions: Bits,
    step_up: Bits,
    scopes: Vec<Scope>,
    hidden: Bits,
    apps: Bits,
}

#[derive(Deserialize)]
struct V1Tables {
    name: String,
    permissions: Vec<V1Permission>,
    kinds: Vec<V1Kind>,
    applications: Vec<String>,
    roles: Vec<V1Role>,
}

#[derive(Deserialize)]
struct V1Permission {
    name: String,
    requires: Bits,
    app: Option<u32>,
    scope_kind: Option<u32>,
}

#[derive(Deserialize)]
struct V1Kind {
    name: String,
    id_field: String,
    owner_fields: Vec<String>,
    assignee_field: Option<String>,
    fields: Vec<(String, Redact)>,
}

#[derive(Deserialize)]
struct V1Role {
    id: String,
    permissions: Bits,
}

/// What a verifier needs to read format 1 snapshots: the fingerprint they
/// carry, the field layout of their global hidden-field bitset, and the
/// roles their role index points into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format1 {
    fingerprint: [u8; 8],
    fields: Vec<usize>,
    roles: Vec<(String, Bits)>,
}

impl Format1 {
    /// Reads a format 1 compiled catalog (binary or base64url text) and
    /// checks that its permissions, kinds, fields and applications are
    /// exactly revision 1 of `catalog` (so bits mean the same); refused with
    /// `invalid_policy` otherwise.
    pub fn read(input: &[u8], catalog: &Catalog) -> Result<Format1> {
        let origin = "format 1 catalog";
        let bytes = if input.starts_with(b"PSC") {
            input.to_vec()
        } else {
            let text = core::str::from_utf8(input)
                .map_err(|_| policy_error(origin, "neither a compiled catalog nor text"))?;
            crate::encoding::decode(text.trim())?
        };
        let body = match bytes.strip_prefix(b"PSC") {
            Some([FORMAT1, body @ ..]) => body,
            _ => {
                return Err(policy_error(
                    origin,
                    "not a format 1 compiled catalog (it starts with `PSC` 01)",
                ))
            }
        };
        let tables: V1Tables = match postcard::take_from_bytes(body) {
            Ok((t, [])) => t,
            _ => return Err(policy_error(origin, "damaged")),
        };
        let rev = catalog
            .revisions()
            .first()
            .ok_or_else(|| policy_error(origin, "the catalog has no revision"))?;
        let t = catalog.tables();
        let same_permissions = tables.permissions.len() == rev.permissions
            && tables.permissions.iter().zip(&t.permissions).all(|(a, b)| {
                // Format 1 knew no implications, features or permission
                // scopes: a revision 1 using them decides otherwise.
                a.name == b.name
                    && a.requires == b.requires
                    && a.app == b.app
                    && a.scope_kind == b.scope_kind
                    && !b.scoped
                    && b.implied_by.is_empty()
                    && b.feature.is_none()
            });
        let same_kinds = tables.kinds.len() == rev.kinds()
            && tables
                .kinds
                .iter()
                .zip(&t.kinds)
                .zip(&rev.fields)
                .all(|((a, b), n)| {
                    a.name == b.name
                        && a.id_field == b.id_field
                        && a.owner_fields == b.owner_fields
                        && a.assignee_field == b.assignee_field
                        && a.fields.len() == *n
                        && a.fields
                            .iter()
                            .zip(&b.fields)
                            .all(|(f, g)| f.0 == g.name && f.1 == g.redact)
                });
        let same_apps = tables.applications.len() == rev.applications
            && tables
                .applications
                .iter()
                .zip(&t.applications)
                .all(|(a, b)| *a == b.id);
        if tables.name != t.name || !same_permissions || !same_kinds || !same_apps {
            return Err(policy_error(
                origin,
                format!(
                    "its permissions, kinds, fields and applications are not revision 1 of catalog `{}`: \
                     format 1 snapshots of it cannot be read with this catalog",
                    t.name
                ),
            ));
        }
        if tables
            .roles
            .iter()
            .any(|r| !r.permissions.fits(rev.permissions))
        {
            return Err(policy_error(origin, "a role's permission set does not fit"));
        }
        Ok(Format1 {
            fingerprint: super::digest(FORMAT1_CATALOG_DOMAIN, [body]),
            fields: tables.kinds.iter().map(|k| k.fields.len()).collect(),
            roles: tables
                .roles
                .into_iter()
                .map(|r| (r.id, r.permissions))
                .collect(),
        })
    }

    /// The format 1 catalog's fingerprint, hex.
    pub fn fingerprint_hex(&self) -> String {
        hex(&self.fingerprint)
    }

    /// Decodes a format 1 payload into the claims of a snapshot of revision
    /// 1 of `catalog` (`revision1` is its fingerprint): the role becomes a
    /// role grant, the global hidden bitset one bitset per kind, the version
    /// 0. Refused as a format 1 snapshot would have been, and `wrong_catalog`
    /// when it was signed against another catalog.
    pub fn decode(&self, payload: &[u8], revision1: [u8; 8]) -> Result<Claims> {
        let bad = |detail: &str| Error::Malformed {
            detail: format!("format 1 snapshot: {detail}"),
        };
        let w: V1Claims = match postcard::take_from_bytes(payload) {
            Ok((w, [])) if is_canonical(&w, payload) => w,
            _ => return Err(bad("the payload does not decode")),
        };
        if w.catalog != self.fingerprint {
            return Err(Error::WrongCatalog {
                expected: format!("{} (format 1)", self.fingerprint_hex()),
                found: hex(&w.catalog),
            });
        }
        if w.tenant.is_empty()
            || w.subject.is_empty()
            || w.lifetime == 0
            || w.lifetime > MAX_LIFETIME
            || w.not_before_offset >= w.lifetime
            || w.flags & !KNOWN_FLAGS != 0
        {
            return Err(bad("a field is out of range"));
        }
        if [&w.permissions, &w.step_up, &w.hidden, &w.apps]
            .iter()
            .any(|b| !b.is_canonical())
            || w.scopes.len() != self.fields.len()
            || w.scopes.iter().any(|s| matches!(s, Scope::Listed(_)))
        {
            return Err(bad("it does not fit its catalog"));
        }
        let roles = match w.role.checked_sub(1) {
            None => Vec::new(),
            Some(r) => {
                let (id, permissions) = self
                    .roles
                    .get(usize::from(r))
                    .ok_or_else(|| bad("its role is not in its catalog"))?;
                vec![RoleGrant {
                    id: id.clone(),
                    permissions: permissions.clone(),
                }]
            }
        };
        let mut hidden = Vec::with_capacity(self.fields.len());
        let mut offset = 0;
        for n in &self.fields {
            hidden.push((0..*n).filter(|j| w.hidden.get(offset + j)).collect());
            offset += n;
        }
        if !w.hidden.fits(offset) {
            return Err(bad("the hidden field set does not fit its catalog"));
        }
        let mut scopes = w.scopes;
        while scopes.last() == Some(&Scope::None) {
            scopes.pop();
        }
        while hidden.last().is_some_and(Bits::is_empty) {
            hidden.pop();
        }
        Ok(Claims {
            not_before: w.issued_at.saturating_add(u64::from(w.not_before_offset)),
            expires_at: w.issued_at.saturating_add(u64::from(w.lifetime)),
            tenant: w.tenant,
            subject: w.subject,
            issued_at: w.issued_at,
            id: w.id,
            epoch: w.epoch,
            version: 0,
            catalog: revision1,
            revision: 1,
            previous: None,
            flags: w.flags,
            roles,
            permissions: w.permissions,
            step_up: w.step_up,
            scopes,
            hidden,
            apps: w.apps,
            features: Bits::new(),
            permission_scopes: Vec::new(),
        })
    }
}
