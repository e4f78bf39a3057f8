//! The Lightspeed preset (presets/lightspeed.json) against its help page
//! (../shared/seeds/, 000): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
#[allow(unused_imports)]
use permsnap::{Reason, Scope};

#[test]
fn lightspeed_associate_is_retail_only_manager_both_ecom_staff_ecom_only() {
    // « Les employés ayant besoin uniquement d'un accès à Retail doivent être
    // créés dans Retail POS avec le rôle d'Associé. »
    let luc = perms("lightspeed", "luc");
    assert_eq!(luc.apps(), vec!["retail"]);
    assert!(luc.can("retail.sell").unwrap() && !luc.can("ecom.orders").unwrap());
    // « un rôle disposant de l'autorisation eCom » : both
    let sofia = perms("lightspeed", "sofia");
    assert_eq!(sofia.apps(), vec!["retail", "ecom"]);
    assert!(sofia
        .can_all(&["retail.sell", "ecom.orders", "ecom.catalog"])
        .unwrap());
    // « Accès à eCom uniquement »
    let hugo = perms("lightspeed", "hugo");
    assert_eq!(hugo.apps(), vec!["ecom"]);
    assert!(!hugo.can("retail.sell").unwrap() && hugo.can("ecom.orders").unwrap());
    // « En tant que propriétaire de boutique, vous avez accès par défaut à Retail POS et au tableau de bord eCom »
    assert_eq!(perms("lightspeed", "marie").apps(), vec!["retail", "ecom"]);
}

#[test]
fn lightspeed_ecom_permissions_without_the_ecom_application_do_nothing() {
    // The role decides the application: eCom permissions granted to an
    // Associate do not open eCom.
    let noe = perms("lightspeed", "noe");
    assert!(!noe.can("ecom.orders").unwrap());
    assert_eq!(
        noe.explain("ecom.orders").unwrap().reason,
        Reason::AppNotAllowed { app: "ecom".into() }
    );
    assert!(!noe.has_app("ecom").unwrap());
    // ...and that is never silent: validate and issue warn, naming Noé.
    let warnings = policy("lightspeed").warnings();
    assert_eq!(
        warnings
            .iter()
            .map(|w| (w.code, w.staff.as_str()))
            .collect::<Vec<_>>(),
        vec![("grant_without_app", "noe"), ("grant_without_app", "noe")]
    );
}
