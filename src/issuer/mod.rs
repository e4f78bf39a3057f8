//! The issuer: loads the catalog and an account's roles once, computes a
//! staff member's snapshot from a record given at runtime, and signs
//! snapshots, revocation notices and feed heads. Behind the `issuer`
//! feature; never part of the browser build.
//!
//! ```
//! use permsnap::issuer::{Account, IssueOptions, Issuer, RecordReader, Roles};
//! use permsnap::{Catalog, IssuerKey};
//!
//! # fn main() -> permsnap::Result<()> {
//! let catalog = Catalog::from_json(include_str!("../../presets/sitee.json"), "sitee.json")?;
//! let key = IssuerKey::generate(None)?; // or IssuerKey::from_jwk_json(&std::fs::read_to_string("keys/issuer.key")?)
//! let issuer = Issuer::new(catalog, key)?;
//! // Once per account, and again when an admin edits its roles:
//! let roles = Roles::from_json(issuer.catalog(), r#"[{"id": "reception", "permissions": ["calendar.view"], "scopes": {"*": "all"}}]"#)?;
//! let account = Account::new("spa-lumi", roles)?;
//! // Per request, from the database row (extra columns named, never guessed):
//! let reader = RecordReader::new(&["email"])?;
//! let staff = reader.read(r#"{"id": "u42", "roles": ["reception"], "version": 7, "email": "a@b.c"}"#)?;
//! let snapshot = issuer.issue(&account, &staff, &IssueOptions::now())?;
//! assert!(snapshot.text().len() < 4096);
//! # Ok(()) }
//! ```

mod json;
mod merge;
pub(crate) mod names;
mod policy;
mod record;
mod review;
mod roles;
mod warning;

pub use json::{generate_key_json, JsonIssuer};
pub use names::{accounts_named, case_twin_error, case_twins};
pub use policy::Policy;
pub use record::{RecordReader, RECORD_KEYS};
pub use roles::{CompiledRole, Roles};
pub use warning::Warning;

use crate::crypto::signing::IssuerKey;
use crate::encoding as base64url;
use crate::error::{Error, Result};
use crate::model::catalog::Catalog;
use crate::model::def::{IdListRef, Scope, StaffRecord};
use crate::wire::{self, Claims, FeedHead, Notice, FLAG_OWNER, FLAG_PRINCIPAL, FLAG_SHARED};

pub use crate::wire::MAX_LIFETIME;

/// Default snapshot lifetime: 15 minutes.
pub const DEFAULT_LIFETIME: u32 = 15 * 60;

/// Latest start of validity after the issue time: one day.
pub const MAX_NOT_BEFORE_OFFSET: u32 = 24 * 60 * 60;

/// A `specific` id list whose encoding is longer than this many bytes
/// travels beside the snapshot (FORMAT.md, "Id lists"), so the snapshot
/// stays well under a cookie's 4 KB.
pub const INLINE_IDS_MAX: usize = 512;

/// The largest person version an issuer signs (2^53 - 2), so that a notice
/// "before" the next one (2^53 - 1, the largest integer every issuer's
/// language holds exactly) can revoke it. Python and the CLI read a `u64`,
/// Node a number: a version past 2^53 - 1 was issued by Python while Node's
/// `revoke` could not name it (review, session 23), and at 2^53 - 1 no
/// notice could revoke it (re-review, session 24). A counter never gets
/// there.
pub const MAX_VERSION: u64 = (1 << 53) - 2;

/// One business account as the issuer sees it: its id, its roles (compiled
/// once; rebuild when an admin edits them) and its revocation epoch.
#[derive(Debug, Clone)]
pub struct Account {
    tenant: String,
    roles: Roles,
    epoch: u32,
    features: Vec<String>,
}

impl Account {
    /// An account with epoch 0.
    pub fn new(tenant: impl Into<String>, roles: Roles) -> Result<Account> {
        let tenant = tenant.into();
        if let Some(problem) = names::id_problem(&tenant) {
            return Err(Error::InvalidArgument {
                detail: format!("the account (tenant) id {tenant:?} {problem}"),
            });
        }
        Ok(Account {
            tenant,
            roles,
            epoch: 0,
            features: Vec::new(),
        })
    }

