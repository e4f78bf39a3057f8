//! Decisions on a verified snapshot: `can`, `explain`, scopes, hidden
//! fields, applications, step-up ([`Permissions`], here), why
//! (`reason`), record filters and redactions as plain descriptions any
//! runtime can apply (`records`), and the readable summary (`summary`).

mod reason;
mod records;
mod summary;

use reason::{blocker, implying_set, permission_scope};
pub use reason::{Explanation, Reason};
pub use records::{integer_text, is_safe_integer, Clause, Mask, Record, RecordFilter, Redaction};
pub use summary::Summary;

use crate::error::{Error, Result};
use crate::model::bits::Bits;
use crate::model::catalog::Catalog;
use crate::model::def::{KindDef, Scope};
use crate::wire::{self, Claims, FLAG_OWNER, FLAG_PRINCIPAL, FLAG_SHARED};
use std::sync::Arc;

/// What a verified snapshot allows. Built only by [`crate::Verifier`].
#[derive(Debug, Clone)]
pub struct Permissions {
    catalog: Arc<Catalog>,
    claims: Arc<Claims>,
    /// Granted, with every requirement, application and scope condition met.
    effective: Arc<Bits>,
}

impl Permissions {
    /// The effective permissions as a bitset over the catalog.
    pub fn effective_bits(&self) -> &Bits {
        &self.effective
    }

    /// What a refusal means: nothing allowed, no scope on any kind, every
    /// field hidden, no application. Subject and tenant are empty.
    pub fn deny_all(catalog: Arc<Catalog>) -> Permissions {
        let claims = Claims {
            tenant: String::new(),
            subject: String::new(),
            issued_at: 0,
            not_before: 0,
            expires_at: 0,
            id: [0; 8],
            epoch: 0,
            version: 0,
            catalog: catalog.fingerprint(),
            revision: catalog.revision(),
            previous: None,
            flags: 0,
            roles: Vec::new(),
            permissions: Bits::new(),
            step_up: Bits::new(),
            scopes: vec![Scope::None; catalog.kind_count()],
            hidden: (0..catalog.kind_count())
                .map(|k| (0..catalog.kind_def(k).map_or(0, |d| d.fields.len())).collect())
                .collect(),
            apps: Bits::new(),
            features: Bits::new(),
            permission_scopes: Vec::new(),
        };
        Permissions {
            catalog,
            claims: Arc::new(claims),
            effective: Arc::new(Bits::new()),
        }
    }

    pub(crate) fn new(catalog: Arc<Catalog>, claims: Arc<Claims>) -> Permissions {
        // The least fixed point: a permission becomes effective once
        // nothing blocks it, and more effective permissions never block
        // one (implications and requirements only read what is held), so
        // passes repeat only while implications add something.
        let claims = reachable_only(&catalog, claims);
        let mut effective = Bits::new();
        let implications = catalog.has_implications();
        loop {
            let mut added = false;
            for i in 0..catalog.permission_count() {
                if !effective.get(i) && blocker(&catalog, &claims, &effective, i).is_none() {
                    effective.set(i);
                    added = true;
                }
            }
            if !added || !implications {
                break;
            }
        }
        Permissions {
            catalog,
            claims,
            effective: Arc::new(effective),
        }
    }

    /// The shared parts, for the verifier's cache.
    pub(crate) fn shared(&self) -> (Arc<Claims>, Arc<Bits>) {
        (Arc::clone(&self.claims), Arc::clone(&self.effective))
    }

    /// Rebuilds permissions from cached parts (no recomputation).
    pub(crate) fn from_shared(
        catalog: Arc<Catalog>,
        claims: Arc<Claims>,
        effective: Arc<Bits>,
    ) -> Permissions {
        Permissions {
            catalog,
            claims,
            effective,
        }
    }

    /// The verified claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The catalog the snapshot was verified against.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Staff id.
    pub fn subject(&self) -> &str {
        &self.claims.subject
    }

    /// Account id.
    pub fn tenant(&self) -> &str {
        &self.claims.tenant
    }

