//! The Shopify Partner preset (presets/shopify-partner.json) against its help page
//! (../shared/seeds/, 003): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use common::{perms_in as snap, staff_entry as record};
#[allow(unused_imports)]
use permsnap::{Reason, Scope};
use serde_json::{json, Value};

const PRESET: &str = "shopify-partner";

/// The preset with `edit` applied to its JSON document.
fn edited(edit: impl FnOnce(&mut Value)) -> permsnap::issuer::Policy {
    edited_preset(PRESET, &preset_path(PRESET), edit)
}

/// `explain` as (allowed, reason code).
fn why(p: &permsnap::Permissions, name: &str) -> (bool, String) {
    let e = p.explain(name).unwrap();
    (e.allowed, e.reason.code().to_owned())
}

#[test]
fn shopify_two_account_types_and_no_roles() {
    // « Il existe deux types de compte pour les membres de l’équipe : »
    // Owners and staff: the owner is a flag on the record, a staff member's
    // access is set on their own record. There are no roles.
    let p = policy(PRESET);
    assert!(p.account().roles().is_empty());
    let kim = perms(PRESET, "kim");
    assert!(kim.is_owner() && kim.roles().is_empty());
    // A staff member with nothing granted yet is a valid account.
    let max = perms(PRESET, "max");
    assert!(!max.is_owner() && max.roles().is_empty());
    assert!(p.problems().is_empty(), "{:?}", p.problems());
    // A role given to a person is refused: that person only.
    let p = edited(|doc| {
        doc["roles"] = json!([{"id": "staff", "permissions": ["referrals.view"]}]);
        record(doc, "max")["roles"] = json!(["staff"]);
    });
    let problems: Vec<String> = p.problems().iter().map(|e| e.to_string()).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("staff `max`") && problems[0].contains("person by person"),
        "{}",
        problems[0]
    );
    assert!(p.issue("theo", &key(), &opts()).is_ok());
}

#[test]
fn shopify_owners_have_everything_and_alone_manage_owners() {
    // « Propriétaires : Ces membres ont un accès complet à toutes les
    // fonctionnalités, y compris la possibilité d’ajouter ou de supprimer
    // d’autres propriétaires et de modifier les rôles des membres des
    // employés en propriétaires. »
    let kim = perms(PRESET, "kim");
    assert_eq!(why(&kim, "team.manage_owners"), (true, "owner".into()));
    assert_eq!(kim.scope("dev_stores").unwrap(), &Scope::All);
    assert_eq!(kim.scope("managed_stores").unwrap(), &Scope::All);
    // Several owners are fine (the page speaks of "other owners").
    assert!(perms(PRESET, "raf").is_owner());
    assert!(policy(PRESET).problems().is_empty());
    // « Gérer les membres » is a staff checkbox; managing owners is not.
    let p = edited(|doc| record(doc, "max")["grant"] = json!(["team.manage_members"]));
    let max = snap(&p, "max");
    assert_eq!(
        why(&max, "team.manage_members"),
        (true, "granted_to_person".into())
    );
    assert_eq!(
        why(&max, "team.manage_owners"),
        (false, "not_granted".into())
    );
    let p = edited(|doc| record(doc, "max")["grant"] = json!(["team.manage_owners"]));
    let problems = p.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code(), "owner_only");
    assert_eq!(
        p.issue("max", &key(), &opts()).unwrap_err().code(),
        "owner_only"
    );
}

#[test]
fn shopify_staff_see_only_what_they_were_granted() {
    // « Membres des employés : Ces membres ont un accès limité et ne peuvent
    // visualiser ou gérer des informations d’entreprise sensibles (telles que
    // des données financières) que s’ils en ont reçu l’autorisation. »
    let max = perms(PRESET, "max");
    assert!(max.allowed().is_empty());
    assert_eq!(why(&max, "finance.view"), (false, "not_granted".into()));
    for kind in ["dev_stores", "managed_stores", "plus_stores"] {
        assert_eq!(max.scope(kind).unwrap(), &Scope::None, "{kind}");
    }
    let nora = perms(PRESET, "nora");
    assert_eq!(
        why(&nora, "finance.view"),
        (true, "granted_to_person".into())
    );
    assert!(!perms(PRESET, "theo").can("finance.view").unwrap());
}

#[test]
fn shopify_owners_see_finance_and_refund_by_default() {
    // « Les propriétaires de compte peuvent accéder à ces pages par défaut. »
    // « Les propriétaires de compte peuvent créer des remboursements et
    // envoyer des crédits d’application par défaut. »
    let kim = perms(PRESET, "kim");
    for name in ["finance.view", "credits.manage", "refunds.create"] {
        assert_eq!(why(&kim, name), (true, "owner".into()), "{name}");
    }
}

