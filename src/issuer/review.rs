//! The account check: what an app runs when it saves staff (and `permsnap
//! validate` on a policy file). Broken roles, then the product's account
//! rules (repeated staff ids, how many principal admins and owners), then
//! every active person who could not get a snapshot and why, and every
//! warning of those who can. Account rules are reported here and never
//! stop anyone's snapshot.

use super::{merge, Account, Warning};
use crate::error::Error;
use crate::model::catalog::{policy_error, Catalog};
use crate::model::def::{OwnerRule, PrincipalRule, StaffRecord};
use std::collections::HashSet;

/// Reviews `staff` of `account`; `origin` (a file name, or empty) starts
/// every message.
pub(crate) fn review(
    catalog: &Catalog,
    account: &Account,
    staff: &[StaffRecord],
    origin: &str,
) -> (Vec<Error>, Vec<Warning>) {
    let at = |what: String| {
        if origin.is_empty() {
            what
        } else {
            format!("{origin}: {what}")
        }
    };
    let mut out: Vec<Error> = account
        .roles()
        .problems()
        .into_iter()
        .map(|(id, p)| policy_error(at(format!("role `{id}`")), p))
        .collect();
    let mut seen = HashSet::new();
    let mut principals = Vec::new();
    let mut owners = Vec::new();
    for s in staff {
        if !seen.insert(s.id.as_str()) {
            out.push(policy_error(
                at(format!("staff `{}`", s.id)),
                "is defined twice",
            ));
        }
        if s.principal && s.active {
            principals.push(s.id.as_str());
        }
        let owner_role = s
            .roles
            .iter()
            .any(|r| account.roles().get(&s.id, r).is_ok_and(|r| r.def.owner));
        if (s.owner || owner_role) && s.active {
            owners.push(s.id.as_str());
        }
    }
    let rules = catalog.def().map(|d| d.account.clone()).unwrap_or_default();
    let mut problem = |detail: String| out.push(policy_error(at("account".into()), detail));
    if principals.is_empty() && rules.principal == PrincipalRule::One {
        problem("has no principal admin: every account of this product has exactly one".into());
    }
    if principals.len() > 1 {
        problem(format!(
            "has {} principal admins ({}): an account has at most one",
            principals.len(),
            principals.join(", ")
        ));
    }
    if rules.owners == OwnerRule::One && owners.len() != 1 {
        problem(format!(
            "has {} owners ({}): every account of this product has exactly one (the account holder)",
            owners.len(),
            owners.join(", ")
        ));
    }
    let mut warnings = Vec::new();
    for s in staff.iter().filter(|s| s.active) {
        match merge::grants(catalog, account, s) {
            Ok(g) => warnings.extend(g.warnings),
            Err(Error::InvalidPolicy { at: a, detail }) => out.push(policy_error(at(a), detail)),
            Err(other) => out.push(other),
        }
    }
    (out, warnings)
}
