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
use crate::routes::request::{permsnap_header, two_cookies};
use crate::routes::table::Rule;
use crate::routes::verdict::{verdict, Holder, Verdict};
use crate::routes::{Names, Note, Outcome, Table};
use crate::verify::{StepUpTarget, TenantCheck, Verifier};
use serde::Serialize;

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
        let names =
            |list: &[usize]| -> Vec<&str> { list.iter().map(|&i| catalog.perm_name(i)).collect() };
        let mut d = match verdict(rule, &p) {
            Verdict::Allowed => Decision::answer(200, "ok", "allowed".into()),
            Verdict::Missing(i) => {
                let name = catalog.perm_name(i);
                let mut d = Decision::answer(403, "forbidden", String::new());
                if let Ok(e) = p.explain(name) {
                    d.message = format!("`{name}` is needed: {}", e.message);
                    d.reason = Some(e.reason.code().into());
                }
                d.permission = Some(name.into());
                d
            }
            Verdict::NoneOf => {
                let names = names(&rule.any);
                let mut d = Decision::answer(
                    403,
                    "forbidden",
                    format!("one of {} is needed", names.join(", ")),
                );
                d.permission = Some(names.join(" "));
                d.reason = Some("not_granted".into());
                d
            }
            Verdict::NoApp(a) => {
                let id = catalog.app_id(a);
                let mut d = Decision::answer(
                    403,
                    "app_not_allowed",
                    format!("the person may not enter application `{id}`"),
                );
                d.permission = Some(id.into());
                d
            }
            Verdict::Pins { pinned, any } => {
                let mut each: Vec<String> = pinned
                    .iter()
                    .map(|&i| format!("`{}`", catalog.perm_name(i)))
                    .collect();
                if !any.is_empty() {
                    each.push(format!("one of `{}`", names(&any).join("`, `")));
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
                        each.join(", ")
                    ),
                );
                let mut all = names(&pinned);
                all.extend(names(&any));
                d.permission = Some(all.join(" "));
                d
            }
            Verdict::Pin(list) => match request.step_up {
                Some(proof) => {
                    let target = StepUpTarget {
                        method,
                        path,
                        permissions: &list,
                    };
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
                    }
                }
                None => {
                    let names = names(&list);
                    let mut d = Decision::answer(
                        403,
                        "step_up_required",
                        format!(
                            "`{}` needs the acting person's PIN first (shared account): send \
                             the step-up proof the backend issues in the `Permsnap-Step-Up` \
                             header",
                            names.join("` or `")
                        ),
                    );
                    d.permission = Some(names.join(" "));
                    d
                }
            },
        };
        d.subject = Some(p.subject().to_owned());
        d.tenant = Some(p.tenant().to_owned());
        d
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

    fn status(&self) -> u16 {
        self.status
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
