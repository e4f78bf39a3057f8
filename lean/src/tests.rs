//! The edge's exports driven as JavaScript drives them (native: the state
//! is read directly where JavaScript reads memory), held to the reference
//! gate: the route table compiled and refused alike, snapshots and step-up
//! proofs verified in WebAssembly (`ps_trust`, `ps_verify`), and the same
//! decision for each request, every field.

use crate::curve::{ps_trust, ps_verify};
use crate::edge::{ps_gate, ps_gate_check, ps_proof, ps_proof_split, NEEDS_PROOF, NEEDS_SNAPSHOT};
use crate::*;
use permsnap::guard::{Decision, Gate, Request};
use permsnap::issuer::{Account, Issuer, Roles};
use permsnap::Verifier;
use permsnap::{Catalog, IssueOptions, IssuerKey, Keyring, Options, StaffRecord, StepUpRequest};

const CATALOG: &str = r#"{"name": "desk",
  "permissions": [
    {"name": "sales.make", "section": "pos"},
    {"name": "payments.view", "section": "pos"},
    {"name": "refunds.make", "section": "pos"}],
  "account": {"shared_account": {"step_up": ["sales.make"]}}}"#;

const ROUTES: &str = r#"{"routes": [
  {"methods": ["POST"], "path": "/api/sales", "requires": ["sales.make"]},
  {"methods": ["GET"], "path": "/api/payments", "requires": ["payments.view"]},
  {"methods": ["POST"], "path": "/api/refunds", "requires": ["refunds.make"]},
  {"path": "/api/till/{*rest}", "requires": ["sales.make"]},
  {"path": "/api/till", "public": true},
  {"path": "/health", "public": true}]}"#;

const NOW: u64 = 1_767_225_600;

fn input(bytes: &[u8]) {
    with((), |s| s.input = bytes.to_vec());
}

fn out() -> [u32; 8] {
    with([0; 8], |s| s.out)
}

/// The fields of the decision `ps_gate_check` left in the text buffer.
fn decision(status: u32) -> Decision {
    let text = with(Vec::new(), |s| s.edge.text.clone());
    // The nine lengths, then the texts one after another.
    let (lengths, mut rest) = text.split_at(36);
    let mut fields: Vec<Option<String>> = Vec::new();
    for len in lengths.chunks_exact(4) {
        let len = u32::from_le_bytes(len.try_into().unwrap());
        if len == u32::MAX {
            fields.push(None);
        } else {
            let (field, after) = rest.split_at(len as usize);
            fields.push(Some(String::from_utf8(field.to_vec()).unwrap()));
            rest = after;
        }
    }
    assert!(rest.is_empty());
    let mut f = fields.into_iter();
    let mut next = || f.next().unwrap();
    Decision {
        status: status as u16,
        code: next().unwrap(),
        message: next().unwrap(),
        route: next(),
        permission: next(),
        reason: next(),
        subject: next(),
        tenant: next(),
        actor: next(),
        nonce: next(),
    }
}

/// `ps_gate_check`'s input: the eight lengths, then the texts.
fn request_input(parts: [Option<&str>; 8]) -> Vec<u8> {
    let mut head = Vec::new();
    let mut body = Vec::new();
    for p in parts {
        head.extend_from_slice(&p.map_or(u32::MAX, |p| p.len() as u32).to_le_bytes());
        body.extend_from_slice(p.unwrap_or_default().as_bytes());
    }
    [head, body].concat()
}

