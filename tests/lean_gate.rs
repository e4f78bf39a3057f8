//! The small core's route gate (#16) held to the reference gate: every
//! committed route table compiled by both, the same warnings and the same
//! refusals of broken tables, and the same decision — every field, the
//! message included — for thousands of requests (each route's paths and
//! their lenient variants, methods, method overrides, snapshots in the
//! header or the cookie, none, two, refused ones) and for step-up proofs
//! (valid, for another path, method or time, tampered, of an unknown key).
//!
//! The small core's caller is the edge's JavaScript: it verifies the
//! snapshot and the proof's signature when the gate asks (`Need`). Here
//! the reference verifier and keyring do that part, and the small core
//! reads what they passed, as it reads in the edge.
#![cfg(all(feature = "issuer", feature = "guard"))]
// The refusals are the gate's answers, as the edge passes them on.
#![allow(clippy::result_large_err)]
mod common;

use common::*;
use permsnap::guard::{Decision, Gate, Request};
use permsnap::issuer::{Account, Issuer, Roles};
use permsnap::lean::catalog::Catalog as LeanCatalog;
use permsnap::lean::decide::Decision as Effective;
use permsnap::lean::gate::{self as lean, Need, Proof, Verified};
use permsnap::lean::snapshot::{split, Snapshot};
use permsnap::lean::stepup::{split_proof, StepUp};
use permsnap::wire::{
    split_framed, to_binary, to_binary_framed, MAX_STEP_UP_LEN, STEP_UP_DOMAIN, STEP_UP_MAGIC,
};
use permsnap::{Catalog, Error, IssueOptions, Options, Permissions, StaffRecord, StepUpRequest};
use permsnap::{TenantCheck, Verifier};
use std::rc::Rc;

/// The request as the edge's JavaScript hands it to the small core.
fn lean_request<'a>(r: &Request<'a>, v: &Verifier) -> lean::Request<'a> {
    lean::Request {
        method: r.method,
        target: r.target,
        authorization: r.authorization,
        cookie: r.cookie,
        method_override: r.method_override,
        step_up: r.step_up,
        no_tenant: r.tenant.is_none() && v.options().tenant == TenantCheck::PerRequest,
        keys: !v.keyring().is_empty(),
    }
}

/// A snapshot as the caller passes it: verified by the reference (its
/// refusal worded as the reference gate words it), then read in place.
fn verified(
    text: &str,
    c: &Rc<LeanCatalog>,
    v: &mut Verifier,
    tenant: Option<&str>,
    now: u64,
) -> Result<(Snapshot, Effective, Permissions), Decision> {
    let checked = match tenant {
        Some(t) => v.verify_for(text.as_bytes(), t, now),
        None => v.verify_cached(text.as_bytes(), now),
    };
    let p = checked.map_err(|e| match e {
        Error::StaleFeed { .. } => Decision::answer(503, e.code(), e.to_string()),
        e => Decision::answer(401, e.code(), e.to_string()),
    })?;
    let bytes = to_binary(text.as_bytes()).unwrap();
    let parts = split(&bytes).unwrap();
    let s = Snapshot::read(&bytes, &parts, c)
        .expect("the small core reads what the reference verified");
    s.check(tenant.map(str::as_bytes), now, v.options().leeway)
        .expect("the small core accepts what the reference accepted");
    let e = Effective::new(c, &s);
    Ok((s, e, p))
}

