//! The small browser core's exports (#16): permsnap's `lean` module behind
//! plain wasm functions, no wasm-bindgen, no `unsafe` block.
//!
//! JavaScript asks `ps_input(n)` for the address of an n-byte input buffer,
//! writes its bytes there, and calls the function that reads it. Results
//! are eight u32 words at `ps_out()`. A call answers 0, or a refusal's
//! index in `permsnap::Error::CODES` plus 1; nothing traps on any input.
//! One instance serves a page: each catalog read is a handle (1, 2, …)
//! until `ps_drop_catalog`, each loaded snapshot one until `ps_drop` (it
//! keeps its catalog).
//!
//! Features: `curve` checks signatures in WebAssembly (`curve.rs`), `edge`
//! adds the route gate (`edge.rs`) and revocation feeds (`feed.rs`); the
//! browser entry has neither.
#![deny(unsafe_code)]

use permsnap::lean::catalog::Catalog;
use permsnap::lean::decide::{Decision, Detail};
use permsnap::lean::notice::Notice;
use permsnap::lean::snapshot::{split, split_notice, Parts, Scope, Snapshot};
use permsnap::lean::{check_key, check_signature, Refusal, Span};
use std::cell::RefCell;
use std::rc::Rc;

#[cfg(feature = "curve")]
mod curve;
#[cfg(feature = "edge")]
mod edge;
#[cfg(feature = "edge")]
mod feed;
#[cfg(all(test, feature = "edge"))]
mod tests;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Answered when the instance holds no catalog.
const NO_CATALOG: u32 = u32::MAX;

/// A loaded snapshot: its catalog, itself, the decision.
type Loaded = (Rc<Catalog>, Snapshot, Decision);

struct State {
    input: Vec<u8>,
    catalogs: Vec<Option<Rc<Catalog>>>,
    loaded: Vec<Option<Loaded>>,
    /// The last notice read (`ps_notice`), until the next.
    notice: Option<Notice>,
    out: [u32; 8],
    /// Trusted keys (`ps_trust`).
    #[cfg(feature = "curve")]
    keys: Vec<Option<permsnap::lean::Key>>,
    #[cfg(feature = "edge")]
    edge: edge::Edge,
}

thread_local! {
    // A wasm instance without `atomics` has one thread: this is its state.
    static STATE: RefCell<State> = const {
        RefCell::new(State {
            input: Vec::new(),
            catalogs: Vec::new(),
            loaded: Vec::new(),
            notice: None,
            out: [0; 8],
            #[cfg(feature = "curve")]
            keys: Vec::new(),
            #[cfg(feature = "edge")]
            edge: edge::Edge::new(),
        })
    };
}

/// Puts `item` in the first free slot of `list`; its handle (slot + 1).
fn keep<T>(list: &mut Vec<Option<T>>, item: T) -> u32 {
    let slot = match list.iter().position(Option::is_none) {
        Some(free) => free,
        None => {
            list.push(None);
            list.len() - 1
        }
    };
    if let Some(place) = list.get_mut(slot) {
        *place = Some(item);
    }
    slot as u32 + 1
}

fn with<T>(busy: T, f: impl FnOnce(&mut State) -> T) -> T {
    STATE.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => busy,
    })
}

fn status(r: Result<(), Refusal>) -> u32 {
    r.map_or_else(refused, |()| 0)
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

/// Reads the input as a compiled catalog (binary), its fingerprints
/// computed (SHA-512); out: its permission, application, kind and feature
/// counts, its handle, then its fingerprint's address (8 bytes: the last
/// revision's, what snapshots of it carry).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_catalog() -> u32 {
    with(NO_CATALOG, |s| {
        status(Catalog::read(&s.input).map(|c| {
            let n = |x: usize| x as u32;
            let counts = [
                n(c.perms().len()),
                n(c.apps().len()),
                n(c.kinds().len()),
                n(c.features().len()),
            ];
            let catalog = Rc::new(c);
            let fingerprint = catalog
                .revisions()
                .last()
                .map_or(0, |r| r.fingerprint.as_ptr() as u32);
            let handle = keep(&mut s.catalogs, catalog);
            let [p, a, k, f] = counts;
            s.out = [p, a, k, f, handle, fingerprint, 0, 0];
        }))
    })
}

/// Lets go of catalog `c` (the snapshots loaded with it keep it).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_drop_catalog(c: u32) {
    with((), |s| {
        if let Some(place) = s.catalogs.get_mut(slot(c)) {
            *place = None;
        }
    })
}

