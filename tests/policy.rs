//! Policy validation: errors name the file, the entry and the problem.
#![cfg(feature = "issuer")]

use permsnap::issuer::Policy;

fn policy(catalog: &str, staff: &str) -> Result<Policy, permsnap::Error> {
    let json = format!(r#"{{"tenant": "t", "catalog": {catalog}, "staff": {staff}}}"#);
    Policy::from_json(&json, "shop.json")
}

const PERMS: &str = r#"[
  {"name": "a.view", "section": "a"},
  {"name": "a.edit", "section": "a", "requires": ["a.view"]},
  {"name": "billing.manage", "section": "billing", "owner_only": true}
]"#;

fn catalog(roles: &str) -> String {
    format!(
        r#"{{"name": "c", "permissions": {PERMS}, "kinds": [{{"name": "clients", "fields": [{{"name": "email"}}]}}], "roles": {roles}}}"#
    )
}

fn err(catalog: &str, staff: &str) -> String {
    let e = policy(catalog, staff).unwrap_err();
    assert_eq!(e.code(), "invalid_policy");
    e.to_string()
}

#[test]
fn a_valid_policy_loads() {
    let p = policy(
        &catalog(r#"[{"id": "r", "permissions": ["a.*"]}]"#),
        r#"[{"id": "s", "role": "r"}]"#,
    )
    .unwrap();
    assert_eq!(p.catalog().permission_count(), 3);
    assert!(p.problems().is_empty());
}

#[test]
fn unknown_permission_in_a_role() {
    let e = err(
        &catalog(r#"[{"id": "r", "permissions": ["a.veiw"]}]"#),
        "[]",
    );
    assert_eq!(e, "shop.json: role `r`: unknown permission `a.veiw`");
}

#[test]
fn dependency_cycle() {
    let c = r#"{"name": "c", "permissions": [
        {"name": "x", "section": "s", "requires": ["y"]},
        {"name": "y", "section": "s", "requires": ["z"]},
        {"name": "z", "section": "s", "requires": ["x"]}]}"#;
    assert!(err(c, "[]").contains("dependency cycle"));
}

#[test]
fn role_granting_an_owner_only_power() {
    let e = err(
        &catalog(r#"[{"id": "r", "permissions": ["billing.manage"]}]"#),
        "[]",
    );
    assert!(
        e.starts_with("shop.json: role `r`: grants owner-only power `billing.manage`"),
        "{e}"
    );
    // `*` never expands to owner-only powers
    let p = policy(
        &catalog(r#"[{"id": "all", "permissions": ["*"]}]"#),
        r#"[{"id": "s", "role": "all"}]"#,
    )
    .unwrap();
    assert!(p.problems().is_empty());
}

#[test]
fn role_missing_a_requirement() {
    let e = err(
        &catalog(r#"[{"id": "r", "permissions": ["a.edit"]}]"#),
        "[]",
    );
    assert!(
        e.contains("grants `a.edit`, which requires `a.view`"),
        "{e}"
    );
}

#[test]
fn two_principal_admins() {
    let e = err(
        &catalog(r#"[{"id": "o", "owner": true}]"#),
        r#"[{"id": "p1", "role": "o", "principal": true}, {"id": "p2", "role": "o", "principal": true}]"#,
    );
    assert!(e.contains("staff `p2`: is a second principal admin"), "{e}");
}

#[test]
fn staff_entries_are_checked() {
    let c = catalog(r#"[{"id": "r", "permissions": ["a.view"]}]"#);
    assert!(err(&c, r#"[{"id": "s", "role": "nope"}]"#).contains("unknown role `nope`"));
    assert!(err(
        &c,
        r#"[{"id": "s", "role": "r"}, {"id": "s", "role": "r"}]"#
    )
    .contains("defined twice"));
    assert!(err(
        &c,
        r#"[{"id": "s", "role": "r", "hidden_fields": {"clients": ["phone"]}}]"#
    )
    .contains("hidden field `phone`"));
    assert!(err(
        &c,
        r#"[{"id": "s", "role": "r", "scopes": {"invoices": "all"}}]"#
    )
    .contains("unknown kind `invoices`"));
    assert!(err(
        &c,
        r#"[{"id": "s", "role": "r", "grant": ["billing.manage"]}]"#
    )
    .contains("owner-only"));
    assert!(err(&c, r#"[{"id": "s"}]"#).contains("no role and is not an owner"));
    assert!(err(&c, r#"[{"id": "s", "role": "r", "pin_hash": "x"}]"#).contains("secret material"));
    assert!(
        err(&c, r#"[{"id": "s", "role": "r", "colour": "x"}]"#).contains("unknown field `colour`")
    );
}

#[test]
fn removing_a_requirement_is_reported_and_refused_at_issue() {
    let p = policy(
        &catalog(r#"[{"id": "r", "permissions": ["a.view", "a.edit"]}]"#),
        r#"[{"id": "s", "role": "r", "remove": ["a.view"]}, {"id": "ok", "role": "r"}]"#,
    )
    .unwrap();
    let problems = p.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code(), "missing_requirement");
    assert_eq!(
        p.claims_for("s", &permsnap::issuer::IssueOptions::at(0))
            .unwrap_err()
            .code(),
        "missing_requirement"
    );
    assert_eq!(
        p.claims_for("zz", &permsnap::issuer::IssueOptions::at(0))
            .unwrap_err()
            .code(),
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
