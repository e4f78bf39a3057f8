//! Reading an account's names against the catalog, for the issuer: role and
//! grant patterns (`*`, `section.*`), per-kind scopes and hidden fields, and
//! the requirement check. Not part of any verifier build.

use crate::error::Result;
use crate::model::bits::Bits;
use crate::model::catalog::{invisible, policy_error, Catalog};
use crate::model::def::{CatalogDef, Scope};

impl Catalog {
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
                    if !self.owner_only.get(i) && !self.derived.get(i) {
                        bits.set(i);
                    }
                }
            } else if let Some(section) = name.strip_suffix(".*") {
                // The section's permissions, by the catalog's `section`,
                // whatever their names: `payments.*` also took
                // `payments.payout_bank_change` filed under billing (attack
                // review, session 17).
                if !def.sections.iter().any(|s| s.id == section)
                    && !def.permissions.iter().any(|p| p.section == section)
                {
                    let mut known: Vec<&str> =
                        def.permissions.iter().map(|p| p.section.as_str()).collect();
                    known.sort_unstable();
                    known.dedup();
                    return Err(policy_error(
                        at,
                        format!(
                            "pattern `{name}` names no section (a pattern is `section.*`; the \
                             catalog's sections: {})",
                            known.join(", ")
                        ),
                    ));
                }
                let before = bits.clone();
                for (i, p) in def.permissions.iter().enumerate() {
                    if p.section == section && !self.owner_only.get(i) && !self.derived.get(i) {
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
                let i = self
                    .perm(name)
                    .map_err(|_| policy_error(at, format!("unknown permission `{name}`")))?;
                if self.derived.get(i) {
                    return Err(policy_error(
                        at,
                        format!(
                            "names `{name}`, which has no checkbox of its own: it is given by \
                             holding the permissions of its `implied_by`"
                        ),
                    ));
                }
                bits.set(i);
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
        for (kind, scope) in scopes {
            match scope {
                Scope::Listed(_) => {
                    return Err(policy_error(
                        at,
                        format!("scope for `{kind}`: `listed` is made by the issuer from a long `specific` list; write `specific`"),
                    ))
                }
                Scope::Specific(ids) if ids.iter().any(String::is_empty) => {
                    return Err(policy_error(
                        at,
                        format!("scope for `{kind}`: a `specific` record id is empty"),
                    ))
                }
                _ => {}
            }
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

    /// `bits` with every permission its sets imply, to a fixed point (what
    /// a verifier may add; requirements, features and scopes aside, so a
    /// superset of what takes effect: the safe side for the issuer's rules).
    pub(crate) fn implication_closure(&self, bits: &Bits) -> Bits {
        let mut out = bits.clone();
        if !self.has_implications() {
            return out;
        }
        loop {
            let mut added = false;
            for i in 0..self.permission_count() {
                if !out.get(i) && self.implied_by(i).iter().any(|set| out.contains_all(set)) {
                    out.set(i);
                    added = true;
                }
            }
            if !added {
                return out;
            }
        }
    }

    /// Every `(permission, requirement)` pair in `bits` whose requirement is
    /// neither in `bits` nor implied by a set of `bits`.
    pub(crate) fn missing_requirements(&self, bits: &Bits) -> Vec<(usize, usize)> {
        let held =
            |r: usize| bits.get(r) || self.implied_by(r).iter().any(|set| bits.contains_all(set));
        bits.iter()
            .flat_map(|p| {
                self.requires_of(p)
                    .into_iter()
                    .flat_map(|req| req.iter())
                    .filter(|r| !held(*r))
                    .map(move |r| (p, r))
            })
            .collect()
    }

    /// `permission_scopes` of a role or record, checked: each names a
    /// `scoped` permission, with `none`, `own`, `assigned` or `all`.
    pub(crate) fn permission_scopes(
        &self,
        scopes: &std::collections::BTreeMap<String, Scope>,
        at: &str,
    ) -> Result<Vec<(usize, Scope)>> {
        let mut out = Vec::with_capacity(scopes.len());
        for (name, scope) in scopes {
            let i = self.perm(name).map_err(|_| {
                policy_error(
                    at,
                    format!("`permission_scopes` names unknown permission `{name}`"),
                )
            })?;
            if !self.is_scoped(i) {
                return Err(policy_error(
                    at,
                    format!(
                        "`permission_scopes` names `{name}`, which has no scope of its own (it \
                         follows its kind's view scope)"
                    ),
                ));
            }
            if !matches!(
                scope,
                Scope::None | Scope::Own | Scope::Assigned | Scope::All
            ) {
                return Err(policy_error(
                    at,
                    format!(
                        "`permission_scopes` gives `{name}` scope `{}`: a permission's scope is \
                         `none`, `own`, `assigned` or `all`",
                        scope.name()
                    ),
                ));
            }
            out.push((i, scope.clone()));
        }
        Ok(out)
    }
}

/// What is wrong with an account or staff id as the issuer signs it, if
/// anything: empty, blank around it (a `CHAR(10)` column's padding), or
/// holding a control or invisible character. Such an id is another person
/// to every comparison — a revocation of `u42` misses `u42      ` — so it is
/// refused, never signed (attack review, session 13).
pub(crate) fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        return Some("is empty");
    }
    if id.starts_with(char::is_whitespace) || id.ends_with(char::is_whitespace) {
        return Some("has spaces around it (a padded database column? trim it)");
    }
    if id.chars().any(invisible) {
        return Some("holds a control or invisible character");
    }
    None
}

/// The id a refused one was meant to be (trimmed, without invisible
/// characters), when that differs: a refused edit of account `" spa-lumi"`
/// (a padded column) unloads `spa-lumi` too, the account it meant
/// (attack review, session 14).
pub fn meant_id(id: &str) -> Option<String> {
    let meant: String = id.trim().chars().filter(|c| !invisible(*c)).collect();
    let meant = meant.trim();
    (meant != id && !meant.is_empty()).then(|| meant.to_owned())
}

/// The accounts a refused edit of `tenant` must unload: the account itself
/// and the one it meant (padded, invisible characters); `None` when it
/// names none that can be told (empty, blank: a NULL column), so every
/// account. The one rule of `JsonIssuer::unload` and `permsnap serve`.
pub fn accounts_named(tenant: &str) -> Option<Vec<String>> {
    match meant_id(tenant) {
        Some(meant) => Some(vec![tenant.to_owned(), meant]),
        None if id_problem(tenant).is_some() => None,
        None => Some(vec![tenant.to_owned()]),
    }
}

/// The ids among `loaded` that are one of `named` in other letter case
/// (`SPA-LUMI` beside `spa-lumi`, a UUID upper-cased by one language and
/// not by another): what unloading `named` unloads too, and what refuses
/// an edit of `named`. An edit of such a twin loaded a second account and
/// left the first one's roles, perhaps wider, in force (attack reviews,
/// session 24). ASCII letter case: ids are slugs, numbers and UUIDs;
/// folding all of Unicode would cost every issuer build its case tables,
/// 3.5 KB gzip.
pub fn case_twins(named: &[String], loaded: &mut dyn Iterator<Item = &String>) -> Vec<String> {
    loaded
        .filter(|t| named.iter().any(|n| n != *t && n.eq_ignore_ascii_case(t)))
        .cloned()
        .collect()
}

/// The refusal of an edit of `tenant` beside its case twin `twin`.
pub fn case_twin_error(tenant: &str, twin: &str) -> crate::error::Error {
    crate::error::Error::InvalidArgument {
        detail: format!(
            "account `{tenant}` differs from the loaded account `{twin}` only in letter case: \
             one account written two ways? Both are unloaded; load the one its snapshots name"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{id_problem, meant_id};

    #[test]
    fn a_refused_id_means_its_trimmed_visible_form() {
        assert_eq!(meant_id("spa-lumi"), None);
        assert_eq!(meant_id(" spa-lumi").as_deref(), Some("spa-lumi"));
        assert_eq!(meant_id("spa-lumi      ").as_deref(), Some("spa-lumi"));
        assert_eq!(
            meant_id("spa\u{200B}-lumi\u{FEFF}").as_deref(),
            Some("spa-lumi")
        );
        assert_eq!(meant_id(" \u{200B} ").as_deref(), None);
        assert_eq!(meant_id("").as_deref(), None);
    }

    #[test]
    fn ids_are_refused_blank_padded_or_with_invisible_characters() {
        for ok in ["u42", "staff-0004", "Émilie D.", "a b", "42"] {
            assert_eq!(id_problem(ok), None, "{ok:?}");
        }
        for bad in [
            "",
            " ",
            "u42 ",
            " u42",
            "u42\t",
            "u42\n",
            "\u{200B}u42",
            "u\u{200D}42",
            "u42\u{FEFF}",
            "u\u{202E}42",
            "u\u{0}42",
            "u42\u{3164}",
            "\u{115F}u42",
            "u\u{034F}42",
            "u42\u{FE0F}",
            "u42\u{E0041}",
            "u42\u{2800}",
        ] {
            assert!(id_problem(bad).is_some(), "{bad:?}");
        }
    }
}
