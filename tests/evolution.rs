//! Catalogs evolve without logging anyone out: revision `r` is a prefix of
//! every later one; a snapshot of an older revision is read on a newer
//! catalog (what it could not know: not granted, hidden), one a revision
//! ahead on an older catalog (what the verifier does not know: dropped);
//! anything else is another catalog. FORMAT.md, "Catalog revisions".
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::issuer::sign_claims;
use permsnap::{Catalog, Options, Scope, Verifier};

fn verifier_at(rev: u16) -> Verifier {
    Verifier::new(
        sitee_revision(rev).catalog().clone(),
        keyring(),
        Options::for_tenant("spa-lumi"),
    )
}

#[test]
fn revisions_are_prefixes_with_their_own_fingerprints() {
    let (r1, r2, r3) = (sitee_revision(1), sitee_revision(2), sitee_revision(3));
    assert_eq!(
        r1.catalog().fingerprint(),
        policy("sitee").catalog().fingerprint()
    );
    assert_eq!(
        (
            r1.catalog().revision(),
            r2.catalog().revision(),
            r3.catalog().revision()
        ),
        (1, 2, 3)
    );
    let fps = |c: &Catalog| {
        c.revisions()
            .iter()
            .map(|r| r.fingerprint)
            .collect::<Vec<_>>()
    };
    assert_eq!(fps(r3.catalog())[..2], fps(r2.catalog())[..]);
    assert_eq!(fps(r2.catalog())[..1], fps(r1.catalog())[..]);
    // The compiled form carries the revisions: same fingerprints when read back.
    let read = Catalog::from_bytes(&r3.catalog().to_bytes().unwrap(), "r3").unwrap();
    assert_eq!(fps(&read), fps(r3.catalog()));
}

#[test]
fn an_older_snapshot_on_a_newer_catalog_stays_valid_and_knows_nothing_new() {
    let snap = issue(&sitee_revision(1), "cam");
    let old = verifier_at(1).verify(&snap.bytes, NOW).unwrap();
    let new = verifier_at(3).verify(&snap.bytes, NOW).unwrap();
    assert_eq!(new.allowed(), old.allowed(), "same powers");
    for name in ["reports.view", "invoices.view"] {
        assert!(!new.can(name).unwrap());
        assert_eq!(new.explain(name).unwrap().reason.code(), "not_granted");
    }
    // A field appended later counts as hidden; no existing bit moved.
    let mut expected = old.hidden_fields("clients").unwrap();
    expected.push("birthday");
    assert_eq!(new.hidden_fields("clients").unwrap(), expected);
    assert_eq!(new.scope("invoices").unwrap(), &Scope::None);
    assert!(new.apps().is_empty());
    assert!(!new.filter("invoices").unwrap().all);
}

#[test]
fn a_snapshot_one_revision_ahead_is_read_with_the_older_shape() {
    // The normal order of a rollout: the issuer has revision 2, an edge still 1.
    let ahead = issue(&sitee_revision(2), "ana");
    let same = issue(&sitee_revision(1), "ana");
    let at1 = verifier_at(1);
    let a = at1.verify(&ahead.bytes, NOW).unwrap();
    let b = at1.verify(&same.bytes, NOW).unwrap();
    assert_eq!(a.allowed(), b.allowed());
    assert_eq!(a.summary().scopes, b.summary().scopes);
    assert_eq!(a.summary().hidden_fields, b.summary().hidden_fields);
    assert_eq!(
        a.can("reports.view").unwrap_err().code(),
        "unknown_permission"
    );
    // Two revisions ahead: the verifier cannot know it extends its catalog.
    let far = issue(&sitee_revision(3), "ana");
    let e = at1.verify(&far.bytes, NOW).unwrap_err();
    assert_eq!(e.code(), "wrong_catalog");
    assert!(
        e.to_string().contains("deploy the newer compiled catalog"),
        "{e}"
    );
    assert!(verifier_at(2).verify(&far.bytes, NOW).is_ok());
}

