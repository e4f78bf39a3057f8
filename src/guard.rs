//! The route guard of edge functions: a route table (method + path pattern →
//! required permissions and/or application), matched with `matchit` (the
//! router axum uses), decided on a verified snapshot.
//!
//! `Gate::check` answers every request with a [`Decision`]: allow (200),
//! 401 (no snapshot, or the snapshot is refused: its error code), 403 (a
//! required permission or application is missing, or the action needs a PIN
//! step-up the edge cannot take), 404 (no route: the gate denies what it does
//! not know) or 405 (the path is known, the method is not).

use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::{policy_error, Catalog};
use crate::verify::Verifier;
use serde::{Deserialize, Serialize};

/// One route, as declared beside the policy (e.g. `presets/sitee.routes.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteDef {
    /// Methods, upper-case (`GET`, `POST`...), or `*` for any. `GET` also
    /// covers `HEAD`. Empty: any method.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Path pattern in matchit syntax: `/clients/{id}`, `/files/{*rest}`.
    pub path: String,
    /// Every one of these permissions is needed.
    #[serde(default)]
    pub requires: Vec<String>,
    /// At least one of these permissions is needed (when not empty).
    #[serde(default)]
    pub any: Vec<String>,
    /// The person must be allowed into this application.
    #[serde(default)]
    pub app: Option<String>,
    /// No snapshot needed (sign-in pages, health checks).
    #[serde(default)]
    pub public: bool,
}

/// A route table file: `{ "routes": [...] }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutesDef {
    /// The routes.
    pub routes: Vec<RouteDef>,
}

/// What the gate answers for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// HTTP status to answer with: 200 allows the request.
    pub status: u16,
    /// `ok`, a snapshot error code (`expired`, `revoked`...), `no_snapshot`,
    /// `forbidden`, `app_not_allowed`, `step_up_required`, `no_route` or
    /// `method_not_allowed`.
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
        }
    }
}

const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
];

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    /// Bits over `KNOWN_METHODS`; empty: any method.
    methods: u16,
    requires: Vec<usize>,
    any: Vec<usize>,
    app: Option<usize>,
    public: bool,
}

impl Rule {
    fn accepts(&self, method: &str) -> bool {
        if self.methods == 0 {
            return true;
        }
        let bit = |m: &str| {
            KNOWN_METHODS
                .iter()
                .position(|k| k.eq_ignore_ascii_case(m))
                .map_or(0, |i| 1u16 << i)
        };
        self.methods & bit(method) != 0
            || (method.eq_ignore_ascii_case("HEAD") && self.methods & bit("GET") != 0)
    }
}

/// A compiled route table for one catalog.
#[derive(Debug, Clone)]
pub struct Gate {
    router: matchit::Router<Vec<usize>>,
    rules: Vec<Rule>,
    cookie: String,
}

/// Default name of the cookie carrying the snapshot.
pub const DEFAULT_COOKIE: &str = "permsnap";

impl Gate {
    /// Compiles `routes` against `catalog`: every permission and application
    /// named must exist, every pattern must be valid and not conflict.
    pub fn new(catalog: &Catalog, routes: &[RouteDef]) -> Result<Gate> {
        let mut router: matchit::Router<Vec<usize>> = matchit::Router::new();
        let mut by_path: Vec<(String, Vec<usize>)> = Vec::new();
        let mut rules = Vec::with_capacity(routes.len());
        for (i, r) in routes.iter().enumerate() {
            let at = format!("routes[{i}] `{}`", r.path);
            let mut methods = 0u16;
            for m in &r.methods {
                if m == "*" {
                    methods = 0;
                    break;
                }
                let k = KNOWN_METHODS.iter().position(|k| k == m).ok_or_else(|| {
                    policy_error(&at, format!("unknown method `{m}` (use upper case)"))
                })?;
                methods |= 1 << k;
            }
            let perm = |name: &String| {
                catalog
                    .perm(name)
                    .map_err(|_| policy_error(&at, format!("unknown permission `{name}`")))
            };
            let rule = Rule {
                pattern: r.path.clone(),
                methods,
                requires: r.requires.iter().map(perm).collect::<Result<_>>()?,
                any: r.any.iter().map(perm).collect::<Result<_>>()?,
                app: r
                    .app
                    .as_ref()
                    .map(|a| {
                        catalog
                            .app(a)
                            .map_err(|_| policy_error(&at, format!("unknown application `{a}`")))
                    })
                    .transpose()?,
                public: r.public,
            };
            if rule.public
                && (!rule.requires.is_empty() || !rule.any.is_empty() || rule.app.is_some())
            {
                return Err(policy_error(&at, "a public route cannot require anything"));
            }
            if !r.path.starts_with('/') {
                return Err(policy_error(&at, "a path pattern starts with `/`"));
            }
            match by_path.iter_mut().find(|(p, _)| *p == r.path) {
                Some((_, list)) => list.push(i),
                None => by_path.push((r.path.clone(), vec![i])),
            }
            rules.push(rule);
        }
        for (path, list) in by_path {
            router
                .insert(path.clone(), list)
                .map_err(|e| policy_error(format!("route `{path}`"), e.to_string()))?;
        }
        Ok(Gate {
            router,
            rules,
            cookie: DEFAULT_COOKIE.into(),
        })
    }

