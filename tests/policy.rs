//! Policy files: the catalog must be valid for the file to load; every
//! problem of a role, a person or the account is reported by `problems`,
//! naming what it concerns, and refuses only the people it concerns.
#![cfg(feature = "issuer")]

use permsnap::issuer::{IssueOptions, Policy};

fn policy(roles: &str, staff: &str) -> Result<Policy, permsnap::Error> {
    policy_with(&catalog(), roles, staff)
}

fn policy_with(catalog: &str, roles: &str, staff: &str) -> Result<Policy, permsnap::Error> {
    let json =
        format!(r#"{{"tenant": "t", "catalog": {catalog}, "roles": {roles}, "staff": {staff}}}"#);
    Policy::from_json(&json, "shop.json")
}

fn catalog() -> String {
    r#"{"name": "c", "permissions": [
  {"name": "a.view", "section": "a"},
  {"name": "a.edit", "section": "a", "requires": ["a.view"]},
  {"name": "billing.manage", "section": "billing", "owner_only": true}
], "kinds": [{"name": "clients", "fields": [{"name": "email"}]}]}"#
        .into()
}

fn err(catalog: &str) -> String {
    let e = policy_with(catalog, "[]", "[]").unwrap_err();
    assert_eq!(e.code(), "invalid_policy");
    e.to_string()
}

/// The messages of every problem.
fn problems(roles: &str, staff: &str) -> Vec<String> {
    policy(roles, staff)
        .unwrap()
        .problems()
        .iter()
        .map(|e| format!("{}: {e}", e.code()))
        .collect()
}

/// Whether staff `id` can be issued a snapshot.
fn issues(p: &Policy, id: &str) -> bool {
    p.claims_for(id, &IssueOptions::at(0)).is_ok()
}

#[test]
fn a_valid_policy_loads() {
    let p = policy(
        r#"[{"id": "r", "permissions": ["a.*"]}]"#,
        r#"[{"id": "s", "roles": ["r"]}]"#,
    )
    .unwrap();
    assert_eq!(p.catalog().permission_count(), 3);
    assert!(p.problems().is_empty());
    assert!(issues(&p, "s"));
}

#[test]
fn a_broken_role_refuses_only_its_holders() {
    let roles =
        r#"[{"id": "r", "permissions": ["a.veiw"]}, {"id": "ok", "permissions": ["a.view"]}]"#;
    let p = policy(
        roles,
        r#"[{"id": "s", "roles": ["r"]}, {"id": "u", "roles": ["ok"]}]"#,
    )
    .unwrap();
    let found = problems(
        roles,
        r#"[{"id": "s", "roles": ["r"]}, {"id": "u", "roles": ["ok"]}]"#,
    );
    assert_eq!(
        found[0],
        "invalid_policy: shop.json: role `r`: unknown permission `a.veiw`"
    );
    assert!(
        found[1].starts_with(
            "unknown_role: refusing to issue: staff member `s` holds role `r`, which is invalid"
        ),
        "{found:?}"
    );
    assert_eq!(found.len(), 2);
    assert!(!issues(&p, "s"));
    assert!(issues(&p, "u"), "another person is not refused");
    // A role no one holds is still reported.
    assert_eq!(problems(roles, "[]").len(), 1);
}

#[test]
fn a_deleted_role_refuses_only_its_holders() {
    let p = policy(
        r#"[{"id": "ok", "permissions": ["a.view"]}]"#,
        r#"[{"id": "s", "roles": ["gone"]}, {"id": "u", "roles": ["ok"]}]"#,
    )
    .unwrap();
    let e = p.claims_for("s", &IssueOptions::at(0)).unwrap_err();
    assert_eq!(e.code(), "unknown_role");
    assert!(e
        .to_string()
        .contains("holds role `gone`, which the account does not define"));
    assert!(issues(&p, "u"));
}

