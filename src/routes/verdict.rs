//! One rule decided on one verified snapshot, as data: which permission
//! or application is missing, or which PIN-protected permissions a step-up
//! proof must cover. The caller words it, and checks a proof.

use super::table::Rule;
use super::{Decision, Names};

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

/// The reference's answer for a verdict (the person and account left to
/// the caller). `proof_sent`: the request carries a step-up proof. Two
/// verdicts are the caller's to finish: [`Verdict::Missing`], whose
/// message the caller ends with `: ` and the permission's explanation
/// (its `reason` too); and [`Verdict::Pin`] with a proof, which the caller
/// checks (this answers `step_up_required`, as without one).
pub fn worded(v: &Verdict, rule: &Rule, names: &impl Names, proof_sent: bool) -> Decision {
    let list =
        |list: &[usize]| -> Vec<&str> { list.iter().map(|&i| names.permission_name(i)).collect() };
    match v {
        Verdict::Allowed => Decision::answer(200, "ok", "allowed".into()),
        Verdict::Missing(i) => {
            let name = names.permission_name(*i);
            let mut d = Decision::answer(403, "forbidden", format!("`{name}` is needed"));
            d.permission = Some(name.into());
            d
        }
        Verdict::NoneOf => {
            let names = list(&rule.any);
            let mut d = Decision::answer(
                403,
                "forbidden",
                format!("one of {} is needed", names.join(", ")),
            );
            d.permission = Some(names.join(" "));
            d.reason = Some("not_granted".into());
            d
        }
        Verdict::NoApp(a) => {
            let id = names.application_id(*a);
            let mut d = Decision::answer(
                403,
                "app_not_allowed",
                format!("the person may not enter application `{id}`"),
            );
            d.permission = Some(id.into());
            d
        }
        Verdict::Pins { pinned, any } => {
            let mut each: Vec<String> = list(pinned)
                .iter()
                .map(|name| format!("`{name}`"))
                .collect();
            if !any.is_empty() {
                each.push(format!("one of `{}`", list(any).join("`, `")));
            }
            let (code, head) = if proof_sent {
                ("step_up_refused", "step-up proof refused: ")
            } else {
                ("step_up_required", "")
            };
            let mut d = Decision::answer(
                403,
                code,
                format!(
                    "{head}this route needs a PIN for each of {}; a proof proves one",
                    each.join(", ")
                ),
            );
            let mut all = list(pinned);
            all.extend(list(any));
            d.permission = Some(all.join(" "));
            d
        }
        Verdict::Pin(pins) => {
            let names = list(pins);
            let mut d = Decision::answer(
                403,
                "step_up_required",
                format!(
                    "`{}` needs the acting person's PIN first (shared account): send the \
                     step-up proof the backend issues in the `Permsnap-Step-Up` header",
                    names.join("` or `")
                ),
            );
            d.permission = Some(names.join(" "));
            d
        }
    }
}

/// The answer for a step-up proof that opened the request: `actor` gave
/// their PIN for `permission`; `nonce` (16 bytes) is recorded by the
/// origin to accept the proof once.
pub fn proof_allowed(actor: &str, permission: &str, nonce: &[u8]) -> Decision {
    let mut d = Decision::answer(200, "ok", format!("allowed: `{actor}` gave their PIN"));
    d.permission = Some(permission.into());
    d.actor = Some(actor.into());
    d.nonce = Some(crate::error::hex(nonce));
    d
}
