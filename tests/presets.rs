//! Each preset checked against statements taken from its help page
//! (../shared/seeds). The quoted French is the source; the test is the claim.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::{Reason, Scope};

// ---------------------------------------------------------------- Sitee (004)

#[test]
fn sitee_user_sees_only_what_is_assigned_and_cannot_bulk_edit() {
    // « Utilisateur : n'a pas accès aux paramètres du compte, à la présence en
    // ligne et aux campagnes. Peut uniquement visualiser les conversations, les
    // rendez-vous, les paiements et les documents qui lui sont attribués. Peut
    // afficher et modifier les fiches clients, mais ne peut pas effectuer
    // d'opérations groupées sur les clients, modifier les balises et
    // importer/exporter des clients. »
    let p = perms("sitee", "desk"); // the shared front desk holds the plain User role
    for denied in [
        "settings.manage",
        "online_presence.manage",
        "campaigns.manage",
        "clients.bulk",
        "clients.tags",
        "clients.import_export",
    ] {
        assert!(!p.can(denied).unwrap(), "{denied}");
    }
    for allowed in [
        "clients.view",
        "clients.edit",
        "calendar.view",
        "payments.view",
        "documents.view",
    ] {
        assert!(p.can(allowed).unwrap(), "{allowed}");
    }
    for kind in ["appointments", "conversations", "payments", "documents"] {
        assert_eq!(p.scope(kind).unwrap(), &Scope::Assigned, "{kind}");
    }
}

#[test]
fn sitee_contributor_works_as_other_users() {
    // « Contributeur : ... Peut utiliser l'option « travailler en tant que » qui
    // leur permet d'afficher et de modifier les activités de tous les utilisateurs. »
    let p = perms("sitee", "eli");
    assert!(p.can("staff.work_as").unwrap());
    assert_eq!(p.scope("appointments").unwrap(), &Scope::All);
    assert!(!p.can("campaigns.manage").unwrap());
    assert!(!p.can("settings.manage").unwrap());
}

#[test]
fn sitee_marketing_professional_has_campaigns_all_clients_no_payments_own_activities() {
    // « Professionnel du Marketing : peut accéder aux paramètres, aux campagnes,
    // afficher tous les clients et effectuer des opérations client en masse.
    // N'a pas accès aux paiements et ne peut consulter que ses propres
    // conversations, rendez-vous, paiements et documents. »
    let p = perms("sitee", "dia");
    assert!(p
        .can_all(&["settings.manage", "campaigns.manage", "clients.bulk"])
        .unwrap());
    assert!(!p.can("payments.view").unwrap());
    assert_eq!(p.scope("clients").unwrap(), &Scope::All);
    for kind in ["appointments", "conversations", "payments", "documents"] {
        assert_eq!(p.scope(kind).unwrap(), &Scope::Own, "{kind}");
    }
    // Per-employee switch: « masquer certaines informations de contact ... l'adresse e-mail et le numéro de téléphone »
    assert_eq!(p.hidden_fields("clients").unwrap(), vec!["email", "phone"]);
}

#[test]
fn sitee_manager_is_admin_without_staff_configuration_and_subscription() {
    // « Responsable : Détient les mêmes autorisations que l'Admin, excepté l'accès
    // aux configurations du personnel et la possibilité de modifier l'abonnement. »
    let manager = perms("sitee", "cam");
    let admin = perms("sitee", "ben");
    assert!(!manager.can("staff.manage").unwrap());
    assert!(!manager.can("billing.subscription").unwrap());
    let mut admin_minus: Vec<&str> = admin.allowed();
    admin_minus.retain(|n| *n != "staff.manage" && *n != "billing.subscription");
    assert_eq!(manager.allowed(), admin_minus);
}

#[test]
fn sitee_admin_has_everything_but_principal_credentials_principal_has_all() {
    // « Administrateur : dispose d'un accès complet, à l'exception des
    // informations d'identification d'administrateur principal. »
    // « Administrateur principal : Accès complet et illimité. »
    let admin = perms("sitee", "ben");
    let principal = perms("sitee", "ana");
    assert!(!admin.can("account.principal_credentials").unwrap());
    assert_eq!(
        admin.allowed().len(),
        admin.catalog().permission_count() - 1
    );
    assert!(principal.can("account.principal_credentials").unwrap());
    assert_eq!(
        principal.allowed().len(),
        principal.catalog().permission_count()
    );
    assert!(principal.is_principal() && principal.is_owner());
    assert_eq!(
        principal.explain("payments.view").unwrap().reason,
        Reason::Owner
    );
}

#[test]
fn sitee_per_employee_switches_restricted_view_and_payments_off() {
    // « Affichage restreint : ... ne peuvent voir que leurs propres activités »;
    // « Si vous désactivez cette option, le membre du personnel ne pourra pas
    // afficher ou ouvrir la section Paiements, ni inscrire ou demander des paiements. »
    let p = perms("sitee", "fay");
    assert_eq!(p.scope("appointments").unwrap(), &Scope::Own);
    assert!(!p.can("payments.view").unwrap() && !p.can("payments.charge").unwrap());
    let why = p.explain("payments.view").unwrap();
    assert_eq!(
        why.reason,
        Reason::RemovedForPerson {
            role: "user".into()
        }
    );
    let f = p.filter("appointments").unwrap();
    assert!(!f.all);
    assert!(f.clauses.iter().all(|c| c.values == vec!["fay".to_owned()]));
    assert!(
        f.clauses.iter().any(|c| c.field == "created_by"),
        "records the person created are theirs"
    );
}

#[test]
fn sitee_shared_front_desk_needs_step_up_to_charge() {
    let p = perms("sitee", "desk");
    assert!(p.is_shared_account());
    assert!(p.needs_step_up("payments.charge").unwrap());
    assert!(!p.needs_step_up("payments.view").unwrap());
    assert!(p.explain("payments.charge").unwrap().step_up);
    // « afficher toutes les cartes de fidélité » switched on for this account only
    assert_eq!(
        p.explain("loyalty.view_all").unwrap().reason,
        Reason::GrantedToPerson
    );
}

#[test]
fn sitee_former_staff_gets_no_snapshot() {
    let p = policy("sitee");
    let err = p.issue("gus", &key(), &opts()).unwrap_err();
    assert_eq!(err.code(), "deactivated");
}

// ---------------------------------------------------------------- Ecwid (001)

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

// ------------------------------------------------------ Shopify Partner (003)

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

// ------------------------------------------------------------- Amilia (002)

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

// ---------------------------------------------------------- Lightspeed (000)

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
