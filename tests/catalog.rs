//! The compiled catalog browsers and edges load: round trip, fingerprint,
//! and damaged input refused without panicking.
#![cfg(feature = "issuer")]
mod common;

use common::*;
use permsnap::Catalog;

const PRESETS: [&str; 5] = ["sitee", "ecwid", "shopify-partner", "amilia", "lightspeed"];

#[test]
fn compiled_catalogs_round_trip_with_their_fingerprint() {
    for name in PRESETS {
        let p = policy(name);
        let bytes = p.catalog().to_bytes().unwrap();
        assert!(bytes.starts_with(b"PSC\x02"));
        let c = Catalog::from_bytes(&bytes, name).unwrap();
        assert_eq!(c.fingerprint(), p.catalog().fingerprint(), "{name}");
        assert_eq!(c.tables(), p.catalog().tables(), "{name}");
        assert!(c.def().is_none());
        assert_eq!(c.to_bytes().unwrap(), bytes);
        // Small: what a frontend downloads besides the module.
        assert!(bytes.len() < 2048, "{name}: {} bytes", bytes.len());
    }
}

#[test]
fn labels_do_not_change_the_fingerprint_but_names_do() {
    let json = std::fs::read_to_string(preset_path("sitee")).unwrap();
    let base = policy("sitee").catalog().fingerprint();
    let relabeled = json.replacen("\"description\": \"", "\"description\": \"(edited) ", 1);
    assert_ne!(relabeled, json);
    let p = permsnap::issuer::Policy::from_json(&relabeled, "x").unwrap();
    assert_eq!(p.catalog().fingerprint(), base);
    let renamed = json.replace("campaigns.manage", "campaigns.run");
    let p = permsnap::issuer::Policy::from_json(&renamed, "x").unwrap();
    assert_ne!(p.catalog().fingerprint(), base);
}

#[test]
fn damaged_compiled_catalogs_are_refused_never_panic() {
    let bytes = policy("sitee").catalog().to_bytes().unwrap();
    for n in 0..bytes.len() {
        let e = Catalog::from_bytes(&bytes[..n], "t").unwrap_err();
        assert_eq!(e.code(), "invalid_policy");
    }
    let mut accepted = 0;
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            match Catalog::from_bytes(&b, "t") {
                // A flip inside a name can still decode: then it is another
                // catalog, with another fingerprint.
                Ok(c) => {
                    accepted += 1;
                    assert_ne!(c.fingerprint(), policy("sitee").catalog().fingerprint());
                }
                Err(e) => assert_eq!(e.code(), "invalid_policy"),
            }
        }
    }
    assert!(accepted < bytes.len() * 8);
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Catalog::from_bytes(&trailing, "t").is_err());
    assert!(Catalog::from_text("not base64!", "t").is_err());
}

/// A name holding `*` would read as a pattern (a role's or record's
/// `["*"]` is every permission, `scopes["*"]` every kind: a permission
/// named `*` granted everything; attack review, session 15); whitespace and
/// control characters make look-alike names. Refused wherever names are.
#[test]
fn names_that_read_as_patterns_or_look_alike_are_refused() {
    for (what, entry) in [
        ("permissions", r#"{"name": "*", "section": "a"}"#),
        ("permissions", r#"{"name": "a.*", "section": "a"}"#),
        ("permissions", r#"{"name": "a.view ", "section": "a"}"#),
        ("permissions", r#"{"name": "a.vi\u0000ew", "section": "a"}"#),
        ("kinds", r#"{"name": "*"}"#),
        ("kinds", r#"{"name": "clients\t"}"#),
        ("applications", r#"{"id": "*"}"#),
        ("features", r#"{"id": "pos plus"}"#),
    ] {
        let mut doc: serde_json::Value = serde_json::from_str(
            r#"{"name": "n", "sections": [{"id": "a", "name": "A"}],
                "permissions": [{"name": "a.view", "section": "a"}]}"#,
        )
        .unwrap();
        let list = doc[what].as_array().cloned().unwrap_or_default();
        let mut list = list;
        list.push(serde_json::from_str(entry).unwrap());
        doc[what] = serde_json::Value::Array(list);
        let err = Catalog::from_json(&doc.to_string(), "n").unwrap_err();
        assert_eq!(err.code(), "invalid_policy", "{what} {entry}");
    }
}
