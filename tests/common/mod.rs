//! Fixtures shared by the integration tests.
#![allow(dead_code)]

use permsnap::crypto::signing::IssuerKey;
use permsnap::issuer::{IssueOptions, Policy, Snapshot};
use permsnap::{Keyring, Options, Permissions, Verifier};

/// Fixed clock of the fixtures: 2026-01-01T00:00:00Z.
pub const NOW: u64 = 1_767_225_600;

/// A fixed test key (seed 0x01..=0x20). Never use outside tests.
pub fn key() -> IssuerKey {
    let seed: [u8; 32] = core::array::from_fn(|i| i as u8 + 1);
    IssuerKey::from_seed(Some("t-01"), &seed).unwrap()
}

/// Another fixed key, published under the same key id (a wrong key).
pub fn other_key(kid: &str) -> IssuerKey {
    let seed: [u8; 32] = core::array::from_fn(|i| 0xA0 ^ i as u8);
    IssuerKey::from_seed(Some(kid), &seed).unwrap()
}

pub fn preset_path(name: &str) -> String {
    format!("{}/presets/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

pub fn policy(name: &str) -> Policy {
    let path = preset_path(name);
    Policy::from_json(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
}

pub fn keyring() -> Keyring {
    let mut ring = Keyring::new();
    ring.insert("t-01", &key().public_key()).unwrap();
    ring
}

pub fn verifier(p: &Policy) -> Verifier {
    Verifier::new(
        p.catalog().clone(),
        keyring(),
        Options {
            expected_tenant: Some(p.tenant().to_owned()),
            ..Options::default()
        },
    )
}

pub fn opts() -> IssueOptions {
    IssueOptions {
        id: Some(*b"fixture!"),
        ..IssueOptions::at(NOW)
    }
}

pub fn issue(p: &Policy, staff: &str) -> Snapshot {
    p.issue(staff, &key(), &opts()).unwrap()
}

/// Issue for `staff` of preset `name` and verify at NOW.
pub fn perms(name: &str, staff: &str) -> Permissions {
    let p = policy(name);
    let snap = issue(&p, staff);
    verifier(&p).verify(&snap.bytes, NOW).unwrap()
}