    /// Expiry, seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.claims.expires_at
    }

    /// Whether the person is an owner of the account.
    pub fn is_owner(&self) -> bool {
        self.claims.flags & FLAG_OWNER != 0
    }

    /// Whether the person is the principal admin.
    pub fn is_principal(&self) -> bool {
        self.claims.flags & FLAG_PRINCIPAL != 0
    }

    /// Whether the snapshot is for a shared front-desk account.
    pub fn is_shared_account(&self) -> bool {
        self.claims.flags & FLAG_SHARED != 0
    }

    /// The ids of the roles the person holds, as issued.
    pub fn roles(&self) -> Vec<&str> {
        self.claims.roles.iter().map(|r| r.id.as_str()).collect()
    }

    /// The person's revocation counter when the snapshot was issued.
    pub fn version(&self) -> u64 {
        self.claims.version
    }

    /// Attaches the id list that travels beside the snapshot for a `listed`
    /// scope (binary or base64url text): returns permissions whose scope on
    /// that kind is `specific` with those ids. The list is accepted only if
    /// it hashes to the digest the verified snapshot names.
    pub fn with_ids(&self, input: &[u8]) -> Result<Permissions> {
        let mut last = None;
        for (k, scope) in self.claims.scopes.iter().enumerate() {
            let Scope::Listed(reference) = scope else {
                continue;
            };
            match wire::decode_id_list(input, reference) {
                Ok(list) => {
                    // Every kind listing these very ids (one digest) gets
                    // them: an app fetching each missing digest once left
                    // the second kind `ids_not_loaded`.
                    let mut claims = (*self.claims).clone();
                    for s in claims.scopes.iter_mut().skip(k) {
                        if matches!(s, Scope::Listed(r) if r == reference) {
                            *s = Scope::Specific(list.ids.clone());
                        }
                    }
                    return Ok(Permissions {
                        catalog: Arc::clone(&self.catalog),
                        claims: Arc::new(claims),
                        effective: Arc::clone(&self.effective),
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::InvalidArgument {
            detail: "this snapshot lists no record ids beside it (no `listed` scope)".into(),
        }))
    }

    /// The digests (hex) of the id lists this snapshot names and that are
    /// not attached yet, with their kinds: what to fetch.
    pub fn missing_ids(&self) -> Vec<(&str, String)> {
        self.claims
            .scopes
            .iter()
            .enumerate()
            .filter_map(|(k, s)| match s {
                Scope::Listed(r) => Some((
                    self.catalog.kind_def(k).map_or("", |d| d.name.as_str()),
                    crate::error::hex(&r.digest),
                )),
                _ => None,
            })
            .collect()
    }

    /// May the person do `name`? Unknown names are an error, never `false`.
    pub fn can(&self, name: &str) -> Result<bool> {
        Ok(self.effective.get(self.catalog.perm(name)?))
    }

    /// All of `names`? Every name must be known.
    pub fn can_all<S: AsRef<str>>(&self, names: &[S]) -> Result<bool> {
        let mut all = true;
        for n in names {
            all &= self.can(n.as_ref())?;
        }
        Ok(all)
    }

    /// Any of `names`? Every name must be known.
    pub fn can_any<S: AsRef<str>>(&self, names: &[S]) -> Result<bool> {
        let mut any = false;
        for n in names {
            any |= self.can(n.as_ref())?;
        }
        Ok(any)
    }

    /// Names of every permission `can` answers yes for, in catalog order.
    pub fn allowed(&self) -> Vec<&str> {
        self.effective
            .iter()
            .map(|i| self.catalog.perm_name(i))
            .collect()
    }

    /// Why `can(name)` answers what it does.
    pub fn explain(&self, name: &str) -> Result<Explanation> {
        let i = self.catalog.perm(name)?;
        let reason = match blocker(&self.catalog, &self.claims, &self.effective, i) {
            Some(r) => r,
            None if self.is_owner() => Reason::Owner,
            None if !self.claims.permissions.get(i) => Reason::Implied {
                by: implying_set(&self.catalog, &self.effective, i)
                    .map(|set| {
                        set.iter()
                            .map(|j| self.catalog.perm_name(j))
                            .collect::<Vec<_>>()
                            .join("+")
                    })
                    .unwrap_or_default(),
            },
            None => match self.role_grants(i) {
                Some(role) => Reason::GrantedByRole { role },
                None => Reason::GrantedToPerson,
            },
        };
        Ok(Explanation {
            permission: name.to_owned(),
            allowed: self.effective.get(i),
            step_up: self.claims.step_up.get(i),
            message: reason.describe(),
            reason,
        })
    }

    fn role_grants(&self, i: usize) -> Option<String> {
        reason::granting_role(&self.claims, i).map(str::to_owned)
    }

    /// Does `name` need the acting person's PIN first?
    pub fn needs_step_up(&self, name: &str) -> Result<bool> {
        Ok(self.claims.step_up.get(self.catalog.perm(name)?))
    }

    /// Names of the permissions that need a PIN step-up.
    pub fn step_up_actions(&self) -> Vec<&str> {
        self.claims
            .step_up
            .iter()
            .map(|i| self.catalog.perm_name(i))
            .collect()
    }

    /// The view scope on records of `kind`.
    pub fn scope(&self, kind: &str) -> Result<&Scope> {
        let k = self.catalog.kind(kind)?;
        self.claims
            .scopes
            .get(k)
            .ok_or(Error::UnknownKind { name: kind.into() })
    }

    /// Fields of `kind` hidden from the person. A snapshot of the next
    /// catalog revision that hides fields this catalog does not declare
    /// yet is `wrong_catalog` here: they cannot be named, nor redacted.
    pub fn hidden_fields(&self, kind: &str) -> Result<Vec<&str>> {
        let (k, def) = self.declared_kind(kind)?;
        Ok(self.hidden_names(k, def))
    }

    /// The fields of `kind` hidden from the person that the catalog names
    /// (summaries; [`Permissions::hidden_fields`] refuses a kind hiding
    /// more). Unknown kinds hide nothing here.
    pub(crate) fn hidden_known(&self, kind: &str) -> Vec<&str> {
        self.catalog
            .kind_named(kind)
            .map_or_else(|_| Vec::new(), |(k, def)| self.hidden_names(k, def))
    }

    /// The names of kind `k`'s fields hidden from the person.
    fn hidden_names<'a>(&'a self, k: usize, def: &'a KindDef) -> Vec<&'a str> {
        let hidden = self.claims.hidden.get(k);
        def.fields
            .iter()
            .enumerate()
            .filter(|(j, _)| hidden.is_none_or(|h| h.get(*j)))
            .map(|(_, f)| f.name.as_str())
            .collect()
    }

    /// Kind `kind` (its index and definition), or `unknown_kind`; or
    /// `wrong_catalog` when the snapshot hides fields of it past the
    /// catalog's (a snapshot one revision ahead, read with this one's
    /// shape): its hidden fields cannot be named, nor redacted.
    pub(crate) fn declared_kind(&self, kind: &str) -> Result<(usize, &KindDef)> {
        let (k, def) = self.catalog.kind_named(kind)?;
        if self
            .claims
            .hidden
            .get(k)
            .is_some_and(|h| !h.fits(def.fields.len()))
        {
            return Err(Error::WrongCatalog {
                expected: format!(
                    "{} (revision {} of `{}`)",
                    self.catalog.fingerprint_hex(),
                    self.catalog.revision(),
                    self.catalog.name()
                ),
                found: format!(
                    "revision {}, which hides fields of `{kind}` this verifier's catalog does not \
                     declare (its redaction cannot name them: deploy the newer compiled catalog here)",
                    self.claims.revision
                ),
            });
        }
        Ok((k, def))
    }

    /// Applications the person may enter.
    pub fn apps(&self) -> Vec<&str> {
        self.claims
            .apps
            .iter()
            .map(|i| self.catalog.app_id(i))
            .collect()
    }

    /// The scope permission `name` acts with on the records of its kind:
    /// `none` unless `can(name)`; its own scope for a `scoped` permission,
    /// else the view scope of its kind. A permission that acts on no kind
    /// is an `invalid_argument` error.
    pub fn permission_scope(&self, name: &str) -> Result<&Scope> {
        let i = self.catalog.perm(name)?;
        let k = self
            .catalog
            .scope_kind_of(i)
            .ok_or_else(|| Error::InvalidArgument {
                detail: format!("permission `{name}` acts on no kind of record"),
            })?;
        const NONE: &Scope = &Scope::None;
        if !self.effective.get(i) {
            return Ok(NONE);
        }
        Ok(if self.catalog.is_scoped(i) {
            permission_scope(&self.claims, i).unwrap_or(NONE)
        } else {
            self.claims.scopes.get(k).unwrap_or(NONE)
        })
    }

    /// Does the account have feature `id`? Unknown ids are an error.
    pub fn has_feature(&self, id: &str) -> Result<bool> {
        Ok(self.claims.features.get(self.catalog.feature(id)?))
    }

    /// The account's features.
    pub fn features(&self) -> Vec<&str> {
        self.claims
            .features
            .iter()
            .map(|i| self.catalog.feature_id(i))
            .collect()
    }

    /// May the person enter application `id`?
    pub fn has_app(&self, id: &str) -> Result<bool> {
        Ok(self.claims.apps.get(self.catalog.app(id)?))
    }
}

/// The claims with every kind out of reach closed: no scope, every field
/// hidden. A kind is out of reach when permissions act on it (`scope_kind`)
/// and every one of them lives in a feature the account lacks or an
/// application the person may not enter: the kind is part of that feature
/// or application, and its records are not the person's to see, whatever
/// view scope the snapshot carries (an owner of an account without the
/// feature, a role's `all` on a kind of an application the person is not
/// given). A kind that no permission acts on, or that one acts on from
/// everywhere, keeps its scope: view scopes are set per kind, apart from
/// permissions (a person without `payments.view` still sees the payments
/// of their own activities, FORMAT.md). Attack review, session 13:
/// `filter` and `filterSpec` gave every record of such a kind.
fn reachable_only(catalog: &Catalog, claims: Arc<Claims>) -> Arc<Claims> {
    let mut closed: Option<Claims> = None;
    for k in out_of_reach(catalog, &claims.features, &claims.apps) {
        let fields = catalog.kind_def(k).map_or(0, |d| d.fields.len());
        let open = !matches!(claims.scopes.get(k), None | Some(Scope::None))
            || claims
                .hidden
                .get(k)
                .is_some_and(|h| (0..fields).any(|j| !h.get(j)));
        if !open {
            continue;
        }
        let c = closed.get_or_insert_with(|| (*claims).clone());
        close_kind(catalog, k, &mut c.scopes, &mut c.hidden);
    }
    closed.map_or(claims, Arc::new)
}

/// Closes kind `k` in per-kind `scopes` and `hidden` sets: no scope, every
/// field hidden (a kind out of reach; the verifier on claims, the issuer
/// before signing). Entries not written (trailing) already read closed.
pub(crate) fn close_kind(catalog: &Catalog, k: usize, scopes: &mut [Scope], hidden: &mut [Bits]) {
    if let Some(s) = scopes.get_mut(k) {
        *s = Scope::None;
    }
    if let Some(h) = hidden.get_mut(k) {
        // Every field hidden, and the bits past the catalog's fields kept
        // (a snapshot one revision ahead hiding a field this catalog does
        // not declare stays `wrong_catalog` for redaction: a kind out of
        // reach rebuilt its set and passed that field through; re-review,
        // session 18).
        for f in 0..catalog.kind_def(k).map_or(0, |d| d.fields.len()) {
            h.set(f);
        }
    }
}

/// The kinds out of reach for an account with `features` and a person
/// entering `apps` (see `reachable_only`): the verifier closes them, and
/// the issuer writes them closed (no id list travels for them).
pub(crate) fn out_of_reach(catalog: &Catalog, features: &Bits, apps: &Bits) -> Vec<usize> {
    // Per kind: 0 no permission acts on it, 1 only gated ones, 2 reached.
    let mut state = vec![0u8; catalog.kind_count()];
    for i in 0..catalog.permission_count() {
        if let Some(s) = catalog.scope_kind_of(i).and_then(|k| state.get_mut(k)) {
            let gated = catalog.feature_of(i).is_some_and(|f| !features.get(f))
                || catalog.app_of(i).is_some_and(|a| !apps.get(a));
            *s = (*s).max(if gated { 1 } else { 2 });
        }
    }
    (0..state.len())
        .filter(|&k| state.get(k) == Some(&1))
        .collect()
}
