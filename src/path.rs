//! The canonical request path: the one spelling of a path the gate decides
//! on. The grammar is an allow-list (see SECURITY.md, "Request paths"):
//!
//! - the target is `/`-rooted; the query (after `?`) and fragment are set
//!   aside;
//! - literal bytes are RFC 3986 `pchar`s and `/`, minus `;` (matrix
//!   parameters, which Java servers strip): letters, digits,
//!   `-._~!$&'()*+,=:@`;
//! - `%XX` escapes decode, except those of an unreserved character (`%6F`
//!   for `o`: servers disagree on whether to decode them, so two spellings
//!   would reach two routes), of `/`, `\`, `%`, `;`, NUL or a control
//!   character; the decoded path must be UTF-8;
//! - no empty segment (`//`) and no dot segment (`.`, `..`).
//!
//! Anything else is refused (400 `bad_path`) before any route is looked up.
//!
//! The gate (feature `guard`) decides on it; the issuer signs step-up
//! proofs only for canonical paths and known methods, the ones a gate can
//! match.
// The issuer alone (no `guard`) uses only `canonical_path` and the methods.
#![cfg_attr(not(feature = "guard"), allow(dead_code))]

use core::fmt;

/// The HTTP methods the gate and step-up proofs know.
pub(crate) const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
];

/// Why a request target is not canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    detail: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

fn refuse(detail: impl Into<String>) -> PathError {
    PathError {
        detail: detail.into(),
    }
}

/// A request target split and decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    /// The decoded, canonical path.
    pub path: String,
    /// The path as sent (still percent-encoded).
    pub raw_path: &'a str,
    /// The query, without `?` (empty when none).
    pub query: &'a str,
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_literal(b: u8) -> bool {
    is_unreserved(b)
        || matches!(
            b,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b'='
                | b':'
                | b'@'
                | b'/'
        )
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", char::from(b))
    } else {
        format!("byte {b:#04x}")
    }
}

/// Splits a request target (`/path?query#fragment`) and decodes its path
/// under the grammar above.
pub fn parse_target(target: &str) -> Result<Target<'_>, PathError> {
    let end = target.find(['?', '#']).unwrap_or(target.len());
    let raw_path = target.get(..end).unwrap_or("");
    let query = target
        .get(end..)
        .and_then(|rest| rest.strip_prefix('?'))
        .map_or("", |q| q.split('#').next().unwrap_or(""));
    Ok(Target {
        path: canonical_path(raw_path)?,
        raw_path,
        query,
    })
}

/// Decodes `raw` (a path without query) into its canonical form, or says why
/// it has none.
pub fn canonical_path(raw: &str) -> Result<String, PathError> {
    let bytes = raw.as_bytes();
    if bytes.first() != Some(&b'/') {
        return Err(refuse("a request path starts with `/`"));
    }
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_digit),
                bytes.get(i + 2).copied().and_then(hex_digit),
            ) else {
                return Err(refuse("`%` must start an escape of two hex digits"));
            };
            let d = h * 16 + l;
            if is_unreserved(d) {
                return Err(refuse(format!(
                    "`%{:02X}` escapes `{}`, which is sent as is: servers disagree on decoding it",
                    d,
                    char::from(d)
                )));
            }
            if matches!(d, b'/' | b'\\' | b'%' | b';') || d < 0x20 || d == 0x7f {
                return Err(refuse(format!(
                    "an escaped {} is not allowed in a path",
                    shown(d)
                )));
            }
            out.push(d);
            i += 3;
            continue;
        }
        if !is_literal(b) {
            return Err(refuse(format!("{} is not allowed in a path", shown(b))));
        }
        out.push(b);
        i += 1;
    }
    let path = String::from_utf8(out).map_err(|_| refuse("the decoded path is not UTF-8"))?;
    let mut segments = path.split('/').skip(1).peekable();
    while let Some(seg) = segments.next() {
        let last = segments.peek().is_none();
        if seg.is_empty() && !last {
            return Err(refuse("empty path segment (`//`)"));
        }
        if seg == "." || seg == ".." {
            return Err(refuse("dot segment (`.` or `..`) in the path"));
        }
    }
    Ok(path)
}

