//! The Sitee preset (presets/sitee.json) against its help page
//! (../shared/seeds/, 004): each test quotes the sentence it implements.
#![cfg(feature = "issuer")]

mod common;
use common::*;
#[allow(unused_imports)]
use permsnap::{Reason, Scope};

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
