//! A readable view of verified claims, names resolved: what `permsnap
//! verify` prints and `claims()` returns in JavaScript (camelCase keys; the
//! TypeScript type is generated from it).

use super::Permissions;
use crate::model::def::Scope;
use serde::Serialize;

/// A readable view of verified claims, names resolved (for inspectors and
/// `permsnap verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Account id.
    pub tenant: String,
    /// Staff id.
    pub subject: String,
    /// Seconds since the Unix epoch.
    pub issued_at: u64,
    /// Seconds since the Unix epoch.
    pub not_before: u64,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
    /// Snapshot id, hex.
    pub id: String,
    /// Revocation epoch.
    pub epoch: u32,
    /// The person's revocation counter.
    pub version: u64,
    /// Fingerprint of the catalog revision it was issued under, hex.
    pub catalog: String,
    /// That revision's number.
    pub revision: u16,
    /// Ids of the roles the person holds.
    pub roles: Vec<String>,
    /// Owner of the account.
    pub owner: bool,
    /// Principal admin.
    pub principal: bool,
    /// Shared front-desk account.
    pub shared_account: bool,
    /// Allowed permissions.
    pub allowed: Vec<String>,
    /// Permissions needing a PIN step-up.
    pub step_up: Vec<String>,
    /// Scope per kind.
    pub scopes: std::collections::BTreeMap<String, Scope>,
    /// Hidden fields per kind (kinds with none left out), for display: the
    /// fields the catalog names. A snapshot one revision ahead may hide
    /// fields it does not name yet: `hidden_fields` and `redaction` refuse
    /// that kind (`wrong_catalog`); never compute visible columns from this.
    pub hidden_fields: std::collections::BTreeMap<String, Vec<String>>,
    /// Applications.
    pub apps: Vec<String>,
    /// The account's features.
    pub features: Vec<String>,
    /// The own scope of each granted `scoped` permission.
    pub permission_scopes: std::collections::BTreeMap<String, Scope>,
}

impl Permissions {
    /// Everything the snapshot says, names resolved.
    pub fn summary(&self) -> Summary {
        let own = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
        let kinds = &self.catalog.tables().kinds;
        Summary {
            tenant: self.claims.tenant.clone(),
            subject: self.claims.subject.clone(),
            issued_at: self.claims.issued_at,
            not_before: self.claims.not_before,
            expires_at: self.claims.expires_at,
            id: crate::error::hex(&self.claims.id),
            epoch: self.claims.epoch,
            version: self.claims.version,
            catalog: crate::error::hex(&self.claims.catalog),
            revision: self.claims.revision,
            roles: own(self.roles()),
            owner: self.is_owner(),
            principal: self.is_principal(),
            shared_account: self.is_shared_account(),
            allowed: own(self.allowed()),
            step_up: own(self.step_up_actions()),
            scopes: kinds
                .iter()
                .zip(&self.claims.scopes)
                .map(|(k, s)| (k.name.clone(), s.clone()))
                .collect(),
            hidden_fields: kinds
                .iter()
                .filter_map(|k| {
                    let h = self.hidden_known(&k.name);
                    (!h.is_empty()).then(|| (k.name.clone(), own(h)))
                })
                .collect(),
            apps: own(self.apps()),
            features: own(self.features()),
            permission_scopes: self
                .claims
                .permission_scopes
                .iter()
                .map(|(i, s)| (self.catalog.perm_name(*i as usize).to_owned(), s.clone()))
                .collect(),
        }
    }
}