    /// An account whose roles are read from JSON ([`Roles::from_json`])
    /// and whose features are every one the catalog's (`unknown_feature`
    /// otherwise): what `setAccount` (npm, Python) and `permsnap serve`'s
    /// `roles` load.
    pub fn from_json(
        catalog: &Catalog,
        tenant: impl Into<String>,
        roles: &str,
        features: Vec<String>,
    ) -> Result<Account> {
        let roles = Roles::from_json(catalog, roles)?;
        for f in &features {
            catalog.feature(f)?;
        }
        Ok(Account::new(tenant, roles)?.with_features(features))
    }

    /// The same account with these features (ids of the catalog's
    /// `features`: a plan or partner tier the account has). Checked when
    /// issuing: an unknown id refuses every snapshot of the account
    /// (`unknown_feature`), never dropped.
    pub fn with_features<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Account {
        self.features = ids.into_iter().map(Into::into).collect();
        self
    }

    /// The account's features.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// The same account at revocation epoch `epoch` (raised to log
    /// everyone of the account out).
    pub fn with_epoch(mut self, epoch: u32) -> Account {
        self.epoch = epoch;
        self
    }

    /// The account id.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The account's roles.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// The revocation epoch.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }
}

/// What a step-up proof is for: the staff member who gave their PIN, the
/// action and the request it allows.
#[derive(Debug, Clone, Copy)]
pub struct StepUpRequest<'a> {
    /// The staff id of the person who gave their PIN.
    pub actor: &'a str,
    /// The permission the action needs.
    pub permission: &'a str,
    /// The request method.
    pub method: &'a str,
    /// The request's canonical path, without query.
    pub path: &'a str,
    /// Seconds the proof lives, 1 to 60.
    pub lifetime: u8,
}

/// An id list that travels beside a snapshot: serve `bytes` (or
/// [`IdListDoc::text`]) to whoever loads the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdListDoc {
    /// The record kind it lists ids of.
    pub kind: String,
    /// The binary id list.
    pub bytes: Vec<u8>,
    /// What the snapshot names: count and digest.
    pub reference: IdListRef,
}

impl IdListDoc {
    /// The base64url text form.
    pub fn text(&self) -> String {
        base64url::encode(&self.bytes)
    }

    /// The digest as hex: a stable name for caching (content-addressed).
    pub fn digest_hex(&self) -> String {
        crate::error::hex(&self.reference.digest)
    }
}

/// A signed snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The binary form.
    pub bytes: Vec<u8>,
    /// What it says.
    pub claims: Claims,
    /// Id lists that travel beside it (long `specific` scopes).
    pub id_lists: Vec<IdListDoc>,
    /// What the staff record asked that has no effect.
    pub warnings: Vec<Warning>,
}

impl Snapshot {
    /// The base64url text form, for cookies and headers.
    pub fn text(&self) -> String {
        base64url::encode(&self.bytes)
    }

    /// What the issuers of other languages (the npm `permsnap/issuer`
    /// entry, the Python module) return for one issue, one shape for all:
    /// `{snapshot, id, issuedAt, expiresAt, warnings: [{code, staff, field,
    /// message}], idLists: [{kind, digest, count, list}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = issued_json(&self.claims, &self.warnings, &self.id_lists);
        if let Some(map) = v.as_object_mut() {
            map.insert("snapshot".into(), self.text().into());
        }
        v
    }
}

/// Per-issue settings.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// Issue time, seconds since the Unix epoch.
    pub now: u64,
    /// Lifetime in seconds.
    pub lifetime: u32,
    /// Start of validity, seconds after `now` (normally 0).
    pub not_before_offset: u32,
    /// Snapshot id; random when `None`.
    pub id: Option<[u8; 8]>,
}

impl IssueOptions {
    /// Refuses a lifetime of 0 or above [`MAX_LIFETIME`], or a start of
    /// validity further than [`MAX_NOT_BEFORE_OFFSET`].
    pub fn check(&self) -> Result<()> {
        if self.lifetime == 0 || self.lifetime > MAX_LIFETIME {
            return Err(Error::InvalidArgument {
                detail: format!(
                    "a snapshot lifetime is 1 to {MAX_LIFETIME} seconds (one day), got {}",
                    self.lifetime
                ),
            });
        }
        if self.not_before_offset > MAX_NOT_BEFORE_OFFSET || self.not_before_offset >= self.lifetime
        {
            return Err(Error::InvalidArgument {
                detail: "the start of validity must fall within the lifetime and one day".into(),
            });
        }
        Ok(())
    }

