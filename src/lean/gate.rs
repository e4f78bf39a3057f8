//! The edge's route gate on the small core (#16): a route table compiled
//! against a catalog read in place, and each request routed and decided
//! as the reference gate does it (`crate::routes`: one routing, one order
//! of rules, one verdict per rule, one wording), on a snapshot read in
//! place.
//!
//! What needs the platform is asked of the caller: [`Gate::check`]
//! answers [`Need::Snapshot`] when a rule needs the request's snapshot
//! verified (its signature by the platform's WebCrypto or by the small
//! core's `curve` exports, its revocations by the JavaScript verifier),
//! and [`Need::Proof`] when it needs the step-up proof the request
//! carries, read and its signature checked. The caller
//! asks again with it: the routing is repeated, which is cheap, and no
//! snapshot is verified for a public route.

use super::catalog::Catalog;
use super::decide::Decision as Effective;
use super::snapshot::Snapshot;
use super::stepup::StepUp;
use crate::routes::request::{
    is_cookie_name, no_tenant, snapshot_from, snapshot_text, unavailable, DEFAULT_COOKIE,
};
use crate::routes::table::{RoutesDef, Rule};
use crate::routes::verdict::{proof_allowed, verdict, worded, Holder, Verdict};
pub use crate::routes::Decision;
use crate::routes::{Names, Table, TableError};
use crate::wire::{step_up_mismatch, step_up_refused, Expected, Proved, FLAG_SHARED};
use std::rc::Rc;

/// The text of `bytes` (checked UTF-8 where they were read).
fn text(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

impl Names for Catalog {
    fn permission(&self, name: &str) -> Option<usize> {
        let bytes = self.bytes();
        self.perms()
            .iter()
            .position(|p| p.name.in_(bytes) == name.as_bytes())
    }

    fn application(&self, id: &str) -> Option<usize> {
        let bytes = self.bytes();
        self.apps()
            .iter()
            .position(|a| a.in_(bytes) == id.as_bytes())
    }

    fn permission_name(&self, i: usize) -> &str {
        self.perms()
            .get(i)
            .map_or("", |p| text(p.name.in_(self.bytes())))
    }

    fn application_id(&self, i: usize) -> &str {
        self.apps().get(i).map_or("", |a| text(a.in_(self.bytes())))
    }
}

/// A snapshot read in place and its effective permissions, as a rule
/// reads them.
struct Held<'s>(&'s Snapshot, &'s Effective);

impl Holder for Held<'_> {
    fn granted(&self, i: usize) -> bool {
        self.1.can(i)
    }

    fn in_app(&self, a: usize) -> bool {
        self.0.app(a)
    }

    fn pinned(&self, i: usize) -> bool {
        self.0.step_up(i)
    }
}

/// A request, as the edge's JavaScript hands it over.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// The method, as sent.
    pub method: &'a str,
    /// The target as sent: path and query.
    pub target: &'a str,
    /// The `Authorization` header.
    pub authorization: Option<&'a str>,
    /// The `Cookie` header.
    pub cookie: Option<&'a str>,
    /// The method-override headers, comma-joined.
    pub method_override: Option<&'a str>,
    /// The `Permsnap-Step-Up` header: a proof read on [`Need::Proof`] is
    /// held to it.
    pub step_up: Option<&'a str>,
    /// The verifier checks the account per request and the request names
    /// none (400 `no_tenant` where a snapshot is needed).
    pub no_tenant: bool,
    /// Whether the verifier trusts a key (503 `unavailable` otherwise,
    /// where a snapshot is needed).
    pub keys: bool,
}

/// The request's snapshot, as far as the caller has verified it.
#[derive(Debug, Clone, Copy)]
pub enum Verified<'s> {
    /// Not asked for yet.
    NotYet,
    /// Refused: 401 with its code, or 503 `stale_feed` (any other status
    /// is the caller's mistake: asked again).
    Refused(&'s Decision),
    /// Verified and read, with its effective permissions, against this
    /// catalog: the request's own snapshot (its text, the gate's catalog,
    /// valid now; anything else is asked again).
    Read(&'s Rc<Catalog>, &'s Snapshot, &'s Effective),
}

/// The request's step-up proof, as far as the caller has checked it.
#[derive(Debug, Clone, Copy)]
pub enum Proof<'p> {
    /// Not asked for yet.
    NotYet,
    /// Refused before its fields were compared (403 `step_up_refused`: not
    /// a proof, a bad signature; `unknown_key`).
    Refused(&'p Decision),
    /// Read, its signature checked: the request's own (its header's
    /// bytes; anything else is asked again).
    Read(&'p StepUp),
}

/// What [`Gate::check`] needs before it can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The request's snapshot ([`Gate::snapshot_of`]) verified.
    Snapshot,
    /// The request's step-up proof read, its signature checked.
    Proof,
}

/// An answer of [`Gate::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The decision, worded as the reference words it, but for a missing
    /// permission's explanation.
    pub decision: Decision,
    /// A required permission is missing (403 `forbidden`): the caller
    /// appends its explanation to the message (`: ` and the sentence the
    /// snapshot's `explain` gives), as the reference does.
    pub explain: Option<usize>,
}