#[test]
fn dependency_cycle_refuses_the_catalog() {
    let c = r#"{"name": "c", "permissions": [
        {"name": "x", "section": "s", "requires": ["y"]},
        {"name": "y", "section": "s", "requires": ["z"]},
        {"name": "z", "section": "s", "requires": ["x"]}]}"#;
    assert!(err(c).contains("dependency cycle"));
}

#[test]
fn role_granting_an_owner_only_power() {
    let found = problems(r#"[{"id": "r", "permissions": ["billing.manage"]}]"#, "[]");
    assert!(
        found[0].starts_with(
            "invalid_policy: shop.json: role `r`: grants owner-only power `billing.manage`"
        ),
        "{found:?}"
    );
    // `*` never expands to owner-only powers
    let p = policy(
        r#"[{"id": "all", "permissions": ["*"]}]"#,
        r#"[{"id": "s", "roles": ["all"]}]"#,
    )
    .unwrap();
    assert!(p.problems().is_empty());
}

#[test]
fn role_missing_a_requirement_warns_each_holder_and_refuses_no_one() {
    // « requires » is what a product means by "only works with": the
    // person keeps their snapshot, the permission answers no, and each
    // holder is named.
    let p = policy(
        r#"[{"id": "r", "permissions": ["a.edit"]}]"#,
        r#"[{"id": "s1", "roles": ["r"]}, {"id": "s2", "roles": ["r"]}]"#,
    )
    .unwrap();
    assert!(p.problems().is_empty());
    let w: Vec<(String, &str)> = p
        .warnings()
        .iter()
        .map(|w| (w.staff.clone(), w.code))
        .collect();
    assert_eq!(
        w,
        [
            ("s1".to_owned(), "requirement_not_held"),
            ("s2".to_owned(), "requirement_not_held")
        ]
    );
    assert!(issues(&p, "s1"));
}

#[test]
fn two_principal_admins_is_an_account_problem_that_refuses_no_one() {
    let roles = r#"[{"id": "o", "owner": true}]"#;
    let staff = r#"[{"id": "p1", "roles": ["o"], "principal": true}, {"id": "p2", "roles": ["o"], "principal": true}]"#;
    let found = problems(roles, staff);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("account: has 2 principal admins (p1, p2)"),
        "{found:?}"
    );
    let p = policy(roles, staff).unwrap();
    assert!(issues(&p, "p1") && issues(&p, "p2"));
}

