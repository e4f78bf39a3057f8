//! The wire formats (see FORMAT.md for the byte-level description): one
//! framing shared by every signed document — magic, version, key id,
//! postcard payload, Ed25519 signature over a domain prefix and every byte
//! before it — and the documents themselves: snapshots (`snapshot`),
//! revocation notices (`notice`), feed heads (`feed`) and step-up proofs
//! (`stepup`). Two unsigned
//! documents are bound by hash instead: the compiled catalog (`catalog`) and
//! the id lists that travel beside snapshots (`idlist`).

mod catalog;
mod feed;
#[cfg(feature = "server")]
mod format1;
mod idlist;
mod notice;
pub(crate) mod read;
mod snapshot;
mod stepup;

#[cfg(feature = "wasm")]
pub(crate) use catalog::catalog_too_large;
pub use catalog::{CATALOG_MAGIC, CATALOG_VERSION, MAX_CATALOG_LEN};
pub use feed::*;
#[cfg(feature = "server")]
pub use format1::{Format1, FORMAT1_SIGNING_DOMAIN};

/// The previous format version, whose snapshots a verifier built with the
/// `server` feature reads when given their catalog (`Format1`).
pub const FORMAT1: u8 = 1;
pub use idlist::*;
pub use notice::*;
pub use snapshot::*;
pub use stepup::*;

use crate::encoding as base64url;
use crate::error::{Error, Result};
use serde::Serialize;

/// Lowest format version this build reads.
pub const MIN_VERSION: u8 = 2;
/// Highest format version this build reads (and the one it writes).
pub const MAX_VERSION: u8 = 2;
/// Version written by this build.
pub const VERSION: u8 = MAX_VERSION;
/// Ed25519 signature length.
pub const SIGNATURE_LEN: usize = 64;
/// Longest key id.
pub const MAX_KID_LEN: usize = 64;
/// Latest time a revocation notice or a feed head may carry: the last
/// second of the year 9999. Times are seconds; a time in milliseconds
/// (about 1.8e12 today) is refused rather than applied, since a verifier
/// measures what it may forget and how current its feed is by the newest
/// time it has seen.
pub const MAX_TIME: u64 = 253_402_300_799;

/// Why `at` cannot be a notice's or a feed head's time, if it cannot.
pub(crate) fn check_time(at: u64) -> core::result::Result<(), String> {
    if at > MAX_TIME {
        return Err(format!(
            "time {at} is after the year 9999: times are seconds since the Unix epoch, not milliseconds"
        ));
    }
    Ok(())
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

/// [`split`] for any signed document of this format family (snapshots,
/// revocation notices): the same header, another magic and size bound.
pub fn split_framed<'a>(bytes: &'a [u8], magic: &[u8; 3], max_len: usize) -> Result<Parts<'a>> {
    split_versions(bytes, magic, max_len, MIN_VERSION)
}

/// [`split_framed`] accepting versions from `min_version` (snapshots: the
/// previous format too, read by [`Format1`]).
pub(crate) fn split_versions<'a>(
    bytes: &'a [u8],
    magic: &[u8; 3],
    max_len: usize,
    min_version: u8,
) -> Result<Parts<'a>> {
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
    if !(min_version..=MAX_VERSION).contains(&version) {
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

/// The one key-id rule, for headers, keyrings and issuer keys: 1 to
/// [`MAX_KID_LEN`] bytes.
pub(crate) fn check_kid(kid: &str) -> Result<()> {
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
pub(crate) fn frame<T: Serialize>(
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

/// The first `N` bytes of SHA-512 over `domain` and `parts`: the one digest
/// of the formats (catalog fingerprints, id lists, feeds).
pub(crate) fn digest<'a, const N: usize>(
    domain: &[u8],
    parts: impl IntoIterator<Item = &'a [u8]>,
) -> [u8; N] {
    use sha2::{Digest, Sha512};
    let mut h = Sha512::new();
    h.update(domain);
    for p in parts {
        h.update(p);
    }
    let full = h.finalize();
    let mut out = [0u8; N];
    for (o, d) in out.iter_mut().zip(full.iter()) {
        *o = *d;
    }
    out
}

/// Whether `bytes` is exactly postcard's encoding of `value`. postcard's
/// decoder accepts non-minimal varints, so two byte strings could otherwise
/// decode to one value: format 1 payloads, read by serde, are re-encoded
/// and compared, and only their one canonical form is accepted. (Format 2
/// payloads are read by `read`, which accepts nothing else.)
#[cfg(feature = "server")]
pub(crate) fn is_canonical<T: serde::Serialize>(value: &T, bytes: &[u8]) -> bool {
    postcard::to_allocvec(value).is_ok_and(|v| v == bytes)
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

pub(crate) fn text_to_binary_framed(text: &str, max_len: usize) -> Result<Vec<u8>> {
    let text = text.trim();
    if text.len() > base64url::encoded_len(max_len) {
        return Err(Error::TooLarge {
            limit: max_len,
            actual: base64url::decoded_len(text.len()),
        });
    }
    base64url::decode(text)
}