/// Name `i` of list `list` of catalog `c` (0 permissions, 1 applications,
/// 2 features); out: its address and length (UTF-8), valid while the
/// catalog is kept, then for a permission the kind it acts on
/// (`u32::MAX`: none) and 1 when it is `scoped`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_name(c: u32, list: u32, i: usize) -> u32 {
    on_catalog(c, |c| {
        let (name, kind, scoped) = match list {
            0 => c.perms().get(i).map(|p| (p.name, p.kind, p.scoped))?,
            1 => (*c.apps().get(i)?, 0, false),
            2 => (*c.features().get(i)?, 0, false),
            _ => return None,
        };
        let [p, l] = at(c.bytes(), name);
        Some([p, l, kind, u32::from(scoped), 0, 0, 0, 0])
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
    with(NO_CATALOG, |s| split_with(s, split))
}

/// The input split by `split`; out: the key id's offset and length, then
/// the length signed.
fn split_with(s: &mut State, split: fn(&[u8]) -> Result<Parts, Refusal>) -> u32 {
    status(split(&s.input).map(|p| {
        let [at, len] = span(p.kid);
        s.out = [at, len, p.signed.len, 0, 0, 0, 0, 0];
    }))
}

/// Reads the input, a binary snapshot whose signature JavaScript checked
/// followed by `tenant_len` bytes of an account, against catalog `c` at
/// `now` (seconds) with `leeway`. `account` says how its account is
/// checked: 0 it must be the one given (an empty one matches no snapshot),
/// 1 any (an explicit opt-out), 2 none was named for a verifier that needs
/// one per request (`invalid_argument`, where the account is checked).
/// Out: its handle, the effective permissions' address and length, then
/// its expiry (seconds since the epoch; low word, high word).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_load(c: u32, tenant_len: usize, account: u32, now: f64, leeway: u32) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(c) = s.catalogs.get(slot(c)).and_then(Option::clone) else {
            return NO_CATALOG;
        };
        let Some(at) = s.input.len().checked_sub(tenant_len) else {
            return NO_CATALOG;
        };
        let (bytes, tenant) = s.input.split_at(at);
        let read = split(bytes).and_then(|p| {
            let snapshot = Snapshot::read(bytes, &p, &c)?;
            let expected = match account {
                0 => Some(tenant),
                1 => None,
                _ => return Err(permsnap::lean::INVALID_ARGUMENT),
            };
            snapshot.check(expected, now as u64, u64::from(leeway))?;
            let decision = Decision::new(&c, &snapshot);
            Ok((snapshot, decision))
        });
        match read {
            Ok((snapshot, decision)) => {
                let e = &decision.effective;
                let [_, _, expires_at] = snapshot.times;
                // The set's buffer stays where it is when it moves.
                let (at, len) = (e.as_ptr() as u32, e.len() as u32);
                let handle = keep(&mut s.loaded, (c, snapshot, decision));
                s.out = [
                    handle,
                    at,
                    len,
                    expires_at as u32,
                    (expires_at >> 32) as u32,
                    0,
                    0,
                    0,
                ];
                0
            }
            Err(e) => refused(e),
        }
    })
}

/// Checks the loaded snapshot `handle` against the clock again, as
/// `ps_load` did (`now`, `leeway`): a verifier hands out what it loaded
/// before (the same bytes, account and keys) without reading it anew.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_recheck(handle: u32, now: f64, leeway: u32) -> u32 {
    on_loaded(handle, |_, snapshot, _| {
        snapshot
            .check(None, now as u64, u64::from(leeway))
            .map(|()| [0; 8])
            .map_err(refused)
    })
}

/// A place in memory: address and length.
fn at(base: &[u8], s: Span) -> [u32; 2] {
    [base.as_ptr() as u32 + s.at, s.len]
}

/// What an export answers: its result words, or the status to return.
type Answer = Result<[u32; 8], u32>;

/// A refusal as a status.
fn refused(r: Refusal) -> u32 {
    u32::from(r.0) + 1
}

/// Sets the result words of `answer` (status 0), or returns its status.
fn put(s: &mut State, answer: Answer) -> u32 {
    match answer {
        Ok(out) => {
            s.out = out;
            0
        }
        Err(status) => status,
    }
}

