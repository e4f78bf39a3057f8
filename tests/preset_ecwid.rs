//! The Ecwid preset (presets/ecwid.json) against its help page
//! (../shared/seeds/, 001): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
#[allow(unused_imports)]
use permsnap::{Reason, Scope};

#[test]
fn ecwid_owner_alone_manages_staff_billing_subscription() {
    // « en tant que propriétaire du magasin, vous seul pouvez voir, ajouter, et
    // supprimer des membres du personnel, accorder des autorisations, voir les
    // informations de facturation, et modifier l'abonnement de la boutique. »
    let owner = perms("ecwid", "olga");
    let powers = [
        "staff.view",
        "staff.manage",
        "staff.grant",
        "billing.view",
        "subscription.manage",
    ];
    assert!(owner.can_all(&powers).unwrap());
    let p = policy("ecwid");
    for s in p.staff().iter().filter(|s| s.active && s.id != "olga") {
        let x = verifier(&p).verify(&issue(&p, &s.id).bytes, NOW).unwrap();
        assert!(
            !x.can_any(&powers).unwrap(),
            "{} must not hold an owner power",
            s.id
        );
    }
}

#[test]
fn ecwid_areas_combine_as_the_owner_wishes() {
    // « vous pouvez accorder à votre spécialiste marketing l'accès au marketing
    // et aux rapports. Ou, laissez votre gérant de magasin gérer les ventes,
    // Catalogue, et canaux de vente. »
    let lea = perms("ecwid", "lea");
    assert!(lea.can_all(&["marketing.manage", "reports.view"]).unwrap());
    assert!(!lea.can("sales.manage").unwrap());
    let marc = perms("ecwid", "marc");
    assert!(marc
        .can_all(&["sales.manage", "catalog.manage", "sales_channels.manage"])
        .unwrap());
    assert!(!marc
        .can_any(&["marketing.manage", "website.manage", "settings.manage"])
        .unwrap());
    // a developer with one extra area granted on top of the role
    let ines = perms("ecwid", "ines");
    assert_eq!(
        ines.allowed(),
        vec!["website.manage", "sales_channels.manage"]
    );
}

#[test]
fn ecwid_granting_an_owner_power_to_staff_is_refused() {
    let path = preset_path("ecwid");
    let json = std::fs::read_to_string(&path).unwrap().replace(
        r#""roles": ["developer"], "grant": ["sales_channels.manage"]"#,
        r#""roles": ["developer"], "grant": ["billing.view"]"#,
    );
    let p = permsnap::issuer::Policy::from_json(&json, &path).unwrap();
    let problems = p.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code(), "owner_only");
    assert!(
        problems[0]
            .to_string()
            .contains("`billing.view` is an owner-only power and staff member `ines`"),
        "{}",
        problems[0]
    );
    let opts = permsnap::issuer::IssueOptions::at(NOW);
    assert_eq!(
        p.claims_for("ines", &opts).unwrap_err().code(),
        "owner_only"
    );
    // Only Inès is refused: the rest of the account still gets snapshots.
    assert!(p.claims_for("marc", &opts).is_ok());
}

#[test]
fn ecwid_former_staff_is_revoked_promptly() {
    // « Revoke Permissions from Former Staff Timely »
    assert_eq!(
        policy("ecwid")
            .issue("paul", &key(), &opts())
            .unwrap_err()
            .code(),
        "deactivated"
    );
}
