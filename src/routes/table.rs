//! Route tables: reading them (strictly: an unknown key is an error, in
//! every language, because JavaScript tables go through this same reader)
//! and compiling them against a catalog, refusing rules that could be read
//! two ways and warning about rules that demand different things on paths a
//! backend might route alike.

use super::{table_error, Names, TableError};
use crate::json::Json;
use crate::path::KNOWN_METHODS;
use serde::{Deserialize, Serialize};

/// One route, as declared beside the policy (`routes/<preset>.json`).
///
/// A rule says what it demands: `public: true` (no snapshot), or
/// `authenticated: true` (any verified snapshot), or one or more of
/// `requires`, `any`, `app`. A rule demanding nothing is refused, so a
/// misspelt key cannot turn into an open route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteDef {
    /// Methods, upper-case (`GET`, `POST`...), or `["*"]` for any. `GET`
    /// also covers `HEAD`. Absent: any method. Empty: refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    /// Path pattern in matchit syntax: `/clients/{id}`, `/files/{*rest}`.
    pub path: String,
    /// Every one of these permissions is needed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// At least one of these permissions is needed (when not empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<String>,
    /// The person must be allowed into this application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// No snapshot needed (sign-in pages, health checks).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub public: bool,
    /// Any verified snapshot of the account will do.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub authenticated: bool,
}

/// A route table file: `{ "routes": [...] }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutesDef {
    /// The routes.
    pub routes: Vec<RouteDef>,
}

impl RoutesDef {
    /// Reads a route table from JSON: `{ "routes": [...] }` or the bare
    /// array, strictly (`crate::json`: a key written twice is refused),
    /// every key known. The CLI and the edge build read tables alike,
    /// without serde_json.
    pub fn from_json(json: &str) -> crate::error::Result<RoutesDef> {
        Ok(RoutesDef::read(json)?)
    }

    /// [`RoutesDef::from_json`], its refusal as data.
    pub(crate) fn read(json: &str) -> Result<RoutesDef, TableError> {
        let value = crate::json::parse(json).map_err(|r| table_error("routes", not_json(&r)))?;
        let items = match value {
            Json::Array(items) => items,
            Json::Object(members) => {
                let mut routes = None;
                for (k, v) in members {
                    match k.as_str() {
                        "routes" => routes = Some(v),
                        other => {
                            return Err(table_error("routes", unknown_key(other, &["routes"])))
                        }
                    }
                }
                match routes {
                    Some(Json::Array(items)) => items,
                    Some(v) => {
                        return Err(table_error(
                            "routes",
                            format!("`routes` is {}, not an array of routes", v.kind()),
                        ))
                    }
                    None => return Err(table_error("routes", "missing field `routes`")),
                }
            }
            other => {
                return Err(table_error(
                    "routes",
                    format!(
                        "a route table is {{ \"routes\": [...] }} or an array of routes, not {}",
                        other.kind()
                    ),
                ))
            }
        };
        let routes = items
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                route_def(r).map_err(|detail| table_error(format!("routes[{i}]"), detail))
            })
            .collect::<Result<Vec<RouteDef>, TableError>>()?;
        Ok(RoutesDef { routes })
    }
}

/// The keys of a route, as the JSON schema names them.
const ROUTE_KEYS: [&str; 7] = [
    "methods",
    "path",
    "requires",
    "any",
    "app",
    "public",
    "authenticated",
];

fn unknown_key(key: &str, known: &[&str]) -> String {
    let known: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    format!(
        "unknown field `{key}`, expected one of {}",
        known.join(", ")
    )
}

/// Why text is not a JSON route table, for people.
fn not_json(r: &crate::json::Refusal) -> String {
    use crate::json::Fault;
    match &r.fault {
        Fault::Syntax => format!("not JSON (at byte {})", r.at),
        Fault::End => "not JSON: the text ends inside a value".into(),
        Fault::Twice(key) => format!(
            "the key `{key}` is written twice in one object (at byte {})",
            r.at
        ),
        Fault::LoneSurrogate => format!(
            "a `\\u` escape of half a surrogate pair (at byte {}): not text",
            r.at
        ),
        Fault::TooDeep => "nested deeper than 128 arrays and objects".into(),
    }
}

