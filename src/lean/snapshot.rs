//! A snapshot read in place (FORMAT.md, "Snapshot", "Catalog revisions"
//! and "Verification order"): its bytes and offsets into them, refused
//! exactly where the reference verifier refuses it.

use super::catalog::Catalog;
use super::{bits, Refusal, Span};
use super::{BAD_MAGIC, EXPIRED, MALFORMED, NOT_YET_VALID, TOO_LARGE, TRUNCATED};
use super::{UNSUPPORTED_VERSION, WRONG_CATALOG, WRONG_TENANT};
use crate::wire::read::{Bad, Reader};
use crate::wire::{id_list_digest, IDS_MAGIC, MAX_IDS_LEN};
use crate::wire::{MAGIC, MAX_KID_LEN, MAX_LIFETIME, MAX_ROLES, MAX_SNAPSHOT_LEN, SIGNATURE_LEN};
use crate::wire::{MAX_NOTICE_LEN, NOTICE_MAGIC};

/// A snapshot's parts before its signature is checked: offsets of the key
/// id and of what the signature covers; the signature is the last 64
/// bytes.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    /// The key id (UTF-8).
    pub kid: Span,
    /// Every byte before the signature.
    pub signed: Span,
    pub(crate) payload: Span,
}

/// Splits a binary snapshot: size, magic, version 2 and the key id, as the
/// reference's `wire::split` (which lets format 1 through to be refused
/// after it).
pub fn split(bytes: &[u8]) -> Result<Parts, Refusal> {
    split_framed(bytes, &MAGIC, MAX_SNAPSHOT_LEN, 1)
}

/// Splits a binary revocation notice, as the reference's
/// `wire::split_framed` does (format 2 only).
pub fn split_notice(bytes: &[u8]) -> Result<Parts, Refusal> {
    split_framed(bytes, &NOTICE_MAGIC, MAX_NOTICE_LEN, 2)
}

/// [`split`] for any signed document of the format family: its magic,
/// size bound and the oldest version let through (format 1 is refused
/// after the key id, as the reference refuses it).
pub(crate) fn split_framed(
    bytes: &[u8],
    magic: &[u8; 3],
    max_len: usize,
    min_version: u8,
) -> Result<Parts, Refusal> {
    if bytes.len() > max_len {
        return Err(TOO_LARGE);
    }
    match bytes.get(..3) {
        None => return Err(TRUNCATED),
        Some(m) if m != magic => return Err(BAD_MAGIC),
        Some(_) => {}
    }
    let version = *bytes.get(3).ok_or(TRUNCATED)?;
    if !(min_version..=2).contains(&version) {
        return Err(UNSUPPORTED_VERSION);
    }
    let kid_len = usize::from(*bytes.get(4).ok_or(TRUNCATED)?);
    if kid_len > MAX_KID_LEN {
        return Err(MALFORMED);
    }
    let header = 5 + kid_len;
    if bytes.len() < header + 1 + SIGNATURE_LEN {
        return Err(TRUNCATED);
    }
    let kid = bytes.get(5..header).ok_or(TRUNCATED)?;
    core::str::from_utf8(kid).map_err(|_| MALFORMED)?;
    if version == 1 {
        return Err(UNSUPPORTED_VERSION);
    }
    let end = bytes.len() - SIGNATURE_LEN;
    Ok(Parts {
        kid: Span::of(bytes, kid),
        signed: Span::of(bytes, bytes.get(..end).unwrap_or_default()),
        payload: Span::of(bytes, bytes.get(header..end).unwrap_or_default()),
    })
}

/// A scope as read: its variant, and where its data is (`specific`: the
/// id list's bytes; `listed`: count and digest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// 0 none, 1 own, 2 assigned, 3 specific, 4 all, 5 listed.
    pub tag: u8,
    /// Its data.
    pub data: Span,
}

/// `none`.
pub const NO_SCOPE: Scope = Scope {
    tag: 0,
    data: Span { at: 0, len: 0 },
};

/// A snapshot whose payload decoded and fits the catalog.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    bytes: Vec<u8>,
    /// Account id.
    pub tenant: Span,
    /// Staff id.
    pub subject: Span,
    /// Issued at, valid from and valid until: seconds since the epoch.
    pub times: [u64; 3],
    /// Snapshot id.
    pub id: [u8; 8],
    /// The account's revocation epoch.
    pub epoch: u32,
    /// The person's revocation counter.
    pub version: u64,
    /// Flag bits.
    pub flags: u8,
    /// The fingerprint of the catalog revision it was issued under.
    pub catalog: [u8; 8],
    /// That revision's number.
    pub revision: u16,
    /// Roles: id and the difference of its set with `permissions`.
    pub roles: Vec<(Span, Span)>,
    permissions: Span,
    step_up: Span,
    scopes: Vec<Scope>,
    hidden: Vec<Span>,
    apps: Span,
    features: Span,
    permission_scopes: Vec<(u32, u8)>,
    /// How many permissions its revision had.
    known: usize,
    /// Fields of each kind its revision had (`None`: read with the
    /// catalog's own, one revision ahead of it).
    known_fields: Option<Vec<u32>>,
    /// The kinds it hides fields of that the catalog does not declare (one
    /// revision ahead): their hidden fields cannot be named.
    undeclared: Vec<u8>,
}