#[test]
fn staff_entries_are_checked_one_by_one() {
    let roles = r#"[{"id": "r", "permissions": ["a.view"]}]"#;
    let one = |staff: &str| problems(roles, &format!("[{staff}]")).join("\n");
    assert!(one(r#"{"id": "s", "roles": ["nope"]}"#).contains("holds role `nope`"));
    assert!(problems(
        roles,
        r#"[{"id": "s", "roles": ["r"]}, {"id": "s", "roles": ["r"]}]"#
    )
    .join("\n")
    .contains("defined twice"));
    assert!(
        one(r#"{"id": "s", "roles": ["r"], "hidden_fields": {"clients": ["phone"]}}"#)
            .contains("hidden field `phone`")
    );
    assert!(
        one(r#"{"id": "s", "roles": ["r"], "scopes": {"invoices": "all"}}"#)
            .contains("unknown kind `invoices`")
    );
    assert!(
        one(r#"{"id": "s", "roles": ["r"], "grant": ["billing.manage"]}"#).contains("owner-only")
    );
    assert!(one(r#"{"id": "s"}"#).contains("no role and is not an owner"));
    assert!(one(r#"{"id": "s", "roles": ["r", "r"]}"#).contains("holds role `r` twice"));
    assert!(one(r#"{"id": "s", "roles": ["r"], "remove": ["a.veiw"]}"#)
        .contains("`remove` names unknown permission `a.veiw`"));
    // Shape errors are the file's: secret material, unknown keys, the old `role`.
    for bad in [
        r#"{"id": "s", "roles": ["r"], "pin_hash": "x"}"#,
        r#"{"id": "s", "roles": ["r"], "colour": "x"}"#,
        r#"{"id": "s", "role": "r"}"#,
    ] {
        let e = policy(roles, &format!("[{bad}]")).unwrap_err().to_string();
        assert!(
            e.contains("secret material") || e.contains("unknown field"),
            "{e}"
        );
    }
}

#[test]
fn removing_a_requirement_is_warned_and_the_person_still_issued() {
    let p = policy(
        r#"[{"id": "r", "permissions": ["a.view", "a.edit"]}]"#,
        r#"[{"id": "s", "roles": ["r"], "remove": ["a.view"]}, {"id": "ok", "roles": ["r"]}]"#,
    )
    .unwrap();
    assert!(p.problems().is_empty());
    let w = p.warnings();
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].code, w[0].staff.as_str()),
        ("requirement_not_held", "s")
    );
    assert!(
        w[0].detail.contains("leaves `a.edit` without `a.view`"),
        "{}",
        w[0].detail
    );
    assert_eq!(w[0].field, "remove", "what caused it");
    assert!(issues(&p, "s") && issues(&p, "ok"));
    assert_eq!(
        p.claims_for("zz", &IssueOptions::at(0)).unwrap_err().code(),
        "unknown_staff"
    );
}

#[test]
fn the_catalog_part_of_every_preset_loads_alone_with_the_same_fingerprint() {
    for name in ["sitee", "ecwid", "shopify-partner", "amilia", "lightspeed"] {
        let path = format!("{}/presets/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let json = std::fs::read_to_string(&path).unwrap();
        let policy = Policy::from_json(&json, &path).unwrap();
        let catalog_only = serde_json::to_string(policy.catalog().def().unwrap()).unwrap();
        let cat = permsnap::Catalog::from_json(&catalog_only, "catalog").unwrap();
        assert_eq!(cat.fingerprint(), policy.catalog().fingerprint(), "{name}");
    }
}

#[test]
fn editing_roles_and_staff_changes_no_byte_of_the_catalog() {
    let path = format!("{}/presets/sitee.json", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(&path).unwrap();
    let base = Policy::from_json(&json, "a").unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Give one permission to one role, delete another role, add a person.
    doc["roles"][0]["permissions"]
        .as_array_mut()
        .unwrap()
        .push("clients.tags".into());
    doc["roles"].as_array_mut().unwrap().pop();
    doc["staff"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"id": "new", "roles": ["user"]}));
    let edited = Policy::from_json(&doc.to_string(), "b").unwrap();
    assert_eq!(
        edited.catalog().to_bytes().unwrap(),
        base.catalog().to_bytes().unwrap()
    );
    assert_eq!(edited.catalog().fingerprint(), base.catalog().fingerprint());
}

#[test]
fn the_json_schema_names_exactly_the_keys_the_reader_accepts() {
    let path = format!("{}/schema/policy.schema.json", env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let mut record: Vec<String> = permsnap::issuer::RECORD_KEYS
        .iter()
        .map(|k| k.to_string())
        .collect();
    record.sort();
    assert_eq!(keys(&schema["$defs"]["staff"]), record);
    assert_eq!(
        keys(&schema),
        ["$schema", "catalog", "features", "roles", "staff", "tenant"]
    );
    let role = serde_json::to_value(permsnap::RoleDef::default()).unwrap();
    let mut role_keys: Vec<String> = role.as_object().unwrap().keys().cloned().collect();
    role_keys.sort();
    assert_eq!(keys(&schema["properties"]["roles"]["items"]), role_keys);
    assert!(!schema["$defs"]["catalog"]["properties"]
        .as_object()
        .unwrap()
        .contains_key("roles"));
    // The catalog and its entries: every key the reader has, and no other.
    let def: permsnap::CatalogDef = serde_json::from_str(
        r#"{"name": "c", "applications": [{"id": "a"}], "features": [{"id": "f"}],
            "permissions": [{"name": "p", "section": "s"}], "kinds": [{"name": "k"}]}"#,
    )
    .unwrap();
    let value = serde_json::to_value(&def).unwrap();
    let sorted = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let cat = &schema["$defs"]["catalog"];
    assert_eq!(keys(cat), sorted(&value));
    assert_eq!(
        keys(&cat["properties"]["account"]),
        sorted(&value["account"])
    );
    assert_eq!(
        keys(&cat["properties"]["account"]["properties"]["shared_account"]),
        sorted(&value["account"]["shared_account"])
    );
    for list in ["applications", "features", "permissions", "kinds"] {
        assert_eq!(
            keys(&cat["properties"][list]["items"]),
            sorted(&value[list][0]),
            "{list}"
        );
    }
}

#[test]
fn principal_only_powers_go_to_the_principal_admin_alone() {
    let catalog = r#"{"name": "c", "account": {"principal": "one"}, "permissions": [
        {"name": "a.view", "section": "a"},
        {"name": "account.credentials", "section": "account", "principal_only": true}]}"#;
    let roles = r#"[{"id": "o", "owner": true}, {"id": "all", "permissions": ["*"]}]"#;
    let p = policy_with(
        catalog,
        roles,
        r#"[{"id": "boss", "roles": ["o"], "principal": true}, {"id": "co", "roles": ["o"]},
            {"id": "co2", "roles": ["o"], "grant": ["account.credentials"]}, {"id": "u", "roles": ["all"]}]"#,
    )
    .unwrap();
    let has = |id: &str| {
        let (c, _) = p.claims_for(id, &IssueOptions::at(0)).unwrap();
        c.permissions
            .get(p.catalog().perm("account.credentials").unwrap())
    };
    assert!(has("boss"));
    assert!(!has("co"), "another owner is not the principal");
    assert!(!has("u"), "`*` never expands to it");
    let e = p.claims_for("co2", &IssueOptions::at(0)).unwrap_err();
    assert!(e.to_string().contains("the principal admin's alone"), "{e}");
    // The definition-only rules leave the compiled catalog as it was.
    let plain = policy_with(
        &catalog
            .replace(r#""account": {"principal": "one"}, "#, "")
            .replace(r#", "principal_only": true"#, r#", "owner_only": true"#),
        roles,
        "[]",
    )
    .unwrap();
    assert_eq!(
        plain.catalog().to_bytes().unwrap(),
        p.catalog().to_bytes().unwrap()
    );
}

/// Three kinds: two with a permission acting on them, `customers` with
/// none; `clients.export` acts on clients through what it requires.
fn kinds_catalog() -> String {
    r#"{"name": "c", "sections": [{"id": "clients"}, {"id": "payments"}, {"id": "billing"}], "permissions": [
  {"name": "clients.view", "section": "clients", "scope_kind": "clients"},
  {"name": "payments.view", "section": "payments", "scope_kind": "payments"},
  {"name": "payments.payout_bank_change", "section": "billing"},
  {"name": "clients.export", "section": "clients", "requires": ["clients.view"]},
  {"name": "clients.notes", "section": "clients", "scope_kind": "clients"},
  {"name": "clients.report", "section": "clients", "scope_kind": "clients", "scoped": true},
  {"name": "clients.crm_view", "section": "clients", "scope_kind": "clients", "app": "crm"}
], "applications": [{"id": "crm"}], "kinds": [{"name": "clients", "fields": [{"name": "email"}, {"name": "phone"}]}, {"name": "payments"}, {"name": "customers", "fields": [{"name": "email"}]}]}"#
        .into()
}

const CLERK: &str = r#"{"id": "clerk", "permissions": ["clients.view"], "scopes": {"clients": "own", "customers": "own"}, "hidden_fields": {"clients": ["email", "phone"], "customers": ["email"]}}"#;

#[test]
fn a_roles_star_scope_speaks_for_the_kinds_it_acts_on() {
    use permsnap::Scope;
    // Attack review, session 17: a payments-only role written the natural
    // way, `"*": "all"`, gave a clerk holding it too every client, their
    // email and phone shown (the role giving the widest scope hid nothing).
    // Re-review: also on a kind no permission acts on (customers), and
    // when the record removes what made the role act on a kind.
    let auditor = r#"{"id": "auditor", "permissions": ["payments.view"], "scopes": {"*": "all"}}"#;
    let supervisor =
        r#"{"id": "supervisor", "permissions": ["clients.notes"], "scopes": {"*": "all"}}"#;
    let exporter =
        r#"{"id": "exporter", "permissions": ["clients.export"], "scopes": {"*": "all"}}"#;
    let reporter = r#"{"id": "reporter", "permissions": ["clients.report"], "scopes": {"*": "all"}, "permission_scopes": {"clients.report": "own"}}"#;
    let crmer = r#"{"id": "crmer", "permissions": ["clients.crm_view"], "scopes": {"*": "all"}, "apps": ["crm"]}"#;
    let roles = format!("[{CLERK}, {auditor}, {supervisor}, {exporter}, {reporter}, {crmer}]");
    let p = policy_with(
        &kinds_catalog(),
        &roles,
        r#"[{"id": "a", "roles": ["clerk", "auditor"]}, {"id": "b", "roles": ["auditor"]},
            {"id": "r", "roles": ["clerk", "supervisor"], "remove": ["clients.notes"]},
            {"id": "n", "roles": ["clerk", "supervisor"]},
            {"id": "x", "roles": ["clerk", "exporter"]},
            {"id": "s", "roles": ["clerk", "reporter"]},
            {"id": "c", "roles": ["clerk", "crmer"], "apps": []}]"#,
    )
    .unwrap();
    let claims = |id: &str| p.claims_for(id, &IssueOptions::at(0)).unwrap().0;
    let fields = |c: &permsnap::Claims, k: usize| {
        c.hidden
            .get(k)
            .map(|h| h.iter().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let a = claims("a");
    assert_eq!(a.scopes, vec![Scope::Own, Scope::All, Scope::Own]);
    assert_eq!((fields(&a, 0), fields(&a, 2)), (vec![0, 1], vec![0]));
    // No held role names clients: the `*` speaks for them.
    assert_eq!(claims("b").scopes, vec![Scope::All, Scope::All, Scope::All]);
    // The record removed what made the supervisor act on clients.
    let r = claims("r");
    assert_eq!(r.scopes.first(), Some(&Scope::Own));
    assert_eq!(fields(&r, 0), vec![0, 1]);
    // It acts on clients (clients.notes): its `*` widens them, and as the
    // role giving that scope, it decides what is hidden.
    let n = claims("n");
    assert_eq!(n.scopes.first(), Some(&Scope::All));
    assert_eq!(fields(&n, 0), Vec::<usize>::new());
    // clients.export acts on clients through clients.view, which it needs.
    assert_eq!(claims("x").scopes.first(), Some(&Scope::All));
    // Third review: not through a `scoped` permission (its own scope), nor
    // one of an application the record takes away.
    for id in ["s", "c"] {
        let c = claims(id);
        assert_eq!(c.scopes.first(), Some(&Scope::Own), "{id}");
        assert_eq!(fields(&c, 0), vec![0, 1], "{id}");
    }
    // A kind the role names is its own, whatever it grants.
    let named = r#"{"id": "auditor", "permissions": ["payments.view"], "scopes": {"clients": "all", "payments": "all"}}"#;
    let p = policy_with(
        &kinds_catalog(),
        &format!("[{CLERK}, {named}]"),
        r#"[{"id": "a", "roles": ["clerk", "auditor"]}]"#,
    )
    .unwrap();
    let (claims, _) = p.claims_for("a", &IssueOptions::at(0)).unwrap();
    assert_eq!(claims.scopes.first(), Some(&Scope::All));
}

#[test]
fn a_section_pattern_takes_that_section_only() {
    // Attack review, session 17: `payments.*` also matched every name
    // starting with `payments.`, `payments.payout_bank_change` of billing
    // too.
    let p = policy_with(
        &kinds_catalog(),
        r#"[{"id": "cashier", "permissions": ["payments.*"]}]"#,
        r#"[{"id": "b", "roles": ["cashier"]}]"#,
    )
    .unwrap();
    let (claims, _) = p.claims_for("b", &IssueOptions::at(0)).unwrap();
    let names: Vec<&str> = claims
        .permissions
        .iter()
        .map(|i| p.catalog().perm_name(i))
        .collect();
    assert_eq!(names, vec!["payments.view"]);
    // A pattern naming no section is refused, listing them.
    let found = problems_with(
        &kinds_catalog(),
        r#"[{"id": "r", "permissions": ["payment.*"]}]"#,
        "[]",
    );
    assert!(
        found[0].contains("pattern `payment.*` names no section")
            && found[0].contains("billing, clients, payments"),
        "{found:?}"
    );
}

#[test]
fn a_staff_id_defined_twice_is_issued_from_neither_record() {
    // Attack review, session 17: `issue --staff a` signed the first record
    // of two, an owner's above a clerk's.
    let p = policy(
        r#"[{"id": "r", "permissions": ["a.view"]}]"#,
        r#"[{"id": "a", "owner": true}, {"id": "a", "roles": ["r"]}, {"id": "b", "roles": ["r"]}]"#,
    )
    .unwrap();
    let e = p.claims_for("a", &IssueOptions::at(0)).unwrap_err();
    assert_eq!(e.code(), "invalid_policy");
    assert!(e.to_string().contains("staff `a`: is defined twice"), "{e}");
    assert!(issues(&p, "b"));
}

fn problems_with(catalog: &str, roles: &str, staff: &str) -> Vec<String> {
    policy_with(catalog, roles, staff)
        .unwrap()
        .problems()
        .iter()
        .map(|e| format!("{}: {e}", e.code()))
        .collect()
}

#[test]
fn role_ids_and_catalog_names_that_read_alike_are_refused() {
    // Attack review, session 17: `clerk\u{200b}` and `clerk ` were roles
    // beside `clerk`, `Clerk` an owner role beside it; a catalog held
    // `payments.view` twice, once with a zero-width space, and
    // `Payments.View` beside `payments.view`.
    for id in ["clerk\u{200b}", "clerk ", "cl\u{7}erk"] {
        let roles = format!(
            r#"[{{"id": "clerk", "permissions": ["a.view"]}}, {{"id": {}, "owner": true}}]"#,
            serde_json::to_string(id).unwrap()
        );
        let staff = format!(
            r#"[{{"id": "s", "roles": [{}]}}, {{"id": "u", "roles": ["clerk"]}}]"#,
            serde_json::to_string(id).unwrap()
        );
        let p = policy(&roles, &staff).unwrap();
        assert!(!issues(&p, "s"), "{id:?}");
        assert!(issues(&p, "u"), "{id:?}: the real clerk still issues");
        let found = problems(&roles, &staff);
        assert!(found.iter().any(|f| f.contains("its id")), "{found:?}");
    }
    let roles = r#"[{"id": "clerk", "permissions": ["a.view"]}, {"id": "Clerk", "owner": true}]"#;
    let staff = r#"[{"id": "s", "roles": ["Clerk"]}, {"id": "u", "roles": ["clerk"]}]"#;
    let p = policy(roles, staff).unwrap();
    assert!(!issues(&p, "s") && !issues(&p, "u"));
    assert!(problems(roles, staff)
        .iter()
        .any(|f| f.contains("only in letter case")));
    let catalog =
        |names: &str| format!(r#"{{"name": "c", "permissions": [{names}], "kinds": []}}"#);
    let e = err(&catalog(
        r#"{"name": "payments.view", "section": "p"}, {"name": "payments.view\u200b", "section": "p"}"#,
    ));
    assert!(e.contains("invisible character"), "{e}");
    let e = err(&catalog(
        r#"{"name": "payments.view", "section": "p"}, {"name": "Payments.View", "section": "p"}"#,
    ));
    // A twin that does not read (`serve`, Node's and Python's
    // `setAccount`) still refuses the other (re-review, session 17).
    let base = policy("[]", "[]").unwrap();
    let roles = permsnap::Roles::from_json(
        base.catalog(),
        r#"[{"id": "clerk", "permissions": ["a.view"]}, {"id": "Clerk", "owner": true, "bogus": 1}]"#,
    )
    .unwrap();
    let twin = roles.get("u", "clerk").unwrap_err();
    assert!(twin.to_string().contains("only in letter case"), "{twin}");
    // Field names too, and the invisible characters of other scripts.
    let kinds = |fields: &str| {
        format!(
            r#"{{"name": "c", "permissions": [], "kinds": [{{"name": "clients", "fields": [{fields}]}}]}}"#
        )
    };
    assert!(err(&kinds(r#"{"name": "phone"}, {"name": "phone\u200b"}"#)).contains("invisible"));
    assert!(err(&kinds(r#"{"name": "email"}, {"name": "Email"}"#)).contains("only in letter case"));
    assert!(err(&catalog(r#"{"name": "files.read\uFFF9", "section": "p"}"#)).contains("invisible"));
    assert!(
        e.contains("`Payments.View`: differs from `payments.view` only in letter case"),
        "{e}"
    );
}

#[test]
fn an_unmet_requirement_is_warned_about_what_caused_it() {
    // Attack review, session 17: the warning blamed `grant` on a record
    // without one, when a role gave the permission.
    let p = policy(
        r#"[{"id": "r", "permissions": ["a.edit"]}]"#,
        r#"[{"id": "s", "roles": ["r"]}]"#,
    )
    .unwrap();
    let w: Vec<String> = p.warnings().iter().map(|w| w.to_string()).collect();
    assert!(
        w.contains(&"staff `s`: `roles` leave `a.edit` (given by role `r`) without `a.view`, which it requires, so it has no effect".to_owned()),
        "{w:?}"
    );
    // A record's own `grant` (tests/model.rs) and `remove`
    // (removing_a_requirement_is_warned…) are named as such.
}

#[test]
fn a_policy_that_does_not_read_says_where() {
    // Attack review, session 17: `unknown field `excpet`` named no role.
    let e = policy(
        r#"[{"id": "ok", "permissions": ["a.view"]}, {"id": "clerk", "permissions": ["a.view"], "excpet": ["a.edit"]}]"#,
        "[]",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("roles[1] `clerk`: unknown field `excpet`"),
        "{e}"
    );
    let e = policy("[]", r#"[{"id": "s", "roles": [], "remvoe": []}]"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("staff[0] `s`: unknown field `remvoe`"), "{e}");
    let e = policy_with(
        r#"{"name": "c", "permissions": [{"name": "a.view", "section": "a", "owner_onyl": true}], "kinds": []}"#,
        "[]",
        "[]",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("catalog.permissions[0] `a.view`: unknown field `owner_onyl`"),
        "{e}"
    );
}

#[test]
fn the_keys_filters_read_are_top_level_keys() {
    // Attack review, session 17: `id_field: "store.id"` compiled, and the
    // filter read it as one key named so.
    for kind in [
        r#"{"name": "stores", "id_field": "store.id"}"#,
        r#"{"name": "stores", "owner_fields": ["created by"]}"#,
        r#"{"name": "stores", "assignee_field": "team\u200b"}"#,
        r#"{"name": "stores", "owner_fields": [""]}"#,
    ] {
        let e = err(&format!(
            r#"{{"name": "c", "permissions": [], "kinds": [{kind}]}}"#
        ));
        assert!(e.contains("is not a record's top-level key"), "{kind}: {e}");
    }
}
