//! The route matcher: patterns in matchit's syntax (`/clients/{id}`,
//! `/files/{id}.pdf`, `/files/{*rest}`, `{{` and `}}` for literal braces),
//! matched segment by segment, each segment in this order of precedence:
//!
//! 1. a static segment (its text exactly);
//! 2. a parameter with a prefix or a suffix in its segment (`v{id}`,
//!    `{id}.pdf`), the longer prefix first, then the longer suffix;
//! 3. a parameter alone in its segment (`{id}`);
//! 4. a catch-all (`{*rest}`, the last segment), for a non-empty rest.
//!
//! A parameter takes one character at least, never a `/`. The route whose
//! segments come first in that order, compared from the left, is the
//! match: the search backtracks to the next candidate whenever the rest of
//! the path fails under the one it took.
//!
//! It answers as the `matchit` crate (the router axum uses, which the
//! gate used before) wherever matchit finds a route (tests hold the two to
//! each other), and it is written without `core::fmt` or a panic path, so
//! that the edge build on the small core (#16) can carry it (matchit alone
//! was 14 KB gzip there). Two differences, both in segments mixing text
//! and a parameter:
//! - it backtracks between suffixes: `/za.b/c` under `/{x}a.b/d` and
//!   `/{x}/{*rest}` fails the first and takes the second, where matchit
//!   answers no route;
//! - it takes every table whose patterns read, where matchit refuses some
//!   that its tree cannot hold: parameters with prefixes beside ones with
//!   suffixes at one place (`v{x}` beside `{x}.json`), a parameter beside
//!   a catch-all (`/a/{x}` beside `/a/{*rest}`). The order above decides
//!   between them, as between a static segment and a parameter. The
//!   gate's table checks (`guard::table`) still refuse a parameter at a
//!   catch-all's place, refuse routes that may meet and demand different
//!   things, and warn about one under another.
//!
//! Insertion refuses what does not read, as matchit does: the same pattern
//! twice, two parameters in a segment, a catch-all that is not the whole
//! last segment, a brace that opens no parameter.

// The gate alone uses it for now; the edge build on the small core will.
#![cfg_attr(not(feature = "guard"), allow(dead_code))]

/// Why a pattern cannot join a router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The same pattern twice.
    Conflict,
    /// Two parameters in one segment.
    TwoParams,
    /// A brace that opens no parameter, or a parameter without a name.
    BadParam,
    /// A catch-all that is not the whole last segment.
    BadCatchAll,
    /// More than [`MAX_SEGMENTS`] segments.
    TooLong,
}

/// The most segments a pattern has: the tree is searched one call deep
/// per segment (a pattern of 10,000 overflowed the wasm stack: attack
/// review, session 25).
pub const MAX_SEGMENTS: usize = 64;

impl Refused {
    /// For people.
    pub fn says(self) -> &'static str {
        match self {
            Refused::Conflict => "a route before it has the same pattern",
            Refused::TwoParams => "only one parameter is allowed per path segment",
            Refused::BadParam => "a parameter is `{name}`, with a name, its braces matched",
            Refused::BadCatchAll => "a catch-all `{*name}` is the whole last segment",
            Refused::TooLong => "a pattern has at most 64 segments",
        }
    }
}

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Static(String),
    /// A parameter with the text before and after it in its segment.
    Param(String, String),
    CatchAll,
}

