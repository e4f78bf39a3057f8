//! The snapshot wire format (see FORMAT.md for the byte-level description).
//!
//! ```text
//! snapshot = magic "PSN" | version u8 | kid_len u8 | kid (kid_len bytes, UTF-8)
//!          | payload (postcard-encoded WireClaims) | signature (64 bytes, Ed25519)
//! signed message = SIGNING_DOMAIN | every byte before the signature
//! ```

pub mod base64url;

use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::def::Scope;
use serde::{Deserialize, Serialize};

/// The three magic bytes every snapshot starts with.
pub const MAGIC: [u8; 3] = *b"PSN";
/// Lowest format version this build reads.
pub const MIN_VERSION: u8 = 1;
/// Highest format version this build reads (and the one it writes).
pub const MAX_VERSION: u8 = 1;
/// Version written by this build.
pub const VERSION: u8 = MAX_VERSION;
/// Domain separation prefix of the signed message.
pub const SIGNING_DOMAIN: &[u8] = b"permsnap/v1 snapshot\0";
/// Ed25519 signature length.
pub const SIGNATURE_LEN: usize = 64;
/// Longest key id.
pub const MAX_KID_LEN: usize = 64;
/// Largest binary snapshot accepted.
pub const MAX_SNAPSHOT_LEN: usize = 4096;
/// Smallest possible snapshot: header with an empty kid, an empty payload is
/// impossible, so this is only the bound below which nothing can be parsed.
pub const MIN_SNAPSHOT_LEN: usize = MAGIC.len() + 2 + SIGNATURE_LEN;

/// Flag bit: the person is an owner of the account.
pub const FLAG_OWNER: u8 = 1;
/// Flag bit: the person is the principal admin.
pub const FLAG_PRINCIPAL: u8 = 2;
/// Flag bit: the snapshot is for a shared front-desk account.
pub const FLAG_SHARED: u8 = 4;
const KNOWN_FLAGS: u8 = FLAG_OWNER | FLAG_PRINCIPAL | FLAG_SHARED;

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
    /// Fingerprint of the catalog the snapshot was issued for.
    pub catalog: [u8; 8],
    /// Index of the person's role in the catalog, if any.
    pub role: Option<u16>,
    /// Flag bits (`FLAG_*`).
    pub flags: u8,
    /// Granted permissions (bits over the catalog's permissions).
    pub permissions: Bits,
    /// Permissions that need a PIN step-up first.
    pub step_up: Bits,
    /// View scope per kind, in catalog order.
    pub scopes: Vec<Scope>,
    /// Hidden fields (bits over the catalog's fields, kind by kind).
    pub hidden: Bits,
    /// Applications the person may enter.
    pub apps: Bits,
}

/// The encoded payload: times relative to `issued_at` to save bytes.
#[derive(Serialize, Deserialize)]
struct WireClaims {
    tenant: String,
    subject: String,
    issued_at: u64,
    not_before_offset: u32,
    lifetime: u32,
    id: [u8; 8],
    epoch: u32,
    catalog: [u8; 8],
    /// 0: no role; otherwise the role's index + 1.
    role: u16,
    flags: u8,
    permissions: Bits,
    step_up: Bits,
    scopes: Vec<Scope>,
    hidden: Bits,
    apps: Bits,
}

/// A snapshot split into its parts, before verification.
#[derive(Debug, Clone, Copy)]
pub struct Parts<'a> {
    /// Format version.
    pub version: u8,
    /// Key id.
    pub kid: &'a str,
    /// Everything the signature covers (after the domain prefix).
    pub signed: &'a [u8],
    /// The postcard payload.
    pub payload: &'a [u8],
    /// The 64 signature bytes.
    pub signature: &'a [u8; SIGNATURE_LEN],
}

/// Splits a binary snapshot into header, payload and signature, checking
/// size, magic, version and key id shape. Nothing is verified yet.
pub fn split(bytes: &[u8]) -> Result<Parts<'_>> {
    split_framed(bytes, &MAGIC, MAX_SNAPSHOT_LEN)
}

