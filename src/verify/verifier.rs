//! The verifier: keyring + catalog + options. Turns snapshot bytes or text
//! into [`Permissions`], or refuses with a typed error.

use super::cache::Cache;
use super::options::{Options, TenantCheck, MAX_LEEWAY};
use super::revocations::Revocations;
use crate::crypto::Keyring;
use crate::decision::Permissions;
use crate::error::{hex, Error, Result};
use crate::model::catalog::Catalog;
use crate::wire::{self, Claims, Notice};
use std::sync::Arc;

/// Verifies snapshots against a keyring and a catalog.
#[derive(Debug, Clone)]
pub struct Verifier {
    catalog: Arc<Catalog>,
    keyring: Keyring,
    options: Options,
    revocations: Revocations,
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
            cache: Cache::default(),
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
        self.keyring
            .verify(parts.kid, parts.signed, parts.signature)?;
        let claims = wire::decode_payload(parts.payload)?;
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
