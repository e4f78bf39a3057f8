//! Snapshots: what they say ([`Claims`]), their payload encoding, and the
//! text form.
//!
//! ```text
//! snapshot = magic "PSN" | version u8 (2) | kid_len u8 | kid (kid_len bytes, UTF-8)
//!          | payload (postcard-encoded WireClaims) | signature (64 bytes, Ed25519)
//! signed message = SIGNING_DOMAIN | every byte before the signature
//! ```

use super::read::{read_all, Bad, Reader};
use super::{
    check_kid, frame, split_framed, text_to_binary_framed, to_binary_framed, Parts, SIGNATURE_LEN,
};
use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::def::Scope;
use serde::Serialize;

/// The three magic bytes every snapshot starts with.
pub const MAGIC: [u8; 3] = *b"PSN";
/// Domain separation prefix of the signed message.
pub const SIGNING_DOMAIN: &[u8] = b"permsnap/v2 snapshot\0";
/// Largest binary snapshot accepted.
pub const MAX_SNAPSHOT_LEN: usize = 4096;
/// Smallest possible snapshot: header with an empty kid, an empty payload is
/// impossible, so this is only the bound below which nothing can be parsed.
pub const MIN_SNAPSHOT_LEN: usize = MAGIC.len() + 2 + SIGNATURE_LEN;
/// Longest lifetime a snapshot may have: one day. Verifiers refuse longer
/// ones, which is what lets them forget revocations older than this.
pub const MAX_LIFETIME: u32 = 24 * 60 * 60;
/// Most roles a snapshot names (their grants explain decisions).
pub const MAX_ROLES: usize = 16;

/// Flag bit: the person is an owner of the account.
pub const FLAG_OWNER: u8 = 1;
/// Flag bit: the person is the principal admin.
pub const FLAG_PRINCIPAL: u8 = 2;
/// Flag bit: the snapshot is for a shared front-desk account.
pub const FLAG_SHARED: u8 = 4;
pub(crate) const KNOWN_FLAGS: u8 = FLAG_OWNER | FLAG_PRINCIPAL | FLAG_SHARED;

/// What a snapshot says, with absolute times. This is the decoded, but not
/// necessarily verified, content: only [`crate::Verifier`] turns it into
/// something to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Business account id.
    pub tenant: String,
    /// Staff member id.
    pub subject: String,
    /// Issued at, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Valid from, seconds since the Unix epoch.
    pub not_before: u64,
    /// Valid until, seconds since the Unix epoch.
    pub expires_at: u64,
    /// Random snapshot id, for revocation.
    pub id: [u8; 8],
    /// Revocation epoch of the tenant at issue time.
    pub epoch: u32,
    /// The person's revocation counter at issue time.
    pub version: u64,
    /// Fingerprint of the catalog revision the snapshot was issued under.
    pub catalog: [u8; 8],
    /// That revision's number.
    pub revision: u16,
    /// Fingerprint of the revision before it (present when `revision > 1`):
    /// lets a verifier one revision behind read the snapshot.
    pub previous: Option<[u8; 8]>,
    /// Flag bits (`FLAG_*`).
    pub flags: u8,
    /// The roles the person holds, each with the permissions it grants:
    /// what explanations name.
    pub roles: Vec<RoleGrant>,
    /// Granted permissions (bits over the catalog's permissions).
    pub permissions: Bits,
    /// Permissions that need a PIN step-up first.
    pub step_up: Bits,
    /// View scope per kind, in catalog order; kinds past the end: `none`.
    pub scopes: Vec<Scope>,
    /// Hidden fields per kind, in catalog order (bits over the kind's
    /// fields); kinds past the end hide nothing.
    pub hidden: Vec<Bits>,
    /// Applications the person may enter.
    pub apps: Bits,
    /// The account's features (bits over the catalog's features).
    pub features: Bits,
    /// The scope of each granted `scoped` permission, by permission index,
    /// in increasing order: `own`, `assigned` or `all` (absent: none).
    pub permission_scopes: Vec<(u32, Scope)>,
}

/// A role the person holds and what it grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RoleGrant {
    /// Role id (the account's).
    pub id: String,
    /// The permissions the role grants (bits over the catalog's).
    pub permissions: Bits,
}

/// The encoded payload: times relative to `issued_at` to save bytes.
/// Written by serde, read by [`read_claims`] (the same fields in the same
/// order; the tests hold one to the other).
#[derive(Serialize)]
#[cfg_attr(test, derive(serde::Deserialize, Debug, PartialEq))]
struct WireClaims {
    tenant: String,
    subject: String,
    issued_at: u64,
    not_before_offset: u32,
    lifetime: u32,
    id: [u8; 8],
    epoch: u32,
    version: u64,
    catalog: [u8; 8],
    revision: u16,
    previous: Option<[u8; 8]>,
    flags: u8,
    roles: Vec<RoleGrant>,
    permissions: Bits,
    step_up: Bits,
    scopes: Vec<Scope>,
    hidden: Vec<Bits>,
    apps: Bits,
    features: Bits,
    permission_scopes: Vec<(u32, Scope)>,
}