#[test]
fn fields_a_snapshot_one_revision_ahead_hides_are_not_shown_by_the_older_catalog() {
    // Revision 2 appends `clients.birthday`, and fay's record hides it
    // beside email and phone. A revision 1 verifier (the normal order of a
    // rollout) cannot name it: its redaction passed `birthday` through
    // (attack review, session 18). It now refuses to redact or list that
    // kind's hidden fields, and says to deploy the newer catalog; the
    // snapshot's other answers stand.
    let mut doc = sitee_revision_doc(2);
    let staff = doc["staff"].as_array_mut().unwrap();
    let fay = staff.iter_mut().find(|s| s["id"] == "fay").unwrap();
    fay["hidden_fields"]["clients"] = serde_json::json!(["email", "phone", "birthday"]);
    let r2 = permsnap::Policy::from_json(&doc.to_string(), "sitee-r2").unwrap();
    let ahead = issue(&r2, "fay");
    let at1 = verifier_at(1).verify(&ahead.bytes, NOW).unwrap();
    for e in [
        at1.redaction("clients").unwrap_err(),
        at1.hidden_fields("clients").unwrap_err(),
    ] {
        assert_eq!(e.code(), "wrong_catalog");
        assert!(e.to_string().contains("hides fields of `clients`"), "{e}");
        assert!(
            e.to_string().contains("deploy the newer compiled catalog"),
            "{e}"
        );
    }
    // What the older catalog names is still listed in summaries, and the
    // other kinds and decisions are as before.
    assert_eq!(at1.summary().hidden_fields["clients"], ["email", "phone"]);
    assert!(at1.redaction("appointments").is_ok());
    assert_eq!(at1.scope("clients").unwrap(), &Scope::Assigned);
    // The same person without the new field hidden reads as before, and
    // the revision 2 verifier redacts all three.
    let plain = issue(&sitee_revision(2), "fay");
    let p1 = verifier_at(1).verify(&plain.bytes, NOW).unwrap();
    assert_eq!(p1.hidden_fields("clients").unwrap(), ["email", "phone"]);
    let at2 = verifier_at(2).verify(&ahead.bytes, NOW).unwrap();
    assert_eq!(
        at2.hidden_fields("clients").unwrap(),
        ["email", "phone", "birthday"]
    );
    assert!(at2
        .redaction("clients")
        .unwrap()
        .remove
        .contains(&"birthday".to_owned()));
}

#[test]
fn a_kind_out_of_reach_keeps_the_fields_a_snapshot_one_revision_ahead_hides() {
    // Re-review, session 18: on revision 1 `clients` is acted on only from
    // application `crm`, which fay may not enter: the verifier closes the
    // kind, and closing rebuilt its hidden set from the fields it knows,
    // dropping the `birthday` (revision 2) fay's record hides: redaction
    // passed it through.
    let doc_at = |rev: u16| {
        let mut doc = sitee_revision_doc(rev);
        let c = &mut doc["catalog"];
        let crm = serde_json::json!({"id": "crm", "name": "CRM"});
        match c["applications"].as_array_mut() {
            Some(apps) => apps.insert(0, crm),
            None => c["applications"] = serde_json::json!([crm]),
        }
        let perms = c["permissions"].as_array_mut().unwrap();
        let view = perms
            .iter_mut()
            .find(|p| p["name"] == "clients.view")
            .unwrap();
        view["app"] = serde_json::json!("crm");
        if rev >= 2 {
            perms.push(serde_json::json!(
                {"name": "clients.browse", "section": "clients", "scope_kind": "clients", "since": 2}));
        }
        let staff = doc["staff"].as_array_mut().unwrap();
        let fay = staff.iter_mut().find(|s| s["id"] == "fay").unwrap();
        fay["hidden_fields"]["clients"] = serde_json::json!(["email", "phone", "birthday"]);
        permsnap::Policy::from_json(&doc.to_string(), &format!("crm-r{rev}")).unwrap()
    };
    let (r1, r2) = (doc_at(1), doc_at(2));
    let ahead = issue(&r2, "fay");
    let at1 = Verifier::new(
        r1.catalog().clone(),
        keyring(),
        Options::for_tenant("spa-lumi"),
    )
    .verify(&ahead.bytes, NOW)
    .unwrap();
    assert_eq!(
        at1.scope("clients").unwrap(),
        &Scope::None,
        "out of reach at revision 1"
    );
    assert_eq!(
        at1.redaction("clients").unwrap_err().code(),
        "wrong_catalog"
    );
    assert_eq!(
        at1.hidden_fields("clients").unwrap_err().code(),
        "wrong_catalog"
    );
}

