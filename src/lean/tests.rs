//! The small core held to the reference: the same catalogs accepted, the
//! same fingerprints; the same snapshots refused with the same codes, and
//! the same decisions on the rest, on every test vector and on mutations
//! of them (payloads re-signed, so that the mutation reaches the reader
//! rather than stopping at the signature).

use super::catalog::Catalog as Lean;
use super::decide::{Decision, Detail};
use super::snapshot::{split, Snapshot};
use super::Span;
use crate::wire::read::{mutations, vectors};
use crate::{Catalog, Keyring, Options, Permissions, Scope, Verifier};
use ed25519_dalek::{Signer, SigningKey};

fn catalogs() -> Vec<(String, Vec<u8>)> {
    vectors()["catalogs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, c)| {
            let bytes = crate::encoding::decode(c["binary"].as_str().unwrap()).unwrap();
            (name.clone(), bytes)
        })
        .collect()
}

#[test]
fn catalogs_read_as_the_reference_reads_them() {
    let mut read = 0;
    let mut refused = 0;
    for (name, bytes) in catalogs() {
        for m in mutations(&bytes).iter().chain([&bytes]) {
            let reference = Catalog::from_bytes(m, &name);
            let lean = Lean::read(m);
            match (&reference, &lean) {
                (Ok(r), Ok(l)) => {
                    read += 1;
                    let fps: Vec<_> = r.revisions().iter().map(|r| r.fingerprint).collect();
                    let lean_fps: Vec<_> = l.revisions().iter().map(|r| r.fingerprint).collect();
                    assert_eq!(fps, lean_fps, "{name}: {m:02x?}");
                    assert_eq!(r.permission_count(), l.perms().len());
                    assert_eq!(r.kind_count(), l.kinds().len());
                    for (i, p) in l.perms().iter().enumerate() {
                        assert_eq!(r.perm_name(i).as_bytes(), p.name.in_(l.bytes()));
                    }
                    for k in 0..r.kind_count() {
                        same_kind(r, l, k);
                    }
                }
                (Err(e), Err(c)) => {
                    refused += 1;
                    assert_eq!(e.code(), c.code());
                }
                _ => panic!(
                    "{name}: reference {:?}, lean {:?} on {m:02x?}",
                    reference.map(|_| ()),
                    lean.map(|_| ())
                ),
            }
        }
    }
    assert!(read > 7 && refused > 1000, "{read} read, {refused} refused");
}

/// Kind `k` as the reference and the small core read it.
fn same_kind(r: &Catalog, l: &Lean, k: usize) {
    let def = r.kind_def(k).unwrap();
    assert_eq!(def.fields.len(), l.field_count(k));
    let b = l.bytes();
    let ld = l.kind_def(k).unwrap();
    assert_eq!(def.id_field.as_bytes(), ld.id_field.in_(b));
    let owners: Vec<&[u8]> = l.owner_fields(ld).iter().map(|o| o.in_(b)).collect();
    let expected: Vec<&[u8]> = def.owner_fields.iter().map(|o| o.as_bytes()).collect();
    assert_eq!(owners, expected);
    assert_eq!(
        def.assignee_field.as_ref().map(|a| a.as_bytes()),
        ld.assignee.map(|a| a.in_(b))
    );
    for (j, f) in def.fields.iter().enumerate() {
        let lf = l.field(k, j).unwrap();
        assert_eq!(f.name.as_bytes(), lf.name.in_(b));
        let mask = match &f.redact {
            crate::model::def::Redact::Remove => None,
            crate::model::def::Redact::Mask(m) => Some(m.as_bytes()),
        };
        assert_eq!(mask, lf.mask.map(|m| m.in_(b)));
    }
}

/// The reference's answer, or its code.
fn reference(
    catalog: &Catalog,
    keys: &Keyring,
    bytes: &[u8],
    tenant: &str,
    now: u64,
) -> Result<Permissions, &'static str> {
    let v = Verifier::new(catalog.clone(), keys.clone(), Options::for_tenant(tenant));
    v.verify_binary(bytes, now).map_err(|e| e.code())
}

