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
        Options::for_tenant(p.tenant()),
    )
}

pub fn opts() -> IssueOptions {
    IssueOptions {
        id: Some(*b"fixture!"),
        ..IssueOptions::at(NOW)
    }
}

/// A fixed snapshot id per person (FNV-1a of `tenant/staff`), so that
/// vectors are reproducible and revoking one person revokes no one else.
pub fn fixture_id(tenant: &str, staff: &str) -> [u8; 8] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tenant.bytes().chain([b'/']).chain(staff.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.to_be_bytes()
}

pub fn issue(p: &Policy, staff: &str) -> Snapshot {
    let opts = IssueOptions {
        id: Some(fixture_id(p.tenant(), staff)),
        ..opts()
    };
    p.issue(staff, &key(), &opts).unwrap()
}

/// Issue for `staff` of preset `name` and verify at NOW.
pub fn perms(name: &str, staff: &str) -> Permissions {
    perms_in(&policy(name), staff)
}

/// Issue for `staff` of policy `p` and verify at NOW.
pub fn perms_in(p: &Policy, staff: &str) -> Permissions {
    verifier(p).verify(&issue(p, staff).bytes, NOW).unwrap()
}

/// Preset `name` with its JSON document changed by `edit`, loaded as
/// `origin` (what its problems' messages start with).
pub fn edited_preset(
    name: &str,
    origin: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> Policy {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(preset_path(name)).unwrap()).unwrap();
    edit(&mut doc);
    Policy::from_json(&doc.to_string(), origin).unwrap()
}

/// The staff entry `id` of a policy document.
pub fn staff_entry<'a>(doc: &'a mut serde_json::Value, id: &str) -> &'a mut serde_json::Value {
    doc["staff"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["id"] == id)
        .unwrap()
}

/// Every problem of policy `p`, as text.
pub fn problem_texts(p: &Policy) -> Vec<String> {
    p.problems().iter().map(|e| e.to_string()).collect()
}

/// The Sitee preset's catalog grown to revision `rev` (1 to 3): revision 2
/// appends an application, a permission, a field of an existing kind and a
/// kind; revision 3 a permission on that kind. Roles and staff unchanged.
pub fn sitee_revision(rev: u16) -> Policy {
    let doc = sitee_revision_doc(rev);
    Policy::from_json(&doc.to_string(), &format!("sitee-r{rev}")).unwrap()
}

/// The policy document of [`sitee_revision`], to edit before reading it.
pub fn sitee_revision_doc(rev: u16) -> serde_json::Value {
    let path = preset_path("sitee");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let c = &mut doc["catalog"];
    if rev >= 2 {
        c["applications"] = serde_json::json!([{"id": "mobile", "name": "Mobile app", "since": 2}]);
        c["permissions"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!(
            {"name": "reports.view", "section": "settings", "since": 2}));
        let kinds = c["kinds"].as_array_mut().unwrap();
        let clients = kinds.iter_mut().find(|k| k["name"] == "clients").unwrap();
        clients["fields"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "birthday", "since": 2}));
        kinds.push(
            serde_json::json!({"name": "invoices", "owner_fields": ["staff_id"], "since": 2}),
        );
    }
    if rev >= 3 {
        c["permissions"].as_array_mut().unwrap().push(serde_json::json!(
            {"name": "invoices.view", "section": "payments", "scope_kind": "invoices", "since": 3}));
    }
    doc
}

/// A preset by name, or `sitee-rN` for [`sitee_revision`].
pub fn policy_named(name: &str) -> Policy {
    match name.strip_prefix("sitee-r") {
        Some(rev) => sitee_revision(rev.parse().unwrap()),
        None => policy(name),
    }
}

/// A signed notice revoking `subject` of `tenant` before version `before`.
pub fn person_notice(tenant: &str, at: u64, subject: &str, before: u64) -> Vec<u8> {
    permsnap::issuer::sign_notice(
        &key(),
        &permsnap::wire::Notice {
            tenant: tenant.into(),
            issued_at: at,
            staff: vec![permsnap::wire::StaffRevocation {
                subject: subject.into(),
                before,
            }],
            ..permsnap::wire::Notice::default()
        },
    )
    .unwrap()
}

/// A Sitee staff member's snapshot at version `version`, issued at `at`.
pub fn issue_version_at(staff: &str, version: u64, at: u64) -> Vec<u8> {
    let p = policy("sitee");
    let mut record = p.record(staff).unwrap().clone();
    record.version = version;
    permsnap::issuer::Issuer::new(p.catalog().clone(), key())
        .unwrap()
        .issue(p.account(), &record, &IssueOptions::at(at))
        .unwrap()
        .bytes
}