    /// Defaults at time `now`: 15 minutes, random id.
    pub fn at(now: u64) -> IssueOptions {
        IssueOptions {
            now,
            lifetime: DEFAULT_LIFETIME,
            not_before_offset: 0,
            id: None,
        }
    }

    /// Defaults at the system clock's time.
    pub fn now() -> IssueOptions {
        IssueOptions::at(unix_now())
    }
}

/// Seconds since the Unix epoch, from the system clock.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The catalog (compiled from its definition) and the signing key: what a
/// backend keeps for its whole life.
#[derive(Debug)]
pub struct Issuer {
    catalog: Catalog,
    key: IssuerKey,
}

impl Issuer {
    /// An issuer for `catalog`, which must have been compiled from its
    /// definition ([`Catalog::from_json`], [`Catalog::compile`]): a compiled
    /// catalog lacks what issuing checks (owner-only powers, sections).
    pub fn new(catalog: Catalog, key: IssuerKey) -> Result<Issuer> {
        roles::definition(&catalog)?;
        Ok(Issuer { catalog, key })
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The signing key.
    pub fn key(&self) -> &IssuerKey {
        &self.key
    }

    /// The claims a snapshot for `staff` would carry (id zero unless set),
    /// with the id lists that would travel beside it.
    pub fn claims(
        &self,
        account: &Account,
        staff: &StaffRecord,
        opts: &IssueOptions,
    ) -> Result<(Claims, Vec<IdListDoc>)> {
        claims(&self.catalog, account, staff, opts)
    }

    /// Everything of `staff`'s snapshot but the signature: sign
    /// [`Unsigned::message`] with this issuer's key elsewhere (the same
    /// Ed25519 signature, deterministic), then [`Unsigned::finish`].
    pub fn prepare(
        &self,
        account: &Account,
        staff: &StaffRecord,
        opts: &IssueOptions,
    ) -> Result<Unsigned> {
        prepare(&self.catalog, self.key.kid(), account, staff, opts)
    }

    /// Issues and signs a snapshot for `staff` of `account`.
    pub fn issue(
        &self,
        account: &Account,
        staff: &StaffRecord,
        opts: &IssueOptions,
    ) -> Result<Snapshot> {
        issue_with(&self.catalog, &self.key, account, staff, opts)
    }

    /// The account check an app runs when it saves staff: broken roles,
    /// the product's account rules (one principal admin, one owner...),
    /// every active person who would be refused a snapshot and why, and
    /// every adjustment without effect. Nothing here stops anyone else's
    /// snapshot; an app refuses the save, or shows the list, as it sees fit.
    pub fn review(&self, account: &Account, staff: &[StaffRecord]) -> (Vec<Error>, Vec<Warning>) {
        review::review(&self.catalog, account, staff, "")
    }

    /// Signs a revocation notice; returns the binary notice.
    pub fn revoke(&self, notice: &Notice) -> Result<Vec<u8>> {
        sign_notice(&self.key, notice)
    }

    /// Signs a step-up proof, once the backend has checked the PIN of
    /// `actor` (a staff member of the account) on the shared account whose
    /// snapshot (binary or text, as the request carried it) is `snapshot`:
    /// the snapshot is verified with this issuer's key, must be a shared
    /// account's, valid at `now`, and grant `permission` behind a PIN. The
    /// proof binds the snapshot, the acting person, the action, `method`
    /// and the canonical `path` (no query), lives `lifetime` seconds (1 to
    /// 60) and carries a random nonce. Neither the PIN nor its hash is in
    /// it.
    pub fn step_up(
        &self,
        snapshot: &[u8],
        request: &StepUpRequest<'_>,
        now: u64,
    ) -> Result<Vec<u8>> {
        let mut keyring = crate::crypto::Keyring::new();
        keyring.insert(self.key.kid(), &self.key.public_key())?;
        let claims =
            crate::Verifier::new(self.catalog.clone(), keyring, crate::Options::any_tenant())
                .verify(snapshot, now)?
                .claims()
                .clone();
        let bad = |detail: String| Error::InvalidArgument { detail };
        // The acting person's id as snapshots carry ids: `desk ` or
        // `desk\u{200B}` would pass as another person than the shared
        // account `desk` (review, session 13).
        if let Some(problem) = names::id_problem(request.actor) {
            return Err(bad(format!(
                "the acting person's id {:?} {problem}",
                request.actor
            )));
        }
        if claims.flags & FLAG_SHARED == 0 {
            return Err(bad(format!(
                "snapshot of `{}` is not a shared account's: only shared accounts take a PIN step-up",
                claims.subject
            )));
        }
        let i = self.catalog.perm(request.permission)?;
        if !claims.step_up.get(i) {
            return Err(bad(format!(
                "`{}` needs no PIN on this shared account",
                request.permission
            )));
        }
        if request.path.contains(['?', '#']) {
            return Err(bad("the path is the canonical path, without query".into()));
        }
        // A proof only a gate can match: a known method, the canonical
        // spelling of the path (what the gate compares it with).
        let method = request.method.to_ascii_uppercase();
        if !crate::path::KNOWN_METHODS.contains(&method.as_str()) {
            return Err(bad(format!(
                "`{}` is not an HTTP method the gate knows ({})",
                request.method,
                crate::path::KNOWN_METHODS.join(", ")
            )));
        }
        // Signed decoded, as the gate compares it (`/api/a%20b` is
        // `/api/a b`); a path no gate accepts (`//`, a dot segment, an
        // escaped unreserved character) is refused.
        let path = crate::path::canonical_path(request.path)
            .map_err(|e| bad(format!("the path `{}`: {e}", request.path)))?;
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).map_err(|e| bad(format!("no randomness: {e}")))?;
        let proof = wire::StepUp {
            tenant: claims.tenant,
            snapshot: claims.id,
            account: claims.subject,
            actor: request.actor.to_owned(),
            permission: request.permission.to_owned(),
            method,
            path,
            issued_at: now,
            lifetime: request.lifetime,
            nonce,
        };
        let mut bytes = wire::encode_step_up_unsigned(self.key.kid(), &proof)?;
        let sig = self.key.sign_domain(wire::STEP_UP_DOMAIN, &bytes);
        bytes.extend_from_slice(&sig);
        Ok(bytes)
    }

