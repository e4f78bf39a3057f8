//! The compiled catalog: the public part of a policy, validated, with the
//! look-up tables decisions need ([`Tables`]) and their indexes. Compiled
//! from a definition in `compile`; its revisions (the prefixes earlier
//! snapshots were issued under) in `revision`; read from and written to its
//! binary form in `crate::wire::catalog`.

mod compile;
mod names;
mod revision;

pub(crate) use revision::{check_marks, decode as decode_body, encode as encode_body};
pub use revision::{Revision, MAX_REVISION};

pub use names::invisible;
pub(crate) use names::{index_of, Indexes, NameIndex};

use super::bits::Bits;
use super::def::{CatalogDef, KindDef};
use crate::error::{Error, Result};

/// Domain separation prefix of the catalog fingerprint.
pub const CATALOG_FINGERPRINT_DOMAIN: &[u8] = b"permsnap/v2 catalog\0";

/// Largest number of permissions, kinds, fields or applications a catalog may have.
pub const MAX_ENTRIES: usize = 4096;

/// One permission as verifiers need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledPermission {
    /// Name, e.g. `payments.view`.
    pub name: String,
    /// Every permission it requires, transitively.
    pub requires: Bits,
    /// Index of the application it lives in.
    pub app: Option<u32>,
    /// Index of the kind whose view scope it needs.
    pub scope_kind: Option<u32>,
    /// It has its own scope over `scope_kind` records (in the snapshot's
    /// permission scopes) instead of following the kind's.
    pub scoped: bool,
    /// Sets of earlier permissions whose holding gives this one.
    pub implied_by: Vec<Bits>,
    /// Index of the account feature it belongs to.
    pub feature: Option<u32>,
    /// The catalog revision that added it.
    pub since: u16,
}

/// One application (or account feature) as verifiers need it: an id and
/// the revision that added it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledApp {
    /// Application id.
    pub id: String,
    /// The catalog revision that added it.
    pub since: u16,
}

/// What verifying and deciding need from a catalog, derived once from the
/// definition or read from a compiled catalog (see FORMAT.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// Catalog name.
    pub name: String,
    /// Permissions in bit order.
    pub permissions: Vec<CompiledPermission>,
    /// Record kinds in catalog order.
    pub kinds: Vec<KindDef>,
    /// Applications in bit order.
    pub applications: Vec<CompiledApp>,
    /// Account features in bit order.
    pub features: Vec<CompiledApp>,
}

/// A validated catalog, ready to answer questions about snapshots. Built
/// from a definition ([`Catalog::compile`], backends and tools) or from a
/// compiled catalog ([`Catalog::from_bytes`], browsers and edges).
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) tables: Tables,
    /// Every revision, oldest first; the last is the catalog itself.
    pub(crate) revisions: Vec<Revision>,
    /// The definition, when compiled from one.
    pub(crate) def: Option<CatalogDef>,
    pub(crate) owner_only: Bits,
    pub(crate) principal_only: Bits,
    /// Permissions given only by implication (definition only).
    pub(crate) derived: Bits,
    pub(crate) perm_index: NameIndex,
    pub(crate) kind_index: NameIndex,
    pub(crate) app_index: NameIndex,
    pub(crate) feature_index: NameIndex,
    pub(crate) field_count: usize,
}

/// Builds an [`Error::InvalidPolicy`].
pub(crate) fn policy_error(at: impl Into<String>, detail: impl Into<String>) -> Error {
    Error::InvalidPolicy {
        at: at.into(),
        detail: detail.into(),
    }
}

impl Catalog {
    /// Reads a compiled catalog body (see `revision`): tables, revisions,
    /// name indexes (refusing repeats) and every reference checked.
    pub(crate) fn from_body(body: &[u8], origin: &str) -> Result<Catalog> {
        let (tables, revisions) = decode_body(body, origin)?;
        let catalog = Catalog::index(tables, revisions, origin)?;
        catalog.check_references().map_err(|what| {
            policy_error(
                origin,
                format!("the compiled catalog is inconsistent: {what}"),
            )
        })?;
        Ok(catalog)
    }

