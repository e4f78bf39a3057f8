//! Which records a person may see and how they are redacted, as plain
//! descriptions: the Rust reference semantics (`RecordFilter::matches`) that
//! the JavaScript loops are tested against.

use super::Permissions;
use crate::error::{Error, Result};
use crate::model::def::{KindDef, Redact, Scope};
use serde::Serialize;

/// Which records of a kind a person may see, as data: a record is kept when
/// `all` is true, or when any clause matches it. A clause matches when the
/// record's `field` is a string (or a safe integer, [`integer_text`]) among
/// `values`, or an array holding such an element. No clause and `all` false:
/// nothing is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordFilter {
    /// Kind name.
    pub kind: String,
    /// The scope it derives from: `none`, `own`, `assigned`, `specific`, `all`.
    pub scope: &'static str,
    /// Every record is kept.
    pub all: bool,
    /// Otherwise: records matching any clause are kept.
    pub clauses: Vec<Clause>,
}

/// One `field ∈ values` condition of a [`RecordFilter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// Field name.
    pub field: String,
    /// Accepted values.
    pub values: Vec<String>,
}

/// Something with named fields that a [`RecordFilter`] can test.
pub trait Record {
    /// Whether `pred` holds for the value of `field` (a string, or a number
    /// as [`integer_text`] writes it), or for any such element when the
    /// value is an array.
    fn any_value(&self, field: &str, pred: &mut dyn FnMut(&str) -> bool) -> bool;
}

/// The largest integer every runtime holds exactly (2^53 - 1): JavaScript's
/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// How a number in a record compares with a filter's values: the decimal
/// form of a safe integer (`-0` as `0`), else nothing. `JSON.parse` rounds a
/// larger one (the 64-bit id `9007199254740993` reads as ...992, another
/// record's), so such ids must travel as strings; `NaN`, `1e21` or `1.5`
/// are no ids (attack review, session 15). The JavaScript filter and every
/// [`Record`] compare this way.
pub fn integer_text(n: f64) -> Option<String> {
    is_safe_integer(n).then(|| (n as i64).to_string())
}

/// Whether `n` is an integer JavaScript holds exactly ([`integer_text`]).
pub fn is_safe_integer(n: f64) -> bool {
    n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER
}

impl RecordFilter {
    /// The one reference implementation of the filter semantics.
    pub fn matches(&self, record: &dyn Record) -> bool {
        self.all
            || self
                .clauses
                .iter()
                .any(|c| record.any_value(&c.field, &mut |v| c.values.iter().any(|w| w == v)))
    }
}

#[cfg(feature = "std-json")]
impl Record for serde_json::Value {
    fn any_value(&self, field: &str, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        fn one(v: &serde_json::Value, pred: &mut dyn FnMut(&str) -> bool) -> bool {
            match v {
                serde_json::Value::String(s) => pred(s),
                // As a double, the one number type JavaScript has: a u64
                // beyond 2^53 is refused here as it is rounded there.
                serde_json::Value::Number(n) => {
                    n.as_f64().and_then(integer_text).is_some_and(|t| pred(&t))
                }
                _ => false,
            }
        }
        match self.get(field) {
            Some(serde_json::Value::Array(items)) => items.iter().any(|v| one(v, pred)),
            Some(v) => one(v, pred),
            None => false,
        }
    }
}

/// How to redact records of a kind: fields to remove, fields to mask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    /// Kind name.
    pub kind: String,
    /// Fields removed from each record.
    pub remove: Vec<String>,
    /// Fields whose value is replaced by a mask.
    pub mask: Vec<Mask>,
}

/// A masked field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mask {
    /// Field name.
    pub field: String,
    /// Replacement text.
    pub with: String,
}

impl Permissions {
    /// The records of `kind` the person may see, as a description.
    pub fn filter(&self, kind: &str) -> Result<RecordFilter> {
        let (k, def) = self.catalog.kind_named(kind)?;
        let scope = self
            .claims
            .scopes
            .get(k)
            .ok_or(Error::UnknownKind { name: kind.into() })?;
        self.filter_with(def, scope)
    }

    /// The records permission `name` acts on for the person (its kind, with
    /// [`Permissions::permission_scope`]): e.g. the payments an "own
    /// financial reports" right covers.
    pub fn filter_for(&self, name: &str) -> Result<RecordFilter> {
        let scope = self.permission_scope(name)?;
        let k = self
            .catalog
            .scope_kind_of(self.catalog.perm(name)?)
            .unwrap_or_default();
        let def = self
            .catalog
            .kind_def(k)
            .ok_or(Error::UnknownKind { name: name.into() })?;
        self.filter_with(def, scope)
    }

    fn filter_with(&self, def: &KindDef, scope: &Scope) -> Result<RecordFilter> {
        let kind = def.name.as_str();
        let me = || vec![self.claims.subject.clone()];
        let own = || {
            def.owner_fields
                .iter()
                .map(|f| Clause {
                    field: f.clone(),
                    values: me(),
                })
                .collect::<Vec<_>>()
        };
        let (all, clauses) = match scope {
            Scope::None => (false, Vec::new()),
            Scope::All => (true, Vec::new()),
            Scope::Own => (false, own()),
            Scope::Assigned => {
                let mut c = own();
                if let Some(a) = &def.assignee_field {
                    c.push(Clause {
                        field: a.clone(),
                        values: me(),
                    });
                }
                (false, c)
            }
            Scope::Specific(ids) => {
                let mut c = vec![Clause {
                    field: def.id_field.clone(),
                    values: ids.clone(),
                }];
                c.extend(own());
                (false, c)
            }
            Scope::Listed(list) => {
                return Err(Error::IdsNotLoaded {
                    kind: kind.to_owned(),
                    digest: crate::error::hex(&list.digest),
                })
            }
        };
        Ok(RecordFilter {
            kind: kind.to_owned(),
            scope: scope.name(),
            all,
            clauses,
        })
    }

    /// How to redact records of `kind` for the person.
    pub fn redaction(&self, kind: &str) -> Result<Redaction> {
        let (k, def) = self.declared_kind(kind)?;
        let hidden = self.claims.hidden.get(k);
        let mut r = Redaction {
            kind: kind.to_owned(),
            remove: Vec::new(),
            mask: Vec::new(),
        };
        for (j, f) in def.fields.iter().enumerate() {
            // A kind the claims have no entry for (only deny-all) hides all.
            if !hidden.is_none_or(|h| h.get(j)) {
                continue;
            }
            match &f.redact {
                Redact::Remove => r.remove.push(f.name.clone()),
                Redact::Mask(with) => r.mask.push(Mask {
                    field: f.name.clone(),
                    with: with.clone(),
                }),
            }
        }
        Ok(r)
    }
}
