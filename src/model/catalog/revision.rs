//! Catalog revisions: a catalog grows by appending permissions,
//! applications, kinds and fields, each marked with the revision that added
//! it (`since`). Revision `r` is the prefix of every list holding the
//! entries with `since <= r`; its fingerprint binds a snapshot issued under
//! it, so a verifier loading a later revision still reads it (FORMAT.md,
//! "Catalog revisions").

use super::{encode, fingerprint, policy_error, Tables};
use crate::error::Result;

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
    fields: Vec::new(),
};

/// Checks the `since` marks of `tables` and computes every revision.
pub(super) fn revisions(tables: &Tables, origin: &str) -> Result<Vec<Revision>> {
    check_marks(tables, origin)?;
    let latest = tables
        .permissions
        .iter()
        .map(|p| p.since)
        .chain(tables.applications.iter().map(|a| a.since))
        .chain(tables.kinds.iter().map(|k| k.since))
        .chain(
            tables
                .kinds
                .iter()
                .flat_map(|k| k.fields.iter().map(|f| f.since)),
        )
        .max()
        .unwrap_or(1);
    (1..=latest)
        .map(|number| {
            let prefix = prefix(tables, number);
            Ok(Revision {
                number,
                fingerprint: fingerprint(number, &encode(&prefix)?),
                permissions: prefix.permissions.len(),
                applications: prefix.applications.len(),
                fields: prefix.kinds.iter().map(|k| k.fields.len()).collect(),
            })
        })
        .collect()
}

/// The tables of revision `number`: every entry with `since <= number`.
fn prefix(tables: &Tables, number: u16) -> Tables {
    Tables {
        name: tables.name.clone(),
        permissions: tables
            .permissions
            .iter()
            .filter(|p| p.since <= number)
            .cloned()
            .collect(),
        kinds: tables
            .kinds
            .iter()
            .filter(|k| k.since <= number)
            .map(|k| {
                let mut k = k.clone();
                k.fields.retain(|f| f.since <= number);
                k
            })
            .collect(),
        applications: tables
            .applications
            .iter()
            .filter(|a| a.since <= number)
            .cloned()
            .collect(),
    }
}

/// Every list in `since` order (so each revision is a prefix), marks from 1
/// to [`MAX_REVISION`], and nothing referring to a later revision than its
/// own: a permission's requirements, application and kind; a field's kind.
fn check_marks(t: &Tables, origin: &str) -> Result<()> {
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
    }
    last = 1;
    for a in &t.applications {
        mark("application", &a.id, a.since, last)?;
        last = a.since;
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
