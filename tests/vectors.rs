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

/// What a verifier must answer for a snapshot (with the id lists that
/// travel beside it attached, if any): the decisions, or the error.
pub fn expectation(v: &Verifier, case: &Value) -> Value {
    let now = case["now"].as_u64().unwrap();
    let result = match &case["snapshot"] {
        Value::String(text) => v.verify_text(text, now),
        other => panic!("bad vector input {other}"),
    };
    let result = result.and_then(|mut p| {
        for list in case["id_lists"].as_array().into_iter().flatten() {
            p = p.with_ids(list.as_str().unwrap().as_bytes())?;
        }
        Ok(p)
    });
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
                    let filter = match p.filter(&k.name) {
                        Ok(f) => serde_json::to_value(f).unwrap(),
                        Err(e) => json!({"error": e.code()}),
                    };
                    (k.name.clone(), filter)
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
                "features": p.features(),
                // The scope each permission acting on records acts with.
                "permission_scopes": cat.permissions.iter().filter_map(|x| {
                    p.permission_scope(&x.name).ok().map(|s| (x.name.clone(), serde_json::to_value(s).unwrap()))
                }).collect::<serde_json::Map<_, _>>(),
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

/// Catalog revisions: a snapshot of an older revision on a newer catalog,
/// one a revision ahead on an older catalog, one two ahead (refused); and
/// a person whose specific ids travel beside the snapshot.
fn evolution_and_id_list_cases() -> Vec<Value> {
    let t = Some("spa-lumi");
    let r1 = issue(&sitee_revision(1), "dia");
    let r2 = issue(&sitee_revision(2), "dia");
    let r3 = issue(&sitee_revision(3), "dia");
    let mut out = vec![
        case("revision/older-on-newer", "issued under revision 1, verified with revision 2: what revision 2 added is not granted, its new field hidden", "sitee-r2", t, NOW, r1.text()),
        case("revision/one-ahead", "issued under revision 2 (previous: revision 1), verified with revision 1: read with revision 1's shape", "sitee", t, NOW, r2.text()),
        case("revision/two-ahead", "issued under revision 3, verified with revision 1: another catalog", "sitee", t, NOW, r3.text()),
    ];
    let p = policy("shopify-partner");
    let mut record = p.record("theo").unwrap().clone();
    record.id = "agency".into();
    record.scopes.insert(
        "managed_stores".into(),
        permsnap::Scope::Specific(
            (0..300)
                .map(|i| format!("store-{i:05}-01HZXR7Q2M"))
                .collect(),
        ),
    );
    let issuer = permsnap::issuer::Issuer::new(p.catalog().clone(), key()).unwrap();
    let opts = permsnap::issuer::IssueOptions {
        id: Some(fixture_id(p.tenant(), "agency")),
        ..opts()
    };
    let snap = issuer.issue(p.account(), &record, &opts).unwrap();
    assert_eq!(snap.id_lists.len(), 1);
    let lists: Vec<String> = snap.id_lists.iter().map(|l| l.text()).collect();
    let mut with = case(
        "ids/attached",
        "300 specific store ids travel beside the snapshot; the list is attached",
        "shopify-partner",
        Some(p.tenant()),
        NOW,
        snap.text(),
    );
    with["id_lists"] = json!(lists);
    out.push(with);
    out.push(case(
        "ids/missing",
        "the same snapshot without its id list: the filter on stores answers ids_not_loaded",
        "shopify-partner",
        Some(p.tenant()),
        NOW,
        snap.text(),
    ));
    out
}

/// What an issuer in another language (the npm `permsnap/issuer` entry,
/// the Python module) must reproduce byte for byte: for each account, its
/// roles and features; for each person, the record, time, lifetime and id,
/// and the snapshot the Rust issuer signed with the test key (Ed25519
/// signing is deterministic).
fn issue_vectors() -> Value {
    let mut accounts = serde_json::Map::new();
    let mut cases = Vec::new();
    for preset in PRESETS {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(preset_path(preset)).unwrap()).unwrap();
        let p = policy(preset);
        accounts.insert(
            preset.to_string(),
            json!({"tenant": p.tenant(), "roles": doc["roles"].as_array().cloned().unwrap_or_default(), "features": doc["features"].as_array().cloned().unwrap_or_default()}),
        );
        for (s, record) in p.staff().iter().zip(doc["staff"].as_array().unwrap()) {
            if !s.active {
                continue;
            }
            let snap = issue(&p, &s.id);
            cases.push(json!({
                "name": format!("{preset}/{}", s.id), "account": preset, "record": record,
                "now": NOW, "lifetime": snap.claims.expires_at - snap.claims.issued_at,
                "id": hex(&snap.claims.id), "snapshot": snap.text(),
                "warnings": snap.warnings.iter().map(|w| w.code).collect::<Vec<_>>(),
            }));
        }
    }
    json!({
        "about": "Issue from `accounts[account]` (tenant, roles, features) and the catalog `catalogs[account].definition` with the test key: each case's record at `now` with `lifetime` and snapshot `id` gives exactly `snapshot` (and these warning codes).",
        "accounts": accounts,
        "cases": cases,
    })
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
    cases.extend(evolution_and_id_list_cases());

    for c in cases.iter_mut() {
        let v = verifier_for(
            c,
            policy_named(c["catalog"].as_str().unwrap())
                .catalog()
                .clone(),
        );
        c["expect"] = expectation(&v, c);
    }
    let notices = notices(&cases);
    let issue = issue_vectors();
    // The catalogs vectors/format1.json's snapshots are read with
    // (vectors/format1-era-catalogs.json), compiled.
    let path = format!(
        "{}/vectors/format1-era-catalogs.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let era: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let format1_era: serde_json::Map<String, Value> = era["catalogs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, def)| {
            let c = Catalog::from_json(&def.to_string(), name).unwrap();
            (
                name.clone(),
                json!({"binary": base64url::encode(&c.to_bytes().unwrap())}),
            )
        })
        .collect();
    json!({
        "about": "permsnap format version 2 test vectors. Generated by tests/vectors.rs; do not edit. See FORMAT.md.",
        "key": {"kid": "t-01", "seed_hex": hex(&key().seed()), "jwks": {"keys": [key().public_jwk()]}},
        "leeway": 30,
        "catalogs": PRESETS.iter().copied().chain(["sitee-r2", "sitee-r3"]).map(|name| {
            let c = policy_named(name).catalog().clone();
            let path = if PRESETS.contains(&name) { json!(format!("presets/{name}.json")) } else { Value::Null };
            (name.to_string(), json!({
                "path": path,
                "fingerprint": c.fingerprint_hex(),
                "revisions": c.revisions().iter().map(|r| json!({"number": r.number, "fingerprint": hex(&r.fingerprint)})).collect::<Vec<_>>(),
                "definition": c.def().unwrap(),
                "binary": base64url::encode(&c.to_bytes().unwrap()),
            }))
        }).collect::<serde_json::Map<_, _>>(),
        "format1_era_catalogs": format1_era,
        "cases": cases,
        "feeds": feeds(&notices),
        "issue": issue,
        "notices": notices,
    })
}

