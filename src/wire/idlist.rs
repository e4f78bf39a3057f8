//! Id lists: the record ids of a `specific` scope too long to travel in the
//! snapshot. The snapshot carries the list's digest and count
//! ([`IdListRef`]); the list travels beside it (an endpoint, a page) and is
//! accepted only when it hashes to that digest — no signature of its own.
//!
//! ```text
//! id list = magic "PSI" | version u8 (2) | postcard(seq<string>): sorted, unique, non-empty ids
//! digest  = SHA-512("permsnap/v2 ids" 00 | every byte of the list)[0..16]
//! ```

use super::digest;
use crate::error::{Error, Result};
use crate::model::def::IdListRef;

/// The three magic bytes of an id list.
pub const IDS_MAGIC: [u8; 3] = *b"PSI";
/// Domain separation prefix of an id list's digest.
pub const IDS_DOMAIN: &[u8] = b"permsnap/v2 ids\0";
/// Largest id list accepted: 8 MiB.
pub const MAX_IDS_LEN: usize = 8 << 20;

/// An id list whose digest has been checked against a snapshot's reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdList {
    /// The ids, sorted and unique.
    pub ids: Vec<String>,
    /// The reference that names it.
    pub reference: IdListRef,
}

impl IdList {
    /// Whether `id` is in the list (binary search).
    pub fn contains(&self, id: &str) -> bool {
        self.ids.binary_search_by(|x| x.as_str().cmp(id)).is_ok()
    }
}

/// Encodes ids as an id list (sorting and removing repeats) and returns it
/// with its reference.
pub fn encode_id_list(ids: &[String]) -> Result<(Vec<u8>, IdListRef)> {
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.first() == Some(&"") {
        return Err(Error::InvalidArgument {
            detail: "a record id in a `specific` scope is empty".into(),
        });
    }
    let body = postcard::to_allocvec(&sorted).map_err(|e| Error::InvalidArgument {
        detail: format!("cannot encode the id list: {e}"),
    })?;
    let mut bytes = Vec::with_capacity(4 + body.len());
    bytes.extend_from_slice(&IDS_MAGIC);
    bytes.push(super::VERSION);
    bytes.extend_from_slice(&body);
    if bytes.len() > MAX_IDS_LEN {
        return Err(Error::TooLarge {
            limit: MAX_IDS_LEN,
            actual: bytes.len(),
        });
    }
    let reference = IdListRef {
        count: u32::try_from(sorted.len()).map_err(|_| Error::TooLarge {
            limit: MAX_IDS_LEN,
            actual: bytes.len(),
        })?,
        digest: id_list_digest(&bytes),
    };
    Ok((bytes, reference))
}

/// The digest of an id list's bytes (what a snapshot's `listed` scope names).
pub fn id_list_digest(bytes: &[u8]) -> [u8; 16] {
    digest(IDS_DOMAIN, [bytes])
}

/// Reads an id list (binary or base64url text), accepting it only if it is
/// the one `reference` names.
pub fn decode_id_list(input: &[u8], reference: &IdListRef) -> Result<IdList> {
    let bytes = super::to_binary_framed(input, &IDS_MAGIC, MAX_IDS_LEN)?;
    if bytes.len() > MAX_IDS_LEN {
        return Err(Error::TooLarge {
            limit: MAX_IDS_LEN,
            actual: bytes.len(),
        });
    }
    if id_list_digest(&bytes) != reference.digest {
        return Err(Error::Malformed {
            detail: "this id list is not the one the snapshot names (its digest differs)".into(),
        });
    }
    // The digest matched, so these bytes are what the issuer wrote; they
    // are still read defensively.
    let bad = |detail: &str| Error::Malformed {
        detail: format!("the id list {detail}"),
    };
    let body = match bytes.strip_prefix(&IDS_MAGIC) {
        Some([v, body @ ..]) if *v == super::VERSION => body,
        _ => return Err(bad("has a wrong header")),
    };
    let ids = match super::read::read_all(body, |r| r.seq(|r| r.string())) {
        Ok(ids) => ids,
        _ => return Err(bad("does not decode")),
    };
    let sorted = ids.windows(2).all(|w| matches!(w, [a, b] if a < b));
    if !sorted || ids.first().is_some_and(String::is_empty) || ids.len() != reference.count as usize
    {
        return Err(bad("is not sorted, unique and of the announced length"));
    }
    Ok(IdList {
        ids,
        reference: *reference,
    })
}
