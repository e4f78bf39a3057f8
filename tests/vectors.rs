//! Test vectors (vectors/vectors.json): regenerated and compared on every
//! run; `PERMSNAP_UPDATE_VECTORS=1 cargo test --features issuer --test vectors`
//! rewrites the file. Another implementation checks itself against it.
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::encoding as base64url;
use permsnap::issuer::{sign_claims, sign_notice};
use permsnap::wire;
use permsnap::wire::Notice;
use permsnap::{Catalog, Keyring, Options, Revocations, Verifier};
use serde_json::{json, Value};

const PRESETS: [&str; 5] = ["sitee", "ecwid", "shopify-partner", "amilia", "lightspeed"];

fn vectors_path() -> String {
    format!("{}/vectors/vectors.json", env!("CARGO_MANIFEST_DIR"))
}

/// What a verifier must answer for a snapshot: the decisions, or the error.
pub fn expectation(v: &Verifier, bytes_or_text: &Value, now: u64) -> Value {
    let result = match bytes_or_text {
        Value::String(text) => v.verify_text(text, now),
        other => panic!("bad vector input {other}"),
    };
    match result {
        Err(e) => json!({"error": e.code()}),
        Ok(p) => {
            let cat = p.catalog().tables();
            let scopes: serde_json::Map<String, Value> = cat
                .kinds
                .iter()
                .map(|k| {
                    (
                        k.name.clone(),
                        serde_json::to_value(p.scope(&k.name).unwrap()).unwrap(),
                    )
                })
                .collect();
            let hidden: serde_json::Map<String, Value> = cat
                .kinds
                .iter()
                .map(|k| (k.name.clone(), json!(p.hidden_fields(&k.name).unwrap())))
                .collect();
            let filters: serde_json::Map<String, Value> = cat
                .kinds
                .iter()
                .map(|k| {
                    (
                        k.name.clone(),
                        serde_json::to_value(p.filter(&k.name).unwrap()).unwrap(),
                    )
                })
                .collect();
            json!({
                "subject": p.subject(), "tenant": p.tenant(), "expires_at": p.expires_at(),
                "roles": p.roles(), "version": p.version(), "owner": p.is_owner(), "shared_account": p.is_shared_account(),
                "allowed": p.allowed(),
                "denied": cat.permissions.iter().map(|x| x.name.as_str()).filter(|n| !p.can(n).unwrap()).collect::<Vec<_>>(),
                "explain": cat.permissions.iter().map(|x| (x.name.clone(), serde_json::to_value(&p.explain(&x.name).unwrap().reason).unwrap())).collect::<serde_json::Map<_, _>>(),
                "step_up": p.step_up_actions(), "apps": p.apps(),
                "scopes": scopes, "hidden_fields": hidden, "filters": filters,
            })
        }
    }
}