    /// Reads the route table from JSON (`{ "routes": [...] }`).
    #[cfg(feature = "std-json")]
    pub fn from_json(catalog: &Catalog, json: &str) -> Result<Gate> {
        let def: RoutesDef =
            serde_json::from_str(json).map_err(|e| policy_error("routes", e.to_string()))?;
        Gate::new(catalog, &def.routes)
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

    /// Decides one request. `authorization` and `cookie` are the raw header
    /// values; the snapshot is taken from `Authorization: Permsnap <text>`,
    /// else from the cookie.
    pub fn check(
        &self,
        verifier: &mut Verifier,
        method: &str,
        path: &str,
        authorization: Option<&str>,
        cookie: Option<&str>,
        now: u64,
    ) -> Decision {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let Ok(matched) = self.router.at(path) else {
            return Decision::answer(
                404,
                "no_route",
                format!("no route for `{path}`: the gate denies what it does not know"),
            );
        };
        let Some(rule) = matched
            .value
            .iter()
            .filter_map(|i| self.rules.get(*i))
            .find(|r| r.accepts(method))
        else {
            let mut d = Decision::answer(
                405,
                "method_not_allowed",
                format!("`{method}` is not allowed on this route"),
            );
            d.route = self
                .rules
                .get(matched.value.first().copied().unwrap_or(usize::MAX))
                .map(|r| r.pattern.clone());
            return d;
        };
        let mut d = self.decide(rule, verifier, authorization, cookie, now);
        d.route = Some(rule.pattern.clone());
        d
    }

    fn decide(
        &self,
        rule: &Rule,
        verifier: &mut Verifier,
        authorization: Option<&str>,
        cookie: Option<&str>,
        now: u64,
    ) -> Decision {
        if rule.public {
            return Decision::answer(200, "ok", "public route".into());
        }
        let Some(snapshot) = snapshot_from(authorization, cookie, &self.cookie) else {
            return Decision::answer(
                401,
                "no_snapshot",
                format!(
                    "no snapshot: send `Authorization: Permsnap <snapshot>` or the `{}` cookie",
                    self.cookie
                ),
            );
        };
        let p = match verifier.verify_cached(snapshot.as_bytes(), now) {
            Ok(p) => p,
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
        if !rule.any.is_empty() && !rule.any.iter().any(|&i| bits.get(i)) {
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
        if let Some(&i) = rule.requires.iter().find(|&&i| p.claims().step_up.get(i)) {
            let name = catalog.perm_name(i);
            let mut d = Decision::answer(
                403,
                "step_up_required",
                format!("`{name}` needs the acting person's PIN first (shared account)"),
            );
            d.permission = Some(name.into());
            return who(d);
        }
        who(Decision::answer(200, "ok", "allowed".into()))
    }
}

/// The snapshot of a request: `Authorization: Permsnap <text>` (scheme
/// case-insensitive), else the cookie `name` of the `Cookie` header.
pub fn snapshot_from<'a>(
    authorization: Option<&'a str>,
    cookie: Option<&'a str>,
    name: &str,
) -> Option<&'a str> {
    if let Some(value) = authorization.map(str::trim) {
        if let Some((scheme, rest)) = value.split_once(' ') {
            if scheme.eq_ignore_ascii_case("permsnap") && !rest.trim().is_empty() {
                return Some(rest.trim());
            }
        }
    }
    cookie?.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k.trim() == name && !v.trim().is_empty()).then(|| v.trim().trim_matches('"'))
    })
}