#[test]
fn changing_an_existing_entry_is_a_new_catalog() {
    let json = std::fs::read_to_string(preset_path("sitee")).unwrap();
    let snap = issue(&policy("sitee"), "dia");
    let load = |json: &str| permsnap::issuer::Policy::from_json(json, "x");
    // Inserting a permission in the middle without a revision, renaming or
    // reordering: snapshots of the old catalog are refused, clearly.
    let inserted = json.replacen(
        r#"{"name": "clients.edit""#,
        r#"{"name": "clients.merge", "section": "clients"},
      {"name": "clients.edit""#,
        1,
    );
    for changed in [inserted, json.replace("campaigns.manage", "campaigns.run")] {
        let p = load(&changed).unwrap();
        let v = Verifier::new(
            p.catalog().clone(),
            keyring(),
            Options::for_tenant("spa-lumi"),
        );
        let e = v.verify(&snap.bytes, NOW).unwrap_err();
        assert_eq!(e.code(), "wrong_catalog", "{e}");
    }
    // Appending out of revision order, or referring to a later revision.
    let c = |perms: &str| {
        Catalog::from_json(&format!(r#"{{"name": "c", "permissions": {perms}}}"#), "c")
            .unwrap_err()
            .to_string()
    };
    assert!(
        c(r#"[{"name": "b", "section": "s", "since": 2}, {"name": "a", "section": "s"}]"#)
            .contains("a catalog grows by appending")
    );
    assert!(c(r#"[{"name": "a", "section": "s", "requires": ["b"]}, {"name": "b", "section": "s", "since": 2}]"#)
        .contains("refers to permission `b` of revision 2"));
    assert!(c(r#"[{"name": "a", "section": "s", "since": 0}]"#)
        .contains("`since` is a revision from 1"));
}

#[test]
fn a_snapshot_must_fit_the_revision_it_names() {
    let v = verifier_at(2);
    let good = issue(&sitee_revision(1), "dia");
    // Claims of revision 1 carrying a permission bit past revision 1.
    let mut wide = good.claims.clone();
    wide.permissions
        .set(sitee_revision(1).catalog().permission_count());
    assert_eq!(
        v.verify(&sign_claims(&key(), wide).unwrap().bytes, NOW)
            .unwrap_err()
            .code(),
        "malformed"
    );
    // Revision 2's number with revision 1's fingerprint.
    let mut lying = good.claims.clone();
    lying.revision = 2;
    lying.previous = Some(good.claims.catalog);
    assert_eq!(
        v.verify(&sign_claims(&key(), lying).unwrap().bytes, NOW)
            .unwrap_err()
            .code(),
        "malformed"
    );
}

/// A permission a later revision adds is not granted to an older snapshot,
/// even when the new revision says an older permission implies it: that
/// snapshot's issuer never applied a PIN step-up, a shared account's
/// `never` nor a person's `remove` to it. A revision 2 `implied_by` of a
/// revision 1 permission granted it to every revision 1 (and format 1)
/// snapshot holding that one (attack review, session 15).
#[test]
fn a_later_permission_implied_by_an_older_one_is_not_granted_to_older_snapshots() {
    let with_purge = || {
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(preset_path("sitee")).unwrap()).unwrap();
        doc["catalog"]["permissions"].as_array_mut().unwrap().push(
            serde_json::json!({"name": "clients.purge", "section": "clients", "since": 2,
                "implied_by": [["clients.view"]]}),
        );
        permsnap::Policy::from_json(&doc.to_string(), "sitee-purge").unwrap()
    };
    let r2 = with_purge();
    let v = Verifier::new(
        r2.catalog().clone(),
        keyring(),
        Options::for_tenant("spa-lumi"),
    );
    let old = v
        .verify(&issue(&sitee_revision(1), "cam").bytes, NOW)
        .unwrap();
    assert!(
        old.can("clients.view").unwrap(),
        "control: cam views clients"
    );
    assert!(!old.can("clients.purge").unwrap());
    assert_eq!(
        old.explain("clients.purge").unwrap().reason.code(),
        "not_granted"
    );
    // Issued under the revision that knows it, the implication holds.
    let new = v.verify(&issue(&r2, "cam").bytes, NOW).unwrap();
    assert!(new.can("clients.purge").unwrap());
}
