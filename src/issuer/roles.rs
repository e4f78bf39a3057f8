//! One account's roles, compiled once against the catalog. A role that
//! fails validation (or an id defined twice) is kept as a problem of that
//! role: only the people who hold it are refused a snapshot.

use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::{policy_error, Catalog};
use crate::model::def::{CatalogDef, RoleDef, Scope};
use std::collections::BTreeMap;

/// A role, its patterns expanded and names checked.
#[derive(Debug, Clone)]
pub struct CompiledRole {
    /// The definition.
    pub def: RoleDef,
    /// Its permissions (every permission for an owner role).
    pub permissions: Bits,
    /// Applications holders may enter.
    pub apps: Bits,
    /// Permissions needing a PIN step-up.
    pub step_up: Bits,
    /// Scopes of the `scoped` permissions it sets, by permission index.
    pub permission_scopes: Vec<(usize, Scope)>,
}

impl CompiledRole {
    /// The role's scope on kind `name`: its own entry, else its `*`, else `none`.
    pub fn scope(&self, name: &str) -> Scope {
        self.def
            .scopes
            .get(name)
            .or_else(|| self.def.scopes.get("*"))
            .cloned()
            .unwrap_or(Scope::None)
    }
}

/// The roles of one account, by id.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    roles: BTreeMap<String, std::result::Result<CompiledRole, String>>,
}

impl Roles {
    /// Compiles every role against `catalog` (which must have been compiled
    /// from a definition). Never fails as a whole: a broken role is recorded
    /// and refuses only its holders ([`Roles::problems`] lists them).
    pub fn compile(catalog: &Catalog, defs: Vec<RoleDef>) -> Result<Roles> {
        Roles::compile_with(catalog, defs, Vec::new())
    }

    /// [`Roles::compile`], with the roles that did not read (`(id,
    /// problem)`) among them before the case-twin check: a twin that does
    /// not read still names one (re-review, session 17).
    fn compile_with(
        catalog: &Catalog,
        defs: Vec<RoleDef>,
        unread: Vec<(String, String)>,
    ) -> Result<Roles> {
        let cdef = definition(catalog)?;
        let mut roles = BTreeMap::new();
        for def in defs {
            let id = def.id.clone();
            // An id as staff and account ids are read: a zero-width space
            // or a trailing one made a second `clerk` beside the real one
            // (attack review, session 17).
            let compiled = match super::names::id_problem(&id).filter(|_| !id.is_empty()) {
                Some(problem) => Err(format!("its id {problem}")),
                None => compile_role(catalog, cdef, def).map_err(|e| match e {
                    Error::InvalidPolicy { detail, .. } => detail,
                    other => other.to_string(),
                }),
            };
            let entry = if roles.contains_key(&id) {
                Err("is defined twice in the account".to_owned())
            } else {
                compiled
            };
            roles.insert(id, entry);
        }
        for (id, problem) in unread {
            roles.insert(id, Err(problem));
        }
        let mut roles = Roles { roles };
        roles.refuse_case_twins();
        Ok(roles)
    }

    /// Reads the account's roles from a JSON array of role definitions. A
    /// role that does not read (an unknown key, a misspelled scope) is a
    /// problem of that role, as one that does not compile is: its holders
    /// are refused, and the other roles take effect. Refusing the whole
    /// table kept every role as it was before the edit, the wider ones too
    /// (attack review, session 13). Only an entry without a readable `id`,
    /// which no holder can be matched with, refuses the table.
    pub fn from_json(catalog: &Catalog, json: &str) -> Result<Roles> {
        let value: serde_json::Value =
            crate::strict_json::parse(json).map_err(|e| policy_error("roles", e.to_string()))?;
        super::record::reject_secret_fields(&value, "roles")?;
        let serde_json::Value::Array(entries) = value else {
            return Err(policy_error(
                "roles",
                "are a JSON array of role definitions",
            ));
        };
        let mut defs = Vec::with_capacity(entries.len());
        let mut unread = Vec::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let id = entry
                .get("id")
                .and_then(serde_json::Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
            match (serde_json::from_value::<RoleDef>(entry), id) {
                (Ok(def), _) => defs.push(def),
                (Err(e), Some(id)) => unread.push((id, e.to_string())),
                (Err(e), None) => return Err(policy_error("roles", format!("roles[{i}]: {e}"))),
            }
        }
        Roles::compile_with(catalog, defs, unread)
    }

