//! The compiled catalog: the public part of a policy, validated, with the
//! look-up tables decisions need, and its fingerprint.

use super::bits::Bits;
use super::def::{CatalogDef, KindDef, RoleDef, Scope};
use crate::error::{Error, Result};
use sha2::{Digest, Sha512};
use std::collections::HashMap;

/// Domain separation prefix of the catalog fingerprint.
pub const CATALOG_FINGERPRINT_DOMAIN: &[u8] = b"permsnap/v1 catalog\0";

/// Largest number of permissions, kinds, fields or applications a catalog may have.
pub const MAX_ENTRIES: usize = 4096;

/// A validated catalog, ready to answer questions about snapshots.
#[derive(Debug, Clone)]
pub struct Catalog {
    def: CatalogDef,
    fingerprint: [u8; 8],
    perm_index: HashMap<String, usize>,
    /// Transitive requirements of each permission.
    requires: Vec<Bits>,
    perm_app: Vec<Option<usize>>,
    perm_scope_kind: Vec<Option<usize>>,
    owner_only: Bits,
    kind_index: HashMap<String, usize>,
    /// Global index of each kind's first field.
    field_offset: Vec<usize>,
    field_count: usize,
    app_index: HashMap<String, usize>,
    role_index: HashMap<String, usize>,
    role_perms: Vec<Bits>,
}

/// Builds an [`Error::InvalidPolicy`].
pub(crate) fn policy_error(at: impl Into<String>, detail: impl Into<String>) -> Error {
    Error::InvalidPolicy {
        at: at.into(),
        detail: detail.into(),
    }
}

fn index_unique<'a>(
    origin: &str,
    what: &str,
    names: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, usize>> {
    let mut map = HashMap::new();
    for (i, name) in names.enumerate() {
        if name.is_empty() {
            return Err(policy_error(
                format!("{origin}: {what}[{i}]"),
                "the name is empty",
            ));
        }
        if map.insert(name.clone(), i).is_some() {
            return Err(policy_error(
                format!("{origin}: {what} `{name}`"),
                "is defined twice",
            ));
        }
    }
    if map.len() > MAX_ENTRIES {
        return Err(policy_error(
            format!("{origin}: {what}"),
            format!("more than {MAX_ENTRIES} entries"),
        ));
    }
    Ok(map)
}

