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
/// followed by `tenant_len` bytes of the account expected (always
/// checked: an empty one matches no snapshot),
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
            snapshot.check(Some(tenant), now as u64, u64::from(leeway))?;
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

/// A place in memory: address and length.
fn at(base: &[u8], s: Span) -> [u32; 2] {
    [base.as_ptr() as u32 + s.at, s.len]
}

/// Kind `k` of the catalog; out: its name, id field and assignee field
/// (address 0: none) as address and length, then how many owner fields
/// and fields it has.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_kind(k: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(c) = &s.catalog else {
            return NO_CATALOG;
        };
        let (Some(name), Some(def)) = (c.kinds().get(k), c.kind_def(k)) else {
            return NO_CATALOG;
        };
        let b = c.bytes();
        let [n, nl] = at(b, *name);
        let [i, il] = at(b, def.id_field);
        let [a, al] = def.assignee.map_or([0, 0], |a| at(b, a));
        let owners = c.owner_fields(def).len() as u32;
        s.out = [n, nl, i, il, a, al, owners, c.field_count(k) as u32];
        0
    })
}

/// Owner field `j` of kind `k`; out: address and length.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_owner(k: usize, j: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(c) = &s.catalog else {
            return NO_CATALOG;
        };
        let Some(o) = c.kind_def(k).and_then(|d| c.owner_fields(d).get(j)) else {
            return NO_CATALOG;
        };
        let [p, l] = at(c.bytes(), *o);
        s.out = [p, l, 0, 0, 0, 0, 0, 0];
        0
    })
}

/// Field `j` of kind `k`; out: its name, then its mask text (address 0:
/// removed, not masked).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_field(k: usize, j: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(c) = &s.catalog else {
            return NO_CATALOG;
        };
        let Some(f) = c.field(k, j) else {
            return NO_CATALOG;
        };
        let b = c.bytes();
        let [n, nl] = at(b, f.name);
        let [m, ml] = f.mask.map_or([0, 0], |m| at(b, m));
        s.out = [n, nl, m, ml, 0, 0, 0, 0];
        0
    })
}

/// The loaded snapshot `handle` and its decision.
fn loaded(s: &State, handle: u32) -> Option<&(Snapshot, Decision)> {
    s.loaded
        .get((handle as usize).wrapping_sub(1))
        .and_then(Option::as_ref)
}

/// The staff id of snapshot `handle`; out: address and length.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_subject(handle: u32) -> u32 {
    with(NO_CATALOG, |s| {
        let Some((snap, _)) = loaded(s, handle) else {
            return NO_CATALOG;
        };
        let [p, l] = at(snap.bytes(), snap.subject);
        s.out = [p, l, 0, 0, 0, 0, 0, 0];
        0
    })
}

/// The view scope of snapshot `handle` on kind `k`; out: its variant (0
/// none, 1 own, 2 assigned, 3 specific, 4 all, 5 listed), then for
/// `specific` how many ids, for `listed` the count and the digest's
/// address (16 bytes).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_scope(handle: u32, k: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some((snap, d)) = loaded(s, handle) else {
            return NO_CATALOG;
        };
        let scope = d.scope(snap, k);
        let (count, digest) = match scope.tag {
            3 => (snap.ids(scope).count() as u32, 0),
            5 => snap
                .listed(scope)
                .map_or((0, 0), |(n, digest)| (n, digest.as_ptr() as u32)),
            _ => (0, 0),
        };
        s.out = [u32::from(scope.tag), count, digest, 0, 0, 0, 0, 0];
        0
    })
}

/// Id `j` of snapshot `handle`'s `specific` scope on kind `k`; out:
/// address and length.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_scope_id(handle: u32, k: usize, j: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some((snap, d)) = loaded(s, handle) else {
            return NO_CATALOG;
        };
        let Some(id) = snap.ids(d.scope(snap, k)).nth(j) else {
            return NO_CATALOG;
        };
        s.out = [id.as_ptr() as u32, id.len() as u32, 0, 0, 0, 0, 0, 0];
        0
    })
}

/// Whether snapshot `handle` hides field `j` of kind `k`; out: 1 or 0. A
/// kind hiding fields the catalog does not declare is refused
/// (`wrong_catalog`): they cannot be named.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_hidden(handle: u32, k: usize, j: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some((snap, d)) = loaded(s, handle) else {
            return NO_CATALOG;
        };
        if d.hides_undeclared(snap, k) {
            return status(Err(permsnap::lean::WRONG_CATALOG));
        }
        s.out = [u32::from(d.hidden(snap, k, j)), 0, 0, 0, 0, 0, 0, 0];
        0
    })
}

/// The filter of snapshot `handle` on kind `k`; out: 1 when every record
/// is kept, then how many clauses (`ps_clause`). A `listed` scope whose
/// ids are not attached is `ids_not_loaded`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_filter(handle: u32, k: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let (Some(c), Some((snap, d))) = (&s.catalog, loaded(s, handle)) else {
            return NO_CATALOG;
        };
        match d.filter(c, snap, k) {
            Ok((all, clauses)) => {
                s.out = [u32::from(all), clauses.len() as u32, 0, 0, 0, 0, 0, 0];
                0
            }
            Err(e) => status(Err(e)),
        }
    })
}

/// Clause `i` of that filter; out: its field (address, length), then 1
/// when its values are the scope's ids (`ps_scope_id`), 0 for the
/// subject.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_clause(handle: u32, k: usize, i: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let (Some(c), Some((snap, d))) = (&s.catalog, loaded(s, handle)) else {
            return NO_CATALOG;
        };
        let Some((field, ids)) = d
            .filter(c, snap, k)
            .ok()
            .and_then(|(_, cl)| cl.get(i).copied())
        else {
            return NO_CATALOG;
        };
        let [p, l] = at(c.bytes(), field);
        s.out = [p, l, u32::from(ids), 0, 0, 0, 0, 0];
        0
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
