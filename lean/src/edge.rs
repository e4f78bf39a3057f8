//! The edge's exports (feature `edge`): route gates
//! (`permsnap::lean::gate`) compiled against a catalog of this instance,
//! requests decided on snapshots loaded with `ps_load`, step-up proofs
//! read once their signature was checked (`ps_verify`, or the platform's).
//!
//! Texts come back in a text buffer, its address and length in the result
//! words: a table's refusal, a warning, a decision's fields.

use crate::{keep, refused, slot, with, State, NO_CATALOG};
use permsnap::lean::feed::FeedHead;
use permsnap::lean::gate::{Decision, Gate, Need, Proof, Request, Verified};
use permsnap::lean::stepup::{split_proof, StepUp};

/// The edge's part of the instance's state.
pub(crate) struct Edge {
    gates: Vec<Option<Gate>>,
    /// The last text answered.
    pub(crate) text: Vec<u8>,
    /// The last step-up proof read (`ps_proof`).
    proof: Option<StepUp>,
    /// The last feed head read (`ps_feed`), for `ps_feed_lists`.
    pub(crate) feed: Option<FeedHead>,
}

impl Edge {
    pub(crate) const fn new() -> Edge {
        Edge {
            gates: Vec::new(),
            text: Vec::new(),
            proof: None,
            feed: None,
        }
    }
}

/// `ps_gate_check`'s answers besides a refusal.
const DECIDED: u32 = 0;
pub(crate) const NEEDS_SNAPSHOT: u32 = u32::MAX - 1;
pub(crate) const NEEDS_PROOF: u32 = u32::MAX - 2;

/// Sets the text buffer; out: its address and length.
fn answer_text(s: &mut State, text: &[u8]) {
    s.edge.text.clear();
    s.edge.text.extend_from_slice(text);
    s.out = [
        s.edge.text.as_ptr() as u32,
        s.edge.text.len() as u32,
        0,
        0,
        0,
        0,
        0,
        0,
    ];
}

/// Compiles a route table: the input is its JSON text followed by
/// `cookie_len` bytes of the snapshot cookie's name (letters, digits, `_`,
/// `-`), for catalog `c`. Out: the gate's handle and how many warnings it
/// has; refused (`invalid_policy`): out holds the refusal's text (address,
/// length).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_gate(c: u32, cookie_len: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(catalog) = s.catalogs.get(slot(c)).and_then(Option::clone) else {
            return NO_CATALOG;
        };
        let split = s
            .input
            .len()
            .checked_sub(cookie_len)
            .map(|at| s.input.split_at(at));
        let Some((Ok(json), Ok(cookie))) =
            split.map(|(j, c)| (core::str::from_utf8(j), core::str::from_utf8(c)))
        else {
            return refused(permsnap::lean::INVALID_ARGUMENT);
        };
        match Gate::new(catalog, json) {
            Ok(mut gate) => {
                if !gate.set_cookie_name(cookie) {
                    return refused(permsnap::lean::INVALID_ARGUMENT);
                }
                let warnings = gate.warnings().len() as u32;
                let handle = keep(&mut s.edge.gates, gate);
                s.out = [handle, warnings, 0, 0, 0, 0, 0, 0];
                0
            }
            Err(e) => {
                let text = [e.at.as_bytes(), b": ", e.detail.as_bytes()].concat();
                answer_text(s, &text);
                refused(permsnap::lean::INVALID_POLICY)
            }
        }
    })
}

/// Warning `i` of gate `g`; out: its text (address, length).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_gate_warning(g: u32, i: usize) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(w) = s
            .edge
            .gates
            .get(slot(g))
            .and_then(Option::as_ref)
            .and_then(|gate| gate.warnings().get(i))
        else {
            return NO_CATALOG;
        };
        let w = w.clone();
        answer_text(s, w.as_bytes());
        0
    })
}

/// Lets go of gate `g`.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_drop_gate(g: u32) {
    with((), |s| {
        if let Some(place) = s.edge.gates.get_mut(slot(g)) {
            *place = None;
        }
    })
}