/// Reads one segment of a pattern.
fn segment(text: &str, last: bool) -> Result<Seg, Refused> {
    let mut before = String::new();
    let mut after = String::new();
    let mut param = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let tail = rest.get(c.len_utf8()..).unwrap_or("");
        match c {
            '{' if tail.starts_with('{') => {
                if param { &mut after } else { &mut before }.push('{');
                rest = tail.get(1..).unwrap_or("");
            }
            '}' if tail.starts_with('}') => {
                if param { &mut after } else { &mut before }.push('}');
                rest = tail.get(1..).unwrap_or("");
            }
            '{' => {
                let close = tail.find('}').ok_or(Refused::BadParam)?;
                let name = tail.get(..close).unwrap_or("");
                if let Some(name) = name.strip_prefix('*') {
                    if name.is_empty() || name.contains(['{', '*']) {
                        return Err(Refused::BadParam);
                    }
                    let whole = before.is_empty() && close + 1 == tail.len();
                    return if whole && last {
                        Ok(Seg::CatchAll)
                    } else {
                        Err(Refused::BadCatchAll)
                    };
                }
                if name.is_empty() || name.contains('{') {
                    return Err(Refused::BadParam);
                }
                if param {
                    return Err(Refused::TwoParams);
                }
                param = true;
                rest = tail.get(close + 1..).unwrap_or("");
            }
            '}' => return Err(Refused::BadParam),
            c => {
                if param { &mut after } else { &mut before }.push(c);
                rest = tail;
            }
        }
    }
    Ok(if param {
        Seg::Param(before, after)
    } else {
        Seg::Static(before)
    })
}

/// A place in the tree: what comes after a run of segments.
#[derive(Debug, Clone, Default)]
struct Node {
    value: Option<usize>,
    statics: Vec<(String, Node)>,
    /// Parameters with the text before and after them in their segment,
    /// the longest prefix first, then the longest suffix (a parameter
    /// alone, with neither, last).
    params: Vec<(String, String, Node)>,
    catch_all: Option<usize>,
}

impl Node {
    /// Whether `segs` may join the tree at this place (nothing changes):
    /// the same route twice is a conflict.
    fn check(&self, segs: &[Seg]) -> Result<(), Refused> {
        let Some((first, rest)) = segs.split_first() else {
            return if self.value.is_some() {
                Err(Refused::Conflict)
            } else {
                Ok(())
            };
        };
        let next = match first {
            Seg::Static(text) => self.statics.iter().find(|(t, _)| t == text).map(|(_, n)| n),
            Seg::Param(p, s) => self
                .params
                .iter()
                .find(|(q, t, _)| q == p && t == s)
                .map(|(_, _, n)| n),
            Seg::CatchAll => {
                return if self.catch_all.is_some() {
                    Err(Refused::Conflict)
                } else {
                    Ok(())
                };
            }
        };
        // A place not in the tree yet holds nothing to conflict with.
        next.map_or(Ok(()), |n| n.check(rest))
    }

    /// Adds `segs` (checked by [`Node::check`]) standing for `value`.
    fn put(&mut self, segs: &[Seg], value: usize) {
        let Some((first, rest)) = segs.split_first() else {
            self.value = Some(value);
            return;
        };
        let next = match first {
            Seg::Static(text) => {
                if !self.statics.iter().any(|(t, _)| t == text) {
                    self.statics.push((text.clone(), Node::default()));
                }
                self.statics
                    .iter_mut()
                    .find(|(t, _)| t == text)
                    .map(|(_, n)| n)
            }
            Seg::Param(p, s) => {
                if !self.params.iter().any(|(q, t, _)| q == p && t == s) {
                    let key = (p.len(), s.len());
                    let i = self
                        .params
                        .iter()
                        .position(|(q, t, _)| (q.len(), t.len()) < key)
                        .unwrap_or(self.params.len());
                    self.params
                        .insert(i, (p.clone(), s.clone(), Node::default()));
                }
                self.params
                    .iter_mut()
                    .find(|(q, t, _)| q == p && t == s)
                    .map(|(_, _, n)| n)
            }
            Seg::CatchAll => {
                self.catch_all = Some(value);
                return;
            }
        };
        if let Some(n) = next {
            n.put(rest, value);
        }
    }