/// How many ids an id list's body holds (postcard `seq<string>`), each
/// after the one before it bytewise (so unique), the first not empty,
/// nothing after the last.
fn id_count(body: &[u8]) -> Result<u32, Bad> {
    let mut r = Reader::new(body);
    let n = r.len()?;
    let mut last: Option<&[u8]> = None;
    for _ in 0..n {
        let id = r.text()?.as_bytes();
        if last.map_or(id.is_empty(), |l| l >= id) {
            return Err("ids not sorted, unique and not empty");
        }
        last = Some(id);
    }
    if !r.rest().is_empty() {
        return Err("bytes follow its end");
    }
    u32::try_from(n).map_err(|_| "too many ids")
}

/// A bitset, which must be in canonical form (no trailing zero byte).
fn set<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], Bad> {
    let b = r.bytes()?;
    if b.last() == Some(&0) {
        return Err("a bitset has trailing zero bytes");
    }
    Ok(b)
}

/// A scope's variant and data (`Reader::scope`'s encoding).
fn scope<'a>(r: &mut Reader<'a>) -> Result<(u8, &'a [u8]), Bad> {
    let tag = r.variant(6)? as u8;
    let start = r.rest();
    match tag {
        3 => {
            for _ in 0..r.len()? {
                r.text()?;
            }
        }
        5 => {
            r.u32()?;
            r.take(16)?;
        }
        _ => {}
    }
    let data = start.get(..start.len() - r.rest().len());
    Ok((tag, data.unwrap_or_default()))
}

impl Snapshot {
    /// Reads the payload of `bytes` (split into `parts`, its signature
    /// checked) against `catalog`.
    pub fn read(bytes: &[u8], parts: &Parts, catalog: &Catalog) -> Result<Snapshot, Refusal> {
        let payload = parts.payload.in_(bytes);
        let mut s = Snapshot {
            bytes: bytes.to_vec(),
            ..Snapshot::default()
        };
        let (fingerprint, revision, previous) = s.payload(bytes, payload).map_err(|_| MALFORMED)?;
        s.fit(catalog, fingerprint, revision, previous)?;
        (s.catalog, s.revision) = (fingerprint, revision);
        Ok(s)
    }

    /// Decodes the payload (`decode_payload` and `check_wire`), returning
    /// its catalog fingerprint, revision and previous fingerprint.
    #[allow(clippy::type_complexity)]
    fn payload(
        &mut self,
        whole: &[u8],
        payload: &[u8],
    ) -> Result<([u8; 8], u16, Option<[u8; 8]>), Bad> {
        let span = |part: &[u8]| Span::of(whole, part);
        let mut r = Reader::new(payload);
        self.tenant = span(r.text()?.as_bytes());
        self.subject = span(r.text()?.as_bytes());
        let issued_at = r.u64()?;
        let not_before = r.u32()?;
        let lifetime = r.u32()?;
        self.id = r.array()?;
        self.epoch = r.u32()?;
        self.version = r.u64()?;
        let fingerprint = r.array()?;
        let revision = r.u16()?;
        let previous = r.option(Reader::array)?;
        self.flags = r.u8()?;
        for _ in 0..r.len()? {
            let id = span(r.text()?.as_bytes());
            let delta = span(set(&mut r)?);
            self.roles.push((id, delta));
        }
        self.permissions = span(set(&mut r)?);
        self.step_up = span(set(&mut r)?);
        for _ in 0..r.len()? {
            let (tag, data) = scope(&mut r)?;
            self.scopes.push(Scope {
                tag,
                data: span(data),
            });
        }
        for _ in 0..r.len()? {
            let h = span(set(&mut r)?);
            self.hidden.push(h);
        }
        self.apps = span(set(&mut r)?);
        self.features = span(set(&mut r)?);
        for _ in 0..r.len()? {
            let i = r.u32()?;
            let (tag, _) = scope(&mut r)?;
            self.permission_scopes.push((i, tag));
        }
        if !r.rest().is_empty() {
            return Err("bytes follow its end");
        }
        // check_wire
        if self.tenant.len == 0 || self.subject.len == 0 {
            return Err("empty tenant or subject");
        }
        if lifetime == 0 || lifetime > MAX_LIFETIME || not_before >= lifetime {
            return Err("lifetime");
        }
        if self.flags & !crate::wire::KNOWN_FLAGS != 0 {
            return Err("flags");
        }
        if revision == 0 || (revision > 1) != previous.is_some() {
            return Err("revision");
        }
        if self.roles.len() > MAX_ROLES || self.roles.iter().any(|(id, _)| id.len == 0) {
            return Err("roles");
        }
        if self.scopes.last().is_some_and(|s| s.tag == 0)
            || self.hidden.last().is_some_and(|h| h.len == 0)
        {
            return Err("an empty last entry");
        }
        let mut last = None;
        for (i, tag) in &self.permission_scopes {
            if !matches!(tag, 1 | 2 | 4) || last.is_some_and(|l| l >= *i) {
                return Err("permission scopes");
            }
            last = Some(*i);
        }
        self.times = [
            issued_at,
            issued_at.saturating_add(u64::from(not_before)),
            issued_at.saturating_add(u64::from(lifetime)),
        ];
        Ok((fingerprint, revision, previous))
    }

