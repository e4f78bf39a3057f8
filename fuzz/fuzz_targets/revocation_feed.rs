//! A revocation feed: a sequence of notices, some validly signed (random
//! payloads), some signed by an untrusted key, some garbage, applied one by
//! one. Besides "no panic": a notice that fails changes nothing, and
//! revocations only ever grow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use permsnap::crypto::signing::IssuerKey;
use permsnap::wire::{self, Notice};
use permsnap::issuer::{sign_notice, Policy};
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
                };
                sign_notice(if kind & 0x20 == 0 { key } else { stranger }, &n).unwrap()
            }
            1 => {
                let mut n = b"PSR\x01\x02fz".to_vec();
                n.extend_from_slice(body);
                let sig = key.sign_domain(wire::NOTICE_DOMAIN, &n);
                n.extend_from_slice(&sig);
                n
            }
            _ => chunk.to_vec(),
        };
        match v.apply_notice(&notice) {
            Ok(_) => {
                // only ever grows
                assert!(v.revocations().id_count() >= before.id_count());
                assert!(v.revocations().min_epoch("spa-lumi") >= before.min_epoch("spa-lumi"));
            }
            Err(_) => assert_eq!(v.revocations(), &before, "a refused notice changed the state"),
        }
    }
});