/// A proof as the caller passes it: decoded and its signature checked
/// (worded as the reference words its refusals), then read in place.
fn proof_read(text: &str, v: &Verifier) -> Result<StepUp, Decision> {
    let refused = |detail: String| {
        Decision::answer(
            403,
            "step_up_refused",
            format!("step-up proof refused: {detail}"),
        )
    };
    let bytes = to_binary_framed(text.trim().as_bytes(), &STEP_UP_MAGIC, MAX_STEP_UP_LEN)
        .map_err(|e| refused(format!("not a step-up proof ({e})")))?;
    let parts = split_framed(&bytes, &STEP_UP_MAGIC, MAX_STEP_UP_LEN)
        .map_err(|e| refused(format!("not a step-up proof ({e})")))?;
    v.keyring()
        .verify_domain(STEP_UP_DOMAIN, parts.kid, parts.signed, parts.signature)
        .map_err(|e| match e {
            Error::UnknownKey { .. } => Decision::answer(403, e.code(), e.to_string()),
            other => refused(format!("its signature does not verify ({other})")),
        })?;
    let lean_parts = split_proof(&bytes).expect("the small core splits what the reference split");
    StepUp::read(&bytes, &lean_parts)
        .map_err(|r| Decision::answer(403, r.code(), "unreadable".into()))
}

/// The small core's decision for `r`, its caller's part done as above.
fn lean_check(g: &lean::Gate, v: &mut Verifier, r: &Request<'_>, now: u64) -> Decision {
    let req = lean_request(r, v);
    let mut snapshot: Option<Result<(Snapshot, Effective, Permissions), Decision>> = None;
    let mut proof: Option<Result<StepUp, Decision>> = None;
    for _ in 0..3 {
        let s = match &snapshot {
            None => Verified::NotYet,
            Some(Ok((s, e, _))) => Verified::Read(g.catalog(), s, e),
            Some(Err(d)) => Verified::Refused(d),
        };
        let p = match &proof {
            None => Proof::NotYet,
            Some(Ok(p)) => Proof::Read(p),
            Some(Err(d)) => Proof::Refused(d),
        };
        match g.check(&req, (s, p), (now, v.options().leeway)) {
            Ok(checked) => {
                let mut d = checked.decision;
                if let (Some(i), Some(Ok((_, _, p)))) = (checked.explain, &snapshot) {
                    // The caller's part: the permission explained.
                    let name = v.catalog().perm_name(i);
                    d.message = format!("{}: {}", d.message, p.explain(name).unwrap().message);
                }
                return d;
            }
            Err(Need::Snapshot) => {
                assert!(snapshot.is_none(), "asked twice for the snapshot");
                let text = g
                    .snapshot_of(&req)
                    .expect("a snapshot is asked for when there is one");
                snapshot = Some(verified(text, g.catalog(), v, r.tenant, now));
            }
            Err(Need::Proof) => {
                assert!(proof.is_none(), "asked twice for the proof");
                proof = Some(proof_read(r.step_up.unwrap(), v));
            }
        }
    }
    panic!("the small core asked for more than a snapshot and a proof");
}

/// Both gates on one request: the same decision, field for field.
fn same(
    (reference, g): (&Gate, &lean::Gate),
    v: &mut Verifier,
    r: &Request<'_>,
    now: u64,
) -> Decision {
    let want = reference.check(v, r, now);
    let got = lean_check(g, v, r, now);
    assert_eq!(got, want, "{r:?}");
    want
}

