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

pub use crate::path::{canonical_path, check_pattern, parse_target, PathError, Target};
pub use crate::routes::request::snapshot_from;
pub use crate::routes::table::{RouteDef, RoutesDef};

use crate::decision::Permissions;
use crate::error::{Error, Result};
use crate::model::catalog::Catalog;
use crate::routes::request::{is_cookie_name, no_tenant, snapshot_text, unavailable};
use crate::routes::table::Rule;
use crate::routes::verdict::{proof_allowed, verdict, worded, Holder, Verdict};
pub use crate::routes::Decision;
use crate::routes::{Names, Table};
use crate::verify::{StepUpTarget, TenantCheck, Verifier};

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

/// A compiled route table for one catalog.
#[derive(Debug, Clone)]
pub struct Gate {
    table: Table,
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

pub use crate::routes::request::DEFAULT_COOKIE;

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
        Ok(Gate {
            table: Table::new(catalog, routes)?,
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
        self.table.warnings()
    }

    /// Takes the snapshot from this cookie (default `permsnap`).
    pub fn set_cookie_name(&mut self, name: &str) -> Result<()> {
        if !is_cookie_name(name) {
            return Err(Error::InvalidArgument {
                detail: format!("`{name}` is not a cookie name"),
            });
        }
        self.cookie = name.into();
        Ok(())
    }

    /// Decides one request.
    pub fn check(&self, verifier: &mut Verifier, request: &Request<'_>, now: u64) -> Decision {
        let routed = match self
            .table
            .route(request.method, request.target, request.method_override)
        {
            Ok(r) => r,
            Err(r) => return Decision::answer(r.status, r.code, r.message),
        };
        let path = routed.target.path.as_str();
        routed.run(&self.table, |rule, method| {
            let mut d = self.decide(rule, (method, path), verifier, request, now);
            d.route = Some(rule.pattern.clone());
            d
        })
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
        let snapshot = match snapshot_text(request.authorization, request.cookie, &self.cookie) {
            Ok(s) => s,
            Err(d) => return *d,
        };
        if verifier.keyring().is_empty() {
            return unavailable();
        }
        let verified = match (request.tenant, &verifier.options().tenant) {
            (Some(t), _) => verifier.verify_for(snapshot.as_bytes(), t, now),
            (None, TenantCheck::PerRequest) => return no_tenant(),
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
        let v = verdict(rule, &p);
        let mut d = match (&v, request.step_up) {
            (Verdict::Pin(list), Some(proof)) => {
                let target = StepUpTarget {
                    method,
                    path,
                    permissions: list,
                };
                match verifier.verify_step_up(&p, proof.trim().as_bytes(), &target, now) {
                    Ok(proof) => proof_allowed(&proof.actor, &proof.permission, &proof.nonce),
                    Err(e) => Decision::answer(403, e.code(), e.to_string()),
                }
            }
            _ => worded(&v, rule, catalog, request.step_up.is_some()),
        };
        if let Verdict::Missing(i) = v {
            match p.explain(catalog.perm_name(i)) {
                Ok(e) => {
                    d.message = format!("{}: {}", d.message, e.message);
                    d.reason = Some(e.reason.code().into());
                }
                Err(_) => d.message.clear(),
            }
        }
        d.subject = Some(p.subject().to_owned());
        d.tenant = Some(p.tenant().to_owned());
        d
    }
}

impl Holder for Permissions {
    fn granted(&self, i: usize) -> bool {
        self.effective_bits().get(i)
    }

    fn in_app(&self, a: usize) -> bool {
        self.claims().apps.get(a)
    }

    fn pinned(&self, i: usize) -> bool {
        self.claims().step_up.get(i)
    }
}

impl Names for Catalog {
    fn permission(&self, name: &str) -> Option<usize> {
        self.perm(name).ok()
    }

    fn application(&self, id: &str) -> Option<usize> {
        self.app(id).ok()
    }

    fn permission_name(&self, i: usize) -> &str {
        self.perm_name(i)
    }

    fn application_id(&self, i: usize) -> &str {
        self.app_id(i)
    }
}