    /// The verifier's `fit`: read with the shape of the revision it names,
    /// or of the catalog's latest one when it is one revision ahead.
    fn fit(
        &mut self,
        catalog: &Catalog,
        fingerprint: [u8; 8],
        revision: u16,
        previous: Option<[u8; 8]>,
    ) -> Result<(), Refusal> {
        // Before its fingerprints are known, a catalog fits nothing.
        if !catalog.hashed() {
            return Err(WRONG_CATALOG);
        }
        let revs = catalog.revisions();
        if let Some((at, rev)) = revs
            .iter()
            .enumerate()
            .find(|(_, r)| r.fingerprint == fingerprint)
        {
            if usize::from(revision) != at + 1 {
                return Err(MALFORMED);
            }
            let n = rev.perms;
            let b = &self.bytes;
            let fits = |s: Span, n: usize| bits::fits(s.in_(b), n);
            if !fits(self.permissions, n)
                || !fits(self.step_up, n)
                || self.roles.iter().any(|(_, d)| !fits(*d, n))
                || self.scopes.len() > rev.fields.len()
                || self.hidden.len() > rev.fields.len()
                || self
                    .hidden
                    .iter()
                    .zip(&rev.fields)
                    .any(|(h, f)| !fits(*h, *f as usize))
                || !fits(self.apps, rev.apps)
                || !fits(self.features, rev.features)
                || self.permission_scopes.iter().any(|(i, _)| {
                    *i as usize >= n || !catalog.perms().get(*i as usize).is_some_and(|p| p.scoped)
                })
            {
                return Err(MALFORMED);
            }
            self.known = n;
            self.known_fields = Some(rev.fields.clone());
            return Ok(());
        }
        let latest = revs.last().ok_or(WRONG_CATALOG)?;
        if previous == Some(latest.fingerprint) && usize::from(revision) == revs.len() + 1 {
            self.known = latest.perms;
            self.known_fields = None;
            for (k, h) in self.hidden.iter().enumerate() {
                if !bits::fits(h.in_(&self.bytes), catalog.field_count(k)) {
                    bits::set(&mut self.undeclared, k);
                }
            }
            return Ok(());
        }
        Err(WRONG_CATALOG)
    }

    /// The verifier's `check_claims` without revocations: the account (when
    /// given) and the clock.
    /// The leeway is capped as the verifier caps it (`MAX_LEEWAY`).
    pub fn check(&self, tenant: Option<&[u8]>, now: u64, leeway: u64) -> Result<(), Refusal> {
        let leeway = leeway.min(crate::verify::MAX_LEEWAY);
        if tenant.is_some_and(|t| t != self.tenant.in_(&self.bytes)) {
            return Err(WRONG_TENANT);
        }
        let [_, not_before, expires_at] = self.times;
        if now > expires_at.saturating_add(leeway) {
            return Err(EXPIRED);
        }
        if now.saturating_add(leeway) < not_before {
            return Err(NOT_YET_VALID);
        }
        Ok(())
    }

    /// The snapshot's bytes (what every [`Span`] of it points into).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many of the catalog's permissions its revision had.
    pub fn known(&self) -> usize {
        self.known
    }

    /// Whether permission `i` is granted.
    pub fn granted(&self, i: usize) -> bool {
        i < self.known && bits::get(self.permissions.in_(&self.bytes), i)
    }

