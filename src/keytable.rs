//! A key's own precomputed table (builds with the curve code): once a key
//! has checked enough signatures to pay for it, `[k]A` in the equation
//! reads a radix-16 table of the key's multiples (64 additions, no
//! doublings) instead of a double-and-add chain (about 250 doublings). A
//! server or edge verifying many people's snapshots under one issuer key
//! gets each verify about a quarter faster (measured in Node: 200-240 ->
//! 155-170 us; the constant-time table lookups and the final encoding keep
//! the rest); a page verifying a few snapshots never builds one.
//!
//! Building a table (about 3.5 ms in wasm) costs what about 80 verifies
//! save, so it is built on the key's [`BUILD_AFTER`]th verify: the rule
//! that never pays more than about twice the best choice made knowing the
//! future. Tables follow identical key bytes across keyring replacements
//! ([`crate::Keyring::keep_tables`]).

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsBasepointTable;
use curve25519_dalek::traits::BasepointTable;
use curve25519_dalek::{EdwardsPoint, Scalar};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

/// Verifies with a key before its table is built.
pub(crate) const BUILD_AFTER: u32 = 64;

/// The same table for the base point `B`, built once per process with the
/// first key table: curve25519-dalek's static one is 30 KB of wasm data,
/// which every download would carry.
fn base_table() -> &'static EdwardsBasepointTable {
    static BASE: OnceLock<EdwardsBasepointTable> = OnceLock::new();
    BASE.get_or_init(|| EdwardsBasepointTable::create(&ED25519_BASEPOINT_POINT))
}

/// The negated point of one key, its use count and, once built, its table.
pub(crate) struct KeyTable {
    minus_a: EdwardsPoint,
    uses: AtomicU32,
    table: OnceLock<Box<EdwardsBasepointTable>>,
}

impl std::fmt::Debug for KeyTable {
    /// The use count and whether the table is built (not its 30 KB).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyTable")
            .field("uses", &self.uses.load(Ordering::Relaxed))
            .field("built", &self.table.get().is_some())
            .finish()
    }
}

impl KeyTable {
    /// For a key whose point, negated, is `minus_a`.
    pub(crate) fn new(minus_a: EdwardsPoint) -> Arc<KeyTable> {
        Arc::new(KeyTable {
            minus_a,
            uses: AtomicU32::new(0),
            table: OnceLock::new(),
        })
    }

    /// `[k](-A)`: through the table once the key has been used
    /// [`BUILD_AFTER`] times, a double-and-add chain with `[s]B` before.
    /// Returns `[s]B + [k](-A)`.
    pub(crate) fn combine(&self, k: &Scalar, s: &Scalar) -> EdwardsPoint {
        let uses = self.uses.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        let table = if uses >= BUILD_AFTER {
            Some(self.table())
        } else {
            self.table.get().map(|t| &**t)
        };
        match table {
            Some(table) => base_table().mul_base(s) + table.mul_base(k),
            None => EdwardsPoint::vartime_double_scalar_mul_basepoint(k, &self.minus_a, s),
        }
    }

    /// The table, built now if it is not yet.
    pub(crate) fn table(&self) -> &EdwardsBasepointTable {
        base_table();
        self.table
            .get_or_init(|| Box::new(EdwardsBasepointTable::create(&self.minus_a)))
    }

    /// Whether the table is built.
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.table.get().is_some()
    }
}