/// [`split`] for any signed document of this format family (snapshots,
/// revocation notices): the same header, another magic and size bound.
pub fn split_framed<'a>(bytes: &'a [u8], magic: &[u8; 3], max_len: usize) -> Result<Parts<'a>> {
    if bytes.len() > max_len {
        return Err(Error::TooLarge {
            limit: max_len,
            actual: bytes.len(),
        });
    }
    let found = bytes.get(..3).ok_or(Error::Truncated {
        needed: MIN_SNAPSHOT_LEN,
        actual: bytes.len(),
    })?;
    if found != magic {
        let magic = found;
        let mut found = [0u8; 3];
        found.copy_from_slice(magic);
        return Err(Error::BadMagic { found });
    }
    let truncated = || Error::Truncated {
        needed: MIN_SNAPSHOT_LEN,
        actual: bytes.len(),
    };
    let version = *bytes.get(3).ok_or_else(truncated)?;
    if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
        return Err(Error::UnsupportedVersion {
            found: version,
            min: MIN_VERSION,
            max: MAX_VERSION,
        });
    }
    let kid_len = usize::from(*bytes.get(4).ok_or_else(truncated)?);
    if kid_len > MAX_KID_LEN {
        return Err(Error::Malformed {
            detail: format!("key id length {kid_len} is over the limit of {MAX_KID_LEN}"),
        });
    }
    let header_len = 5 + kid_len;
    if bytes.len() < header_len + 1 + SIGNATURE_LEN {
        return Err(Error::Truncated {
            needed: header_len + 1 + SIGNATURE_LEN,
            actual: bytes.len(),
        });
    }
    let kid = bytes.get(5..header_len).ok_or_else(truncated)?;
    let kid = core::str::from_utf8(kid).map_err(|_| Error::Malformed {
        detail: "the key id is not UTF-8".into(),
    })?;
    let sig_at = bytes.len() - SIGNATURE_LEN;
    let signed = bytes.get(..sig_at).ok_or_else(truncated)?;
    let payload = bytes.get(header_len..sig_at).ok_or_else(truncated)?;
    let signature: &[u8; SIGNATURE_LEN] = bytes
        .get(sig_at..)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(truncated)?;
    Ok(Parts {
        version,
        kid,
        signed,
        payload,
        signature,
    })
}

/// Refuses a key id the header cannot carry.
fn check_kid(kid: &str) -> Result<()> {
    if kid.len() > MAX_KID_LEN || kid.is_empty() {
        return Err(Error::InvalidKey {
            detail: format!("a key id must be 1 to {MAX_KID_LEN} bytes, `{kid}` is not"),
        });
    }
    Ok(())
}

/// Header (`magic`, version, key id) and postcard payload of any signed
/// document of this format family: the bytes to sign, at most `max_len`
/// once signed. `what` names the payload in errors. The key id is checked
/// by the caller, first.
fn frame<T: Serialize>(
    magic: &[u8; 3],
    kid: &str,
    payload: &T,
    what: &str,
    max_len: usize,
) -> Result<Vec<u8>> {
    let payload = postcard::to_allocvec(payload).map_err(|e| Error::InvalidArgument {
        detail: format!("cannot encode the {what}: {e}"),
    })?;
    let mut out = Vec::with_capacity(5 + kid.len() + payload.len() + SIGNATURE_LEN);
    out.extend_from_slice(magic);
    out.push(VERSION);
    out.push(kid.len() as u8);
    out.extend_from_slice(kid.as_bytes());
    out.extend_from_slice(&payload);
    if out.len() + SIGNATURE_LEN > max_len {
        return Err(Error::TooLarge {
            limit: max_len,
            actual: out.len() + SIGNATURE_LEN,
        });
    }
    Ok(out)
}

/// Encodes the header and payload: the bytes to sign.
pub fn encode_unsigned(kid: &str, claims: &Claims) -> Result<Vec<u8>> {
    check_kid(kid)?;
    let wire = WireClaims {
        tenant: claims.tenant.clone(),
        subject: claims.subject.clone(),
        issued_at: claims.issued_at,
        not_before_offset: offset(claims.issued_at, claims.not_before, "not_before")?,
        lifetime: offset(claims.issued_at, claims.expires_at, "expires_at")?,
        id: claims.id,
        epoch: claims.epoch,
        catalog: claims.catalog,
        role: match claims.role {
            None => 0,
            Some(r) => r.checked_add(1).ok_or_else(|| Error::InvalidArgument {
                detail: "role index out of range".into(),
            })?,
        },
        flags: claims.flags,
        permissions: canonical(&claims.permissions),
        step_up: canonical(&claims.step_up),
        scopes: claims.scopes.clone(),
        hidden: canonical(&claims.hidden),
        apps: canonical(&claims.apps),
    };
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

/// Whether `bytes` is exactly postcard's encoding of `value`. postcard's
/// decoder accepts non-minimal varints, so two byte strings could otherwise
/// decode to one value: every signed structure is re-encoded and compared,
/// and only its one canonical form is accepted.
pub(crate) fn is_canonical<T: serde::Serialize>(value: &T, bytes: &[u8]) -> bool {
    postcard::to_allocvec(value).is_ok_and(|v| v == bytes)
}

/// Decodes a payload. The whole payload must be consumed and every bitset
/// canonical; the caller checks sizes against its catalog.
pub fn decode_payload(payload: &[u8]) -> Result<Claims> {
    let (wire, rest): (WireClaims, &[u8]) =
        postcard::take_from_bytes(payload).map_err(|e| Error::Malformed {
            detail: format!("the payload does not decode ({e})"),
        })?;
    if !rest.is_empty() {
        return Err(Error::Malformed {
            detail: format!("{} unexpected bytes after the payload", rest.len()),
        });
    }
    if !is_canonical(&wire, payload) {
        return Err(Error::Malformed {
            detail: "the payload is not in canonical form (e.g. a varint with extra bytes)".into(),
        });
    }
    if wire.flags & !KNOWN_FLAGS != 0 {
        return Err(Error::Malformed {
            detail: format!("unknown flag bits {:#04x}", wire.flags & !KNOWN_FLAGS),
        });
    }
    for bits in [&wire.permissions, &wire.step_up, &wire.hidden, &wire.apps] {
        if !bits.is_canonical() {
            return Err(Error::Malformed {
                detail: "a bitset has trailing zero bytes".into(),
            });
        }
    }
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
        catalog: wire.catalog,
        role: wire.role.checked_sub(1),
        flags: wire.flags,
        permissions: wire.permissions,
        step_up: wire.step_up,
        scopes: wire.scopes,
        hidden: wire.hidden,
        apps: wire.apps,
    })
}

