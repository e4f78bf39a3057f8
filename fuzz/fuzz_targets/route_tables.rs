//! Route tables from arbitrary JSON (the reader every language shares) and
//! from arbitrary structured rules: compiling never panics, and a table that
//! compiles answers any request without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use permsnap::guard::{Gate, Request, RouteDef};
use permsnap::issuer::Policy;
use permsnap::{Catalog, Keyring, Options, Verifier};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| {
        Policy::from_json(include_str!("../../presets/sitee.json"), "sitee")
            .unwrap()
            .catalog()
            .clone()
    })
}

const WORDS: [&str; 12] = [
    "a", "B", "{id}", "{x}", "{*rest}", "", "api", "x{y}", "{{", "ä", "payments", "*",
];
const PERMS: [&str; 4] = ["payments.view", "clients.view", "nope.view", "staff.manage"];
const METHODS: [&str; 6] = ["GET", "POST", "*", "get", "HEAD", "DELETE"];

fn rules(data: &[u8]) -> Vec<RouteDef> {
    data.chunks(4)
        .map(|c| {
            let b = |i: usize| usize::from(*c.get(i).unwrap_or(&0));
            let path: String = (0..1 + b(0) % 3)
                .map(|j| format!("/{}", WORDS[(b(1) >> j) % WORDS.len()]))
                .collect();
            RouteDef {
                methods: (b(2) & 1 == 1).then(|| vec![METHODS[b(2) / 2 % METHODS.len()].to_owned()]),
                path,
                requires: (b(3) & 1 == 1)
                    .then(|| PERMS[b(3) / 2 % PERMS.len()].to_owned())
                    .into_iter()
                    .collect(),
                public: b(3) & 2 == 2,
                authenticated: b(3) & 4 == 4,
                ..RouteDef::default()
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let cat = catalog();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Gate::from_json(cat, text);
    }
    if let Ok(gate) = Gate::new(cat, &rules(data)) {
        let _ = gate.warnings();
        let mut v = Verifier::new(cat.clone(), Keyring::new(), Options::any_tenant());
        for target in ["/a", "/B/a", "/a/", "/A", "/api/payments", "/x/y/z", "/", "/%C3%A4"] {
            for method in ["GET", "HEAD", "POST", "OPTIONS"] {
                let request = Request {
                    method,
                    target,
                    authorization: Some("Permsnap AAAA"),
                    ..Request::default()
                };
                let _ = gate.check(&mut v, &request, 0);
            }
        }
    }
});