/// Checks a route pattern against the same grammar, in decoded form: a
/// pattern no canonical request path can match (`//`, a dot segment, `;`,
/// `\`, `%`, `?`, `#`, a space or control character in a literal) is a dead
/// rule, and beside a laxer catch-all a door. Literals are printable ASCII:
/// letter case beyond ASCII is not folded alike by every backend, and
/// `fold_case` relies on it. Parameters (`{id}`, `{*rest}`) stand for one
/// segment or the rest.
pub fn check_pattern(pattern: &str) -> Result<(), PathError> {
    if !pattern.starts_with('/') {
        return Err(refuse("a path pattern starts with `/`"));
    }
    let body = pattern.strip_suffix('/').unwrap_or(pattern);
    for seg in body.split('/').skip(1) {
        if seg.is_empty() && !body.is_empty() {
            return Err(refuse("empty segment (`//`): no canonical path has one"));
        }
        if seg == "." || seg == ".." {
            return Err(refuse("dot segment: no canonical path has one"));
        }
        // Another router's parameter syntax (Express, Hono, Koa: `:id`,
        // `*`, `(.*)`) is literal text to this one: a rule nobody's
        // request matches, beside a public catch-all an open door.
        if let Some(name) = seg.strip_prefix(':') {
            let name = name.trim_end_matches(['?', '*', '+']);
            return Err(refuse(format!(
                "`{seg}` is another router's parameter: write `{{{name}}}` (a segment) or `{{*{name}}}` (the rest)"
            )));
        }
        // Literal braces (`{{`, `}}`): no route needs them, and the
        // table's checks would take them for parameters (attack review,
        // session 25).
        // (Bytes, not `str::contains`: its substring searcher was 5 KB of
        // the edge's wasm.)
        if seg.as_bytes().windows(2).any(|w| w == b"{{" || w == b"}}") {
            return Err(refuse(format!(
                "`{seg}`: literal braces (`{{{{`, `}}}}`) are not allowed in a pattern"
            )));
        }
        let rest_param = seg.starts_with("{*") && seg.ends_with('}');
        if !rest_param && seg.contains(['*', '(', ')', '[', ']', '<', '>']) {
            return Err(refuse(format!(
                "`{seg}`: `*`, `( )`, `[ ]` and `< >` are other routers' parameters and wildcards \
                 (Express, Next.js, Flask); write `{{id}}` for a segment, `{{*rest}}` for the rest"
            )));
        }
        if let Some(c) = seg
            .chars()
            .find(|&c| !c.is_ascii_graphic() || matches!(c, '%' | '?' | '#' | ';' | '\\'))
        {
            return Err(refuse(format!(
                "`{}` in a pattern: {}",
                c.escape_default(),
                if c == '%' {
                    "patterns are written decoded, and no canonical path holds an escape"
                } else if c.is_ascii() {
                    "no canonical path holds this character"
                } else {
                    "pattern literals are printable ASCII (letter case beyond ASCII is not \
                     folded alike by every backend)"
                }
            )));
        }
    }
    Ok(())
}