    /// The value of the first route, in precedence order, that `segs`
    /// (the path's segments from one on) completes; `rest` is the path
    /// from that segment on, for a catch-all.
    fn at(&self, segs: &[&str], rest: &str) -> Option<usize> {
        let Some((seg, more)) = segs.split_first() else {
            return self.value;
        };
        let after = rest.get(seg.len() + 1..).unwrap_or("");
        if let Some((_, n)) = self.statics.iter().find(|(t, _)| t == seg) {
            if let Some(v) = n.at(more, after) {
                return Some(v);
            }
        }
        for (p, s, n) in &self.params {
            if let Some(v) = fits(seg, p, s).then(|| n.at(more, after)).flatten() {
                return Some(v);
            }
        }
        self.catch_all.filter(|_| !rest.is_empty())
    }

    /// Adds to `out` the catch-all of every place that `segs` leads to,
    /// each way they match.
    fn catch_alls(&self, segs: &[&str], out: &mut Vec<usize>) {
        let Some((seg, more)) = segs.split_first() else {
            out.extend(self.catch_all.filter(|v| !out.contains(v)));
            return;
        };
        for (_, n) in self.statics.iter().filter(|(t, _)| t == seg) {
            n.catch_alls(more, out);
        }
        for (_, _, n) in self.params.iter().filter(|(p, s, _)| fits(seg, p, s)) {
            n.catch_alls(more, out);
        }
    }
}

/// Whether a parameter between `prefix` and `suffix` takes `seg` (one
/// character at least).
fn fits(seg: &str, prefix: &str, suffix: &str) -> bool {
    seg.len() > prefix.len() + suffix.len() && seg.starts_with(prefix) && seg.ends_with(suffix)
}

/// The segments of `pattern`, read; refused as [`Router::insert`] refuses.
fn segments(pattern: &str) -> Result<Vec<Seg>, Refused> {
    let body = pattern.strip_prefix('/').ok_or(Refused::BadParam)?;
    let count = body.split('/').count();
    if count > MAX_SEGMENTS {
        return Err(Refused::TooLong);
    }
    body.split('/')
        .enumerate()
        .map(|(i, s)| segment(s, i + 1 == count))
        .collect()
}

/// Whether `pattern` reads as a router's pattern (as [`Router::insert`]
/// reads it).
pub fn check_syntax(pattern: &str) -> Result<(), Refused> {
    segments(pattern).map(|_| ())
}

/// Patterns and the value each stands for.
#[derive(Debug, Clone, Default)]
pub struct Router {
    root: Node,
}

impl Router {
    /// An empty router.
    pub fn new() -> Router {
        Router::default()
    }

    /// Adds `pattern` (rooted at `/`), standing for `value`; nothing
    /// changes when it is refused.
    pub fn insert(&mut self, pattern: &str, value: usize) -> Result<(), Refused> {
        let segs = segments(pattern)?;
        self.root.check(&segs)?;
        self.root.put(&segs, value);
        Ok(())
    }

    /// The values of every catch-all route (`<prefix>/{*rest}`) whose
    /// prefix `prefix` (rooted at `/`, or empty for the root) matches,
    /// whatever routes come before them for longer paths: frameworks give
    /// the bare prefix to a catch-all's handler.
    pub fn catch_alls_under(&self, prefix: &str) -> Vec<usize> {
        let mut out = Vec::new();
        if prefix.is_empty() {
            out.extend(self.root.catch_all);
        } else if let Some(body) = prefix.strip_prefix('/') {
            let segs: Vec<&str> = body.split('/').collect();
            self.root.catch_alls(&segs, &mut out);
        }
        out
    }

    /// The value of the route `path` (rooted at `/`, no query) takes.
    pub fn at(&self, path: &str) -> Option<usize> {
        let body = path.strip_prefix('/')?;
        let segs: Vec<&str> = body.split('/').collect();
        self.root.at(&segs, body)
    }
}

#[cfg(test)]
mod tests {
    use super::{Refused, Router};