    /// Indexes names and fields (refusing repeats).
    fn index(tables: Tables, revisions: Vec<Revision>, origin: &str) -> Result<Catalog> {
        let names = Indexes {
            perm: NameIndex::build(
                origin,
                "permission",
                tables.permissions.iter().map(|p| p.name.as_str()),
            )?,
            kind: NameIndex::build(origin, "kind", tables.kinds.iter().map(|k| k.name.as_str()))?,
            app: NameIndex::build(
                origin,
                "application",
                tables.applications.iter().map(|a| a.id.as_str()),
            )?,
            feature: NameIndex::build(
                origin,
                "feature",
                tables.features.iter().map(|a| a.id.as_str()),
            )?,
        };
        let field_count: usize = tables.kinds.iter().map(|k| k.fields.len()).sum();
        if field_count > MAX_ENTRIES {
            return Err(policy_error(origin, "too many fields"));
        }
        Ok(Catalog {
            tables,
            revisions,
            def: None,
            owner_only: Bits::new(),
            principal_only: Bits::new(),
            derived: Bits::new(),
            perm_index: names.perm,
            kind_index: names.kind,
            app_index: names.app,
            feature_index: names.feature,
            field_count,
        })
    }

    /// Checks that every index of a compiled catalog points at something and
    /// that requirements are transitively closed and acyclic.
    fn check_references(&self) -> core::result::Result<(), &'static str> {
        let t = &self.tables;
        let n = t.permissions.len();
        for (i, p) in t.permissions.iter().enumerate() {
            if !p.requires.fits(n) || p.requires.get(i) {
                return Err("a requirement set");
            }
            if p.app.is_some_and(|a| a as usize >= t.applications.len())
                || p.scope_kind.is_some_and(|k| k as usize >= t.kinds.len())
                || p.feature.is_some_and(|f| f as usize >= t.features.len())
            {
                return Err("an application, kind or feature index");
            }
            if p.scoped && p.scope_kind.is_none() {
                return Err("a scoped permission without a kind");
            }
            if p.implied_by
                .iter()
                .any(|set| set.is_empty() || !set.fits(n) || set.get(i))
            {
                return Err("an implication");
            }
            for r in p.requires.iter() {
                if !t
                    .permissions
                    .get(r)
                    .is_some_and(|q| p.requires.contains_all(&q.requires))
                {
                    return Err("requirements are not transitively closed");
                }
            }
        }
        Ok(())
    }

    /// The definition this catalog was compiled from (`None` when it was
    /// read from a compiled catalog, which carries only [`Tables`]).
    pub fn def(&self) -> Option<&CatalogDef> {
        self.def.as_ref()
    }

    /// The tables verifiers use.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// Catalog name.
    pub fn name(&self) -> &str {
        &self.tables.name
    }

    /// The fingerprint of the catalog's latest revision: what snapshots
    /// issued under it carry (FORMAT.md, "Catalog fingerprint").
    pub fn fingerprint(&self) -> [u8; 8] {
        self.latest().fingerprint
    }

    /// The fingerprint as lower-case hex.
    pub fn fingerprint_hex(&self) -> String {
        crate::error::hex(&self.fingerprint())
    }

    /// The latest revision number (1 for a catalog that never grew).
    pub fn revision(&self) -> u16 {
        self.latest().number
    }

    /// Every revision, oldest first; the last is the catalog itself.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The revision with this fingerprint, if it is one of this catalog's.
    pub fn revision_by_fingerprint(&self, fingerprint: &[u8; 8]) -> Option<&Revision> {
        self.revisions
            .iter()
            .rev()
            .find(|r| &r.fingerprint == fingerprint)
    }

    fn latest(&self) -> &Revision {
        // `revisions` always holds at least revision 1 (see `revision::revisions`).
        self.revisions.last().unwrap_or(&revision::EMPTY)
    }

    /// Number of permissions.
    pub fn permission_count(&self) -> usize {
        self.tables.permissions.len()
    }

    /// Index (bit) of a permission name.
    pub fn perm(&self, name: &str) -> Result<usize> {
        self.perm_index
            .get(name)
            .ok_or_else(|| Error::UnknownPermission { name: name.into() })
    }

    /// Name of permission `i` (empty if out of range).
    pub fn perm_name(&self, i: usize) -> &str {
        self.tables
            .permissions
            .get(i)
            .map_or("", |p| p.name.as_str())
    }

    /// Transitive requirements of permission `i`.
    pub fn requires_of(&self, i: usize) -> Option<&Bits> {
        self.tables.permissions.get(i).map(|p| &p.requires)
    }

    /// Application index permission `i` lives in, if any.
    pub fn app_of(&self, i: usize) -> Option<usize> {
        self.tables.permissions.get(i)?.app.map(|a| a as usize)
    }

    /// Whether any permission is implied by others.
    pub fn has_implications(&self) -> bool {
        self.tables
            .permissions
            .iter()
            .any(|p| !p.implied_by.is_empty())
    }

    /// Sets of permissions whose holding gives permission `i`.
    pub fn implied_by(&self, i: usize) -> &[Bits] {
        self.tables
            .permissions
            .get(i)
            .map_or(&[], |p| p.implied_by.as_slice())
    }

    /// Whether permission `i` has its own scope (see [`CompiledPermission`]).
    pub fn is_scoped(&self, i: usize) -> bool {
        self.tables.permissions.get(i).is_some_and(|p| p.scoped)
    }

    /// The account feature permission `i` belongs to, if any.
    pub fn feature_of(&self, i: usize) -> Option<usize> {
        self.tables.permissions.get(i)?.feature.map(|f| f as usize)
    }

    /// Index of an account feature id (`unknown_feature` otherwise).
    pub fn feature(&self, id: &str) -> Result<usize> {
        self.feature_index
            .get(id)
            .ok_or_else(|| Error::UnknownFeature { name: id.into() })
    }

    /// Number of account features.
    pub fn feature_count(&self) -> usize {
        self.tables.features.len()
    }

    /// Id of account feature `i` (empty if out of range).
    pub fn feature_id(&self, i: usize) -> &str {
        self.tables.features.get(i).map_or("", |a| a.id.as_str())
    }

    /// Kind index whose scope permission `i` needs, if any.
    pub fn scope_kind_of(&self, i: usize) -> Option<usize> {
        self.tables
            .permissions
            .get(i)?
            .scope_kind
            .map(|k| k as usize)
    }

    /// Whether permission `i` is owner-only (known only when compiled from
    /// a definition: verifiers do not need it).
    pub fn is_owner_only(&self, i: usize) -> bool {
        self.owner_only.get(i)
    }

    /// Whether permission `i` is the principal admin's alone (known only
    /// when compiled from a definition).
    pub fn is_principal_only(&self, i: usize) -> bool {
        self.principal_only.get(i)
    }

    /// Index of a kind name.
    pub fn kind(&self, name: &str) -> Result<usize> {
        self.kind_index
            .get(name)
            .ok_or_else(|| Error::UnknownKind { name: name.into() })
    }

    /// Index and definition of the kind named `name` (`unknown_kind`
    /// otherwise).
    pub fn kind_named(&self, name: &str) -> Result<(usize, &KindDef)> {
        let k = self.kind(name)?;
        let def = self
            .kind_def(k)
            .ok_or(Error::UnknownKind { name: name.into() })?;
        Ok((k, def))
    }

    /// Definition of kind `i`.
    pub fn kind_def(&self, i: usize) -> Option<&KindDef> {
        self.tables.kinds.get(i)
    }

    /// Number of kinds.
    pub fn kind_count(&self) -> usize {
        self.tables.kinds.len()
    }

    /// Index of field `name` among the fields of kind `k`.
    pub fn field(&self, k: usize, name: &str) -> Result<usize> {
        let kind = self.kind_def(k).ok_or(Error::UnknownKind {
            name: k.to_string(),
        })?;
        let at = kind
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| Error::InvalidArgument {
                detail: format!("kind `{}` declares no field `{name}`", kind.name),
            })?;
        Ok(at)
    }

    /// Total number of declared fields across kinds.
    pub fn field_count(&self) -> usize {
        self.field_count
    }

    /// Index of an application id.
    pub fn app(&self, id: &str) -> Result<usize> {
        self.app_index
            .get(id)
            .ok_or_else(|| Error::InvalidArgument {
                detail: format!("unknown application `{id}`"),
            })
    }

    /// Number of applications.
    pub fn app_count(&self) -> usize {
        self.tables.applications.len()
    }

    /// Id of application `i` (empty if out of range).
    pub fn app_id(&self, i: usize) -> &str {
        self.tables
            .applications
            .get(i)
            .map_or("", |a| a.id.as_str())
    }
}
