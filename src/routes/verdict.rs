//! One rule decided on one verified snapshot, as data: which permission
//! or application is missing, or which PIN-protected permissions a step-up
//! proof must cover. The caller words it, and checks a proof.

use super::table::Rule;

/// A verified snapshot, as a rule reads it.
pub trait Holder {
    /// Whether permission `i` is granted (the effective permissions).
    fn granted(&self, i: usize) -> bool;
    /// Whether the person may enter application `a`.
    fn in_app(&self, a: usize) -> bool;
    /// Whether permission `i` needs the acting person's PIN first (a
    /// shared account's step-up).
    fn pinned(&self, i: usize) -> bool;
}

/// What a rule says of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed.
    Allowed,
    /// Required permission `i` is not granted (403 `forbidden`).
    Missing(usize),
    /// None of the rule's `any` permissions is granted (403 `forbidden`).
    NoneOf,
    /// The person may not enter application `a` (403 `app_not_allowed`).
    NoApp(usize),
    /// PINs for several things, which one proof cannot give: these
    /// required permissions, and the `any` clause when `any` (its granted
    /// permissions) is not empty.
    Pins {
        /// The required permissions behind a PIN.
        pinned: Vec<usize>,
        /// The `any` clause's granted permissions, each behind a PIN
        /// (empty: the clause needs none).
        any: Vec<usize>,
    },
    /// A PIN for one of these permissions: allowed with a step-up proof
    /// for one of them, 403 `step_up_required` without.
    Pin(Vec<usize>),
}

/// Decides `rule` (not public) on `holder`.
pub fn verdict(rule: &Rule, holder: &impl Holder) -> Verdict {
    if let Some(&i) = rule.requires.iter().find(|&&i| !holder.granted(i)) {
        return Verdict::Missing(i);
    }
    let granted_any: Vec<usize> = rule
        .any
        .iter()
        .copied()
        .filter(|&i| holder.granted(i))
        .collect();
    if !rule.any.is_empty() && granted_any.is_empty() {
        return Verdict::NoneOf;
    }
    if let Some(a) = rule.app.filter(|&a| !holder.in_app(a)) {
        return Verdict::NoApp(a);
    }
    // What needs a PIN here: each required permission behind one, and
    // the `any` clause when every granted permission of it is behind
    // one (it is met without a PIN by a granted one that needs none).
    let mut pinned: Vec<usize> = Vec::new();
    for &i in &rule.requires {
        if holder.pinned(i) && !pinned.contains(&i) {
            pinned.push(i);
        }
    }
    // The `any` clause needs a PIN of its own unless one of its granted
    // permissions is a required one already proved (`requires` and
    // `any` may name the same permission).
    let any_pinned = !granted_any.is_empty()
        && granted_any.iter().all(|&i| holder.pinned(i))
        && !granted_any.iter().any(|i| pinned.contains(i));
    // A proof proves one permission: a route needing PINs for several
    // (two required ones, or a required one and the `any` clause)
    // cannot be opened by one proof.
    if pinned.len() + usize::from(any_pinned) > 1 {
        return Verdict::Pins {
            pinned,
            any: if any_pinned { granted_any } else { Vec::new() },
        };
    }
    match (pinned.first(), any_pinned) {
        (Some(&i), _) => Verdict::Pin(vec![i]),
        (None, true) => Verdict::Pin(granted_any),
        (None, false) => Verdict::Allowed,
    }
}