/// A compiled route table for one catalog, and its snapshot cookie.
#[derive(Debug, Clone)]
pub struct Gate {
    table: Table,
    catalog: Rc<Catalog>,
    cookie: String,
}

impl Gate {
    /// Compiles the table `json` (as `RoutesDef::from_json` reads it)
    /// against `catalog`; its snapshots in the cookie `permsnap`.
    pub fn new(catalog: Rc<Catalog>, json: &str) -> Result<Gate, TableError> {
        let routes = RoutesDef::read(json)?.routes;
        Ok(Gate {
            table: Table::new(&*catalog, &routes)?,
            catalog,
            cookie: DEFAULT_COOKIE.into(),
        })
    }

    /// Takes the snapshot from the cookie `name` (letters, digits, `_`,
    /// `-`); `false`, and nothing changed, for another name.
    pub fn set_cookie_name(&mut self, name: &str) -> bool {
        let ok = is_cookie_name(name);
        if ok {
            self.cookie = name.into();
        }
        ok
    }

    /// The catalog the table was compiled against.
    pub fn catalog(&self) -> &Rc<Catalog> {
        &self.catalog
    }

    /// Advice about the table.
    pub fn warnings(&self) -> &[String] {
        self.table.warnings()
    }

    /// The snapshot text the request carries, if any: what the caller
    /// verifies on [`Need::Snapshot`].
    pub fn snapshot_of<'r>(&self, request: &Request<'r>) -> Option<&'r str> {
        snapshot_from(request.authorization, request.cookie, &self.cookie)
    }

    /// Decides `request` at `now` (seconds; a proof's issue time may be
    /// `leeway` ahead), or says what it needs first. A snapshot or proof
    /// given that is not the request's (another text, another catalog, no
    /// longer valid, a refusal with a status the reference never gives) is
    /// asked for again: the caller's mistake never decides (review, session
    /// 26).
    pub fn check(
        &self,
        request: &Request<'_>,
        (snapshot, proof): (Verified<'_>, Proof<'_>),
        (now, leeway): (u64, u64),
    ) -> Result<Checked, Need> {
        if !self.owns_snapshot(request, snapshot, now, leeway) {
            return Err(Need::Snapshot);
        }
        if !owns_proof(request, proof) {
            return Err(Need::Proof);
        }
        let routed = match self
            .table
            .route(request.method, request.target, request.method_override)
        {
            Ok(r) => r,
            Err(r) => {
                return Ok(Checked {
                    decision: Decision::answer(r.status, r.code, r.message),
                    explain: None,
                })
            }
        };
        let mut need = None;
        let mut explain = None;
        let at = Step {
            catalog: &self.catalog,
            request,
            snapshot,
            proof,
            path: routed.target.path.as_str(),
            now,
            leeway,
        };
        let decision = routed.run(&self.table, |rule, method| {
            match self.decide(&at, rule, method) {
                Ok((mut d, e)) => {
                    d.route = Some(rule.pattern.clone());
                    if !d.allowed() {
                        explain = e;
                    }
                    d
                }
                Err(n) => {
                    need = Some(n);
                    // Not allowed: the run ends here.
                    Decision::answer(0, "", String::new())
                }
            }
        });
        match need {
            Some(n) => Err(n),
            None => Ok(Checked {
                explain: explain.filter(|_| decision.code == "forbidden"),
                decision,
            }),
        }
    }

    /// Whether `snapshot`, as the caller passed it, is this request's: a
    /// refusal the reference gives (401, 503), or the request's own
    /// snapshot read against this gate's catalog and valid at `now`.
    fn owns_snapshot(
        &self,
        request: &Request<'_>,
        snapshot: Verified<'_>,
        now: u64,
        leeway: u64,
    ) -> bool {
        match snapshot {
            Verified::NotYet => true,
            Verified::Refused(d) => matches!(d.status, 401 | 503),
            Verified::Read(c, s, _) => {
                let text = self.snapshot_of(request);
                Rc::ptr_eq(c, &self.catalog)
                    && text.is_some_and(|t| crate::encoding::encodes(s.bytes(), t))
                    && s.check(None, now, leeway).is_ok()
            }
        }
    }

    /// Decides one rule for `method`: the reference gate's `decide`, the
    /// snapshot and the proof as the caller checked them.
    fn decide(
        &self,
        at: &Step<'_, '_>,
        rule: &Rule,
        method: &str,
    ) -> Result<(Decision, Option<usize>), Need> {
        if rule.public {
            return Ok((Decision::answer(200, "ok", "public route".into()), None));
        }
        let request = at.request;
        if let Err(d) = snapshot_text(request.authorization, request.cookie, &self.cookie) {
            return Ok((*d, None));
        }
        if !request.keys {
            return Ok((unavailable(), None));
        }
        if request.no_tenant {
            return Ok((no_tenant(), None));
        }
        let (s, e) = match at.snapshot {
            Verified::NotYet => return Err(Need::Snapshot),
            Verified::Refused(d) => return Ok((d.clone(), None)),
            Verified::Read(_, s, e) => (s, e),
        };
        let v = verdict(rule, &Held(s, e));
        let sent = request.step_up.is_some();
        let mut d = match (&v, sent, at.proof) {
            (Verdict::Pin(_), true, Proof::NotYet) => return Err(Need::Proof),
            (Verdict::Pin(_), true, Proof::Refused(d)) => d.clone(),
            (Verdict::Pin(list), true, Proof::Read(p)) => at.proved(s, e, p, list, method),
            _ => worded(&v, rule, at.catalog, sent),
        };
        d.subject = Some(text(s.subject.in_(s.bytes())).into());
        d.tenant = Some(text(s.tenant.in_(s.bytes())).into());
        let missing = match v {
            Verdict::Missing(i) => {
                let why = e.why(at.catalog, s, i);
                let code = crate::decision::Reason::CODES.get(usize::from(why.reason));
                d.reason = code.map(|c| c.0.into());
                Some(i)
            }
            _ => None,
        };
        Ok((d, missing))
    }
}

