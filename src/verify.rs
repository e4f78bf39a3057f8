//! The verifier: keyring + catalog + options. Turns snapshot bytes or text
//! into [`Permissions`], or refuses with a typed error.

use crate::crypto::Keyring;
use crate::decision::Permissions;
use crate::error::{hex, Error, Result};
use crate::format::{self, Claims, Notice};
use crate::model::bits::Bits;
use crate::model::catalog::Catalog;
use std::sync::Arc;

/// Default clock leeway, seconds.
pub const DEFAULT_LEEWAY: u64 = 30;

/// How a verifier checks the account (tenant) a snapshot belongs to. There
/// is no default: leaving it out must not accept another account's
/// snapshots signed by the same issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCheck {
    /// Only snapshots (and revocation notices) of this account.
    Fixed(String),
    /// One verifier serves many accounts: each request names its account
    /// ([`Verifier::verify_for`]); [`Verifier::verify`] refuses.
    PerRequest,
    /// Explicit opt-out: any account the trusted keys signed for (tools,
    /// tests, an issuer checking its own output).
    Any,
}

/// What a verifier checks beyond the signature.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which account's snapshots are accepted.
    pub tenant: TenantCheck,
    /// Clock skew tolerated on `not_before` and `expires_at`, seconds.
    pub leeway: u64,
}

/// The largest clock leeway a verifier accepts, seconds (one day).
pub const MAX_LEEWAY: u64 = 86_400;

impl Options {
    /// Accept only snapshots of `tenant`.
    pub fn for_tenant(tenant: &str) -> Options {
        Options::with(TenantCheck::Fixed(tenant.to_owned()))
    }

    /// The account is named per request ([`Verifier::verify_for`]).
    pub fn per_request() -> Options {
        Options::with(TenantCheck::PerRequest)
    }

    /// Any account (an explicit opt-out of the tenant check).
    pub fn any_tenant() -> Options {
        Options::with(TenantCheck::Any)
    }

    /// `tenant` with the default leeway.
    pub fn with(tenant: TenantCheck) -> Options {
        Options {
            tenant,
            leeway: DEFAULT_LEEWAY,
        }
    }
}

/// Revocations known to the verifier: per tenant, a minimum epoch, and
/// individual snapshot ids. Revocations only grow: applying an older notice
/// again never lifts a newer one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revocations {
    /// Per tenant, sorted by tenant: snapshots with a lower epoch are revoked.
    min_epoch: Vec<(String, u32)>,
    /// Revoked snapshot ids (as big-endian integers), sorted.
    ids: Vec<u64>,
}

impl Revocations {
    /// No revocation.
    pub fn new() -> Self {
        Revocations::default()
    }

    /// Revokes every snapshot of `tenant` with an epoch below `epoch`
    /// (keeps the higher bound if one is already known).
    pub fn revoke_before(&mut self, tenant: &str, epoch: u32) {
        match self
            .min_epoch
            .binary_search_by(|(t, _)| t.as_str().cmp(tenant))
        {
            Ok(at) => {
                if let Some((_, e)) = self.min_epoch.get_mut(at) {
                    *e = (*e).max(epoch);
                }
            }
            Err(at) => self.min_epoch.insert(at, (tenant.to_owned(), epoch)),
        }
    }

    /// Revokes one snapshot by id.
    pub fn revoke_id(&mut self, id: [u8; 8]) {
        let id = u64::from_be_bytes(id);
        if let Err(at) = self.ids.binary_search(&id) {
            self.ids.insert(at, id);
        }
    }

    /// Applies a verified notice.
    pub fn apply(&mut self, notice: &Notice) {
        self.revoke_before(&notice.tenant, notice.min_epoch);
        if notice.ids.iter().all(|id| self.is_revoked_id(id)) {
            return; // the common case: the same notice fetched again
        }
        self.ids
            .extend(notice.ids.iter().map(|id| u64::from_be_bytes(*id)));
        self.ids.sort_unstable();
        self.ids.dedup();
    }

    /// The epoch below which snapshots of `tenant` are revoked.
    pub fn min_epoch(&self, tenant: &str) -> u32 {
        self.min_epoch
            .binary_search_by(|(t, _)| t.as_str().cmp(tenant))
            .ok()
            .and_then(|at| self.min_epoch.get(at))
            .map_or(0, |(_, e)| *e)
    }

    /// Whether snapshot `id` is revoked by id.
    pub fn is_revoked_id(&self, id: &[u8; 8]) -> bool {
        self.ids.binary_search(&u64::from_be_bytes(*id)).is_ok()
    }

    /// Number of individually revoked ids.
    pub fn id_count(&self) -> usize {
        self.ids.len()
    }

    /// Why `claims` is revoked, if it is.
    pub fn check(&self, claims: &Claims) -> Result<()> {
        let min = self.min_epoch(&claims.tenant);
        if claims.epoch < min {
            return Err(Error::Revoked {
                detail: format!(
                    "account `{}` revoked everything before epoch {min}; this snapshot has epoch {}",
                    claims.tenant, claims.epoch
                ),
            });
        }
        if self.is_revoked_id(&claims.id) {
            return Err(Error::Revoked {
                detail: format!("snapshot `{}` was revoked", hex(&claims.id)),
            });
        }
        Ok(())
    }
}

/// A verified snapshot, keyed by the exact input (text or binary) it came
/// as, with its claims and effective permissions.
#[derive(Debug, Clone)]
struct CacheEntry {
    input: Vec<u8>,
    claims: Arc<Claims>,
    effective: Arc<Bits>,
}