#[test]
fn shopify_each_sensitive_permission_is_one_checkbox() {
    // « Vous pouvez accorder aux employé(e)s les autorisations sensibles
    // suivantes. » Each box of the table, ticked alone, works alone: none
    // needs another to take effect.
    let boxes = [
        "finance.view",
        "ads.manage",
        "credits.manage",
        "ads.view",
        "referrals.view",
        "apps.manage",
        "scripts.manage",
        "extensions.manage",
        "themes.manage",
        "team.manage_members",
        "listings.manage",
    ];
    for name in boxes {
        let p = edited(|doc| record(doc, "max")["grant"] = json!([name]));
        let snapshot = p.issue("max", &key(), &opts()).unwrap();
        assert!(
            snapshot.warnings.is_empty(),
            "{name}: {:?}",
            snapshot.warnings
        );
        let max = snap(&p, "max");
        assert_eq!(
            why(&max, name),
            (true, "granted_to_person".into()),
            "{name}"
        );
    }
}

#[test]
fn shopify_manage_ads_includes_the_ads_dashboard() {
    // « Créez et apportez des modifications aux publicités de notre Shopify
    // App Store, et affichez le tableau de bord des rapports publicitaires. »
    // Ticking « Gérer les publicités » alone: the person keeps their snapshot
    // and sees the dashboard too.
    let p = edited(|doc| record(doc, "max")["grant"] = json!(["ads.manage"]));
    assert!(p.problems().is_empty() && p.warnings().is_empty());
    let max = snap(&p, "max");
    assert_eq!(why(&max, "ads.view"), (true, "implied".into()));
    assert_eq!(
        max.explain("ads.view").unwrap().reason.detail(),
        Some(("by", "ads.manage"))
    );
    // « Affichez le tableau de bord des rapports publicitaires. »: its own
    // checkbox too, which does not give the management of ads.
    let nora = perms(PRESET, "nora");
    assert_eq!(why(&nora, "ads.view"), (true, "granted_to_person".into()));
    assert_eq!(why(&nora, "ads.manage"), (false, "not_granted".into()));
}

#[test]
fn shopify_refunds_come_from_credits_with_financial_data_and_manage_apps() {
    // « Pour créer des remboursements, les employés ont également besoin des
    // autorisations Afficher les données financières et Gérer les
    // applications. »
    let nora = perms(PRESET, "nora");
    assert_eq!(
        why(&nora, "credits.manage"),
        (true, "granted_to_person".into())
    );
    assert_eq!(why(&nora, "refunds.create"), (true, "implied".into()));
    assert_eq!(
        nora.explain("refunds.create").unwrap().reason.detail(),
        Some(("by", "finance.view+credits.manage+apps.manage"))
    );
    // Without « Gérer les applications »: still a valid staff member who
    // sends credits; only refunds are out (no problem, no refusal).
    let p = edited(|doc| {
        record(doc, "nora")["grant"] = json!(["finance.view", "credits.manage", "ads.view"])
    });
    assert!(p.problems().is_empty(), "{:?}", p.problems());
    let nora = snap(&p, "nora");
    assert!(nora
        .can_all(&["credits.manage", "finance.view", "ads.view"])
        .unwrap());
    assert_eq!(why(&nora, "refunds.create"), (false, "not_granted".into()));
    // Financial data and apps without the credits box: no refunds either.
    let p = edited(|doc| record(doc, "nora")["grant"] = json!(["finance.view", "apps.manage"]));
    assert!(!snap(&p, "nora").can("refunds.create").unwrap());
    // There is no "create refunds" checkbox to tick.
    let p = edited(|doc| {
        record(doc, "nora")["grant"] = json!(["finance.view", "credits.manage", "refunds.create"])
    });
    let problems = p.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].to_string().contains("no checkbox of its own"),
        "{}",
        problems[0]
    );
}