/// One route of a table, its keys known and each of its type (`methods`
/// and `app` may be `null`: left out).
fn route_def(value: Json) -> Result<RouteDef, String> {
    let Json::Object(members) = value else {
        return Err(format!("a route is an object, not {}", value.kind()));
    };
    let text = |key: &str, v: Json| match v {
        Json::String(s) => Ok(s),
        v => Err(format!("`{key}` is a string, not {}", v.kind())),
    };
    let texts = |key: &str, v: Json| match v {
        Json::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Json::String(s) => Ok(s),
                i => Err(format!("`{key}` holds strings, not {}", i.kind())),
            })
            .collect::<Result<Vec<String>, String>>(),
        v => Err(format!("`{key}` is an array of strings, not {}", v.kind())),
    };
    let flag = |key: &str, v: Json| match v {
        Json::Bool(b) => Ok(b),
        v => Err(format!("`{key}` is `true` or `false`, not {}", v.kind())),
    };
    let mut def = RouteDef::default();
    let mut path = None;
    for (key, v) in members {
        match key.as_str() {
            "methods" if v == Json::Null => def.methods = None,
            "methods" => def.methods = Some(texts("methods", v)?),
            "path" => path = Some(text("path", v)?),
            "requires" => def.requires = texts("requires", v)?,
            "any" => def.any = texts("any", v)?,
            "app" if v == Json::Null => def.app = None,
            "app" => def.app = Some(text("app", v)?),
            "public" => def.public = flag("public", v)?,
            "authenticated" => def.authenticated = flag("authenticated", v)?,
            other => return Err(unknown_key(other, &ROUTE_KEYS)),
        }
    }
    def.path = path.ok_or("missing field `path`")?;
    Ok(def)
}

const GET: u16 = 1;
const HEAD: u16 = 1 << 1;
const ALL: u16 = (1 << KNOWN_METHODS.len()) - 1;

/// The bit of a method name (exact, upper case), if known.
pub(crate) fn method_bit(m: &str) -> Option<u16> {
    KNOWN_METHODS
        .iter()
        .position(|k| *k == m)
        .map(|i| 1u16 << i)
}

/// A compiled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    /// The pattern as written.
    pub pattern: String,
    /// Methods accepted, `GET` implying `HEAD`.
    pub methods: u16,
    pub requires: Vec<usize>,
    pub any: Vec<usize>,
    pub app: Option<usize>,
    pub public: bool,
}

impl Rule {
    pub fn accepts(&self, method_bit: u16) -> bool {
        self.methods & method_bit != 0
    }

    /// What the rule demands, comparable between rules.
    fn demands(&self) -> (bool, Vec<usize>, Vec<usize>, Option<usize>) {
        // The crate's small sort: the standard one took 4 KB of the edge's
        // wasm (twiggy, session 26).
        let set = |list: &[usize]| {
            let mut list = list.to_vec();
            crate::sort::sort_by(&mut list, |a, b| a < b);
            list.dedup();
            list
        };
        (self.public, set(&self.requires), set(&self.any), self.app)
    }
}

/// Rules sharing one pattern (up to parameter names), each for its methods.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// The pattern with parameters renamed `{p0}`, `{p1}`, `{*rest}`.
    pub normalized: String,
    /// The same with letter case folded as case-insensitive backends fold
    /// it (`path::fold_case`): what the gate's folded router holds, and
    /// what overlaps and containments are judged on.
    pub folded: String,
    pub rules: Vec<usize>,
}