/// Verifies snapshots against a keyring and a catalog.
#[derive(Debug, Clone)]
pub struct Verifier {
    catalog: Arc<Catalog>,
    keyring: Keyring,
    options: Options,
    revocations: Revocations,
    /// Verified snapshots, direct-mapped by a hash of their bytes.
    cache: Vec<Option<Box<CacheEntry>>>,
}

/// How many verified snapshots [`Verifier::verify_cached`] remembers.
pub const CACHE_ENTRIES: usize = 256;

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
            cache: Vec::new(),
        }
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
    pub fn set_keyring(&mut self, keyring: Keyring) {
        self.keyring = keyring;
        self.cache.clear();
    }

    /// Replaces the revocation list.
    pub fn set_revocations(&mut self, revocations: Revocations) {
        self.revocations = revocations;
    }

    /// Permissions that deny everything, for this verifier's catalog.
    pub fn deny_all(&self) -> Permissions {
        Permissions::deny_all(Arc::clone(&self.catalog))
    }

    /// The revocations in force.
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Verifies a signed revocation notice (binary or base64url text) with
    /// the keyring and adds it to the revocations. A notice for another
    /// tenant than the expected one is refused (`wrong_tenant`).
    pub fn apply_notice(&mut self, input: &[u8]) -> Result<Notice> {
        let bytes = format::to_binary_framed(input, &format::NOTICE_MAGIC, format::MAX_NOTICE_LEN)?;
        let parts = format::split_framed(&bytes, &format::NOTICE_MAGIC, format::MAX_NOTICE_LEN)?;
        self.keyring.verify_domain(
            format::NOTICE_DOMAIN,
            parts.kid,
            parts.signed,
            parts.signature,
        )?;
        let notice = format::decode_notice(parts.payload)?;
        if let TenantCheck::Fixed(expected) = &self.options.tenant {
            if &notice.tenant != expected {
                return Err(Error::WrongTenant {
                    expected: expected.clone(),
                    found: notice.tenant,
                });
            }
        }
        self.revocations.apply(&notice);
        Ok(notice)
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Verifies a snapshot (binary or base64url text) at time `now` (seconds
    /// since the Unix epoch). Order: size, magic, version, key, signature,
    /// payload, catalog, tenant, time, revocation.
    pub fn verify(&self, input: &[u8], now: u64) -> Result<Permissions> {
        let bytes = format::to_binary(input)?;
        self.verify_binary(&bytes, now)
    }

    /// Verifies a snapshot given as base64url text.
    pub fn verify_text(&self, text: &str, now: u64) -> Result<Permissions> {
        let bytes = format::text_to_binary(text)?;
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
        let slot = cache_slot(input);
        if let Some(Some(entry)) = self.cache.get(slot) {
            if entry.input == input {
                self.check_claims(&entry.claims, now, tenant)?;
                return Ok(Permissions::from_shared(
                    Arc::clone(&self.catalog),
                    Arc::clone(&entry.claims),
                    Arc::clone(&entry.effective),
                ));
            }
        }
        let bytes = format::to_binary(input)?;
        let claims = self.verify_signed(&bytes)?;
        self.check_claims(&claims, now, tenant)?;
        let permissions = Permissions::new(Arc::clone(&self.catalog), Arc::new(claims));
        if self.cache.is_empty() {
            self.cache.resize(CACHE_ENTRIES, None);
        }
        if let Some(entry) = self.cache.get_mut(slot) {
            let (claims, effective) = permissions.shared();
            *entry = Some(Box::new(CacheEntry {
                input: input.to_vec(),
                claims,
                effective,
            }));
        }
        Ok(permissions)
    }

    /// Signature and structure: everything that does not depend on the clock
    /// or on revocations.
    fn verify_signed(&self, bytes: &[u8]) -> Result<Claims> {
        let parts = format::split(bytes)?;
        self.keyring
            .verify(parts.kid, parts.signed, parts.signature)?;
        let claims = format::decode_payload(parts.payload)?;
        if claims.catalog != self.catalog.fingerprint() {
            return Err(Error::WrongCatalog {
                expected: self.catalog.fingerprint_hex(),
                found: hex(&claims.catalog),
            });
        }
        check_shape(&self.catalog, &claims)?;
        Ok(claims)
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
        self.revocations.check(claims)
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
        self.revocations.check(c)
    }
}

/// FNV-1a of the snapshot bytes, folded to a cache slot.
fn cache_slot(bytes: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h = (h ^ u32::from(*b)).wrapping_mul(0x0100_0193);
    }
    (h as usize) % CACHE_ENTRIES
}

/// A signed snapshot from a well-meaning issuer always fits its catalog;
/// anything else is malformed.
fn check_shape(catalog: &Catalog, c: &Claims) -> Result<()> {
    let bad = |what: &str| Error::Malformed {
        detail: format!("{what} does not fit the catalog"),
    };
    if !c.permissions.fits(catalog.permission_count())
        || !c.step_up.fits(catalog.permission_count())
    {
        return Err(bad("the permission set"));
    }
    if c.scopes.len() != catalog.kind_count() {
        return Err(bad("the list of scopes"));
    }
    if !c.hidden.fits(catalog.field_count()) {
        return Err(bad("the hidden field set"));
    }
    if !c.apps.fits(catalog.app_count()) {
        return Err(bad("the application set"));
    }
    if c.role
        .is_some_and(|r| catalog.role_perms(usize::from(r)).is_none())
    {
        return Err(bad("the role"));
    }
    Ok(())
}