/// A signed feed of the good notices, and feeds a verifier refuses.
fn feeds(notices: &Value) -> Value {
    let texts: Vec<String> = notices["apply"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    let binary: Vec<Vec<u8>> = texts
        .iter()
        .map(|t| base64url::decode(t).unwrap())
        .collect();
    let head = |tenant: Option<&str>, list: &[Vec<u8>]| {
        permsnap::issuer::sign_feed_head(&key(), tenant, NOW, list).unwrap()
    };
    let good = head(None, &binary);
    let mut forged = good.clone();
    let at = forged.len() - 70;
    forged[at] ^= 1;
    json!({
        "about": "apply `feed` to a verifier of account spa-lumi with max_feed_age: decisions are made until head time + max_feed_age, refused `stale_feed` after",
        "max_feed_age": 300,
        "feed": {"head": base64url::encode(&good), "notices": texts},
        "fresh_at": NOW + 300,
        "stale_at": NOW + 301,
        "refused": [
            {"name": "a notice left out", "head": base64url::encode(&good), "notices": texts[1..].to_vec(), "error": "malformed"},
            {"name": "forged head", "head": base64url::encode(&forged), "notices": texts, "error": "bad_signature"},
            {"name": "another account's feed", "head": base64url::encode(&foreign_head(&binary)), "notices": texts, "error": "wrong_tenant"},
            {"name": "a notice is not a head", "head": texts[0], "notices": texts, "error": "bad_magic"},
        ],
    })
}

/// A head naming account `other-co` over spa-lumi's notices: what a cache
/// or an attacker could serve. `sign_feed_head` refuses to sign it (an
/// account's feed holds its own notices), so it is signed here by hand,
/// as it was before that check (the committed vectors stay the same).
fn foreign_head(notices: &[Vec<u8>]) -> Vec<u8> {
    let head = wire::FeedHead {
        tenant: Some("other-co".into()),
        issued_at: NOW,
        count: notices.len() as u32,
        digest: wire::feed_digest(notices),
    };
    let mut bytes = wire::encode_feed_head_unsigned(key().kid(), &head).unwrap();
    let sig = key().sign_domain(wire::FEED_DOMAIN, &bytes);
    bytes.extend_from_slice(&sig);
    bytes
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
    let by_person = Notice {
        tenant: "spa-lumi".into(),
        issued_at: NOW,
        min_epoch: 0,
        ids: vec![],
        staff: vec![wire::StaffRevocation {
            subject: "fay".into(),
            before: 1,
        }],
    };
    let good = vec![
        sign(&key(), &by_id),
        sign(&key(), &by_epoch),
        sign(&key(), &by_person),
    ];
    let mut tampered = sign_notice(&key(), &by_epoch).unwrap();
    let last = tampered.len() - 70;
    tampered[last] ^= 1;
    let other = permsnap::crypto::signing::IssuerKey::from_seed(Some("t-99"), &[9; 32]).unwrap();
    let mut revokes = Vec::new();
    for c in cases.iter().filter(|c| c["expect"].get("error").is_none()) {
        let mut v = verifier_for(
            c,
            policy_named(c["catalog"].as_str().unwrap())
                .catalog()
                .clone(),
        );
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
        let got = expectation(&v, c);
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

#[test]
fn committed_feed_vectors_apply_as_they_say() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_path()).unwrap()).unwrap();
    let feeds = &doc["feeds"];
    let ana = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sitee/ana")
        .unwrap();
    let entry = &doc["catalogs"]["sitee"];
    let fresh = || {
        let catalog = Catalog::from_text(entry["binary"].as_str().unwrap(), "vectors").unwrap();
        let v = verifier_for(ana, catalog);
        let mut options = v.options().clone();
        options.max_feed_age = Some(feeds["max_feed_age"].as_u64().unwrap());
        Verifier::new(v.catalog().clone(), v.keyring().clone(), options)
    };
    let text = ana["snapshot"].as_str().unwrap();
    let mut v = fresh();
    assert_eq!(
        v.verify(text.as_bytes(), NOW).unwrap_err().code(),
        "stale_feed",
        "no feed yet"
    );
    let notices: Vec<&str> = feeds["feed"]["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let report = v
        .apply_feed(
            feeds["feed"]["head"].as_str().unwrap().as_bytes(),
            &notices,
            NOW,
        )
        .unwrap();
    assert!(
        report.failed.is_empty() && report.skipped == 1,
        "{report:?}"
    );
    assert!(v
        .verify(text.as_bytes(), feeds["fresh_at"].as_u64().unwrap())
        .is_ok());
    assert_eq!(
        v.verify(text.as_bytes(), feeds["stale_at"].as_u64().unwrap())
            .unwrap_err()
            .code(),
        "stale_feed"
    );
    for r in feeds["refused"].as_array().unwrap() {
        let notices: Vec<&str> = r["notices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        let mut v = fresh();
        let err = v
            .apply_feed(r["head"].as_str().unwrap().as_bytes(), &notices, NOW)
            .unwrap_err();
        assert_eq!(err.code(), r["error"], "{}", r["name"]);
        assert_eq!(v.feed_at(), None, "{}: nothing recorded", r["name"]);
    }
}

/// The issue vectors are self-contained: from their inputs alone (catalog
/// definition, roles and features as JSON, the record as a row), the path a
/// backend in another language takes gives the very bytes.
#[test]
fn committed_issue_vectors_reproduce_from_their_inputs() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors_path()).unwrap()).unwrap();
    let seed: Vec<u8> = hex_decode(doc["key"]["seed_hex"].as_str().unwrap());
    let seed: [u8; 32] = seed.try_into().unwrap();
    let kid = doc["key"]["kid"].as_str().unwrap();
    let reader = permsnap::issuer::RecordReader::new::<&str>(&[]).unwrap();
    let cases = doc["issue"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 29, "every active person of every preset");
    for c in cases {
        let account = &doc["issue"]["accounts"][c["account"].as_str().unwrap()];
        let catalog = Catalog::from_json(
            &doc["catalogs"][c["account"].as_str().unwrap()]["definition"].to_string(),
            "vector",
        )
        .unwrap();
        let issuer = permsnap::Issuer::new(
            catalog,
            permsnap::IssuerKey::from_seed(Some(kid), &seed).unwrap(),
        )
        .unwrap();
        let roles =
            permsnap::Roles::from_json(issuer.catalog(), &account["roles"].to_string()).unwrap();
        let features: Vec<String> = serde_json::from_value(account["features"].clone()).unwrap();
        let acct = permsnap::Account::new(account["tenant"].as_str().unwrap(), roles)
            .unwrap()
            .with_features(features);
        let record = reader.read_value(c["record"].clone()).unwrap();
        let opts = permsnap::IssueOptions {
            lifetime: c["lifetime"].as_u64().unwrap() as u32,
            id: Some(wire::parse_snapshot_id(c["id"].as_str().unwrap()).unwrap()),
            ..permsnap::IssueOptions::at(c["now"].as_u64().unwrap())
        };
        let snap = issuer.issue(&acct, &record, &opts).unwrap();
        assert_eq!(
            snap.text(),
            c["snapshot"].as_str().unwrap(),
            "{}",
            c["name"]
        );
    }
}