/// `pattern` with its parameters renamed in order, so that `/a/{id}` and
/// `/a/{x}` are seen as the one pattern they are.
pub(crate) fn normalize_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    let mut n = 0;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open..).unwrap_or("");
        if after.starts_with("{{") {
            out.push_str("{{");
            rest = after.get(2..).unwrap_or("");
            continue;
        }
        let Some(close) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        if after.starts_with("{*") {
            out.push_str("{*rest}");
        } else {
            out.push_str(&format!("{{p{n}}}"));
            n += 1;
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Compiles the rules of a table: names resolved against the catalog, every
/// rule saying what it demands, no two rules on one pattern for one method.
pub(crate) fn compile(
    catalog: &impl Names,
    routes: &[RouteDef],
) -> Result<(Vec<Rule>, Vec<Group>), TableError> {
    let mut rules = Vec::with_capacity(routes.len());
    let mut groups: Vec<Group> = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        let at = format!("routes[{i}] `{}`", r.path);
        let rule = compile_rule(catalog, r, &at)?;
        let normalized = normalize_pattern(&r.path);
        match groups.iter_mut().find(|g| g.normalized == normalized) {
            Some(g) => {
                for &j in &g.rules {
                    let other: &Rule = rules.get(j).ok_or_else(|| table_error(&at, "internal"))?;
                    if other.methods & rule.methods != 0 {
                        return Err(table_error(
                            &at,
                            format!(
                                "overlaps routes[{j}] `{}`: the same path for the same method; \
                                 which rule applies would depend on the order",
                                other.pattern
                            ),
                        ));
                    }
                }
                g.rules.push(i);
            }
            None => groups.push(Group {
                folded: crate::path::fold_case(&normalized),
                normalized,
                rules: vec![i],
            }),
        }
        rules.push(rule);
    }
    check_beside_catch_alls(&rules, &groups)?;
    check_overlaps(&rules, &groups)?;
    Ok((rules, groups))
}

fn compile_rule(catalog: &impl Names, r: &RouteDef, at: &str) -> Result<Rule, TableError> {
    crate::path::check_pattern(&r.path).map_err(|e| table_error(at, e.to_string()))?;
    // As the router reads it: the gate gives the router the pattern with
    // its parameters renamed, which hid `{}` and `{*}` (attack review,
    // session 25).
    crate::router::check_syntax(&r.path).map_err(|e| table_error(at, e.says()))?;
    let methods = match &r.methods {
        None => ALL,
        Some(list) if list.is_empty() => {
            return Err(table_error(
                at,
                "`methods` is empty: list methods, or leave it out (or `[\"*\"]`) for any",
            ))
        }
        Some(list) if list.iter().any(|m| m == "*") => {
            if list.len() > 1 {
                return Err(table_error(at, "`*` stands alone in `methods`"));
            }
            ALL
        }
        Some(list) => {
            let mut bits = 0u16;
            for m in list {
                bits |= method_bit(m).ok_or_else(|| {
                    table_error(at, format!("unknown method `{m}` (use upper case)"))
                })?;
            }
            if bits & GET != 0 {
                bits |= HEAD;
            } else if bits & HEAD != 0 {
                // Express and Hono answer HEAD with the GET handler: a
                // HEAD rule of its own would let a GET handler run (its
                // side effects, its headers) on another rule's terms
                // (attack review, session 13).
                return Err(table_error(
                    at,
                    "`HEAD` follows `GET` (frameworks answer it with the GET handler): list `GET`, which covers `HEAD`",
                ));
            }
            bits
        }
    };
    let perm = |name: &String| {
        catalog
            .permission(name)
            .ok_or_else(|| table_error(at, format!("unknown permission `{name}`")))
    };
    let rule = Rule {
        pattern: r.path.clone(),
        methods,
        requires: r.requires.iter().map(perm).collect::<Result<_, _>>()?,
        any: r.any.iter().map(perm).collect::<Result<_, _>>()?,
        app: r
            .app
            .as_ref()
            .map(|a| {
                catalog
                    .application(a)
                    .ok_or_else(|| table_error(at, format!("unknown application `{a}`")))
            })
            .transpose()?,
        public: r.public,
    };
    let demands = !rule.requires.is_empty() || !rule.any.is_empty() || rule.app.is_some();
    if rule.public && (demands || r.authenticated) {
        return Err(table_error(
            at,
            "a public route cannot require anything (nor be `authenticated`)",
        ));
    }
    if !rule.public && !r.authenticated && !demands {
        return Err(table_error(
            at,
            "the route demands nothing: say `public: true` (no snapshot), `authenticated: true` \
             (any verified snapshot), or what it `requires`",
        ));
    }
    Ok(rule)
}