/// A query key or value as form parsers read it: `+` is a space, `%XX`
/// escapes decode (invalid ones stay as they are, as Node's `querystring`
/// leaves them).
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'+' => out.push(b' '),
            b'%' => match (
                b.get(i + 1).copied().and_then(hex_digit),
                b.get(i + 2).copied().and_then(hex_digit),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `_method` in a query string (Rails, Laravel and Symfony
/// honour it as a method override), if present. Keys are read as the
/// backends read them: decoded (`_%6Dethod`), and with PHP's mangling of
/// `.`, space and `[` into `_` (`.method`), case ignored. Present more than
/// once: the values joined by `,`, so that the caller refuses them.
pub fn method_param(query: &str) -> Option<String> {
    let mut found: Option<String> = None;
    // `;` separates parameters too for some parsers (Rack before 3, old
    // Java servlet containers).
    for pair in query.split(['&', ';']) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = form_decode(k);
        let mangle = |k: &str| -> String {
            k.trim_start()
                .chars()
                .map(|c| if matches!(c, '.' | ' ' | '[') { '_' } else { c })
                .collect()
        };
        // `_method[]` (an array key) and `_method[` (PHP mangles a lone `[`).
        let base = mangle(decoded.split('[').next().unwrap_or(""));
        let whole = mangle(&decoded);
        let key = if base.eq_ignore_ascii_case("_method") {
            base
        } else {
            whole
        };
        if key.eq_ignore_ascii_case("_method") {
            let v = form_decode(v);
            found = Some(match found {
                Some(prev) => format!("{prev},{v}"),
                None => v,
            });
        }
    }
    found
}

/// Letter case folded as case-insensitive matchers do it. Route patterns
/// are ASCII (see [`check_pattern`]), so what matters is every character a
/// matcher may take for an ASCII letter: ASCII itself, and the four
/// non-ASCII letters whose case mappings lead to one — `ſ` (long s, upper
/// case `S`), `ı` (dotless i, upper case `I`), `İ` (lower case `i` in
/// Java), and the Kelvin sign (lower case `k`). Java's `equalsIgnoreCase`,
/// Python's `re.I` and JavaScript's `/iu` all match them. (No Unicode case
/// tables: they would add tens of kilobytes to the edge build.)
pub fn fold_case(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| match c {
            '\u{17f}' => 's',
            '\u{131}' | '\u{130}' => 'i',
            '\u{212a}' => 'k',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// What lenient backends may make of a canonical path, alone or combined
/// (the path itself first): a trailing slash dropped, trailing spaces and
/// dots trimmed, the last segment cut at its first or last dot. Every
/// transform cuts the path short, so each variant is a prefix of `path`,
/// told apart by its length alone (no copy, no comparison of long texts),
/// and the closure is finite. More than [`MAX_VARIANTS`] is `None`: the
/// gate refuses the path rather than decide on part of its readings (31
/// `/.%20` segments were refused, 32 passed: attack review, session 18).
/// The gate looks each one up, case-folded too: a 15 KB path of dots
/// costs about 15 times a plain one, not 100.
pub fn variants(path: &str) -> Option<Vec<&str>> {
    fn step(p: &str) -> Vec<&str> {
        let mut out = Vec::new();
        if p.len() > 1 {
            if let Some(s) = p.strip_suffix('/') {
                out.push(s);
            }
            let trimmed = p.trim_end_matches(|c: char| {
                matches!(c, ' ' | '\t' | '\u{a0}' | '\u{3000}') || c == '.'
            });
            // Down to the root itself: `/%20` is `/` to a backend that
            // trims (re-review, session 25). (`trimmed` keeps the leading
            // `/`: never empty.)
            if trimmed.len() < p.len() {
                out.push(trimmed);
            }
        }
        let start = p.rfind('/').map_or(0, |i| i + 1);
        let last = p.get(start..).unwrap_or("");
        for dot in [last.find('.'), last.rfind('.')].into_iter().flatten() {
            if dot > 0 {
                out.push(p.get(..start + dot).unwrap_or(""));
            }
        }
        out
    }
    let mut all = vec![path];
    let mut i = 0;
    while let Some(&p) = all.get(i) {
        for v in step(p) {
            if !all.iter().any(|a| a.len() == v.len()) {
                if all.len() == MAX_VARIANTS {
                    return None;
                }
                all.push(v);
            }
        }
        i += 1;
    }
    Some(all)
}

/// Most readings of one path the gate looks up (no real path has more
/// than a handful).
pub const MAX_VARIANTS: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_decodes_reserved() {
        assert_eq!(canonical_path("/").unwrap(), "/");
        assert_eq!(
            canonical_path("/api/clients/42").unwrap(),
            "/api/clients/42"
        );
        assert_eq!(canonical_path("/a/").unwrap(), "/a/");
        assert_eq!(canonical_path("/n/caf%C3%A9").unwrap(), "/n/café");
        assert_eq!(canonical_path("/n/a%20b").unwrap(), "/n/a b");
        // Found by the gate_paths fuzz target: an escaped `?` decodes to a
        // character that is not a literal; the decoded path is for matching
        // only and is not a canonical target itself.
        assert_eq!(canonical_path("/%3F").unwrap(), "/?");
        assert!(canonical_path("/?").is_err());
    }

    #[test]
    fn refuses_every_ambiguous_spelling() {
        for bad in [
            "",
            "api",
            "//api",
            "/api//x",
            "/api/./x",
            "/api/../x",
            "/..",
            "/api;x=1",
            "/a\\b",
            "/api/%70ayments",
            "/%2e%2e/x",
            "/a%2Fb",
            "/a%2fb",
            "/a%5Cb",
            "/a%00",
            "/a%25",
            "/a%3B",
            "/a%",
            "/a%4",
            "/a%zz",
            "/caf\u{e9}",
            "/a b",
            "/a%C3",
            "/a%0A",
            "/a\"",
            "/{x}",
            "/a|b",
            "/a^b",
            "/a`b",
            "/a[b]",
        ] {
            assert!(canonical_path(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn patterns_follow_the_grammar() {
        for good in [
            "/",
            "/a/{id}",
            "/files/{*rest}",
            "/a/",
            "/a:b@c",
            "/a~b",
            "/v1/batch:run",
        ] {
            assert!(check_pattern(good).is_ok(), "{good}");
        }
        for bad in [
            "a",
            "/api//payments",
            "/api/./payments",
            "/api/%70ayments",
            "/api/payments ",
            "/api/payments?month={m}",
            "/api/payments;v=1",
            "/a\\b",
            "/a#b",
            "/a/../b",
            // Other routers' parameters: literal text here, so dead rules.
            "/api/clients/:id",
            "/api/:id?",
            "/api/reports/*",
            "/api/*rest",
            "/api/(.*)",
            "/files/{*rest}/x*",
            "/posts/[id]",
            "/docs/[...slug]",
            "/users/<int:id>",
        ] {
            assert!(check_pattern(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn splits_targets() {
        let t = parse_target("/a/b?x=1&_method=DELETE#f").unwrap();
        assert_eq!(
            (t.path.as_str(), t.raw_path, t.query),
            ("/a/b", "/a/b", "x=1&_method=DELETE")
        );
        assert_eq!(method_param(t.query).as_deref(), Some("DELETE"));
        assert_eq!(method_param("a=1").as_deref(), None);
        assert_eq!(
            method_param("_method=PUT&_method=GET").as_deref(),
            Some("PUT,GET")
        );
    }

    #[test]
    fn method_keys_are_read_as_backends_decode_them() {
        assert_eq!(
            method_param("a=1;_method=DELETE").as_deref(),
            Some("DELETE")
        );
        // Found by a review: `_%6Dethod`, full escapes, PHP's `.method`.
        for q in [
            "_%6Dethod=DELETE",
            "%5F%6D%65%74%68%6F%64=DELETE",
            ".method=DELETE",
            "+_method=DELETE",
            "_method[]=DELETE",
            "_METHOD=DEL%45TE",
        ] {
            assert_eq!(method_param(q).as_deref(), Some("DELETE"), "{q}");
        }
        assert_eq!(method_param("method=DELETE&x_method=1"), None);
    }

    #[test]
    fn folds_case_as_lenient_matchers_do() {
        assert_eq!(fold_case("/API/Payments"), "/api/payments");
        assert_eq!(fold_case("/api/\u{17f}taff"), "/api/staff");
        assert_eq!(fold_case("/api/st\u{131}ff"), "/api/stiff");
        assert_eq!(fold_case("/\u{212a}ey"), "/key");
        assert_eq!(fold_case("/\u{130}d"), "/id");
        assert_eq!(fold_case("/caf\u{c9}"), "/caf\u{c9}"); // patterns are ASCII
    }

    #[test]
    fn variants_combine() {
        let variants = |p| variants(p).unwrap();
        let has = |v: &[&str], want: &str| v.contains(&want);
        let v = variants("/api/payments.json/");
        assert!(
            has(&v, "/api/payments.json") && has(&v, "/api/payments"),
            "{v:?}"
        );
        assert!(has(&variants("/api/payments.a.b"), "/api/payments"));
        assert!(has(&variants("/api/payments \t.."), "/api/payments"));
        assert!(has(&variants("/api/payments. /"), "/api/payments"));
        assert_eq!(variants("/"), ["/"]);
        // Up to 64 readings, each a distinct prefix.
        let long = format!("/x/a{}", ".b".repeat(40));
        let v = variants(&long);
        assert!(v.len() <= MAX_VARIANTS && v.len() > 40, "{}", v.len());
        for (i, x) in v.iter().enumerate() {
            assert!(long.starts_with(x));
            assert!(v.iter().skip(i + 1).all(|y| y != x));
        }
        assert!(has(&v, "/x/a"));
    }

    #[test]
    fn a_path_with_more_readings_than_the_gate_looks_up_has_none() {
        // Attack review, session 18: past 64 readings the rest were left
        // out and the path decided on the first ones (`/.%20` 32 times
        // after `/api/payments` passed under a public catch-all). A long
        // last segment of dots (15 KB took 100x a normal request) too.
        for long in [
            format!("/x/a{}", ".b".repeat(7_000)),
            format!("/api/payments{}/", "/. ".repeat(32)),
            format!("/api/payments{}/", "/ .".repeat(30)),
        ] {
            assert_eq!(super::variants(&long), None, "{long:?}");
        }
        assert!(super::variants(&format!("/api/payments{}/", "/. ".repeat(8))).is_some());
    }
}
