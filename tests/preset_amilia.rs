//! The Amilia SmartRec preset (presets/amilia.json) against its help page
//! (../shared/seeds/, 002): each test quotes the sentence it implements.
#![cfg(all(feature = "issuer", feature = "guard"))]

mod common;
use common::*;
use common::{perms_in as perms_of, problem_texts as problems, staff_entry as record};
use permsnap::guard::{Gate, Request};
use permsnap::issuer::{Issuer, Policy};
use permsnap::{Decision, Reason, Scope, StepUpRequest};
use serde_json::{json, Value};

/// The preset with its JSON edited by `edit` (a variant of this account).
fn edited(edit: impl FnOnce(&mut Value)) -> Policy {
    edited_preset("amilia", "amilia.json", edit)
}

/// Adds a staff record to a preset document.
fn add_staff(doc: &mut Value, staff: Value) {
    doc["staff"].as_array_mut().unwrap().push(staff);
}

/// Adds a permission group to a preset document.
fn add_role(doc: &mut Value, role: Value) {
    doc["roles"].as_array_mut().unwrap().push(role);
}

fn reason(p: &permsnap::Permissions, name: &str) -> (bool, Reason) {
    let e = p.explain(name).unwrap();
    (e.allowed, e.reason)
}

fn role(id: &str) -> Reason {
    Reason::GrantedByRole { role: id.into() }
}

#[test]
fn amilia_the_preset_validates_without_a_warning() {
    let p = policy("amilia");
    assert_eq!(problems(&p), Vec::<String>::new());
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
}

#[test]
fn amilia_shared_accounts_are_enabled_by_support() {
    // « Contactez-nous à support@amilia.com pour activer les comptes partagés ! »
    // « vous pouvez créer un compte qui appartient à un seul administrateur ou
    // qui peut être partagé par plusieurs administrateurs. »
    let p = policy("amilia");
    let desk = perms_of(&p, "frontdesk");
    assert!(desk.is_shared_account());
    assert!(desk.has_feature("shared_accounts").unwrap());
    assert_eq!(desk.features(), ["shared_accounts"]);
    assert!(!perms("amilia", "samantha").is_shared_account());
    // An account support has not enabled: its shared account gets no
    // snapshot (a problem naming it); every other admin still gets theirs.
    let off = edited(|d| d["features"] = json!([]));
    assert_eq!(
        problems(&off),
        [
            "amilia.json: staff `frontdesk`: is a shared account, and the account does not have feature \
          `shared_accounts` that shared accounts need"
        ]
    );
    let opts = permsnap::issuer::IssueOptions::at(NOW);
    assert!(off.claims_for("frontdesk", &opts).is_err());
    for id in ["julie", "samantha", "omar", "lucie", "vince"] {
        let p = perms_of(&off, id);
        assert!(!p.has_feature("shared_accounts").unwrap(), "{id}");
    }
}

#[test]
fn amilia_one_permission_group_per_admin() {
    // « Choisissez un groupe de permissions qui donne le bon niveau d'accès. »
    let two = edited(|d| record(d, "samantha")["roles"] = json!(["front_desk", "accountant"]));
    assert_eq!(
        problems(&two),
        ["amilia.json: staff `samantha`: holds 2 roles; in this product a person holds one role"]
    );
    assert!(perms_of(&two, "omar").can("reports.financial").unwrap());
    // Access comes from the group alone: a per-admin edit is refused for
    // that admin (naming the group and the field), never applied or dropped.
    let granted = edited(|d| record(d, "lucie")["grant"] = json!(["store.ignore_restrictions"]));
    assert_eq!(
        problems(&granted),
        [
            "amilia.json: staff `lucie`: holds role `lead_instructor`, which takes no per-person \
          settings in this product, and sets `grant`: give the person another role instead"
        ]
    );
    assert!(perms_of(&granted, "samantha").can("pos.sell").unwrap());
    // No admin of the account carries a per-person edit, and Lucie's two
    // store overrides are her group's.
    let p = policy("amilia");
    for s in p.staff().iter().filter(|s| !s.owner) {
        assert_eq!(s.roles.len(), 1, "{}", s.id);
        assert!(
            s.grant.is_empty()
                && s.remove.is_empty()
                && s.scopes.is_empty()
                && s.hidden_fields.is_empty()
                && s.apps.is_none()
                && s.step_up.is_empty()
                && s.permission_scopes.is_empty(),
            "{}",
            s.id
        );
    }
    let lucie = perms("amilia", "lucie");
    assert_eq!(lucie.roles(), ["lead_instructor"]);
    for name in ["store.ignore_capacity", "store.ignore_restrictions"] {
        assert_eq!(
            reason(&lucie, name),
            (true, role("lead_instructor")),
            "{name}"
        );
    }
}

