//! The Shopify Partner preset (presets/shopify-partner.json) against its help page
//! (../shared/seeds/, 003): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
#[allow(unused_imports)]
use permsnap::{Reason, Scope};

#[test]
fn shopify_refunds_need_financial_data_and_manage_apps() {
    // « Pour créer des remboursements, les employés ont également besoin des
    // autorisations Afficher les données financières et Gérer les applications. »
    let nora = perms("shopify-partner", "nora");
    assert!(nora.can("refunds.create").unwrap());
    let path = preset_path("shopify-partner");
    let json = std::fs::read_to_string(&path).unwrap().replace(
        r#""grant": ["finance.view", "apps.manage", "credits.send", "refunds.create", "ads.view"]"#,
        r#""grant": ["finance.view", "credits.send", "refunds.create", "ads.view"]"#,
    );
    let p = permsnap::issuer::Policy::from_json(&json, &path).unwrap();
    let err = p.issue("nora", &key(), &opts()).unwrap_err();
    assert_eq!(err.code(), "missing_requirement");
    assert!(err.to_string().contains("`apps.manage`"), "{err}");
    assert_eq!(p.problems().len(), 1, "validate reports it too");
}

#[test]
fn shopify_owners_have_everything_staff_only_what_is_granted() {
    // « Propriétaires : accès complet à toutes les fonctionnalités, y compris la
    // possibilité d'ajouter ou de supprimer d'autres propriétaires »
    let kim = perms("shopify-partner", "kim");
    assert!(kim.can("team.manage_owners").unwrap());
    assert_eq!(kim.scope("dev_stores").unwrap(), &Scope::All);
    let max = perms("shopify-partner", "max");
    assert!(max.allowed().is_empty());
    assert_eq!(max.scope("dev_stores").unwrap(), &Scope::None);
    // two owners are fine (unlike a principal admin)
    assert!(perms("shopify-partner", "raf").is_owner());
}

#[test]
fn shopify_store_access_none_all_or_specific_with_auto_access_to_created_stores() {
    // « Boutiques spécifiques : les employés n'ont accès qu'aux boutiques
    // répertoriées » ; « il/elle peut automatiquement accéder aux nouvelles
    // boutiques de développement qu'il/elle crée. »
    let theo = perms("shopify-partner", "theo");
    assert_eq!(
        theo.scope("dev_stores").unwrap(),
        &Scope::Specific(vec!["dev-104".into(), "dev-221".into()])
    );
    let f = theo.filter("dev_stores").unwrap();
    let stores = serde_json::json!([
        {"id": "dev-104", "created_by": "kim"},
        {"id": "dev-300", "created_by": "theo"},
        {"id": "dev-301", "created_by": "zoe"},
        {"id": "dev-221"}
    ]);
    let kept: Vec<&str> = stores
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| f.matches(*s))
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(kept, vec!["dev-104", "dev-300", "dev-221"]);
    // « Actions ... lorsque l'accès est défini sur Toutes ... ou sur Boutiques spécifiques »
    assert!(theo.can("dev_stores.add_archive").unwrap());
    let zoe = perms("shopify-partner", "zoe");
    assert_eq!(zoe.scope("managed_stores").unwrap(), &Scope::All);
    assert!(zoe.filter("managed_stores").unwrap().all);
}

#[test]
fn shopify_store_actions_need_store_access() {
    let path = preset_path("shopify-partner");
    let json = std::fs::read_to_string(&path).unwrap().replace(
        r#""scopes": {"dev_stores": {"specific": ["dev-104", "dev-221"]}}"#,
        r#""scopes": {"dev_stores": "none"}"#,
    );
    let p = permsnap::issuer::Policy::from_json(&json, &path).unwrap();
    let theo = verifier(&p).verify(&issue(&p, "theo").bytes, NOW).unwrap();
    assert!(!theo.can("dev_stores.add_archive").unwrap());
    assert_eq!(
        theo.explain("dev_stores.add_archive").unwrap().reason,
        Reason::NoScope {
            kind: "dev_stores".into()
        }
    );
}
