//! Route tables compiled, and requests routed, as data: what the gate of
//! edge functions decides before it looks at a snapshot, shared by the
//! reference gate (`guard`, which words the answers and verifies the
//! snapshot) and the small core (`lean`), so both route alike.
//!
//! - [`table`]: reading a table (strict JSON) and compiling it against a
//!   catalog's names ([`Names`]), refusing rules that could be read two
//!   ways, with warnings about the rest;
//! - [`Table`]: the compiled table, and [`Table::route`], which turns a
//!   request's method, target and method override into a rule group
//!   ([`Routed`]) or a refusal ([`Refused`]): the path's grammar, its
//!   lenient variants, the methods;
//! - [`Routed::run`]: the order in which a request's rules are decided
//!   (its method, its method override, the protected catch-alls under its
//!   path) and how their answers combine, over any answer type
//!   ([`Outcome`]);
//! - [`verdict`]: one rule decided on one verified snapshot's
//!   permissions, applications and PIN-protected permissions, as data;
//! - [`request`]: where a request carries its snapshot.
//!
//! Nothing here knows the verifier, a snapshot's format or
//! `crate::Error`: refusals are codes and text, so the small core can
//! carry it.

// The small core uses the routing only in its edge exports.
#![cfg_attr(not(feature = "guard"), allow(dead_code))]

pub mod request;
pub mod table;
pub mod verdict;

use crate::path::{self, parse_target, Target};
use crate::router::Router;
use serde::Serialize;
use table::{method_bit, Group, RouteDef, Rule};

/// A catalog's names, as a route table reads them: both the reference
/// catalog and the small core's implement it.
pub trait Names {
    /// The index of permission `name`, if the catalog has it.
    fn permission(&self, name: &str) -> Option<usize>;
    /// The index of application `id`, if the catalog has it.
    fn application(&self, id: &str) -> Option<usize>;
    /// The name of permission `i` (empty when out of range).
    fn permission_name(&self, i: usize) -> &str;
    /// The id of application `i` (empty when out of range).
    fn application_id(&self, i: usize) -> &str;
}

/// Why a route table is refused: where (`routes`, `routes[3] `/a``), and
/// what is wrong. An `invalid_policy` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// Where.
    pub at: String,
    /// What.
    pub detail: String,
}

/// A [`TableError`].
pub(crate) fn table_error(at: impl Into<String>, detail: impl Into<String>) -> TableError {
    TableError {
        at: at.into(),
        detail: detail.into(),
    }
}

impl From<TableError> for crate::error::Error {
    fn from(e: TableError) -> Self {
        crate::model::catalog::policy_error(e.at, e.detail)
    }
}

/// What the gate answers for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// HTTP status to answer with: 200 allows the request.
    pub status: u16,
    /// One of the gate's decision codes (`guard::DECISION_CODES`), or a
    /// refusal code: a snapshot's (`expired`, `revoked`...) on a 401 or
    /// 503, a step-up proof's (`step_up_refused`, `unknown_key`) on a 403.
    pub code: String,
    /// For people.
    pub message: String,
    /// The matched route pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The permission (or, for `any`, permissions) that decided a 403.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// The reason code of a 403 (`not_granted`, `missing_requirement`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who the request is for, when a snapshot verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Their account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// On a shared account's request allowed by a step-up proof: the staff
    /// member who gave their PIN. The action is theirs: record it under
    /// this id, not the shared account's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The step-up proof's nonce (hex): record it to accept each proof once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl Decision {
    /// Whether the request may go on.
    pub fn allowed(&self) -> bool {
        self.status == 200
    }

    /// An answer naming nothing else: `status`, `code`, `message`.
    pub fn answer(status: u16, code: &str, message: String) -> Decision {
        Decision {
            status,
            code: code.into(),
            message,
            route: None,
            permission: None,
            reason: None,
            subject: None,
            tenant: None,
            actor: None,
            nonce: None,
        }
    }
}

/// A compiled route table for one catalog.
#[derive(Debug, Clone)]
pub struct Table {
    /// Normalised patterns → group index.
    router: Router,
    /// The same, patterns case-folded (`path::fold_case`, as request paths
    /// are): finds what a case-insensitive backend would route a path to.
    folded: Router,
    groups: Vec<Group>,
    rules: Vec<Rule>,
    warnings: Vec<String>,
}

/// A request the table refuses before any rule is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// 400 (`bad_path`, `ambiguous_path`, `bad_method_override`), 404
    /// (`no_route`) or 405 (`method_not_allowed`).
    pub status: u16,
    /// The decision code.
    pub code: &'static str,
    /// For people.
    pub message: String,
}

fn refused(status: u16, code: &'static str, message: String) -> Refused {
    Refused {
        status,
        code,
        message,
    }
}