/// How one segment of a pattern matches.
#[derive(PartialEq, Eq)]
enum Seg<'a> {
    Literal(&'a str),
    Param,
    CatchAll,
    /// Text and parameters in one segment (`report-{id}`, `{name}.pdf`),
    /// parameter names left out: `report-{p1}` and `report-{p0}` of two
    /// patterns are the one segment they are.
    Mixed(Vec<Piece<'a>>),
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    Param,
}

fn segments(normalized: &str) -> Vec<Seg<'_>> {
    normalized
        .split('/')
        .skip(1)
        .map(|s| {
            if s.starts_with("{*") {
                Seg::CatchAll
            } else if s.starts_with("{p") && s.ends_with('}') && s.matches('{').count() == 1 {
                Seg::Param
            } else if s.contains('{') {
                Seg::Mixed(pieces(s))
            } else {
                Seg::Literal(s)
            }
        })
        .collect()
}

/// A mixed segment's text and parameters, in order.
fn pieces(segment: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Text(rest.get(..open).unwrap_or("")));
        }
        let after = rest.get(open..).unwrap_or("");
        let Some(close) = after.find('}') else {
            out.push(Piece::Text(after));
            return out;
        };
        out.push(Piece::Param);
        rest = after.get(close + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Whether literal segment `text` is one a mixed segment matches (each
/// parameter takes at least one character).
fn mixed_matches(pieces: &[Piece<'_>], text: &str) -> bool {
    match pieces.split_first() {
        None => text.is_empty(),
        Some((Piece::Text(t), rest)) => text
            .strip_prefix(t)
            .is_some_and(|after| mixed_matches(rest, after)),
        Some((Piece::Param, rest)) => text
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .filter(|&i| i > 0)
            .any(|i| mixed_matches(rest, text.get(i..).unwrap_or(""))),
    }
}

/// Whether two different mixed segments may match one segment alike: their
/// leading and trailing texts agree (one starts, or ends, with the other).
/// Not more precise than that: a pair it cannot tell apart is taken as
/// overlapping, which refuses rather than lets through.
fn mixed_may_meet(a: &[Piece<'_>], b: &[Piece<'_>]) -> bool {
    let (la, lb, ta, tb) = (lead(a), lead(b), tail(a), tail(b));
    (la.starts_with(lb) || lb.starts_with(la)) && (ta.ends_with(tb) || tb.ends_with(ta))
}

/// A mixed segment's leading text (empty when it starts with a parameter).
fn lead<'a>(pieces: &[Piece<'a>]) -> &'a str {
    match pieces.first() {
        Some(Piece::Text(t)) => t,
        _ => "",
    }
}

/// A mixed segment's trailing text.
fn tail<'a>(pieces: &[Piece<'a>]) -> &'a str {
    match pieces.last() {
        Some(Piece::Text(t)) => t,
        _ => "",
    }
}

/// A segment written back into a pattern (parameters as `{p}`, renumbered
/// by `normalize_pattern`).
fn text_of(seg: &Seg<'_>) -> String {
    match seg {
        Seg::Literal(l) => (*l).to_owned(),
        Seg::Param => "{p}".to_owned(),
        Seg::CatchAll => "{*rest}".to_owned(),
        Seg::Mixed(pieces) => pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => *t,
                Piece::Param => "{p}",
            })
            .collect(),
    }
}

/// Whether every path `specific` matches, `general` matches too (whole
/// segments; a mixed segment covers the literals it matches and itself).
fn covers(general: &str, specific: &str) -> bool {
    let g = segments(general);
    let s = segments(specific);
    for (i, gs) in g.iter().enumerate() {
        match gs {
            Seg::CatchAll => return s.len() > i,
            Seg::Param => match s.get(i) {
                Some(Seg::Literal(l)) if !l.is_empty() => {}
                Some(Seg::Param | Seg::Mixed(_)) => {}
                _ => return false,
            },
            Seg::Literal(l) => match s.get(i) {
                Some(Seg::Literal(m)) if m == l => {}
                _ => return false,
            },
            Seg::Mixed(p) => match s.get(i) {
                Some(Seg::Literal(m)) if mixed_matches(p, m) => {}
                Some(Seg::Mixed(q)) if q == p => {}
                _ => return false,
            },
        }
    }
    g.len() == s.len()
}

/// The paths two patterns both match.
#[derive(Debug, PartialEq, Eq)]
enum Shared {
    /// None.
    Nothing,
    /// Those of this pattern (normalized).
    Pattern(String),
    /// Some, not written as one pattern (two different mixed segments).
    Some,
}