/// The small core's answer, or its code.
fn lean(
    catalog: &Lean,
    keys: &Keyring,
    bytes: &[u8],
    tenant: &str,
    now: u64,
) -> Result<(Snapshot, Decision), &'static str> {
    let parts = split(bytes).map_err(|r| r.code())?;
    let kid = core::str::from_utf8(parts.kid.in_(bytes)).unwrap();
    let signature: &[u8; 64] = bytes[bytes.len() - 64..].try_into().unwrap();
    // The key's presence, then the signature's strict shape, then the
    // equation (the platform's, in the browser).
    if !keys.kids().any(|k| k == kid) {
        return Err("unknown_key");
    }
    super::check_signature(signature).map_err(|r| r.code())?;
    keys.verify(kid, parts.signed.in_(bytes), signature)
        .map_err(|e| e.code())?;
    let s = Snapshot::read(bytes, &parts, catalog).map_err(|r| r.code())?;
    s.check(Some(tenant.as_bytes()), now, crate::verify::DEFAULT_LEEWAY)
        .map_err(|r| r.code())?;
    let d = Decision::new(catalog, &s);
    Ok((s, d))
}

fn tag(s: &Scope) -> u8 {
    match s {
        Scope::None => 0,
        Scope::Own => 1,
        Scope::Assigned => 2,
        Scope::Specific(_) => 3,
        Scope::All => 4,
        Scope::Listed(_) => 5,
    }
}