/// What the exports decide for `r`, the caller's part (verifying the
/// snapshot and the proof in WebAssembly) done as the edge's JavaScript
/// will do it.
fn check(g: u32, c: u32, key: u32, r: &Request<'_>, verifier: &mut Verifier) -> Decision {
    let (mut snapshot, mut loaded) = (0, 0);
    let mut proof = 0;
    for _ in 0..3 {
        input(&request_input([
            Some(r.method),
            Some(r.target),
            r.authorization,
            r.cookie,
            r.method_override,
            r.step_up,
            None,
            None,
        ]));
        // The verifier trusts a key.
        let flags = 2;
        let status = ps_gate_check(
            g,
            flags,
            snapshot,
            loaded,
            0,
            0,
            proof,
            0,
            NOW as f64 + 5.0,
            30,
        );
        match status {
            0 => {
                let [_, _, status, explain, ..] = out();
                let mut d = decision(status);
                if explain != u32::MAX {
                    // The caller's part: the permission explained.
                    let p = verifier
                        .verify_cached(&r.authorization.unwrap().as_bytes()[9..], NOW + 5)
                        .unwrap();
                    let name = verifier.catalog().perm_name(explain as usize);
                    d.message = format!("{}: {}", d.message, p.explain(name).unwrap().message);
                }
                return d;
            }
            NEEDS_SNAPSHOT => {
                (snapshot, loaded) =
                    loaded_snapshot(c, key, r.authorization.unwrap(), NOW as f64 + 5.0);
            }
            NEEDS_PROOF => {
                let bytes = permsnap::encoding::decode(r.step_up.unwrap()).unwrap();
                input(&bytes);
                assert_eq!(ps_proof_split(), 0);
                let [_, _, signed, ..] = out();
                assert_eq!(ps_verify(key, 3, signed as usize), 0);
                assert_eq!(ps_proof(), 0);
                proof = 1;
            }
            other => panic!("ps_gate_check answered {other}"),
        }
    }
    panic!("asked thrice");
}

/// Snapshot `auth` (`Permsnap <text>`) verified in wasm and loaded at
/// `now`: `(1, its handle)`, as `ps_gate_check` takes it.
fn loaded_snapshot(c: u32, k: u32, auth: &str, now: f64) -> (u32, u32) {
    let bytes = permsnap::wire::to_binary(&auth.as_bytes()[9..]).unwrap();
    input(&bytes);
    assert_eq!(ps_split(), 0);
    assert_eq!(ps_verify(k, 0, out()[2] as usize), 0);
    input(&[&bytes[..], b"t"].concat());
    assert_eq!(ps_load(c, 1, 0, now, 30), 0);
    (1, out()[0])
}

fn code(name: &str) -> u32 {
    permsnap::Error::CODES
        .iter()
        .position(|c| *c == name)
        .unwrap() as u32
}

fn key() -> IssuerKey {
    IssuerKey::from_seed(Some("t-01"), &[7; 32]).unwrap()
}

