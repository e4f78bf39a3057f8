//! Catalog revisions and the compiled catalog's body. A catalog grows by
//! appending permissions, applications, kinds and fields, each marked with
//! the revision that added it (`since`). The compiled body is the catalog's
//! name followed by one chunk per revision — what that revision appended —
//! and revision `r`'s fingerprint chains the raw bytes of its chunk to the
//! previous revision's fingerprint, so a verifier computes every revision's
//! fingerprint from the bytes it loaded, without re-encoding anything
//! (FORMAT.md, "Compiled catalog" and "Catalog revisions").

use super::{policy_error, CompiledApp, CompiledPermission, Tables, CATALOG_FINGERPRINT_DOMAIN};
use crate::error::Result;
use crate::model::bits::Bits;
use crate::model::def::{FieldDef, KindDef, Redact};
use crate::wire::read::{Bad, Reader};
use serde::Serialize;

/// Highest revision number a catalog may reach.
pub const MAX_REVISION: u16 = 1000;

/// One revision of a catalog: its fingerprint and how many entries of each
/// list it holds (every list is a prefix of the latest revision's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// Revision number, from 1.
    pub number: u16,
    /// What snapshots issued under this revision carry.
    pub fingerprint: [u8; 8],
    /// Number of permissions.
    pub permissions: usize,
    /// Number of applications.
    pub applications: usize,
    /// Number of account features.
    pub features: usize,
    /// Number of fields of each kind (its length is the number of kinds).
    pub fields: Vec<usize>,
}

impl Revision {
    /// Number of kinds.
    pub fn kinds(&self) -> usize {
        self.fields.len()
    }
}

pub(super) static EMPTY: Revision = Revision {
    number: 0,
    fingerprint: [0; 8],
    permissions: 0,
    applications: 0,
    features: 0,
    fields: Vec::new(),
};

/// What one revision appended, as encoded in the compiled catalog.
/// Written by serde, read by [`read_chunk`] (the same fields in the same
/// order; the tests hold one to the other).
#[derive(Serialize)]
#[cfg_attr(test, derive(serde::Deserialize, Debug, PartialEq))]
struct Chunk {
    permissions: Vec<WirePermission>,
    applications: Vec<String>,
    kinds: Vec<WireKind>,
    /// Fields appended to kinds of earlier revisions: (kind index, field).
    fields: Vec<(u32, WireField)>,
    features: Vec<String>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(serde::Deserialize, Debug, PartialEq))]
struct WirePermission {
    name: String,
    requires: Bits,
    app: Option<u32>,
    scope_kind: Option<u32>,
    scoped: bool,
    implied_by: Vec<Bits>,
    feature: Option<u32>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(serde::Deserialize, Debug, PartialEq))]
struct WireKind {
    name: String,
    id_field: String,
    owner_fields: Vec<String>,
    assignee_field: Option<String>,
    fields: Vec<WireField>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(serde::Deserialize, Debug, PartialEq))]
struct WireField {
    name: String,
    redact: Redact,
}

fn chain(previous: Option<&[u8; 8]>, head: &[u8], chunk: &[u8]) -> [u8; 8] {
    let link: &[u8] = match previous {
        Some(fp) => fp,
        None => head,
    };
    crate::wire::digest(CATALOG_FINGERPRINT_DOMAIN, [link, chunk])
}

