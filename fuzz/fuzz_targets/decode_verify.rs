//! Decode + verify on arbitrary input. Half the inputs are wrapped in a valid
//! header (magic, version, a known key id) and a validly *signed* random body,
//! so the fuzzer reaches the payload decoder and the decision code instead of
//! stopping at the magic bytes or the signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use permsnap::crypto::signing::IssuerKey;
use permsnap::wire::{MAGIC, VERSION};
use permsnap::{Catalog, Keyring, Options, Verifier};
use std::sync::OnceLock;

const SITEE: &str = include_str!("../../presets/sitee.json");

fn setup() -> &'static (Verifier, IssuerKey) {
    static S: OnceLock<(Verifier, IssuerKey)> = OnceLock::new();
    S.get_or_init(|| {
        let key = IssuerKey::from_seed(Some("fz"), &[7; 32]).unwrap();
        let mut ring = Keyring::new();
        ring.insert("fz", &key.public_key()).unwrap();
        let cat = Catalog::from_json(SITEE, "sitee").unwrap();
        (Verifier::new(cat, ring, Options::any_tenant()), key)
    })
}

fuzz_target!(|data: &[u8]| {
    let (verifier, key) = setup();
    let now = 1_767_225_600;
    // 1. raw bytes and raw text
    let _ = verifier.verify(data, now);
    // 2. valid header + signed random body: exercises the payload decoder
    let mut snap = MAGIC.to_vec();
    snap.push(VERSION);
    snap.push(2);
    snap.extend_from_slice(b"fz");
    snap.extend_from_slice(data);
    let sig = key.sign(&snap);
    snap.extend_from_slice(&sig);
    if let Ok(p) = verifier.verify_binary(&snap, now) {
        // a decodable payload: every question must answer without panicking
        for perm in &verifier.catalog().tables().permissions {
            let _ = p.explain(&perm.name);
        }
        for kind in &verifier.catalog().tables().kinds {
            let _ = p.filter(&kind.name);
            let _ = p.redaction(&kind.name);
            let _ = p.hidden_fields(&kind.name);
        }
        let _ = p.summary();
    }
    // 3. the other inputs a verifier reads: compiled catalogs, notices,
    // feed heads and id lists (given the digest a snapshot would name, so
    // the list parser is reached)
    let mut catalog = b"PSC\x02".to_vec();
    catalog.extend_from_slice(data);
    let _ = Catalog::from_bytes(&catalog, "fuzz");
    let _ = Catalog::from_bytes(data, "fuzz");
    let mut notice = b"PSR\x02\x02fz".to_vec();
    notice.extend_from_slice(data);
    let sig = key.sign_domain(permsnap::wire::NOTICE_DOMAIN, &notice);
    notice.extend_from_slice(&sig);
    let mut v = verifier.clone();
    let _ = v.apply_notice(&notice);
    let _ = v.apply_notice(data);
    let mut head = b"PSH\x02\x02fz".to_vec();
    head.extend_from_slice(data);
    let sig = key.sign_domain(permsnap::wire::FEED_DOMAIN, &head);
    head.extend_from_slice(&sig);
    let before = v.feed_at();
    if v.apply_feed(&head, &[data], now).is_err() {
        assert_eq!(v.feed_at(), before, "a refused feed changed the feed time");
    }
    let mut list = b"PSI\x02".to_vec();
    list.extend_from_slice(data);
    let count = data.first().copied().map_or(0, u32::from);
    let reference = permsnap::IdListRef {
        count,
        digest: permsnap::wire::id_list_digest(&list),
    };
    if let Ok(ids) = permsnap::wire::decode_id_list(&list, &reference) {
        assert_eq!(ids.ids.len(), count as usize);
        assert!(ids.ids.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        for id in &ids.ids {
            assert!(ids.contains(id));
        }
    }
});
