//! The Amilia SmartRec preset (presets/amilia.json) against its help page
//! (../shared/seeds/, 002): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
#[allow(unused_imports)]
use permsnap::{Reason, Scope};

#[test]
fn amilia_exactly_one_principal_admin() {
    // « Il ne doit y avoir qu'un seul administrateur principal par organisation. »
    let path = preset_path("amilia");
    let json = std::fs::read_to_string(&path).unwrap().replace(
        r#"{"id": "vince", "name": "Vincent Roy", "roles": ["all_access"]}"#,
        r#"{"id": "vince", "name": "Vincent Roy", "roles": ["principal"], "principal": true}"#,
    );
    let p = permsnap::issuer::Policy::from_json(&json, &path).unwrap();
    let problems = p.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .to_string()
            .contains("has 2 principal admins (julie, vince)"),
        "{}",
        problems[0]
    );
    // An account rule is for `validate` and the app's save check; it never
    // stops anyone from getting a snapshot.
    let opts = permsnap::issuer::IssueOptions::at(NOW);
    assert!(p.claims_for("julie", &opts).is_ok() && p.claims_for("samantha", &opts).is_ok());
    assert!(perms("amilia", "julie").is_principal());
    // Exactly one: an account with none is a problem too (reported, refusing no one).
    let none = std::fs::read_to_string(&path).unwrap().replace(
        r#""roles": ["principal"], "principal": true"#,
        r#""roles": ["principal"]"#,
    );
    let p = permsnap::issuer::Policy::from_json(&none, &path).unwrap();
    let problems: Vec<String> = p.problems().iter().map(|e| e.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|e| e.contains("has no principal admin")),
        "{problems:?}"
    );
    // Owner powers are not principal powers: Julie without the flag is an
    // owner (the group is an owner group) but not the principal admin.
    let (claims, _) = p.claims_for("julie", &opts).unwrap();
    let cat = p.catalog();
    let principal = cat.perm("account.principal").unwrap();
    assert!(claims.flags & permsnap::wire::FLAG_OWNER != 0);
    assert!(
        !claims.permissions.get(principal),
        "the principal's own power stays theirs"
    );
    assert!(perms("amilia", "julie").can("account.principal").unwrap());
}

#[test]
fn amilia_full_access_group_is_not_the_principal() {
    // « Si plusieurs administrateurs ont besoin d'un accès illimité, vous pouvez
    // créer un groupe de permission avec tout activé »
    let v = perms("amilia", "vince");
    assert!(!v.can("account.principal").unwrap());
    assert_eq!(v.allowed().len(), v.catalog().permission_count() - 1);
}

#[test]
fn amilia_shared_front_desk_asks_for_the_pin_before_a_sale_and_carries_no_pin() {
    // « Un administrateur doit saisir son NIP unique pour acheter au point de
    // vente ou lorsqu'il effectue des achats pour un client dans la boutique. »
    let p = policy("amilia");
    let snap = issue(&p, "frontdesk");
    let desk = verifier(&p).verify(&snap.bytes, NOW).unwrap();
    assert!(desk.is_shared_account());
    assert_eq!(
        desk.step_up_actions(),
        vec!["store.purchase_for_client", "pos.sell"]
    );
    // Samantha's own account (« Compte avec un NIP ») needs no step-up.
    assert!(perms("amilia", "samantha").step_up_actions().is_empty());
    // A PIN in the policy is refused outright.
    let json = std::fs::read_to_string(preset_path("amilia"))
        .unwrap()
        .replace(
            r#""name": "Samantha Postlethwaite","#,
            r#""name": "Samantha Postlethwaite", "pin": "6420","#,
        );
    let err = permsnap::issuer::Policy::from_json(&json, "amilia.json").unwrap_err();
    assert!(err.to_string().contains("secret material"), "{err}");
}

#[test]
fn amilia_financial_reports_all_versus_own_and_reconciliations() {
    // « Rapports financiers (tous les administrateurs) » vs « (spécifiques à l'administrateur) »
    let omar = perms("amilia", "omar");
    assert!(omar.can("reports.financial_all").unwrap());
    assert_eq!(omar.scope("transactions").unwrap(), &Scope::All);
    let sam = perms("amilia", "samantha");
    assert!(
        !sam.can("reports.financial_all").unwrap() && sam.can("reports.financial_own").unwrap()
    );
    assert_eq!(sam.scope("transactions").unwrap(), &Scope::Own);
    // « Gérer les conciliations » et « Supprimer les conciliations »
    assert!(omar
        .can_all(&["reconciliations.manage", "reconciliations.delete"])
        .unwrap());
    assert!(!sam
        .can_any(&["reconciliations.manage", "reconciliations.delete"])
        .unwrap());
}

#[test]
fn amilia_ignore_capacity_and_restrictions_overrides() {
    let lucie = perms("amilia", "lucie");
    assert!(lucie
        .can_all(&["store.ignore_capacity", "store.ignore_restrictions"])
        .unwrap());
    assert_eq!(
        lucie.explain("store.ignore_restrictions").unwrap().reason,
        Reason::GrantedToPerson
    );
    assert_eq!(
        lucie.explain("store.ignore_capacity").unwrap().reason,
        Reason::GrantedByRole {
            role: "instructor".into()
        }
    );
    assert!(!perms("amilia", "samantha")
        .can("store.ignore_capacity")
        .unwrap());
    assert_eq!(
        policy("amilia")
            .issue("ancien", &key(), &opts())
            .unwrap_err()
            .code(),
        "deactivated"
    );
}
