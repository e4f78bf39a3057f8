//! The policy file, as written by people: the catalog (permissions, sections,
//! record kinds, applications, roles) and, for the issuer, the staff list.
//!
//! The catalog part is public: the frontend and the edge load it to turn
//! permission names into bits. The staff part never leaves the backend.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The public part of a policy: everything a verifier needs to answer
/// questions about a snapshot, and nothing about particular people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogDef {
    /// A name for the catalog, e.g. `sitee`.
    pub name: String,
    /// Applications or surfaces a person may be allowed to enter.
    #[serde(default)]
    pub applications: Vec<ApplicationDef>,
    /// Sections of the product that permissions are grouped in.
    #[serde(default)]
    pub sections: Vec<SectionDef>,
    /// The permissions, in a stable order: a permission's position is its bit.
    pub permissions: Vec<PermissionDef>,
    /// Kinds of record that view scopes and hidden fields apply to.
    #[serde(default)]
    pub kinds: Vec<KindDef>,
    /// Roles (permission groups): named bundles shared by many staff.
    #[serde(default)]
    pub roles: Vec<RoleDef>,
}

/// An application or surface (Retail POS, eCom…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDef {
    /// Stable id, e.g. `retail`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
}

/// A section of the product (Payments, Documents…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    /// Stable id, e.g. `payments`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
}

/// One permission of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionDef {
    /// Stable name, e.g. `payments.view`.
    pub name: String,
    /// The section it belongs to.
    pub section: String,
    /// What it allows, for people.
    #[serde(default)]
    pub description: String,
    /// Permissions this one only works with.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Only owners hold it; no role or per-staff grant can give it.
    #[serde(default)]
    pub owner_only: bool,
    /// The application it lives in; the person must have access to it.
    #[serde(default)]
    pub app: Option<String>,
    /// An action on records of this kind: it only works when the person's
    /// scope for the kind is not `none`.
    #[serde(default)]
    pub scope_kind: Option<String>,
}

/// A kind of record (appointments, clients, stores…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindDef {
    /// Stable name, e.g. `appointments`.
    pub name: String,
    /// The field holding the record's id (for `specific` scopes).
    #[serde(default = "default_id_field")]
    pub id_field: String,
    /// Fields holding the staff id of the record's owner or creator: such
    /// records are the person's own (restricted view).
    #[serde(default)]
    pub owner_fields: Vec<String>,
    /// Field holding the staff ids the record is assigned to (shared view).
    #[serde(default)]
    pub assignee_field: Option<String>,
    /// Fields that may be hidden from a person.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

fn default_id_field() -> String {
    "id".into()
}

/// A field of a record kind that may be hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Field name as it appears in records, e.g. `email`.
    pub name: String,
    /// How a hidden value is redacted: removed (default) or masked.
    #[serde(default)]
    pub redact: Redact,
}

/// How a hidden field is redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Redact {
    /// The field is removed from the record.
    #[default]
    Remove,
    /// The field is replaced by this text.
    Mask(String),
}

/// A view scope over one kind of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Nothing of this kind.
    #[default]
    None,
    /// Restricted view: only records the person owns or created.
    Own,
    /// Shared view: own records and those assigned to the person.
    Assigned,
    /// Records with these ids, plus those the person created.
    Specific(Vec<String>),
    /// All existing and future records.
    All,
}

impl Scope {
    /// The scope's name: `none`, `own`, `assigned`, `specific` or `all`.
    pub fn name(&self) -> &'static str {
        match self {
            Scope::None => "none",
            Scope::Own => "own",
            Scope::Assigned => "assigned",
            Scope::Specific(_) => "specific",
            Scope::All => "all",
        }
    }
}

/// A role or permission group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    /// Stable id, e.g. `marketing`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// What the role is for, for people.
    #[serde(default)]
    pub description: String,
    /// Holders are owners: they get every permission, owner-only ones too,
    /// every application and an `all` scope on every kind.
    #[serde(default)]
    pub owner: bool,
    /// Permission names; `*` means every permission that is not owner-only,
    /// `section.*` every such permission of a section.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Permission names taken out again after the patterns above.
    #[serde(default)]
    pub except: Vec<String>,
    /// Applications holders may enter.
    #[serde(default)]
    pub apps: Vec<String>,
    /// View scope per kind; the key `*` sets the default for unlisted kinds.
    #[serde(default)]
    pub scopes: BTreeMap<String, Scope>,
    /// Hidden fields per kind.
    #[serde(default)]
    pub hidden_fields: BTreeMap<String, Vec<String>>,
    /// Permissions that need a PIN step-up before use.
    #[serde(default)]
    pub step_up: Vec<String>,
}

/// A whole policy file: the account, its catalog and its staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDef {
    /// JSON Schema reference for editors; ignored.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The business account (tenant) id snapshots are issued for.
    pub tenant: String,
    /// The public catalog.
    pub catalog: CatalogDef,
    /// Staff members of the account.
    #[serde(default)]
    pub staff: Vec<StaffDef>,
}

/// One staff member. There is deliberately no place for a PIN or any secret:
/// an unknown field such as `pin` is a policy error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffDef {
    /// Stable staff id; the snapshot's subject and the value owner fields hold.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Role id; owners may have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// An owner of the account: every permission, owner-only ones included.
    #[serde(default, skip_serializing_if = "is_false")]
    pub owner: bool,
    /// The principal admin (at most one per account; an owner).
    #[serde(default, skip_serializing_if = "is_false")]
    pub principal: bool,
    /// Active accounts get snapshots; deactivated ones do not.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Permissions added on top of the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant: Vec<String>,
    /// Permissions removed from the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// View scopes that replace the role's, per kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, Scope>,
    /// Hidden fields that replace the role's, per kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hidden_fields: BTreeMap<String, Vec<String>>,
    /// Applications, replacing the role's when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<Vec<String>>,
    /// A shared front-desk account used by several people.
    #[serde(default, skip_serializing_if = "is_false")]
    pub shared_account: bool,
    /// Permissions that need the acting person's PIN first (added to the role's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_up: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_true(b: &bool) -> bool {
    *b
}
fn default_true() -> bool {
    true
}
