//! The Ecwid preset (presets/ecwid.json) against its help page
//! (../shared/seeds/, 001): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use common::{perms_in as snap, problem_texts as problems, staff_entry as record};
#[allow(unused_imports)]
use permsnap::{Reason, Scope};
use serde_json::{json, Value};

const AREAS: [&str; 7] = [
    "sales.manage",
    "catalog.manage",
    "marketing.manage",
    "reports.view",
    "website.manage",
    "sales_channels.manage",
    "settings.manage",
];

const OWNER_POWERS: [&str; 5] = [
    "staff.view",
    "staff.manage",
    "staff.grant",
    "billing.view",
    "subscription.manage",
];

/// The preset with `edit` applied to its JSON document.
fn edited(edit: impl FnOnce(&mut Value)) -> permsnap::issuer::Policy {
    edited_preset("ecwid", &preset_path("ecwid"), edit)
}

#[test]
fn ecwid_permissions_are_ticked_per_staff_member_without_roles() {
    // « N'oubliez pas de cocher les autorisations que vous comptez accorder
    // à ce membre du personnel! »
    let p = policy("ecwid");
    assert!(p.account().roles().is_empty());
    assert!(p.problems().is_empty() && p.warnings().is_empty());
    let tom = perms("ecwid", "tom");
    assert!(tom.roles().is_empty());
    assert_eq!(
        tom.explain("sales.manage").unwrap().reason,
        Reason::GrantedToPerson
    );
    // A staff member with no box ticked yet is a valid account that can do
    // nothing.
    let p = edited(|doc| {
        doc["staff"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "new", "name": "New hire"}))
    });
    assert!(p.problems().is_empty(), "{:?}", problems(&p));
    let new = snap(&p, "new");
    assert!(new.allowed().is_empty());
    assert_eq!(new.scope("orders").unwrap(), &Scope::None);
    // A role (a "store manager" bundle) is not something Ecwid has.
    let p = edited(|doc| {
        doc["roles"] = json!([{"id": "store_manager", "permissions": ["sales.manage"]}]);
        record(doc, "marc")["roles"] = json!(["store_manager"]);
    });
    let found = problems(&p);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("staff `marc`") && found[0].contains("person by person"),
        "{}",
        found[0]
    );
    assert!(p.issue("lea", &key(), &opts()).is_ok(), "Marc only");
}

#[test]
fn ecwid_seven_areas_are_the_whole_list() {
    // « Voici tous disponibles autorisations du personnel vous pouvez
    // accorder dans votre magasin Ecwid: »
    // Every box ticked: the seven areas, and nothing of the owner's.
    let p = edited(|doc| record(doc, "ines")["grant"] = json!(["*"]));
    let ines = snap(&p, "ines");
    assert_eq!(ines.allowed(), AREAS);
    assert!(!ines.can_any(&OWNER_POWERS).unwrap());
}

#[test]
fn ecwid_sales_opens_orders_abandoned_carts_and_customer_lists() {
    // « Vente: Laissez votre personnel gérer les commandes, chariots
    // abandonnés, et listes de clients. »
    // The fulfillment operator (Sales only) sees every order, abandoned cart
    // and customer, with nothing hidden: Ecwid has no own-records view and
    // no field hiding.
    let tom = perms("ecwid", "tom");
    assert_eq!(tom.allowed(), ["sales.manage"]);
    for kind in ["orders", "abandoned_carts", "customers"] {
        assert_eq!(tom.scope(kind).unwrap(), &Scope::All, "{kind}");
        assert!(tom.filter(kind).unwrap().all, "{kind}");
        assert!(tom.hidden_fields(kind).unwrap().is_empty(), "{kind}");
    }
    let customer = json!({"id": "c-1", "email": "a@b.c", "phone": "+33 1 23"});
    assert!(tom.filter("customers").unwrap().matches(&customer));
    // Customer lists belong to Sales: marketing and reports do not open them.
    let lea = perms("ecwid", "lea");
    for kind in ["orders", "abandoned_carts", "customers"] {
        assert_eq!(lea.scope(kind).unwrap(), &Scope::None, "{kind}");
    }
    // There is no field to hide: a record trying is refused, naming it.
    let p = edited(|doc| record(doc, "tom")["hidden_fields"] = json!({"customers": ["email"]}));
    let found = problems(&p);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("staff `tom`") && found[0].contains("email"),
        "{}",
        found[0]
    );
}

