//! The path canonicalizer and the gate on arbitrary request targets,
//! methods and headers, against the shipped route tables. Besides "no
//! panic", it checks the canonicalizer's promises: an accepted path has no
//! empty or dot segment, no `;` or `\`, and canonicalizing it again (when
//! it is made of literal characters only) changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use permsnap::crypto::signing::IssuerKey;
use permsnap::guard::{canonical_path, parse_target, Gate, Request};
use permsnap::issuer::{IssueOptions, Policy};
use permsnap::{Keyring, Options, Verifier};
use std::sync::OnceLock;

struct Setup {
    gates: Vec<Gate>,
    verifier: Verifier,
    snapshot: String,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let key = IssuerKey::from_seed(Some("fz"), &[7; 32]).unwrap();
        let mut ring = Keyring::new();
        ring.insert("fz", &key.public_key()).unwrap();
        let policy = Policy::from_json(include_str!("../../presets/sitee.json"), "sitee").unwrap();
        let mut fallback: serde_json::Value =
            serde_json::from_str(include_str!("../../routes/sitee.json")).unwrap();
        fallback["routes"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"path": "/{*rest}", "public": true}));
        let gates = vec![
            Gate::from_json(policy.catalog(), include_str!("../../routes/sitee.json")).unwrap(),
            Gate::from_json(policy.catalog(), &fallback.to_string()).unwrap(),
        ];
        let snapshot = policy
            .issue("fay", &key, &IssueOptions::at(1_767_225_600))
            .unwrap()
            .text();
        let verifier = Verifier::new(policy.catalog().clone(), ring, Options::any_tenant());
        Setup {
            gates,
            verifier,
            snapshot,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(path) = canonical_path(text) {
        assert!(path.starts_with('/'));
        let body = path.strip_suffix('/').unwrap_or(&path);
        for seg in body.split('/').skip(1) {
            assert!(!seg.is_empty() || body.is_empty(), "empty segment in {path:?}");
            assert!(seg != "." && seg != "..", "dot segment in {path:?}");
        }
        assert!(!text.contains(';') && !text.contains('\\'));
        // A decoded path made only of literal characters is its own
        // canonical form (decoded `?`, `#`, spaces... are not literals).
        let literal = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,=:@/".contains(&b);
        if path.bytes().all(literal) {
            assert_eq!(canonical_path(&path).as_deref(), Ok(path.as_str()));
        }
    }
    let _ = parse_target(text);
    let s = setup();
    let mut verifier = s.verifier.clone();
    let (method, rest) = text.split_once(' ').unwrap_or(("GET", text));
    let (over, target) = rest.split_once(' ').map_or((None, rest), |(o, t)| (Some(o), t));
    let auth = format!("Permsnap {}", s.snapshot);
    for gate in &s.gates {
        let request = Request {
            method,
            target,
            authorization: Some(&auth),
            method_override: over,
            ..Request::default()
        };
        let d = gate.check(&mut verifier, &request, 1_767_225_600);
        if d.status == 200 {
            assert!(canonical_path(target.split(['?', '#']).next().unwrap_or("")).is_ok());
        }
    }
});