    /// Two ids only letter case tells apart: a record naming one meant the
    /// other as often as not. Both refuse their holders.
    fn refuse_case_twins(&mut self) {
        // Sorted by the folded id, twins sit side by side: linear after
        // the sort (comparing every pair took 4.4 s for 40,000 roles, and
        // a 150,000-role line held `serve` for minutes: attack review,
        // session 18).
        let mut ids: Vec<(String, String)> = self
            .roles
            .keys()
            .map(|id| (id.to_ascii_lowercase(), id.clone()))
            .collect();
        crate::sort::sort_by(&mut ids, |a, b| a < b);
        for group in ids.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
            for (_, id) in group {
                if let Some((_, twin)) = group.iter().find(|(_, o)| o != id) {
                    self.roles.insert(
                        id.clone(),
                        Err(format!(
                            "differs from role `{twin}` only in letter case: rename one"
                        )),
                    );
                }
            }
        }
    }

    /// The role `id` for staff member `staff`, or why it cannot be used.
    pub fn get(&self, staff: &str, id: &str) -> Result<&CompiledRole> {
        match self.roles.get(id) {
            Some(Ok(role)) => Ok(role),
            Some(Err(problem)) => Err(Error::UnknownRole {
                staff: staff.to_owned(),
                role: id.to_owned(),
                detail: format!("is invalid: {problem}"),
            }),
            None => Err(Error::UnknownRole {
                staff: staff.to_owned(),
                role: id.to_owned(),
                detail: "the account does not define (deleted or misspelled?)".to_owned(),
            }),
        }
    }

    /// Every broken role, as `(id, problem)`.
    pub fn problems(&self) -> Vec<(&str, &str)> {
        self.roles
            .iter()
            .filter_map(|(id, r)| r.as_ref().err().map(|p| (id.as_str(), p.as_str())))
            .collect()
    }

    /// Number of roles (valid or not).
    pub fn len(&self) -> usize {
        self.roles.len()
    }

    /// Whether the account defines no role.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }
}

/// The definition of a catalog compiled by [`Catalog::compile`].
pub(crate) fn definition(c: &Catalog) -> Result<&CatalogDef> {
    c.def().ok_or_else(|| {
        policy_error(
            "catalog",
            "issuing needs the catalog's definition (JSON), not a compiled catalog",
        )
    })
}

fn compile_role(catalog: &Catalog, def: &CatalogDef, role: RoleDef) -> Result<CompiledRole> {
    let at = format!("role `{}`", role.id);
    if role.id.is_empty() {
        return Err(policy_error("roles", "a role id is empty"));
    }
    // An owner gets every permission, application and record: a
    // restriction written on an owner role would be silently dropped
    // (attack review, session 12: `except: ["billing.view"]` kept it).
    if role.owner {
        let set: Vec<&str> = [
            // `["*"]` restricts nothing: what existing policies write.
            ("permissions", !role.permissions.iter().all(|p| p == "*")),
            ("except", !role.except.is_empty()),
            ("apps", !role.apps.is_empty()),
            ("scopes", !role.scopes.is_empty()),
            ("hidden_fields", !role.hidden_fields.is_empty()),
            ("permission_scopes", !role.permission_scopes.is_empty()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect();
        if !set.is_empty() {
            return Err(policy_error(
                &at,
                format!(
                    "an owner role gets every permission, application and record: its `{}` would be ignored \
                     (to restrict it, make it a role without `owner`)",
                    set.join("`, `")
                ),
            ));
        }
    }
    let mut bits = if role.owner {
        (0..catalog.permission_count()).collect()
    } else {
        catalog.expand_patterns(def, &role.permissions, &at)?
    };
    let mut excepted = Bits::new();
    for name in &role.except {
        excepted.set(catalog.perm(name).map_err(|_| {
            policy_error(&at, format!("`except` names unknown permission `{name}`"))
        })?);
    }
    for e in excepted.iter() {
        bits.clear(e);
    }
    // Verifiers add what the role's grants imply: an `except` they would
    // give back restricts nothing, and is refused rather than dropped (as
    // a record's `remove` is).
    let implied = catalog.implication_closure(&bits);
    if let Some(e) = excepted.iter().find(|e| implied.get(*e)) {
        return Err(policy_error(
            &at,
            format!(
                "`except` names `{}`, which the role still gives through the permissions that \
                 imply it: except those too",
                catalog.perm_name(e)
            ),
        ));
    }
    if !role.owner {
        if let Some(i) = bits.iter().find(|i| catalog.is_owner_only(*i)) {
            return Err(policy_error(
                &at,
                format!(
                    "grants owner-only power `{}`; only owners hold it (mark the role `owner`)",
                    catalog.perm_name(i)
                ),
            ));
        }
    }
    // A missing requirement is not the role's problem alone (a record may
    // grant it): each holder is warned (`requirement_not_held`).
    let permission_scopes = catalog.permission_scopes(&role.permission_scopes, &at)?;
    let mut apps = Bits::new();
    for a in &role.apps {
        apps.set(
            catalog
                .app(a)
                .map_err(|_| policy_error(&at, format!("unknown application `{a}`")))?,
        );
    }
    catalog.check_scopes_and_fields(&role.scopes, &role.hidden_fields, &at)?;
    let mut step_up = Bits::new();
    for s in &role.step_up {
        step_up.set(
            catalog.perm(s).map_err(|_| {
                policy_error(&at, format!("`step_up` names unknown permission `{s}`"))
            })?,
        );
    }
    Ok(CompiledRole {
        def: role,
        permissions: bits,
        apps,
        step_up,
        permission_scopes,
    })
}