impl Catalog {
    /// Validates a catalog definition and compiles it. `origin` names the file
    /// in error messages.
    pub fn compile(def: CatalogDef, origin: &str) -> Result<Catalog> {
        let perm_index = index_unique(
            origin,
            "permission",
            def.permissions.iter().map(|p| &p.name),
        )?;
        let kind_index = index_unique(origin, "kind", def.kinds.iter().map(|k| &k.name))?;
        let app_index = index_unique(
            origin,
            "application",
            def.applications.iter().map(|a| &a.id),
        )?;
        let role_index = index_unique(origin, "role", def.roles.iter().map(|r| &r.id))?;
        let section_index = index_unique(origin, "section", def.sections.iter().map(|s| &s.id))?;

        let n = def.permissions.len();
        let mut direct = Vec::with_capacity(n);
        let mut perm_app = Vec::with_capacity(n);
        let mut perm_scope_kind = Vec::with_capacity(n);
        let mut owner_only = Bits::new();
        for (i, p) in def.permissions.iter().enumerate() {
            let at = format!("{origin}: permission `{}`", p.name);
            if !def.sections.is_empty() && !section_index.contains_key(&p.section) {
                return Err(policy_error(at, format!("unknown section `{}`", p.section)));
            }
            let mut req = Bits::new();
            for r in &p.requires {
                let j = *perm_index.get(r).ok_or_else(|| {
                    policy_error(&at, format!("requires unknown permission `{r}`"))
                })?;
                req.set(j);
            }
            direct.push(req);
            perm_app.push(match &p.app {
                None => None,
                Some(a) => Some(
                    *app_index
                        .get(a)
                        .ok_or_else(|| policy_error(&at, format!("unknown application `{a}`")))?,
                ),
            });
            perm_scope_kind.push(match &p.scope_kind {
                None => None,
                Some(k) => Some(
                    *kind_index
                        .get(k)
                        .ok_or_else(|| policy_error(&at, format!("unknown kind `{k}`")))?,
                ),
            });
            if p.owner_only {
                owner_only.set(i);
            }
        }
        let requires = transitive_requires(&def, &direct, origin)?;

        let mut field_offset = Vec::with_capacity(def.kinds.len());
        let mut field_count = 0usize;
        for k in &def.kinds {
            validate_kind(k, origin)?;
            field_offset.push(field_count);
            field_count += k.fields.len();
        }
        if field_count > MAX_ENTRIES {
            return Err(policy_error(origin, "too many fields"));
        }

        let mut catalog = Catalog {
            fingerprint: fingerprint(&def)?,
            def,
            perm_index,
            requires,
            perm_app,
            perm_scope_kind,
            owner_only,
            kind_index,
            field_offset,
            field_count,
            app_index,
            role_index,
            role_perms: Vec::new(),
        };
        let mut role_perms = Vec::with_capacity(catalog.def.roles.len());
        for role in &catalog.def.roles {
            role_perms.push(catalog.compile_role(role, origin)?);
        }
        catalog.role_perms = role_perms;
        Ok(catalog)
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

    fn compile_role(&self, role: &RoleDef, origin: &str) -> Result<Bits> {
        let at = format!("{origin}: role `{}`", role.id);
        let mut bits = if role.owner {
            (0..self.def.permissions.len()).collect()
        } else {
            self.expand_patterns(&role.permissions, &at)?
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
    pub(crate) fn expand_patterns(&self, names: &[String], at: &str) -> Result<Bits> {
        let mut bits = Bits::new();
        for name in names {
            if name == "*" {
                for (i, _) in self.def.permissions.iter().enumerate() {
                    if !self.owner_only.get(i) {
                        bits.set(i);
                    }
                }
            } else if let Some(prefix) = name.strip_suffix(".*") {
                let before = bits.clone();
                for (i, p) in self.def.permissions.iter().enumerate() {
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
            self.requires
                .get(p)
                .and_then(|req| req.iter().find(|r| !bits.get(*r)))
                .map(|r| (p, r))
        })
    }

    /// The definition this catalog was compiled from.
    pub fn def(&self) -> &CatalogDef {
        &self.def
    }

    /// First 8 bytes of SHA-512 over the domain prefix and the postcard
    /// encoding of the catalog definition.
    pub fn fingerprint(&self) -> [u8; 8] {
        self.fingerprint
    }

    /// The fingerprint as lower-case hex.
    pub fn fingerprint_hex(&self) -> String {
        crate::error::hex(&self.fingerprint)
    }

    /// Number of permissions.
    pub fn permission_count(&self) -> usize {
        self.def.permissions.len()
    }

    /// Index (bit) of a permission name.
    pub fn perm(&self, name: &str) -> Result<usize> {
        self.perm_index
            .get(name)
            .copied()
            .ok_or_else(|| Error::UnknownPermission { name: name.into() })
    }

    /// Name of permission `i` (empty if out of range).
    pub fn perm_name(&self, i: usize) -> &str {
        self.def.permissions.get(i).map_or("", |p| p.name.as_str())
    }

    /// Transitive requirements of permission `i`.
    pub fn requires_of(&self, i: usize) -> Option<&Bits> {
        self.requires.get(i)
    }

    /// Application index permission `i` lives in, if any.
    pub fn app_of(&self, i: usize) -> Option<usize> {
        self.perm_app.get(i).copied().flatten()
    }

    /// Kind index whose scope permission `i` needs, if any.
    pub fn scope_kind_of(&self, i: usize) -> Option<usize> {
        self.perm_scope_kind.get(i).copied().flatten()
    }

    /// Whether permission `i` is owner-only.
    pub fn is_owner_only(&self, i: usize) -> bool {
        self.owner_only.get(i)
    }

    /// Index of a kind name.
    pub fn kind(&self, name: &str) -> Result<usize> {
        self.kind_index
            .get(name)
            .copied()
            .ok_or_else(|| Error::UnknownKind { name: name.into() })
    }

    /// Definition of kind `i`.
    pub fn kind_def(&self, i: usize) -> Option<&KindDef> {
        self.def.kinds.get(i)
    }

    /// Number of kinds.
    pub fn kind_count(&self) -> usize {
        self.def.kinds.len()
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
            .copied()
            .ok_or_else(|| Error::InvalidArgument {
                detail: format!("unknown application `{id}`"),
            })
    }

    /// Number of applications.
    pub fn app_count(&self) -> usize {
        self.def.applications.len()
    }

    /// Index of a role id.
    pub fn role(&self, id: &str) -> Option<usize> {
        self.role_index.get(id).copied()
    }

    /// Permissions of role `i`, patterns expanded.
    pub fn role_perms(&self, i: usize) -> Option<&Bits> {
        self.role_perms.get(i)
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

fn fingerprint(def: &CatalogDef) -> Result<[u8; 8]> {
    let bytes = postcard::to_allocvec(def).map_err(|e| policy_error("catalog", e.to_string()))?;
    let mut h = Sha512::new();
    h.update(CATALOG_FINGERPRINT_DOMAIN);
    h.update(&bytes);
    let digest = h.finalize();
    let mut out = [0u8; 8];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    Ok(out)
}
