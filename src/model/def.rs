//! The policy file, as written by people: the product's catalog
//! (permissions, sections, record kinds, applications), and, for the issuer,
//! one account's roles and staff.
//!
//! The catalog is public and the same for every account of a product: the
//! frontend and the edge load it to turn names into bits. Roles and staff
//! belong to one account, live in the app's database, and never leave the
//! backend; editing them changes no byte of the catalog.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The public part of a policy: everything a verifier needs to answer
/// questions about a snapshot, and nothing about particular accounts or
/// people (no roles, no staff).
///
/// A catalog evolves by revisions: every permission, application, kind and
/// field says which revision added it (`since`, default 1), and each list
/// is in `since` order, so revision `r` is a prefix of every later one.
/// Snapshots issued under an earlier revision stay valid on verifiers that
/// load a later one (FORMAT.md, "Catalog revisions").
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
    /// Rules every account of the product follows (checked by `validate`
    /// and the app's save path; they never stop anyone's snapshot).
    /// Definition only: not in the compiled catalog.
    #[serde(default)]
    pub account: AccountRules,
    /// Kinds of record that view scopes and hidden fields apply to.
    #[serde(default)]
    pub kinds: Vec<KindDef>,
    /// Features only some accounts of the product have (a plan, a partner
    /// tier): permissions that name one answer no, `feature_not_enabled`,
    /// in accounts without it.
    #[serde(default)]
    pub features: Vec<FeatureDef>,
}

/// A feature only some accounts have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureDef {
    /// Stable id, e.g. `plus`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The catalog revision that added it (see [`CatalogDef`]).
    #[serde(default = "first_revision")]
    pub since: u16,
}

/// Rules every account of a product follows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRules {
    /// How many principal admins an account has: `optional` (at most one,
    /// the default) or `one` (exactly one).
    #[serde(default)]
    pub principal: PrincipalRule,
    /// How many owners an account has: `any` (the default) or `one` (the
    /// account holder alone). Checked like `principal`.
    #[serde(default)]
    pub owners: OwnerRule,
    /// How many roles one person holds: `many` (the default), `one`, or
    /// `none` (the product has per-person checkboxes only). A record with
    /// more refuses that person's snapshot.
    #[serde(default)]
    pub roles_per_person: RolesPerPerson,
    /// What a shared front-desk account must and may never hold.
    #[serde(default)]
    pub shared_account: SharedAccountRules,
}

/// How many owners an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnerRule {
    /// Any number.
    #[default]
    Any,
    /// Exactly one: the account holder.
    One,
}

/// How many roles one person holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RolesPerPerson {
    /// Any number, merged (FORMAT.md, "Several roles").
    #[default]
    Many,
    /// At most one.
    One,
    /// None: access is set person by person.
    None,
}

/// Rules for shared front-desk accounts (staff records with
/// `shared_account`). The issuer refuses a shared account's snapshot that
/// breaks them (that person only).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedAccountRules {
    /// Permissions a shared account may never hold.
    #[serde(default)]
    pub never: Vec<String>,
    /// Permissions a shared account may hold only behind the acting
    /// person's PIN: always marked step-up in its snapshot.
    #[serde(default)]
    pub step_up: Vec<String>,
    /// A shared account must hold at least one of these (when not empty).
    #[serde(default)]
    pub must_hold_any: Vec<String>,
    /// The account feature shared accounts need (e.g. enabled by the
    /// product's support): without it, a shared account gets no snapshot.
    #[serde(default)]
    pub feature: Option<String>,
}

