//! Property tests of the route gate: random route tables and random request
//! paths, checked against a naive reference matcher written independently
//! of the gate (a linear scan with matchit's precedence: static segment,
//! then parameter, then catch-all).
//!
//! - Agreement: on canonical paths, the gate's status equals the
//!   reference's.
//! - No bypass: whenever the gate allows a request, every route a lenient
//!   backend could pick for it (other letter case, trailing slash dropped,
//!   escapes decoded or not) allows it too.
#![cfg(all(feature = "issuer", feature = "guard"))]
mod common;

use common::*;
use permsnap::guard::{Gate, Request, RouteDef};
use permsnap::Permissions;

/// xorshift64*: reproducible, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const WORDS: [&str; 5] = ["a", "b", "c", "ab", "B"];
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const PERMS: [&str; 4] = [
    "payments.view",
    "campaigns.manage",
    "clients.view",
    "staff.manage",
];

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Lit(String),
    Param,
    CatchAll,
}

#[derive(Debug, Clone)]
struct RefRoute {
    segs: Vec<Seg>,
    methods: Option<Vec<&'static str>>,
    public: bool,
    requires: Vec<&'static str>,
}

fn random_table(rng: &mut Rng) -> Vec<RefRoute> {
    let n = 1 + rng.below(7);
    (0..n)
        .map(|_| {
            let len = 1 + rng.below(3);
            let mut segs: Vec<Seg> = (0..len)
                .map(|_| {
                    if rng.chance(25) {
                        Seg::Param
                    } else {
                        Seg::Lit((*rng.pick(&WORDS)).to_owned())
                    }
                })
                .collect();
            if rng.chance(20) {
                segs.push(Seg::CatchAll);
            }
            let methods = if rng.chance(40) {
                None
            } else {
                let mut m: Vec<&str> = METHODS.iter().copied().filter(|_| rng.chance(50)).collect();
                if m.is_empty() {
                    m.push("GET");
                }
                Some(m)
            };
            let public = rng.chance(15);
            let requires = if public {
                vec![]
            } else {
                PERMS.iter().copied().filter(|_| rng.chance(35)).collect()
            };
            RefRoute {
                segs,
                methods,
                public,
                requires,
            }
        })
        .collect()
}

fn pattern(r: &RefRoute) -> String {
    let mut out = String::new();
    for (i, s) in r.segs.iter().enumerate() {
        out.push('/');
        match s {
            Seg::Lit(l) => out.push_str(l),
            Seg::Param => out.push_str(&format!("{{p{i}}}")),
            Seg::CatchAll => out.push_str("{*rest}"),
        }
    }
    out
}

fn def(r: &RefRoute) -> RouteDef {
    RouteDef {
        methods: r
            .methods
            .as_ref()
            .map(|m| m.iter().map(|s| s.to_string()).collect()),
        path: pattern(r),
        requires: r.requires.iter().map(|s| s.to_string()).collect(),
        public: r.public,
        authenticated: !r.public && r.requires.is_empty(),
        ..RouteDef::default()
    }
}

/// Rank of a route for a path: one precedence digit per segment (0 static,
/// 1 parameter, 2 catch-all); lower wins. `None` when it does not match.
fn rank(r: &RefRoute, segs: &[&str], fold: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for (i, s) in r.segs.iter().enumerate() {
        match s {
            Seg::CatchAll => {
                // A catch-all takes the rest of the path, which is not empty.
                return (segs.len() > i && !segs[i..].join("/").is_empty()).then(|| {
                    out.push(2);
                    out
                });
            }
            Seg::Param => {
                let v = segs.get(i)?;
                if v.is_empty() {
                    return None;
                }
                out.push(1);
            }
            Seg::Lit(l) => {
                let s = segs.get(i)?;
                if *s != l && !(fold && s.eq_ignore_ascii_case(l)) {
                    return None;
                }
                out.push(0);
            }
        }
    }
    (segs.len() == r.segs.len()).then_some(out)
}

/// The reference's route for a (decoded) path; `fold`: letter case is
/// ignored, as a case-insensitive backend does.
fn reference_route<'a>(table: &'a [RefRoute], path: &str, fold: bool) -> Option<Vec<&'a RefRoute>> {
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let mut best: Option<(Vec<u8>, Vec<&RefRoute>)> = None;
    for r in table {
        if let Some(k) = rank(r, &segs, fold) {
            match &mut best {
                Some((bk, list)) if *bk == k => list.push(r),
                Some((bk, _)) if *bk < k => {}
                _ => best = Some((k, vec![r])),
            }
        }
    }
    best.map(|(_, list)| list)
}

