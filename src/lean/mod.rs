//! The small core (#16): a compiled catalog and a snapshot read in place,
//! and the decision every `can()` reads, with no `core::fmt`, no String
//! per name and no wasm-bindgen layer. What it computes is what the
//! reference core (`Catalog`, `Verifier`, `Permissions`) computes; the
//! tests hold the two to each other on every vector and on mutations of
//! them (tests/lean.rs).
//!
//! - [`catalog`]: a compiled catalog, checked as `Catalog::from_bytes`
//!   checks it, kept as its bytes and tables of offsets into them;
//! - [`snapshot`]: a snapshot's header and payload, checked as
//!   `wire::decode_payload` and the verifier's `fit` check them, kept as
//!   its bytes and offsets; the account and the clock;
//! - [`decide`]: the effective permissions (the least fixed point of
//!   `Permissions::new`) and the kinds out of reach;
//! - [`notice`]: a revocation notice's payload, as `wire::decode_notice`
//!   reads it;
//! - [`feed`]: a revocation feed's head, as `wire::decode_feed_head` reads
//!   it, and the notices it lists (the edge's part; the browser entry
//!   exports none of it);
//! - [`stepup`]: a step-up proof, as `wire::decode_step_up` reads it (the
//!   edge's too);
//! - `gate` (feature `routes`): the edge's route gate, routing and deciding
//!   as the reference gate does (`crate::routes`), on a snapshot and a
//!   proof read in place; what needs the platform (their signatures) it
//!   asks of the caller.
//!
//! Refusals are [`Refusal`]s: an error code (its index in
//! [`crate::Error::CODES`]); the text a person reads is made by the caller
//! from the code, so no message is compiled in.
//!
//! The signature is checked by the caller between [`snapshot::split`] and
//! [`snapshot::Snapshot::read`], as the verifier checks it: the browser's
//! WebCrypto, or `signature::verify_strict` in a native test.

pub mod catalog;
pub mod decide;
pub mod feed;
#[cfg(feature = "routes")]
pub mod gate;
pub mod notice;
pub mod snapshot;
pub mod stepup;

/// The rules of a public key (32 bytes) that need no curve arithmetic:
/// canonical, not of small order (`invalid_key` otherwise). The caller
/// checks that it is a point of the curve (the browser entry's
/// JavaScript, with BigInt), as the keyring does when it reads JWKS keys.
pub fn check_key(key: &[u8]) -> Result<(), Refusal> {
    let key: &[u8; 32] = key.try_into().map_err(|_| INVALID_KEY)?;
    let strict = crate::signature::is_canonical(key) && !crate::signature::is_small_order(key);
    strict.then_some(()).ok_or(INVALID_KEY)
}

/// The strict rules of a signature that need no curve arithmetic (`R`
/// canonical and not of small order, `S` canonical; `bad_signature`
/// otherwise), checked before the platform's Ed25519 is asked.
pub fn check_signature(signature: &[u8]) -> Result<(), Refusal> {
    let signature = signature.try_into().map_err(|_| BAD_SIGNATURE)?;
    crate::signature::check_shape(signature).map_err(|_| BAD_SIGNATURE)
}
/// A trusted public key, ready for the signature equation in WebAssembly
/// (builds with the curve code: the small core of `permsnap/sync` and of
/// the edge): its point checked as the keyring checks it (canonical, on
/// the curve, not of small order; `invalid_key`), and, once it has
/// verified enough signatures, its own table (`crate::keytable`).
#[cfg(feature = "ed25519")]
#[derive(Debug, Clone)]
pub struct Key {
    bytes: [u8; 32],
    table: std::sync::Arc<crate::keytable::KeyTable>,
}

#[cfg(feature = "ed25519")]
impl Key {
    /// Reads a public key (32 bytes), strictly.
    pub fn read(key: &[u8]) -> Result<Key, Refusal> {
        let bytes: [u8; 32] = key.try_into().map_err(|_| INVALID_KEY)?;
        let point = crate::signature::key_point(&bytes).map_err(|_| INVALID_KEY)?;
        Ok(Key {
            bytes,
            table: crate::keytable::KeyTable::new(-point),
        })
    }

    /// Checks `signature` over `domain | signed`, as the keyring checks
    /// it: the signature's strict shape, then the cofactorless equation
    /// (`bad_signature`).
    pub fn verify(&self, domain: &[u8], signed: &[u8], signature: &[u8]) -> Result<(), Refusal> {
        check_signature(signature)?;
        let signature: &[u8; 64] = signature.try_into().map_err(|_| BAD_SIGNATURE)?;
        let mut message = Vec::with_capacity(domain.len() + signed.len());
        message.extend_from_slice(domain);
        message.extend_from_slice(signed);
        crate::signature::verify(&self.table, &self.bytes, &message, signature)
            .then_some(())
            .ok_or(BAD_SIGNATURE)
    }
}

#[cfg(test)]
mod tests;