    /// xorshift64*: reproducible, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    const SEGMENTS: [&str; 16] = [
        "a",
        "b",
        "ab",
        "x.json",
        "",
        "{p}",
        "{p}",
        "{p}",
        "v{p}",
        "ab{p}",
        "{p}.json",
        "{p}.b",
        "{p}a.b",
        "v{p}.json",
        "{{a}}",
        "a{p}",
    ];
    const WORDS: [&str; 16] = [
        "a", "b", "ab", "abc", "x.json", "v1", "v1.json", "za.b", "z.b", ".json", "", "{a}", "va",
        "aa", "x", "a.b",
    ];

    fn random_pattern(rng: &mut Rng) -> String {
        let mut p = String::new();
        for _ in 0..1 + rng.below(3) {
            p.push('/');
            p.push_str(rng.pick(&SEGMENTS));
        }
        if rng.below(4) == 0 {
            p.push_str("/{*rest}");
        }
        p
    }

    /// How `pattern` ranks for `path` (lower first), segment by segment:
    /// static 0, a parameter 1 (the longer prefix first, then the longer
    /// suffix), a catch-all 3; `None` when it does not match.
    fn rank(pattern: &str, path: &str) -> Option<Vec<(u8, isize, isize)>> {
        let segs: Vec<&str> = path[1..].split('/').collect();
        let mut out = Vec::new();
        for (i, p) in pattern[1..].split('/').enumerate() {
            if p == "{*rest}" {
                let rest = segs.get(i..).map(|s| s.join("/")).unwrap_or_default();
                out.push((3, 0, 0));
                return (!rest.is_empty()).then_some(out);
            }
            let s = segs.get(i)?;
            let p = p.replace("{{", "\u{1}").replace("}}", "\u{2}");
            match p.split_once("{p}") {
                None => {
                    let lit = p.replace('\u{1}', "{").replace('\u{2}', "}");
                    (*s == lit).then_some(())?;
                    out.push((0, 0, 0));
                }
                Some((a, b)) => {
                    let fits = s.len() > a.len() + b.len() && s.starts_with(a) && s.ends_with(b);
                    fits.then_some(())?;
                    out.push((1, -(a.len() as isize), -(b.len() as isize)));
                }
            }
        }
        (segs.len() == pattern[1..].split('/').count()).then_some(out)
    }

    fn random_path(rng: &mut Rng) -> String {
        let mut p = String::new();
        for _ in 0..1 + rng.below(4) {
            p.push('/');
            p.push_str(rng.pick(&WORDS));
        }
        p
    }

    #[test]
    fn answers_in_its_order_and_as_matchit_where_matchit_finds_a_route() {
        let mut rng = Rng(0x0dd_ba11_5eed);
        let (mut tables, mut asked, mut found, mut missed, mut laxer) = (0, 0, 0, 0, 0);
        for _ in 0..20_000 {
            let mut ours = Router::new();
            let mut theirs = matchit::Router::new();
            let mut patterns: Vec<String> = Vec::new();
            let mut index: Vec<usize> = Vec::new();
            // Whether matchit took every pattern this router took.
            let mut same = true;
            for i in 0..1 + rng.below(6) as usize {
                let p = random_pattern(&mut rng);
                if patterns.contains(&p) {
                    continue;
                }
                let a = ours.insert(&p, i);
                let b = theirs.insert(p.clone(), i);
                match (a, b) {
                    (Ok(()), b) => {
                        patterns.push(p);
                        index.push(i);
                        laxer += usize::from(b.is_err());
                        same &= b.is_ok();
                    }
                    (Err(_), Err(_)) => {}
                    (Err(e), Ok(())) => {
                        panic!("refused {p} ({e:?}) after {patterns:?}; matchit took it")
                    }
                }
            }
            tables += 1;
            for _ in 0..30 {
                let path = random_path(&mut rng);
                let got = ours.at(&path);
                asked += 1;
                found += usize::from(got.is_some());
                // The precedence written at the top, by brute force.
                let best = patterns
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| rank(p, &path).map(|r| (r, i)))
                    .min();
                assert_eq!(got, best.map(|(_, i)| index[i]), "{path} on {patterns:?}");
                if !same {
                    continue;
                }
                // Where matchit finds a route, the same one; where it finds
                // none, one it gave up on without backtracking.
                match theirs.at(&path).ok().map(|m| *m.value) {
                    Some(v) => assert_eq!(got, Some(v), "{path} on {patterns:?}"),
                    None => missed += usize::from(got.is_some()),
                }
            }
        }
        assert!(
            found > 50_000 && missed < found / 50 && laxer < tables,
            "{tables} tables ({laxer} patterns matchit refuses), {asked} paths, \
             {found} found ({missed} that matchit missed)"
        );
    }

    #[test]
    fn refuses_what_matchit_refuses_to_read() {
        for (p, why) in [
            ("/a/{x}{y}", Refused::TwoParams),
            ("/a/{x}-{y}", Refused::TwoParams),
            ("/a/{*rest}/b", Refused::BadCatchAll),
            ("/a/{}", Refused::BadParam),
            ("/a/{x", Refused::BadParam),
            ("/a/x}", Refused::BadParam),
        ] {
            assert_eq!(Router::new().insert(p, 0), Err(why), "{p}");
            assert!(matchit::Router::new().insert(p, 0).is_err(), "{p}");
        }
        // A catch-all after text in its segment, which matchit takes and
        // no pattern the gate admits holds (`path::check_pattern`).
        assert_eq!(
            Router::new().insert("/a/x{*rest}", 0),
            Err(Refused::BadCatchAll)
        );
        // A pattern not rooted at `/`, which matchit takes as it is.
        assert_eq!(Router::new().insert("a/b", 0), Err(Refused::BadParam));
    }

    #[test]
    fn every_catch_all_under_a_prefix_is_found() {
        // A parameter comes before a catch-all for `/admin/x`; the bare
        // `/admin` is the catch-all's, whatever comes before it (attack
        // review, session 25: the lookup that served both found the
        // parameter and no catch-all).
        let mut r = Router::new();
        for (i, p) in [
            "/{*rest}",
            "/admin/{*rest}",
            "/admin/{page}",
            "/{s}/{*rest}",
            "/x{s}/{*rest}",
        ]
        .iter()
        .enumerate()
        {
            r.insert(p, i).unwrap();
        }
        assert_eq!(r.at("/admin/x"), Some(2));
        let mut under = r.catch_alls_under("/admin");
        under.sort_unstable();
        assert_eq!(under, [1, 3]);
        let mut xa = r.catch_alls_under("/xa");
        xa.sort_unstable();
        assert_eq!(xa, [3, 4]);
        assert_eq!(r.catch_alls_under(""), [0]);
        assert!(r.catch_alls_under("/admin/x").is_empty());
    }

    #[test]
    fn a_pattern_has_at_most_64_segments() {
        let long = |n: usize| "/a".repeat(n);
        assert!(Router::new().insert(&long(64), 0).is_ok());
        assert_eq!(Router::new().insert(&long(65), 0), Err(Refused::TooLong));
        assert_eq!(super::check_syntax(&long(65)), Err(Refused::TooLong));
        assert_eq!(super::check_syntax("/a/{}"), Err(Refused::BadParam));
        assert_eq!(super::check_syntax("/a/{x}"), Ok(()));
    }

    #[test]
    fn a_refused_pattern_changes_nothing() {
        let mut r = Router::new();
        r.insert("/a/{x}/b", 1).unwrap();
        // Refused at its third segment, after its first two were walked.
        assert_eq!(r.insert("/a/{y}/b", 2), Err(Refused::Conflict));
        assert_eq!(r.at("/a/y/b"), Some(1));
        // Nothing of it was left behind to refuse the next one.
        let mut r = Router::new();
        assert_eq!(r.insert("/b/{x}{y}", 1), Err(Refused::TwoParams));
        r.insert("/b/{*rest}", 2).unwrap();
        assert_eq!(r.at("/b/c"), Some(2));
    }
}