fn routes_json(name: &str) -> String {
    std::fs::read_to_string(format!("{}/routes/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn lean_catalog(c: &Catalog) -> Rc<LeanCatalog> {
    Rc::new(LeanCatalog::read(&c.to_bytes().unwrap()).unwrap())
}

/// A path a pattern matches: parameters filled in.
fn fill(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').unwrap() + open;
        out.push_str(if rest[open..].starts_with("{*") {
            "a/b"
        } else {
            "x1"
        });
        rest = &rest[close + 1..];
    }
    out + rest
}

/// `path` and what lenient backends make of it, and targets that are not
/// canonical.
fn spellings(path: &str) -> Vec<String> {
    let mut out = vec![
        path.to_owned(),
        format!("{path}/"),
        path.to_uppercase(),
        format!("{path}.json"),
        format!("{path}?_method=DELETE"),
        format!("{path}%2F"),
        format!("{path}/.."),
        format!("/{path}"),
        format!("{path}%20"),
    ];
    if let Some(i) = path.rfind(|c: char| c.is_ascii_lowercase()) {
        out.push(format!(
            "{}%{:02X}{}",
            &path[..i],
            path.as_bytes()[i],
            &path[i + 1..]
        ));
    }
    out
}

#[test]
fn every_committed_table_routes_and_decides_as_the_reference() {
    let mut asked = 0;
    let mut statuses = std::collections::BTreeMap::new();
    for preset in ["sitee", "amilia", "ecwid", "lightspeed", "shopify-partner"] {
        let p = policy(preset);
        let json = routes_json(preset);
        let reference = Gate::from_json(p.catalog(), &json).unwrap();
        let c = lean_catalog(p.catalog());
        let g = lean::Gate::new(c, &json).unwrap();
        assert_eq!(g.warnings(), reference.warnings(), "{preset}");
        let mut v = verifier(&p);
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(preset_path(preset)).unwrap()).unwrap();
        let staff: Vec<String> = doc["staff"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect();
        let texts: Vec<String> = staff.iter().take(3).map(|s| issue(&p, s).text()).collect();
        let auths: Vec<(Option<String>, Option<String>)> = vec![
            (None, None),
            (Some(format!("Permsnap {}", texts[0])), None),
            (None, Some(format!("permsnap={}", texts[1]))),
            (
                None,
                Some(format!("permsnap={}; permsnap={}", texts[1], texts[2])),
            ),
            (Some("Permsnap not-a-snapshot".into()), None),
            (
                Some(format!("Bearer {}", texts[2])),
                Some(format!("permsnap={}", texts[2])),
            ),
        ];
        let table: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut targets: Vec<String> = vec!["/".into(), "/nope".into(), "*".into(), "".into()];
        for route in table["routes"].as_array().unwrap() {
            targets.extend(spellings(&fill(route["path"].as_str().unwrap())));
        }
        for target in &targets {
            for method in ["GET", "POST", "DELETE", "PATCH", "get", "FOO"] {
                for over in [None, Some("DELETE"), Some("get"), Some("PUT, POST")] {
                    for (authorization, cookie) in &auths {
                        let r = Request {
                            method,
                            target,
                            authorization: authorization.as_deref(),
                            cookie: cookie.as_deref(),
                            method_override: over,
                            ..Request::default()
                        };
                        let d = same((&reference, &g), &mut v, &r, NOW + 1);
                        *statuses.entry((d.status, d.code)).or_insert(0) += 1;
                        asked += 1;
                    }
                }
            }
        }
        // Refused snapshots: expired, and an edge trusting no key.
        let late = Request {
            method: "GET",
            target: "/api/clients",
            authorization: Some(&auths[1].0.clone().unwrap()),
            ..Request::default()
        };
        let d = same((&reference, &g), &mut v, &late, NOW + 86_400 * 30);
        *statuses.entry((d.status, d.code)).or_insert(0) += 1;
        let mut keyless = Verifier::new(
            p.catalog().clone(),
            permsnap::Keyring::new(),
            Options::for_tenant(p.tenant()),
        );
        for target in &targets {
            let r = Request { target, ..late };
            let d = same((&reference, &g), &mut keyless, &r, NOW + 1);
            *statuses.entry((d.status, d.code)).or_insert(0) += 1;
        }
        // An edge serving several accounts: the request names its own.
        let mut several = Verifier::new(p.catalog().clone(), keyring(), Options::per_request());
        for target in &targets {
            for tenant in [None, Some(p.tenant()), Some("other")] {
                let r = Request {
                    target,
                    tenant,
                    ..late
                };
                let d = same((&reference, &g), &mut several, &r, NOW + 1);
                *statuses.entry((d.status, d.code)).or_insert(0) += 1;
            }
        }
    }
    // The corpus reaches every class of answer.
    let codes: Vec<&str> = statuses.keys().map(|(_, c)| c.as_str()).collect();
    for code in [
        "ok",
        "forbidden",
        "no_snapshot",
        "ambiguous_snapshot",
        "ambiguous_path",
        "bad_path",
        "bad_method_override",
        "method_not_allowed",
        "no_route",
        "bad_encoding",
        "expired",
        "unavailable",
    ] {
        assert!(
            codes.contains(&code),
            "no `{code}` answer in the corpus: {statuses:?}"
        );
    }
    assert!(asked > 20_000, "{asked}");
}

#[test]
fn broken_tables_are_refused_as_the_reference_refuses_them() {
    let p = policy("sitee");
    let c = lean_catalog(p.catalog());
    let tables = [
        r#"{"routes": [{"path": "/a", "requires": ["nope"]}]}"#,
        r#"{"routes": [{"path": "/a", "app": "nope"}]}"#,
        r#"{"routes": [{"path": "/a"}]}"#,
        r#"{"routes": [{"path": "/a", "public": true, "requiers": []}]}"#,
        r#"{"routes": [{"path": "/a", "public": true}, {"path": "/A", "public": true}]}"#,
        r#"{"routes": [{"path": "/{*rest}", "public": true}, {"path": "/admin/{*rest}", "authenticated": true}, {"path": "/admin/{page}", "authenticated": true}]}"#,
        r#"{"routes": [{"path": "/a/{x}/b", "requires": ["clients.view"]}, {"path": "/a/c/{y}", "public": true}]}"#,
        r#"{"routes": [{"methods": ["HEAD"], "path": "/a", "public": true}]}"#,
        r#"{"routes": [{"methods": ["get"], "path": "/a", "public": true}]}"#,
        r#"{"routes": [{"path": "/a/{{x}}", "public": true}]}"#,
        r#"{"routes": [{"path": "/a", "public": true}], "x": 1}"#,
        r#"{"routes": [{"path": "/a", "public": true}"#,
        r#"[{"path": "/a", "public": true, "path": "/b"}]"#,
        r#"[]"#,
    ];
    for json in tables {
        let reference = Gate::from_json(p.catalog(), json).map(|_| ());
        let small = lean::Gate::new(Rc::clone(&c), json)
            .map(|_| ())
            .map_err(|e| Error::from(e).to_string());
        assert_eq!(small, reference.map_err(|e| e.to_string()), "{json}");
    }
}

const DESK_CATALOG: &str = r#"{"name": "desk",
  "permissions": [
    {"name": "sales.make", "section": "pos", "scope_kind": "payments"},
    {"name": "payments.view", "section": "pos", "scope_kind": "payments"},
    {"name": "refunds.make", "section": "pos"}],
  "kinds": [{"name": "payments", "owner_fields": ["taken_by"]}],
  "account": {"shared_account": {"step_up": ["sales.make", "refunds.make"]}}}"#;