/// How many principal admins an account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalRule {
    /// At most one.
    #[default]
    Optional,
    /// Exactly one.
    One,
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
    /// Holding any permission that lives in it lets the person enter it (the
    /// product has no separate access switch). Definition only.
    #[serde(default)]
    pub follows_permissions: bool,
    /// The catalog revision that added it (see [`CatalogDef`]).
    #[serde(default = "first_revision")]
    pub since: u16,
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
    /// Only the principal admin holds it: not other owners, not any role or
    /// grant (implies `owner_only`). Definition only: not in the compiled
    /// catalog.
    #[serde(default)]
    pub principal_only: bool,
    /// The application it lives in; the person must have access to it.
    #[serde(default)]
    pub app: Option<String>,
    /// An action on records of this kind: it only works when the person's
    /// scope for the kind is not `none`.
    #[serde(default)]
    pub scope_kind: Option<String>,
    /// The permission has its own scope over `scope_kind` records (`own`,
    /// `assigned` or `all`, set by roles and records in
    /// `permission_scopes`), instead of following the kind's view scope.
    #[serde(default)]
    pub scoped: bool,
    /// Holding every permission of one of these sets gives this one too
    /// (`implied`), with no checkbox of its own needed. Sets may name any
    /// other permission (decisions take the least fixed point).
    #[serde(default)]
    pub implied_by: Vec<Vec<String>>,
    /// The account feature it belongs to: without it, the permission is
    /// never effective (`feature_not_enabled`).
    #[serde(default)]
    pub feature: Option<String>,
    /// Holding it gives at least these view scopes (a "view all" switch
    /// widens a list). Definition only: the issuer applies it.
    #[serde(default)]
    pub gives_scopes: BTreeMap<String, Scope>,
    /// Given only by `implied_by` (no checkbox of its own): no role, grant
    /// or pattern names it. Definition only.
    #[serde(default)]
    pub derived: bool,
    /// The catalog revision that added it (see [`CatalogDef`]).
    #[serde(default = "first_revision")]
    pub since: u16,
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
    /// The catalog revision that added it (see [`CatalogDef`]).
    #[serde(default = "first_revision")]
    pub since: u16,
}

fn first_revision() -> u16 {
    1
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
    /// The catalog revision that added it (see [`CatalogDef`]).
    #[serde(default = "first_revision")]
    pub since: u16,
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
    /// Records with the ids of a list that travels beside the snapshot
    /// (too many to fit in it), plus those the person created. Made by the
    /// issuer from a long `specific` list; never written in a policy.
    Listed(IdListRef),
}

/// A reference to an id list that travels beside a snapshot, bound to it by
/// hash (FORMAT.md, "Id lists"). In JSON the digest is hex; in the binary
/// snapshot, 16 raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdListRef {
    /// Number of ids in the list.
    pub count: u32,
    /// First 16 bytes of the list's SHA-512 (with its domain prefix).
    pub digest: [u8; 16],
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "IdListRef")]
struct RawIdListRef {
    count: u32,
    digest: [u8; 16],
}

#[derive(Serialize, Deserialize)]
#[serde(rename = "IdListRef", deny_unknown_fields)]
struct TextIdListRef {
    count: u32,
    digest: String,
}

impl Serialize for IdListRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            TextIdListRef {
                count: self.count,
                digest: crate::error::hex(&self.digest),
            }
            .serialize(s)
        } else {
            RawIdListRef {
                count: self.count,
                digest: self.digest,
            }
            .serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for IdListRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let t = TextIdListRef::deserialize(d)?;
            let mut digest = [0u8; 16];
            let ok = t.digest.len() == 32
                && digest.iter_mut().enumerate().all(|(i, b)| {
                    t.digest
                        .get(i * 2..i * 2 + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .map(|v| *b = v)
                        .is_some()
                });
            if !ok {
                return Err(serde::de::Error::custom("`digest` is 32 hex digits"));
            }
            Ok(IdListRef {
                count: t.count,
                digest,
            })
        } else {
            let r = RawIdListRef::deserialize(d)?;
            Ok(IdListRef {
                count: r.count,
                digest: r.digest,
            })
        }
    }
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
            Scope::Listed(_) => "listed",
        }
    }
}

/// A role or permission group of one account: a named bundle shared by
/// many staff, edited by the account's admins (it lives in the app's
/// database, not in the catalog).
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
    /// Scope of each `scoped` permission the role grants (default: none).
    #[serde(default)]
    pub permission_scopes: BTreeMap<String, Scope>,
    /// Whether holders may have per-person settings (`grant`, `remove`,
    /// `scopes`, `hidden_fields`, `apps`, `step_up`, `permission_scopes`)
    /// on top of it (default: yes). A product whose page allows them only
    /// on some roles says `false` on the others; a record that sets one
    /// anyway is refused, naming the role and the field.
    #[serde(default = "default_true")]
    pub adjustable: bool,
}

