//! The route guard of edge functions: a route table (method + path pattern →
//! required permissions and/or application), matched by the crate's own
//! router (`src/router.rs`: matchit's syntax, the router axum uses, and a
//! written order of precedence), decided on a verified snapshot.
//!
//! `Gate::check` answers every request with a [`Decision`]: allow (200),
//! 400 (a path or method override that is not canonical, or no account),
//! 401 (no snapshot, or the snapshot is refused: its error code), 403 (a
//! required permission or application is missing, or the action needs a PIN
//! step-up the edge cannot take), 404 (no route: the gate denies what it does
//! not know), 405 (the path is known, the method is not) or 503 (no key to
//! verify with, or `stale_feed`: the revocation feed is older than the
//! verifier allows).
//! The request path is read as sent, under the grammar of
//! [`canonical_path`]; route tables are read as [`RouteDef`]s.

mod table;

use crate::path;
use crate::router::Router;
pub use path::{canonical_path, check_pattern, parse_target, PathError, Target};
pub use table::{RouteDef, RoutesDef};

use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::Catalog;
use crate::verify::{StepUpTarget, TenantCheck, Verifier};
use serde::Serialize;
use table::{method_bit, Group, Rule};

/// One request, as the gate sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The HTTP method (`GET`...).
    pub method: &'a str,
    /// The request target as received: path and query, still
    /// percent-encoded (`/api/clients/42?x=1`), never a normalised copy.
    pub target: &'a str,
    /// The raw `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The raw `Cookie` header.
    pub cookie: Option<&'a str>,
    /// A method override the backend may honour (`X-HTTP-Method-Override`,
    /// `X-HTTP-Method`, `X-Method-Override`): the request is then gated as
    /// both methods.
    pub method_override: Option<&'a str>,
    /// The account the request is for, when the verifier checks the account
    /// per request (a function of the host or path, decided by the caller).
    pub tenant: Option<&'a str>,
    /// The `Permsnap-Step-Up` header: a step-up proof for a shared
    /// account's PIN-protected action ([`STEP_UP_HEADER`]).
    pub step_up: Option<&'a str>,
}

/// The header carrying a step-up proof.
pub const STEP_UP_HEADER: &str = "permsnap-step-up";