/// A method: its bit in a rule's methods, its name (upper case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    bit: u16,
    /// The name.
    pub name: String,
}

/// A routed request: its path, its rule group, its methods.
#[derive(Debug, Clone)]
pub struct Routed<'t> {
    /// The target, read.
    pub target: Target<'t>,
    /// The request's method.
    pub method: Method,
    /// The method override it carries (header or `_method`), which the
    /// backend may honour: the request is decided as both.
    pub over: Option<Method>,
    group: usize,
}

/// Why an answer is not the rule's own, for the text a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note<'a> {
    /// It is the method override's (`DELETE`).
    Override(&'a str),
    /// It is the rule of the catch-all right under the request's path (as
    /// sent), whose handler frameworks give it.
    CatchAll(&'a str),
}

/// An answer the gate combines (the reference's `Decision`, the small
/// core's): what [`Routed::run`] needs of it.
pub trait Outcome: Sized {
    /// 405: no rule of the route takes `method`; `route` names the route.
    fn method_not_allowed(method: &str, route: Option<&str>) -> Self;
    /// Whether the request may go on.
    fn allowed(&self) -> bool;
    /// Says why this answer is not the request's own rule's.
    fn note(&mut self, note: Note<'_>);
    /// `self` decided the method override after `sent`, the request's own
    /// method, allowed it: a step-up proof `sent` took stays (who acted,
    /// its nonce and permission), where `self` took none (an override to a
    /// method needing no PIN dropped them, and the action was the shared
    /// account's, its proof reusable: attack review, session 17).
    fn keep_proof(&mut self, sent: Self);
    /// `self` (allowed) takes from `from` (allowed too: the catch-all
    /// whose handler runs) the person and account where it names nobody,
    /// and who acted with a proof (re-review, session 25: a guard's
    /// `signedIn` check was skipped, and a proof's nonce and actor were
    /// lost).
    fn inherit(&mut self, from: &Self);
}

impl Table {
    /// Compiles `routes` against `catalog`: every permission and
    /// application named must exist, every rule must say what it demands,
    /// every pattern must be valid, and no two rules may claim one path
    /// for one method (also when written with other parameter names, or
    /// differing only in letter case).
    pub fn new(catalog: &impl Names, routes: &[RouteDef]) -> Result<Table, TableError> {
        let (rules, groups) = table::compile(catalog, routes)?;
        let mut router = Router::new();
        let mut folded = Router::new();
        for (i, g) in groups.iter().enumerate() {
            let written = g
                .rules
                .first()
                .and_then(|&r| rules.get(r))
                .map_or("", |r| r.pattern.as_str());
            router
                .insert(&g.normalized, i)
                .map_err(|e| table_error("routes", format!("route `{written}`: {}", e.says())))?;
            folded.insert(&g.folded, i).map_err(|e| {
                table_error(
                    "routes",
                    format!(
                        "route `{written}` differs from another only in letter case, or \
                         conflicts with it once case is ignored ({}): a case-insensitive \
                         backend could not tell them apart",
                        e.says()
                    ),
                )
            })?;
        }
        let warnings = table::warnings(catalog, &rules, &groups);
        Ok(Table {
            router,
            folded,
            groups,
            rules,
            warnings,
        })
    }

    /// Advice about the table (routes under more general routes that
    /// demand something else).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Routes a request: its target as sent (path and query), its method,
    /// the method-override header it carries (comma-joined when several).
    pub fn route<'t>(
        &self,
        method: &str,
        target: &'t str,
        method_override: Option<&str>,
    ) -> Result<Routed<'t>, Refused> {
        let target = parse_target(target)
            .map_err(|e| refused(400, "bad_path", format!("not a canonical path: {e}")))?;
        // Methods are case-sensitive (RFC 9110): Deno passes `patch` on
        // as sent, and a router matching `PATCH` exactly sends it to
        // another handler (an `all` catch-all) than the PATCH rule the
        // gate applied (attack review, session 18).
        if method.bytes().any(|b| b.is_ascii_lowercase()) {
            return Err(refused(
                405,
                "method_not_allowed",
                format!(
                    "`{method}`: methods are written in upper case (routers match them exactly)"
                ),
            ));
        }
        let Some(bit) = method_bit(method) else {
            return Err(refused(
                405,
                "method_not_allowed",
                format!("`{method}` is not a method the gate knows"),
            ));
        };
        let over = override_of(method_override, &target)?;
        let Some(group) = self.group_of_request(&target)? else {
            return Err(refused(
                404,
                "no_route",
                format!(
                    "no route for `{}`: the gate denies what it does not know",
                    target.raw_path
                ),
            ));
        };
        Ok(Routed {
            target,
            method: Method {
                bit,
                name: method.to_owned(),
            },
            over,
            group,
        })
    }

    /// The group a canonical path falls in.
    fn group_of(&self, path: &str) -> Option<usize> {
        self.router.at(path)
    }

    /// The group a case-insensitive backend would route `path` to.
    fn folded_group_of(&self, path: &str) -> Option<usize> {
        self.folded.at(&path::fold_case(path))
    }

    /// Finds the rule group of a request path, refusing a path whose
    /// variants — what lenient backends make of it, alone or combined —
    /// fall under another rule than the path itself: letter case (with
    /// the non-ASCII letters matchers fold into ASCII: `ſ` counts as `s`),
    /// a trailing slash dropped (or added, for patterns that end in one),
    /// trailing spaces and dots trimmed (IIS), a file extension cut at the
    /// first or the last dot (Spring suffix patterns, Rails formats),
    /// escapes left undecoded (Express).
    fn group_of_request(&self, target: &Target<'_>) -> Result<Option<usize>, Refused> {
        let found = self.group_of(&target.path);
        let refuse = |how: &str| {
            refused(
                400,
                "ambiguous_path",
                format!(
                    "`{}` differs from another route only by {how}: refused, since a lenient \
                     backend could route it there",
                    target.raw_path
                ),
            )
        };
        let differs = |g: Option<usize>| g.is_some() && g != found;
        let Some(variants) = path::variants(&target.path) else {
            return Err(refused(
                400,
                "ambiguous_path",
                format!(
                    "`{}` ends in more trailing slashes, spaces, dots or extensions than the \
                     gate reads ({} ways): refused",
                    target.raw_path,
                    path::MAX_VARIANTS
                ),
            ));
        };
        for v in variants {
            if differs(self.group_of(v)) {
                return Err(refuse("a trailing slash, spaces, dots or an extension"));
            }
            if differs(self.folded_group_of(v)) {
                return Err(refuse("letter case"));
            }
        }
        // A pattern written with a trailing slash also matches without it.
        if !target.path.ends_with('/') {
            let with = format!("{}/", target.path);
            let slash_ends = |g: Option<usize>| {
                g.filter(|&i| {
                    self.groups
                        .get(i)
                        .is_some_and(|g| g.normalized.ends_with('/'))
                })
            };
            if differs(slash_ends(self.group_of(&with)))
                || differs(slash_ends(self.folded_group_of(&with)))
            {
                return Err(refuse("a trailing slash"));
            }
        }
        if target.raw_path != target.path
            && (differs(self.group_of(target.raw_path))
                || differs(self.folded_group_of(target.raw_path)))
        {
            return Err(refuse("its undecoded escapes"));
        }
        Ok(found)
    }

    /// The rule of `group` taking method `bit`; `Err` with the group's
    /// first rule (to name the route) when none does.
    fn rule_for(&self, group: usize, bit: u16) -> Result<&Rule, Option<&Rule>> {
        let rules = self
            .groups
            .get(group)
            .map_or(&[][..], |g| g.rules.as_slice());
        let mut all = rules.iter().filter_map(|&i| self.rules.get(i));
        let first = rules.first().and_then(|&i| self.rules.get(i));
        all.find(|r| r.accepts(bit)).ok_or(first)
    }

    /// Every protected catch-all directly under the request path — or
    /// under one of its lenient variants (`.json` cut, trailing dots
    /// trimmed) — of another group than `found`'s:
    /// `/api/reports/{*rest}` for `/api/reports`. A catch-all needs one
    /// character more, but frameworks route the bare prefix to its
    /// handler (Express 5's optional wildcard, Hono's `/*`, Rails'
    /// `(/*rest)`), so the request must also pass that rule (attack
    /// review, session 13: a public SPA fallback decided it, and no
    /// snapshot reached the reports handler). A rule written for the
    /// prefix itself (`/api/clients/{id}` beside
    /// `/api/clients/{id}/{*rest}`) decides alone, as the app declared; a
    /// public catch-all opens nothing.
    fn catch_alls_under(&self, target: &Target<'_>, found: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let Some(own) = self
            .groups
            .get(found)
            .map(|g| g.normalized.trim_end_matches('/'))
        else {
            return out;
        };
        let paths = std::iter::once(target.path.as_str())
            .chain(std::iter::once(target.raw_path))
            .chain(path::variants(&target.path).unwrap_or_default());
        for p in paths {
            let trimmed = p.trim_end_matches('/');
            // Every catch-all right under it, not the first route a
            // longer path would take: a parameter beside the catch-all
            // (`/admin/{page}` beside `/admin/{*rest}`) comes first there
            // and hid it (attack review, session 25).
            let exact = self.router.catch_alls_under(trimmed);
            let folded = self.folded.catch_alls_under(&path::fold_case(trimmed));
            for g in exact.into_iter().chain(folded) {
                let Some(group) = self.groups.get(g) else {
                    continue;
                };
                let under = group.normalized.strip_suffix("/{*rest}");
                let protected = group
                    .rules
                    .iter()
                    .any(|&r| self.rules.get(r).is_none_or(|r| !r.public));
                if g != found
                    && protected
                    && under.is_some_and(|prefix| prefix != own)
                    && !out.contains(&g)
                {
                    out.push(g);
                }
            }
        }
        out
    }
}