/// The paths both `a` and `b` match (normalized patterns).
fn intersection(a: &str, b: &str) -> Shared {
    let (x, y) = (segments(a), segments(b));
    let mut out = String::new();
    let mut unnamed = false;
    let rest = |from: &[Seg<'_>]| -> String {
        from.iter()
            .map(|seg| format!("/{}", text_of(seg)))
            .collect()
    };
    let mut i = 0;
    loop {
        let seg = match (x.get(i), y.get(i)) {
            (None, None) => break,
            // A catch-all takes the rest of the other (at least a segment).
            (Some(Seg::CatchAll), Some(_)) => {
                out.push_str(&rest(y.get(i..).unwrap_or_default()));
                break;
            }
            (Some(_), Some(Seg::CatchAll)) => {
                out.push_str(&rest(x.get(i..).unwrap_or_default()));
                break;
            }
            (Some(Seg::Literal(l)), Some(Seg::Literal(m))) if l == m => (*l).to_owned(),
            (Some(Seg::Literal(l)), Some(Seg::Param))
            | (Some(Seg::Param), Some(Seg::Literal(l)))
                if !l.is_empty() =>
            {
                (*l).to_owned()
            }
            (Some(Seg::Param), Some(Seg::Param)) => "{p}".to_owned(),
            (Some(m @ Seg::Mixed(_)), Some(Seg::Param))
            | (Some(Seg::Param), Some(m @ Seg::Mixed(_))) => text_of(m),
            (Some(Seg::Mixed(p)), Some(Seg::Literal(l)))
            | (Some(Seg::Literal(l)), Some(Seg::Mixed(p)))
                if mixed_matches(p, l) =>
            {
                (*l).to_owned()
            }
            (Some(m @ Seg::Mixed(p)), Some(Seg::Mixed(q))) if p == q => text_of(m),
            (Some(Seg::Mixed(p)), Some(Seg::Mixed(q))) if mixed_may_meet(p, q) => {
                unnamed = true;
                "{p}".to_owned()
            }
            _ => return Shared::Nothing,
        };
        out.push('/');
        out.push_str(&seg);
        i += 1;
    }
    if unnamed {
        Shared::Some
    } else {
        Shared::Pattern(normalize_pattern(&out))
    }
}