#[test]
fn amilia_editing_a_group_changes_everyone_who_holds_it() {
    // « Attention! Toute modification apportée à un groupe d'autorisations
    // affecte tous ceux qui le possèdent. »
    for id in ["samantha", "frontdesk"] {
        assert!(perms("amilia", id).can("billing.clients").unwrap(), "{id}");
    }
    let p = edited(|d| {
        let desk = d["roles"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["id"] == "front_desk")
            .unwrap();
        desk["permissions"] = json!(["pos.sell", "store.purchase_for_client", "reports.financial"]);
    });
    for id in ["samantha", "frontdesk"] {
        assert_eq!(
            reason(&perms_of(&p, id), "billing.clients"),
            (false, Reason::NotGranted),
            "{id}"
        );
    }
    assert!(perms_of(&p, "omar").can("billing.clients").unwrap());
}

#[test]
fn amilia_shared_front_desk_asks_for_the_pin_before_a_sale_and_carries_no_pin() {
    // « Un administrateur doit saisir son NIP unique pour acheter au point de
    // vente ou lorsqu'il effectue des achats pour un client dans la boutique. »
    // The product's rule, applied to every shared account: the record asks
    // for nothing.
    let p = policy("amilia");
    assert!(p.record("frontdesk").unwrap().step_up.is_empty());
    let desk = perms_of(&p, "frontdesk");
    assert_eq!(
        desk.step_up_actions(),
        vec!["store.purchase_for_client", "pos.sell"]
    );
    assert!(!desk.needs_step_up("billing.clients").unwrap());
    // Samantha's own account (« Compte avec un NIP »), same group: no PIN.
    assert!(perms("amilia", "samantha").step_up_actions().is_empty());
    // Another shared account of the account gets it too, with no record field.
    let p = edited(|d| {
        add_staff(
            d,
            json!({"id": "desk2", "roles": ["front_desk"], "shared_account": true}),
        )
    });
    assert_eq!(
        perms_of(&p, "desk2").step_up_actions(),
        vec!["store.purchase_for_client", "pos.sell"]
    );
    // « Le NIP est généré par SmartRec et ne peut pas être personnalisé. »
    // A PIN in the policy is refused outright.
    let json = std::fs::read_to_string(preset_path("amilia"))
        .unwrap()
        .replace(
            r#""name": "Samantha Postlethwaite","#,
            r#""name": "Samantha Postlethwaite", "pin": "6420","#,
        );
    let err = Policy::from_json(&json, "amilia.json").unwrap_err();
    assert!(err.to_string().contains("secret material"), "{err}");
}

#[test]
fn amilia_a_shared_accounts_group_includes_pos_or_client_billing() {
    // « Le groupe de permission doit inclure l'accès au Point de vente et/ou
    // la facturation du client. »
    let p = edited(|d| record(d, "frontdesk")["roles"] = json!(["instructor"]));
    assert_eq!(
        problems(&p),
        ["amilia.json: staff `frontdesk`: is a shared account and holds none of pos.sell, billing.clients: \
          a shared account of this product holds at least one"]
    );
    assert!(perms_of(&p, "samantha").can("pos.sell").unwrap());
    // « et/ou »: client billing alone will do.
    let p = edited(|d| record(d, "frontdesk")["roles"] = json!(["accountant"]));
    assert!(problems(&p).is_empty(), "{:?}", problems(&p));
    let desk = perms_of(&p, "frontdesk");
    assert!(desk.can("billing.clients").unwrap() && !desk.can("pos.sell").unwrap());
}