/// Splits a binary snapshot into header, payload and signature, checking
/// size, magic, version and key id shape. Nothing is verified yet.
/// Format 1 snapshots pass this step (their version is checked against the
/// verifier's ability to read them: [`super::Format1`]).
pub fn split(bytes: &[u8]) -> Result<Parts<'_>> {
    super::split_versions(bytes, &MAGIC, MAX_SNAPSHOT_LEN, super::FORMAT1)
}

/// Encodes the header and payload: the bytes to sign. Bitsets, scope and
/// hidden-field lists are written in their canonical (trimmed) form.
pub fn encode_unsigned(kid: &str, claims: &Claims) -> Result<Vec<u8>> {
    check_kid(kid)?;
    let mut scopes = claims.scopes.clone();
    while scopes.last() == Some(&Scope::None) {
        scopes.pop();
    }
    let mut hidden: Vec<Bits> = claims.hidden.iter().map(canonical).collect();
    while hidden.last().is_some_and(|b| b.as_bytes().is_empty()) {
        hidden.pop();
    }
    let wire = WireClaims {
        tenant: claims.tenant.clone(),
        subject: claims.subject.clone(),
        issued_at: claims.issued_at,
        not_before_offset: offset(claims.issued_at, claims.not_before, "not_before")?,
        lifetime: offset(claims.issued_at, claims.expires_at, "expires_at")?,
        id: claims.id,
        epoch: claims.epoch,
        version: claims.version,
        catalog: claims.catalog,
        revision: claims.revision,
        previous: claims.previous,
        flags: claims.flags,
        // A role's permissions travel as their difference with the
        // person's: usually a byte or two (what was granted to or removed
        // from the person), instead of the role's whole set again.
        roles: claims
            .roles
            .iter()
            .map(|r| RoleGrant {
                id: r.id.clone(),
                permissions: r.permissions.xor(&claims.permissions),
            })
            .collect(),
        permissions: canonical(&claims.permissions),
        step_up: canonical(&claims.step_up),
        scopes,
        hidden,
        apps: canonical(&claims.apps),
        features: canonical(&claims.features),
        permission_scopes: claims.permission_scopes.clone(),
    };
    check_wire(&wire).map_err(|detail| Error::InvalidArgument { detail })?;
    frame(&MAGIC, kid, &wire, "claims", MAX_SNAPSHOT_LEN)
}

fn canonical(bits: &Bits) -> Bits {
    let mut b = bits.clone();
    b.trim();
    b
}

fn offset(from: u64, to: u64, what: &str) -> Result<u32> {
    to.checked_sub(from)
        .and_then(|d| u32::try_from(d).ok())
        .ok_or_else(|| Error::InvalidArgument {
            detail: format!("`{what}` must be between issued_at and issued_at + 2^32 s"),
        })
}

/// The rules a payload must follow beyond decoding (the same for writing
/// and reading): one spelling per value, bounded lifetime and roles.
fn check_wire(w: &WireClaims) -> core::result::Result<(), String> {
    if w.tenant.is_empty() || w.subject.is_empty() {
        return Err("the tenant and the subject are not empty".into());
    }
    if w.lifetime == 0 || w.lifetime > MAX_LIFETIME {
        return Err(format!(
            "a lifetime is 1 to {MAX_LIFETIME} seconds, not {}",
            w.lifetime
        ));
    }
    if w.not_before_offset >= w.lifetime {
        return Err("the start of validity falls after the expiry".into());
    }
    if w.flags & !KNOWN_FLAGS != 0 {
        return Err(format!("unknown flag bits {:#04x}", w.flags & !KNOWN_FLAGS));
    }
    if w.revision == 0 || (w.revision > 1) != w.previous.is_some() {
        return Err(
            "the revision is 1 or more, with the previous revision's fingerprint from 2 on".into(),
        );
    }
    if w.roles.len() > MAX_ROLES {
        return Err(format!("more than {MAX_ROLES} roles"));
    }
    let bitsets = [&w.permissions, &w.step_up, &w.apps, &w.features]
        .into_iter()
        .chain(w.hidden.iter())
        .chain(w.roles.iter().map(|r| &r.permissions));
    for bits in bitsets {
        if !bits.is_canonical() {
            return Err("a bitset has trailing zero bytes".into());
        }
    }
    if w.scopes.last() == Some(&Scope::None)
        || w.hidden.last().is_some_and(|b| b.as_bytes().is_empty())
    {
        return Err("the scope or hidden-field list ends with an empty entry".into());
    }
    if w.roles.iter().any(|r| r.id.is_empty()) {
        return Err("a role id is empty".into());
    }
    if w.permission_scopes
        .iter()
        .any(|(_, s)| !matches!(s, Scope::Own | Scope::Assigned | Scope::All))
        || w.permission_scopes
            .windows(2)
            .any(|pair| matches!(pair, [a, b] if a.0 >= b.0))
    {
        return Err(
            "permission scopes are `own`, `assigned` or `all`, by increasing permission".into(),
        );
    }
    Ok(())
}