    /// Signs the head of a revocation feed holding `notices` (binary forms,
    /// in feed order) at time `now`; `tenant` `None` for a feed of every
    /// account of the issuer.
    pub fn feed_head(
        &self,
        tenant: Option<&str>,
        now: u64,
        notices: &[Vec<u8>],
    ) -> Result<Vec<u8>> {
        sign_feed_head(&self.key, tenant, now, notices)
    }
}

/// The claims for `staff` of `account` under the latest revision of
/// `catalog`, long `specific` lists moved beside the snapshot.
pub(crate) fn claims(
    catalog: &Catalog,
    account: &Account,
    staff: &StaffRecord,
    opts: &IssueOptions,
) -> Result<(Claims, Vec<IdListDoc>)> {
    claims_and_warnings(catalog, account, staff, opts).map(|(c, l, _)| (c, l))
}

/// [`claims`], with what the record asked that has no effect.
fn claims_and_warnings(
    catalog: &Catalog,
    account: &Account,
    staff: &StaffRecord,
    opts: &IssueOptions,
) -> Result<(Claims, Vec<IdListDoc>, Vec<Warning>)> {
    // Seconds: a time in milliseconds (or past the year 9999) signs a
    // snapshot that no verifier accepts; refused on every path (CLI
    // `--now`, `serve`, npm, Python).
    if opts.now > wire::MAX_TIME {
        return Err(Error::InvalidArgument {
            detail: format!(
                "`now` is seconds since the Unix epoch, got {} (milliseconds?)",
                opts.now
            ),
        });
    }
    if staff.version > MAX_VERSION {
        return Err(Error::InvalidArgument {
            detail: format!(
                "the record's version is {}, past 2^53 - 2: a notice could not revoke it in every issuer's language",
                staff.version
            ),
        });
    }
    let mut g = merge::grants(catalog, account, staff)?;
    // Kinds out of reach (every permission on them behind a feature the
    // account lacks or an application the person does not enter) are
    // written closed, as verifiers read them: no scope, every field
    // hidden, no id list beside the snapshot.
    for k in crate::decision::out_of_reach(catalog, &g.features, &g.apps) {
        crate::decision::close_kind(catalog, k, &mut g.scopes, &mut g.hidden);
    }
    let mut id_lists = Vec::new();
    let mut scopes = g.scopes;
    for (k, scope) in scopes.iter_mut().enumerate() {
        let Scope::Specific(ids) = scope else {
            continue;
        };
        let inline: usize = ids.iter().map(|i| i.len() + 2).sum();
        if inline > INLINE_IDS_MAX {
            let (bytes, reference) = wire::encode_id_list(ids)?;
            let kind = catalog
                .kind_def(k)
                .map(|d| d.name.clone())
                .unwrap_or_default();
            id_lists.push(IdListDoc {
                kind,
                bytes,
                reference,
            });
            *scope = Scope::Listed(reference);
        }
    }
    let mut flags = 0;
    if g.owner {
        flags |= FLAG_OWNER;
    }
    if staff.principal {
        flags |= FLAG_PRINCIPAL;
    }
    if staff.shared_account {
        flags |= FLAG_SHARED;
    }
    let revisions = catalog.revisions();
    let claims = Claims {
        tenant: account.tenant.clone(),
        subject: staff.id.clone(),
        issued_at: opts.now,
        not_before: opts.now.saturating_add(u64::from(opts.not_before_offset)),
        expires_at: opts.now.saturating_add(u64::from(opts.lifetime)),
        id: opts.id.unwrap_or([0; 8]),
        epoch: account.epoch,
        version: staff.version,
        catalog: catalog.fingerprint(),
        revision: catalog.revision(),
        previous: revisions
            .len()
            .checked_sub(2)
            .and_then(|i| revisions.get(i))
            .map(|r| r.fingerprint),
        flags,
        roles: g.roles,
        permissions: g.permissions,
        step_up: g.step_up,
        scopes,
        hidden: g.hidden,
        apps: g.apps,
        features: g.features,
        permission_scopes: g.permission_scopes,
    };
    Ok((claims, id_lists, g.warnings))
}