/// Reads a compiled catalog's body: the tables, and every revision with
/// its fingerprint (computed over the bytes as given). Indexes must point
/// at entries of the same or an earlier revision.
pub(crate) fn decode(body: &[u8], origin: &str) -> Result<(Tables, Vec<Revision>)> {
    let damaged =
        |what: &str| policy_error(origin, format!("the compiled catalog is damaged ({what})"));
    let mut r = Reader::new(body);
    let name = r.string().map_err(|_| damaged("name"))?;
    let head = body.get(..body.len() - r.rest().len()).unwrap_or_default();
    let mut t = Tables {
        name,
        permissions: Vec::new(),
        kinds: Vec::new(),
        applications: Vec::new(),
        features: Vec::new(),
    };
    let mut revisions: Vec<Revision> = Vec::new();
    while !r.rest().is_empty() {
        let number = u16::try_from(revisions.len() + 1)
            .ok()
            .filter(|n| *n <= MAX_REVISION)
            .ok_or_else(|| damaged("too many revisions"))?;
        let start = r.rest();
        let chunk = read_chunk(&mut r).map_err(|_| damaged("a revision"))?;
        let bytes = start
            .get(..start.len() - r.rest().len())
            .unwrap_or_default();
        for a in chunk.applications {
            t.applications.push(CompiledApp {
                id: a,
                since: number,
            });
        }
        for f in chunk.features {
            t.features.push(CompiledApp {
                id: f,
                since: number,
            });
        }
        for k in chunk.kinds {
            t.kinds.push(KindDef {
                name: k.name,
                id_field: k.id_field,
                owner_fields: k.owner_fields,
                assignee_field: k.assignee_field,
                fields: k.fields.into_iter().map(|f| field(f, number)).collect(),
                since: number,
            });
        }
        let earlier_kinds = revisions.last().map_or(0, Revision::kinds);
        for (k, f) in chunk.fields {
            let kind = t
                .kinds
                .get_mut(k as usize)
                .filter(|_| (k as usize) < earlier_kinds)
                .ok_or_else(|| damaged("a field appended to no earlier kind"))?;
            kind.fields.push(field(f, number));
        }
        for p in chunk.permissions {
            t.permissions.push(CompiledPermission {
                name: p.name,
                requires: p.requires,
                app: p.app,
                scope_kind: p.scope_kind,
                scoped: p.scoped,
                implied_by: p.implied_by,
                feature: p.feature,
                since: number,
            });
        }
        let n = t.permissions.len();
        // Bounded as they are read: a revision's field counts are kept per
        // kind, so 200,000 kinds over 999 revisions took 1.66 GB before the
        // limit refused them (attack review, session 18).
        let fields: usize = t.kinds.iter().map(|k| k.fields.len()).sum();
        if [
            n,
            t.kinds.len(),
            t.applications.len(),
            t.features.len(),
            fields,
        ]
        .iter()
        .any(|len| *len > super::MAX_ENTRIES)
        {
            return Err(damaged("too many entries"));
        }
        // This revision's own permissions (the earlier ones fit a prefix of
        // what this one has). Bitsets are in their one form, no trailing
        // zero byte, as in snapshots: a 700 KB requirement set of zeros
        // made every decision rescan it (attack review, session 18).
        let first = revisions.last().map_or(0, |r| r.permissions);
        let later = t.permissions.iter().skip(first).any(|p| {
            !p.requires.fits(n)
                || !p.requires.is_canonical()
                || p.implied_by.iter().any(|set| !set.is_canonical())
                || p.app.is_some_and(|a| a as usize >= t.applications.len())
                || p.scope_kind.is_some_and(|k| k as usize >= t.kinds.len())
                || p.feature.is_some_and(|f| f as usize >= t.features.len())
        });
        if later {
            return Err(damaged(
                "an index past its revision, or a bitset not in its one form",
            ));
        }
        let previous = revisions.last().map(|r| r.fingerprint);
        revisions.push(Revision {
            number,
            fingerprint: chain(previous.as_ref(), head, bytes),
            permissions: n,
            applications: t.applications.len(),
            features: t.features.len(),
            fields: t.kinds.iter().map(|k| k.fields.len()).collect(),
        });
    }
    if revisions.is_empty() {
        return Err(damaged("no revision"));
    }
    Ok((t, revisions))
}

/// Reads one chunk's fields in [`Chunk`]'s order.
fn read_chunk(r: &mut Reader) -> core::result::Result<Chunk, Bad> {
    Ok(Chunk {
        permissions: r.seq(|r| {
            Ok(WirePermission {
                name: r.string()?,
                requires: r.bits()?,
                app: r.option(Reader::u32)?,
                scope_kind: r.option(Reader::u32)?,
                scoped: r.bool()?,
                implied_by: r.seq(Reader::bits)?,
                feature: r.option(Reader::u32)?,
            })
        })?,
        applications: r.seq(Reader::string)?,
        kinds: r.seq(|r| {
            Ok(WireKind {
                name: r.string()?,
                id_field: r.string()?,
                owner_fields: r.seq(Reader::string)?,
                assignee_field: r.option(Reader::string)?,
                fields: r.seq(read_field)?,
            })
        })?,
        fields: r.seq(|r| Ok((r.u32()?, read_field(r)?)))?,
        features: r.seq(Reader::string)?,
    })
}

fn read_field(r: &mut Reader) -> core::result::Result<WireField, Bad> {
    Ok(WireField {
        name: r.string()?,
        redact: r.redact()?,
    })
}

fn field(f: WireField, since: u16) -> FieldDef {
    FieldDef {
        name: f.name,
        redact: f.redact,
        since,
    }
}