/// Every answer the small core gives now, compared with the reference's;
/// the reasons its explanations gave (a bit per `Reason::CODES` index).
fn same(r: &Permissions, c: &Lean, s: &Snapshot, d: &Decision, what: &str) -> u32 {
    let catalog = r.catalog();
    let mut reasons = 0;
    for i in 0..catalog.permission_count() {
        let name = catalog.perm_name(i);
        assert_eq!(r.can(name).unwrap(), d.can(i), "{what}: can({name})");
        let e = r.explain(name).unwrap();
        let why = d.why(c, s, i);
        reasons |= 1 << why.reason;
        let code = crate::decision::Reason::CODES[usize::from(why.reason)].0;
        assert_eq!(e.reason.code(), code, "{what}: explain({name})");
        let detail = e.reason.detail().map(|(_, d)| d.to_owned());
        assert_eq!(
            detail,
            explained(c, s, why.detail),
            "{what}: explain({name})"
        );
        assert_eq!(
            r.needs_step_up(name).unwrap(),
            s.step_up(i),
            "{what}: step-up {name}"
        );
        match (r.permission_scope(name), d.permission_scope(c, s, i)) {
            (Ok(scope), Some((k, lean))) => {
                assert_eq!(tag(scope), lean.tag, "{what}: scope of {name}");
                let what = format!("{what}: filter for {name}");
                same_filter(r, c, r.filter_for(name), d.filter(c, k, lean), &what);
            }
            (Err(e), None) => assert_eq!(e.code(), "invalid_argument", "{what}: {name}"),
            (a, b) => panic!("{what}: scope of {name}: {a:?} / {b:?}"),
        }
    }
    for k in 0..catalog.kind_count() {
        let def = catalog.kind_def(k).unwrap();
        let scope = r.scope(&def.name).unwrap();
        assert_eq!(
            tag(scope),
            d.scope(s, k).tag,
            "{what}: scope of {}",
            def.name
        );
        let of = format!("{what}: filter of {}", def.name);
        same_filter(
            r,
            c,
            r.filter(&def.name),
            d.filter(c, k, d.scope(s, k)),
            &of,
        );
        if let Scope::Specific(ids) = scope {
            let lean: Vec<&[u8]> = s.ids(d.scope(s, k)).collect();
            let ids: Vec<&[u8]> = ids.iter().map(|i| i.as_bytes()).collect();
            assert_eq!(ids, lean, "{what}: ids of {}", def.name);
        }
        let hidden = match r.hidden_fields(&def.name) {
            Ok(hidden) => hidden,
            Err(e) => {
                assert_eq!(e.code(), "wrong_catalog", "{what}");
                assert!(
                    s.hides_undeclared(k),
                    "{what}: {} hides undeclared",
                    def.name
                );
                continue;
            }
        };
        assert!(!s.hides_undeclared(k), "{what}: {}", def.name);
        for (j, f) in def.fields.iter().enumerate() {
            assert_eq!(
                hidden.contains(&f.name.as_str()),
                d.hidden(s, k, j),
                "{what}: {}.{} hidden",
                def.name,
                f.name
            );
        }
    }
    let apps = r.apps();
    for a in 0..c.apps().len() {
        assert_eq!(
            apps.contains(&catalog.app_id(a)),
            s.app(a),
            "{what}: app {a}"
        );
    }
    let features = r.features();
    for f in 0..c.features().len() {
        let id = catalog.feature_id(f);
        assert_eq!(features.contains(&id), s.feature(f), "{what}: feature {id}");
    }
    let roles: Vec<&[u8]> = s.roles.iter().map(|(id, _)| id.in_(s.bytes())).collect();
    let expected: Vec<&[u8]> = r.roles().iter().map(|id| id.as_bytes()).collect();
    assert_eq!(expected, roles, "{what}: roles");
    let claims = r.claims();
    assert_eq!(
        (claims.flags, claims.issued_at),
        (s.flags, s.times[0]),
        "{what}"
    );
    assert_eq!(
        (claims.catalog, claims.revision, claims.not_before),
        (s.catalog, s.revision, s.times[1]),
        "{what}"
    );
    // Scopes of permissions as signed, those this catalog has (claims()).
    let signed: Vec<(u32, u8)> = claims
        .permission_scopes
        .iter()
        .map(|(p, scope)| (*p, tag(scope)))
        .collect();
    let lean = s.permission_scopes().iter().copied();
    let lean: Vec<(u32, u8)> = lean
        .filter(|(p, _)| (*p as usize) < c.perms().len())
        .collect();
    assert_eq!(signed, lean, "{what}: permission scopes");
    assert_eq!(r.subject().as_bytes(), s.subject.in_(s.bytes()));
    assert_eq!(r.expires_at(), s.times[2]);
    reasons
}

/// A reason's detail as the reference writes it (`implied`: the names
/// joined with `+`).
fn explained(c: &Lean, s: &Snapshot, detail: Detail) -> Option<String> {
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
    match detail {
        Detail::None => None,
        Detail::Name(n) => Some(text(n.in_(c.bytes()))),
        Detail::Role(id) => Some(text(id.in_(s.bytes()))),
        Detail::Set(set) => {
            let names = super::bits::members(set.in_(c.bytes()));
            let names: Vec<String> = names
                .map(|p| text(c.perms()[p].name.in_(c.bytes())))
                .collect();
            Some(names.join("+"))
        }
    }
}

/// The reference's filter and the small core's, compared: whether every
/// record is kept, each clause's field and whether its values are the
/// scope's ids, or the same refusal.
fn same_filter(
    r: &Permissions,
    c: &Lean,
    reference: crate::Result<crate::decision::RecordFilter>,
    lean: Result<(bool, Vec<(Span, bool)>), super::Refusal>,
    what: &str,
) {
    match (reference, lean) {
        (Ok(f), Ok((all, clauses))) => {
            assert_eq!(f.all, all, "{what}");
            let lean: Vec<(&[u8], bool)> = clauses
                .iter()
                .map(|(f, ids)| (f.in_(c.bytes()), *ids))
                .collect();
            let reference: Vec<(&[u8], bool)> = f
                .clauses
                .iter()
                .map(|cl| (cl.field.as_bytes(), cl.values != [r.subject()]))
                .collect();
            assert_eq!(reference, lean, "{what}");
        }
        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{what}"),
        (a, b) => panic!("{what}: {a:?} / {b:?}"),
    }
}