/// Decodes a snapshot without verifying its signature: for `inspect` and
/// debugging only. Never base a decision on the result.
pub fn decode_unverified(bytes: &[u8]) -> Result<(String, Claims)> {
    let parts = split(bytes)?;
    Ok((parts.kid.to_owned(), decode_payload(parts.payload)?))
}

/// Accepts a snapshot as binary or as base64url text (the text form is
/// recognised by its first bytes, which can never be the binary magic).
pub fn to_binary(input: &[u8]) -> Result<Vec<u8>> {
    to_binary_framed(input, &MAGIC, MAX_SNAPSHOT_LEN)
}

/// [`to_binary`] for any document of this format family.
pub fn to_binary_framed(input: &[u8], magic: &[u8; 3], max_len: usize) -> Result<Vec<u8>> {
    if input.starts_with(magic) {
        return Ok(input.to_vec());
    }
    let text = core::str::from_utf8(input).map_err(|_| Error::BadEncoding {
        detail: "neither binary nor UTF-8 text".into(),
    })?;
    text_to_binary_framed(text, max_len)
}

/// Decodes the base64url text form, bounding its length first.
pub fn text_to_binary(text: &str) -> Result<Vec<u8>> {
    text_to_binary_framed(text, MAX_SNAPSHOT_LEN)
}

fn text_to_binary_framed(text: &str, max_len: usize) -> Result<Vec<u8>> {
    let text = text.trim();
    if text.len() > base64url::encoded_len(max_len) {
        return Err(Error::TooLarge {
            limit: max_len,
            actual: base64url::decoded_len(text.len()),
        });
    }
    base64url::decode(text)
}

/// The three magic bytes of a revocation notice.
pub const NOTICE_MAGIC: [u8; 3] = *b"PSR";
/// Domain separation prefix of a signed revocation notice.
pub const NOTICE_DOMAIN: &[u8] = b"permsnap/v1 revocation\0";
/// Largest binary revocation notice accepted (about 8,000 ids).
pub const MAX_NOTICE_LEN: usize = 65_536;

/// A revocation notice: for one tenant, "nothing issued before epoch
/// `min_epoch`", plus individual snapshot ids. Signed like a snapshot
/// (magic `PSR`, its own signing domain; see FORMAT.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Business account id.
    pub tenant: String,
    /// When the notice was issued, seconds since the Unix epoch.
    pub issued_at: u64,
    /// Snapshots of the tenant with a lower epoch are revoked.
    pub min_epoch: u32,
    /// Revoked snapshot ids.
    pub ids: Vec<[u8; 8]>,
}

/// Encodes the header and payload of a notice: the bytes to sign.
pub fn encode_notice_unsigned(kid: &str, notice: &Notice) -> Result<Vec<u8>> {
    check_kid(kid)?;
    frame(&NOTICE_MAGIC, kid, notice, "notice", MAX_NOTICE_LEN)
}

/// Decodes a notice payload; the whole payload must be consumed.
pub fn decode_notice(payload: &[u8]) -> Result<Notice> {
    match postcard::take_from_bytes::<Notice>(payload) {
        Ok((notice, [])) if !notice.tenant.is_empty() && is_canonical(&notice, payload) => {
            Ok(notice)
        }
        _ => Err(Error::Malformed {
            detail: "the revocation notice does not decode".into(),
        }),
    }
}

/// Parses a snapshot id written as 16 hex digits.
pub fn parse_snapshot_id(text: &str) -> Result<[u8; 8]> {
    let bad = || Error::InvalidArgument {
        detail: format!("`{text}` is not a snapshot id (16 hex digits)"),
    };
    if text.len() != 16 || !text.is_ascii() {
        return Err(bad());
    }
    let mut id = [0u8; 8];
    for (i, b) in id.iter_mut().enumerate() {
        let pair = text.get(i * 2..i * 2 + 2).ok_or_else(bad)?;
        *b = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(id)
}