/// Whether `proof`, as the caller passed it, is this request's: a
/// refusal the reference gives (403), or the proof its header carries.
fn owns_proof(request: &Request<'_>, proof: Proof<'_>) -> bool {
    match proof {
        Proof::NotYet => true,
        Proof::Refused(d) => d.status == 403,
        Proof::Read(p) => request
            .step_up
            .is_some_and(|h| crate::encoding::encodes(p.bytes(), h.trim())),
    }
}

/// What every rule of one request is decided with.
struct Step<'a, 'r> {
    catalog: &'a Catalog,
    request: &'a Request<'r>,
    snapshot: Verified<'a>,
    proof: Proof<'a>,
    /// The request's canonical path.
    path: &'a str,
    now: u64,
    leeway: u64,
}

impl Step<'_, '_> {
    /// A proof read and signed, held to the request: the reference's
    /// `verify_step_up` after its signature (`step_up_mismatch`).
    fn proved(
        &self,
        s: &Snapshot,
        e: &Effective,
        p: &StepUp,
        list: &[usize],
        method: &str,
    ) -> Decision {
        let field = |span: super::Span| text(span.in_(p.bytes()));
        let permission = field(p.permission);
        let ours = self
            .catalog
            .permission(permission)
            .is_some_and(|i| list.contains(&i) && s.step_up(i) && e.can(i));
        let proved = Proved {
            tenant: field(p.tenant),
            snapshot: p.snapshot.in_(p.bytes()),
            account: field(p.account),
            permission,
            method: field(p.method),
            path: field(p.path),
            issued_at: p.issued_at,
            expires_at: p.expires_at(),
        };
        let expected = Expected {
            shared: s.flags & FLAG_SHARED != 0,
            tenant: text(s.tenant.in_(s.bytes())),
            subject: text(s.subject.in_(s.bytes())),
            snapshot: &s.id,
            permission: ours,
            method,
            path: self.path,
            now: self.now,
            leeway: self.leeway,
        };
        match step_up_mismatch(&proved, &expected) {
            Some(detail) => Decision::answer(403, "step_up_refused", step_up_refused(&detail)),
            None => proof_allowed(field(p.actor), permission, p.nonce.in_(p.bytes())),
        }
    }
}
