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
    let field = |c: &Catalog, i: usize| {
        (0..c.kind_count())
            .rev()
            .find(|k| c.field_offset(*k) <= i)
            .and_then(|k| {
                let def = c.kind_def(k)?;
                let f = def.fields.get(i - c.field_offset(k))?;
                Some(format!("{}.{}", def.name, f.name))
            })
            .unwrap_or_else(|| i.to_string())
    };
    let app = |c: &Catalog, i: usize| {
        c.tables()
            .applications
            .get(i)
            .map_or_else(|| i.to_string(), String::clone)
    };
    let scopes: Value = match cat {
        Some(cat) => c
            .scopes
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let name = cat
                    .kind_def(k)
                    .map_or_else(|| k.to_string(), |d| d.name.clone());
                (name, serde_json::to_value(s).unwrap_or_default())
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        None => serde_json::to_value(&c.scopes).unwrap_or_default(),
    };
    let role = match (c.role, cat) {
        (Some(r), Some(cat)) => cat
            .tables()
            .roles
            .get(usize::from(r))
            .map_or(Value::from(r), |d| Value::from(d.id.clone())),
        (Some(r), None) => Value::from(r),
        (None, _) => Value::Null,
    };
    json!({
        "tenant": c.tenant, "subject": c.subject,
        "issued_at": c.issued_at, "not_before": c.not_before, "expires_at": c.expires_at,
        "id": hex(&c.id), "epoch": c.epoch, "catalog": hex(&c.catalog),
        "role": role,
        "owner": c.flags & wire::FLAG_OWNER != 0,
        "principal": c.flags & wire::FLAG_PRINCIPAL != 0,
        "shared_account": c.flags & wire::FLAG_SHARED != 0,
        "permissions": names(cat, &c.permissions, perm),
        "step_up": names(cat, &c.step_up, perm),
        "scopes": scopes,
        "hidden_fields": names(cat, &c.hidden, field),
        "apps": names(cat, &c.apps, app),
    })
}

pub(crate) fn print_view(view: &Value) {
    if let Value::Object(map) = view {
        for (k, v) in map {
            let shown = match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            println!("{k:<14} {shown}");
        }
    }
}
