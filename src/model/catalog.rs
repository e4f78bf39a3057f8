//! The compiled catalog: the public part of a policy, validated, with the
//! look-up tables decisions need, and its fingerprint.

use super::bits::Bits;
use super::def::{CatalogDef, KindDef, RoleDef, Scope};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};

/// Domain separation prefix of the catalog fingerprint.
pub const CATALOG_FINGERPRINT_DOMAIN: &[u8] = b"permsnap/v1 catalog\0";

/// First bytes of a compiled catalog.
pub const CATALOG_MAGIC: &[u8] = b"PSC";

/// Version of the compiled catalog encoding.
pub const CATALOG_VERSION: u8 = 1;

/// Largest number of permissions, kinds, fields or applications a catalog may have.
pub const MAX_ENTRIES: usize = 4096;

/// One permission as verifiers need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledPermission {
    /// Name, e.g. `payments.view`.
    pub name: String,
    /// Every permission it requires, transitively.
    pub requires: Bits,
    /// Index of the application it lives in.
    pub app: Option<u32>,
    /// Index of the kind whose view scope it needs.
    pub scope_kind: Option<u32>,
}

/// One role as verifiers need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledRole {
    /// Role id.
    pub id: String,
    /// Its permissions, patterns expanded.
    pub permissions: Bits,
}

/// What verifying and deciding need from a catalog, derived once from the
/// definition: the body of a compiled catalog (see FORMAT.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tables {
    /// Catalog name.
    pub name: String,
    /// Permissions in bit order.
    pub permissions: Vec<CompiledPermission>,
    /// Record kinds in catalog order.
    pub kinds: Vec<KindDef>,
    /// Application ids in bit order.
    pub applications: Vec<String>,
    /// Roles in catalog order.
    pub roles: Vec<CompiledRole>,
}

/// A validated catalog, ready to answer questions about snapshots. Built
/// from a definition ([`Catalog::compile`], backends and tools) or from a
/// compiled catalog ([`Catalog::from_bytes`], browsers and edges).
#[derive(Debug, Clone)]
pub struct Catalog {
    tables: Tables,
    fingerprint: [u8; 8],
    /// The definition, when compiled from one.
    def: Option<CatalogDef>,
    owner_only: Bits,
    perm_index: NameIndex,
    kind_index: NameIndex,
    app_index: NameIndex,
    role_index: NameIndex,
    /// Global index of each kind's first field.
    field_offset: Vec<usize>,
    field_count: usize,
}

/// Names to indexes: sorted, looked up by binary search.
#[derive(Debug, Clone, Default)]
struct NameIndex(Vec<(String, u32)>);

impl NameIndex {
    /// Indexes `names`, refusing empty and repeated names.
    fn build<'a>(origin: &str, what: &str, names: impl Iterator<Item = &'a str>) -> Result<Self> {
        let mut list = Vec::new();
        for (i, name) in names.enumerate() {
            if name.is_empty() {
                return Err(policy_error(
                    format!("{origin}: {what}[{i}]"),
                    "the name is empty",
                ));
            }
            if i >= MAX_ENTRIES {
                return Err(policy_error(
                    format!("{origin}: {what}"),
                    format!("more than {MAX_ENTRIES} entries"),
                ));
            }
            list.push((name.to_owned(), i as u32));
        }
        list.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for pair in list.windows(2) {
            if let [(a, _), (b, _)] = pair {
                if a == b {
                    return Err(policy_error(
                        format!("{origin}: {what} `{a}`"),
                        "is defined twice",
                    ));
                }
            }
        }
        Ok(NameIndex(list))
    }

    fn get(&self, name: &str) -> Option<usize> {
        let at = self
            .0
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        self.0.get(at).map(|(_, i)| *i as usize)
    }
}

/// The name indexes of a catalog.
struct Indexes {
    perm: NameIndex,
    kind: NameIndex,
    app: NameIndex,
    role: NameIndex,
}

/// Builds an [`Error::InvalidPolicy`].
pub(crate) fn policy_error(at: impl Into<String>, detail: impl Into<String>) -> Error {
    Error::InvalidPolicy {
        at: at.into(),
        detail: detail.into(),
    }
}