/// `f` on catalog `c` (none: [`NO_CATALOG`]); its `None` too.
fn on_catalog(c: u32, f: impl FnOnce(&Catalog) -> Option<[u32; 8]>) -> u32 {
    with(NO_CATALOG, |s| {
        let answer = s
            .catalogs
            .get(slot(c))
            .and_then(Option::as_deref)
            .and_then(f)
            .ok_or(NO_CATALOG);
        put(s, answer)
    })
}

/// The slot of `handle` in its list.
fn slot(handle: u32) -> usize {
    (handle as usize).wrapping_sub(1)
}

/// `f` on the catalog and the loaded snapshot `handle` with its decision
/// (no such snapshot: [`NO_CATALOG`]).
fn on_loaded(handle: u32, f: impl FnOnce(&Catalog, &Snapshot, &Decision) -> Answer) -> u32 {
    with(NO_CATALOG, |s| {
        let answer = match s.loaded.get(slot(handle)).and_then(Option::as_ref) {
            Some((c, snap, d)) => f(c, snap, d),
            None => Err(NO_CATALOG),
        };
        put(s, answer)
    })
}

/// Kind `k` of catalog `c`; out: its name (address, length), then how
/// many fields it has.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_kind(c: u32, k: usize) -> u32 {
    on_catalog(c, |c| {
        let [n, nl] = at(c.bytes(), *c.kinds().get(k)?);
        Some([n, nl, c.field_count(k) as u32, 0, 0, 0, 0, 0])
    })
}

/// Field `j` of kind `k`; out: its name, then its mask text (address 0:
/// removed, not masked).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_field(c: u32, k: usize, j: usize) -> u32 {
    on_catalog(c, |c| {
        let f = c.field(k, j)?;
        let b = c.bytes();
        let [n, nl] = at(b, f.name);
        let [m, ml] = f.mask.map_or([0, 0], |m| at(b, m));
        Some([n, nl, m, ml, 0, 0, 0, 0])
    })
}

/// The staff id and account of snapshot `handle`; out: address and
/// length of each.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_subject(handle: u32) -> u32 {
    on_loaded(handle, |_, snap, _| {
        let [p, l] = at(snap.bytes(), snap.subject);
        let [t, tl] = at(snap.bytes(), snap.tenant);
        Ok([p, l, t, tl, 0, 0, 0, 0])
    })
}

/// Role `i` the person of snapshot `handle` holds; out: its id's address
/// and length.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_role(handle: u32, i: usize) -> u32 {
    on_loaded(handle, |_, snap, _| {
        let (id, _) = snap.roles.get(i).ok_or(NO_CATALOG)?;
        let [p, l] = at(snap.bytes(), *id);
        Ok([p, l, 0, 0, 0, 0, 0, 0])
    })
}

/// Bit `i` of snapshot `handle`'s set `set`, as signed: 0 the permissions
/// needing a step-up, 1 the applications the person may enter, 2 the
/// account's features; out: 1 or 0.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_bit(handle: u32, set: u32, i: usize) -> u32 {
    on_loaded(handle, |_, snap, _| {
        let bit = match set {
            0 => snap.step_up(i),
            1 => snap.app(i),
            2 => snap.feature(i),
            _ => return Err(NO_CATALOG),
        };
        Ok([u32::from(bit), 0, 0, 0, 0, 0, 0, 0])
    })
}

/// The scope of snapshot `handle` on kind `k` (`p` is `u32::MAX`: its view
/// scope), or the one permission `p` acts with on the records of its kind
/// (`k` is then that kind's); out: its variant (0 none, 1 own, 2 assigned, 3
/// specific, 4 all, 5 listed), then for `specific` 0 and where its ids are
/// (address, length: postcard's `seq<string>`, count first, read by
/// JavaScript at once), for `listed` the count and the digest's address
/// (16 bytes), then the kind.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_scope(handle: u32, k: usize, p: u32) -> u32 {
    on_loaded(handle, |c, snap, d| {
        let (k, scope) = scope_of(c, snap, d, k, p)?;
        let (count, [at, len]) = match scope.tag {
            3 => (0, self::at(snap.bytes(), scope.data)),
            5 => snap
                .listed(scope)
                .map_or((0, [0, 0]), |(n, digest)| (n, [digest.as_ptr() as u32, 16])),
            _ => (0, [0, 0]),
        };
        Ok([u32::from(scope.tag), count, at, k as u32, len, 0, 0, 0])
    })
}

/// The kind and scope `ps_scope` answers for.
fn scope_of(
    c: &Catalog,
    snap: &Snapshot,
    d: &Decision,
    k: usize,
    p: u32,
) -> Result<(usize, Scope), u32> {
    if p == u32::MAX {
        return Ok((k, d.scope(snap, k)));
    }
    // (JavaScript asks only of a permission acting on a kind.)
    d.permission_scope(c, snap, p as usize).ok_or(NO_CATALOG)
}