const DESK_ROLES: &str = r#"[{"id": "desk", "permissions": ["sales.make", "payments.view", "refunds.make"],
  "scopes": {"payments": "own"}}]"#;

const DESK_ROUTES: &str = r#"{"routes": [
  {"methods": ["POST"], "path": "/api/exchanges", "requires": ["sales.make", "refunds.make"]},
  {"methods": ["POST"], "path": "/api/swaps", "requires": ["sales.make"], "any": ["refunds.make"]},
  {"methods": ["POST"], "path": "/api/either", "any": ["refunds.make", "sales.make"]},
  {"methods": ["POST"], "path": "/api/items/{name}", "requires": ["sales.make"]},
  {"methods": ["POST", "DELETE"], "path": "/api/sales", "requires": ["sales.make"]},
  {"methods": ["POST"], "path": "/api/refunds", "requires": ["refunds.make"]},
  {"methods": ["GET"], "path": "/api/payments", "requires": ["payments.view"]},
  {"path": "/api/till/{*rest}", "requires": ["sales.make"]},
  {"path": "/api/till", "public": true}]}"#;

/// The shared front desk of DESK_CATALOG: its issuer and account.
struct Desk {
    issuer: Issuer,
    account: Account,
}

impl Desk {
    fn new() -> Desk {
        let issuer = Issuer::new(Catalog::from_json(DESK_CATALOG, "desk").unwrap(), key()).unwrap();
        let account =
            Account::new("t", Roles::from_json(issuer.catalog(), DESK_ROLES).unwrap()).unwrap();
        Desk { issuer, account }
    }

