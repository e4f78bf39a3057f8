//! The compiled catalog's binary form (FORMAT.md): magic `PSC`, version,
//! then the postcard encoding of the catalog's [`Tables`], which the
//! fingerprint covers. What browsers and edges load.

use crate::error::Result;
use crate::model::catalog::{policy_error, Catalog, Tables};

/// First bytes of a compiled catalog.
pub const CATALOG_MAGIC: &[u8] = b"PSC";

/// Version of the compiled catalog encoding.
pub const CATALOG_VERSION: u8 = 2;

impl Catalog {
    /// Reads a compiled catalog (see [`Catalog::to_bytes`]): magic `PSC`,
    /// version 2, then the postcard encoding of the [`Tables`], from which
    /// every revision's fingerprint is computed. Every index in it is checked.
    pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<Catalog> {
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
        let damaged = || policy_error(origin, "the compiled catalog is damaged");
        let (tables, rest) = postcard::take_from_bytes::<Tables>(body).map_err(|_| damaged())?;
        // Fingerprints are computed over the re-encoded tables of each
        // revision, so only the canonical spelling is accepted.
        if !rest.is_empty() || !crate::wire::is_canonical(&tables, body) {
            return Err(damaged());
        }
        let catalog = Catalog::index(tables, origin)?;
        catalog.check_references().map_err(|what| {
            policy_error(
                origin,
                format!("the compiled catalog is inconsistent: {what}"),
            )
        })?;
        Ok(catalog)
    }

    /// Reads a compiled catalog given as base64url text.
    pub fn from_text(text: &str, origin: &str) -> Result<Catalog> {
        let bytes = crate::encoding::decode(text.trim()).map_err(|e| {
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
        let body = self.encode_tables()?;
        let mut out = Vec::with_capacity(CATALOG_MAGIC.len() + 1 + body.len());
        out.extend_from_slice(CATALOG_MAGIC);
        out.push(CATALOG_VERSION);
        out.extend_from_slice(&body);
        Ok(out)
    }
}
