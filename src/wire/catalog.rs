//! The compiled catalog's binary form (FORMAT.md): magic `PSC`, version,
//! then the body (`crate::model::catalog::revision`): the name and what
//! each revision appended. What browsers and edges load.

use crate::error::Result;
use crate::model::catalog::{encode_body, policy_error, Catalog};

/// First bytes of a compiled catalog.
pub const CATALOG_MAGIC: &[u8] = b"PSC";

/// Version of the compiled catalog encoding.
pub const CATALOG_VERSION: u8 = 2;

/// Largest compiled catalog read: a thousand times the presets' (92 to 856
/// bytes). Reading takes memory in proportion (up to about 50 times the
/// size for a catalog of empty names), so a larger one is refused first.
pub const MAX_CATALOG_LEN: usize = 1 << 20;

/// The error for a compiled catalog of `len` bytes over the limit.
pub(crate) fn catalog_too_large(origin: &str, len: usize) -> crate::Error {
    policy_error(
        origin,
        format!("the compiled catalog is {len} bytes, over the limit of {MAX_CATALOG_LEN}"),
    )
}

impl Catalog {
    /// Reads a compiled catalog (see [`Catalog::to_bytes`]): magic `PSC`,
    /// version 2, then the body: the name and one chunk per revision, each
    /// revision's fingerprint chained over its chunk's bytes. Every index in
    /// it is checked.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Catalog> {
        if bytes.len() > MAX_CATALOG_LEN {
            return Err(catalog_too_large(origin, bytes.len()));
        }
        let body = match bytes.strip_prefix(CATALOG_MAGIC) {
            Some([CATALOG_VERSION, body @ ..]) => body,
            Some(_) => {
                return Err(policy_error(
                    origin,
                    "unsupported compiled catalog version (this build reads version 2; \
                     version 1 catalogs carried roles: recompile with `permsnap catalog`)",
                ))
            }
            None => return Err(policy_error(
                origin,
                "not a compiled catalog (it starts with `PSC`): make one with `permsnap catalog`",
            )),
        };
        // Fingerprints cover these exact bytes, and the reader accepts only
        // the one encoding of each value (`wire::read`).
        Catalog::from_body(body, origin)
    }

    /// Reads a compiled catalog given as base64url text.
    pub fn from_text(text: &str, origin: &str) -> Result<Catalog> {
        let text = text.trim();
        if text.len() > crate::encoding::encoded_len(MAX_CATALOG_LEN) {
            return Err(catalog_too_large(
                origin,
                crate::encoding::decoded_len(text.len()),
            ));
        }
        let bytes = crate::encoding::decode(text).map_err(|e| {
            policy_error(
                origin,
                format!("the compiled catalog is not base64url ({e})"),
            )
        })?;
        Catalog::from_bytes(&bytes, origin)
    }

    /// The compiled catalog: what browsers and edges load (small, and read
    /// without a JSON parser).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let body = encode_body(&self.tables)?;
        let mut out = Vec::with_capacity(CATALOG_MAGIC.len() + 1 + body.len());
        out.extend_from_slice(CATALOG_MAGIC);
        out.push(CATALOG_VERSION);
        out.extend_from_slice(&body);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_over_the_size_limit_is_refused_before_it_is_read() {
        let mut bytes = b"PSC\x02".to_vec();
        bytes.resize(MAX_CATALOG_LEN + 1, 0);
        let err = Catalog::from_bytes(&bytes, "big").unwrap_err();
        assert_eq!(err.code(), "invalid_policy");
        assert!(
            err.to_string().contains("over the limit of 1048576"),
            "{err}"
        );
        let text = crate::encoding::encode(&bytes);
        let err = Catalog::from_text(&text, "big").unwrap_err();
        assert!(err.to_string().contains("over the limit"), "{err}");
        // At the limit, the size is not what refuses it.
        bytes.truncate(MAX_CATALOG_LEN);
        let err = Catalog::from_bytes(&bytes, "big").unwrap_err();
        assert!(!err.to_string().contains("over the limit"), "{err}");
    }
}