    /// The first of the person's roles that grants permission `i`: its id.
    /// (A role's set travels as its difference with the person's.)
    pub fn granting_role(&self, i: usize) -> Option<Span> {
        let granted = self.granted(i);
        let b = &self.bytes;
        let grants = |delta: &Span| bits::get(delta.in_(b), i) != granted;
        self.roles
            .iter()
            .find(|(_, d)| grants(d))
            .map(|(id, _)| *id)
    }

    /// Whether permission `i` needs a step-up.
    pub fn step_up(&self, i: usize) -> bool {
        i < self.known && bits::get(self.step_up.in_(&self.bytes), i)
    }

    /// Whether the person may enter application `a` (of the catalog).
    pub fn app(&self, a: usize) -> bool {
        bits::get(self.apps.in_(&self.bytes), a)
    }

    /// Whether the account has feature `f` (of the catalog).
    pub fn feature(&self, f: usize) -> bool {
        bits::get(self.features.in_(&self.bytes), f)
    }

    /// The view scope on kind `k`, as signed (the decision closes kinds out
    /// of reach).
    pub fn scope(&self, k: usize) -> Scope {
        self.scopes.get(k).copied().unwrap_or(NO_SCOPE)
    }

    /// The scope variant of `scoped` permission `i`, 0 when it has none.
    pub fn permission_scope(&self, i: usize) -> u8 {
        self.permission_scopes
            .iter()
            .find(|(p, _)| *p as usize == i)
            .map_or(0, |(_, tag)| *tag)
    }

    /// The scopes of `scoped` permissions as signed: each permission and
    /// its scope's variant, in permission order (a snapshot one revision
    /// ahead may name permissions this catalog does not have yet).
    pub fn permission_scopes(&self) -> &[(u32, u8)] {
        &self.permission_scopes
    }

    /// The ids of a `specific` scope's data (a sequence of strings, read
    /// when the snapshot was).
    pub fn ids(&self, scope: Scope) -> impl Iterator<Item = &[u8]> {
        let mut r = Reader::new(scope.data.in_(&self.bytes));
        let n = if scope.tag == 3 {
            r.len().unwrap_or(0)
        } else {
            0
        };
        (0..n).map_while(move |_| r.bytes().ok())
    }

    /// This snapshot with the id list `list` (binary) attached, as the
    /// reference's `with_ids` attaches it (FORMAT.md, "Id lists"): the
    /// scopes of `listed` kinds (those whose decided scope is `listed`)
    /// naming its digest and count read as `specific` with its ids. A list
    /// no scope names, or one that does not read as the issuer writes it
    /// (sorted, unique, the first id not empty), is `malformed`.
    pub fn with_ids(&self, list: &[u8], listed: &[usize]) -> Result<Snapshot, Refusal> {
        if list.len() > MAX_IDS_LEN {
            return Err(TOO_LARGE);
        }
        let digest = id_list_digest(list);
        let body = match list.strip_prefix(&IDS_MAGIC) {
            Some([2, body @ ..]) => body,
            _ => return Err(MALFORMED),
        };
        let count = id_count(body).map_err(|_| MALFORMED)?;
        let names = |k: &usize| self.listed(self.scope(*k)) == Some((count, &digest[..]));
        if !listed.iter().any(names) {
            return Err(MALFORMED);
        }
        let mut s = self.clone();
        let data = Span {
            at: s.bytes.len() as u32,
            len: body.len() as u32,
        };
        s.bytes.extend_from_slice(body);
        for k in listed.iter().filter(|k| names(k)) {
            if let Some(scope) = s.scopes.get_mut(*k) {
                *scope = Scope { tag: 3, data };
            }
        }
        Ok(s)
    }

    /// A `listed` scope's count and digest.
    pub fn listed(&self, scope: Scope) -> Option<(u32, &[u8])> {
        let mut r = Reader::new(scope.data.in_(&self.bytes));
        (scope.tag == 5).then_some(())?;
        Some((r.u32().ok()?, r.take(16).ok()?))
    }

    /// Whether it hides fields of kind `k` the catalog does not declare
    /// (then they cannot be named, nor redacted: `wrong_catalog`), out of
    /// reach or not, as the reference closes kinds.
    pub fn hides_undeclared(&self, k: usize) -> bool {
        bits::get(&self.undeclared, k)
    }

    /// Whether field `j` of kind `k` is hidden, as signed: a field its
    /// revision did not have yet is.
    pub fn hidden(&self, k: usize, j: usize) -> bool {
        if let Some(known) = &self.known_fields {
            if j >= known.get(k).map_or(0, |n| *n as usize) {
                return true;
            }
        }
        self.hidden
            .get(k)
            .is_some_and(|h| bits::get(h.in_(&self.bytes), j))
    }
}
