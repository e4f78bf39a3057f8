//! A compiled catalog read in place (FORMAT.md, "Compiled catalog"): its
//! bytes, and tables of offsets into them. Refused (`invalid_policy`)
//! exactly where `Catalog::from_bytes` refuses.

use super::{bits, Refusal, Span, INVALID_POLICY};
use crate::model::catalog::{CATALOG_FINGERPRINT_DOMAIN, MAX_ENTRIES, MAX_REVISION};
use crate::wire::read::{Bad, Reader};
use crate::wire::{CATALOG_MAGIC, CATALOG_VERSION, MAX_CATALOG_LEN};

/// No index (an option left out).
pub const NONE: u32 = u32::MAX;

/// One permission.
#[derive(Debug, Clone, Copy)]
pub struct Perm {
    /// Its name.
    pub name: Span,
    /// What it requires (a bitset, transitively closed).
    pub requires: Span,
    /// Its application, or [`NONE`].
    pub app: u32,
    /// The kind it acts on, or [`NONE`].
    pub kind: u32,
    /// Its feature, or [`NONE`].
    pub feature: u32,
    /// Whether it carries its own scope.
    pub scoped: bool,
    /// Its `implied_by` sets: a range of [`Catalog::sets`].
    sets: (u32, u32),
}

/// What a kind's records are read by: where their id, owners and
/// assignees are.
#[derive(Debug, Clone, Copy)]
pub struct KindDef {
    /// The id field.
    pub id_field: Span,
    /// Its owner fields: a range of [`Catalog::owner_fields`].
    owners: (u32, u32),
    /// The assignee field, if any.
    pub assignee: Option<Span>,
}

/// One field of a kind.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The kind it belongs to.
    pub kind: u32,
    /// Its name.
    pub name: Span,
    /// Its mask text when masked; `None` when removed.
    pub mask: Option<Span>,
}

/// One revision: its fingerprint and how many entries of each list it has.
#[derive(Debug, Clone)]
pub struct Rev {
    /// What snapshots of this revision carry (zero until hashed).
    pub fingerprint: [u8; 8],
    /// Its bytes, which its fingerprint hashes after the previous
    /// revision's fingerprint (the first: after the catalog's head).
    pub chunk: Span,
    /// Permissions.
    pub perms: usize,
    /// Applications.
    pub apps: usize,
    /// Features.
    pub features: usize,
    /// Fields of each kind (one entry per kind of the revision).
    pub fields: Vec<u32>,
}

/// A compiled catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    bytes: Vec<u8>,
    perms: Vec<Perm>,
    sets: Vec<Span>,
    apps: Vec<Span>,
    features: Vec<Span>,
    kinds: Vec<Span>,
    kind_defs: Vec<KindDef>,
    owners: Vec<Span>,
    fields: Vec<Field>,
    revs: Vec<Rev>,
    implications: bool,
    /// The catalog's name: what the first revision's fingerprint hashes
    /// before its bytes.
    head: Span,
    /// Whether the revisions' fingerprints are known.
    hashed: bool,
}

fn index(r: &mut Reader) -> Result<u32, Bad> {
    Ok(r.option(Reader::u32)?.unwrap_or(NONE))
}

impl Catalog {
    /// Reads a compiled catalog (binary), its fingerprints computed.
    pub fn read(bytes: &[u8]) -> Result<Catalog, Refusal> {
        let mut c = Catalog::read_unhashed(bytes)?;
        let mut fingerprints = Vec::new();
        let mut link = c.head.in_(&c.bytes);
        for rev in &c.revs {
            let fp: [u8; 8] =
                crate::wire::digest(CATALOG_FINGERPRINT_DOMAIN, [link, rev.chunk.in_(&c.bytes)]);
            fingerprints.extend_from_slice(&fp);
            link = fingerprints
                .get(fingerprints.len() - 8..)
                .unwrap_or_default();
        }
        c.set_fingerprints(&fingerprints)?;
        Ok(c)
    }

    /// Reads a compiled catalog (binary) without computing its
    /// fingerprints (SHA-512 of [`CATALOG_FINGERPRINT_DOMAIN`], the link
    /// and the revision's bytes, cut to 8 bytes): [`Catalog::read`] computes
    /// them, or a caller hands them to [`Catalog::set_fingerprints`]. No
    /// snapshot fits it until then.
    pub fn read_unhashed(bytes: &[u8]) -> Result<Catalog, Refusal> {
        if bytes.len() > MAX_CATALOG_LEN {
            return Err(INVALID_POLICY);
        }
        let body = match bytes.strip_prefix(CATALOG_MAGIC) {
            Some([CATALOG_VERSION, body @ ..]) => body,
            _ => return Err(INVALID_POLICY),
        };
        let mut c = Catalog {
            bytes: bytes.to_vec(),
            perms: Vec::new(),
            sets: Vec::new(),
            apps: Vec::new(),
            features: Vec::new(),
            kinds: Vec::new(),
            kind_defs: Vec::new(),
            owners: Vec::new(),
            fields: Vec::new(),
            revs: Vec::new(),
            implications: false,
            head: Span { at: 0, len: 0 },
            hashed: false,
        };
        c.body(bytes, body).map_err(|_| INVALID_POLICY)?;
        c.check().map_err(|_| INVALID_POLICY)?;
        Ok(c)
    }