/// The desk catalog, the issuer's public key, the issuer, and account `t`
/// whose role `desk` grants `permissions`.
fn desk(permissions: &[&str]) -> (Catalog, [u8; 32], Issuer, Account) {
    let key = key();
    let catalog = Catalog::from_json(CATALOG, "desk").unwrap();
    let public = key.public_key();
    let issuer = Issuer::new(catalog.clone(), key).unwrap();
    let roles = format!(r#"[{{"id": "desk", "permissions": {permissions:?}}}]"#);
    let account = Account::new("t", Roles::from_json(issuer.catalog(), &roles).unwrap()).unwrap();
    (catalog, public, issuer, account)
}

#[test]
fn the_edge_exports_decide_as_the_reference_gate() {
    let (catalog, public, issuer, account) = desk(&["sales.make", "payments.view"]);
    let mut ring = Keyring::new();
    ring.insert("t-01", &public).unwrap();
    let mut verifier = Verifier::new(catalog.clone(), ring, Options::for_tenant("t"));
    let reference = Gate::from_json(&catalog, ROUTES).unwrap();

    input(&catalog.to_bytes().unwrap());
    assert_eq!(ps_catalog(), 0);
    let c = out()[4];
    input(&[ROUTES.as_bytes(), b"permsnap"].concat());
    assert_eq!(ps_gate(c, 8), 0);
    let [g, warnings, ..] = out();
    assert_eq!(warnings as usize, reference.warnings().len());
    // A broken table: refused, its text the reference's.
    let broken = r#"{"routes": [{"path": "/a", "requires": ["nope"]}]}"#;
    input(&[broken.as_bytes(), b"permsnap"].concat());
    let status = ps_gate(c, 8);
    assert_eq!(
        permsnap::Error::CODES[status as usize - 1],
        "invalid_policy"
    );
    let text = with(Vec::new(), |s| s.edge.text.clone());
    let want = Gate::from_json(&catalog, broken).unwrap_err().to_string();
    assert_eq!(String::from_utf8(text).unwrap(), want);

    input(&public);
    assert_eq!(ps_trust(), 0);
    let k = out()[0];

    let issue = |id: &str, shared: bool| {
        let r = StaffRecord {
            roles: vec!["desk".into()],
            shared_account: shared,
            ..StaffRecord::new(id)
        };
        issuer
            .issue(&account, &r, &IssueOptions::at(NOW))
            .unwrap()
            .text()
    };
    let desk = format!("Permsnap {}", issue("frontdesk", true));
    let ana = format!("Permsnap {}", issue("ana", false));
    let proof = permsnap::encoding::encode(
        &issuer
            .step_up(
                &desk.as_bytes()[9..],
                &StepUpRequest {
                    actor: "lea",
                    permission: "sales.make",
                    method: "POST",
                    path: "/api/sales",
                    lifetime: 60,
                },
                NOW,
            )
            .unwrap(),
    );
    let mut asked = 0;
    for auth in [None, Some(ana.as_str()), Some(desk.as_str())] {
        for target in [
            "/api/sales",
            "/api/payments",
            "/api/refunds",
            "/api/till",
            "/api/till/x",
            "/health",
            "/API/sales",
            "/nope",
            "*",
        ] {
            for method in ["GET", "POST", "get"] {
                for step_up in [None, Some(proof.as_str())] {
                    let r = Request {
                        method,
                        target,
                        authorization: auth,
                        step_up,
                        ..Request::default()
                    };
                    let want = reference.check(&mut verifier, &r, NOW + 5);
                    let got = check(g, c, k, &r, &mut verifier);
                    assert_eq!(got, want, "{r:?}");
                    asked += 1;
                }
            }
        }
    }
    assert_eq!(asked, 162);

    // Review of session 26: a proof read serves the one call after it; a
    // refusal must be one the reference gives; a cookie must be a name.
    let r = Request {
        method: "POST",
        target: "/api/sales",
        authorization: Some(&desk),
        step_up: Some("another"),
        ..Request::default()
    };
    let (snap, loaded) = loaded_snapshot(c, k, &desk, NOW as f64);
    input(&request_input([
        Some("POST"),
        Some("/api/sales"),
        r.authorization,
        None,
        None,
        r.step_up,
        None,
        None,
    ]));
    assert_eq!(
        ps_gate_check(g, 2, snap, loaded, 0, 0, 1, 0, NOW as f64, 30),
        1 + code("invalid_argument")
    );
    input(&request_input([
        Some("GET"),
        Some("/api/payments"),
        Some(&desk),
        None,
        None,
        None,
        Some("refused"),
        None,
    ]));
    let expired = code("expired");
    assert_eq!(
        ps_gate_check(g, 2, 2, 0, 200, expired, 0, 0, NOW as f64, 30),
        1 + code("invalid_argument")
    );
    assert_eq!(
        ps_gate_check(g, 2, 2, 0, 401, expired, 0, 0, NOW as f64, 30),
        0
    );
    assert_eq!(decision(out()[2]).code, "expired");
    assert_eq!(
        ps_gate_check(g, 8, 0, 0, 0, 0, 0, 0, NOW as f64, 30),
        1 + code("invalid_argument")
    );
    assert_eq!(
        ps_gate_check(g, 2, 0, 0, 0, 0, 0, 0, NOW as f64, 86_401),
        1 + code("invalid_argument")
    );
    for cookie in ["", "perm snap", "a;b"] {
        input(&[ROUTES.as_bytes(), cookie.as_bytes()].concat());
        assert_eq!(
            ps_gate(c, cookie.len()),
            1 + code("invalid_argument"),
            "{cookie:?}"
        );
    }
    input(ROUTES.as_bytes());
    assert_eq!(ps_gate(c, ROUTES.len() + 1), 1 + code("invalid_argument"));

    // The equation is checked: a signature of other bytes, a key that is
    // not one.
    let mut bytes = permsnap::wire::to_binary(&desk.as_bytes()[9..]).unwrap();
    input(&bytes);
    assert_eq!(ps_split(), 0);
    let signed = out()[2] as usize;
    assert_eq!(ps_verify(k, 0, signed), 0);
    assert_eq!(
        ps_verify(k, 1, signed),
        1 + code("bad_signature"),
        "another domain"
    );
    input(&[&bytes[..], &[0]].concat());
    assert_eq!(
        ps_verify(k, 0, signed),
        1 + code("bad_signature"),
        "a byte after it"
    );
    bytes[signed - 1] ^= 1;
    input(&bytes);
    assert_eq!(
        ps_verify(k, 0, signed),
        1 + code("bad_signature"),
        "another message"
    );
    input(&[0u8; 32]);
    assert_eq!(ps_trust(), 1 + code("invalid_key"));
    input(&[1u8; 31]);
    assert_eq!(ps_trust(), 1 + code("invalid_key"));
}

/// The notices, each after its length, as `ps_feed_lists` reads them.
fn framed(notices: &[&[u8]]) -> Vec<u8> {
    notices
        .iter()
        .flat_map(|n| [&(n.len() as u32).to_le_bytes()[..], n].concat())
        .collect()
}

#[test]
fn the_feed_exports_read_a_head_and_hold_its_notices_to_it() {
    use crate::feed::{ps_feed, ps_feed_lists, ps_feed_split};
    use permsnap::wire::Notice;
    let key = key();
    let public = key.public_key();
    let issuer = Issuer::new(Catalog::from_json(CATALOG, "desk").unwrap(), key).unwrap();
    let notice = |epoch: u32| {
        let n = Notice {
            tenant: "t".into(),
            issued_at: NOW,
            min_epoch: epoch,
            ids: vec![[epoch as u8; 8]],
            staff: Vec::new(),
        };
        issuer.revoke(&n).unwrap()
    };
    let (a, b) = (notice(2), notice(3));
    let malformed = code("malformed") + 1;
    input(&public);
    assert_eq!(ps_trust(), 0);
    let k = out()[0];
    for tenant in [Some("t"), None] {
        let head = issuer
            .feed_head(tenant, NOW, &[a.clone(), b.clone()])
            .unwrap();
        input(&head);
        assert_eq!(ps_feed_split(), 0);
        let [kid_at, kid_len, signed, ..] = out();
        assert_eq!(&head[kid_at as usize..][..kid_len as usize], b"t-01");
        assert_eq!(ps_verify(k, 2, signed as usize), 0);
        // Another domain's signature: refused.
        assert_eq!(ps_verify(k, 1, signed as usize), code("bad_signature") + 1);
        assert_eq!(ps_feed(), 0);
        let [named, at, len, lo, hi, count, ..] = out();
        let account = with(Vec::new(), |s| {
            let h = s.edge.feed.as_ref().unwrap().bytes();
            let base = h.as_ptr() as u32;
            h[(at - base * named) as usize..][..len as usize].to_vec()
        });
        assert_eq!(named == 1, tenant.is_some());
        assert_eq!(account, tenant.unwrap_or_default().as_bytes());
        assert_eq!((u64::from(hi) << 32) | u64::from(lo), NOW);
        assert_eq!(count, 2);
        // The notices it lists, in order: held; the head serves one call.
        input(&framed(&[&a, &b]));
        assert_eq!(ps_feed_lists(), 0);
        assert_eq!(ps_feed_lists(), NO_CATALOG);
        // Out of order, one left out, one added, one byte changed, a
        // length past the end: refused.
        let mut changed = b.clone();
        changed[10] ^= 1;
        let mut cut = framed(&[&a, &b]);
        cut.pop();
        for wrong in [
            framed(&[&b, &a]),
            framed(&[&a]),
            framed(&[&a, &b, &a]),
            framed(&[&a, &changed]),
            cut,
        ] {
            input(&head);
            assert_eq!(ps_feed(), 0);
            input(&wrong);
            assert_eq!(ps_feed_lists(), malformed);
        }
    }
    // Not a head, or one cut short: refused, and nothing kept.
    input(&a);
    assert_eq!(ps_feed_split(), code("bad_magic") + 1);
    assert_eq!(ps_feed(), code("bad_magic") + 1);
    assert_eq!(ps_feed_lists(), NO_CATALOG);
}

#[test]
fn the_gate_finds_the_request_snapshot_as_its_check_reads_it() {
    use crate::edge::ps_gate_snapshot;
    input(
        &Catalog::from_json(CATALOG, "desk")
            .unwrap()
            .to_bytes()
            .unwrap(),
    );
    assert_eq!(ps_catalog(), 0);
    let c = out()[4];
    input(&[ROUTES.as_bytes(), b"ps"].concat());
    assert_eq!(ps_gate(c, 2), 0);
    let g = out()[0];
    let found = |authorization: Option<&str>, cookie: Option<&str>| {
        let parts = [
            Some("GET"),
            Some("/health"),
            authorization,
            cookie,
            None,
            None,
            None,
            None,
        ];
        input(&request_input(parts));
        assert_eq!(ps_gate_snapshot(g), 0);
        let [has, at, len, ..] = out();
        with(None, |s| {
            let base = s.input.as_ptr() as u32;
            (has == 1).then(|| {
                String::from_utf8(s.input[(at - base) as usize..][..len as usize].to_vec()).unwrap()
            })
        })
    };
    assert_eq!(
        found(Some("Permsnap abc"), Some("ps=def")),
        Some("abc".into())
    );
    // Another scheme is no snapshot: the gate's cookie then.
    assert_eq!(
        found(Some("Bearer abc"), Some("a=1; ps=def")),
        Some("def".into())
    );
    assert_eq!(
        found(None, Some("permsnap=def")),
        None,
        "another cookie name"
    );
    assert_eq!(found(None, None), None);
    // Not the gate's input: refused; no such gate.
    input(b"short");
    assert_eq!(ps_gate_snapshot(g), code("invalid_argument") + 1);
    assert_eq!(ps_gate_snapshot(g + 7), NO_CATALOG);
}

#[test]
fn a_kept_load_is_checked_against_the_clock_as_ps_load_checks_it() {
    let (catalog, public, issuer, account) = desk(&["payments.view"]);
    let text = issuer
        .issue(
            &account,
            &StaffRecord {
                roles: vec!["desk".into()],
                ..StaffRecord::new("ana")
            },
            &IssueOptions::at(NOW),
        )
        .unwrap()
        .text();
    input(&catalog.to_bytes().unwrap());
    assert_eq!(ps_catalog(), 0);
    let c = out()[4];
    input(&public);
    assert_eq!(ps_trust(), 0);
    let k = out()[0];
    let (_, handle) = loaded_snapshot(c, k, &format!("Permsnap {text}"), NOW as f64);
    let [_, _, _, lo, hi, ..] = out();
    let expires_at = u64::from(hi) << 32 | u64::from(lo);
    // At each time around its validity, the answer a new load gives.
    let bytes = permsnap::wire::to_binary(text.as_bytes()).unwrap();
    for now in [
        NOW - 31,
        NOW - 30,
        NOW,
        expires_at + 30,
        expires_at + 31,
        expires_at + 10_000,
    ] {
        for leeway in [0, 30, 1_000_000] {
            input(&[&bytes[..], b"t"].concat());
            let load = ps_load(c, 1, 0, now as f64, leeway);
            if load == 0 {
                ps_drop(out()[0]);
            }
            assert_eq!(
                ps_recheck(handle, now as f64, leeway),
                load,
                "{now} {leeway}"
            );
        }
    }
    assert_ne!(ps_recheck(handle, (expires_at + 31) as f64, 30), 0);
    // No such load, or one let go: no answer.
    ps_drop(handle);
    assert_eq!(ps_recheck(handle, NOW as f64, 30), NO_CATALOG);
    assert_eq!(ps_recheck(0, NOW as f64, 30), NO_CATALOG);
}
