//! The verified-snapshot cache: loading the same snapshot again (every
//! request of an edge worker) skips the signature and decoding. Keyed by the
//! exact input bytes; direct-mapped, so memory stays bounded.

use crate::model::bits::Bits;
use crate::wire::Claims;
use std::sync::Arc;

/// How many verified snapshots [`super::Verifier::verify_cached`] remembers.
pub const CACHE_ENTRIES: usize = 256;

/// A verified snapshot, keyed by the exact input (text or binary) it came
/// as, with its claims and effective permissions.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    input: Vec<u8>,
    pub(crate) claims: Arc<Claims>,
    pub(crate) effective: Arc<Bits>,
}

/// Verified snapshots, direct-mapped by a hash of their bytes (allocated
/// on first use: a fresh verifier costs nothing).
#[derive(Debug, Clone, Default)]
pub(crate) struct Cache {
    slots: Vec<Option<Box<Entry>>>,
}

impl Cache {
    /// The entry for exactly these input bytes, if remembered.
    pub(crate) fn get(&self, input: &[u8]) -> Option<&Entry> {
        match self.slots.get(slot(input)) {
            Some(Some(entry)) if entry.input == input => Some(entry),
            _ => None,
        }
    }

    /// Remembers a verified snapshot (replacing whatever shared its slot).
    pub(crate) fn put(&mut self, input: &[u8], claims: Arc<Claims>, effective: Arc<Bits>) {
        if self.slots.is_empty() {
            self.slots.resize(CACHE_ENTRIES, None);
        }
        if let Some(entry) = self.slots.get_mut(slot(input)) {
            *entry = Some(Box::new(Entry {
                input: input.to_vec(),
                claims,
                effective,
            }));
        }
    }

    /// Forgets everything (the keys changed).
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
    }
}

/// FNV-1a of the snapshot bytes, folded to a cache slot.
fn slot(bytes: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h = (h ^ u32::from(*b)).wrapping_mul(0x0100_0193);
    }
    (h as usize) % CACHE_ENTRIES
}