impl Routed<'_> {
    /// Decides the request on `table`: `decide` answers one rule for one
    /// method (its name), and is asked, in order, for the request's
    /// method, then its method override (when the first allowed), then
    /// the protected catch-alls right under its path, each for both
    /// methods (when all so far allowed). A catch-all with no rule for a
    /// method is not asked (a framework routes that method elsewhere);
    /// any answer `decide` gives that does not allow decides, whatever its
    /// status (the review of session 26: a 405 from `decide` was skipped
    /// as a missing rule).
    pub fn run<D: Outcome>(&self, table: &Table, mut decide: impl FnMut(&Rule, &str) -> D) -> D {
        let mut step = |group: usize, m: &Method| match table.rule_for(group, m.bit) {
            Ok(rule) => decide(rule, &m.name),
            Err(first) => D::method_not_allowed(&m.name, first.map(|r| r.pattern.as_str())),
        };
        let mut d = step(self.group, &self.method);
        if let (true, Some(over)) = (d.allowed(), self.over.as_ref()) {
            let sent = d;
            d = step(self.group, over);
            if d.allowed() {
                d.keep_proof(sent);
            } else {
                d.note(Note::Override(&over.name));
            }
        }
        if !d.allowed() {
            return d;
        }
        for under in table.catch_alls_under(&self.target, self.group) {
            for m in std::iter::once(&self.method).chain(self.over.as_ref()) {
                let Ok(rule) = table.rule_for(under, m.bit) else {
                    continue;
                };
                let mut u = decide(rule, &m.name);
                if u.allowed() {
                    // The backend runs the catch-all's handler.
                    d.inherit(&u);
                } else {
                    u.note(Note::CatchAll(self.target.raw_path));
                    return u;
                }
            }
        }
        d
    }
}