/// Reads the claims' fields in [`WireClaims`]' order.
fn read_claims(r: &mut Reader) -> core::result::Result<WireClaims, Bad> {
    Ok(WireClaims {
        tenant: r.string()?,
        subject: r.string()?,
        issued_at: r.u64()?,
        not_before_offset: r.u32()?,
        lifetime: r.u32()?,
        id: r.array()?,
        epoch: r.u32()?,
        version: r.u64()?,
        catalog: r.array()?,
        revision: r.u16()?,
        previous: r.option(Reader::array)?,
        flags: r.u8()?,
        roles: r.seq(|r| {
            Ok(RoleGrant {
                id: r.string()?,
                permissions: r.bits()?,
            })
        })?,
        permissions: r.bits()?,
        step_up: r.bits()?,
        scopes: r.seq(Reader::scope)?,
        hidden: r.seq(Reader::bits)?,
        apps: r.bits()?,
        features: r.bits()?,
        permission_scopes: r.seq(|r| Ok((r.u32()?, r.scope()?)))?,
    })
}

/// Decodes a payload. The whole payload must be consumed and in canonical
/// form (`read`); the caller checks sizes against its catalog.
pub fn decode_payload(payload: &[u8]) -> Result<Claims> {
    let wire = read_all(payload, read_claims).map_err(|e| Error::Malformed {
        detail: format!("the payload does not decode ({e})"),
    })?;
    check_wire(&wire).map_err(|detail| Error::Malformed { detail })?;
    Ok(Claims {
        not_before: wire
            .issued_at
            .saturating_add(u64::from(wire.not_before_offset)),
        expires_at: wire.issued_at.saturating_add(u64::from(wire.lifetime)),
        tenant: wire.tenant,
        subject: wire.subject,
        issued_at: wire.issued_at,
        id: wire.id,
        epoch: wire.epoch,
        version: wire.version,
        catalog: wire.catalog,
        revision: wire.revision,
        previous: wire.previous,
        flags: wire.flags,
        roles: wire
            .roles
            .into_iter()
            .map(|r| RoleGrant {
                permissions: r.permissions.xor(&wire.permissions),
                id: r.id,
            })
            .collect(),
        permissions: wire.permissions,
        step_up: wire.step_up,
        scopes: wire.scopes,
        hidden: wire.hidden,
        apps: wire.apps,
        features: wire.features,
        permission_scopes: wire.permission_scopes,
    })
}

/// Decodes a snapshot without verifying its signature: for `inspect` and
/// debugging only. Never base a decision on the result.
pub fn decode_unverified(bytes: &[u8]) -> Result<(String, Claims)> {
    let parts = split_framed(bytes, &MAGIC, MAX_SNAPSHOT_LEN)?;
    Ok((parts.kid.to_owned(), decode_payload(parts.payload)?))
}

/// Accepts a snapshot as binary or as base64url text (the text form is
/// recognised by its first bytes, which can never be the binary magic).
pub fn to_binary(input: &[u8]) -> Result<Vec<u8>> {
    to_binary_framed(input, &MAGIC, MAX_SNAPSHOT_LEN)
}

/// Decodes the base64url text form, bounding its length first.
pub fn text_to_binary(text: &str) -> Result<Vec<u8>> {
    text_to_binary_framed(text, MAX_SNAPSHOT_LEN)
}

/// Parses a snapshot id written as 16 hex digits.
pub fn parse_snapshot_id(text: &str) -> Result<[u8; 8]> {
    let bad = || Error::InvalidArgument {
        detail: format!("`{text}` is not a snapshot id (16 hex digits)"),
    };
    // Hex digits only: `u8::from_str_radix` takes a `+` sign, and
    // `+a+b+c+d+e+f+0+1` was revoked as another id than it looks (review,
    // session 14).
    if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let mut id = [0u8; 8];
    for (i, b) in id.iter_mut().enumerate() {
        let pair = text.get(i * 2..i * 2 + 2).ok_or_else(bad)?;
        *b = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::read::{differential, vectors};

    #[test]
    fn claims_read_as_postcard_reads_them_canonically() {
        let mut read = 0;
        for case in vectors()["cases"].as_array().unwrap() {
            let text = case["snapshot"].as_str().unwrap();
            let Ok(bytes) = crate::encoding::decode(text) else {
                continue;
            };
            let Ok(parts) = split(&bytes) else { continue };
            if parts.version != super::super::VERSION {
                continue;
            }
            let valid = case["expect"].get("error").is_none();
            differential(parts.payload, valid, read_claims);
            read += 1;
        }
        assert!(read > 20, "only {read} vector payloads");
    }
}