/// Splits the input, a binary step-up proof; out: the key id's offset
/// and length, then the length signed (the signature follows it).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_proof_split() -> u32 {
    with(NO_CATALOG, |s| crate::split_with(s, split_proof))
}

/// Reads the input, a binary step-up proof whose signature JavaScript
/// checked, for the next `ps_gate_check` (`step_up_refused` when its
/// fields break the format's rules).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_proof() -> u32 {
    with(NO_CATALOG, |s| {
        s.edge.proof = None;
        let read = split_proof(&s.input).and_then(|p| StepUp::read(&s.input, &p));
        match read {
            Ok(p) => {
                s.edge.proof = Some(p);
                0
            }
            Err(e) => refused(e),
        }
    })
}

/// The parts of the input `ps_gate_check` reads, in order, after their
/// lengths (eight little-endian u32, `u32::MAX` for a header not sent).
fn fields(input: &[u8]) -> Option<[Option<&str>; 8]> {
    let (head, mut rest) = input.split_at_checked(32)?;
    let mut out = [None; 8];
    for (place, len) in out.iter_mut().zip(head.chunks_exact(4)) {
        let len = u32::from_le_bytes(len.try_into().ok()?);
        if len == u32::MAX {
            continue;
        }
        let (field, after) = rest.split_at_checked(len as usize)?;
        *place = Some(core::str::from_utf8(field).ok()?);
        rest = after;
    }
    rest.is_empty().then_some(out)
}

/// The snapshot text of the request in the input (as `ps_gate_check`
/// reads it), for gate `g`: out: 1 and its address and length, or 0 when
/// the request carries none. The caller verifies it before its first
/// `ps_gate_check`, which then routes the request once.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_gate_snapshot(g: u32) -> u32 {
    with(NO_CATALOG, |s| {
        let Some(gate) = s.edge.gates.get(slot(g)).and_then(Option::as_ref) else {
            return NO_CATALOG;
        };
        let Some([_, _, authorization, cookie, ..]) = fields(&s.input) else {
            return refused(permsnap::lean::INVALID_ARGUMENT);
        };
        let request = Request {
            method: "",
            target: "",
            authorization,
            cookie,
            method_override: None,
            step_up: None,
            no_tenant: false,
            keys: false,
        };
        let text = gate.snapshot_of(&request);
        s.out = match text {
            Some(t) => [1, t.as_ptr() as u32, t.len() as u32, 0, 0, 0, 0, 0],
            None => [0; 8],
        };
        0
    })
}

/// How the caller checked the request's snapshot or proof.
const NOT_YET: u32 = 0;
const READ: u32 = 1;
const REFUSED: u32 = 2;

/// An answer the caller worded: a refused snapshot or proof.
fn worded(status: u32, code: u32, message: Option<&str>) -> Option<Decision> {
    let code = permsnap::Error::CODES.get(code as usize)?;
    let message = message.unwrap_or_default().into();
    Some(Decision::answer(u16::try_from(status).ok()?, code, message))
}