/// The method override a request carries (header or `_method` query
/// parameter), checked: `Ok(None)` without one, `Err` (400) when it is not
/// one known method.
fn override_of(header: Option<&str>, target: &Target<'_>) -> Result<Option<Method>, Refused> {
    let mut named: Vec<String> = Vec::new();
    if let Some(h) = header {
        named.push(h.trim().to_owned());
    }
    if let Some(q) = path::method_param(target.query) {
        named.push(q);
    }
    let Some(first) = named.first() else {
        return Ok(None);
    };
    let bad = |detail: String| refused(400, "bad_method_override", detail);
    if named.iter().any(|n| !n.eq_ignore_ascii_case(first)) {
        return Err(bad(format!(
            "conflicting method overrides: {}",
            named.join(", ")
        )));
    }
    let upper = first.to_ascii_uppercase();
    match method_bit(&upper) {
        Some(bit) => Ok(Some(Method { bit, name: upper })),
        None => Err(bad(format!(
            "method override `{first}` is not one method the gate knows"
        ))),
    }
}

impl Outcome for Decision {
    fn method_not_allowed(method: &str, route: Option<&str>) -> Self {
        let mut d = Decision::answer(
            405,
            "method_not_allowed",
            format!("`{method}` is not allowed on this route"),
        );
        d.route = route.map(str::to_owned);
        d
    }

    fn allowed(&self) -> bool {
        Decision::allowed(self)
    }

    fn note(&mut self, note: Note<'_>) {
        self.message = match note {
            Note::Override(method) => format!("(method override `{method}`) {}", self.message),
            Note::CatchAll(raw_path) => format!(
                "(the catch-all right under `{raw_path}`, whose handler frameworks give it) {}",
                self.message
            ),
        };
    }

    fn keep_proof(&mut self, sent: Self) {
        if self.actor.is_none() && sent.actor.is_some() {
            self.actor = sent.actor;
            self.nonce = sent.nonce;
            self.permission = sent.permission;
        }
    }

    fn inherit(&mut self, from: &Self) {
        if self.subject.is_none() {
            self.subject.clone_from(&from.subject);
            self.tenant.clone_from(&from.tenant);
        }
        if self.actor.is_none() && from.actor.is_some() {
            self.actor.clone_from(&from.actor);
            self.nonce.clone_from(&from.nonce);
            self.permission.clone_from(&from.permission);
        }
    }
}
