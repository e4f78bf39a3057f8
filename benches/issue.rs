//! Issue throughput on one core and snapshot sizes, printed as tables:
//! `cargo bench --features issuer --bench issue`. Median of 9 rounds; the
//! machines are noisy, so nothing here asserts a time.

use permsnap::issuer::{Account, IssueOptions, Issuer, RecordReader, Roles};
use permsnap::{Catalog, IssuerKey, Options, Scope, StaffRecord, Verifier};
use std::hint::black_box;
use std::time::Instant;

const ROUNDS: usize = 9;

/// Median nanoseconds per call of `f` over `n` calls per round.
fn per_call(n: usize, mut f: impl FnMut()) -> f64 {
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let json = std::fs::read_to_string(format!("{root}/presets/sitee.json")).unwrap();
    let catalog = Catalog::from_json(&json, "sitee").unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let key = IssuerKey::from_seed(Some("bench"), &[7; 32]).unwrap();
    let public = key.public_key();
    let issuer = Issuer::new(catalog, key).unwrap();
    let roles = Roles::from_json(issuer.catalog(), &doc["roles"].to_string()).unwrap();
    let account = Account::new("spa-lumi", roles).unwrap();
    let reader = RecordReader::new(&["email", "created_at"]).unwrap();
    let row = r#"{"id": "u42", "roles": ["user"], "version": 7, "remove": ["payments.view", "payments.charge"], "hidden_fields": {"clients": ["email", "phone"]}, "email": "u42@example.com", "created_at": "2026-01-01"}"#;
    let staff = reader.read(row).unwrap();
    let opts = IssueOptions::now();

    println!("permsnap issuer, one core, median of {ROUNDS} rounds");
    println!("{:<52} {:>10} {:>14}", "operation", "µs/call", "per second");
    let row_out = |name: &str, ns: f64| {
        println!("{name:<52} {:>10.2} {:>14.0}", ns / 1000.0, 1e9 / ns);
    };
    row_out(
        "read a database row (RecordReader, 2 extra columns)",
        per_call(20_000, || {
            black_box(reader.read(black_box(row)).unwrap());
        }),
    );
    row_out(
        "claims for a record (a role and switches, no signature)",
        per_call(20_000, || {
            black_box(issuer.claims(&account, black_box(&staff), &opts).unwrap());
        }),
    );
    let message = vec![0x5a_u8; 150];
    row_out(
        "Ed25519 sign of 150 bytes alone (ed25519-dalek, tables)",
        per_call(20_000, || {
            black_box(issuer.key().sign(black_box(&message)));
        }),
    );
    row_out(
        "issue: claims + random id + encode + Ed25519 sign",
        per_call(20_000, || {
            black_box(issuer.issue(&account, black_box(&staff), &opts).unwrap());
        }),
    );
    row_out(
        "row to signed snapshot text (read + issue + base64url)",
        per_call(20_000, || {
            let s = reader.read(black_box(row)).unwrap();
            black_box(issuer.issue(&account, &s, &opts).unwrap().text());
        }),
    );
    let mut keys = permsnap::Keyring::new();
    keys.insert("bench", &public).unwrap();
    let verifier = Verifier::new(
        issuer.catalog().clone(),
        keys,
        Options::for_tenant("spa-lumi"),
    );
    let snap = issuer.issue(&account, &staff, &opts).unwrap();
    row_out(
        "verify (strict Ed25519 + decode + decisions), native",
        per_call(5_000, || {
            black_box(verifier.verify(black_box(&snap.bytes), opts.now).unwrap());
        }),
    );

    println!();
    println!("snapshot size with N specific record ids (26-character ids)");
    println!(
        "{:>7} {:>14} {:>12} {:>16} {:>14}",
        "ids", "snapshot text", "binary", "id list beside", "issue µs"
    );
    let partner = Roles::compile(
        issuer.catalog(),
        vec![permsnap::RoleDef {
            id: "partner".into(),
            permissions: vec!["clients.view".into()],
            ..Default::default()
        }],
    )
    .unwrap();
    let agency = Account::new("spa-lumi", partner).unwrap();
    for n in [1usize, 100, 10_000] {
        let ids: Vec<String> = (0..n).map(|k| format!("01HZXR7Q2M{k:016}")).collect();
        let record = StaffRecord {
            roles: vec!["partner".into()],
            scopes: [("clients".to_owned(), Scope::Specific(ids))].into(),
            ..StaffRecord::new("agency")
        };
        let snap = issuer.issue(&agency, &record, &opts).unwrap();
        let beside: usize = snap.id_lists.iter().map(|l| l.text().len()).sum();
        let ns = per_call(if n > 1000 { 20 } else { 2_000 }, || {
            black_box(issuer.issue(&agency, &record, &opts).unwrap());
        });
        println!(
            "{n:>7} {:>14} {:>12} {:>16} {:>14.1}",
            snap.text().len(),
            snap.bytes.len(),
            beside,
            ns / 1000.0
        );
    }
}