#[test]
fn snapshots_read_and_decided_as_the_reference_does() {
    let v = vectors();
    let hex = v["key"]["seed_hex"].as_str().unwrap();
    let seed: [u8; 32] = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let key = SigningKey::from_bytes(&seed);
    let keys = Keyring::from_jwks_json(&v["key"]["jwks"].to_string()).unwrap();
    let catalogs = catalogs();
    let mut decided = 0;
    let mut refused = 0;
    let mut reasons = 0;
    for case in v["cases"].as_array().unwrap() {
        let Ok(bytes) = crate::encoding::decode(case["snapshot"].as_str().unwrap()) else {
            continue; // not base64url: refused before the binary is read
        };
        if case["expect"]["error"] == "revoked" {
            continue; // revocations are not in the small core yet
        }
        let tenant = case["expected_tenant"].as_str().unwrap_or("");
        let now = case["now"].as_u64().unwrap();
        let mut inputs = vec![bytes.clone()];
        // The payload mutated and signed again.
        if let Ok(parts) = crate::wire::split(&bytes) {
            let header = &bytes[..bytes.len() - 64 - parts.payload.len()];
            for payload in mutations(parts.payload) {
                let mut m = header.to_vec();
                m.extend_from_slice(&payload);
                let mut message = crate::wire::SIGNING_DOMAIN.to_vec();
                message.extend_from_slice(&m);
                m.extend_from_slice(&key.sign(&message).to_bytes());
                inputs.push(m);
            }
        }
        // Read against every catalog: its own, its other revisions, others.
        for (name, compiled) in &catalogs {
            let r_catalog = Catalog::from_bytes(compiled, name).unwrap();
            let l_catalog = Lean::read(compiled).unwrap();
            for m in &inputs {
                let what = format!("{} on {name}", case["about"]);
                match (
                    reference(&r_catalog, &keys, m, tenant, now),
                    lean(&l_catalog, &keys, m, tenant, now),
                ) {
                    (Ok(r), Ok((s, d))) => {
                        decided += 1;
                        reasons |= same(&r, &l_catalog, &s, &d, &what);
                    }
                    (Err(a), Err(b)) => {
                        refused += 1;
                        assert_eq!(a, b, "{what}: {m:02x?}");
                    }
                    (a, b) => panic!(
                        "{what}: reference {:?}, lean {:?} on {m:02x?}",
                        a.map(|_| ()),
                        b.map(|_| ())
                    ),
                }
            }
        }
    }
    assert!(
        decided > 1000 && refused > 1000,
        "{decided} decided, {refused} refused"
    );
    // Every reason was given, and held to the reference's.
    let every = (1 << crate::decision::Reason::CODES.len()) - 1;
    assert_eq!(reasons, every, "reasons given: {reasons:b}");
}

#[test]
fn keys_and_signatures_are_held_to_the_strict_rules_as_the_keyring_holds_them() {
    let mut keys: Vec<[u8; 32]> = vec![[0; 32], [1; 32], [0xff; 32]];
    // The small-order points, non-canonical encodings and random ones.
    let mut x = [0u8; 32];
    x[0] = 1;
    keys.push(x); // the identity
    for seed in 0..400u32 {
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = (seed.wrapping_mul(2_654_435_761).rotate_left(i as u32) >> 8) as u8;
        }
        keys.push(k);
        let mut high = k;
        high[31] |= 0x80;
        keys.push(high);
    }
    let (mut good, mut bad) = (0, 0);
    for k in &keys {
        let reference = Keyring::new().insert("k", k);
        // The rules without curve arithmetic here, the curve's equation
        // where the caller checks it (the browser entry: tests/js/browser.test.mjs
        // holds its JavaScript check to the keyring on the same keys).
        let lean = super::check_key(k).is_ok() && crate::field::is_on_curve(k);
        assert_eq!(reference.is_ok(), lean, "{k:02x?}");
        if reference.is_ok() {
            good += 1
        } else {
            bad += 1
        }
    }
    assert!(good > 50 && bad > 50, "{good} good, {bad} bad");
    assert!(super::check_key(&[1; 31]).is_err());
    // A signature whose S is not reduced, or whose R is of small order.
    let mut sig = [0u8; 64];
    sig[0] = 1; // R: the identity, small order
    assert_eq!(
        super::check_signature(&sig).unwrap_err().code(),
        "bad_signature"
    );
    let mut sig = [0x11u8; 64];
    sig[63] = 0xff; // S above the group order
    assert_eq!(
        super::check_signature(&sig).unwrap_err().code(),
        "bad_signature"
    );
    assert!(super::check_signature(&[0; 63]).is_err());
}

