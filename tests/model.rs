//! What the policy model can say beyond roles and grants (issue #13):
//! account features, implications, permissions with their own scope,
//! switches that widen a list, applications entered by their permissions,
//! roles per person, shared-account rules and requirements that leave the
//! person their snapshot. Each through the issuer and a real verifier.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::issuer::{Account, Issuer, Roles};
use permsnap::{Catalog, Options, Scope, StaffRecord, Verifier};

const CATALOG: &str = r#"{"name": "model",
  "applications": [{"id": "back"}, {"id": "ecom", "follows_permissions": true}],
  "features": [{"id": "plus"}, {"id": "affiliates"}],
  "permissions": [
    {"name": "finance.view", "section": "f"},
    {"name": "apps.manage", "section": "f"},
    {"name": "refunds.create", "section": "f", "requires": ["finance.view", "apps.manage"]},
    {"name": "ads.view", "section": "m", "implied_by": [["ads.manage"]]},
    {"name": "ads.manage", "section": "m"},
    {"name": "stores.manage", "section": "s"},
    {"name": "users.export", "section": "s", "implied_by": [["apps.manage", "stores.manage"]]},
    {"name": "plus.stores", "section": "s", "feature": "plus"},
    {"name": "reports.financial", "section": "r", "scope_kind": "payments", "scoped": true},
    {"name": "clients.view", "section": "c", "scope_kind": "clients"},
    {"name": "loyalty.view_all", "section": "c", "gives_scopes": {"clients": "all"}},
    {"name": "ecom.orders", "section": "e", "app": "ecom"},
    {"name": "sales.make", "section": "p", "app": "back"}],
  "kinds": [
    {"name": "clients", "owner_fields": ["created_by"], "fields": [{"name": "phone"}]},
    {"name": "payments", "owner_fields": ["taken_by"]}],
  "account": {"shared_account": {"never": ["finance.view"], "step_up": ["sales.make"]}}}"#;

fn issuer_of(catalog: &str) -> Issuer {
    Issuer::new(Catalog::from_json(catalog, "model").unwrap(), key()).unwrap()
}

fn account(issuer: &Issuer, roles: &str) -> Account {
    Account::new("t", Roles::from_json(issuer.catalog(), roles).unwrap()).unwrap()
}

fn verifier(issuer: &Issuer) -> Verifier {
    Verifier::new(
        issuer.catalog().clone(),
        keyring(),
        Options::for_tenant("t"),
    )
}

fn verify(issuer: &Issuer, account: &Account, staff: &StaffRecord) -> permsnap::Permissions {
    let snap = issuer.issue(account, staff, &opts()).unwrap();
    verifier(issuer).verify(&snap.bytes, NOW).unwrap()
}

fn person(json: &str) -> StaffRecord {
    serde_json::from_str(json).unwrap()
}

const ROLES: &str = r#"[
  {"id": "clerk", "permissions": ["clients.view"], "scopes": {"clients": "own"}},
  {"id": "accountant", "permissions": ["finance.view", "reports.financial"],
   "permission_scopes": {"reports.financial": "own"}, "scopes": {"payments": "all"}},
  {"id": "desk", "permissions": ["sales.make", "clients.view"], "apps": ["back"],
   "scopes": {"clients": "own"}}
]"#;

fn reason(p: &permsnap::Permissions, name: &str) -> (bool, String) {
    let e = p.explain(name).unwrap();
    (e.allowed, e.reason.code().to_owned())
}

