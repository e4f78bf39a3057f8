//! Signatures checked in WebAssembly (feature `curve`: the small core of
//! `permsnap/sync` and of the edge, where the platform's Ed25519 is slower
//! or absent): trusted keys as handles, and the equation over a document
//! in the input buffer, under its signing domain.

use crate::{keep, refused, slot, status, with, NO_CATALOG};
use permsnap::lean::Key;
use permsnap::wire::{FEED_DOMAIN, NOTICE_DOMAIN, STEP_UP_DOMAIN};

/// The signing domains, by the number JavaScript passes.
fn domain(d: u32) -> Option<&'static [u8]> {
    match d {
        0 => Some(permsnap::wire::SIGNING_DOMAIN),
        1 => Some(NOTICE_DOMAIN),
        2 => Some(FEED_DOMAIN),
        3 => Some(STEP_UP_DOMAIN),
        _ => None,
    }
}

/// Reads the input, a public key (32 bytes), strictly; out: its handle.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_trust() -> u32 {
    with(NO_CATALOG, |s| match Key::read(&s.input) {
        Ok(key) => {
            let handle = keep(&mut s.keys, key);
            s.out = [handle, 0, 0, 0, 0, 0, 0, 0];
            0
        }
        Err(e) => refused(e),
    })
}

/// Lets go of key `k`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_drop_key(k: u32) {
    with((), |s| {
        if let Some(place) = s.keys.get_mut(slot(k)) {
            *place = None;
        }
    })
}

/// Checks, with key `k`, the signature of the document in the input: its
/// first `signed` bytes, signed under domain `d` (0 snapshot, 1 notice, 2
/// feed head, 3 step-up proof), then the 64-byte signature, and nothing
/// after it.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_verify(k: u32, d: u32, signed: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let (Some(key), Some(domain)) = (s.keys.get(slot(k)).and_then(Option::as_ref), domain(d))
        else {
            return NO_CATALOG;
        };
        // Exactly the signature after the bytes signed.
        let (message, signature) = s.input.split_at_checked(signed).unwrap_or_default();
        status(key.verify(domain, message, signature))
    })
}