#[test]
fn a_catalog_read_unhashed_fits_no_snapshot_until_its_fingerprints_are_set() {
    // The browser's core leaves SHA-512 to the platform: JavaScript hashes
    // each revision after the previous fingerprint (the first after the
    // catalog's head) and hands the fingerprints over.
    let v = vectors();
    let dia = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sitee/dia")
        .unwrap();
    let bytes = crate::encoding::decode(dia["snapshot"].as_str().unwrap()).unwrap();
    let parts = split(&bytes).unwrap();
    let (_, catalog) = catalogs().into_iter().find(|(n, _)| n == "sitee").unwrap();
    let hashed = Lean::read(&catalog).unwrap();
    let mut unhashed = Lean::read_unhashed(&catalog).unwrap();
    assert!(hashed.hashed() && !unhashed.hashed());
    let refused = Snapshot::read(&bytes, &parts, &unhashed).map(|_| ());
    assert_eq!(refused.map_err(|r| r.code()), Err("wrong_catalog"));
    let mut fingerprints = Vec::new();
    let mut link = unhashed.head().in_(unhashed.bytes()).to_vec();
    for rev in unhashed.revisions() {
        let fp: [u8; 8] = crate::wire::digest(
            crate::model::catalog::CATALOG_FINGERPRINT_DOMAIN,
            [link.as_slice(), rev.chunk.in_(unhashed.bytes())],
        );
        fingerprints.extend_from_slice(&fp);
        link = fp.to_vec();
    }
    let short = &fingerprints[..fingerprints.len() - 1];
    assert_eq!(
        unhashed.set_fingerprints(short).map_err(|r| r.code()),
        Err("invalid_argument")
    );
    assert!(!unhashed.hashed());
    unhashed.set_fingerprints(&fingerprints).unwrap();
    let fps = |c: &Lean| -> Vec<[u8; 8]> { c.revisions().iter().map(|r| r.fingerprint).collect() };
    assert_eq!(fps(&unhashed), fps(&hashed));
    // Once: other fingerprints later (a freed catalog's, computed late) are
    // refused and change nothing.
    let other = vec![7u8; fingerprints.len()];
    assert_eq!(
        unhashed.set_fingerprints(&other).map_err(|r| r.code()),
        Err("invalid_argument")
    );
    assert_eq!(fps(&unhashed), fps(&hashed));
    assert!(Snapshot::read(&bytes, &parts, &unhashed).is_ok());
}

/// `bytes`, its mutations and its first half: what a reader of the small
/// core is held to the reference on.
fn mutated(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut inputs = mutations(bytes);
    inputs.push(bytes.to_vec());
    inputs.push(bytes[..bytes.len() / 2].to_vec());
    inputs
}

