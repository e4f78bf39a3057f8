//! The small browser core's exports (#16): permsnap's `lean` module behind
//! plain wasm functions, no wasm-bindgen, no `unsafe` block.
//!
//! JavaScript asks `ps_input(n)` for the address of an n-byte input buffer,
//! writes its bytes there, and calls the function that reads it. Results
//! are eight u32 words at `ps_out()`. A call answers 0, or a refusal's
//! index in `permsnap::Error::CODES` plus 1; nothing traps on any input. A
//! loaded snapshot is a handle (1, 2, …) until `ps_drop`.
#![deny(unsafe_code)]

use permsnap::lean::catalog::Catalog;
use permsnap::lean::decide::Decision;
use permsnap::lean::snapshot::{split, Snapshot};
use permsnap::lean::{check_key, check_signature, Refusal, Span};
use std::cell::RefCell;

#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Answered when the instance holds no catalog.
const NO_CATALOG: u32 = u32::MAX;

struct State {
    input: Vec<u8>,
    catalog: Option<Catalog>,
    loaded: Vec<Option<(Snapshot, Decision)>>,
    out: [u32; 8],
}

thread_local! {
    // A wasm instance without `atomics` has one thread: this is its state.
    static STATE: RefCell<State> = const {
        RefCell::new(State { input: Vec::new(), catalog: None, loaded: Vec::new(), out: [0; 8] })
    };
}

fn with<T>(busy: T, f: impl FnOnce(&mut State) -> T) -> T {
    STATE.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => busy,
    })
}

fn status(r: Result<(), Refusal>) -> u32 {
    match r {
        Ok(()) => 0,
        Err(e) => u32::from(e.0) + 1,
    }
}

fn span(s: Span) -> [u32; 2] {
    [s.at, s.len]
}

/// The address of an `n`-byte input buffer for JavaScript to fill (0 when
/// memory cannot grow). It stays valid until the next `ps_input`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_input(n: usize) -> usize {
    with(0, |s| {
        s.input.clear();
        if s.input.try_reserve_exact(n).is_err() {
            return 0;
        }
        s.input.resize(n, 0);
        s.input.as_ptr() as usize
    })
}

/// The address of the eight result words.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_out() -> usize {
    with(0, |s| s.out.as_ptr() as usize)
}

/// Reads the input as a compiled catalog (binary), the instance's from
/// now on (every loaded snapshot is dropped); out: its permission,
/// application, kind and feature counts.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_catalog() -> u32 {
    with(NO_CATALOG, |s| {
        status(Catalog::read(&s.input).map(|c| {
            let n = |x: usize| x as u32;
            s.out = [
                n(c.perms().len()),
                n(c.apps().len()),
                n(c.kinds().len()),
                n(c.features().len()),
                0,
                0,
                0,
                0,
            ];
            s.catalog = Some(c);
            s.loaded.clear();
        }))
    })
}

/// The name of permission `i` of the catalog; out: its address and length
/// (UTF-8), valid until the next `ps_catalog`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_permission(i: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(c) = &s.catalog else {
            return NO_CATALOG;
        };
        let Some(p) = c.perms().get(i) else {
            return NO_CATALOG;
        };
        let base = c.bytes().as_ptr() as u32;
        s.out = [base + p.name.at, p.name.len, 0, 0, 0, 0, 0, 0];
        0
    })
}

/// Checks the input, a public key (32 bytes), strictly: canonical, on the
/// curve, not of small order.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_key() -> u32 {
    with(NO_CATALOG, |s| status(check_key(&s.input)))
}

/// Checks the strict shape of the signature that ends the input (a binary
/// snapshot), before the platform checks the equation.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_shape() -> u32 {
    with(NO_CATALOG, |s| {
        let at = s.input.len().saturating_sub(64);
        status(check_signature(s.input.get(at..).unwrap_or_default()))
    })
}

/// Splits the input, a binary snapshot; out: the key id's offset and
/// length, then the length signed (the signature is the last 64 bytes).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_split() -> u32 {
    with(NO_CATALOG, |s| {
        status(split(&s.input).map(|p| {
            let [at, len] = span(p.kid);
            s.out = [at, len, p.signed.len, 0, 0, 0, 0, 0];
        }))
    })
}

/// Reads the input, a binary snapshot whose signature JavaScript checked
/// followed by `tenant_len` bytes of the account expected (none: any),
/// against the catalog at `now` (seconds) with `leeway`; out: its handle,
/// then the effective permissions' address and length.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_load(tenant_len: usize, now: f64, leeway: u32) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(c) = &s.catalog else {
            return NO_CATALOG;
        };
        let Some(at) = s.input.len().checked_sub(tenant_len) else {
            return NO_CATALOG;
        };
        let (bytes, tenant) = s.input.split_at(at);
        let read = split(bytes).and_then(|p| {
            let snapshot = Snapshot::read(bytes, &p, c)?;
            snapshot.check(
                (!tenant.is_empty()).then_some(tenant),
                now as u64,
                u64::from(leeway),
            )?;
            let decision = Decision::new(c, &snapshot);
            Ok((snapshot, decision))
        });
        match read {
            Ok(loaded) => {
                let slot = match s.loaded.iter().position(Option::is_none) {
                    Some(free) => free,
                    None => {
                        s.loaded.push(None);
                        s.loaded.len() - 1
                    }
                };
                let e = &loaded.1.effective;
                // The set's buffer stays where it is when `loaded` moves.
                s.out = [
                    slot as u32 + 1,
                    e.as_ptr() as u32,
                    e.len() as u32,
                    0,
                    0,
                    0,
                    0,
                    0,
                ];
                if let Some(place) = s.loaded.get_mut(slot) {
                    *place = Some(loaded);
                }
                0
            }
            Err(e) => status(Err(e)),
        }
    })
}

/// Lets go of a loaded snapshot.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_drop(handle: u32) {
    with((), |s| {
        if let Some(place) = s.loaded.get_mut((handle as usize).wrapping_sub(1)) {
            *place = None;
        }
    })
}