fn index_of(index: &NameIndex, name: &str, at: &str, what: &str) -> Result<u32> {
    index
        .get(name)
        .map(|i| i as u32)
        .ok_or_else(|| policy_error(at, format!("{what} `{name}`")))
}

impl Catalog {
    /// Validates a catalog definition and compiles it. `origin` names the file
    /// in error messages.
    pub fn compile(def: CatalogDef, origin: &str) -> Result<Catalog> {
        let section_index = NameIndex::build(
            origin,
            "section",
            def.sections.iter().map(|s| s.id.as_str()),
        )?;
        let perm_index = NameIndex::build(
            origin,
            "permission",
            def.permissions.iter().map(|p| p.name.as_str()),
        )?;
        let kind_index =
            NameIndex::build(origin, "kind", def.kinds.iter().map(|k| k.name.as_str()))?;
        let app_index = NameIndex::build(
            origin,
            "application",
            def.applications.iter().map(|a| a.id.as_str()),
        )?;

        let mut direct = Vec::with_capacity(def.permissions.len());
        let mut permissions = Vec::with_capacity(def.permissions.len());
        let mut owner_only = Bits::new();
        for (i, p) in def.permissions.iter().enumerate() {
            let at = format!("{origin}: permission `{}`", p.name);
            if !def.sections.is_empty() && section_index.get(&p.section).is_none() {
                return Err(policy_error(at, format!("unknown section `{}`", p.section)));
            }
            let mut req = Bits::new();
            for r in &p.requires {
                req.set(index_of(&perm_index, r, &at, "requires unknown permission")? as usize);
            }
            direct.push(req);
            permissions.push(CompiledPermission {
                name: p.name.clone(),
                requires: Bits::new(),
                app: p
                    .app
                    .as_deref()
                    .map(|a| index_of(&app_index, a, &at, "unknown application"))
                    .transpose()?,
                scope_kind: p
                    .scope_kind
                    .as_deref()
                    .map(|k| index_of(&kind_index, k, &at, "unknown kind"))
                    .transpose()?,
            });
            if p.owner_only {
                owner_only.set(i);
            }
        }
        for (p, closure) in permissions
            .iter_mut()
            .zip(transitive_requires(&def, &direct, origin)?)
        {
            p.requires = closure;
        }
        for k in &def.kinds {
            validate_kind(k, origin)?;
        }
        let tables = Tables {
            name: def.name.clone(),
            permissions,
            kinds: def.kinds.clone(),
            applications: def.applications.iter().map(|a| a.id.clone()).collect(),
            roles: Vec::new(),
        };
        // The indexes built above serve the catalog; roles are indexed once
        // compiled, below.
        let names = Indexes {
            perm: perm_index,
            kind: kind_index,
            app: app_index,
            role: NameIndex::default(),
        };
        let mut catalog = Catalog::assemble(tables, [0; 8], names, origin)?;
        catalog.owner_only = owner_only;
        let mut roles = Vec::with_capacity(def.roles.len());
        for role in &def.roles {
            roles.push(CompiledRole {
                id: role.id.clone(),
                permissions: catalog.compile_role(&def, role, origin)?,
            });
        }
        catalog.role_index = NameIndex::build(origin, "role", roles.iter().map(|r| r.id.as_str()))?;
        catalog.tables.roles = roles;
        catalog.fingerprint = fingerprint(&catalog.encode_tables()?);
        catalog.def = Some(def);
        Ok(catalog)
    }

