//! Compiling a catalog definition: names indexed, references resolved,
//! requirements closed transitively (cycles refused), revisions
//! fingerprinted.

use super::{
    check_marks, encode_body, index_of, policy_error, Catalog, CompiledApp, CompiledPermission,
    NameIndex, Tables,
};
use crate::error::Result;
use crate::model::bits::Bits;
use crate::model::def::{CatalogDef, KindDef, PermissionDef, Scope};

impl Catalog {
    /// Validates a catalog definition and compiles it. `origin` names the file
    /// in error messages.
    pub fn compile(def: CatalogDef, origin: &str) -> Result<Catalog> {
        let section_index = NameIndex::build_new(
            origin,
            "section",
            def.sections.iter().map(|s| s.id.as_str()),
        )?;
        let perm_index = NameIndex::build_new(
            origin,
            "permission",
            def.permissions.iter().map(|p| p.name.as_str()),
        )?;
        let kind_index =
            NameIndex::build_new(origin, "kind", def.kinds.iter().map(|k| k.name.as_str()))?;
        let app_index = NameIndex::build_new(
            origin,
            "application",
            def.applications.iter().map(|a| a.id.as_str()),
        )?;
        let feature_index = NameIndex::build_new(
            origin,
            "feature",
            def.features.iter().map(|f| f.id.as_str()),
        )?;

        let mut direct = Vec::with_capacity(def.permissions.len());
        let mut permissions = Vec::with_capacity(def.permissions.len());
        let mut owner_only = Bits::new();
        let mut principal_only = Bits::new();
        let mut derived = Bits::new();
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
            let implied_by = implications(p, i, &perm_index, &at)?;
            if (p.owner_only || p.principal_only) && !p.implied_by.is_empty() {
                return Err(policy_error(
                    at,
                    "is an owner's or the principal admin's power and has `implied_by`: such \
                     powers are never given by holding other permissions",
                ));
            }
            if p.derived && p.implied_by.is_empty() {
                return Err(policy_error(
                    at,
                    "is `derived` but has no `implied_by`: nothing could ever give it",
                ));
            }
            if p.derived {
                derived.set(i);
            }
            if p.scoped && p.scope_kind.is_none() {
                return Err(policy_error(
                    at,
                    "is `scoped` but names no `scope_kind` for its scope to cover",
                ));
            }
            for (kind, scope) in &p.gives_scopes {
                index_of(&kind_index, kind, &at, "`gives_scopes` names unknown kind")?;
                if !matches!(scope, Scope::Own | Scope::Assigned | Scope::All) {
                    return Err(policy_error(
                        at,
                        format!(
                            "`gives_scopes` on `{kind}` is `{}`: a permission gives `own`, \
                             `assigned` or `all`",
                            scope.name()
                        ),
                    ));
                }
            }
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
                scoped: p.scoped,
                implied_by,
                feature: p
                    .feature
                    .as_deref()
                    .map(|f| index_of(&feature_index, f, &at, "unknown feature"))
                    .transpose()?,
                since: p.since,
            });
            if p.owner_only || p.principal_only {
                owner_only.set(i);
            }
            if p.principal_only {
                principal_only.set(i);
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
        let shared = &def.account.shared_account;
        if let Some(f) = &shared.feature {
            index_of(
                &feature_index,
                f,
                &format!("{origin}: account.shared_account"),
                "names unknown feature",
            )?;
        }
        for name in shared
            .never
            .iter()
            .chain(&shared.step_up)
            .chain(&shared.must_hold_any)
        {
            index_of(
                &perm_index,
                name,
                &format!("{origin}: account.shared_account"),
                "names unknown permission",
            )?;
        }
        let tables = Tables {
            name: def.name.clone(),
            permissions,
            kinds: def.kinds.clone(),
            applications: def
                .applications
                .iter()
                .map(|a| CompiledApp {
                    id: a.id.clone(),
                    since: a.since,
                })
                .collect(),
            features: def
                .features
                .iter()
                .map(|f| CompiledApp {
                    id: f.id.clone(),
                    since: f.since,
                })
                .collect(),
        };
        check_marks(&tables, origin)?;
        // Encoded and read back: a compiled catalog and the one its bytes
        // load are the same, fingerprints included.
        let mut catalog = Catalog::from_body(&encode_body(&tables)?, origin)?;
        catalog.owner_only = owner_only;
        catalog.principal_only = principal_only;
        catalog.derived = derived;
        catalog.def = Some(def);
        Ok(catalog)
    }

    /// Parses a catalog from JSON. Accepts a bare catalog or a whole policy
    /// file (whose roles and staff are then not read).
    #[cfg(feature = "std-json")]
    pub fn from_json(json: &str, origin: &str) -> Result<Catalog> {
        let value: serde_json::Value =
            crate::strict_json::parse(json).map_err(|e| policy_error(origin, e.to_string()))?;
        let def: CatalogDef = match value.get("catalog") {
            Some(inner) => serde_json::from_value(inner.clone()),
            None => serde_json::from_value(value),
        }
        .map_err(|e| policy_error(origin, e.to_string()))?;
        Catalog::compile(def, origin)
    }
}

/// A permission's `implied_by` sets as bitsets: each non-empty, of known
/// permissions other than itself.
fn implications(p: &PermissionDef, i: usize, index: &NameIndex, at: &str) -> Result<Vec<Bits>> {
    let mut sets = Vec::with_capacity(p.implied_by.len());
    for names in &p.implied_by {
        if names.is_empty() {
            return Err(policy_error(at, "`implied_by` holds an empty set"));
        }
        let mut set = Bits::new();
        for name in names {
            let j = index_of(index, name, at, "`implied_by` names unknown permission")? as usize;
            if j == i {
                return Err(policy_error(at, "is implied by itself"));
            }
            set.set(j);
        }
        sets.push(set);
    }
    Ok(sets)
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
    // Read as every other name: `phone\u{200b}` beside `phone`, `Email`
    // beside `email` (re-review, session 17).
    NameIndex::build_new(&at, "field", k.fields.iter().map(|f| f.name.as_str()))?;
    // The keys filters read on a record are its own top-level keys: a
    // dotted one (`store.id`) was read as one key named so, so a nested id
    // never matched and a record carrying that literal key did (attack
    // review, session 17).
    let keys = std::iter::once(("id_field", k.id_field.as_str()))
        .chain(k.owner_fields.iter().map(|f| ("owner_fields", f.as_str())))
        .chain(
            k.assignee_field
                .iter()
                .map(|f| ("assignee_field", f.as_str())),
        );
    for (what, key) in keys {
        if key.is_empty()
            || key.contains('.')
            || key
                .chars()
                .any(|c| c.is_whitespace() || super::names::invisible(c))
        {
            return Err(policy_error(
                &at,
                format!(
                    "`{what}` `{}` is not a record's top-level key (filters read those only: \
                     no dots, spaces or invisible characters; flatten a nested id)",
                    key
                ),
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
