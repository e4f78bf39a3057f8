//! The verifier: keyring + catalog + options. Turns snapshot bytes or text
//! into [`Permissions`], or refuses with a typed error.

use super::cache::Cache;
use super::options::{Options, TenantCheck, MAX_LEEWAY};
use super::revocations::Revocations;
use crate::crypto::Keyring;
use crate::decision::Permissions;
use crate::error::{hex, Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::{Catalog, Revision};
use crate::model::def::Scope;
#[cfg(feature = "server")]
use crate::wire::Format1;
use crate::wire::{self, Claims, Notice};
use std::sync::Arc;

/// Verifies snapshots against a keyring and a catalog.
#[derive(Debug, Clone)]
pub struct Verifier {
    catalog: Arc<Catalog>,
    keyring: Keyring,
    options: Options,
    /// What signed notices and feeds revoked: it only grows.
    revocations: Revocations,
    /// The application's own list (`set_revocations`), apart: replacing
    /// it never lifts what a notice revoked.
    listed: Revocations,
    /// Issue time of the newest feed head applied, if any.
    pub(super) feed_at: Option<u64>,
    /// The format 1 catalog this one replaces, while its snapshots live.
    #[cfg(feature = "server")]
    format1: Option<Format1>,
    /// Latest clock revocations were pruned at.
    seen_at: u64,
    /// Verified snapshots.
    cache: Cache,
}

impl Verifier {
    /// A verifier for `catalog` trusting the keys of `keyring`.
    /// A leeway above [`MAX_LEEWAY`] is lowered to it.
    pub fn new(catalog: Catalog, keyring: Keyring, mut options: Options) -> Verifier {
        options.leeway = options.leeway.min(MAX_LEEWAY);
        Verifier {
            catalog: Arc::new(catalog),
            keyring,
            options,
            revocations: Revocations::default(),
            listed: Revocations::default(),
            feed_at: None,
            #[cfg(feature = "server")]
            format1: None,
            seen_at: 0,
            cache: Cache::default(),
        }
    }

    /// Also reads format 1 snapshots signed against `compiled` (the format
    /// 1 compiled catalog, binary or base64url), whose permissions, kinds,
    /// fields and applications must be exactly revision 1 of this
    /// verifier's catalog: for the day after an issuer moves to format 2,
    /// while its format 1 snapshots are still valid.
    #[cfg(feature = "server")]
    pub fn accept_format1(&mut self, compiled: &[u8]) -> Result<()> {
        self.format1 = Some(Format1::read(compiled, &self.catalog)?);
        self.cache.clear();
        Ok(())
    }

    /// The trusted keys.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Replaces the keyring (key rotation) without touching anything else.
    pub fn set_keyring(&mut self, mut keyring: Keyring) {
        keyring.keep_tables(&self.keyring);
        self.keyring = keyring;
        self.cache.clear();
    }

    /// Replaces the application's own revocation list. What signed
    /// notices and feeds revoked stays revoked: a list set after a notice
    /// (say, one without that notice's ids) lifted it (review, session 13).
    pub fn set_revocations(&mut self, revocations: Revocations) {
        self.listed = revocations;
    }

    /// Permissions that deny everything, for this verifier's catalog.
    pub fn deny_all(&self) -> Permissions {
        Permissions::deny_all(Arc::clone(&self.catalog))
    }

    /// The revocations signed notices and feeds brought (the
    /// application's own list, `set_revocations`, is kept apart).
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Verifies a signed revocation notice (binary or base64url text) with
    /// the keyring and adds it to the revocations. A notice for another
    /// tenant than the expected one is refused (`wrong_tenant`).
    ///
    /// With no clock given, what it revokes is kept until the next
    /// [`Verifier::forget_expired`] and a snapshot lifetime from then: a
    /// notice dated more than a day back (a replica's clock running
    /// behind) was forgotten at the next call while the snapshot it
    /// revoked was still valid (attack review, session 14).
    pub fn apply_notice(&mut self, input: &[u8]) -> Result<Notice> {
        self.apply_notice_seen(input, 0)
    }

    /// [`Verifier::apply_notice`] at `now` (the verifier's clock): what the
    /// notice revokes is kept at least a snapshot lifetime from then (or
    /// from the latest clock the verifier has seen), even when the notice
    /// is dated earlier (an issuer clock running behind, a stored edit
    /// time): [`Revocations::apply_seen`].
    pub fn apply_notice_at(&mut self, input: &[u8], now: u64) -> Result<Notice> {
        self.apply_notice_seen(input, now.max(self.seen_at))
    }

    /// `seen` 0: no clock ([`Revocations::apply_seen`]).
    fn apply_notice_seen(&mut self, input: &[u8], seen: u64) -> Result<Notice> {
        let bytes = wire::to_binary_framed(input, &wire::NOTICE_MAGIC, wire::MAX_NOTICE_LEN)?;
        let parts = wire::split_framed(&bytes, &wire::NOTICE_MAGIC, wire::MAX_NOTICE_LEN)?;
        self.keyring.verify_domain(
            wire::NOTICE_DOMAIN,
            parts.kid,
            parts.signed,
            parts.signature,
        )?;
        let notice = wire::decode_notice(parts.payload)?;
        if let TenantCheck::Fixed(expected) = &self.options.tenant {
            if &notice.tenant != expected {
                return Err(Error::WrongTenant {
                    expected: expected.clone(),
                    found: notice.tenant,
                });
            }
        }
        self.revocations.apply_seen(&notice, seen);
        Ok(notice)
    }

    /// Forgets the revoked ids and per-person bounds that can no longer
    /// matter at `now` (the verifier's clock, the one expiry is checked
    /// with): every snapshot they could revoke has expired. `apply_feed`
    /// does it; a verifier fed notices one by one calls it now and then.
    /// Never driven by the issuer's times, so an issuer clock running ahead
    /// cannot make a verifier forget a revocation early.
    pub fn forget_expired(&mut self, now: u64) {
        if now > self.seen_at {
            self.seen_at = now;
            self.revocations.prune(now, self.options.leeway);
        }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Verifies a snapshot (binary or base64url text) at time `now` (seconds
    /// since the Unix epoch). Order: size, magic, version, key, signature,
    /// payload, catalog, tenant, time, revocation.
    pub fn verify(&self, input: &[u8], now: u64) -> Result<Permissions> {
        let bytes = wire::to_binary(input)?;
        self.verify_binary(&bytes, now)
    }

    /// Verifies a snapshot given as base64url text.
    pub fn verify_text(&self, text: &str, now: u64) -> Result<Permissions> {
        let bytes = wire::text_to_binary(text)?;
        self.verify_binary(&bytes, now)
    }

    /// Verifies a binary snapshot.
    pub fn verify_binary(&self, bytes: &[u8], now: u64) -> Result<Permissions> {
        let claims = self.verify_signed(bytes)?;
        self.check_claims(&claims, now, None)?;
        Ok(Permissions::new(
            Arc::clone(&self.catalog),
            Arc::new(claims),
        ))
    }

    /// Like [`Verifier::verify`], but remembers the last snapshots whose
    /// signature verified, keyed by their exact input (text or binary, as
    /// given): loading the same
    /// snapshot again (every request of an edge worker) skips the signature
    /// and decoding, never the time, tenant and revocation checks. Changing
    /// the keyring empties the cache.
    pub fn verify_cached(&mut self, input: &[u8], now: u64) -> Result<Permissions> {
        self.cached(input, now, None)
    }

    /// [`Verifier::verify_cached`] for a request of account `tenant`: the
    /// snapshot must belong to it (and to the verifier's own account, when
    /// it has one). The way to verify with [`TenantCheck::PerRequest`].
    pub fn verify_for(&mut self, input: &[u8], tenant: &str, now: u64) -> Result<Permissions> {
        if tenant.is_empty() {
            return Err(Error::InvalidArgument {
                detail: "the request's account is empty".into(),
            });
        }
        self.cached(input, now, Some(tenant))
    }

    fn cached(&mut self, input: &[u8], now: u64, tenant: Option<&str>) -> Result<Permissions> {
        if input.is_empty() {
            return Err(Error::NoSnapshot);
        }
        if let Some(entry) = self.cache.get(input) {
            self.check_claims(&entry.claims, now, tenant)?;
            return Ok(Permissions::from_shared(
                Arc::clone(&self.catalog),
                Arc::clone(&entry.claims),
                Arc::clone(&entry.effective),
            ));
        }
        let bytes = wire::to_binary(input)?;
        let claims = self.verify_signed(&bytes)?;
        self.check_claims(&claims, now, tenant)?;
        let permissions = Permissions::new(Arc::clone(&self.catalog), Arc::new(claims));
        let (claims, effective) = permissions.shared();
        self.cache.put(input, claims, effective);
        Ok(permissions)
    }

    /// Signature and structure: everything that does not depend on the clock
    /// or on revocations.
    fn verify_signed(&self, bytes: &[u8]) -> Result<Claims> {
        let parts = wire::split(bytes)?;
        let claims = if parts.version == wire::FORMAT1 {
            self.format1_claims(&parts)?
        } else {
            self.keyring
                .verify(parts.kid, parts.signed, parts.signature)?;
            wire::decode_payload(parts.payload)?
        };
        fit(&self.catalog, claims)
    }

    /// A format 1 snapshot, read with the format 1 catalog when one was
    /// given ([`Verifier::accept_format1`]).
    #[cfg(feature = "server")]
    fn format1_claims(&self, parts: &wire::Parts<'_>) -> Result<Claims> {
        let format1 = self
            .format1
            .as_ref()
            .ok_or_else(|| unsupported(parts.version))?;
        self.keyring.verify_domain(
            wire::FORMAT1_SIGNING_DOMAIN,
            parts.kid,
            parts.signed,
            parts.signature,
        )?;
        let revision1 = self
            .catalog
            .revisions()
            .first()
            .map_or([0; 8], |r| r.fingerprint);
        format1.decode(parts.payload, revision1)
    }

    /// This build does not read format 1 (the browser build).
    #[cfg(not(feature = "server"))]
    fn format1_claims(&self, parts: &wire::Parts<'_>) -> Result<Claims> {
        Err(unsupported(parts.version))
    }

    /// Account, time and revocation: what is checked on every load, also
    /// for a cached snapshot. `tenant` is the request's account, if named.
    fn check_claims(&self, claims: &Claims, now: u64, tenant: Option<&str>) -> Result<()> {
        let wrong = |expected: &str| Error::WrongTenant {
            expected: expected.to_owned(),
            found: claims.tenant.clone(),
        };
        match (&self.options.tenant, tenant) {
            (TenantCheck::Fixed(expected), _) if &claims.tenant != expected => {
                return Err(wrong(expected))
            }
            (TenantCheck::PerRequest, None) => {
                return Err(Error::InvalidArgument {
                    detail: "this verifier checks the account per request: name it (verify_for / loadFor / a Gate's tenantOf)".into(),
                })
            }
            _ => {}
        }
        if let Some(expected) = tenant {
            if claims.tenant != expected {
                return Err(wrong(expected));
            }
        }
        if now > claims.expires_at.saturating_add(self.options.leeway) {
            return Err(Error::Expired {
                expires_at: claims.expires_at,
                now,
            });
        }
        if now.saturating_add(self.options.leeway) < claims.not_before {
            return Err(Error::NotYetValid {
                not_before: claims.not_before,
                now,
            });
        }
        self.check_feed(now)?;
        self.listed.check(claims)?;
        self.revocations.check(claims)
    }

    /// With [`Options::max_feed_age`]: a feed head applied, recent enough.
    fn check_feed(&self, now: u64) -> Result<()> {
        let Some(max) = self.options.max_feed_age else {
            return Ok(());
        };
        match self.feed_at {
            None => Err(Error::StaleFeed {
                detail: "no revocation feed has been applied yet".into(),
            }),
            Some(at) if now > at.saturating_add(max) => Err(Error::StaleFeed {
                detail: format!(
                    "the last feed head was signed {} s ago; the limit is {max} s",
                    now - at
                ),
            }),
            Some(_) => Ok(()),
        }
    }

    /// Checks whether a verified snapshot is still good at `now` (an object
    /// kept in memory outlives its snapshot's expiry).
    pub fn recheck(&self, permissions: &Permissions, now: u64) -> Result<()> {
        let c = permissions.claims();
        if now > c.expires_at.saturating_add(self.options.leeway) {
            return Err(Error::Expired {
                expires_at: c.expires_at,
                now,
            });
        }
        self.check_feed(now)?;
        self.listed.check(c)?;
        self.revocations.check(c)
    }
}

/// Reads claims against the verifier's catalog (FORMAT.md, "Catalog
/// revisions"): a snapshot of this revision or an earlier one is read with
/// that revision's shape, and what it could not know is widened the safe
/// way (permissions and applications added later not granted, kinds added
/// later without scope and every field hidden, fields added later hidden);
/// a snapshot one revision ahead, whose previous revision is this one, is
/// read with this revision's shape, what this verifier does not know
/// dropped. Anything else is another catalog.
/// A format version this verifier does not read.
fn unsupported(found: u8) -> Error {
    Error::UnsupportedVersion {
        found,
        min: wire::MIN_VERSION,
        max: wire::MAX_VERSION,
    }
}

fn fit(catalog: &Catalog, mut c: Claims) -> Result<Claims> {
    if let Some(rev) = catalog.revision_by_fingerprint(&c.catalog) {
        if c.revision != rev.number {
            return Err(Error::Malformed {
                detail: format!(
                    "the snapshot names revision {} but carries the fingerprint of revision {}",
                    c.revision, rev.number
                ),
            });
        }
        check_shape(catalog, rev, &c)?;
        let kinds = catalog.kind_count();
        c.scopes.resize(kinds, Scope::None);
        c.hidden.resize(kinds, Bits::new());
        for (k, hidden) in c.hidden.iter_mut().enumerate() {
            let known = rev.fields.get(k).copied().unwrap_or(0);
            let all = catalog.kind_def(k).map_or(0, |d| d.fields.len());
            for f in known..all {
                hidden.set(f);
            }
        }
        return Ok(c);
    }
    let latest = catalog.revisions().last();
    if let (Some(rev), Some(previous)) = (latest, c.previous) {
        if previous == rev.fingerprint && c.revision == rev.number.saturating_add(1) {
            let n = rev.permissions;
            c.permissions = c.permissions.truncated(n);
            c.step_up = c.step_up.truncated(n);
            for r in &mut c.roles {
                r.permissions = r.permissions.truncated(n);
            }
            c.apps = c.apps.truncated(rev.applications);
            c.features = c.features.truncated(rev.features);
            c.permission_scopes.retain(|(i, _)| (*i as usize) < n);
            c.scopes.truncate(rev.kinds());
            // Hidden sets keep their bits past this revision's fields: the
            // fields the snapshot hides that this catalog cannot name, so
            // that `hidden_fields` and `redaction` on such a kind refuse
            // rather than pass them through (a field a role hides, added
            // by the next revision: attack review, session 18).
            c.hidden.truncate(rev.kinds());
            c.scopes.resize(rev.kinds(), Scope::None);
            c.hidden.resize(rev.kinds(), Bits::new());
            return Ok(c);
        }
    }
    let ahead = if c.revision > catalog.revision().saturating_add(1) {
        " (a later revision than this verifier's next one: deploy the newer compiled catalog here)"
    } else {
        ""
    };
    Err(Error::WrongCatalog {
        expected: format!(
            "{} (revision {} of `{}`)",
            catalog.fingerprint_hex(),
            catalog.revision(),
            catalog.name()
        ),
        found: format!("{} (revision {}){ahead}", hex(&c.catalog), c.revision),
    })
}

/// A signed snapshot from a well-meaning issuer always fits the revision it
/// names; anything else is malformed.
fn check_shape(catalog: &Catalog, rev: &Revision, c: &Claims) -> Result<()> {
    let bad = |what: &str| Error::Malformed {
        detail: format!("{what} does not fit catalog revision {}", rev.number),
    };
    let n = rev.permissions;
    if !c.permissions.fits(n)
        || !c.step_up.fits(n)
        || c.roles.iter().any(|r| !r.permissions.fits(n))
    {
        return Err(bad("a permission set"));
    }
    if c.scopes.len() > rev.kinds() {
        return Err(bad("the list of scopes"));
    }
    if c.hidden.len() > rev.kinds()
        || c.hidden
            .iter()
            .zip(&rev.fields)
            .any(|(h, fields)| !h.fits(*fields))
    {
        return Err(bad("the hidden field sets"));
    }
    if !c.apps.fits(rev.applications) {
        return Err(bad("the application set"));
    }
    if !c.features.fits(rev.features) {
        return Err(bad("the feature set"));
    }
    if c.permission_scopes
        .iter()
        .any(|(i, _)| *i as usize >= n || !catalog.is_scoped(*i as usize))
    {
        return Err(bad("a permission scope"));
    }
    Ok(())
}