#[test]
fn ecwid_areas_combine_as_the_owner_wishes() {
    // « Ce qui est génial dans la gestion des autorisations du personnel dans
    // votre boutique Ecwid, c'est que vous pouvez combiner les autorisations
    // à votre guise. »
    // Each area ticked alone works alone: none needs another.
    for area in AREAS {
        let p = edited(|doc| record(doc, "ines")["grant"] = json!([area]));
        let s = p.issue("ines", &key(), &opts()).unwrap();
        assert!(s.warnings.is_empty(), "{area}: {:?}", s.warnings);
        let ines = snap(&p, "ines");
        assert_eq!(ines.allowed(), [area]);
        assert_eq!(
            ines.explain(area).unwrap().reason,
            Reason::GrantedToPerson,
            "{area}"
        );
    }
    // « Par exemple, vous pouvez accorder à votre spécialiste marketing
    // l'accès au marketing et aux rapports. Ou, laissez votre gérant de
    // magasin gérer les ventes, Catalogue, et canaux de vente. »
    assert_eq!(
        perms("ecwid", "lea").allowed(),
        ["marketing.manage", "reports.view"]
    );
    assert_eq!(
        perms("ecwid", "marc").allowed(),
        ["sales.manage", "catalog.manage", "sales_channels.manage"]
    );
    assert_eq!(
        perms("ecwid", "ines").allowed(),
        ["website.manage", "sales_channels.manage"]
    );
}

#[test]
fn ecwid_the_store_owner_alone_manages_staff_billing_subscription() {
    // « Notez qu'en tant que propriétaire du magasin, vous seul pouvez voir,
    // ajouter, et supprimer des membres du personnel, accorder des
    // autorisations, voir les informations de facturation, et modifier
    // l'abonnement de la boutique. »
    let olga = perms("ecwid", "olga");
    assert!(olga.is_owner() && olga.roles().is_empty());
    assert!(olga.can_all(&OWNER_POWERS).unwrap());
    assert_eq!(olga.explain("billing.view").unwrap().reason, Reason::Owner);
    let p = policy("ecwid");
    for s in p.staff().iter().filter(|s| s.active && s.id != "olga") {
        let x = snap(&p, &s.id);
        assert!(
            !x.can_any(&OWNER_POWERS).unwrap(),
            "{} must not hold an owner power",
            s.id
        );
    }
    // Ticking an owner power for a staff member: refused, that person only.
    let p = edited(|doc| record(doc, "ines")["grant"] = json!(["website.manage", "billing.view"]));
    let found = p.problems();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code(), "owner_only");
    assert!(
        found[0]
            .to_string()
            .contains("`billing.view` is an owner-only power and staff member `ines`"),
        "{}",
        found[0]
    );
    assert_eq!(
        p.issue("ines", &key(), &opts()).unwrap_err().code(),
        "owner_only"
    );
    assert!(p.issue("marc", &key(), &opts()).is_ok());
}

#[test]
fn ecwid_a_store_has_exactly_one_owner() {
    // « vous seul » : one store owner, the account holder. A second owner,
    // or none, is an account problem (never a refused snapshot).
    let p = edited(|doc| record(doc, "marc")["owner"] = json!(true));
    assert_eq!(
        problems(&p),
        [format!(
            "{}: account: has 2 owners (olga, marc): every account of this product has exactly \
             one (the account holder)",
            preset_path("ecwid")
        )]
    );
    assert!(snap(&p, "marc").is_owner());
    let p = edited(|doc| record(doc, "olga")["owner"] = json!(false));
    let found = problems(&p);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("has 0 owners"), "{}", found[0]);
    assert!(p.issue("tom", &key(), &opts()).is_ok());
}

#[test]
fn ecwid_never_one_account_for_several_people() {
    // « Create individual user accounts for each employee—never share one
    // account with multiple users. »
    // A shared account can hold none of the seven areas (nor be the owner):
    // a shared login is of no use in Ecwid.
    let p = edited(|doc| record(doc, "tom")["shared_account"] = json!(true));
    let found = problems(&p);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("staff `tom`")
            && found[0].contains("`sales.manage`, which a shared account may never hold"),
        "{}",
        found[0]
    );
    assert!(p.issue("tom", &key(), &opts()).is_err());
    assert!(p.issue("marc", &key(), &opts()).is_ok());
    let p = edited(|doc| record(doc, "olga")["shared_account"] = json!(true));
    assert_eq!(problems(&p).len(), 1);
}

#[test]
fn ecwid_former_staff_is_revoked_promptly() {
    // « By removing any inactive or former staff members from your account,
    // you can safeguard sensitive information and streamline the management
    // of your store’s operations. »
    assert_eq!(
        policy("ecwid")
            .issue("paul", &key(), &opts())
            .unwrap_err()
            .code(),
        "deactivated"
    );
}