    /// A verifier of the account, trusting the issuer's key.
    fn verifier(&self) -> Verifier {
        Verifier::new(
            self.issuer.catalog().clone(),
            keyring(),
            Options::for_tenant("t"),
        )
    }

    /// The snapshot text of `id` (a shared account or not), its snapshot
    /// id `snapshot_id`.
    fn snapshot(&self, id: &str, shared: bool, snapshot_id: &[u8; 8]) -> String {
        let r = StaffRecord {
            roles: vec!["desk".into()],
            shared_account: shared,
            ..StaffRecord::new(id)
        };
        let opts = IssueOptions {
            id: Some(*snapshot_id),
            ..IssueOptions::at(NOW)
        };
        self.issuer.issue(&self.account, &r, &opts).unwrap().text()
    }

    /// Léa's proof for `permission` at `method path`, bound to `snap`.
    fn proof(&self, snap: &str, permission: &str, method: &str, path: &str) -> String {
        let req = StepUpRequest {
            actor: "lea",
            permission,
            method,
            path,
            lifetime: 60,
        };
        permsnap::encoding::encode(&self.issuer.step_up(snap.as_bytes(), &req, NOW).unwrap())
    }
}

#[test]
fn step_up_proofs_open_what_the_reference_opens() {
    let w = Desk::new();
    let reference = Gate::from_json(w.issuer.catalog(), DESK_ROUTES).unwrap();
    let g = lean::Gate::new(lean_catalog(w.issuer.catalog()), DESK_ROUTES).unwrap();
    let mut v = w.verifier();
    let desk = w.snapshot("frontdesk", true, b"desk-one");
    let person = w.snapshot("lea", false, b"desk-one");
    let mut proofs: Vec<String> = vec!["garbage".into(), String::new()];
    for (perm, method, path) in [
        ("sales.make", "POST", "/api/sales"),
        ("sales.make", "DELETE", "/api/sales"),
        ("refunds.make", "POST", "/api/refunds"),
        ("sales.make", "POST", "/api/items/x1"),
        ("sales.make", "POST", "/api/swaps"),
        ("refunds.make", "POST", "/api/either"),
        ("sales.make", "POST", "/api/either"),
        ("sales.make", "GET", "/api/till/a/b"),
        ("sales.make", "GET", "/api/till"),
        ("sales.make", "POST", "/api/exchanges"),
    ] {
        let p = w.proof(&desk, perm, method, path);
        let mut tampered = permsnap::encoding::decode(&p).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        proofs.push(permsnap::encoding::encode(&tampered));
        proofs.push(p);
    }
    // A proof naming a key the edge does not trust (its kid changed).
    let mut other =
        permsnap::encoding::decode(&w.proof(&desk, "sales.make", "POST", "/api/sales")).unwrap();
    let at = other.windows(4).position(|w| w == b"t-01").unwrap();
    other[at + 3] = b'9';
    let other = permsnap::encoding::encode(&other);
    proofs.push(other);
    let targets = [
        "/api/sales",
        "/api/refunds",
        "/api/items/x1",
        "/api/swaps",
        "/api/either",
        "/api/exchanges",
        "/api/payments",
        "/api/till",
        "/api/till/a/b",
        "/API/sales",
    ];
    let mut opened = 0;
    let mut codes = std::collections::BTreeSet::new();
    for snap in [&desk, &person] {
        let auth = format!("Permsnap {snap}");
        for target in targets {
            for method in ["POST", "GET", "DELETE"] {
                for over in [None, Some("DELETE")] {
                    for p in proofs.iter().map(|p| Some(p.as_str())).chain([None]) {
                        for now in [NOW + 5, NOW + 120] {
                            let r = Request {
                                method,
                                target,
                                authorization: Some(&auth),
                                method_override: over,
                                step_up: p,
                                ..Request::default()
                            };
                            let d = same((&reference, &g), &mut v, &r, now);
                            opened += usize::from(d.actor.is_some() && d.allowed());
                            codes.insert(d.code);
                        }
                    }
                }
            }
        }
    }
    assert!(opened >= 6, "{opened}");
    for code in [
        "ok",
        "step_up_required",
        "step_up_refused",
        "unknown_key",
        "method_not_allowed",
    ] {
        assert!(codes.contains(code), "no `{code}` answer: {codes:?}");
    }
}