    /// Reads `body`, a part of `whole` (the spans are offsets in `whole`,
    /// which `self.bytes` copies).
    fn body(&mut self, whole: &[u8], body: &[u8]) -> Result<(), Bad> {
        let span = |part: &[u8]| Span::of(whole, part);
        let mut r = Reader::new(body);
        r.text()?;
        let head = body.get(..body.len() - r.rest().len()).unwrap_or_default();
        self.head = span(head);
        while !r.rest().is_empty() {
            if self.revs.len() >= usize::from(MAX_REVISION) {
                return Err("too many revisions");
            }
            let start = r.rest();
            let earlier_kinds = self.kinds.len();
            for _ in 0..r.len()? {
                let name = span(r.text()?.as_bytes());
                let requires = span(r.bytes()?);
                let app = index(&mut r)?;
                let kind = index(&mut r)?;
                let scoped = r.bool()?;
                let first = self.sets.len() as u32;
                for _ in 0..r.len()? {
                    let set = span(r.bytes()?);
                    self.sets.push(set);
                }
                let feature = index(&mut r)?;
                self.implications |= self.sets.len() as u32 > first;
                self.perms.push(Perm {
                    name,
                    requires,
                    app,
                    kind,
                    feature,
                    scoped,
                    sets: (first, self.sets.len() as u32),
                });
            }
            for _ in 0..r.len()? {
                let s = span(r.text()?.as_bytes());
                self.apps.push(s);
            }
            for _ in 0..r.len()? {
                let k = self.kinds.len() as u32;
                let s = span(r.text()?.as_bytes());
                self.kinds.push(s);
                let id_field = span(r.text()?.as_bytes());
                let first = self.owners.len() as u32;
                for _ in 0..r.len()? {
                    let owner = span(r.text()?.as_bytes());
                    self.owners.push(owner);
                }
                let assignee = r.option(Reader::text)?.map(|a| span(a.as_bytes()));
                self.kind_defs.push(KindDef {
                    id_field,
                    owners: (first, self.owners.len() as u32),
                    assignee,
                });
                for _ in 0..r.len()? {
                    let f = field(&mut r, whole, k)?;
                    self.fields.push(f);
                }
            }
            for _ in 0..r.len()? {
                let k = r.u32()?;
                if k as usize >= earlier_kinds {
                    return Err("a field appended to no earlier kind");
                }
                let f = field(&mut r, whole, k)?;
                self.fields.push(f);
            }
            for _ in 0..r.len()? {
                let s = span(r.text()?.as_bytes());
                self.features.push(s);
            }
            let n = self.perms.len();
            let lens = [
                n,
                self.kinds.len(),
                self.apps.len(),
                self.features.len(),
                self.fields.len(),
            ];
            if lens.iter().any(|len| *len > MAX_ENTRIES) {
                return Err("too many entries");
            }
            let first = self.revs.last().map_or(0, |r| r.perms);
            let canonical = |s: &Span| s.in_(&self.bytes).last() != Some(&0);
            let later = self.perms.iter().enumerate().skip(first).any(|(i, p)| {
                !canonical(&p.requires)
                    || self.sets_of(i).iter().any(|s| !canonical(s))
                    || !bits::fits(p.requires.in_(&self.bytes), n)
                    || (p.app != NONE && p.app as usize >= self.apps.len())
                    || (p.kind != NONE && p.kind as usize >= self.kinds.len())
                    || (p.feature != NONE && p.feature as usize >= self.features.len())
            });
            if later {
                return Err("an index past its revision");
            }
            let chunk = start
                .get(..start.len() - r.rest().len())
                .unwrap_or_default();
            let mut fields = vec![0u32; self.kinds.len()];
            for f in &self.fields {
                if let Some(n) = fields.get_mut(f.kind as usize) {
                    *n += 1;
                }
            }
            self.revs.push(Rev {
                fingerprint: [0; 8],
                chunk: span(chunk),
                perms: n,
                apps: self.apps.len(),
                features: self.features.len(),
                fields,
            });
        }
        if self.revs.is_empty() {
            return Err("no revision");
        }
        Ok(())
    }

