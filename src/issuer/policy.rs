//! A policy file: the catalog, one account's roles and staff, as `permsnap
//! validate`, `permsnap issue --policy` and the tests read it. A problem in
//! one role or one person is reported by [`Policy::problems`] and refuses
//! only the people it concerns; the file is refused as a whole only when it
//! is not JSON of the right shape or its catalog is invalid.

use super::record::reject_secret_fields;
use super::{Account, IdListDoc, IssueOptions, Roles, Snapshot, Warning};
use crate::crypto::signing::IssuerKey;
use crate::error::{Error, Result};
use crate::model::catalog::{policy_error, Catalog};
use crate::model::def::{KindDef, PermissionDef, PolicyDef, RoleDef, StaffRecord};
use crate::wire::Claims;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// A loaded policy file.
#[derive(Debug, Clone)]
pub struct Policy {
    catalog: Catalog,
    account: Account,
    staff: Vec<StaffRecord>,
    origin: String,
}

impl Policy {
    /// Parses a policy file; `origin` (the file name) starts every error
    /// message.
    pub fn from_json(json: &str, origin: &str) -> Result<Policy> {
        let value: serde_json::Value =
            crate::strict_json::parse(json).map_err(|e| policy_error(origin, e.to_string()))?;
        reject_secret_fields(&value, origin)?;
        let def = PolicyDef::deserialize(&value)
            .map_err(|e| policy_error(origin, located(&value, &e)))?;
        Policy::from_def(def, origin)
    }

    /// Loads a parsed policy: the catalog must compile; roles and staff are
    /// checked per entry ([`Policy::problems`]).
    pub fn from_def(def: PolicyDef, origin: &str) -> Result<Policy> {
        if def.tenant.is_empty() {
            return Err(policy_error(format!("{origin}: tenant"), "is empty"));
        }
        let catalog = Catalog::compile(def.catalog, origin)?;
        let roles = Roles::compile(&catalog, def.roles)?;
        Ok(Policy {
            account: Account::new(def.tenant, roles)?.with_features(def.features),
            catalog,
            staff: def.staff,
            origin: origin.to_owned(),
        })
    }

    /// The account id.
    pub fn tenant(&self) -> &str {
        self.account.tenant()
    }

    /// The compiled catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The account: id, roles, epoch.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// The staff list.
    pub fn staff(&self) -> &[StaffRecord] {
        &self.staff
    }

    /// The record of staff member `id`. An id defined twice is refused:
    /// issuing signed whichever record came first, an owner's entry above
    /// a clerk's included (attack review, session 17).
    pub fn record(&self, id: &str) -> Result<&StaffRecord> {
        let mut found = self.staff.iter().filter(|s| s.id == id);
        let record = found
            .next()
            .ok_or_else(|| Error::UnknownStaff { staff: id.into() })?;
        if found.next().is_some() {
            return Err(policy_error(
                format!("{}: staff `{id}`", self.origin),
                "is defined twice: no snapshot is issued from either record",
            ));
        }
        Ok(record)
    }

    /// Every problem of the file, each naming the role, person or account
    /// rule it concerns — broken roles (even if no one holds them), then
    /// account rules (repeated staff ids, principal admins), then every
    /// active person who could not get a snapshot, and why — and every
    /// warning of the people who can: one pass over the staff.
    pub fn review(&self) -> (Vec<Error>, Vec<Warning>) {
        super::review::review(&self.catalog, &self.account, &self.staff, &self.origin)
    }

    /// Every problem of the file ([`Policy::review`]).
    pub fn problems(&self) -> Vec<Error> {
        self.review().0
    }

    /// What the records of active staff ask that has no effect (an owner's
    /// adjustments, a step-up on a permission not held, a permission whose
    /// application or records the person cannot reach…), person by person
    /// ([`Policy::review`]). Nothing here stops anyone from getting a snapshot.
    pub fn warnings(&self) -> Vec<Warning> {
        self.review().1
    }

    /// The claims a snapshot for `staff_id` would carry (id zero unless
    /// set), with the id lists that would travel beside it.
    pub fn claims_for(
        &self,
        staff_id: &str,
        opts: &IssueOptions,
    ) -> Result<(Claims, Vec<IdListDoc>)> {
        super::claims(&self.catalog, &self.account, self.record(staff_id)?, opts)
    }

    /// What `staff_id` may do, as a verifier would answer from their own
    /// snapshot (unsigned: nothing leaves the process). `permsnap step-up`
    /// asks it whether the person who gave their PIN holds the action.
    pub fn permissions_of(
        &self,
        staff_id: &str,
        opts: &IssueOptions,
    ) -> Result<crate::Permissions> {
        let (claims, _) = self.claims_for(staff_id, opts)?;
        Ok(crate::Permissions::new(
            std::sync::Arc::new(self.catalog.clone()),
            std::sync::Arc::new(claims),
        ))
    }

    /// Issues and signs a snapshot for `staff_id`.
    pub fn issue(&self, staff_id: &str, key: &IssuerKey, opts: &IssueOptions) -> Result<Snapshot> {
        super::issue_with(
            &self.catalog,
            key,
            &self.account,
            self.record(staff_id)?,
            opts,
        )
    }
}

/// Where in a policy file a reading error is: the first role, person,
/// permission or kind that does not read on its own, by position and id.
/// (`unknown field `excpet`` named none of them: attack review, session
/// 17.) Else the error as serde gives it.
fn located(value: &Value, error: &serde_json::Error) -> String {
    fn first<T: DeserializeOwned>(v: &Value, key: &str, what: &str) -> Option<String> {
        v.get(key)?
            .as_array()?
            .iter()
            .enumerate()
            .find_map(|(i, entry)| {
                let e = T::deserialize(entry).err()?;
                let id = ["id", "name"]
                    .iter()
                    .find_map(|k| entry.get(*k).and_then(Value::as_str))
                    .map(|id| format!(" `{id}`"))
                    .unwrap_or_default();
                Some(format!("{what}[{i}]{id}: {e}"))
            })
    }
    let catalog = value.get("catalog");
    first::<RoleDef>(value, "roles", "roles")
        .or_else(|| first::<StaffRecord>(value, "staff", "staff"))
        .or_else(|| {
            catalog.and_then(|c| first::<PermissionDef>(c, "permissions", "catalog.permissions"))
        })
        .or_else(|| catalog.and_then(|c| first::<KindDef>(c, "kinds", "catalog.kinds")))
        .unwrap_or_else(|| error.to_string())
}