fn accepts(r: &RefRoute, method: &str) -> bool {
    match &r.methods {
        None => true,
        Some(m) => m.contains(&method) || (method == "HEAD" && m.contains(&"GET")),
    }
}

/// The reference decision: status for a person with `perms`.
fn reference_status(
    table: &[RefRoute],
    path: &str,
    fold: bool,
    method: &str,
    perms: &Permissions,
) -> u16 {
    let Some(group) = reference_route(table, path, fold) else {
        return 404;
    };
    let Some(rule) = group.iter().find(|r| accepts(r, method)) else {
        return 405;
    };
    if rule.public {
        return 200;
    }
    if rule.requires.iter().all(|p| perms.can(p).unwrap()) {
        200
    } else {
        403
    }
}

fn decode(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What lenient backends may make of a raw path: escapes decoded or not,
/// a trailing slash dropped or not, letter case ignored or not (path and
/// patterns alike).
fn interpretations(raw: &str) -> Vec<(String, bool)> {
    let mut bases = vec![raw.to_owned()];
    if let Some(d) = decode(raw) {
        bases.push(d);
    }
    let mut out = Vec::new();
    for b in bases {
        for fold in [false, true] {
            out.push((b.clone(), fold));
            if b.len() > 1 {
                if let Some(s) = b.strip_suffix('/') {
                    out.push((s.to_owned(), fold));
                }
            }
        }
    }
    out
}

fn random_path(rng: &mut Rng, canonical: bool) -> String {
    let len = 1 + rng.below(4);
    let mut out = String::new();
    for _ in 0..len {
        out.push('/');
        if canonical {
            let word: &&str = rng.pick(&["a", "b", "c", "ab", "x", "B", "zz"]);
            out.push_str(word);
        } else {
            let word: &&str = rng.pick(&[
                "a", "b", "c", "ab", "A", "AB", "B", "x", "%61", "%62", "a%20b", "", ".", "..",
                "a;b", "%2F", "%2f", "%C3%A9", "c%00",
            ]);
            out.push_str(word);
        }
    }
    if !canonical && rng.chance(20) {
        out.push('/');
    }
    out
}

#[test]
fn gate_agrees_with_the_reference_and_never_opens_a_variant() {
    let p = policy("sitee");
    let people: Vec<(String, Permissions)> = ["ana", "dia", "fay", "eli", "ben"]
        .iter()
        .map(|s| (header(&issue(&p, s).text()), perms("sitee", s)))
        .collect();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut tables, mut agreed, mut allowed_checked) = (0, 0, 0);
    for _ in 0..600 {
        let table = random_table(&mut rng);
        let defs: Vec<RouteDef> = table.iter().map(def).collect();
        let Ok(gate) = Gate::new(p.catalog(), &defs) else {
            continue; // overlapping or case-conflicting tables are refused
        };
        tables += 1;
        let mut v = verifier(&p);
        for _ in 0..40 {
            let canonical = rng.chance(50);
            let path = random_path(&mut rng, canonical);
            let method = *rng.pick(&["GET", "HEAD", "POST", "PUT", "DELETE"]);
            let (auth, perms) = rng.pick(&people);
            let request = Request {
                method,
                target: &path,
                authorization: Some(auth),
                ..Request::default()
            };
            let d = gate.check(&mut v, &request, NOW);
            // The bare prefix of a protected catch-all (case-folded too)
            // must also pass the catch-all's rule: stricter than the
            // reference, never laxer (session 13).
            let under_catch_all = d.message.starts_with("(the catch-all right under");
            if under_catch_all {
                assert!(matches!(d.status, 401 | 403), "{method} {path}: {d:?}");
            }
            if canonical && d.status != 400 && !under_catch_all {
                assert_eq!(
                    d.status,
                    reference_status(&table, &path, false, method, perms),
                    "{method} {path} on {defs:#?}: {d:?}"
                );
                agreed += 1;
            }
            if d.status == 200 {
                for (alt, fold) in interpretations(&path) {
                    if !alt.starts_with('/') || alt.contains("//") {
                        continue; // no backend routes these to a table route
                    }
                    let s = reference_status(&table, &alt, fold, method, perms);
                    assert!(
                        s != 403,
                        "bypass: {method} {path} allowed, but a backend reading it as {alt} \
                         (case-insensitive: {fold}) reaches a rule that forbids it ({defs:#?})"
                    );
                    allowed_checked += 1;
                }
            }
        }
    }
    assert!(tables > 200, "only {tables} random tables compiled");
    assert!(
        agreed > 2000 && allowed_checked > 500,
        "{agreed} {allowed_checked}"
    );
}

fn header(text: &str) -> String {
    format!("Permsnap {text}")
}
