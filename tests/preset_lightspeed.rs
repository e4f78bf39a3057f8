//! The Lightspeed preset (presets/lightspeed.json) against its help page
//! (../shared/seeds/, 000): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::perms_in as perms_of;
use common::*;
use permsnap::issuer::{Issuer, Policy};
#[allow(unused_imports)]
use permsnap::{Permissions, Reason, Scope, StaffRecord};
use serde_json::json;

/// The preset with `edit` applied to its JSON.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Policy {
    edited_preset("lightspeed", "lightspeed-edited", edit)
}

/// Issues a record that is not in the preset for the Lightspeed account.
fn person(record: serde_json::Value) -> permsnap::Result<Permissions> {
    let p = policy("lightspeed");
    let record: StaffRecord = serde_json::from_value(record).unwrap();
    let snap =
        Issuer::new(p.catalog().clone(), key())
            .unwrap()
            .issue(p.account(), &record, &opts())?;
    Ok(verifier(&p).verify(&snap.bytes, NOW).unwrap())
}

#[test]
fn lightspeed_the_store_owner_has_retail_and_ecom_by_default() {
    // « En tant que propriétaire de boutique, vous avez accès par défaut à
    // Retail POS et au tableau de bord eCom (E-Series). »
    let marie = perms("lightspeed", "marie");
    assert!(marie.is_owner());
    assert_eq!(marie.apps(), vec!["retail", "ecom"]);
    assert_eq!(marie.allowed().len(), marie.catalog().permission_count());
    assert_eq!(
        marie.explain("ecom.dashboard").unwrap().reason,
        Reason::Owner
    );
    // The owner is the account holder, not a role one picks for an
    // employee; and the store has one.
    let p = policy("lightspeed");
    assert!(p.record("marie").unwrap().roles.is_empty());
    assert!(p.problems().is_empty(), "{:?}", p.problems());
    let two = edited(|d| d["staff"][1]["owner"] = json!(true));
    let problems: Vec<String> = two.problems().iter().map(|e| e.to_string()).collect();
    assert!(
        problems
            .iter()
            .any(|e| e.contains("has 2 owners (marie, luc)")),
        "{problems:?}"
    );
    assert!(
        two.issue("sofia", &key(), &opts()).is_ok(),
        "nobody else refused"
    );
}

#[test]
fn lightspeed_employees_get_retail_ecom_or_both() {
    // « Cependant, vous devez définir et configurer manuellement les profils
    // des employés en fonction de leurs besoins : s’ils ont besoin d’accéder
    // uniquement à Retail, à eCom ou aux deux. »
    assert_eq!(perms("lightspeed", "luc").apps(), vec!["retail"]);
    assert_eq!(perms("lightspeed", "hugo").apps(), vec!["ecom"]);
    assert_eq!(perms("lightspeed", "sofia").apps(), vec!["retail", "ecom"]);
}

#[test]
fn lightspeed_the_ecom_permission_is_what_opens_ecom() {
    // « Les autorisations eCom doivent être activées pour les employés qui ont
    // besoin d’accéder à la fois à Retail POS et à eCom (E-Series). »
    // Sofia's role lists Retail POS only; its eCom permission opens eCom.
    let p = policy("lightspeed");
    let sofia = perms_of(&p, "sofia");
    assert!(sofia.has_app("ecom").unwrap());
    assert_eq!(
        sofia.explain("ecom.dashboard").unwrap().reason,
        Reason::GrantedByRole {
            role: "manager_ecom".into()
        }
    );
    assert!(sofia.can_all(&["retail.sell", "ecom.orders"]).unwrap());
    // Without it: no eCom, and the permission is simply not granted (there is
    // no "granted but the application is missing" state to fall into).
    let noe = perms_of(&p, "noe");
    assert!(!noe.has_app("ecom").unwrap());
    assert!(!noe.can("ecom.dashboard").unwrap());
    assert_eq!(
        noe.explain("ecom.orders").unwrap().reason,
        Reason::NotGranted
    );
    // Turning the eCom permission on in the Associate role opens eCom to
    // every Associate, with no application list to keep in sync.
    let enabled = edited(|d| {
        d["roles"][0]["permissions"] = json!(["retail.sell", "ecom.dashboard"]);
    });
    assert!(enabled.warnings().is_empty(), "{:?}", enabled.warnings());
    for id in ["luc", "noe"] {
        let p = perms_of(&enabled, id);
        assert_eq!(p.apps(), vec!["retail", "ecom"], "{id}");
        assert!(p.can("ecom.dashboard").unwrap(), "{id}");
    }
    // So an eCom permission never sits unused behind a missing application:
    // validate has nothing to warn about, and no one is refused for it.
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    for s in p.staff() {
        let perms = perms_of(&p, &s.id);
        for name in ["ecom.dashboard", "ecom.orders"] {
            assert_ne!(
                perms.explain(name).unwrap().reason.code(),
                "app_not_allowed",
                "{}: {name}",
                s.id
            );
        }
    }
}

#[test]
fn lightspeed_the_ecom_permission_sits_on_the_one_role_picked() {
    // « Cliquez pour ouvrir le menu déroulant Rôle et cliquez sur un rôle
    // disposant de l’autorisation eCom. »
    // One role from a dropdown, and nothing per person on a Retail employee.
    let p = policy("lightspeed");
    for s in p.staff() {
        assert!(s.roles.len() <= 1, "{}", s.id);
        assert!(
            s.grant.is_empty() && s.remove.is_empty() && s.apps.is_none(),
            "{}",
            s.id
        );
    }
    let e = person(json!({"id": "x", "roles": ["associate", "manager_ecom"]})).unwrap_err();
    assert!(
        e.to_string()
            .contains("holds 2 roles; in this product a person holds one role"),
        "{e}"
    );
    // A role with the eCom permission: Retail and eCom.
    let both = person(json!({"id": "x", "roles": ["manager_ecom"]})).unwrap();
    assert_eq!(both.apps(), vec!["retail", "ecom"]);
}

#[test]
fn lightspeed_retail_only_employees_are_associates() {
    // « Les employés ayant besoin uniquement d’un accès à Retail doivent être
    // créés dans Retail POS avec le rôle d’Associé. »
    for id in ["luc", "noe"] {
        let p = perms("lightspeed", id);
        assert_eq!(p.roles(), vec!["associate"], "{id}");
        assert_eq!(p.apps(), vec!["retail"], "{id}");
        assert!(p.can("retail.sell").unwrap(), "{id}");
        assert!(
            !p.can("ecom.dashboard").unwrap() && !p.can("ecom.orders").unwrap(),
            "{id}"
        );
    }
}

#[test]
fn lightspeed_ecom_only_staff_are_created_in_ecom() {
    // « Si vous souhaitez autoriser un employé à accéder uniquement à votre
    // boutique en ligne, créez un profil d’employé dans votre tableau de bord
    // eCom (E-Series). »
    let hugo = perms("lightspeed", "hugo");
    assert_eq!(hugo.apps(), vec!["ecom"]);
    assert!(hugo.can_all(&["ecom.dashboard", "ecom.orders"]).unwrap());
    assert!(!hugo.can("retail.sell").unwrap());
    assert_eq!(
        hugo.explain("retail.sell").unwrap().reason,
        Reason::NotGranted
    );
    assert!(!hugo.has_app("retail").unwrap());
}