/// A role with an id, nothing granted, and per-person settings allowed.
impl Default for RoleDef {
    fn default() -> RoleDef {
        RoleDef {
            id: String::new(),
            name: String::new(),
            description: String::new(),
            owner: false,
            permissions: Vec::new(),
            except: Vec::new(),
            apps: Vec::new(),
            scopes: BTreeMap::new(),
            hidden_fields: BTreeMap::new(),
            step_up: Vec::new(),
            permission_scopes: BTreeMap::new(),
            adjustable: true,
        }
    }
}

/// A whole policy file: the product's catalog, and one account's roles and
/// staff (what `permsnap validate` checks and the demo issues from). A
/// backend usually keeps roles and staff in its database instead and gives
/// them to [`crate::issuer::Issuer`] at runtime.
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
    /// The features this account has (ids of `catalog.features`).
    #[serde(default)]
    pub features: Vec<String>,
    /// The account's roles (permission groups).
    #[serde(default)]
    pub roles: Vec<RoleDef>,
    /// Staff members of the account.
    #[serde(default)]
    pub staff: Vec<StaffRecord>,
}

/// One staff member, as the app's database holds them. Every field but `id`
/// has a default, so a record is built from a row in a few lines. There is
/// deliberately no place for a PIN or any secret: a key such as `pin_hash`
/// is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffRecord {
    /// Stable staff id; the snapshot's subject and the value owner fields hold.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The account the row belongs to, when the row says so (a database's
    /// tenant column): it must be the account the snapshot is issued for
    /// (`wrong_tenant` otherwise). A row of another account, looked up by
    /// user id alone while the account came from the request's host, is
    /// refused rather than signed for it (attack review, session 16).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub tenant: Option<String>,
    /// Role ids; their grants are merged (FORMAT.md, "Several roles").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// An owner of the account: every permission, owner-only ones included.
    #[serde(default, skip_serializing_if = "is_false")]
    pub owner: bool,
    /// The principal admin (at most one per account; an owner).
    #[serde(default, skip_serializing_if = "is_false")]
    pub principal: bool,
    /// Deactivated staff get no snapshot (default: active).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub active: bool,
    /// The person's revocation counter: the app increments it in the same
    /// transaction as any edit of the person (or of their access), and a
    /// notice "before version V" revokes every older snapshot.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u64,
    /// Permissions added on top of the roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant: Vec<String>,
    /// Permissions removed from what the roles give.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// View scopes that replace the roles', per kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scopes: BTreeMap<String, Scope>,
    /// Hidden fields that replace the roles', per kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hidden_fields: BTreeMap<String, Vec<String>>,
    /// Applications, replacing the roles' when set. Left out: the roles';
    /// `null` (a NULL column) is refused, not read as left out, which
    /// would give the roles' applications where `[]` gives none (attack
    /// review, session 16).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub apps: Option<Vec<String>>,
    /// A shared front-desk account used by several people.
    #[serde(default, skip_serializing_if = "is_false")]
    pub shared_account: bool,
    /// Permissions that need the acting person's PIN first (added to the roles').
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_up: Vec<String>,
    /// Scopes of `scoped` permissions that replace the roles', per permission.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub permission_scopes: BTreeMap<String, Scope>,
}

impl StaffRecord {
    /// An active staff member with this id and nothing else.
    pub fn new(id: impl Into<String>) -> StaffRecord {
        StaffRecord {
            id: id.into(),
            ..StaffRecord::default()
        }
    }
}

/// An active staff member with an empty id and nothing else (`active` is
/// true: a record built with `..Default::default()` is not deactivated by
/// accident).
impl Default for StaffRecord {
    fn default() -> StaffRecord {
        StaffRecord {
            id: String::new(),
            name: String::new(),
            tenant: None,
            roles: Vec::new(),
            owner: false,
            principal: false,
            active: true,
            version: 0,
            grant: Vec::new(),
            remove: Vec::new(),
            scopes: BTreeMap::new(),
            hidden_fields: BTreeMap::new(),
            apps: None,
            shared_account: false,
            step_up: Vec::new(),
            permission_scopes: BTreeMap::new(),
        }
    }
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}
fn is_false(b: &bool) -> bool {
    !*b
}
fn is_true(b: &bool) -> bool {
    *b
}
/// For an optional field (`#[serde(default, deserialize_with =
/// "present")]`): left out, the default; written, a value, never `null`
/// (which JavaScript's `JSON.stringify` writes for `NaN` and `Infinity`,
/// and a database for a NULL column).
pub fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

fn default_true() -> bool {
    true
}
