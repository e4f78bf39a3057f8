//! Revocation feeds (feature `edge`): a feed head read once JavaScript
//! checked its signature (`ps_verify`, domain 2), and the notices it lists
//! held to its count and digest. JavaScript keeps the head's time and
//! checks its account and age (as it keeps the revocations), then applies
//! each notice as it applies one alone (`ps_notice`).

use crate::{refused, with, State, NO_CATALOG};
use permsnap::lean::feed::{split_head, FeedHead};

/// Splits the input, a binary feed head; out: the key id's offset and
/// length, then the length signed (the signature follows it).
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_feed_split() -> u32 {
    with(NO_CATALOG, |s| crate::split_with(s, split_head))
}

/// Reads the input, a binary feed head whose signature JavaScript checked,
/// for the next `ps_feed_lists`. Out: 1 when it names an account (then
/// its address and length) or 0, its time (seconds; low word, high word)
/// and how many notices it lists.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_feed() -> u32 {
    with(NO_CATALOG, |s| {
        s.edge.feed = None;
        let read = split_head(&s.input).and_then(|p| FeedHead::read(&s.input, &p));
        match read {
            Ok(h) => {
                let t = h.issued_at;
                let tenant = h.tenant.map_or([0; 3], |t| {
                    let [at, len] = crate::at(h.bytes(), t);
                    [1, at, len]
                });
                s.out = [
                    tenant[0],
                    tenant[1],
                    tenant[2],
                    t as u32,
                    (t >> 32) as u32,
                    h.count,
                    0,
                    0,
                ];
                s.edge.feed = Some(h);
                0
            }
            Err(e) => refused(e),
        }
    })
}

/// Whether the input, notices (binary, in feed order, each after its
/// length as a little-endian u32), are the ones the head read last by
/// `ps_feed` lists: as many, with its digest (`malformed` otherwise: one
/// left out, added or changed). Takes the head: it serves one call.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "C" fn ps_feed_lists() -> u32 {
    with(NO_CATALOG, |s| {
        let State { input, edge, .. } = s;
        let Some(head) = edge.feed.take() else {
            return NO_CATALOG;
        };
        let Some(notices) = framed(input) else {
            return refused(permsnap::lean::MALFORMED);
        };
        crate::status(head.lists(notices.into_iter()))
    })
}

/// The input's length-prefixed parts, or `None` when they do not fill it.
fn framed(mut rest: &[u8]) -> Option<Vec<&[u8]>> {
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let (len, after) = rest.split_at_checked(4)?;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let (part, after) = after.split_at_checked(len)?;
        parts.push(part);
        rest = after;
    }
    Some(parts)
}