    /// Reads a compiled catalog (see [`Catalog::to_bytes`]): magic `PSC`,
    /// version 1, then the postcard encoding of the [`Tables`], which is also
    /// what the fingerprint covers. Every index in it is checked.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Catalog> {
        let body = match bytes.strip_prefix(CATALOG_MAGIC) {
            Some([CATALOG_VERSION, body @ ..]) => body,
            Some(_) => {
                return Err(policy_error(
                    origin,
                    "unsupported compiled catalog version (this build reads version 1)",
                ))
            }
            None => return Err(policy_error(
                origin,
                "not a compiled catalog (it starts with `PSC`): make one with `permsnap catalog`",
            )),
        };
        let damaged = || policy_error(origin, "the compiled catalog is damaged");
        let (tables, rest) = postcard::take_from_bytes::<Tables>(body).map_err(|_| damaged())?;
        // No canonical-form check here, unlike snapshots and notices: the
        // fingerprint covers these exact bytes, so another spelling of the
        // same tables is another catalog, which no snapshot names.
        if !rest.is_empty() {
            return Err(damaged());
        }
        let catalog = Catalog::index(tables, fingerprint(body), origin)?;
        catalog.check_references().map_err(|what| {
            policy_error(
                origin,
                format!("the compiled catalog is inconsistent: {what}"),
            )
        })?;
        Ok(catalog)
    }

    /// Reads a compiled catalog given as base64url text.
    pub fn from_text(text: &str, origin: &str) -> Result<Catalog> {
        let bytes = crate::encoding::decode(text.trim()).map_err(|e| {
            policy_error(
                origin,
                format!("the compiled catalog is not base64url ({e})"),
            )
        })?;
        Catalog::from_bytes(&bytes, origin)
    }

    /// The compiled catalog: what browsers and edges load (small, and read
    /// without a JSON parser).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let body = self.encode_tables()?;
        let mut out = Vec::with_capacity(CATALOG_MAGIC.len() + 1 + body.len());
        out.extend_from_slice(CATALOG_MAGIC);
        out.push(CATALOG_VERSION);
        out.extend_from_slice(&body);
        Ok(out)
    }

    fn encode_tables(&self) -> Result<Vec<u8>> {
        postcard::to_allocvec(&self.tables).map_err(|e| policy_error("catalog", e.to_string()))
    }

    /// Indexes names and fields (refusing repeats); references are checked
    /// by `compile` as it builds them, by `check_references` otherwise.
    fn index(tables: Tables, fingerprint: [u8; 8], origin: &str) -> Result<Catalog> {
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
                tables.applications.iter().map(String::as_str),
            )?,
            role: NameIndex::build(origin, "role", tables.roles.iter().map(|r| r.id.as_str()))?,
        };
        Catalog::assemble(tables, fingerprint, names, origin)
    }

    /// A catalog from tables and the name indexes already built for them.
    fn assemble(
        tables: Tables,
        fingerprint: [u8; 8],
        names: Indexes,
        origin: &str,
    ) -> Result<Catalog> {
        let mut field_offset = Vec::with_capacity(tables.kinds.len());
        let mut field_count = 0usize;
        for k in &tables.kinds {
            field_offset.push(field_count);
            field_count += k.fields.len();
        }
        if field_count > MAX_ENTRIES {
            return Err(policy_error(origin, "too many fields"));
        }
        Ok(Catalog {
            tables,
            fingerprint,
            def: None,
            owner_only: Bits::new(),
            perm_index: names.perm,
            kind_index: names.kind,
            app_index: names.app,
            role_index: names.role,
            field_offset,
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
            {
                return Err("an application or kind index");
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
        if t.roles.iter().any(|r| !r.permissions.fits(n)) {
            return Err("a role's permission set");
        }
        Ok(())
    }

    /// Parses a catalog from JSON. Accepts a bare catalog or a whole policy
    /// file (whose staff list is then ignored).
    #[cfg(feature = "std-json")]
    pub fn from_json(json: &str, origin: &str) -> Result<Catalog> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| policy_error(origin, e.to_string()))?;
        let def: CatalogDef = match value.get("catalog") {
            Some(inner) => serde_json::from_value(inner.clone()),
            None => serde_json::from_value(value),
        }
        .map_err(|e| policy_error(origin, e.to_string()))?;
        Catalog::compile(def, origin)
    }

    fn compile_role(&self, def: &CatalogDef, role: &RoleDef, origin: &str) -> Result<Bits> {
        let at = format!("{origin}: role `{}`", role.id);
        let mut bits = if role.owner {
            (0..self.permission_count()).collect()
        } else {
            self.expand_patterns(def, &role.permissions, &at)?
        };
        for name in &role.except {
            bits.clear(self.perm(name).map_err(|_| {
                policy_error(&at, format!("`except` names unknown permission `{name}`"))
            })?);
        }
        if !role.owner {
            if let Some(i) = bits.iter().find(|i| self.owner_only.get(*i)) {
                return Err(policy_error(
                    &at,
                    format!(
                        "grants owner-only power `{}`; only owners hold it (mark the role `owner`)",
                        self.perm_name(i)
                    ),
                ));
            }
        }
        if let Some((p, r)) = self.first_missing_requirement(&bits) {
            return Err(policy_error(
                &at,
                format!(
                    "grants `{}`, which requires `{}`, not in the role",
                    self.perm_name(p),
                    self.perm_name(r)
                ),
            ));
        }
        for a in &role.apps {
            self.app(a)
                .map_err(|_| policy_error(&at, format!("unknown application `{a}`")))?;
        }
        self.check_scopes_and_fields(&role.scopes, &role.hidden_fields, &at)?;
        for s in &role.step_up {
            self.perm(s).map_err(|_| {
                policy_error(&at, format!("`step_up` names unknown permission `{s}`"))
            })?;
        }
        Ok(bits)
    }

    /// Expands names and `*` / `section.*` patterns to a set of permissions.
    pub(crate) fn expand_patterns(
        &self,
        def: &CatalogDef,
        names: &[String],
        at: &str,
    ) -> Result<Bits> {
        let mut bits = Bits::new();
        for name in names {
            if name == "*" {
                for i in 0..self.permission_count() {
                    if !self.owner_only.get(i) {
                        bits.set(i);
                    }
                }
            } else if let Some(prefix) = name.strip_suffix(".*") {
                let before = bits.clone();
                for (i, p) in def.permissions.iter().enumerate() {
                    let in_section = p.section == prefix
                        || p.name
                            .strip_prefix(prefix)
                            .is_some_and(|r| r.starts_with('.'));
                    if in_section && !self.owner_only.get(i) {
                        bits.set(i);
                    }
                }
                if bits == before {
                    return Err(policy_error(
                        at,
                        format!("pattern `{name}` matches no permission"),
                    ));
                }
            } else {
                bits.set(
                    self.perm(name)
                        .map_err(|_| policy_error(at, format!("unknown permission `{name}`")))?,
                );
            }
        }
        Ok(bits)
    }

    pub(crate) fn check_scopes_and_fields(
        &self,
        scopes: &std::collections::BTreeMap<String, Scope>,
        hidden: &std::collections::BTreeMap<String, Vec<String>>,
        at: &str,
    ) -> Result<()> {
        for kind in scopes.keys() {
            if kind != "*" {
                self.kind(kind)
                    .map_err(|_| policy_error(at, format!("scope for unknown kind `{kind}`")))?;
            }
        }
        for (kind, fields) in hidden {
            let k = self.kind(kind).map_err(|_| {
                policy_error(at, format!("hidden fields for unknown kind `{kind}`"))
            })?;
            for f in fields {
                self.field(k, f).map_err(|_| {
                    policy_error(
                        at,
                        format!("hidden field `{f}` is not declared in kind `{kind}`"),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// The first `(permission, requirement)` pair in `bits` whose requirement is
    /// not in `bits`.
    pub(crate) fn first_missing_requirement(&self, bits: &Bits) -> Option<(usize, usize)> {
        bits.iter().find_map(|p| {
            self.requires_of(p)
                .and_then(|req| req.iter().find(|r| !bits.get(*r)))
                .map(|r| (p, r))
        })
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

    /// First 8 bytes of SHA-512 over the domain prefix and the body of the
    /// compiled catalog.
    pub fn fingerprint(&self) -> [u8; 8] {
        self.fingerprint
    }

    /// The fingerprint as lower-case hex.
    pub fn fingerprint_hex(&self) -> String {
        crate::error::hex(&self.fingerprint)
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

    /// Index of a kind name.
    pub fn kind(&self, name: &str) -> Result<usize> {
        self.kind_index
            .get(name)
            .ok_or_else(|| Error::UnknownKind { name: name.into() })
    }

    /// Definition of kind `i`.
    pub fn kind_def(&self, i: usize) -> Option<&KindDef> {
        self.tables.kinds.get(i)
    }

    /// Number of kinds.
    pub fn kind_count(&self) -> usize {
        self.tables.kinds.len()
    }

    /// Global field index of field `name` of kind `k`.
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
        Ok(self.field_offset.get(k).copied().unwrap_or(0) + at)
    }

    /// Global index of the first field of kind `k`.
    pub fn field_offset(&self, k: usize) -> usize {
        self.field_offset.get(k).copied().unwrap_or(0)
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
        self.tables.applications.get(i).map_or("", String::as_str)
    }

    /// Index of a role id.
    pub fn role(&self, id: &str) -> Option<usize> {
        self.role_index.get(id)
    }

    /// Id of role `i` (empty if out of range).
    pub fn role_id(&self, i: usize) -> &str {
        self.tables.roles.get(i).map_or("", |r| r.id.as_str())
    }

    /// Permissions of role `i`, patterns expanded.
    pub fn role_perms(&self, i: usize) -> Option<&Bits> {
        self.tables.roles.get(i).map(|r| &r.permissions)
    }
}

fn validate_kind(k: &KindDef, origin: &str) -> Result<()> {
    let at = format!("{origin}: kind `{}`", k.name);
    let mut seen = std::collections::HashSet::new();
    for f in &k.fields {
        if !seen.insert(f.name.as_str()) {
            return Err(policy_error(
                &at,
                format!("field `{}` is declared twice", f.name),
            ));
        }
    }
    Ok(())
}

/// Transitive closure of the `requires` relation, refusing cycles.
fn transitive_requires(def: &CatalogDef, direct: &[Bits], origin: &str) -> Result<Vec<Bits>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = direct.len();
    let mut marks = vec![Mark::New; n];
    let mut closure = vec![Bits::new(); n];
    // Iterative depth-first search: a stack of (node, next requirement to visit).
    for start in 0..n {
        if marks.get(start) != Some(&Mark::New) {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> = Vec::new();
        if let Some(m) = marks.get_mut(start) {
            *m = Mark::Active;
        }
        stack.push((
            start,
            direct
                .get(start)
                .map(|b| b.iter().collect())
                .unwrap_or_default(),
        ));
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            if let Some(next) = pending.pop() {
                match marks.get(next).copied() {
                    Some(Mark::Active) => {
                        let name = def.permissions.get(next).map_or("", |p| p.name.as_str());
                        return Err(policy_error(
                            format!("{origin}: permission `{name}`"),
                            "is part of a dependency cycle in `requires`",
                        ));
                    }
                    Some(Mark::New) => {
                        if let Some(m) = marks.get_mut(next) {
                            *m = Mark::Active;
                        }
                        stack.push((
                            next,
                            direct
                                .get(next)
                                .map(|b| b.iter().collect())
                                .unwrap_or_default(),
                        ));
                    }
                    _ => {}
                }
            } else {
                let mut mine = direct.get(node).cloned().unwrap_or_default();
                for r in direct
                    .get(node)
                    .map(|b| b.iter().collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    if let Some(sub) = closure.get(r) {
                        mine.union_with(&sub.clone());
                    }
                }
                if let Some(c) = closure.get_mut(node) {
                    *c = mine;
                }
                if let Some(m) = marks.get_mut(node) {
                    *m = Mark::Done;
                }
                stack.pop();
            }
        }
    }
    Ok(closure)
}

/// First 8 bytes of SHA-512 over the domain prefix and the postcard
/// encoding of the catalog definition.
fn fingerprint(encoded: &[u8]) -> [u8; 8] {
    let mut h = Sha512::new();
    h.update(CATALOG_FINGERPRINT_DOMAIN);
    h.update(encoded);
    let digest = h.finalize();
    let mut out = [0u8; 8];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}
