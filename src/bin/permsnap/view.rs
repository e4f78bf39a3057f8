//! The printed claims view of `issue --json` and `inspect` (resolved names
//! when a catalog is given, indexes otherwise), and the text layout.

use crate::common::*;

pub(crate) fn names(
    cat: Option<&Catalog>,
    bits: &permsnap::model::bits::Bits,
    name: impl Fn(&Catalog, usize) -> String,
) -> Value {
    match cat {
        Some(c) => Value::from(bits.iter().map(|i| name(c, i)).collect::<Vec<_>>()),
        None => Value::from(bits.iter().collect::<Vec<_>>()),
    }
}

pub(crate) fn claims_json(c: &Claims, cat: Option<&Catalog>) -> Value {
    let perm = |c: &Catalog, i: usize| c.perm_name(i).to_owned();
    let app = |c: &Catalog, i: usize| {
        c.tables()
            .applications
            .get(i)
            .map_or_else(|| i.to_string(), |a| a.id.clone())
    };
    let kind_name = |k: usize| {
        cat.and_then(|cat| cat.kind_def(k))
            .map_or_else(|| k.to_string(), |d| d.name.clone())
    };
    let scopes: serde_json::Map<String, Value> = c
        .scopes
        .iter()
        .enumerate()
        .map(|(k, s)| (kind_name(k), serde_json::to_value(s).unwrap_or_default()))
        .collect();
    let hidden: serde_json::Map<String, Value> = c
        .hidden
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.is_empty())
        .map(|(k, h)| {
            let names = h
                .iter()
                .map(|f| {
                    cat.and_then(|cat| cat.kind_def(k))
                        .and_then(|d| d.fields.get(f))
                        .map_or_else(|| Value::from(f), |d| Value::from(d.name.clone()))
                })
                .collect::<Vec<_>>();
            (kind_name(k), Value::from(names))
        })
        .collect();
    let roles: Vec<Value> = c
        .roles
        .iter()
        .map(|r| json!({"id": r.id, "permissions": names(cat, &r.permissions, perm)}))
        .collect();
    json!({
        "tenant": c.tenant, "subject": c.subject,
        "issued_at": c.issued_at, "not_before": c.not_before, "expires_at": c.expires_at,
        "id": hex(&c.id), "epoch": c.epoch, "version": c.version,
        "catalog": hex(&c.catalog), "revision": c.revision,
        "roles": roles,
        "owner": c.flags & wire::FLAG_OWNER != 0,
        "principal": c.flags & wire::FLAG_PRINCIPAL != 0,
        "shared_account": c.flags & wire::FLAG_SHARED != 0,
        "permissions": names(cat, &c.permissions, perm),
        "step_up": names(cat, &c.step_up, perm),
        "scopes": scopes,
        "hidden_fields": hidden,
        "apps": names(cat, &c.apps, app),
    })
}

pub(crate) fn print_view(view: &Value) {
    if let Value::Object(map) = view {
        for (k, v) in map {
            // `inspect` shows documents not verified: their text may hold
            // escape codes and newlines (attack review, session 24).
            let shown = match v {
                Value::String(s) => printable(s).into_owned(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map_or_else(|| x.to_string(), |s| printable(s).into_owned())
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                other => printable(&other.to_string()).into_owned(),
            };
            outln!("{k:<14} {shown}");
        }
    }
}

/// `s` with each control or invisible character written as `\u{…}`, for
/// a terminal or a log: text of a document not verified yet (its key id,
/// in a message; its claims, in `inspect`) held escape codes that cleared
/// the screen and a newline that forged a line (attack review, session 24).
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    // Line and paragraph separators end a line for Unicode-aware readers.
    let hidden =
        |c: char| permsnap::model::catalog::invisible(c) || matches!(c, '\u{2028}' | '\u{2029}');
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