    /// What `Catalog::index` and `check_references` refuse.
    fn check(&self) -> Result<(), Bad> {
        let b = &self.bytes;
        for list in [
            &self.perms.iter().map(|p| p.name).collect::<Vec<_>>(),
            &self.kinds,
            &self.apps,
            &self.features,
        ] {
            unique(b, list)?;
        }
        if self.fields.len() > MAX_ENTRIES {
            return Err("too many fields");
        }
        let n = self.perms.len();
        for (i, p) in self.perms.iter().enumerate() {
            let requires = p.requires.in_(b);
            if !bits::fits(requires, n) || bits::get(requires, i) {
                return Err("a requirement set");
            }
            if p.scoped && p.kind == NONE {
                return Err("a scoped permission without a kind");
            }
            for set in self.implied_by(i) {
                if bits::is_empty(set) || !bits::fits(set, n) || bits::get(set, i) {
                    return Err("an implication");
                }
            }
            for (j, q) in self.perms.iter().enumerate() {
                if bits::get(requires, j) && !bits::contains_all(requires, q.requires.in_(b)) {
                    return Err("requirements are not transitively closed");
                }
            }
        }
        Ok(())
    }

    /// The catalog's bytes (what every [`Span`] of it points into).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Its permissions, in catalog order.
    pub fn perms(&self) -> &[Perm] {
        &self.perms
    }

    /// The spans of permission `i`'s `implied_by` sets.
    pub(super) fn sets_of(&self, i: usize) -> &[Span] {
        let (from, to) = self.perms.get(i).map_or((0, 0), |p| p.sets);
        self.sets
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }

    /// The `implied_by` sets of permission `i`.
    pub fn implied_by(&self, i: usize) -> impl Iterator<Item = &[u8]> {
        self.sets_of(i).iter().map(|s| s.in_(&self.bytes))
    }

    /// Whether any permission has an `implied_by` set.
    pub fn has_implications(&self) -> bool {
        self.implications
    }

    /// Application names.
    pub fn apps(&self) -> &[Span] {
        &self.apps
    }

    /// Feature names.
    pub fn features(&self) -> &[Span] {
        &self.features
    }

    /// Kind names.
    pub fn kinds(&self) -> &[Span] {
        &self.kinds
    }

    /// Kind `k`'s id, owner and assignee fields.
    pub fn kind_def(&self, k: usize) -> Option<&KindDef> {
        self.kind_defs.get(k)
    }

    /// The owner fields of `def`.
    pub fn owner_fields(&self, def: &KindDef) -> &[Span] {
        self.owners
            .get(def.owners.0 as usize..def.owners.1 as usize)
            .unwrap_or_default()
    }

    /// Field `j` of kind `k` (its own fields, then those later revisions
    /// appended, as the reference numbers them).
    pub fn field(&self, k: usize, j: usize) -> Option<&Field> {
        self.fields.iter().filter(|f| f.kind as usize == k).nth(j)
    }

    /// Every field, kind by kind in the order read (a kind's fields are
    /// its own, then those later revisions appended).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// How many fields kind `k` has.
    pub fn field_count(&self, k: usize) -> usize {
        self.revs
            .last()
            .and_then(|r| r.fields.get(k))
            .map_or(0, |n| *n as usize)
    }

    /// Its revisions, oldest first (never empty).
    pub fn revisions(&self) -> &[Rev] {
        &self.revs
    }

    /// The catalog's name, which the first revision's fingerprint hashes
    /// before its bytes.
    pub fn head(&self) -> Span {
        self.head
    }

    /// Sets the revisions' fingerprints, 8 bytes each, oldest first, once
    /// (`invalid_argument` for another length, or when they are set: a
    /// late answer for a catalog freed since must not land on the one
    /// read into its place).
    pub fn set_fingerprints(&mut self, fingerprints: &[u8]) -> Result<(), Refusal> {
        if self.hashed || fingerprints.len() != 8 * self.revs.len() {
            return Err(super::INVALID_ARGUMENT);
        }
        for (rev, fp) in self.revs.iter_mut().zip(fingerprints.chunks_exact(8)) {
            rev.fingerprint = fp.try_into().map_err(|_| super::INVALID_ARGUMENT)?;
        }
        self.hashed = true;
        Ok(())
    }

    /// Whether the fingerprints are known: no snapshot fits before.
    pub fn hashed(&self) -> bool {
        self.hashed
    }
}

fn field(r: &mut Reader, whole: &[u8], kind: u32) -> Result<Field, Bad> {
    let name = Span::of(whole, r.text()?.as_bytes());
    let mask = match r.variant(2)? {
        0 => None,
        _ => Some(Span::of(whole, r.text()?.as_bytes())),
    };
    Ok(Field { kind, name, mask })
}

/// Names not empty, at most [`MAX_ENTRIES`], and none twice.
fn unique(bytes: &[u8], names: &[Span]) -> Result<(), Bad> {
    if names.len() > MAX_ENTRIES {
        return Err("too many entries");
    }
    if names.iter().any(|s| s.len == 0) {
        return Err("an empty name");
    }
    let mut sorted: Vec<&[u8]> = names.iter().map(|s| s.in_(bytes)).collect();
    crate::sort::sort_by(&mut sorted, |a, b| a < b);
    if sorted.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
        return Err("a name twice");
    }
    Ok(())
}