/// Whether snapshot `handle` hides field `j` of kind `k`; out: 1 or 0,
/// then 1 when the kind hides fields the catalog does not declare (they
/// cannot be named: JavaScript refuses to list or redact them,
/// `wrong_catalog`).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_hidden(handle: u32, k: usize, j: usize) -> u32 {
    on_loaded(handle, |_, snap, d| {
        let hidden = u32::from(d.hidden(snap, k, j));
        let undeclared = u32::from(snap.hides_undeclared(k));
        Ok([hidden, undeclared, 0, 0, 0, 0, 0, 0])
    })
}

/// The filter of snapshot `handle` with the scope `ps_scope(handle, k, p)`
/// answers for; out: 1 when every record is kept, then how many clauses
/// (`ps_clause`). A `listed` scope whose ids are not attached is
/// `ids_not_loaded`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_filter(handle: u32, k: usize, p: u32) -> u32 {
    on_loaded(handle, |c, snap, d| {
        let (k, scope) = scope_of(c, snap, d, k, p)?;
        let (all, clauses) = d.filter(c, k, scope).map_err(refused)?;
        Ok([u32::from(all), clauses.len() as u32, 0, 0, 0, 0, 0, 0])
    })
}

/// Clause `i` of that filter; out: its field (address, length), then 1
/// when its values are the scope's ids (`ps_scope_id`), 0 for the
/// subject.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_clause(handle: u32, k: usize, p: u32, i: usize) -> u32 {
    on_loaded(handle, |c, snap, d| {
        let (k, scope) = scope_of(c, snap, d, k, p)?;
        let (_, clauses) = d.filter(c, k, scope).map_err(|_| NO_CATALOG)?;
        let (field, ids) = clauses.get(i).copied().ok_or(NO_CATALOG)?;
        let [p, l] = at(c.bytes(), field);
        Ok([p, l, u32::from(ids), 0, 0, 0, 0, 0])
    })
}

/// The claims of snapshot `handle`; out: its epoch, its version (low
/// word, high word), its id's address (8 bytes), its flags, when it was
/// issued (low word, high word), and how many roles (`ps_role`).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_claims(handle: u32) -> u32 {
    on_loaded(handle, |_, snap, _| {
        let (v, t) = (snap.version, snap.times[0]);
        Ok([
            snap.epoch,
            v as u32,
            (v >> 32) as u32,
            snap.id.as_ptr() as u32,
            u32::from(snap.flags),
            t as u32,
            (t >> 32) as u32,
            snap.roles.len() as u32,
        ])
    })
}

/// Why permission `i` takes effect for snapshot `handle` or not; out: the
/// reason's index in `permsnap::decision::Reason::CODES`, then its detail's
/// address and length (UTF-8 text; length 0: none), then 1 when the detail
/// is a set of permissions (a bitset over the catalog's: those whose
/// holding gives it) rather than text.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_explain(handle: u32, i: usize) -> u32 {
    on_loaded(handle, |c, snap, d| {
        if i >= c.perms().len() {
            return Err(NO_CATALOG);
        }
        let why = d.why(c, snap, i);
        let ([p, l], set) = match why.detail {
            Detail::None => ([0, 0], 0),
            Detail::Name(name) => (at(c.bytes(), name), 0),
            Detail::Role(id) => (at(snap.bytes(), id), 0),
            Detail::Set(set) => (at(c.bytes(), set), 1),
        };
        Ok([u32::from(why.reason), p, l, set, 0, 0, 0, 0])
    })
}

/// The rest of snapshot `handle`'s claims; out: when it becomes valid
/// (seconds since the epoch; low word, high word), the fingerprint of the
/// catalog revision it was issued under (its address, 8 bytes), that
/// revision's number, and how many `scoped` permissions it gives a scope
/// (`ps_permission_scope`).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_issued(handle: u32) -> u32 {
    on_loaded(handle, |_, snap, _| {
        let t = snap.times[1];
        let scopes = snap.permission_scopes().len() as u32;
        let catalog = snap.catalog.as_ptr() as u32;
        let revision = u32::from(snap.revision);
        Ok([
            t as u32,
            (t >> 32) as u32,
            catalog,
            revision,
            scopes,
            0,
            0,
            0,
        ])
    })
}