/// Computes, identifies and signs a snapshot.
pub(crate) fn issue_with(
    catalog: &Catalog,
    key: &IssuerKey,
    account: &Account,
    staff: &StaffRecord,
    opts: &IssueOptions,
) -> Result<Snapshot> {
    let unsigned = prepare(catalog, key.kid(), account, staff, opts)?;
    let signature = key.sign(&unsigned.bytes);
    Ok(unsigned.finish(&signature))
}

/// Everything of a snapshot but its signature, for an issuer whose
/// signature comes from elsewhere (the platform's Ed25519 in Node: the
/// npm issuer signs `message` there, then calls `finish`).
#[derive(Debug, Clone)]
pub struct Unsigned {
    /// The header and payload: the snapshot without its signature.
    pub bytes: Vec<u8>,
    /// What the signature covers: the signing domain, then `bytes`.
    pub message: Vec<u8>,
    claims: Claims,
    id_lists: Vec<IdListDoc>,
    warnings: Vec<Warning>,
}

impl Unsigned {
    /// The snapshot, with `signature` (Ed25519 over `message`) appended.
    pub fn finish(self, signature: &[u8; wire::SIGNATURE_LEN]) -> Snapshot {
        let mut bytes = self.bytes;
        bytes.extend_from_slice(signature);
        Snapshot {
            bytes,
            claims: self.claims,
            id_lists: self.id_lists,
            warnings: self.warnings,
        }
    }
}

impl Unsigned {
    /// [`Snapshot::to_json`] without `snapshot` (added once signed).
    pub fn to_json(&self) -> serde_json::Value {
        issued_json(&self.claims, &self.warnings, &self.id_lists)
    }
}

fn issued_json(claims: &Claims, warnings: &[Warning], id_lists: &[IdListDoc]) -> serde_json::Value {
    serde_json::json!({
        "id": crate::error::hex(&claims.id),
        "issuedAt": claims.issued_at,
        "expiresAt": claims.expires_at,
        "warnings": warnings.iter().map(|w| serde_json::json!({
            "code": w.code, "staff": w.staff, "field": w.field, "message": w.to_string()
        })).collect::<Vec<_>>(),
        "idLists": id_lists.iter().map(|l| serde_json::json!({
            "kind": l.kind, "digest": l.digest_hex(), "count": l.reference.count, "list": l.text()
        })).collect::<Vec<_>>(),
    })
}

/// Computes, identifies and encodes a snapshot, unsigned.
pub(crate) fn prepare(
    catalog: &Catalog,
    kid: &str,
    account: &Account,
    staff: &StaffRecord,
    opts: &IssueOptions,
) -> Result<Unsigned> {
    opts.check()?;
    let (mut claims, id_lists, warnings) = claims_and_warnings(catalog, account, staff, opts)?;
    claims.id = match opts.id {
        Some(id) => id,
        None => random_id()?,
    };
    let bytes = wire::encode_unsigned(kid, &claims)?;
    let mut message = Vec::with_capacity(wire::SIGNING_DOMAIN.len() + bytes.len());
    message.extend_from_slice(wire::SIGNING_DOMAIN);
    message.extend_from_slice(&bytes);
    Ok(Unsigned {
        bytes,
        message,
        claims,
        id_lists,
        warnings,
    })
}