/// Holds what a reader of the small core made of `input` to what the
/// reference made of it: both read it (`same` compares the two) or both
/// refuse it with one code. Counts it in `tally` (read, refused).
fn held<R: std::fmt::Debug, L>(
    input: &[u8],
    reference: crate::Result<R>,
    lean: Result<L, super::Refusal>,
    tally: &mut (usize, usize),
    same: impl FnOnce(&R, &L),
) {
    match (&reference, &lean) {
        (Ok(r), Ok(l)) => {
            tally.0 += 1;
            same(r, l);
        }
        (Err(e), Err(c)) => {
            tally.1 += 1;
            assert_eq!(e.code(), c.code(), "{input:02x?}");
        }
        _ => panic!(
            "reference {reference:?}, lean {:?} on {input:02x?}",
            lean.as_ref().map(|_| ())
        ),
    }
}

#[test]
fn notices_read_as_the_reference_reads_them() {
    // Every committed notice, the refused ones, and mutations of each
    // payload: split and read as `wire::split_framed` and
    // `wire::decode_notice` do, with the same codes and the same fields.
    use super::notice::Notice;
    use super::snapshot::split_notice;
    use crate::wire::{decode_notice, split_framed, MAX_NOTICE_LEN, NOTICE_MAGIC};
    let v = vectors();
    let mut texts: Vec<String> = v["notices"]["apply"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    for r in v["notices"]["refused"].as_array().unwrap() {
        texts.push(r["notice"].as_str().unwrap().to_owned());
    }
    texts.extend(
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .take(3)
            .map(|c| c["snapshot"].as_str().unwrap().to_owned()),
    );
    let mut tally = (0, 0);
    for text in &texts {
        let bytes = crate::encoding::decode(text).unwrap();
        for m in &mutated(&bytes) {
            let reference = split_framed(m, &NOTICE_MAGIC, MAX_NOTICE_LEN)
                .and_then(|p| decode_notice(p.payload));
            let lean = split_notice(m).and_then(|p| Notice::read(m, &p));
            held(m, reference, lean, &mut tally, |r, l| {
                assert_eq!(r.tenant.as_bytes(), l.tenant.in_(l.bytes()));
                assert_eq!((r.issued_at, r.min_epoch), (l.issued_at, l.min_epoch));
                let ids: Vec<&[u8]> = l.ids.iter().map(|s| s.in_(l.bytes())).collect();
                assert_eq!(r.ids.iter().map(|i| i.as_slice()).collect::<Vec<_>>(), ids);
                let staff: Vec<(&[u8], u64)> = l
                    .staff
                    .iter()
                    .map(|(s, b)| (s.in_(l.bytes()), *b))
                    .collect();
                let expected: Vec<(&[u8], u64)> = r
                    .staff
                    .iter()
                    .map(|s| (s.subject.as_bytes(), s.before))
                    .collect();
                assert_eq!(expected, staff);
            });
        }
    }
    let (read, refused) = tally;
    assert!(read >= 3 && refused >= 50, "{read} read, {refused} refused");
}

#[test]
fn id_lists_attach_as_the_reference_attaches_them() {
    // The list as the browser entry's JavaScript hands it over (text decoded,
    // framed), then attached by the core; the reference reads text or
    // binary itself.
    use crate::wire::{IDS_MAGIC, MAX_IDS_LEN};
    let v = vectors();
    let keys = Keyring::from_jwks_json(&v["key"]["jwks"].to_string()).unwrap();
    let catalogs = catalogs();
    let (mut attached, mut refused) = (0, 0);
    let cases = v["cases"].as_array().unwrap();
    for case in cases.iter().filter(|c| c["id_lists"].is_array()) {
        let bytes = crate::encoding::decode(case["snapshot"].as_str().unwrap()).unwrap();
        let tenant = case["expected_tenant"].as_str().unwrap();
        let now = case["now"].as_u64().unwrap();
        let name = case["catalog"].as_str().unwrap();
        let (_, compiled) = catalogs.iter().find(|(n, _)| n == name).unwrap();
        let r_catalog = Catalog::from_bytes(compiled, name).unwrap();
        let l_catalog = Lean::read(compiled).unwrap();
        let r = reference(&r_catalog, &keys, &bytes, tenant, now).unwrap();
        let (s, d) = lean(&l_catalog, &keys, &bytes, tenant, now).unwrap();
        let kinds = 0..l_catalog.kinds().len();
        let listed: Vec<usize> = kinds.filter(|k| d.scope(&s, *k).tag == 5).collect();
        assert!(!listed.is_empty());
        for list in case["id_lists"].as_array().unwrap() {
            let text = list.as_str().unwrap();
            let list = crate::encoding::decode(text).unwrap();
            let mut inputs = mutations(&list);
            inputs.extend([list.clone(), text.as_bytes().to_vec()]);
            for m in &inputs {
                let framed = crate::wire::to_binary_framed(m, &IDS_MAGIC, MAX_IDS_LEN);
                let lean = framed
                    .map_err(|e| e.code())
                    .and_then(|b| s.with_ids(&b, &listed).map_err(|e| e.code()));
                match (r.with_ids(m), lean) {
                    (Ok(rp), Ok(ls)) => {
                        attached += 1;
                        same(&rp, &l_catalog, &ls, &d, "with ids");
                        assert!((0..l_catalog.kinds().len()).all(|k| d.scope(&ls, k).tag != 5));
                    }
                    (Err(a), Err(b)) => {
                        refused += 1;
                        assert_eq!(a.code(), b, "{m:02x?}");
                    }
                    (a, b) => panic!(
                        "reference {:?}, lean {:?} on {m:02x?}",
                        a.map(|_| ()),
                        b.map(|_| ())
                    ),
                }
            }
        }
    }
    assert!(
        attached >= 2 && refused > 100,
        "{attached} attached, {refused} refused"
    );
}

#[test]
fn feed_heads_read_as_the_reference_reads_them() {
    // The committed feed's head, the refused ones, and mutations of each:
    // split and read as `wire::split_framed` and `wire::decode_feed_head`
    // do, with the same codes and the same fields.
    use super::feed::{split_head, FeedHead};
    use crate::wire::{decode_feed_head, split_framed, FEED_MAGIC, MAX_FEED_HEAD_LEN};
    let v = vectors();
    let mut texts = vec![v["feeds"]["feed"]["head"].as_str().unwrap().to_owned()];
    for r in v["feeds"]["refused"].as_array().unwrap() {
        texts.push(r["head"].as_str().unwrap().to_owned());
    }
    let mut tally = (0, 0);
    for text in &texts {
        let bytes = crate::encoding::decode(text).unwrap();
        for m in &mutated(&bytes) {
            let reference = split_framed(m, &FEED_MAGIC, MAX_FEED_HEAD_LEN)
                .and_then(|p| decode_feed_head(p.payload));
            let lean = split_head(m).and_then(|p| FeedHead::read(m, &p));
            held(m, reference, lean, &mut tally, |r, l| {
                let tenant = l.tenant.map(|t| t.in_(l.bytes()));
                assert_eq!(r.tenant.as_deref().map(str::as_bytes), tenant);
                assert_eq!(
                    (r.issued_at, r.count, r.digest),
                    (l.issued_at, l.count, l.digest)
                );
            });
        }
    }
    let (read, refused) = tally;
    assert!(read >= 2 && refused >= 50, "{read} read, {refused} refused");
}

#[test]
fn a_head_lists_the_notices_the_reference_takes() {
    // The committed feed's notices, then each left out, repeated, changed
    // or moved: the head lists exactly the ones whose count and digest the
    // reference's `feed_digest` matches.
    use super::feed::{split_head, FeedHead};
    use crate::wire::feed_digest;
    let v = vectors();
    let feed = &v["feeds"]["feed"];
    let head = crate::encoding::decode(feed["head"].as_str().unwrap()).unwrap();
    let head = FeedHead::read(&head, &split_head(&head).unwrap()).unwrap();
    let notices: Vec<Vec<u8>> = feed["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| crate::encoding::decode(n.as_str().unwrap()).unwrap())
        .collect();
    assert!(notices.len() >= 2);
    let mut lists: Vec<Vec<Vec<u8>>> = vec![notices.clone(), Vec::new()];
    for i in 0..notices.len() {
        let mut left_out = notices.clone();
        left_out.remove(i);
        let mut twice = notices.clone();
        twice.insert(i, notices[i].clone());
        let mut changed = notices.clone();
        changed[i][10] ^= 1;
        let mut cut = notices.clone();
        cut[i].pop();
        lists.extend([left_out, twice, changed, cut]);
    }
    let mut moved = notices.clone();
    moved.swap(0, 1);
    lists.push(moved);
    let mut taken = 0;
    for list in &lists {
        let reference = list.len() == head.count as usize && feed_digest(list) == head.digest;
        let lean = head.lists(list.iter().map(Vec::as_slice));
        assert_eq!(
            lean.map_err(|r| r.code()),
            if reference { Ok(()) } else { Err("malformed") }
        );
        taken += usize::from(reference);
    }
    assert_eq!(taken, 1, "only the feed as issued is listed");
}

#[test]
fn step_up_proofs_read_as_the_reference_reads_them() {
    // Proofs signed here, valid and breaking each rule of the reference
    // (`StepUp::check`), and mutations of each: split and read as
    // `wire::split_framed` and `wire::decode_step_up` do, with the same
    // codes and the same fields.
    use super::stepup::{split_proof, StepUp as Lean};
    use crate::wire::{decode_step_up, split_framed, StepUp, MAX_STEP_UP_LEN, STEP_UP_MAGIC};
    let good = crate::wire::example_step_up();
    let with = |f: &dyn Fn(&mut StepUp)| {
        let mut p = good.clone();
        f(&mut p);
        p
    };
    let proofs = [
        good.clone(),
        with(&|p| p.actor = "front-desk".into()),
        with(&|p| p.actor = "Front-Desk".into()),
        with(&|p| p.lifetime = 0),
        with(&|p| p.lifetime = 61),
        with(&|p| p.method = "post".into()),
        with(&|p| p.path = "payments".into()),
        with(&|p| p.permission = String::new()),
        with(&|p| p.tenant = "spa\u{7}lumi".into()),
        with(&|p| p.issued_at = crate::wire::MAX_TIME + 1),
    ];
    let mut tally = (0, 0);
    for proof in &proofs {
        // Framed by hand: the encoder refuses what breaks the rules.
        let mut bytes = b"PSU\x02\x04t-01".to_vec();
        bytes.extend(postcard::to_allocvec(proof).unwrap());
        bytes.extend([0x55; 64]);
        for m in &mutated(&bytes) {
            let reference = split_framed(m, &STEP_UP_MAGIC, MAX_STEP_UP_LEN)
                .and_then(|p| decode_step_up(p.payload));
            let lean = split_proof(m).and_then(|p| Lean::read(m, &p));
            held(m, reference, lean, &mut tally, |r, l| {
                let text = |s: Span| s.in_(l.bytes()).to_vec();
                let fields =
                    [l.tenant, l.account, l.actor, l.permission, l.method, l.path].map(text);
                let expected = [
                    &r.tenant,
                    &r.account,
                    &r.actor,
                    &r.permission,
                    &r.method,
                    &r.path,
                ]
                .map(|s| s.as_bytes().to_vec());
                assert_eq!(expected, fields);
                assert_eq!(&r.snapshot[..], l.snapshot.in_(l.bytes()));
                assert_eq!(&r.nonce[..], l.nonce.in_(l.bytes()));
                assert_eq!(
                    (r.issued_at, r.lifetime, r.expires_at()),
                    (l.issued_at, l.lifetime, l.expires_at())
                );
            });
        }
    }
    let (read, refused) = tally;
    assert!(
        read >= 10 && refused >= 500,
        "{read} read, {refused} refused"
    );
}