/// Encodes tables as a compiled catalog body: the name, then one chunk per
/// revision from 1 to the highest `since` (checked by [`check_marks`]).
pub(crate) fn encode(t: &Tables) -> Result<Vec<u8>> {
    let latest = latest(t);
    let err = |e: postcard::Error| policy_error("catalog", e.to_string());
    let mut out = postcard::to_allocvec(&t.name).map_err(err)?;
    for r in 1..=latest {
        let chunk = Chunk {
            permissions: t
                .permissions
                .iter()
                .filter(|p| p.since == r)
                .map(|p| WirePermission {
                    name: p.name.clone(),
                    requires: p.requires.clone(),
                    app: p.app,
                    scope_kind: p.scope_kind,
                    scoped: p.scoped,
                    implied_by: p.implied_by.clone(),
                    feature: p.feature,
                })
                .collect(),
            applications: t
                .applications
                .iter()
                .filter(|a| a.since == r)
                .map(|a| a.id.clone())
                .collect(),
            kinds: t
                .kinds
                .iter()
                .filter(|k| k.since == r)
                .map(|k| WireKind {
                    name: k.name.clone(),
                    id_field: k.id_field.clone(),
                    owner_fields: k.owner_fields.clone(),
                    assignee_field: k.assignee_field.clone(),
                    fields: wire_fields(k.fields.iter().filter(|f| f.since == r)),
                })
                .collect(),
            fields: t
                .kinds
                .iter()
                .enumerate()
                .filter(|(_, k)| k.since < r)
                .flat_map(|(i, k)| {
                    let i = u32::try_from(i).unwrap_or(u32::MAX);
                    wire_fields(k.fields.iter().filter(|f| f.since == r))
                        .into_iter()
                        .map(move |f| (i, f))
                })
                .collect(),
            features: t
                .features
                .iter()
                .filter(|f| f.since == r)
                .map(|f| f.id.clone())
                .collect(),
        };
        out.extend(postcard::to_allocvec(&chunk).map_err(err)?);
    }
    Ok(out)
}

fn wire_fields<'a>(fields: impl Iterator<Item = &'a FieldDef>) -> Vec<WireField> {
    fields
        .map(|f| WireField {
            name: f.name.clone(),
            redact: f.redact.clone(),
        })
        .collect()
}

fn latest(t: &Tables) -> u16 {
    t.permissions
        .iter()
        .map(|p| p.since)
        .chain(t.applications.iter().map(|a| a.since))
        .chain(t.features.iter().map(|f| f.since))
        .chain(t.kinds.iter().map(|k| k.since))
        .chain(
            t.kinds
                .iter()
                .flat_map(|k| k.fields.iter().map(|f| f.since)),
        )
        .max()
        .unwrap_or(1)
}