#[test]
fn features_the_account_lacks_answer_no_with_a_reason() {
    let i = issuer_of(CATALOG);
    let r = person(r#"{"id": "u", "roles": ["clerk"], "grant": ["plus.stores"]}"#);
    let plain = account(&i, ROLES);
    let snap = i.issue(&plain, &r, &opts()).unwrap();
    assert_eq!(
        snap.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        ["feature_not_enabled"],
        "the grant that cannot work is named"
    );
    // ...by the account check too (what `validate` prints).
    let (problems, warnings) = i.review(&plain, std::slice::from_ref(&r));
    assert!(problems.is_empty());
    assert_eq!(
        warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        ["feature_not_enabled"]
    );
    let p = verify(&i, &plain, &r);
    assert_eq!(
        reason(&p, "plus.stores"),
        (false, "feature_not_enabled".into())
    );
    assert!(!p.has_feature("plus").unwrap());
    assert_eq!(
        p.has_feature("pluss").unwrap_err().code(),
        "unknown_feature"
    );

    let plus = account(&i, ROLES).with_features(["plus"]);
    let p = verify(&i, &plus, &r);
    assert_eq!(
        reason(&p, "plus.stores"),
        (true, "granted_to_person".into())
    );
    assert_eq!(p.features(), ["plus"]);
    // An owner of an account without the feature does not get it either.
    let owner = person(r#"{"id": "o", "owner": true}"#);
    assert!(!verify(&i, &plain, &owner).can("plus.stores").unwrap());
    assert!(verify(&i, &plus, &owner).can("plus.stores").unwrap());
    // An unknown feature on the account is an error, never dropped.
    let typo = account(&i, ROLES).with_features(["pluss"]);
    assert_eq!(
        i.issue(&typo, &r, &opts()).unwrap_err().code(),
        "unknown_feature"
    );
}

#[test]
fn implications_give_a_permission_without_its_own_checkbox() {
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES);
    // « Gérer les annonces » includes the ads dashboard, listed before it.
    let p = verify(
        &i,
        &a,
        &person(r#"{"id": "u", "roles": ["clerk"], "grant": ["ads.manage"]}"#),
    );
    assert_eq!(reason(&p, "ads.view"), (true, "implied".into()));
    assert_eq!(
        p.explain("ads.view").unwrap().message,
        "given by holding `ads.manage`"
    );
    // Two rights together give a third; one alone does not.
    let both = verify(
        &i,
        &a,
        &person(r#"{"id": "u", "roles": ["clerk"], "grant": ["apps.manage", "stores.manage"]}"#),
    );
    assert!(both.can("users.export").unwrap());
    let e = both.explain("users.export").unwrap();
    assert_eq!(e.reason.detail(), Some(("by", "apps.manage+stores.manage")));
    let one = verify(
        &i,
        &a,
        &person(r#"{"id": "u", "roles": ["clerk"], "grant": ["apps.manage"]}"#),
    );
    assert_eq!(reason(&one, "users.export"), (false, "not_granted".into()));
    // Removing the implying right removes what it implied.
    let removed = verify(
        &i,
        &a,
        &person(
            r#"{"id": "u", "roles": ["clerk"], "grant": ["ads.manage"], "remove": ["ads.manage"]}"#,
        ),
    );
    assert!(!removed.can("ads.view").unwrap());
}

#[test]
fn implications_in_a_cycle_give_nothing_by_themselves() {
    let catalog = r#"{"name": "c", "permissions": [
      {"name": "a", "section": "s", "implied_by": [["b"]]},
      {"name": "b", "section": "s", "implied_by": [["a"]]},
      {"name": "c", "section": "s", "requires": ["b"]}]}"#;
    let i = issuer_of(catalog);
    let a = account(&i, r#"[{"id": "r", "permissions": ["c"]}]"#);
    let p = verify(&i, &a, &person(r#"{"id": "u", "roles": ["r"]}"#));
    assert_eq!(p.allowed(), Vec::<&str>::new());
    assert_eq!(reason(&p, "c"), (false, "missing_requirement".into()));
    // Granting `a` implies `b`, which meets `c`'s requirement (a later
    // implied permission, decided by the fixed point).
    let p = verify(
        &i,
        &a,
        &person(r#"{"id": "u", "roles": ["r"], "grant": ["a"]}"#),
    );
    assert_eq!(p.allowed(), ["a", "b", "c"]);
    for bad in [
        r#"{"name": "c", "permissions": [{"name": "a", "section": "s", "implied_by": [["a"]]}]}"#,
        r#"{"name": "c", "permissions": [{"name": "a", "section": "s", "implied_by": [[]]}]}"#,
        r#"{"name": "c", "permissions": [{"name": "a", "section": "s", "implied_by": [["zz"]]}]}"#,
    ] {
        assert_eq!(
            Catalog::from_json(bad, "c").unwrap_err().code(),
            "invalid_policy",
            "{bad}"
        );
    }
}

#[test]
fn a_missing_requirement_leaves_the_person_their_snapshot() {
    // One checkbox whose requirements are absent: the person is warned and
    // keeps everything else; the permission answers no, with the reason.
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES);
    let r = person(
        r#"{"id": "nora", "roles": ["clerk"], "grant": ["finance.view", "refunds.create"]}"#,
    );
    let snap = i.issue(&a, &r, &opts()).unwrap();
    let w: Vec<String> = snap.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        w,
        ["staff `nora`: `grant` leaves `refunds.create` without `apps.manage`, which it requires, so it has no effect"]
    );
    let p = verify(&i, &a, &r);
    assert!(p.can("finance.view").unwrap() && p.can("clients.view").unwrap());
    assert_eq!(
        reason(&p, "refunds.create"),
        (false, "missing_requirement".into())
    );
}

#[test]
fn a_permission_with_its_own_scope_does_not_follow_its_kind() {
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES);
    // The accountant sees every payment, but only her own financial reports.
    let p = verify(&i, &a, &person(r#"{"id": "ana", "roles": ["accountant"]}"#));
    assert_eq!(p.scope("payments").unwrap(), &Scope::All);
    assert_eq!(
        p.permission_scope("reports.financial").unwrap(),
        &Scope::Own
    );
    let payments: Vec<serde_json::Value> =
        serde_json::from_str(r#"[{"id": "1", "taken_by": "ana"}, {"id": "2", "taken_by": "bob"}]"#)
            .unwrap();
    let f = p.filter_for("reports.financial").unwrap();
    let kept: Vec<&serde_json::Value> = payments.iter().filter(|r| f.matches(*r)).collect();
    assert_eq!(kept, [&payments[0]]);
    assert!(p.filter("payments").unwrap().all);
    // Her record widens it to all.
    let all = verify(
        &i,
        &a,
        &person(
            r#"{"id": "ana", "roles": ["accountant"], "permission_scopes": {"reports.financial": "all"}}"#,
        ),
    );
    assert_eq!(
        all.permission_scope("reports.financial").unwrap(),
        &Scope::All
    );
    // A scope for a permission the person does not hold: named.
    let r = person(
        r#"{"id": "u", "roles": ["clerk"], "permission_scopes": {"reports.financial": "all"}}"#,
    );
    let snap = i.issue(&a, &r, &opts()).unwrap();
    assert_eq!(
        snap.warnings
            .iter()
            .map(|w| (w.code, w.field))
            .collect::<Vec<_>>(),
        [("scope_not_held", "permission_scopes")]
    );
    // Granted without a scope: no effect, warned.
    let r = person(r#"{"id": "u", "roles": ["clerk"], "grant": ["reports.financial"]}"#);
    let snap = i.issue(&a, &r, &opts()).unwrap();
    assert_eq!(snap.warnings[0].code, "grant_without_scope");
    assert_eq!(snap.warnings[0].field, "permission_scopes");
    let p = verify(&i, &a, &r);
    assert_eq!(reason(&p, "reports.financial"), (false, "no_scope".into()));
    assert_eq!(
        p.permission_scope("reports.financial").unwrap(),
        &Scope::None
    );
    // A non-scoped permission's scope is its kind's; no kind: an error.
    let p = verify(&i, &a, &person(r#"{"id": "u", "roles": ["clerk"]}"#));
    assert_eq!(p.permission_scope("clients.view").unwrap(), &Scope::Own);
    assert_eq!(
        p.permission_scope("finance.view").unwrap_err().code(),
        "invalid_argument"
    );
    // Names checked: unknown, unscoped, or a list where own/all belong.
    for (bad, says) in [
        (r#"{"reports.financal": "own"}"#, "unknown permission"),
        (r#"{"clients.view": "own"}"#, "no scope of its own"),
        (
            r#"{"reports.financial": {"specific": ["1"]}}"#,
            "scope `specific`",
        ),
    ] {
        let r = person(&format!(
            r#"{{"id": "u", "roles": ["accountant"], "permission_scopes": {bad}}}"#
        ));
        let e = i.issue(&a, &r, &opts()).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
    }
}

#[test]
fn a_view_all_switch_widens_the_list_it_names() {
    // One switch, one setting: holding `loyalty.view_all` makes the
    // clients list `all`, whatever the role's `own`.
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES);
    let p = verify(
        &i,
        &a,
        &person(r#"{"id": "u", "roles": ["clerk"], "grant": ["loyalty.view_all"]}"#),
    );
    assert_eq!(p.scope("clients").unwrap(), &Scope::All);
    let p = verify(&i, &a, &person(r#"{"id": "u", "roles": ["clerk"]}"#));
    assert_eq!(p.scope("clients").unwrap(), &Scope::Own);
    let bad = r#"{"name": "c", "kinds": [{"name": "k"}], "permissions": [
      {"name": "a", "section": "s", "gives_scopes": {"k": "none"}}]}"#;
    assert!(Catalog::from_json(bad, "c")
        .unwrap_err()
        .to_string()
        .contains("gives `own`"));
}

#[test]
fn an_application_can_follow_from_its_permissions() {
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES);
    // eCom follows its permissions: granting one opens it, no app list to sync.
    let r = person(r#"{"id": "u", "roles": ["clerk"], "grant": ["ecom.orders"]}"#);
    let snap = i.issue(&a, &r, &opts()).unwrap();
    assert!(snap.warnings.is_empty(), "{:?}", snap.warnings);
    let p = verify(&i, &a, &r);
    assert!(p.can("ecom.orders").unwrap() && p.has_app("ecom").unwrap());
    // The back office does not: a permission there without it is named.
    let r = person(r#"{"id": "u", "roles": ["clerk"], "grant": ["sales.make"]}"#);
    let snap = i.issue(&a, &r, &opts()).unwrap();
    assert_eq!(snap.warnings[0].code, "grant_without_app");
    assert!(!verify(&i, &a, &r).has_app("back").unwrap());
}

#[test]
fn roles_per_person_is_the_products_rule() {
    let one = CATALOG.replace(
        r#""account": {"#,
        r#""account": {"roles_per_person": "one", "#,
    );
    let i = issuer_of(&one);
    let a = account(&i, ROLES);
    let e = i
        .issue(
            &a,
            &person(r#"{"id": "u", "roles": ["clerk", "accountant"]}"#),
            &opts(),
        )
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("holds 2 roles; in this product a person holds one role"),
        "{e}"
    );
    assert!(i
        .issue(&a, &person(r#"{"id": "v", "roles": ["clerk"]}"#), &opts())
        .is_ok());

    let none = CATALOG.replace(
        r#""account": {"#,
        r#""account": {"roles_per_person": "none", "#,
    );
    let i = issuer_of(&none);
    let a = account(&i, ROLES);
    assert!(i
        .issue(&a, &person(r#"{"id": "u", "roles": ["clerk"]}"#), &opts())
        .unwrap_err()
        .to_string()
        .contains("sets access person by person"));
    // Checkboxes only: a person with grants and no role is issued.
    let p = verify(&i, &a, &person(r#"{"id": "u", "grant": ["finance.view"]}"#));
    assert_eq!(p.allowed(), ["finance.view"]);
}

#[test]
fn shared_accounts_never_hold_what_the_product_forbids_and_take_a_pin() {
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES);
    let desk = person(r#"{"id": "desk", "roles": ["desk"], "shared_account": true}"#);
    let p = verify(&i, &a, &desk);
    assert!(p.is_shared_account());
    assert!(
        p.needs_step_up("sales.make").unwrap(),
        "the product puts sales behind a PIN"
    );
    // A shared account without the PIN-protected right: nothing to warn
    // about (the rule is the product's, not the record's).
    let clerk = person(r#"{"id": "desk2", "roles": ["clerk"], "shared_account": true}"#);
    assert!(i.issue(&a, &clerk, &opts()).unwrap().warnings.is_empty());
    // The same role on a person's own account: no PIN.
    let p = verify(&i, &a, &person(r#"{"id": "eve", "roles": ["desk"]}"#));
    assert!(!p.needs_step_up("sales.make").unwrap());
    // A shared account holding finance: refused, that account only.
    let bad = person(
        r#"{"id": "desk", "roles": ["desk"], "grant": ["finance.view"], "shared_account": true}"#,
    );
    let e = i.issue(&a, &bad, &opts()).unwrap_err().to_string();
    assert!(e.contains("a shared account may never hold"), "{e}");
    let unknown = CATALOG.replace(
        r#""never": ["finance.view"]"#,
        r#""never": ["finance.veiw"]"#,
    );
    assert!(Catalog::from_json(&unknown, "c").is_err());
}

#[test]
fn a_snapshot_must_fit_its_catalogs_features_and_scoped_permissions() {
    // Signed by the right key but not by a well-meaning issuer (another
    // language's bug): refused `malformed`, never read loosely.
    let i = issuer_of(CATALOG);
    let a = account(&i, ROLES).with_features(["plus"]);
    let (good, _) = i
        .claims(
            &a,
            &person(r#"{"id": "ana", "roles": ["accountant"]}"#),
            &opts(),
        )
        .unwrap();
    assert_eq!(good.permission_scopes.len(), 1);
    let v = verifier(&i);
    let load = |c: permsnap::Claims| {
        let s = permsnap::issuer::sign_claims(&key(), c)?;
        v.verify(&s.bytes, NOW).map(|_| ())
    };
    assert!(load(good.clone()).is_ok());
    let code = |c: permsnap::Claims| load(c).unwrap_err().code();
    let clients_view = i.catalog().perm("clients.view").unwrap() as u32;
    let mut c = good.clone();
    c.permission_scopes = vec![(clients_view, Scope::All)];
    assert_eq!(code(c), "malformed", "a scope for a permission without one");
    let mut c = good.clone();
    c.permission_scopes = vec![(999, Scope::All)];
    assert_eq!(code(c), "malformed", "past the catalog");
    let mut c = good.clone();
    c.features.set(2);
    assert_eq!(code(c), "malformed", "a feature the catalog does not have");
    // What no encoder writes: none scopes, lists, repeats or disorder.
    let reports = i.catalog().perm("reports.financial").unwrap() as u32;
    for bad in [
        vec![(reports, Scope::None)],
        vec![(reports, Scope::Specific(vec!["1".into()]))],
        vec![(reports, Scope::All), (reports, Scope::Own)],
    ] {
        let mut c = good.clone();
        c.permission_scopes = bad;
        assert_eq!(code(c), "invalid_argument");
    }
}

#[test]
fn a_derived_permission_has_no_checkbox_of_its_own() {
    let catalog = r#"{"name": "c", "features": [{"id": "shared"}], "permissions": [
      {"name": "credits", "section": "s"}, {"name": "finance", "section": "s"},
      {"name": "refunds", "section": "s", "derived": true, "implied_by": [["credits", "finance"]]},
      {"name": "pos.sell", "section": "pos"}, {"name": "billing", "section": "pos"}],
      "account": {"owners": "one", "shared_account": {"feature": "shared", "must_hold_any": ["pos.sell", "billing"]}}}"#;
    let i = issuer_of(catalog);
    // `*` leaves it out; naming it is a problem of that role or person.
    let roles = account(
        &i,
        r#"[{"id": "all", "permissions": ["*"]}, {"id": "bad", "permissions": ["refunds"]}]"#,
    );
    assert_eq!(roles.roles().problems().len(), 1);
    assert!(roles.roles().problems()[0]
        .1
        .contains("no checkbox of its own"));
    let p = verify(&i, &roles, &person(r#"{"id": "u", "roles": ["all"]}"#));
    assert_eq!(
        p.allowed(),
        ["credits", "finance", "refunds", "pos.sell", "billing"]
    );
    assert_eq!(reason(&p, "refunds"), (true, "implied".into()));
    let e = i
        .issue(
            &roles,
            &person(r#"{"id": "u", "roles": ["all"], "grant": ["refunds"]}"#),
            &opts(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("no checkbox of its own"), "{e}");
    // Removing one conjunct removes it; the person keeps the rest.
    let p = verify(
        &i,
        &roles,
        &person(r#"{"id": "u", "roles": ["all"], "remove": ["finance"]}"#),
    );
    assert_eq!(p.allowed(), ["credits", "pos.sell", "billing"]);
    assert!(Catalog::from_json(
        r#"{"name": "c", "permissions": [{"name": "a", "section": "s", "derived": true}]}"#,
        "c"
    )
    .unwrap_err()
    .to_string()
    .contains("nothing could ever give it"));

    // Shared accounts: the account needs the feature, and the account must
    // hold POS or billing; one owner per account (the account check).
    let desk = r#"{"id": "desk", "roles": ["till"], "shared_account": true}"#;
    let a = account(
        &i,
        r#"[{"id": "till", "permissions": ["pos.sell"]}, {"id": "none", "permissions": ["credits"]}]"#,
    );
    let e = i.issue(&a, &person(desk), &opts()).unwrap_err().to_string();
    assert!(e.contains("does not have feature `shared`"), "{e}");
    let a = a.with_features(["shared"]);
    assert!(verify(&i, &a, &person(desk)).is_shared_account());
    let e = i
        .issue(
            &a,
            &person(r#"{"id": "desk", "roles": ["none"], "shared_account": true}"#),
            &opts(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("holds none of pos.sell, billing"), "{e}");
    let staff: Vec<StaffRecord> = serde_json::from_str(
        r#"[{"id": "o1", "owner": true}, {"id": "o2", "owner": true}, {"id": "desk", "roles": ["till"], "shared_account": true}]"#,
    )
    .unwrap();
    let (problems, _) = i.review(&a, &staff);
    let text: Vec<String> = problems.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        text,
        ["account: has 2 owners (o1, o2): every account of this product has exactly one (the account holder)"]
    );
    assert!(i.review(&a, &staff[1..]).0.is_empty());
    // ...and never stops a snapshot.
    assert!(i.issue(&a, &staff[0], &opts()).is_ok());
}

#[test]
fn a_role_that_takes_no_per_person_settings_refuses_a_record_that_sets_one() {
    let i = issuer_of(CATALOG);
    let a = account(
        &i,
        r#"[{"id": "fixed", "adjustable": false, "permissions": ["clients.view"], "scopes": {"clients": "own"}},
            {"id": "boss", "owner": true, "adjustable": false}]"#,
    );
    assert!(i
        .issue(&a, &person(r#"{"id": "u", "roles": ["fixed"]}"#), &opts())
        .is_ok());
    for field in [
        r#""grant": ["finance.view"]"#,
        r#""remove": ["clients.view"]"#,
        r#""scopes": {"clients": "all"}"#,
        r#""hidden_fields": {"clients": ["phone"]}"#,
        r#""apps": []"#,
        r#""step_up": ["clients.view"]"#,
        r#""permission_scopes": {"reports.financial": "own"}"#,
    ] {
        let r = person(&format!(r#"{{"id": "u", "roles": ["fixed"], {field}}}"#));
        let e = i.issue(&a, &r, &opts()).unwrap_err().to_string();
        assert!(
            e.contains("holds role `fixed`, which takes no per-person settings"),
            "{e}"
        );
    }
    // An owner's settings are ignored and warned, as for any owner.
    let o = person(
        r#"{"id": "o", "roles": ["boss"], "permission_scopes": {"reports.financial": "own"}}"#,
    );
    let w = i.issue(&a, &o, &opts()).unwrap().warnings;
    assert_eq!(
        w.iter().map(|w| (w.code, w.field)).collect::<Vec<_>>(),
        [("ignored_for_owner", "permission_scopes")]
    );
}

/// Review of #13 (regressions): implied permissions are what the issuer's
/// rules look at, and switches act only through permissions that can take
/// effect.
#[test]
fn implied_permissions_meet_every_issuer_rule_and_dead_switches_widen_nothing() {
    let catalog = r#"{"name": "imp", "features": [{"id": "loyalty"}],
      "permissions": [
        {"name": "sell", "section": "s"},
        {"name": "refund", "section": "s", "derived": true, "implied_by": [["sell"]]},
        {"name": "danger", "section": "s", "implied_by": [["sell"]]},
        {"name": "view", "section": "s", "implied_by": [["sell"]]},
        {"name": "admin.reports", "section": "s"},
        {"name": "clients.view", "section": "c", "scope_kind": "clients"},
        {"name": "clients.view_all", "section": "c", "feature": "loyalty", "gives_scopes": {"clients": "all"}},
        {"name": "clients.export_all", "section": "c", "requires": ["admin.reports"], "gives_scopes": {"clients": "all"}}],
      "kinds": [{"name": "clients", "owner_fields": ["created_by"]}],
      "account": {"shared_account": {"never": ["danger"], "step_up": ["sell", "refund"]}}}"#;
    // Owner powers are never implied.
    let bad = r#"{"name": "c", "permissions": [{"name": "a", "section": "s"},
      {"name": "b", "section": "s", "owner_only": true, "implied_by": [["a"]]}]}"#;
    assert!(Catalog::from_json(bad, "c")
        .unwrap_err()
        .to_string()
        .contains("never given by holding other permissions"));
    let i = issuer_of(catalog);
    let a = account(
        &i,
        r#"[{"id": "till", "permissions": ["sell"]}, {"id": "clerk", "permissions": ["clients.view"], "scopes": {"clients": "own"}}]"#,
    );
    // `never` sees what `sell` implies: the shared desk is refused.
    let e = i
        .issue(
            &a,
            &person(r#"{"id": "desk", "roles": ["till"], "shared_account": true}"#),
            &opts(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("may never hold"), "{e}");
    // A PIN rule covers an implied permission too.
    let no_danger = issuer_of(&catalog.replace(r#""never": ["danger"], "#, ""));
    let a2 = account(&no_danger, r#"[{"id": "till", "permissions": ["sell"]}]"#);
    let desk = verify(
        &no_danger,
        &a2,
        &person(r#"{"id": "desk", "roles": ["till"], "shared_account": true}"#),
    );
    assert!(desk.can("refund").unwrap());
    assert!(
        desk.needs_step_up("refund").unwrap(),
        "implied, still behind the PIN"
    );
    // Removing what an implication gives back is refused, not silently void.
    let e = i
        .issue(
            &a,
            &person(r#"{"id": "bob", "roles": ["till"], "remove": ["view"]}"#),
            &opts(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("still gets by holding the permissions that imply it"),
        "{e}"
    );
    // A switch of a missing feature, or without its requirement, widens nothing.
    for grant in ["clients.view_all", "clients.export_all"] {
        let r = person(&format!(
            r#"{{"id": "amy", "roles": ["clerk"], "grant": ["{grant}"]}}"#
        ));
        assert_eq!(
            verify(&i, &a, &r).scope("clients").unwrap(),
            &Scope::Own,
            "{grant}"
        );
    }
    let with = account(
        &i,
        r#"[{"id": "clerk", "permissions": ["clients.view"], "scopes": {"clients": "own"}}]"#,
    )
    .with_features(["loyalty"]);
    let r = person(r#"{"id": "amy", "roles": ["clerk"], "grant": ["clients.view_all"]}"#);
    assert_eq!(verify(&i, &with, &r).scope("clients").unwrap(), &Scope::All);
}