/// Review of session 26: what the caller passes must be the request's own,
/// or it is asked for again; it never decides.
#[test]
fn a_snapshot_or_proof_not_the_requests_is_asked_for_again() {
    let w = Desk::new();
    let c = lean_catalog(w.issuer.catalog());
    let g = lean::Gate::new(Rc::clone(&c), DESK_ROUTES).unwrap();
    let v = w.verifier();
    let desk = w.snapshot("frontdesk", true, b"desk-one");
    let other = w.snapshot("backdesk", true, b"desk-two");
    let proof = |snap: &str| w.proof(snap, "sales.make", "POST", "/api/sales");
    let (mine, theirs) = (proof(&desk), proof(&other));
    let auth = format!("Permsnap {desk}");
    let request = lean::Request {
        method: "POST",
        target: "/api/sales",
        authorization: Some(&auth),
        step_up: Some(&mine),
        keys: true,
        ..lean::Request::default()
    };
    let now = (NOW + 5, 30);
    let read = |text: &str, c: &Rc<LeanCatalog>| {
        verified(text, c, &mut v.clone(), None, NOW + 5)
            .map(|(s, e, _)| (s, e))
            .unwrap()
    };
    let (s, e) = read(&desk, &c);
    let (s2, e2) = read(&other, &c);
    let read_proof = |text: &str| proof_read(text, &v).unwrap();
    let (p, p2) = (read_proof(&mine), read_proof(&theirs));

    // The request's own: allowed, Léa acting.
    let d = g
        .check(&request, (Verified::Read(&c, &s, &e), Proof::Read(&p)), now)
        .unwrap();
    assert_eq!(
        (d.decision.status, d.decision.actor.as_deref()),
        (200, Some("lea")),
        "{:?}",
        d.decision
    );
    // Another person's snapshot, the same content under another catalog
    // object, an expired one: asked again.
    let twin = lean_catalog(w.issuer.catalog());
    let (s3, e3) = read(&desk, &twin);
    for (catalog, snap, eff, at) in [
        (&c, &s2, &e2, now),
        (&twin, &s3, &e3, now),
        (&c, &s, &e, (NOW + 86_400 * 30, 30)),
    ] {
        let asked = g.check(
            &request,
            (Verified::Read(catalog, snap, eff), Proof::Read(&p)),
            at,
        );
        assert_eq!(asked.unwrap_err(), Need::Snapshot);
    }
    // A refusal with a status the reference never gives (an allowing one,
    // a 405 a catch-all would skip): asked again.
    for status in [200, 405, 403] {
        let refusal = Decision::answer(status, "expired", "refused".into());
        let asked = g.check(&request, (Verified::Refused(&refusal), Proof::NotYet), now);
        assert_eq!(asked.unwrap_err(), Need::Snapshot, "{status}");
    }
    // A proof that is not the header's (left from another request):
    // asked again; a proof refusal that allows: asked again.
    let asked = g.check(
        &request,
        (Verified::Read(&c, &s, &e), Proof::Read(&p2)),
        now,
    );
    assert_eq!(asked.unwrap_err(), Need::Proof);
    let allowing = Decision::answer(200, "ok", "allowed".into());
    let asked = g.check(
        &request,
        (Verified::Read(&c, &s, &e), Proof::Refused(&allowing)),
        now,
    );
    assert_eq!(asked.unwrap_err(), Need::Proof);
}