fn verifier_for(case: &Value, catalog: Catalog) -> Verifier {
    let mut v = Verifier::new(
        catalog,
        Keyring::from_jwks(&serde_json::from_value(case["jwks"].clone()).unwrap_or(
            permsnap::Jwks {
                keys: vec![key().public_jwk()],
            },
        ))
        .unwrap(),
        Options {
            tenant: case["expected_tenant"]
                .as_str()
                .map_or(permsnap::verify::TenantCheck::Any, |t| {
                    permsnap::verify::TenantCheck::Fixed(t.to_owned())
                }),
            leeway: 30,
            max_feed_age: None,
        },
    );
    if let Some(ids) = case.get("revoked_ids") {
        let mut r = Revocations::default();
        for id in ids.as_array().unwrap() {
            let b: [u8; 8] = hex_decode(id.as_str().unwrap()).try_into().unwrap();
            r.revoke_id(b, u64::MAX);
        }
        v.set_revocations(r);
    }
    v
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn case(
    name: &str,
    about: &str,
    catalog: &str,
    tenant: Option<&str>,
    now: u64,
    text: String,
) -> Value {
    json!({"name": name, "about": about, "catalog": catalog, "expected_tenant": tenant, "now": now, "snapshot": text})
}

fn build() -> Value {
    let mut cases = Vec::new();
    for preset in PRESETS {
        let p = policy(preset);
        for s in p.staff().iter().filter(|s| s.active) {
            let snap = issue(&p, &s.id);
            let mut c = case(
                &format!("{preset}/{}", s.id),
                "valid",
                preset,
                Some(p.tenant()),
                NOW,
                snap.text(),
            );
            c["hex"] = json!(hex(&snap.bytes));
            cases.push(c);
        }
    }
    let sitee = policy("sitee");
    let good = issue(&sitee, "dia");
    let g = good.bytes.clone();
    let t = Some("spa-lumi");
    let enc = |b: &[u8]| base64url::encode(b);
    let mut flipped = g.clone();
    flipped[20] ^= 0x10;
    let mut magic = g.clone();
    magic[0] = b'Q';
    let mut version = g.clone();
    version[3] = 9;
    let mut junk = wire::encode_unsigned("t-01", &good.claims).unwrap();
    junk.truncate(9);
    junk.extend_from_slice(&[0xff; 12]);
    let sig = key().sign(&junk);
    junk.extend_from_slice(&sig);
    let mut long = g.clone();
    long.resize(4097, 0);
    cases.extend([
        case(
            "refuse/bad_encoding",
            "not base64url",
            "sitee",
            t,
            NOW,
            "UFNO*AQ".into(),
        ),
        case(
            "refuse/truncated",
            "the first 60 bytes only",
            "sitee",
            t,
            NOW,
            enc(&g[..60]),
        ),
        case(
            "refuse/too_large",
            "4097 bytes",
            "sitee",
            t,
            NOW,
            enc(&long),
        ),
        case(
            "refuse/bad_magic",
            "first byte changed",
            "sitee",
            t,
            NOW,
            enc(&magic),
        ),
        case(
            "refuse/unsupported_version",
            "version byte 9",
            "sitee",
            t,
            NOW,
            enc(&version),
        ),
        case(
            "refuse/tampered",
            "one bit of the payload flipped",
            "sitee",
            t,
            NOW,
            enc(&flipped),
        ),
        case(
            "refuse/wrong_key",
            "signed by another key under the trusted key id",
            "sitee",
            t,
            NOW,
            sign_claims(&other_key("t-01"), good.claims.clone())
                .unwrap()
                .text(),
        ),
        case(
            "refuse/unknown_key",
            "signed by a key id not in the JWKS",
            "sitee",
            t,
            NOW,
            sign_claims(&other_key("t-99"), good.claims.clone())
                .unwrap()
                .text(),
        ),
        case(
            "refuse/malformed",
            "validly signed, payload is not a snapshot",
            "sitee",
            t,
            NOW,
            enc(&junk),
        ),
        case(
            "refuse/expired",
            "checked 16 minutes after issue",
            "sitee",
            t,
            NOW + 16 * 60,
            good.text(),
        ),
        case(
            "refuse/not_yet_valid",
            "checked 5 minutes before issue",
            "sitee",
            t,
            NOW - 300,
            good.text(),
        ),
        case(
            "refuse/wrong_tenant",
            "verifier expects another account",
            "sitee",
            Some("other-co"),
            NOW,
            good.text(),
        ),
        case(
            "refuse/wrong_catalog",
            "verified against the Ecwid catalog",
            "ecwid",
            None,
            NOW,
            good.text(),
        ),
    ]);
    let mut revoked = case(
        "refuse/revoked",
        "its id is on the revocation list",
        "sitee",
        t,
        NOW,
        good.text(),
    );
    revoked["revoked_ids"] = json!([hex(&good.claims.id)]);
    cases.push(revoked);

    for c in cases.iter_mut() {
        let v = verifier_for(c, policy(c["catalog"].as_str().unwrap()).catalog().clone());
        let now = c["now"].as_u64().unwrap();
        c["expect"] = expectation(&v, &c["snapshot"], now);
    }
    let notices = notices(&cases);
    json!({
        "about": "permsnap format version 1 test vectors. Generated by tests/vectors.rs; do not edit. See FORMAT.md.",
        "key": {"kid": "t-01", "seed_hex": hex(&key().seed()), "jwks": {"keys": [key().public_jwk()]}},
        "leeway": 30,
        "catalogs": PRESETS.iter().map(|p| (p.to_string(), json!({"path": format!("presets/{p}.json"), "fingerprint": policy(p).catalog().fingerprint_hex(), "binary": base64url::encode(&policy(p).catalog().to_bytes().unwrap())}))).collect::<serde_json::Map<_, _>>(),
        "cases": cases,
        "notices": notices,
    })
}

/// Signed revocation notices, and which valid cases they revoke.
fn notices(cases: &[Value]) -> Value {
    let dia = cases.iter().find(|c| c["name"] == "sitee/dia").unwrap();
    let (_, dia_claims) =
        wire::decode_unverified(&wire::text_to_binary(dia["snapshot"].as_str().unwrap()).unwrap())
            .unwrap();
    let sign = |k: &permsnap::crypto::signing::IssuerKey, n: &Notice| {
        base64url::encode(&sign_notice(k, n).unwrap())
    };
    let by_id = Notice {
        tenant: "spa-lumi".into(),
        issued_at: NOW,
        min_epoch: 0,
        ids: vec![dia_claims.id],
        staff: vec![],
    };
    let by_epoch = Notice {
        tenant: "shop-ora".into(),
        issued_at: NOW,
        min_epoch: 1,
        ids: vec![],
        staff: vec![],
    };
    let good = vec![sign(&key(), &by_id), sign(&key(), &by_epoch)];
    let mut tampered = sign_notice(&key(), &by_epoch).unwrap();
    let last = tampered.len() - 70;
    tampered[last] ^= 1;
    let other = permsnap::crypto::signing::IssuerKey::from_seed(Some("t-99"), &[9; 32]).unwrap();
    let mut revokes = Vec::new();
    for c in cases.iter().filter(|c| c["expect"].get("error").is_none()) {
        let mut v = verifier_for(c, policy(c["catalog"].as_str().unwrap()).catalog().clone());
        for n in &good {
            // A notice for another tenant than the expected one is refused; skip it.
            let _ = v.apply_notice(n.as_bytes());
        }
        let now = c["now"].as_u64().unwrap();
        if let Err(e) = v.verify(c["snapshot"].as_str().unwrap().as_bytes(), now) {
            assert_eq!(e.code(), "revoked");
            revokes.push(c["name"].clone());
        }
    }
    json!({
        "apply": good,
        "revokes": revokes,
        "refused": [
            {"name": "tampered", "notice": base64url::encode(&tampered), "error": "bad_signature"},
            {"name": "unknown key", "notice": sign(&other, &by_id), "error": "unknown_key"},
            {"name": "a snapshot is not a notice", "notice": dia["snapshot"], "error": "bad_magic"},
        ],
    })
}

#[test]
fn committed_vectors_are_up_to_date() {
    let fresh = serde_json::to_string_pretty(&build()).unwrap() + "\n";
    let path = vectors_path();
    if std::env::var_os("PERMSNAP_UPDATE_VECTORS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path)
        .expect("vectors/vectors.json is missing: run with PERMSNAP_UPDATE_VECTORS=1");
    assert!(committed == fresh, "vectors/vectors.json differs from what the code produces; regenerate with PERMSNAP_UPDATE_VECTORS=1 and review the diff");
}

#[test]
fn committed_vectors_verify_as_they_say() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_path()).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut refusals = std::collections::BTreeSet::new();
    for c in cases {
        // The committed compiled catalog, as browsers and edges load it.
        let entry = &doc["catalogs"][c["catalog"].as_str().unwrap()];
        let catalog = Catalog::from_text(entry["binary"].as_str().unwrap(), "vectors").unwrap();
        assert_eq!(
            catalog.fingerprint_hex(),
            entry["fingerprint"].as_str().unwrap()
        );
        assert!(
            catalog.def().is_none(),
            "a compiled catalog carries no definition"
        );
        let v = verifier_for(c, catalog);
        let got = expectation(&v, &c["snapshot"], c["now"].as_u64().unwrap());
        assert_eq!(got, c["expect"], "{}", c["name"]);
        if let Some(code) = got.get("error") {
            refusals.insert(code.as_str().unwrap().to_owned());
        }
    }
    let classes = [
        "bad_encoding",
        "truncated",
        "too_large",
        "bad_magic",
        "unsupported_version",
        "bad_signature",
        "unknown_key",
        "malformed",
        "expired",
        "not_yet_valid",
        "wrong_tenant",
        "wrong_catalog",
        "revoked",
    ];
    for class in classes {
        assert!(refusals.contains(class), "no vector for {class}");
    }

    // Revocation notices: applied, they revoke exactly the listed cases.
    let notices = &doc["notices"];
    let revokes: Vec<&str> = notices["revokes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        revokes.contains(&"sitee/dia") && revokes.len() >= 3,
        "{revokes:?}"
    );
    let mut seen = 0;
    for c in cases.iter().filter(|c| c["expect"].get("error").is_none()) {
        let entry = &doc["catalogs"][c["catalog"].as_str().unwrap()];
        let catalog = Catalog::from_text(entry["binary"].as_str().unwrap(), "vectors").unwrap();
        let mut v = verifier_for(c, catalog);
        for n in notices["apply"].as_array().unwrap() {
            match v.apply_notice(n.as_str().unwrap().as_bytes()) {
                Ok(_) => {}
                Err(e) => assert_eq!(e.code(), "wrong_tenant"),
            }
        }
        for r in notices["refused"].as_array().unwrap() {
            let before = v.revocations().clone();
            let e = v
                .apply_notice(r["notice"].as_str().unwrap().as_bytes())
                .unwrap_err();
            assert_eq!(e.code(), r["error"].as_str().unwrap(), "{}", r["name"]);
            assert_eq!(&before, v.revocations(), "a refused notice changes nothing");
        }
        let got = v.verify(
            c["snapshot"].as_str().unwrap().as_bytes(),
            c["now"].as_u64().unwrap(),
        );
        let name = c["name"].as_str().unwrap();
        assert_eq!(got.is_err(), revokes.contains(&name), "{name}");
        seen += 1;
    }
    assert!(seen >= 25);
}