/// Decides a request with gate `g`. The input holds the request's method,
/// target, `Authorization`, `Cookie`, method-override and
/// `Permsnap-Step-Up` headers, then the message of the snapshot's refusal
/// and of the proof's (see `fields`). `flags`: 1 the request names no
/// account a per-request verifier needs, 2 the verifier trusts a key.
/// `snapshot`: 0 not verified yet, 1 verified (`loaded`, a `ps_load`
/// handle of the gate's catalog), 2 refused with HTTP status `status` (401
/// or 503) and code `code` (its index in `Error::CODES`); `proof`: 0 not
/// read yet, 1 read by the `ps_proof` just before (taken: a proof serves
/// one call), 2 refused with code `proof_code` (status 403). `leeway`: at
/// most a day.
///
/// Answers 0 with the decision in the text buffer (out: its address and
/// length, the status, then the permission whose explanation ends the
/// message, or `u32::MAX`): its nine texts (code, message, route,
/// permission, reason, subject, tenant, actor, nonce): their nine
/// little-endian u32 lengths (`u32::MAX`: none), then the texts' bytes one
/// after another. Answers
/// `u32::MAX - 1` when it needs the snapshot verified first (out: its
/// text's address and length), `u32::MAX - 2` when it needs the proof
/// read. A snapshot or proof that is not the request's is asked for again.
#[allow(unsafe_code)]
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn ps_gate_check(
    g: u32,
    flags: u32,
    snapshot: u32,
    loaded: u32,
    status: u32,
    code: u32,
    proof: u32,
    proof_code: u32,
    now: f64,
    leeway: u32,
) -> u32 {
    with(NO_CATALOG, |s| {
        let State {
            input,
            loaded: all,
            edge,
            out,
            ..
        } = s;
        *out = [0; 8];
        // A proof read serves the one call after it.
        let read_proof = edge.proof.take();
        let Some(gate) = edge.gates.get(slot(g)).and_then(Option::as_ref) else {
            return NO_CATALOG;
        };
        let Some([method, target, authorization, cookie, method_override, step_up, why, why_proof]) =
            fields(input)
        else {
            return refused(permsnap::lean::INVALID_ARGUMENT);
        };
        if flags > 3 || u64::from(leeway) > permsnap::verify::MAX_LEEWAY {
            return refused(permsnap::lean::INVALID_ARGUMENT);
        }
        let request = Request {
            method: method.unwrap_or_default(),
            target: target.unwrap_or_default(),
            authorization,
            cookie,
            method_override,
            step_up,
            no_tenant: flags & 1 != 0,
            keys: flags & 2 != 0,
        };
        let refused_snapshot = worded(status, code, why).filter(|d| matches!(d.status, 401 | 503));
        let verified = match (snapshot, &refused_snapshot) {
            (NOT_YET, _) => Verified::NotYet,
            (READ, _) => match all.get(slot(loaded)).and_then(Option::as_ref) {
                Some((c, snap, d)) => Verified::Read(c, snap, d),
                None => return NO_CATALOG,
            },
            (REFUSED, Some(d)) => Verified::Refused(d),
            _ => return refused(permsnap::lean::INVALID_ARGUMENT),
        };
        let refused_proof = worded(403, proof_code, why_proof);
        let proof = match (proof, &refused_proof, &read_proof) {
            (NOT_YET, _, _) => Proof::NotYet,
            (READ, _, Some(p)) => Proof::Read(p),
            (REFUSED, Some(d), _) => Proof::Refused(d),
            _ => return refused(permsnap::lean::INVALID_ARGUMENT),
        };
        let now = if now.is_finite() && now >= 0.0 {
            now as u64
        } else {
            u64::MAX
        };
        match gate.check(&request, (verified, proof), (now, u64::from(leeway))) {
            Ok(checked) => {
                let d = &checked.decision;
                let text = &mut edge.text;
                text.clear();
                let fields = [
                    Some(&d.code),
                    Some(&d.message),
                    d.route.as_ref(),
                    d.permission.as_ref(),
                    d.reason.as_ref(),
                    d.subject.as_ref(),
                    d.tenant.as_ref(),
                    d.actor.as_ref(),
                    d.nonce.as_ref(),
                ];
                // The lengths first, then the texts one after another:
                // JavaScript decodes them in one call.
                for field in fields {
                    let len = field.map_or(u32::MAX, |f| f.len() as u32);
                    text.extend_from_slice(&len.to_le_bytes());
                }
                for field in fields.into_iter().flatten() {
                    text.extend_from_slice(field.as_bytes());
                }
                let explain = checked.explain.map_or(u32::MAX, |i| i as u32);
                *out = [
                    text.as_ptr() as u32,
                    text.len() as u32,
                    u32::from(d.status),
                    explain,
                    0,
                    0,
                    0,
                    0,
                ];
                DECIDED
            }
            Err(Need::Snapshot) => {
                let text = gate.snapshot_of(&request).unwrap_or_default();
                *out = [text.as_ptr() as u32, text.len() as u32, 0, 0, 0, 0, 0, 0];
                NEEDS_SNAPSHOT
            }
            Err(Need::Proof) => NEEDS_PROOF,
        }
    })
}