/// The `i`th scope snapshot `handle` gives a `scoped` permission, as
/// signed; out: the permission, then the scope's variant (1 own, 2
/// assigned, 4 all).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_permission_scope(handle: u32, i: usize) -> u32 {
    on_loaded(handle, |_, snap, _| {
        let (p, tag) = snap.permission_scopes().get(i).ok_or(NO_CATALOG)?;
        Ok([*p, u32::from(*tag), 0, 0, 0, 0, 0, 0])
    })
}

/// Splits the input, a binary revocation notice; out: the key id's offset
/// and length, then the length signed (the signature is the last 64
/// bytes).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_notice_split() -> u32 {
    with(NO_CATALOG, |s| split_with(s, split_notice))
}

/// Reads the input, a binary notice whose signature JavaScript checked
/// followed by `tenant_len` bytes of the account expected (another
/// account's notice is `wrong_tenant`), or of any account when `any` is 1;
/// out: how many ids and people it revokes, when it was issued (low word,
/// high word), its epoch, and its account (address, length). Kept for
/// `ps_notice_id` and `ps_notice_staff` until the next.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_notice(tenant_len: usize, any: u32) -> u32 {
    with(NO_CATALOG, |s| {
        s.notice = None;
        let Some(end) = s.input.len().checked_sub(tenant_len) else {
            return NO_CATALOG;
        };
        let (bytes, tenant) = s.input.split_at(end);
        let read = split_notice(bytes).and_then(|p| Notice::read(bytes, &p));
        match read {
            Ok(n) if any != 1 && n.tenant.in_(n.bytes()) != tenant => {
                refused(permsnap::lean::WRONG_TENANT)
            }
            Ok(n) => {
                let t = n.issued_at;
                let [a, al] = at(n.bytes(), n.tenant);
                s.out = [
                    n.ids.len() as u32,
                    n.staff.len() as u32,
                    t as u32,
                    (t >> 32) as u32,
                    n.min_epoch,
                    a,
                    al,
                    0,
                ];
                s.notice = Some(n);
                0
            }
            Err(e) => refused(e),
        }
    })
}

/// Id `i` of the last notice read; out: its address (8 bytes).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_notice_id(i: usize) -> u32 {
    on_notice(|n| {
        let id = n.ids.get(i)?;
        Some([at(n.bytes(), *id)[0], 0, 0, 0, 0, 0, 0, 0])
    })
}

/// `f` on the last notice read (none: [`NO_CATALOG`]); its `None` too.
fn on_notice(f: impl FnOnce(&Notice) -> Option<[u32; 8]>) -> u32 {
    with(NO_CATALOG, |s| {
        let answer = s.notice.as_ref().and_then(f).ok_or(NO_CATALOG);
        put(s, answer)
    })
}

/// Person `i` of the last notice read; out: their staff id (address,
/// length), then the version below which their snapshots are revoked (low
/// word, high word).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_notice_staff(i: usize) -> u32 {
    on_notice(|n| {
        let (subject, before) = n.staff.get(i)?;
        let [p, l] = at(n.bytes(), *subject);
        Some([p, l, *before as u32, (*before >> 32) as u32, 0, 0, 0, 0])
    })
}

/// Attaches the input, an id list (binary), to snapshot `handle`: a new
/// loaded snapshot (its handle in out) whose `listed` scopes naming the
/// list read as `specific` with its ids; the decision is the same.
/// `invalid_argument` when the snapshot lists no ids beside it.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_with_ids(handle: u32) -> u32 {
    with(NO_CATALOG, |s| {
        let Some((c, snap, d)) = s.loaded.get(slot(handle)).and_then(Option::as_ref) else {
            return NO_CATALOG;
        };
        let listed: Vec<usize> = (0..c.kinds().len())
            .filter(|k| d.scope(snap, *k).tag == 5)
            .collect();
        if listed.is_empty() {
            return refused(permsnap::lean::INVALID_ARGUMENT);
        }
        match snap.with_ids(&s.input, &listed) {
            Ok(attached) => {
                let loaded = (Rc::clone(c), attached, d.clone());
                let handle = keep(&mut s.loaded, loaded);
                s.out = [handle, 0, 0, 0, 0, 0, 0, 0];
                0
            }
            Err(e) => refused(e),
        }
    })
}

/// Lets go of a loaded snapshot.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_drop(handle: u32) {
    with((), |s| {
        if let Some(place) = s.loaded.get_mut(slot(handle)) {
            *place = None;
        }
    })
}