/// Refuses a parameter right at a catch-all's place (`/admin/{page}` or
/// `/admin/{id}.json` beside `/admin/{*rest}`; letter case ignored), as
/// matchit, the router the gate used before, refused it: backends order
/// the two differently (Express and Hono take the first registered, the
/// gate the parameter), and the one they pick for `/admin/x` decides
/// whose rule guards the handler. A static segment there (`/admin/users`)
/// is what every router prefers, and is warned about when it demands
/// something else (re-review, session 25).
pub(crate) fn check_beside_catch_alls(rules: &[Rule], groups: &[Group]) -> Result<(), TableError> {
    let written = |g: &Group| {
        g.rules
            .first()
            .and_then(|&r| rules.get(r))
            .map_or("", |r| r.pattern.as_str())
    };
    for c in groups {
        let Some(prefix) = c.folded.strip_suffix("{*rest}") else {
            continue;
        };
        for g in groups {
            let next = g.folded.strip_prefix(prefix);
            if next.is_some_and(|n| n.starts_with('{') && !n.starts_with("{*")) {
                return Err(table_error(
                    "routes",
                    format!(
                        "route `{}` has a parameter where route `{}` has its catch-all: backends \
                     order the two differently (Express and Hono take the first registered), \
                     so which rule guards a path under both is theirs to pick. Use a static \
                     segment there, or one of the two routes",
                        written(g),
                        written(c)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Refuses two routes that match some paths alike, neither covering the
/// other, demanding different things for a method both take, unless a
/// route of their own is declared for those paths: which handler runs
/// there is the backend router's choice (the first registered, in Express
/// and Hono), not the gate's, so a request could pass on one route's terms
/// and reach the other's handler. `/api/{kind}/export` (payments.view) and
/// `/api/clients/{id}` (clients.view) let a clerk reach the export of
/// `/api/clients/export` (attack review, session 17).
pub(crate) fn check_overlaps(rules: &[Rule], groups: &[Group]) -> Result<(), TableError> {
    // Compared with letter case ignored: Express and ASP.NET route so by
    // default, and `/api/{kind}/export` beside `/API/clients/{id}` met
    // there (third review, session 17). (Routes equal once folded are
    // refused when the gate is built.)
    for (n, g) in groups.iter().enumerate() {
        for s in groups.iter().skip(n + 1) {
            let (gf, sf) = (&g.folded, &s.folded);
            if covers(gf, sf) || covers(sf, gf) {
                continue;
            }
            let both = match intersection(gf, sf) {
                Shared::Nothing => continue,
                Shared::Pattern(p) => Some(p),
                Shared::Some => None,
            };
            // The methods a route declared for exactly those paths takes.
            let declared: u16 = both
                .as_ref()
                .and_then(|p| groups.iter().find(|o| &o.folded == p))
                .map_or(0, |o| {
                    o.rules
                        .iter()
                        .filter_map(|&i| rules.get(i))
                        .fold(0, |m, r| m | r.methods)
                });
            for &gi in &g.rules {
                for &si in &s.rules {
                    let (Some(gr), Some(sr)) = (rules.get(gi), rules.get(si)) else {
                        continue;
                    };
                    let shared = gr.methods & sr.methods;
                    if shared == 0 || gr.demands() == sr.demands() || shared & !declared == 0 {
                        continue;
                    }
                    let what = match &both {
                        Some(p) => format!(
                            "both match `{p}` and demand different things: which applies there is \
                             the backend router's choice (the first registered), not the gate's. \
                             Declare a route for `{p}` (for their methods) saying what it demands, \
                             or make both demand the same"
                        ),
                        None => "may both match some paths (their segments mixing text and \
                                 parameters can meet) and demand different things: which applies \
                                 there is the backend router's choice, not the gate's. Make their \
                                 segments tell apart, or make both demand the same"
                            .to_owned(),
                    };
                    return Err(table_error(
                        "routes",
                        format!(
                            "routes[{gi}] `{}` and routes[{si}] `{}` {what}",
                            gr.pattern, sr.pattern
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Warnings about a compiled table: a route lying under a more general one
/// (a parameter or a catch-all) that demands something else for the same
/// method. The gate decides each request by the most specific rule, and
/// refuses case, trailing-slash and encoding variants that would reach
/// another rule; a backend whose router prefers another rule (first
/// registered wins, case-insensitive or loose matching) must still be made
/// to agree.
pub(crate) fn warnings(catalog: &impl Names, rules: &[Rule], groups: &[Group]) -> Vec<String> {
    let mut out = Vec::new();
    let describe = |r: &Rule| -> String {
        let (public, requires, any, app) = r.demands();
        if public {
            return "nothing (public)".into();
        }
        let mut parts: Vec<String> = requires
            .iter()
            .map(|&i| catalog.permission_name(i).to_owned())
            .collect();
        if !any.is_empty() {
            let names: Vec<&str> = any.iter().map(|&i| catalog.permission_name(i)).collect();
            parts.push(format!("one of {}", names.join("/")));
        }
        if let Some(a) = app {
            parts.push(format!("app {}", catalog.application_id(a)));
        }
        if parts.is_empty() {
            "any verified snapshot".into()
        } else {
            parts.join(" + ")
        }
    };
    for g in groups {
        for s in groups {
            // `s` is the bare prefix of catch-all `g` (`/api/docs` and
            // `/api/docs/{*rest}`): the gate decides it by its own rule,
            // as declared, but Hono's `/api/docs/*` and Express 5's
            // `{/*rest}` route it to the catch-all's handler when that one
            // is registered first.
            // Letter case ignored, as case-insensitive routers do (third
            // review, session 17: `/Files/public` under `/files/{*rest}`
            // had no warning).
            let (gf, sf) = (&g.folded, &s.folded);
            let prefix = gf
                .strip_suffix("/{*rest}")
                .is_some_and(|p| p == sf.trim_end_matches('/'));
            if std::ptr::eq(g, s) || !(covers(gf, sf) || prefix) {
                continue;
            }
            for &gi in &g.rules {
                for &si in &s.rules {
                    let (Some(gr), Some(sr)) = (rules.get(gi), rules.get(si)) else {
                        continue;
                    };
                    if gr.methods & sr.methods != 0 && gr.demands() != sr.demands() && prefix {
                        out.push(format!(
                            "route `{}` (demands {}) is the bare prefix of the catch-all `{}` \
                             (demands {}): the gate decides it by its own rule, but routers that \
                             let a catch-all match its bare prefix (Hono's `/*`, Express 5's \
                             `{{/*rest}}`) send it to the catch-all's handler if that one is \
                             registered first: register `{}` first, or make both demand the same",
                            sr.pattern,
                            describe(sr),
                            gr.pattern,
                            describe(gr),
                            sr.pattern
                        ));
                    } else if gr.methods & sr.methods != 0 && gr.demands() != sr.demands() {
                        // A public catch-all also opens every path the
                        // table does not list (attack review, session 17).
                        let open = if gr.public && gf.ends_with("/{*rest}") {
                            format!(
                                "; and every path under `{}` that no route lists is public",
                                gr.pattern
                            )
                        } else {
                            String::new()
                        };
                        out.push(format!(
                            "route `{}` (demands {}) lies under `{}` (demands {}): keep the \
                             backend's routing strict (case-sensitive, no trailing-slash or \
                             encoding leniency, most specific route first), or make both demand \
                             the same{open}",
                            sr.pattern,
                            describe(sr),
                            gr.pattern,
                            describe(gr)
                        ));
                    }
                }
            }
        }
    }
    // Routes no request reaches: the gate refuses a path that differs from
    // another route only by a trailing slash or an extension (400
    // `ambiguous_path`, a lenient backend could route it there), so both
    // `/x` and `/x/`, or `/x.csv` beside `/x`, answer 400 (attack review,
    // session 17: `validate` said nothing).
    for (n, g) in groups.iter().enumerate() {
        for s in groups.iter().skip(n + 1) {
            let (a, b) = (g.normalized.as_str(), s.normalized.as_str());
            let slash = a.strip_suffix('/') == Some(b) || b.strip_suffix('/') == Some(a);
            let extension = |long: &str, short: &str| {
                let (dir, last) = long.rsplit_once('/').unwrap_or(("", long));
                !last.contains('{')
                    && [last.split_once('.'), last.rsplit_once('.')]
                        .into_iter()
                        .flatten()
                        .any(|(stem, _)| format!("{dir}/{stem}") == short)
            };
            if slash || extension(a, b) || extension(b, a) {
                out.push(format!(
                    "routes `{}` and `{}` differ only by {}: the gate refuses requests to the \
                     one a lenient backend could take for the other (400 ambiguous_path); keep one",
                    g.normalized,
                    s.normalized,
                    if slash {
                        "a trailing slash"
                    } else {
                        "an extension"
                    }
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_normalize_and_cover() {
        assert_eq!(normalize_pattern("/a/{id}/b/{x}"), "/a/{p0}/b/{p1}");
        assert_eq!(normalize_pattern("/f/{*path}"), "/f/{*rest}");
        assert!(covers("/a/{*rest}", "/a/b"));
        assert!(covers("/a/{*rest}", "/a/{p0}/c"));
        assert!(!covers("/a/{*rest}", "/a"));
        assert!(covers("/a/{p0}", "/a/b"));
        assert!(!covers("/a/{p0}", "/a/b/c"));
        assert!(!covers("/a/b", "/a/{p0}"));
    }

    #[test]
    fn intersections_of_patterns() {
        let both = |a: &str, b: &str| intersection(&normalize_pattern(a), &normalize_pattern(b));
        let named = |p: &str| Shared::Pattern(p.to_owned());
        assert_eq!(
            both("/api/{k}/export", "/api/clients/{id}"),
            named("/api/clients/export")
        );
        assert_eq!(both("/a/{x}/{y}", "/a/{p}/c"), named("/a/{p0}/c"));
        assert_eq!(both("/a/{*rest}", "/{x}/b"), named("/a/b"));
        assert_eq!(both("/a/{*rest}", "/{*rest}"), named("/a/{*rest}"));
        assert_eq!(both("/a/{x}", "/b/{x}"), Shared::Nothing);
        assert_eq!(both("/a/{x}", "/a/{x}/c"), Shared::Nothing);
        assert_eq!(both("/a/{*rest}", "/a"), Shared::Nothing);
        // Mixed segments, whatever their parameters' numbers.
        assert_eq!(
            both("/{t}/report-{id}/raw", "/demo/report-{id}/{f}"),
            named("/demo/report-{p0}/raw")
        );
        assert_eq!(
            both("/f/{name}.pdf/download", "/f/public.pdf/{*rest}"),
            named("/f/public.pdf/download")
        );
        assert_eq!(both("/f/{name}.pdf", "/f/report.csv"), Shared::Nothing);
        assert_eq!(both("/f/{name}.pdf", "/f/report-{id}"), Shared::Some);
        assert_eq!(both("/f/{name}.pdf", "/f/{name}.csv"), Shared::Nothing);
        assert!(covers(
            &normalize_pattern("/files/{name}.pdf"),
            "/files/report.pdf"
        ));
        assert!(covers(
            &normalize_pattern("/{t}/report-{id}"),
            &normalize_pattern("/demo/report-{id}")
        ));
        assert!(!covers(
            &normalize_pattern("/files/{name}.pdf"),
            "/files/report.csv"
        ));
        assert!(
            mixed_matches(&pieces("{p0}.pdf"), "a.pdf")
                && !mixed_matches(&pieces("{p0}.pdf"), ".pdf")
        );
    }

    /// A route table as serde read it before `crate::json` (the derive on
    /// `RoutesDef` and `RouteDef`, unknown fields denied).
    #[cfg(feature = "std-json")]
    fn by_serde(json: &str) -> Option<RoutesDef> {
        let value = crate::strict_json::parse(json).ok()?;
        if value.is_array() {
            serde_json::from_value(value)
                .ok()
                .map(|routes| RoutesDef { routes })
        } else {
            serde_json::from_value(value).ok()
        }
    }

    #[test]
    #[cfg(feature = "std-json")]
    fn tables_read_as_serde_read_them() {
        // Every committed table, and each route of it changed: a key left
        // out, set to null, to another type, written twice or misspelt;
        // the table bare, wrapped, or wrapped with another key.
        use serde_json::{json, Value};
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/routes");
        let mut texts: Vec<String> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let table: Value = serde_json::from_str(&text).unwrap();
            let routes = table["routes"].as_array().unwrap().clone();
            texts.push(text.clone());
            texts.push(Value::Array(routes.clone()).to_string());
            texts.push(json!({"routes": routes.clone(), "rotues": []}).to_string());
            texts.push(json!({"routes": {}}).to_string());
            for route in routes.iter().take(6) {
                let keys = ROUTE_KEYS;
                let others = [
                    json!(null),
                    json!(1),
                    json!("GET"),
                    json!(["GET"]),
                    json!([1]),
                    json!(true),
                    json!({}),
                ];
                for key in keys {
                    for v in &others {
                        let mut r = route.clone();
                        r[key] = v.clone();
                        texts.push(Value::Array(vec![r]).to_string());
                    }
                    let mut r = route.clone();
                    r.as_object_mut().unwrap().remove(key);
                    texts.push(Value::Array(vec![r]).to_string());
                }
                let mut r = route.clone();
                r["requirse"] = json!([]);
                texts.push(Value::Array(vec![r]).to_string());
                let one = Value::Array(vec![route.clone()]).to_string();
                texts.push(one.replacen("\"path\"", "\"path\": \"/x\", \"path\"", 1));
                texts.push(format!("{one} "));
                texts.push(format!("{one},"));
            }
        }
        texts.extend(
            [
                "null",
                "[]",
                "{}",
                "[null]",
                "[[]]",
                "\"routes\"",
                "{\"routes\": null}",
            ]
            .map(String::from),
        );
        let (mut read, mut refused) = (0, 0);
        for t in &texts {
            let ours = RoutesDef::from_json(t);
            match (ours, by_serde(t)) {
                (Ok(a), Some(b)) => {
                    assert_eq!(a, b, "{t}");
                    read += 1;
                }
                (Err(e), None) => {
                    assert_eq!(e.code(), "invalid_policy");
                    refused += 1;
                }
                (a, b) => panic!("{t}: ours {a:?}, serde {b:?}"),
            }
        }
        assert!(
            read > 100 && refused > 1_000,
            "{read} read, {refused} refused"
        );
    }
}