/// A refusal: the index of its code in [`crate::Error::CODES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal(pub u8);

impl Refusal {
    /// The stable code (`malformed`, `wrong_catalog`, ...).
    pub fn code(self) -> &'static str {
        crate::Error::CODES
            .get(usize::from(self.0))
            .copied()
            .unwrap_or("malformed")
    }
}

/// The index of `name` in [`crate::Error::CODES`], at compile time (only
/// const items call it: a name not in the list fails the build).
#[allow(clippy::indexing_slicing, clippy::panic)]
const fn code(name: &str) -> Refusal {
    let codes = crate::Error::CODES;
    let mut i = 0;
    while i < codes.len() {
        if same(codes[i].as_bytes(), name.as_bytes()) {
            return Refusal(i as u8);
        }
        i += 1;
    }
    panic!("not an error code");
}

/// The index of reason `name` in [`crate::decision::Reason::CODES`], at
/// compile time (as [`code`]).
#[allow(clippy::indexing_slicing, clippy::panic)]
pub(crate) const fn reason(name: &str) -> u8 {
    let reasons = crate::decision::Reason::CODES;
    let mut i = 0;
    while i < reasons.len() {
        if same(reasons[i].0.as_bytes(), name.as_bytes()) {
            return i as u8;
        }
        i += 1;
    }
    panic!("not a reason code");
}

#[allow(clippy::indexing_slicing)]
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

pub(crate) const TRUNCATED: Refusal = code("truncated");
pub(crate) const TOO_LARGE: Refusal = code("too_large");
pub(crate) const BAD_MAGIC: Refusal = code("bad_magic");
pub(crate) const UNSUPPORTED_VERSION: Refusal = code("unsupported_version");
/// `malformed`.
pub const MALFORMED: Refusal = code("malformed");
pub(crate) const EXPIRED: Refusal = code("expired");
pub(crate) const NOT_YET_VALID: Refusal = code("not_yet_valid");
/// `wrong_tenant`.
pub const WRONG_TENANT: Refusal = code("wrong_tenant");
/// `wrong_catalog`.
pub const WRONG_CATALOG: Refusal = code("wrong_catalog");
/// `invalid_policy`.
pub const INVALID_POLICY: Refusal = code("invalid_policy");
pub(crate) const INVALID_KEY: Refusal = code("invalid_key");
pub(crate) const IDS_NOT_LOADED: Refusal = code("ids_not_loaded");
pub(crate) const BAD_SIGNATURE: Refusal = code("bad_signature");
pub(crate) const STEP_UP_REFUSED: Refusal = code("step_up_refused");
/// `invalid_argument`.
pub const INVALID_ARGUMENT: Refusal = code("invalid_argument");

/// A stretch of a kept byte string: offset and length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    /// Offset.
    pub at: u32,
    /// Length.
    pub len: u32,
}

impl Span {
    /// The span `part` takes in `whole` (`part` is a subslice of it).
    fn of(whole: &[u8], part: &[u8]) -> Span {
        let at = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
        Span {
            at: at as u32,
            len: part.len() as u32,
        }
    }

    /// Its bytes in `whole`.
    pub fn in_<'a>(&self, whole: &'a [u8]) -> &'a [u8] {
        let at = self.at as usize;
        whole.get(at..at + self.len as usize).unwrap_or_default()
    }
}

/// Bitsets as their bytes (bit `i` in bit `i % 8` of byte `i / 8`).
pub(crate) mod bits {
    /// Whether `i` is in `b`.
    #[inline]
    pub fn get(b: &[u8], i: usize) -> bool {
        b.get(i / 8).is_some_and(|x| x & (1 << (i % 8)) != 0)
    }

    /// Whether every member of `b` is below `n`.
    pub fn fits(b: &[u8], n: usize) -> bool {
        b.iter().enumerate().all(|(j, x)| {
            let first = j * 8;
            first + 8 <= n || (first < n && x >> (n - first) == 0) || *x == 0
        })
    }

    /// Whether every member of `b` is in `a`.
    pub fn contains_all(a: &[u8], b: &[u8]) -> bool {
        b.iter()
            .enumerate()
            .all(|(j, x)| x & !a.get(j).copied().unwrap_or(0) == 0)
    }

    /// The members of `b`, in order.
    pub fn members(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
        b.iter().enumerate().flat_map(|(j, x)| {
            (0..8)
                .filter(move |bit| x & (1 << bit) != 0)
                .map(move |bit| j * 8 + bit)
        })
    }

    /// Whether `b` has no member.
    pub fn is_empty(b: &[u8]) -> bool {
        b.iter().all(|x| *x == 0)
    }

    /// Adds `i` to `b`.
    pub fn set(b: &mut Vec<u8>, i: usize) {
        if b.len() <= i / 8 {
            b.resize(i / 8 + 1, 0);
        }
        if let Some(x) = b.get_mut(i / 8) {
            *x |= 1 << (i % 8);
        }
    }
}