fn random_id() -> Result<[u8; 8]> {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).map_err(|e| Error::InvalidArgument {
        detail: format!("no randomness for the snapshot id: {e}"),
    })?;
    Ok(id)
}

/// Encodes and signs arbitrary claims (used by `issue`, and by tests and
/// vectors that need snapshots no policy would produce).
pub fn sign_claims(key: &IssuerKey, claims: Claims) -> Result<Snapshot> {
    let mut bytes = wire::encode_unsigned(key.kid(), &claims)?;
    let sig = key.sign(&bytes);
    bytes.extend_from_slice(&sig);
    Ok(Snapshot {
        bytes,
        claims,
        id_lists: Vec::new(),
        warnings: Vec::new(),
    })
}

/// Encodes and signs a revocation notice; returns the binary notice.
pub fn sign_notice(key: &IssuerKey, notice: &Notice) -> Result<Vec<u8>> {
    if notice.tenant.is_empty() || notice.staff.iter().any(|s| s.subject.is_empty()) {
        return Err(Error::InvalidArgument {
            detail: "a notice names its account and every person it revokes".into(),
        });
    }
    if let Some(s) = notice.staff.iter().find(|s| s.before > MAX_VERSION + 1) {
        return Err(Error::InvalidArgument {
            detail: format!(
                "the notice for `{}` revokes versions below {}, past 2^53 - 1: no issuer signs such a version",
                s.subject, s.before
            ),
        });
    }
    // The ids exactly as snapshots carry them: a padded one revokes nobody.
    for id in std::iter::once(&notice.tenant).chain(notice.staff.iter().map(|s| &s.subject)) {
        if let Some(problem) = names::id_problem(id) {
            return Err(Error::InvalidArgument {
                detail: format!("the notice's id {id:?} {problem}"),
            });
        }
    }
    // Versions start at 1: "below 0" revokes nobody, an app's mistake.
    if let Some(s) = notice.staff.iter().find(|s| s.before == 0) {
        return Err(Error::InvalidArgument {
            detail: format!(
                "the notice for `{}` revokes versions below 0, which is none: give the person's new version (1 or more)",
                s.subject
            ),
        });
    }
    let mut bytes = wire::encode_notice_unsigned(key.kid(), notice)?;
    let sig = key.sign_domain(wire::NOTICE_DOMAIN, &bytes);
    bytes.extend_from_slice(&sig);
    Ok(bytes)
}

/// Signs a feed head for `notices` (binary forms, in feed order).
pub fn sign_feed_head(
    key: &IssuerKey,
    tenant: Option<&str>,
    now: u64,
    notices: &[Vec<u8>],
) -> Result<Vec<u8>> {
    if let Some(tenant) = tenant {
        // The id exactly as snapshots and notices carry it: a padded one
        // makes every edge refuse the feed (`wrong_tenant`), and its
        // notices never apply (attack review, session 16).
        if let Some(problem) = names::id_problem(tenant) {
            return Err(Error::InvalidArgument {
                detail: format!(
                    "a feed head names an account or none (every account): {tenant:?} {problem}"
                ),
            });
        }
        // An account's feed holds that account's notices: another's would
        // be skipped by every edge, revoking nothing.
        for n in notices {
            let parts = wire::split_framed(n, &wire::NOTICE_MAGIC, wire::MAX_NOTICE_LEN)?;
            let notice = wire::decode_notice(parts.payload)?;
            if notice.tenant != tenant {
                return Err(Error::InvalidArgument {
                    detail: format!(
                        "the feed of `{tenant}` holds a notice of `{}`: edges would skip it",
                        notice.tenant
                    ),
                });
            }
        }
    }
    let head = FeedHead {
        tenant: tenant.map(str::to_owned),
        issued_at: now,
        count: u32::try_from(notices.len()).map_err(|_| Error::InvalidArgument {
            detail: "too many notices in one feed".into(),
        })?,
        digest: wire::feed_digest(notices),
    };
    let mut bytes = wire::encode_feed_head_unsigned(key.kid(), &head)?;
    let sig = key.sign_domain(wire::FEED_DOMAIN, &bytes);
    bytes.extend_from_slice(&sig);
    Ok(bytes)
}