/// Every list in `since` order (so each revision is a prefix), marks from 1
/// to [`MAX_REVISION`], and nothing referring to a later revision than its
/// own: a permission's requirements, application and kind; a field's kind.
/// What a definition must satisfy before it is encoded.
pub(crate) fn check_marks(t: &Tables, origin: &str) -> Result<()> {
    let mark = |what: &str, name: &str, since: u16, previous: u16| -> Result<()> {
        let at = format!("{origin}: {what} `{name}`");
        if since == 0 || since > MAX_REVISION {
            return Err(policy_error(
                at,
                format!("`since` is a revision from 1 to {MAX_REVISION}"),
            ));
        }
        if since < previous {
            return Err(policy_error(
                at,
                format!(
                    "has `since` {since} after an entry of revision {previous}: a catalog grows by \
                     appending, so each list is in revision order (moving an entry is a new, \
                     incompatible catalog)"
                ),
            ));
        }
        Ok(())
    };
    let mut last = 1;
    for p in &t.permissions {
        mark("permission", &p.name, p.since, last)?;
        last = p.since;
        let later = |what: &str, name: &str, since: u16| -> Result<()> {
            if since > p.since {
                return Err(policy_error(
                    format!("{origin}: permission `{}`", p.name),
                    format!(
                        "(revision {}) refers to {what} `{name}` of revision {since}: an entry \
                         may only refer to entries of its own or earlier revisions",
                        p.since
                    ),
                ));
            }
            Ok(())
        };
        for r in p.requires.iter() {
            if let Some(q) = t.permissions.get(r) {
                later("permission", &q.name, q.since)?;
            }
        }
        if let Some(a) = p.app.and_then(|a| t.applications.get(a as usize)) {
            later("application", &a.id, a.since)?;
        }
        if let Some(k) = p.scope_kind.and_then(|k| t.kinds.get(k as usize)) {
            later("kind", &k.name, k.since)?;
        }
        if let Some(f) = p.feature.and_then(|f| t.features.get(f as usize)) {
            later("feature", &f.id, f.since)?;
        }
    }
    last = 1;
    for a in &t.applications {
        mark("application", &a.id, a.since, last)?;
        last = a.since;
    }
    last = 1;
    for f in &t.features {
        mark("feature", &f.id, f.since, last)?;
        last = f.since;
    }
    last = 1;
    for k in &t.kinds {
        mark("kind", &k.name, k.since, last)?;
        last = k.since;
        let mut field_last = k.since;
        for f in &k.fields {
            mark(
                "field",
                &format!("{}.{}", k.name, f.name),
                f.since,
                field_last,
            )?;
            field_last = f.since;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::read::{differential, vectors};

    #[test]
    fn chunks_read_as_postcard_reads_them_canonically() {
        let mut chunks = 0;
        for (name, catalog) in vectors()["catalogs"].as_object().unwrap() {
            let bytes = crate::encoding::decode(catalog["binary"].as_str().unwrap()).unwrap();
            let body = bytes.strip_prefix(b"PSC\x02").unwrap();
            let mut r = Reader::new(body);
            r.string().unwrap();
            while !r.rest().is_empty() {
                let start = r.rest();
                read_chunk(&mut r).unwrap();
                let chunk = &start[..start.len() - r.rest().len()];
                // Long chunks: their first and last 400 bytes.
                if chunk.len() > 800 {
                    differential(&chunk[..400], false, read_chunk);
                    differential(&chunk[chunk.len() - 400..], false, read_chunk);
                } else {
                    differential(chunk, true, read_chunk);
                }
                chunks += 1;
            }
            assert!(decode(body, name).is_ok());
        }
        assert!(chunks >= 9, "{chunks} chunks");
    }

    #[test]
    fn entries_are_counted_and_bitsets_read_in_their_one_form_as_they_are_read() {
        // Attack review, session 18: 200,000 empty kinds over 999
        // revisions took 1.66 GB (field counts kept per kind and revision)
        // before the 4,096-entry limit refused them; a requirement set of
        // 700 KB of zeros was accepted, and rescanned by every decision.
        let chunk_of_kinds = |n: usize| {
            let mut c = vec![0x00, 0x00]; // no permission, no application
            let mut len = n;
            while len >= 0x80 {
                c.push((len as u8 & 0x7f) | 0x80);
                len >>= 7;
            }
            c.push(len as u8);
            for _ in 0..n {
                c.extend([0x00, 0x00, 0x00, 0x00, 0x00]); // an empty kind
            }
            c.extend([0x00, 0x00]); // no appended field, no feature
            c
        };
        let mut body = vec![0x01, b'c'];
        body.extend(chunk_of_kinds(4097));
        let err = decode(&body, "hostile").unwrap_err();
        assert!(err.to_string().contains("too many entries"), "{err}");
        // One permission `a`, requiring the set written as one zero byte.
        let permission = |requires: &[u8]| {
            // The name `c`, then one chunk holding one permission `a`.
            let mut body = vec![0x01, b'c', 0x01, 0x01, b'a', requires.len() as u8];
            body.extend(requires);
            body.extend([0x00, 0x00, 0x00, 0x00, 0x00]); // no app, kind, scoped, implied_by, feature
            body.extend([0x00, 0x00, 0x00, 0x00]); // no application, kind, field, feature
            body
        };
        assert!(decode(&permission(&[]), "ok").is_ok());
        let err = decode(&permission(&[0x00]), "padded").unwrap_err();
        assert!(err.to_string().contains("one form"), "{err}");
    }

    #[test]
    fn a_catalog_announcing_a_million_entries_at_each_level_is_refused() {
        // No name, no permissions or applications, 1,048,560 kinds
        // announced, the first with 1,048,544 owner fields announced, then
        // filler: an error, having reserved little (`read::reserve`).
        let mut body = vec![
            0x00, 0x00, 0x00, 0xf0, 0xff, 0x3f, 0x00, 0x00, 0xe0, 0xff, 0x3f,
        ];
        body.resize(1 << 20, 0xff);
        assert!(decode(&body, "hostile").is_err());
    }
}