/// What the gate answers for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// HTTP status to answer with: 200 allows the request.
    pub status: u16,
    /// One of [`DECISION_CODES`], or a snapshot's refusal code (`expired`,
    /// `revoked`...) on a 401.
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

    fn answer(status: u16, code: &str, message: String) -> Decision {
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
pub struct Gate {
    /// Normalised patterns → group index.
    router: Router,
    /// The same, patterns case-folded (`path::fold_case`, as request paths
    /// are): finds what a case-insensitive backend would route a path to.
    folded: Router,
    groups: Vec<Group>,
    rules: Vec<Rule>,
    warnings: Vec<String>,
    cookie: String,
}

/// Every code a [`Decision`] can carry besides the refusal codes of
/// [`Error::CODES`] (a 401 names the snapshot's refusal). `ambiguous_host`
/// is decided by the JavaScript wrapper, which sees the `Host` header.
pub const DECISION_CODES: &[&str] = &[
    "ok",
    "no_snapshot",
    "forbidden",
    "app_not_allowed",
    "step_up_required",
    "no_route",
    "method_not_allowed",
    "bad_path",
    "ambiguous_path",
    "ambiguous_host",
    "bad_method_override",
    // Two different snapshot cookies: one may have been planted (a sibling
    // subdomain, a narrower `Path`), and which one the app reads is not
    // known.
    "ambiguous_snapshot",
    "no_tenant",
    "unavailable",
    // The JavaScript middleware's: the snapshot is not the signed-in
    // person's (`signedIn` option), e.g. a copied cookie.
    "wrong_subject",
];

/// Default name of the cookie carrying the snapshot.
pub const DEFAULT_COOKIE: &str = "permsnap";

/// Headers through which a client may ask a backend to take the request as
/// another method; the gate then checks both methods.
pub const METHOD_OVERRIDE_HEADERS: [&str; 3] = [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

impl Gate {
    /// Compiles `routes` against `catalog`: every permission and application
    /// named must exist, every rule must say what it demands, every pattern
    /// must be valid, and no two rules may claim one path for one method
    /// (also when written with other parameter names, or differing only in
    /// letter case).
    pub fn new(catalog: &Catalog, routes: &[RouteDef]) -> Result<Gate> {
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
                .map_err(|e| table::table_error(format!("route `{written}`: {}", e.says())))?;
            folded.insert(&g.folded, i).map_err(|e| {
                table::table_error(format!(
                    "route `{written}` differs from another only in letter case, or \
                         conflicts with it once case is ignored ({}): a case-insensitive \
                         backend could not tell them apart",
                    e.says()
                ))
            })?;
        }
        let warnings = table::warnings(catalog, &rules, &groups);
        Ok(Gate {
            router,
            folded,
            groups,
            rules,
            warnings,
            cookie: DEFAULT_COOKIE.into(),
        })
    }

    /// Reads the route table from JSON (`{ "routes": [...] }`), strictly.
    pub fn from_json(catalog: &Catalog, json: &str) -> Result<Gate> {
        Gate::new(catalog, &RoutesDef::from_json(json)?.routes)
    }

    /// Advice about the table (routes under more general routes that demand
    /// something else). Printed by `permsnap gate` and `permsnap validate
    /// --routes`.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Takes the snapshot from this cookie (default `permsnap`).
    pub fn set_cookie_name(&mut self, name: &str) -> Result<()> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(Error::InvalidArgument {
                detail: format!("`{name}` is not a cookie name"),
            });
        }
        self.cookie = name.into();
        Ok(())
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
    /// fall under another rule than the path itself: letter case (with the
    /// non-ASCII letters matchers fold into ASCII: `ſ` counts as `s`), a trailing slash dropped (or added,
    /// for patterns that end in one), trailing spaces and dots trimmed
    /// (IIS), a file extension cut at the first or the last dot (Spring
    /// suffix patterns, Rails formats), escapes left undecoded (Express).
    fn route(&self, target: &Target<'_>) -> core::result::Result<Option<usize>, Box<Decision>> {
        let found = self.group_of(&target.path);
        let refuse = |how: &str| {
            Box::new(Decision::answer(
                400,
                "ambiguous_path",
                format!(
                    "`{}` differs from another route only by {how}: refused, since a lenient \
                     backend could route it there",
                    target.raw_path
                ),
            ))
        };
        let differs = |g: Option<usize>| g.is_some() && g != found;
        let Some(variants) = path::variants(&target.path) else {
            return Err(Box::new(Decision::answer(
                400,
                "ambiguous_path",
                format!(
                    "`{}` ends in more trailing slashes, spaces, dots or extensions than the \
                     gate reads ({} ways): refused",
                    target.raw_path,
                    path::MAX_VARIANTS
                ),
            )));
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

    /// Every protected catch-all directly under the request path — or under
    /// one of its lenient variants (`.json` cut, trailing dots trimmed) —
    /// of another group than `found`'s: `/api/reports/{*rest}` for
    /// `/api/reports`. A catch-all needs one character more, but
    /// frameworks route the bare prefix to its handler (Express 5's
    /// optional wildcard, Hono's `/*`, Rails' `(/*rest)`), so the request
    /// must also pass that rule (attack review, session 13: a public SPA
    /// fallback decided it, and no snapshot reached the reports handler).
    /// A rule written for the prefix itself (`/api/clients/{id}` beside
    /// `/api/clients/{id}/{*rest}`) decides alone, as the app declared; a
    /// public catch-all opens nothing.
    fn catch_all_under(&self, target: &Target<'_>, found: usize) -> Vec<usize> {
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

    /// Decides one request.
    pub fn check(&self, verifier: &mut Verifier, request: &Request<'_>, now: u64) -> Decision {
        let target = match parse_target(request.target) {
            Ok(t) => t,
            Err(e) => {
                return Decision::answer(400, "bad_path", format!("not a canonical path: {e}"))
            }
        };
        // Methods are case-sensitive (RFC 9110): Deno passes `patch` on
        // as sent, and a router matching `PATCH` exactly sends it to
        // another handler (an `all` catch-all) than the PATCH rule the
        // gate applied (attack review, session 18).
        if request.method.bytes().any(|b| b.is_ascii_lowercase()) {
            return Decision::answer(
                405,
                "method_not_allowed",
                format!(
                    "`{}`: methods are written in upper case (routers match them exactly)",
                    request.method
                ),
            );
        }
        let Some(bit) = method_bit(&request.method.to_ascii_uppercase()) else {
            return Decision::answer(
                405,
                "method_not_allowed",
                format!("`{}` is not a method the gate knows", request.method),
            );
        };
        let over = match override_of(request, &target) {
            Ok(o) => o,
            Err(d) => return *d,
        };
        let group = match self.route(&target) {
            Ok(Some(g)) => g,
            Ok(None) => {
                return Decision::answer(
                    404,
                    "no_route",
                    format!(
                        "no route for `{}`: the gate denies what it does not know",
                        target.raw_path
                    ),
                )
            }
            Err(d) => return *d,
        };
        let method = request.method.to_ascii_uppercase();
        let at = (method.as_str(), target.path.as_str());
        let mut d = self.decide_method(group, bit, at, verifier, request, now);
        if let (true, Some((obit, oname))) = (d.allowed(), over.as_ref()) {
            let sent = d;
            d = self.decide_method(group, *obit, (oname, at.1), verifier, request, now);
            if !d.allowed() {
                d.message = format!("(method override `{oname}`) {}", d.message);
            } else if d.actor.is_none() && sent.actor.is_some() {
                // The request's own method took the step-up proof: who
                // acted and the nonce stay (an override to a method needing
                // none dropped them, and the action was the shared
                // account's, its proof reusable: attack review, session 17).
                d.actor = sent.actor;
                d.nonce = sent.nonce;
                d.permission = sent.permission;
            }
        }
        // The bare prefix of a protected catch-all passes its rule too
        // (for the methods that rule takes: a framework routes the other
        // methods elsewhere).
        let under_all = if d.allowed() {
            self.catch_all_under(&target, group)
        } else {
            Vec::new()
        };
        for under in under_all {
            for (b, name) in std::iter::once((bit, method.as_str()))
                .chain(over.as_ref().map(|(b, n)| (*b, n.as_str())))
            {
                let u = self.decide_method(under, b, (name, at.1), verifier, request, now);
                if u.allowed() {
                    // The backend runs the catch-all's handler: the answer
                    // names whom it runs for and who acted, where the rule
                    // that decided (a public one) named nobody (re-review,
                    // session 25: a guard's `signedIn` check was skipped,
                    // and a proof's nonce and actor were lost).
                    inherit(&mut d, &u);
                }
                if u.status != 405 && !u.allowed() {
                    let mut u = u;
                    u.message = format!(
                        "(the catch-all right under `{}`, whose handler frameworks give it) {}",
                        target.raw_path, u.message
                    );
                    return u;
                }
            }
        }
        d
    }

    /// Decides `at` (method, canonical path) against the rules of `group`.
    fn decide_method(
        &self,
        group: usize,
        bit: u16,
        at: (&str, &str),
        verifier: &mut Verifier,
        request: &Request<'_>,
        now: u64,
    ) -> Decision {
        let method = at.0;
        let rules = self
            .groups
            .get(group)
            .map_or(&[][..], |g| g.rules.as_slice());
        let Some(rule) = rules
            .iter()
            .filter_map(|&i| self.rules.get(i))
            .find(|r| r.accepts(bit))
        else {
            let mut d = Decision::answer(
                405,
                "method_not_allowed",
                format!("`{method}` is not allowed on this route"),
            );
            d.route = rules
                .first()
                .and_then(|&i| self.rules.get(i))
                .map(|r| r.pattern.clone());
            return d;
        };
        let mut d = self.decide(rule, at, verifier, request, now);
        d.route = Some(rule.pattern.clone());
        d
    }

    fn decide(
        &self,
        rule: &Rule,
        (method, path): (&str, &str),
        verifier: &mut Verifier,
        request: &Request<'_>,
        now: u64,
    ) -> Decision {
        if rule.public {
            return Decision::answer(200, "ok", "public route".into());
        }
        // Whenever the snapshot would come from the cookie: another
        // `Authorization` (`Basic`, `Bearer`, a browser's own) is no
        // snapshot, and skipped the check (review, session 14).
        if permsnap_header(request.authorization).is_none()
            && two_cookies(request.cookie, &self.cookie)
        {
            return Decision::answer(
                400,
                "ambiguous_snapshot",
                format!(
                    "two different `{}` cookies: one may have been set by another site of \
                     the domain; clear them and sign in again",
                    self.cookie
                ),
            );
        }
        let Some(snapshot) = snapshot_from(request.authorization, request.cookie, &self.cookie)
        else {
            return Decision::answer(
                401,
                "no_snapshot",
                format!(
                    "no snapshot: send `Authorization: Permsnap <snapshot>` or the `{}` cookie",
                    self.cookie
                ),
            );
        };
        if verifier.keyring().is_empty() {
            return Decision::answer(
                503,
                "unavailable",
                "the edge trusts no key yet (its JWKS is not loaded): nothing can be verified"
                    .into(),
            );
        }
        let verified = match (request.tenant, &verifier.options().tenant) {
            (Some(t), _) => verifier.verify_for(snapshot.as_bytes(), t, now),
            (None, TenantCheck::PerRequest) => {
                return Decision::answer(
                    400,
                    "no_tenant",
                    "the request names no account this edge serves".into(),
                )
            }
            (None, _) => verifier.verify_cached(snapshot.as_bytes(), now),
        };
        let p = match verified {
            Ok(p) => p,
            // The edge's revocations are not current: its problem, not the
            // snapshot's (no refresh on the client would help).
            Err(e @ Error::StaleFeed { .. }) => {
                return Decision::answer(503, e.code(), e.to_string())
            }
            Err(e) => return Decision::answer(401, e.code(), e.to_string()),
        };
        let catalog = verifier.catalog();
        let who = |mut d: Decision| {
            d.subject = Some(p.subject().to_owned());
            d.tenant = Some(p.tenant().to_owned());
            d
        };
        let bits: &Bits = p.effective_bits();
        for &i in &rule.requires {
            if !bits.get(i) {
                let name = catalog.perm_name(i);
                let mut d = Decision::answer(403, "forbidden", String::new());
                if let Ok(e) = p.explain(name) {
                    d.message = format!("`{name}` is needed: {}", e.message);
                    d.reason = Some(e.reason.code().into());
                }
                d.permission = Some(name.into());
                return who(d);
            }
        }
        let granted_any: Vec<usize> = rule.any.iter().copied().filter(|&i| bits.get(i)).collect();
        if !rule.any.is_empty() && granted_any.is_empty() {
            let names: Vec<&str> = rule.any.iter().map(|&i| catalog.perm_name(i)).collect();
            let mut d = Decision::answer(
                403,
                "forbidden",
                format!("one of {} is needed", names.join(", ")),
            );
            d.permission = Some(names.join(" "));
            d.reason = Some("not_granted".into());
            return who(d);
        }
        if let Some(a) = rule.app {
            if !p.claims().apps.get(a) {
                let id = catalog.app_id(a);
                let mut d = Decision::answer(
                    403,
                    "app_not_allowed",
                    format!("the person may not enter application `{id}`"),
                );
                d.permission = Some(id.into());
                return who(d);
            }
        }
        let step_up = &p.claims().step_up;
        // What needs a PIN here: each required permission behind one, and
        // the `any` clause when every granted permission of it is behind
        // one (it is met without a PIN by a granted one that needs none).
        let mut pinned: Vec<usize> = Vec::new();
        for &i in &rule.requires {
            if step_up.get(i) && !pinned.contains(&i) {
                pinned.push(i);
            }
        }
        // The `any` clause needs a PIN of its own unless one of its granted
        // permissions is a required one already proved (`requires` and
        // `any` may name the same permission).
        let any_pinned = !granted_any.is_empty()
            && granted_any.iter().all(|&i| step_up.get(i))
            && !granted_any.iter().any(|i| pinned.contains(i));
        let needs_pin = pinned
            .first()
            .map(|&i| vec![i])
            .or_else(|| any_pinned.then(|| granted_any.clone()));
        // A proof proves one permission: a route needing PINs for several
        // (two required ones, or a required one and the `any` clause)
        // cannot be opened by one proof.
        if pinned.len() + usize::from(any_pinned) > 1 {
            let mut names: Vec<String> = pinned
                .iter()
                .map(|&i| format!("`{}`", catalog.perm_name(i)))
                .collect();
            if any_pinned {
                let any: Vec<&str> = granted_any.iter().map(|&i| catalog.perm_name(i)).collect();
                names.push(format!("one of `{}`", any.join("`, `")));
            }
            let (code, head) = if request.step_up.is_some() {
                ("step_up_refused", "step-up proof refused: ")
            } else {
                ("step_up_required", "")
            };
            let mut d = Decision::answer(
                403,
                code,
                format!(
                    "{head}this route needs a PIN for each of {}; a proof proves one",
                    names.join(", ")
                ),
            );
            let mut all: Vec<&str> = pinned.iter().map(|&i| catalog.perm_name(i)).collect();
            if any_pinned {
                all.extend(granted_any.iter().map(|&i| catalog.perm_name(i)));
            }
            d.permission = Some(all.join(" "));
            return who(d);
        }
        if let (Some(list), Some(proof)) = (&needs_pin, request.step_up) {
            let target = StepUpTarget {
                method,
                path,
                permissions: list,
            };
            return who(
                match verifier.verify_step_up(&p, proof.trim().as_bytes(), &target, now) {
                    Ok(proof) => {
                        let mut d = Decision::answer(
                            200,
                            "ok",
                            format!("allowed: `{}` gave their PIN", proof.actor),
                        );
                        d.permission = Some(proof.permission);
                        d.actor = Some(proof.actor);
                        d.nonce = Some(crate::error::hex(&proof.nonce));
                        d
                    }
                    Err(e) => Decision::answer(403, e.code(), e.to_string()),
                },
            );
        }
        if let Some(list) = needs_pin {
            let names: Vec<&str> = list.iter().map(|&i| catalog.perm_name(i)).collect();
            let mut d = Decision::answer(
                403,
                "step_up_required",
                format!(
                    "`{}` needs the acting person's PIN first (shared account): send the \
                     step-up proof the backend issues in the `Permsnap-Step-Up` header",
                    names.join("` or `")
                ),
            );
            d.permission = Some(names.join(" "));
            return who(d);
        }
        who(Decision::answer(200, "ok", "allowed".into()))
    }
}

/// What an allowed decision takes from another allowed one for the same
/// request, where it has none: the person and account, and who acted with
/// the proof's nonce and permission.
fn inherit(d: &mut Decision, from: &Decision) {
    if d.subject.is_none() {
        d.subject.clone_from(&from.subject);
        d.tenant.clone_from(&from.tenant);
    }
    if d.actor.is_none() && from.actor.is_some() {
        d.actor.clone_from(&from.actor);
        d.nonce.clone_from(&from.nonce);
        d.permission.clone_from(&from.permission);
    }
}

/// The method override a request carries (header or `_method` query
/// parameter), checked: `Ok(None)` without one, `Err` (400) when it is not
/// one known method.
fn override_of(
    request: &Request<'_>,
    target: &Target<'_>,
) -> core::result::Result<Option<(u16, String)>, Box<Decision>> {
    let mut named: Vec<String> = Vec::new();
    if let Some(h) = request.method_override {
        named.push(h.trim().to_owned());
    }
    if let Some(q) = path::method_param(target.query) {
        named.push(q);
    }
    let Some(first) = named.first() else {
        return Ok(None);
    };
    let bad = |detail: String| Box::new(Decision::answer(400, "bad_method_override", detail));
    if named.iter().any(|n| !n.eq_ignore_ascii_case(first)) {
        return Err(bad(format!(
            "conflicting method overrides: {}",
            named.join(", ")
        )));
    }
    let upper = first.to_ascii_uppercase();
    match method_bit(&upper) {
        Some(bit) => Ok(Some((bit, upper))),
        None => Err(bad(format!(
            "method override `{first}` is not one method the gate knows"
        ))),
    }
}

/// Whether the `Cookie` header holds two different non-empty values of the
/// cookie `name` (attack review, session 14: the first one won, so a
/// cookie planted by a sibling subdomain or for a narrower path made the
/// person act under the planter's snapshot).
fn two_cookies(cookie: Option<&str>, name: &str) -> bool {
    let mut values = cookie_values(cookie, name);
    let first = values.next();
    values.any(|v| Some(v) != first)
}

/// The non-empty values of the cookie `name` (unquoted), in order: what
/// both the snapshot and the two-cookie check read.
fn cookie_values<'a, 'n>(
    cookie: Option<&'a str>,
    name: &'n str,
) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    cookie
        .unwrap_or_default()
        .split(';')
        .filter_map(move |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            let v = v.trim().trim_matches('"');
            (k.trim() == name && !v.is_empty()).then_some(v)
        })
}

/// The snapshot an `Authorization: Permsnap <text>` header carries (scheme
/// case-insensitive), if it is one.
fn permsnap_header(authorization: Option<&str>) -> Option<&str> {
    let (scheme, rest) = authorization?.trim().split_once(char::is_whitespace)?;
    (scheme.eq_ignore_ascii_case("permsnap") && !rest.trim().is_empty()).then(|| rest.trim())
}

/// The snapshot of a request: `Authorization: Permsnap <text>` (scheme
/// case-insensitive), else the cookie `name` of the `Cookie` header.
pub fn snapshot_from<'a>(
    authorization: Option<&'a str>,
    cookie: Option<&'a str>,
    name: &str,
) -> Option<&'a str> {
    if let Some(snapshot) = permsnap_header(authorization) {
        return Some(snapshot);
    }
    // The first non-empty one, as `two_cookies` counts them (a planted
    // `permsnap=""` first is no snapshot).
    cookie_values(cookie, name).next()
}
