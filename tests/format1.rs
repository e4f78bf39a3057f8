//! Reading the previous format: genuine format 1 snapshots and compiled
//! catalogs (vectors/format1.json, produced by permsnap before format 2 and
//! frozen) are read by a format 2 verifier that was given the format 1
//! catalog, with the decisions format 1 gave; without it they are refused.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::{Catalog, Keyring, Options, Revocations, Verifier};
use serde_json::{json, Value};

fn doc() -> Value {
    let path = format!("{}/vectors/format1.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A preset's catalog as it was while format 1 snapshots were issued
/// (vectors/format1-era-catalogs.json): what they are read with.
fn era_catalog(preset: &str) -> Catalog {
    let path = format!(
        "{}/vectors/format1-era-catalogs.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Catalog::from_json(&doc["catalogs"][preset].to_string(), preset).unwrap()
}

fn verifier(doc: &Value, case: &Value, format1: bool) -> Verifier {
    let preset = case["catalog"].as_str().unwrap();
    let jwks: permsnap::Jwks = serde_json::from_value(doc["key"]["jwks"].clone()).unwrap();
    let mut v = Verifier::new(
        era_catalog(preset),
        Keyring::from_jwks(&jwks).unwrap(),
        Options::for_tenant(case["expected_tenant"].as_str().unwrap()),
    );
    if format1 {
        let binary = doc["format1_catalogs"][preset]["binary"].as_str().unwrap();
        v.accept_format1(binary.as_bytes()).unwrap();
    }
    if let Some(ids) = case.get("revoked_ids") {
        let mut r = Revocations::new();
        for id in ids.as_array().unwrap() {
            r.revoke_id(
                permsnap::wire::parse_snapshot_id(id.as_str().unwrap()).unwrap(),
                u64::MAX,
            );
        }
        v.set_revocations(r);
    }
    v
}

/// The format 1 expectation's fields, as a format 2 verifier answers them.
fn answers(p: &permsnap::Permissions, expect: &Value) -> Value {
    let cat = p.catalog().tables();
    let kinds = |f: &dyn Fn(&str) -> Value| -> Value {
        cat.kinds
            .iter()
            .map(|k| (k.name.clone(), f(&k.name)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "subject": p.subject(), "tenant": p.tenant(), "expires_at": p.expires_at(),
        "role": p.roles().first(), "owner": p.is_owner(), "shared_account": p.is_shared_account(),
        "allowed": p.allowed(),
        "denied": cat.permissions.iter().map(|x| x.name.as_str()).filter(|n| !p.can(n).unwrap()).collect::<Vec<_>>(),
        "explain": cat.permissions.iter().map(|x| (x.name.clone(), serde_json::to_value(&p.explain(&x.name).unwrap().reason).unwrap())).collect::<serde_json::Map<_, _>>(),
        "step_up": p.step_up_actions(), "apps": p.apps(),
        "scopes": kinds(&|k| serde_json::to_value(p.scope(k).unwrap()).unwrap()),
        "hidden_fields": kinds(&|k| json!(p.hidden_fields(k).unwrap())),
        "filters": kinds(&|k| serde_json::to_value(p.filter(k).unwrap()).unwrap()),
    })
    .as_object()
    .unwrap()
    .iter()
    .filter(|(k, _)| expect.get(k.as_str()).is_some())
    .map(|(k, v)| (k.clone(), v.clone()))
    .collect::<serde_json::Map<_, _>>()
    .into()
}

#[test]
fn format1_snapshots_read_with_the_decisions_format1_gave() {
    let doc = doc();
    let mut valid = 0;
    for case in doc["cases"].as_array().unwrap() {
        let text = case["snapshot"].as_str().unwrap();
        let now = case["now"].as_u64().unwrap();
        let expect = &case["expect"];
        let v = verifier(&doc, case, true);
        match (v.verify(text.as_bytes(), now), expect.get("error")) {
            (Ok(p), None) => {
                assert_eq!(answers(&p, expect), *expect, "{}", case["name"]);
                assert_eq!((p.version(), p.claims().revision), (0, 1));
                valid += 1;
            }
            (Err(e), Some(code)) => assert_eq!(e.code(), code, "{}", case["name"]),
            (got, want) => panic!("{}: got {got:?}, want {want:?}", case["name"]),
        }
        // Without the format 1 catalog: refused as an unsupported version
        // (or earlier, for the cases that fail before the version).
        let plain = verifier(&doc, case, false);
        if let Err(e) = plain.verify(text.as_bytes(), now) {
            if expect.get("error").is_none() {
                assert_eq!(e.code(), "unsupported_version", "{}", case["name"]);
            }
        } else {
            panic!(
                "{}: a format 1 snapshot passed without its catalog",
                case["name"]
            );
        }
    }
    assert_eq!(valid, 29, "every preset's staff");
}

#[test]
fn a_format1_catalog_must_be_revision_1_of_the_catalog() {
    let doc = doc();
    let sitee = doc["format1_catalogs"]["sitee"]["binary"].as_str().unwrap();
    let mut v = Verifier::new(era_catalog("ecwid"), keyring(), Options::any_tenant());
    let e = v.accept_format1(sitee.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "invalid_policy");
    assert!(
        e.to_string().contains("not revision 1 of catalog `ecwid`"),
        "{e}"
    );
    // A catalog redesigned since format 1 (the presets re-derived from
    // their help pages: implications, features, scoped permissions) is a
    // new catalog for format 1 snapshots: refused, never read loosely.
    for preset in ["amilia", "ecwid", "shopify-partner"] {
        let old = doc["format1_catalogs"][preset]["binary"].as_str().unwrap();
        let mut v = Verifier::new(
            policy(preset).catalog().clone(),
            keyring(),
            Options::any_tenant(),
        );
        let e = v.accept_format1(old.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not revision 1"), "{preset}: {e}");
    }
    // A format 2 catalog is not a format 1 one; damage is refused.
    let own = era_catalog("sitee").to_bytes().unwrap();
    let mut v = Verifier::new(era_catalog("sitee"), keyring(), Options::any_tenant());
    assert_eq!(v.accept_format1(&own).unwrap_err().code(), "invalid_policy");
    let mut damaged = permsnap::encoding::decode(sitee).unwrap();
    damaged.truncate(damaged.len() - 3);
    assert_eq!(
        v.accept_format1(&damaged).unwrap_err().code(),
        "invalid_policy"
    );
    // Revision 1 of a grown catalog still reads format 1 snapshots.
    let dia = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sitee/dia")
        .unwrap();
    let mut grown = Verifier::new(
        sitee_revision(3).catalog().clone(),
        Keyring::from_jwks(&serde_json::from_value(doc["key"]["jwks"].clone()).unwrap()).unwrap(),
        Options::for_tenant("spa-lumi"),
    );
    grown.accept_format1(sitee.as_bytes()).unwrap();
    let p = grown
        .verify(
            dia["snapshot"].as_str().unwrap().as_bytes(),
            dia["now"].as_u64().unwrap(),
        )
        .unwrap();
    assert!(p.hidden_fields("clients").unwrap().contains(&"birthday"));
    assert_eq!(p.roles(), vec!["marketing"]);
}