/// The edge for this preset: its route table, compiled against its catalog.
fn gate(p: &Policy) -> Gate {
    let routes =
        std::fs::read_to_string(format!("{}/routes/amilia.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    Gate::from_json(p.catalog(), &routes).unwrap()
}

fn check(
    gate: &Gate,
    v: &mut permsnap::Verifier,
    method: &str,
    target: &str,
    snap: &str,
    proof: Option<&str>,
) -> Decision {
    let auth = format!("Permsnap {snap}");
    gate.check(
        v,
        &Request {
            method,
            target,
            authorization: Some(&auth),
            step_up: proof,
            ..Request::default()
        },
        NOW + 5,
    )
}

/// What the backend signs after checking `actor`'s PIN for a sale on the
/// shared account's snapshot `desk`.
fn pin_proof(p: &Policy, desk: &str, actor: &str) -> String {
    let issuer = Issuer::new(p.catalog().clone(), key()).unwrap();
    let req = StepUpRequest {
        actor,
        permission: "pos.sell",
        method: "POST",
        path: "/api/pos/sales",
        lifetime: 60,
    };
    permsnap::encoding::encode(&issuer.step_up(desk.as_bytes(), &req, NOW).unwrap())
}

#[test]
fn amilia_a_sale_on_the_shared_account_is_the_pin_holders_and_in_her_own_report() {
    // « La transaction sera donc effectuée par « samantha.postlethwaite@amilia.com »,
    // l'administrateur avec le NIP 6420. »
    // « Le NIP n'apparait pas dans vos rapports. Le nom et le courriel de
    // l'administrateur suffiront. »
    let p = policy("amilia");
    let gate = gate(&p);
    let mut v = verifier(&p);
    let desk = issue(&p, "frontdesk").text();
    // « Dans le point de vente, un administrateur doit saisir son NIP sur le
    // formulaire de commande. »: no proof, no sale.
    let d = check(&gate, &mut v, "POST", "/api/pos/sales", &desk, None);
    assert_eq!((d.status, d.code.as_str()), (403, "step_up_required"));
    // Samantha types her PIN; the backend checks it and signs who she is.
    let proof = pin_proof(&p, &desk, "samantha");
    let d = check(&gate, &mut v, "POST", "/api/pos/sales", &desk, Some(&proof));
    assert_eq!((d.status, d.code.as_str()), (200, "ok"), "{}", d.message);
    assert_eq!(d.subject.as_deref(), Some("frontdesk"));
    assert_eq!(d.actor.as_deref(), Some("samantha"));
    // The origin records the sale under the actor (the kind's owner field).
    let transactions = [
        json!({"id": "t1", "admin_id": d.actor.clone().unwrap(), "amount": 42}),
        json!({"id": "t2", "admin_id": "omar", "amount": 7}),
    ];
    let kept = |who: &permsnap::Permissions| -> Vec<&str> {
        let f = who.filter_for("reports.financial").unwrap();
        transactions
            .iter()
            .filter(|t| f.matches(*t))
            .map(|t| t["id"].as_str().unwrap())
            .collect()
    };
    // Her end-of-shift report, on her own login: the sale is hers.
    let sam = perms_of(&p, "samantha");
    assert_eq!(
        sam.permission_scope("reports.financial").unwrap(),
        &Scope::Own
    );
    assert_eq!(kept(&sam), ["t1"]);
    let own = issue(&p, "samantha").text();
    let d = check(&gate, &mut v, "GET", "/api/reports/financial", &own, None);
    assert_eq!((d.status, d.actor), (200, None));
    // The shared account's own report does not count it as its own.
    let shared = v.verify(desk.as_bytes(), NOW).unwrap();
    assert_eq!(
        shared.permission_scope("reports.financial").unwrap(),
        &Scope::Own
    );
    assert_eq!(kept(&shared), Vec::<&str>::new());
    // The report of all admins has it, under her name.
    assert_eq!(kept(&perms_of(&p, "omar")), ["t1", "t2"]);
}

#[test]
fn amilia_on_the_shared_account_the_shared_accounts_group_applies() {
    // « Choisissez un groupe de permissions dont disposera l'administrateur
    // lorsqu'il se connectera dans son propre compte. »
    // Omar's own group has no point of sale; his PIN on the shared account
    // acts with the shared account's group, and the sale is his.
    let p = policy("amilia");
    let gate = gate(&p);
    let mut v = verifier(&p);
    let own = issue(&p, "omar").text();
    let d = check(&gate, &mut v, "POST", "/api/pos/sales", &own, None);
    assert_eq!((d.status, d.reason.as_deref()), (403, Some("not_granted")));
    let desk = issue(&p, "frontdesk").text();
    let proof = pin_proof(&p, &desk, "omar");
    let d = check(&gate, &mut v, "POST", "/api/pos/sales", &desk, Some(&proof));
    assert_eq!((d.status, d.actor.as_deref()), (200, Some("omar")));
    // And the shared account's group does not follow him home.
    let d = check(&gate, &mut v, "POST", "/api/pos/sales", &own, Some(&proof));
    assert_eq!(
        (d.status, d.reason.as_deref()),
        (403, Some("not_granted")),
        "{}",
        d.message
    );
}

#[test]
fn amilia_financial_reports_all_versus_own_is_one_permission_with_its_scope() {
    // « Rapports financiers (tous les administrateurs) - permet à tous les
    // administrateurs d'accéder à l'ensemble des rapports et données financières »
    // « Rapports financiers (spécifiques à l'administrateur) - autorise
    // uniquement l'accès aux rapports financiers en fonction de
    // l'administrateur connecté »
    let omar = perms("amilia", "omar");
    let sam = perms("amilia", "samantha");
    assert!(omar.can("reports.financial").unwrap() && sam.can("reports.financial").unwrap());
    assert_eq!(
        omar.permission_scope("reports.financial").unwrap(),
        &Scope::All
    );
    assert_eq!(
        sam.permission_scope("reports.financial").unwrap(),
        &Scope::Own
    );
    // Not two permissions whose reach is set elsewhere.
    assert!(omar.catalog().perm("reports.financial_all").is_err());
    // The report's reach is the permission's own: a wider view of the
    // transactions kind (set on her group) does not widen her report.
    let p = edited(|d| {
        for r in d["roles"].as_array_mut().unwrap() {
            if r["id"] == "front_desk" {
                r["scopes"] = json!({"transactions": "all"});
            }
        }
    });
    let sam = perms_of(&p, "samantha");
    assert_eq!(sam.scope("transactions").unwrap(), &Scope::All);
    assert_eq!(
        sam.permission_scope("reports.financial").unwrap(),
        &Scope::Own
    );
    // « ceux qui ont besoin de données financières doivent se voir attribuer
    // un groupe de permissions incluant l'accès aux rapports de finance »:
    // a group giving the reports must say which (own or all), else they do
    // nothing, and validate says so.
    let p = edited(|d| {
        add_role(
            d,
            json!({"id": "clerk", "permissions": ["billing.clients", "reports.financial"]}),
        );
        add_staff(d, json!({"id": "kim", "roles": ["clerk"]}));
    });
    let w = p.warnings();
    assert_eq!(
        w.iter()
            .map(|w| (w.code, w.staff.as_str(), w.field))
            .collect::<Vec<_>>(),
        [("grant_without_scope", "kim", "permission_scopes")]
    );
    let kim = perms_of(&p, "kim");
    assert_eq!(
        reason(&kim, "reports.financial"),
        (
            false,
            Reason::NoScope {
                kind: "transactions".into()
            }
        )
    );
}

#[test]
fn amilia_registering_after_a_drop_in_started_needs_both_overrides() {
    // « Les admins ont besoin de deux autorisations sous la section Boutique
    // pour inscrire un participant à une activité à la carte une fois
    // celle-ci commencée : »
    let lucie = perms("amilia", "lucie");
    assert_eq!(
        reason(&lucie, "store.register_started_dropin"),
        (
            true,
            Reason::Implied {
                by: "store.ignore_capacity+store.ignore_restrictions".into()
            }
        )
    );
    // « Ignorer les limites de places disponibles » alone is not enough.
    let p = edited(|d| record(d, "lucie")["roles"] = json!(["instructor"]));
    let instructor = perms_of(&p, "lucie");
    assert!(instructor.can("store.ignore_capacity").unwrap());
    assert_eq!(
        reason(&instructor, "store.register_started_dropin"),
        (false, Reason::NotGranted)
    );
    // The full-access group gets it from the two, not by a checkbox.
    assert_eq!(
        reason(&perms("amilia", "vince"), "store.register_started_dropin")
            .1
            .code(),
        "implied"
    );
    // No checkbox of its own: a group naming it is that group's problem.
    let p = edited(|d| {
        add_role(
            d,
            json!({"id": "late", "permissions": ["store.register_started_dropin"]}),
        )
    });
    let pr = problems(&p);
    assert_eq!(pr.len(), 1, "{pr:?}");
    assert!(
        pr[0].contains("role `late`") && pr[0].contains("no checkbox of its own"),
        "{}",
        pr[0]
    );
    // « Permet aux admins d'inscrire un participant à une activité même
    // lorsqu'elle est pleine. » « Permet aux admins d'inscrire un client pour
    // n'importe quel item (activité, affiliation, etc.,) et d'ignorer : »
    // Each override works on its own: the page ties neither to purchases
    // for a client.
    let p = edited(|d| {
        add_role(
            d,
            json!({"id": "overrides", "permissions": ["billing.clients", "store.ignore_capacity", "store.ignore_restrictions"]}),
        );
        add_staff(d, json!({"id": "kim", "roles": ["overrides"]}));
    });
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    let kim = perms_of(&p, "kim");
    assert!(!kim.can("store.purchase_for_client").unwrap());
    assert!(kim
        .can_all(&[
            "store.ignore_capacity",
            "store.ignore_restrictions",
            "store.register_started_dropin"
        ])
        .unwrap());
    assert!(!perms("amilia", "samantha")
        .can_any(&["store.ignore_capacity", "store.register_started_dropin"])
        .unwrap());
}

#[test]
fn amilia_manage_and_delete_reconciliations_are_two_permissions() {
    // « Vous pouvez attribuer deux permissions à vos différents rôles: « Gérer
    // les conciliations » et « Supprimer les conciliations ». »
    let omar = perms("amilia", "omar");
    assert!(omar
        .can_all(&["reconciliations.manage", "reconciliations.delete"])
        .unwrap());
    assert!(!perms("amilia", "samantha")
        .can_any(&["reconciliations.manage", "reconciliations.delete"])
        .unwrap());
    // Either one can be given alone (no requirement the page does not state).
    let p = edited(|d| {
        add_role(
            d,
            json!({"id": "deleter", "permissions": ["billing.clients", "reconciliations.delete"]}),
        );
        add_staff(d, json!({"id": "kim", "roles": ["deleter"]}));
    });
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    let kim = perms_of(&p, "kim");
    assert_eq!(
        reason(&kim, "reconciliations.delete"),
        (true, role("deleter"))
    );
    assert!(!kim.can("reconciliations.manage").unwrap());
}

#[test]
fn amilia_exactly_one_principal_admin() {
    // « Il ne doit y avoir qu'un seul administrateur principal par organisation. »
    let p =
        edited(|d| *record(d, "vince") = json!({"id": "vince", "owner": true, "principal": true}));
    assert_eq!(
        problems(&p),
        [
            "amilia.json: account: has 2 principal admins (julie, vince): an account has at most one",
            "amilia.json: account: has 2 owners (julie, vince): every account of this product has \
             exactly one (the account holder)"
        ]
    );
    // An account rule is for `validate` and the app's save check; it never
    // stops anyone from getting a snapshot.
    let opts = permsnap::issuer::IssueOptions::at(NOW);
    assert!(p.claims_for("julie", &opts).is_ok() && p.claims_for("samantha", &opts).is_ok());
    // Exactly one: an account with none is a problem too.
    let none = edited(|d| record(d, "julie")["principal"] = json!(false));
    assert_eq!(
        problems(&none),
        ["amilia.json: account: has no principal admin: every account of this product has exactly one"]
    );
    let julie = perms("amilia", "julie");
    assert!(julie.is_principal() && julie.is_owner());
    assert!(
        julie.roles().is_empty(),
        "the principal admin is a person, not a group"
    );
}

#[test]
fn amilia_full_access_group_is_unlimited_but_not_the_principal() {
    // « Si plusieurs administrateurs ont besoin d'un accès illimité, vous
    // pouvez créer un groupe de permission avec tout activé et l'attribuer à
    // d'autres administrateurs. »
    let vince = perms("amilia", "vince");
    let julie = perms("amilia", "julie");
    assert_eq!(vince.allowed(), julie.allowed());
    assert_eq!(vince.allowed().len(), vince.catalog().permission_count());
    assert_eq!(
        vince.permission_scope("reports.financial").unwrap(),
        &Scope::All
    );
    // What differs is who they are, not what they may do.
    assert!(!vince.is_principal() && !vince.is_owner());
    assert_eq!(reason(&vince, "org.admins"), (true, role("all_access")));
    assert_eq!(reason(&julie, "org.admins"), (true, Reason::Owner));
    // « Initialement, seul l'administrateur principal peut gérer les groupes
    // de permissions. »: no other group of the account has it.
    for id in ["samantha", "frontdesk", "omar", "lucie"] {
        assert!(
            !perms("amilia", id).can("org.permission_groups").unwrap(),
            "{id}"
        );
    }
}

#[test]
fn amilia_the_administrators_subtab_needs_the_starred_permission() {
    // « Au moins 1 permission est requise (*) pour le sous-onglet Administrateurs. »
    // « Administrateurs* : possibilité d'ajouter ou de modifier l'accès des
    // administrateurs. »
    // « Gérer les autorisations : accès pour créer, modifier et supprimer des
    // groupes de permissions. »
    let p = edited(|d| {
        add_role(
            d,
            json!({"id": "groups", "permissions": ["billing.clients", "org.permission_groups"]}),
        );
        add_staff(d, json!({"id": "kim", "roles": ["groups"]}));
    });
    let w = p.warnings();
    assert_eq!(
        w.iter()
            .map(|w| (w.code, w.staff.as_str()))
            .collect::<Vec<_>>(),
        [("requirement_not_held", "kim")]
    );
    let kim = perms_of(&p, "kim");
    assert_eq!(
        reason(&kim, "org.permission_groups"),
        (
            false,
            Reason::MissingRequirement {
                requires: "org.admins".into()
            }
        )
    );
    assert!(kim.can("billing.clients").unwrap(), "the rest stays");
}

#[test]
fn amilia_a_deactivated_account_is_not_linked_to_the_back_office() {
    // « Lorsque le statut d'un compte est actif, il est lié à l'arrière-boutique. »
    // « Un compte désactivé ne l'est pas. »
    assert_eq!(
        policy("amilia")
            .issue("ancien", &key(), &opts())
            .unwrap_err()
            .code(),
        "deactivated"
    );
    // « sera automatiquement révoqué et devra être rétabli sur « Actif ». »
    let back = edited(|d| record(d, "ancien")["active"] = json!(true));
    assert_eq!(perms_of(&back, "ancien").roles(), ["front_desk"]);
}

#[test]
fn amilia_hides_no_client_field() {
    // The page has no field hiding (the former preset's hidden client email,
    // phone and birth date were invented): no kind has a hideable field.
    let p = policy("amilia");
    let def = p.catalog().def().unwrap();
    assert!(def.kinds.iter().all(|k| k.fields.is_empty()));
    assert!(
        p.catalog().perm("account.principal").is_err(),
        "no invented principal power"
    );
}
