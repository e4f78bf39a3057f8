//! A revocation feed: a sequence of notices, some validly signed (random
//! payloads, per-person bounds included), some signed by an untrusted key,
//! some garbage, applied one by one, and signed feed heads over them.
//! Besides "no panic": a notice or feed that fails changes nothing,
//! revocations only ever grow within a lifetime, and the feed time never
//! goes back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use permsnap::crypto::signing::IssuerKey;
use permsnap::wire::{self, Notice, StaffRevocation};
use permsnap::issuer::{sign_feed_head, sign_notice, Policy};
use permsnap::{Keyring, Options, Verifier};
use std::sync::OnceLock;

fn setup() -> &'static (Verifier, IssuerKey, IssuerKey) {
    static S: OnceLock<(Verifier, IssuerKey, IssuerKey)> = OnceLock::new();
    S.get_or_init(|| {
        let key = IssuerKey::from_seed(Some("fz"), &[7; 32]).unwrap();
        let stranger = IssuerKey::from_seed(Some("zz"), &[9; 32]).unwrap();
        let mut ring = Keyring::new();
        ring.insert("fz", &key.public_key()).unwrap();
        let policy = Policy::from_json(include_str!("../../presets/sitee.json"), "sitee").unwrap();
        let v = Verifier::new(policy.catalog().clone(), ring, Options::for_tenant("spa-lumi"));
        (v, key, stranger)
    })
}

fuzz_target!(|data: &[u8]| {
    let (base, key, stranger) = setup();
    let mut v = base.clone();
    for chunk in data.chunks(24) {
        let before = v.revocations().clone();
        let kind = chunk.first().copied().unwrap_or(0);
        let body = chunk.get(1..).unwrap_or(&[]);
        let notice = match kind % 4 {
            0 => {
                let ids = body
                    .chunks_exact(8)
                    .map(|c| <[u8; 8]>::try_from(c).unwrap())
                    .collect();
                let tenant = if kind & 0x10 == 0 { "spa-lumi" } else { "spa-rival" };
                let n = Notice {
                    tenant: tenant.into(),
                    issued_at: u64::from(kind),
                    min_epoch: u32::from(kind >> 5),
                    ids,
                    staff: vec![StaffRevocation {
                        subject: format!("s{}", kind % 3),
                        // The issuer signs `before` 1 or more only.
                        before: u64::from(body.first().copied().unwrap_or(0)).max(1),
                    }],
                };
                sign_notice(if kind & 0x20 == 0 { key } else { stranger }, &n).unwrap()
            }
            1 => {
                let mut n = b"PSR\x02\x02fz".to_vec();
                n.extend_from_slice(body);
                let sig = key.sign_domain(wire::NOTICE_DOMAIN, &n);
                n.extend_from_slice(&sig);
                n
            }
            _ => chunk.to_vec(),
        };
        let feed_before = v.feed_at();
        if kind % 7 == 3 {
            // A signed head over this notice (or over nothing, so it does
            // not match), at a time taken from the input.
            let listed: &[Vec<u8>] = if kind & 0x40 == 0 { std::slice::from_ref(&notice) } else { &[] };
            let head = sign_feed_head(key, None, u64::from(kind), listed).unwrap();
            match v.apply_feed(&head, std::slice::from_ref(&notice), 255) {
                Ok(report) => {
                    if report.failed.is_empty() {
                        assert_eq!(v.feed_at(), Some(u64::from(kind)));
                    } else {
                        assert_eq!(v.feed_at(), feed_before);
                    }
                }
                Err(_) => assert_eq!(v.revocations(), &before, "a refused feed changed the state"),
            }
            assert!(v.feed_at() >= feed_before, "the feed time went back");
            continue;
        }
        match v.apply_notice(&notice) {
            Ok(_) => {
                // Issue times here are below one lifetime: nothing is pruned,
                // so revocations only grow.
                assert!(v.revocations().id_count() >= before.id_count());
                assert!(v.revocations().min_epoch("spa-lumi") >= before.min_epoch("spa-lumi"));
                for s in ["s0", "s1", "s2"] {
                    assert!(v.revocations().min_version("spa-lumi", s) >= before.min_version("spa-lumi", s));
                }
            }
            Err(_) => assert_eq!(v.revocations(), &before, "a refused notice changed the state"),
        }
    }
});