#[test]
fn shopify_manage_apps_and_manage_stores_give_the_app_users_export() {
    // « Avec les autorisations Gérer les applications et Gérer les
    // boutiques, un(e) employé(e) peut exporter les dossiers des
    // utilisateurs(-trices) actuel(le)s de vos applications. »
    // « Gérer les boutiques » read as the managed (client) stores right
    // « Ajouter et supprimer des boutiques ».
    let zoe = perms(PRESET, "zoe");
    assert!(zoe.can("managed_stores.add_remove").unwrap());
    assert_eq!(
        why(&zoe, "apps.export_users"),
        (false, "not_granted".into())
    );
    let nora = perms(PRESET, "nora");
    assert_eq!(
        why(&nora, "apps.export_users"),
        (false, "not_granted".into())
    );
    let p = edited(|doc| {
        record(doc, "zoe")["grant"] =
            json!(["managed_stores.add_remove", "referrals.view", "apps.manage"])
    });
    let zoe = snap(&p, "zoe");
    assert_eq!(why(&zoe, "apps.export_users"), (true, "implied".into()));
    assert_eq!(
        zoe.explain("apps.export_users").unwrap().reason.detail(),
        Some(("by", "apps.manage+managed_stores.add_remove"))
    );
    // The store right without access to any managed store has no effect,
    // and so gives no export.
    let p = edited(|doc| {
        let zoe = record(doc, "zoe");
        zoe["grant"] = json!(["managed_stores.add_remove", "apps.manage"]);
        zoe["scopes"] = json!({"managed_stores": "none"});
    });
    assert!(!snap(&p, "zoe").can("apps.export_users").unwrap());
    // No checkbox of its own.
    let p = edited(|doc| record(doc, "max")["grant"] = json!(["apps.export_users"]));
    assert!(p.problems()[0]
        .to_string()
        .contains("no checkbox of its own"));
}

#[test]
fn shopify_affiliate_campaigns_only_for_shopify_affiliates() {
    // « L’autorisation « Gérer les campagnes d’affiliation » n’est visible
    // que pour les affilié(e)s de Shopify. »
    // studio-kb is not an affiliate: nobody holds it, owners included.
    let kim = perms(PRESET, "kim");
    assert!(!kim.has_feature("affiliate").unwrap());
    assert_eq!(
        kim.explain("affiliates.manage").unwrap().reason,
        Reason::FeatureNotEnabled {
            feature: "affiliate".into()
        }
    );
    let p = edited(|doc| record(doc, "max")["grant"] = json!(["affiliates.manage"]));
    let s = p.issue("max", &key(), &opts()).unwrap();
    assert_eq!(
        s.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        ["feature_not_enabled"]
    );
    assert!(!snap(&p, "max").can("affiliates.manage").unwrap());
    // An affiliate partner: owners hold it, staff when granted.
    let p = edited(|doc| {
        doc["features"] = json!(["plus_partner", "affiliate"]);
        record(doc, "max")["grant"] = json!(["affiliates.manage"]);
    });
    assert_eq!(
        why(&snap(&p, "kim"), "affiliates.manage"),
        (true, "owner".into())
    );
    assert!(p.issue("max", &key(), &opts()).unwrap().warnings.is_empty());
    assert_eq!(
        why(&snap(&p, "max"), "affiliates.manage"),
        (true, "granted_to_person".into())
    );
    assert!(!snap(&p, "nora").can("affiliates.manage").unwrap());
}

