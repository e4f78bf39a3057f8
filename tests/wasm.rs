//! Runs in node, headless Chrome and headless Firefox under wasm-bindgen-test
//! (scripts/wasm-tests.sh checks that each run executes tests). Checks the
//! committed vectors through the core compiled to wasm, and the binding layer.
#![cfg(target_arch = "wasm32")]

use permsnap::wasm::WasmVerifier;
use permsnap::{Catalog, Keyring, Options, Verifier};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const VECTORS: &str = include_str!("../vectors/vectors.json");
fn catalog_text(doc: &Value, name: &str) -> String {
    doc["catalogs"][name]["binary"].as_str().unwrap().to_owned()
}

fn doc() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

#[wasm_bindgen_test]
fn committed_vectors_give_the_same_answers_in_wasm() {
    let doc = doc();
    let ring =
        Keyring::from_jwks(&serde_json::from_value(doc["key"]["jwks"].clone()).unwrap()).unwrap();
    let mut checked = 0;
    for case in doc["cases"].as_array().unwrap() {
        if case.get("revoked_ids").is_some() {
            continue; // revocation is covered by the binding test below
        }
        let cat = Catalog::from_text(
            &catalog_text(&doc, case["catalog"].as_str().unwrap()),
            "vectors",
        )
        .unwrap();
        let v = Verifier::new(
            cat,
            ring.clone(),
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
        let got = v.verify_text(
            case["snapshot"].as_str().unwrap(),
            case["now"].as_u64().unwrap(),
        );
        let expect = &case["expect"];
        match (got, expect.get("error")) {
            (Ok(p), None) => {
                let allowed: Vec<String> =
                    serde_json::from_value(expect["allowed"].clone()).unwrap();
                assert_eq!(p.allowed(), allowed, "{}", case["name"]);
                assert_eq!(p.subject(), expect["subject"].as_str().unwrap());
            }
            (Err(e), Some(code)) => {
                assert_eq!(e.code(), code.as_str().unwrap(), "{}", case["name"])
            }
            (got, _) => panic!("{}: got {:?}", case["name"], got.map(|p| p.allowed().len())),
        }
        checked += 1;
    }
    assert!(checked > 40);
}

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn code_of(err: JsValue) -> String {
    let e: &js_sys::Error = err.dyn_ref().expect("a real Error");
    assert_eq!(String::from(e.name()), "PermsnapError");
    js_sys::Reflect::get(e, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn bindings_answer_refuse_with_codes_and_keep_working() {
    let doc = doc();
    let jwks = js(&doc["key"]["jwks"].to_string());
    let good = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sitee/dia")
        .unwrap();
    let now = good["now"].as_f64().unwrap();
    let text = good["snapshot"].as_str().unwrap();
    let opts = js(r#"{"tenant": "spa-lumi", "leeway": 30}"#);
    let sitee = JsValue::from(catalog_text(&doc, "sitee"));
    let mut v = WasmVerifier::new(sitee.clone(), jwks.clone(), opts).unwrap();
    let p = v.load(text.as_bytes(), Some(now)).unwrap();
    let names = v.permission_names();
    let allowed = |p: &permsnap::wasm::WasmPermissions, name: &str| {
        let i = names.iter().position(|n| n == name).unwrap();
        p.allowed_bits()
            .get(i / 8)
            .is_some_and(|b| b >> (i % 8) & 1 == 1)
    };
    assert!(allowed(&p, "campaigns.manage"));
    assert!(!allowed(&p, "payments.view"));
    assert_eq!(
        code_of(p.explain("payments.veiw").unwrap_err()),
        "unknown_permission"
    );
    assert!(p.hidden_fields("clients").unwrap().is_empty());

    let mut tampered = text.to_owned();
    tampered.replace_range(30..31, if &text[30..31] == "A" { "B" } else { "A" });
    for _ in 0..2000 {
        assert_eq!(
            code_of(v.load(tampered.as_bytes(), Some(now)).err().unwrap()),
            "bad_signature"
        );
    }
    assert_eq!(
        code_of(v.load(text.as_bytes(), Some(now + 3600.0)).err().unwrap()),
        "expired"
    );
    // still answers after thousands of refusals
    assert!(allowed(
        &v.load(text.as_bytes(), Some(now)).unwrap(),
        "clients.bulk"
    ));

    let id = p.id();
    v.set_revocations(js(&format!(r#"{{"ids": ["{id}"]}}"#)))
        .unwrap();
    assert_eq!(
        code_of(v.load(text.as_bytes(), Some(now)).err().unwrap()),
        "revoked"
    );

    assert_eq!(
        code_of(
            WasmVerifier::new(
                sitee.clone(),
                js(r#"{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret", "kid": "a"}]}"#),
                js(r#"{"anyTenant": true}"#)
            )
            .err()
            .unwrap()
        ),
        "invalid_key"
    );
    assert_eq!(
        code_of(
            WasmVerifier::new(
                JsValue::from("UFND"),
                jwks.clone(),
                js(r#"{"anyTenant": true}"#)
            )
            .err()
            .unwrap()
        ),
        "invalid_policy"
    );
    assert_eq!(
        code_of(
            WasmVerifier::new(
                js(r#"{"name": 1}"#),
                jwks.clone(),
                js(r#"{"anyTenant": true}"#)
            )
            .err()
            .unwrap()
        ),
        "invalid_argument"
    );

    // Signed revocation notices: applied in wasm, they revoke what Rust says.
    // Fail closed: no account named, an unknown option, an inherited one.
    for options in [
        JsValue::UNDEFINED,
        js(r#"{}"#),
        js(r#"{"tennant": "spa-lumi"}"#),
        js(r#"{"tenant": "a", "anyTenant": true}"#),
    ] {
        let err = WasmVerifier::new(sitee.clone(), jwks.clone(), options)
            .err()
            .unwrap();
        assert_eq!(code_of(err), "invalid_argument");
    }
    let mut v = WasmVerifier::new(
        sitee,
        js(&doc["key"]["jwks"].to_string()),
        js(r#"{"anyTenant": true}"#),
    )
    .unwrap();
    for n in doc["notices"]["apply"].as_array().unwrap() {
        v.apply_notice(n.as_str().unwrap().into(), Some(now))
            .unwrap();
    }
    for r in doc["notices"]["refused"].as_array().unwrap() {
        let err = v
            .apply_notice(r["notice"].as_str().unwrap().into(), Some(now))
            .unwrap_err();
        assert_eq!(code_of(err), r["error"].as_str().unwrap());
    }
    assert_eq!(
        code_of(v.load(text.as_bytes(), Some(now)).err().unwrap()),
        "revoked"
    );
}