#[test]
fn shopify_store_access_none_all_or_specific_with_auto_access_to_created_stores() {
    // « Boutiques spécifiques : les employés n’ont accès qu’aux boutiques
    // répertoriées dans la liste Gérer l’accès. » ; « Si un(e) employé(e)
    // n’a accès qu’à des boutiques de développement spécifiques, il/elle
    // peut automatiquement accéder aux nouvelles boutiques de développement
    // qu’il/elle crée. »
    let theo = perms(PRESET, "theo");
    assert_eq!(
        theo.scope("dev_stores").unwrap(),
        &Scope::Specific(vec!["dev-104".into(), "dev-221".into()])
    );
    let f = theo.filter("dev_stores").unwrap();
    let stores = json!([
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
    assert!(theo.can("dev_stores.add_archive").unwrap());
    // « Toutes les boutiques existantes et futures » / « Aucune boutique »
    let zoe = perms(PRESET, "zoe");
    assert_eq!(zoe.scope("managed_stores").unwrap(), &Scope::All);
    assert!(zoe.filter("managed_stores").unwrap().all);
    assert_eq!(theo.scope("managed_stores").unwrap(), &Scope::None);
    assert!(!theo
        .filter("managed_stores")
        .unwrap()
        .matches(&json!({"id": "m-1"})));
}

#[test]
fn shopify_store_actions_need_store_access() {
    // « Lorsque l’accès aux boutiques de développement est défini sur
    // Toutes les boutiques existantes et futures ou sur Boutiques
    // spécifiques, vous pouvez également gérer les actions suivantes : »
    let p = edited(|doc| {
        let theo = record(doc, "theo");
        theo["grant"] = json!([
            "themes.manage",
            "dev_stores.add_archive",
            "dev_stores.transfer"
        ]);
        theo["scopes"] = json!({"dev_stores": "none"});
    });
    let theo = snap(&p, "theo");
    for action in ["dev_stores.add_archive", "dev_stores.transfer"] {
        assert_eq!(
            theo.explain(action).unwrap().reason,
            Reason::NoScope {
                kind: "dev_stores".into()
            },
            "{action}"
        );
    }
    assert!(theo.can("themes.manage").unwrap());
    // Not dropped silently: validate names both.
    let warnings = p.warnings();
    let w: Vec<(&str, &str)> = warnings
        .iter()
        .map(|w| (w.code, w.staff.as_str()))
        .collect();
    assert_eq!(
        w,
        [
            ("grant_without_scope", "theo"),
            ("grant_without_scope", "theo")
        ]
    );
}

#[test]
fn shopify_managed_stores_one_requested_are_reachable() {
    // « Si un(e) employé(e) n’a accès qu’à des boutiques gérées
    // spécifiques, il/elle peut automatiquement accéder à toutes les
    // boutiques clientes auxquelles il/elle demande d'avoir accès. »
    let p = edited(|doc| {
        record(doc, "zoe")["scopes"] = json!({"managed_stores": {"specific": ["shop-1"]}})
    });
    let zoe = snap(&p, "zoe");
    assert!(zoe.can("managed_stores.add_remove").unwrap());
    let f = zoe.filter_for("managed_stores.add_remove").unwrap();
    assert!(f.matches(&json!({"id": "shop-1"})));
    assert!(f.matches(&json!({"id": "shop-9", "requested_by": "zoe"})));
    assert!(!f.matches(&json!({"id": "shop-8", "requested_by": "theo"})));
}

#[test]
fn shopify_plus_sandbox_stores_only_for_plus_partners() {
    // « Les paramètres suivants sont disponibles uniquement si vous êtes un
    // Partenaire Plus dans le Programme Partenaires Shopify : »
    // studio-kb is a Plus partner.
    let p = edited(|doc| {
        let theo = record(doc, "theo");
        theo["grant"] = json!(["plus_stores.add_archive"]);
        theo["scopes"] = json!({"plus_stores": {"specific": ["plus-7"]}});
    });
    let theo = snap(&p, "theo");
    assert!(theo.has_feature("plus_partner").unwrap());
    assert_eq!(
        why(&theo, "plus_stores.add_archive"),
        (true, "granted_to_person".into())
    );
    // « Si un employé n’a accès qu’à des boutiques tests Shopify Plus
    // spécifiques, il peut automatiquement accéder aux nouvelles boutiques
    // tests Shopify Plus qu’il crée. »
    let f = theo.filter("plus_stores").unwrap();
    assert!(f.matches(&json!({"id": "plus-7"})));
    assert!(f.matches(&json!({"id": "plus-8", "created_by": "theo"})));
    assert!(!f.matches(&json!({"id": "plus-9", "created_by": "kim"})));
    assert_eq!(
        why(&perms(PRESET, "kim"), "plus_stores.add_archive"),
        (true, "owner".into())
    );
    // A partner that is not Plus: nobody creates Plus stores, owners
    // included, and the grant is named.
    let p = edited(|doc| {
        doc["features"] = json!([]);
        let theo = record(doc, "theo");
        theo["grant"] = json!(["plus_stores.add_archive"]);
        theo["scopes"] = json!({"plus_stores": "all"});
    });
    for id in ["kim", "theo"] {
        assert_eq!(
            why(&snap(&p, id), "plus_stores.add_archive"),
            (false, "feature_not_enabled".into()),
            "{id}"
        );
    }
    let s = p.issue("theo", &key(), &opts()).unwrap();
    assert_eq!(
        s.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
        ["feature_not_enabled"]
    );
}

#[cfg(feature = "guard")]
#[test]
fn shopify_edge_routes_follow_the_derived_rights() {
    // The same page sentences at the edge (routes/shopify-partner.json):
    // a refund goes through for nora, who holds the three boxes, and not for
    // a staff member who sends credits without « Gérer les applications ».
    use permsnap::guard::{Gate, Request};
    let routes = std::fs::read_to_string(format!(
        "{}/routes/{PRESET}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let p = edited(|doc| record(doc, "max")["grant"] = json!(["finance.view", "credits.manage"]));
    let gate = Gate::from_json(p.catalog(), &routes).unwrap();
    let mut v = verifier(&p);
    let mut ask = |who: &str, method: &str, target: &str| {
        let auth = format!("Permsnap {}", issue(&p, who).text());
        let d = gate.check(
            &mut v,
            &Request {
                method,
                target,
                authorization: Some(&auth),
                ..Request::default()
            },
            NOW,
        );
        (d.status, d.reason.unwrap_or_default())
    };
    assert_eq!(ask("nora", "POST", "/api/refunds"), (200, String::new()));
    assert_eq!(ask("max", "POST", "/api/credits"), (200, String::new()));
    assert_eq!(
        ask("max", "POST", "/api/refunds"),
        (403, "not_granted".into())
    );
    assert_eq!(
        ask("nora", "GET", "/api/app-users/export"),
        (403, "not_granted".into())
    );
}
