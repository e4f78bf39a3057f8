//! Staff records from the app's database: a row read as JSON, extra columns
//! dropped only when named in an allow-list, never a misspelled
//! permission-bearing key; and the one check that no secret material (a
//! PIN, a password, a hash) reaches the issuer's inputs.

use crate::error::{Error, Result};
use crate::model::catalog::policy_error;
use crate::model::def::{CatalogDef, StaffRecord};

/// Every key a staff record has.
pub const RECORD_KEYS: &[&str] = &[
    "id",
    "name",
    "tenant",
    "roles",
    "owner",
    "principal",
    "active",
    "version",
    "grant",
    "remove",
    "scopes",
    "hidden_fields",
    "apps",
    "shared_account",
    "step_up",
    "permission_scopes",
];

/// The record keys that only describe the person: every other key gives or
/// takes away access, and a column whose name is close to one of those is
/// never ignored (a typo would silently drop a restriction).
const DESCRIPTIVE_KEYS: &[&str] = &["id", "name"];

/// Words naming an access setting wherever they stand in a column's name
/// (`is_shared_account`, `superadmin_flag`, `revoked_rights`).
const ACCESS_WORDS: &[&str] = &[
    "admin",
    "admins",
    "superuser",
    "superadmin",
    "shared",
    "permissions",
    "perms",
    "privileges",
    "rights",
];

/// Words saying whether (or where) the person may act, wherever they
/// stand in a column's name: `deleted_by`, `inactive_since`,
/// `is_blocked_user`, `offboarded_at`, `valid_until`, `ecom_access`,
/// `restricted_fields`, `is_frontdesk` (attack review, session 13: these
/// were ignorable, and a terminated person got a snapshot).
const STATUS_WORDS_ANYWHERE: &[&str] = &[
    "deleted",
    "deactivated",
    "inactive",
    "suspended",
    "archived",
    "discarded",
    "trashed",
    "banned",
    "blocked",
    "blacklisted",
    "blacklist",
    "blocklist",
    "allowlist",
    "whitelist",
    "whitelisted",
    "locked",
    "revoked",
    "expired",
    "terminated",
    "offboarded",
    "offboarding",
    "fired",
    "access",
    "restricted",
    "restriction",
    "restrictions",
    "kiosk",
    "frontdesk",
    "resign",
    "resigned",
    "resignation",
    "dismissal",
    "dismissed",
    "separation",
    "separated",
    "churned",
    "exited",
    "employed",
    "former",
    "impersonate",
    "impersonation",
    "sudo",
    "acl",
    "adm",
    "priv",
    "privs",
    "su",
    "del",
    "applications",
    // Attack review, session 16: leaving, pausing, forbidding and
    // provisioning words, and status words of other languages (French,
    // Spanish, Portuguese, Italian, German; accents are folded).
    "leaver",
    "leavers",
    "offboard",
    "retire",
    "retired",
    "retirement",
    "paused",
    "lockout",
    "lockouts",
    "ban",
    "bans",
    "deny",
    "denied",
    "disable",
    "disallow",
    "disallowed",
    "forbid",
    "forbidden",
    "readonly",
    "capability",
    "capabilities",
    "entitlement",
    "entitlements",
    "perm",
    "rol",
    "rolle",
    "rollen",
    "administrator",
    "administrators",
    "sysadmin",
    "coowner",
    "provisioned",
    "provisioning",
    "probation",
    "actif",
    "inactif",
    "activo",
    "inactivo",
    "activado",
    "ativo",
    "inativo",
    "attivo",
    "disattivato",
    "inaktiv",
    "habilitado",
    "deshabilitado",
    "bloqueado",
    "bloque",
    "supprime",
    "desactive",
    "eliminado",
    "borrado",
    "gesperrt",
    "geloscht",
    "ausgeschieden",
    "sospeso",
    "bloccato",
    "eliminato",
    "cancellato",
    "scaduto",
    "vencido",
    "caducado",
    "bloqueada",
    "eliminada",
    "excluido",
    "demitido",
    "despedido",
    "geloescht",
    "expires",
    "expiry",
    "termination",
    "valid",
    "validity",
];

/// Two words in a row that say the same (`front_desk`, `view_mode`,
/// `can_see_all`, `read_only`, `can_work_as`, `contract_end_date`).
const STATUS_PAIRS: &[(&str, &str)] = &[
    ("front", "desk"),
    ("view", "mode"),
    ("see", "all"),
    ("sees", "all"),
    ("view", "all"),
    ("read", "only"),
    ("view", "only"),
    ("work", "as"),
    ("act", "as"),
    ("login", "as"),
    ("contract", "end"),
    ("last", "day"),
    ("on", "leave"),
    ("leave", "date"),
    ("leaving", "date"),
    ("term", "date"),
    ("god", "mode"),
    ("ex", "staff"),
    ("current", "employee"),
    ("group", "ids"),
    ("user", "group"),
    ("app", "ids"),
    ("on", "hold"),
    ("acting", "as"),
    ("delegated", "to"),
    ("power", "user"),
    ("primary", "user"),
    ("hr", "state"),
    ("account", "state"),
    ("lifecycle", "state"),
    ("onboarding", "state"),
    ("emp", "stat"),
    ("can", "sign"),
    ("masked", "fields"),
    ("redacted", "fields"),
    ("apps", "json"),
    ("app", "list"),
    ("security", "clearance"),
    ("security", "level"),
    ("auth", "level"),
    ("is", "invited"),
    ("invited", "at"),
    ("invited", "on"),
    ("pending", "invite"),
    ("is", "manager"),
    ("is", "supervisor"),
    ("is", "super"),
    ("is", "superuser"),
    ("clearance", "level"),
    ("clearance", "lvl"),
    ("lock", "until"),
    ("of", "absence"),
    ("privilege", "level"),
];

/// Words naming whether the person may act when a column says nothing
/// else (`status`, `is_staff`, `account_state`, `can_login`, `end_date`),
/// beside the words in [`FLAG_WORDS`] and [`SUBJECT_WORDS`];
/// `marital_status`, `address_state` or `staff_id` say something else.
const STATUS_WORDS: &[&str] = &[
    // Attack review, session 16: what a flag or a date says alone
    // (`is_root`, `is_master`), while `root_folder` or `master_stylist`
    // say something else (and see [`STATUS_LAST_WORDS`], which a lone
    // word is the last of: `closed_at`).
    "root",
    "master",
    "guest",
    "owned",
    "seat",
    "license",
    "tier",
    "authority",
    "block",
    "blocks",
    "employee",
    "signin",
    "lock",
    "locks",
    "state",
    "group",
    "staff",
    "groups",
    "activated",
    "approved",
    "login",
    "end",
    "ended",
    "left",
    "exit",
    "departure",
    "departed",
    "quit",
];

/// Switch words (`payments_enabled`, `hide_client_contact`,
/// `show_all_loyalty_cards`, `profile_visible`): a column holding one says
/// something about access unless it only switches what the person is sent
/// ([`HARMLESS_SWITCHED`]: `notifications_enabled`, `sms_allowed`).
const SWITCH_WORDS: &[&str] = &[
    "enabled",
    "disabled",
    "allowed",
    "visible",
    "visibility",
    "hidden",
    "hide",
    "show",
    "shown",
];

/// What a switch may turn on or off without saying anything about access.
const HARMLESS_SWITCHED: &[&str] = &[
    "notifications",
    "notification",
    "email",
    "emails",
    "sms",
    "push",
    "marketing",
    "newsletter",
    "newsletters",
    "reminder",
    "reminders",
    "alert",
    "alerts",
    "two",
    "factor",
    "mfa",
    "tfa",
    "otp",
];

/// What a status may be of without saying anything about access
/// (`marital_status`, `email_status`, `status_message`); any other
/// `<x>_status` of a staff row (`job_status`, `hr_status`) is refused.
const HARMLESS_STATUS: &[&str] = &[
    "civil",
    "marital",
    "email",
    "sms",
    "phone",
    "verification",
    "delivery",
    "message",
];

/// What a flag or a date column adds to its word (`is_`, `_at`, `_by`,
/// `_since`, `_date`).
const FLAG_WORDS: &[&str] = &[
    "is", "has", "can", "may", "allow", "at", "on", "until", "flag", "by", "since", "from", "date",
    "dt",
];

/// Stems searched inside a name written as one word (`isadmin`,
/// `deletedat`, `paymentsenabled`: PostgreSQL folds unquoted `isAdmin` to
/// these), which no word rule can split.
const COMPACT_STEMS: &[&str] = &[
    "admin",
    "superuser",
    "shared",
    "permission",
    "perms",
    "privilege",
    "owner",
    "principal",
    "role",
    "group",
    "active",
    "delet",
    "deactivat",
    "suspend",
    "archiv",
    "discard",
    "trash",
    "blocked",
    "blacklist",
    "allowlist",
    "whitelist",
    "locked",
    "revoked",
    "expire",
    "expiry",
    "terminat",
    "offboard",
    "valid",
    "access",
    "restrict",
    "kiosk",
    "frontdesk",
    "status",
    "enabled",
    "disabled",
    "allowed",
    "visible",
    "hidden",
    "hide",
    "grant",
    "remove",
    "scope",
    "stepup",
    "enddate",
    "viewall",
    "seeall",
    "readonly",
    "viewmode",
    "resign",
    "dismiss",
    "employed",
    "former",
    "impersonat",
    "sudo",
    "workas",
];

/// Names written as one word that say the person's status without a stem
/// of [`COMPACT_STEMS`].
const COMPACT_NAMES: &[&str] = &[
    "staff",
    "isstaff",
    "state",
    "end",
    "left",
    "canlogin",
    "apps",
    "app",
    "invited",
    "isinvited",
];

/// Beginnings of words saying whether the person may act, wherever they
/// stand (`is_sysadmin`, `ip_blacklist`, `deactivation_ts`,
/// `suspension_end`, `expiry_time`, `revocation_reason`): a column that says something of something else
/// (`license_expiry`, `activation_fee`) is refused too, and is mapped
/// onto the record or left out of the row (attack review, session 16).
const STATUS_STEMS: &[&str] = &[
    "offboard",
    "deprovision",
    "impersonat",
    "sysadmin",
    "superadmin",
    "superuser",
    "blacklist",
    "whitelist",
    "denylist",
    "blocklist",
    "allowlist",
    "deactivat",
    "reactivat",
    "inactivat",
    "activat",
    "suspen",
    "expir",
    "revoc",
    "revok",
    "terminat",
    "administrat",
    "desactiv",
    "desativ",
    "deaktiv",
    "disabilit",
    "inativ",
    "inactiv",
    "bloque",
    "bloqu",
    "elimin",
    "cancel",
    "despedid",
    "demitid",
    "excluid",
    "gesperr",
    "gekundig",
    "gekuendig",
    "ausgeschied",
    "sospes",
    "scadut",
    "vencid",
    "caducad",
];

/// Words that say the person's status as the last of a name
/// (`acct_closed`, `account_freeze`, `invite_pending`, `employee_stat`),
/// while `closed_deals` or `pending_tasks` say something else.
const STATUS_LAST_WORDS: &[&str] = &[
    "closed",
    "frozen",
    "freeze",
    "pending",
    "clearance",
    "stat",
    "sts",
    "baja",
];

/// Whose status a column names (`user_status`, `login_enabled`): words
/// left out when reading what it says, unless they are all it says
/// (`is_staff`, `can_login`).
const SUBJECT_WORDS: &[&str] = &[
    "user",
    "account",
    "staff",
    "employee",
    "employment",
    "member",
    "person",
    "login",
];

/// Words of looking at something (`can_see_email`, `mask_phone`).
const LOOK_WORDS: &[&str] = &[
    "see", "sees", "view", "views", "mask", "masked", "redact", "redacted", "use", "uses",
];

/// Words of a scope on a kind (`store_ids`, `all_stores`).
const SCOPE_WORDS: &[&str] = &["id", "ids", "all", "specific", "future", "scope"];

/// A word without its plural `s` (`stores` → `store`; `status`, `access`
/// and words of three letters or less as they are).
fn singular(w: &str) -> String {
    match w.strip_suffix('s') {
        Some(stem) if w.len() > 3 && !w.ends_with("ss") && !w.ends_with("us") => stem.to_owned(),
        _ => w.to_owned(),
    }
}

/// Record keys a column's single words are not compared with: too common
/// a word (`lock_version`, `app_id`, `current_step`), while a column named
/// like the key itself is still `near` it.
const COMMON_KEY_WORDS: &[&str] = &["version", "apps", "step_up"];

/// Words that smell of secrets: no input of the issuer carries them.
const SECRET_WORDS: &[&str] = &["pin", "password", "secret", "hash", "nip", "otp"];

/// Reads staff records from JSON rows, dropping the extra columns it was
/// told about by name and refusing every other unknown key.
#[derive(Debug, Clone, Default)]
pub struct RecordReader {
    ignore: Vec<String>,
}

impl RecordReader {
    /// A reader that drops the columns named in `ignore` (e.g. `email`,
    /// `created_at`). Refused: a record key itself, a name close to a
    /// permission-bearing key (`role`, `remvoe`, `hidden_field`…), and
    /// a name that looks like secret material (select it out of the row
    /// instead: it must not reach the issuer at all).
    pub fn new<S: AsRef<str>>(ignore: &[S]) -> Result<RecordReader> {
        let mut names = Vec::new();
        for name in ignore {
            let name = name.as_ref();
            let lower = name.to_ascii_lowercase();
            // An empty name (an unset shell variable) or a pattern names no
            // column: a mistake, not a wildcard (attack review, session 16).
            if name.trim().is_empty() || name.contains(['*', '?']) {
                return Err(Error::InvalidArgument {
                    detail: format!(
                        "`{name}` names no column: give each column to ignore by its name"
                    ),
                });
            }
            if RECORD_KEYS.contains(&lower.as_str()) {
                return Err(Error::InvalidArgument {
                    detail: format!("`{name}` is a staff record key; it cannot be ignored"),
                });
            }
            if let Some(k) = near(&lower) {
                return Err(Error::InvalidArgument {
                    detail: format!(
                        "`{name}` is too close to the record key `{k}` to be ignored: a misspelled `{k}` would silently drop access rules"
                    ),
                });
            }
            if let Some(meaning) = access_meaning(name) {
                return Err(Error::InvalidArgument {
                    detail: format!(
                        "`{name}` says {meaning}: ignored, it would silently drop an access rule. Map it onto the record key \
                         it means (e.g. `active: row.is_active`, `active: row.deleted_at === null`, \
                         `shared_account: row.is_shared_account`), or leave it out of the row"
                    ),
                });
            }
            if is_secret(name) {
                return Err(Error::InvalidArgument {
                    detail: format!(
                        "`{name}` looks like secret material: leave it out of the row given to the issuer"
                    ),
                });
            }
            names.push(name.to_owned());
        }
        Ok(RecordReader { ignore: names })
    }

    /// [`RecordReader::new`], also refusing a column named after the
    /// catalog's own words: a section, an application, a feature, a kind or
    /// a permission (`payments_enabled`, `ecom`, `plus_partner`,
    /// `ignore_capacity` for `store.ignore_capacity`), switch and flag
    /// words aside. Such a column holds a per-person setting of the
    /// product (a Sitee switch, an Amilia override): ignored, it would be
    /// silently dropped (review, session 13).
    pub fn for_catalog<S: AsRef<str>>(ignore: &[S], catalog: &CatalogDef) -> Result<RecordReader> {
        let reader = RecordReader::new(ignore)?;
        // A name's words that say what it is about, singular and sorted:
        // `view_payments` and `payments.view` are the same setting.
        let about = |name: &str| -> Vec<String> {
            let mut out: Vec<String> = words(name)
                .into_iter()
                .filter(|w| {
                    !FLAG_WORDS.contains(&w.as_str())
                        && !SWITCH_WORDS.contains(&w.as_str())
                        && !SUBJECT_WORDS.contains(&w.as_str())
                        && !LOOK_WORDS.contains(&w.as_str())
                })
                .map(|w| singular(&w))
                .collect();
            // The crate's heapsort: the standard library's sorts are 5 KB
            // of wasm.
            crate::sort::sort_by(&mut out, |a, b| a < b);
            out
        };
        let mut vocabulary: Vec<Vec<String>> = Vec::new();
        vocabulary.extend(catalog.sections.iter().map(|d| about(&d.id)));
        vocabulary.extend(catalog.applications.iter().map(|d| about(&d.id)));
        vocabulary.extend(catalog.features.iter().map(|d| about(&d.id)));
        vocabulary.extend(catalog.kinds.iter().map(|d| about(&d.name)));
        for p in &catalog.permissions {
            vocabulary.push(about(&p.name));
            if let Some((first, rest)) = p.name.split_once('.') {
                vocabulary.push(about(first));
                vocabulary.push(about(rest));
            }
        }
        let fields: Vec<String> = catalog
            .kinds
            .iter()
            .flat_map(|k| k.fields.iter().flat_map(|f| words(&f.name)))
            .map(|w| singular(&w))
            .collect();
        let kinds: Vec<Vec<String>> = catalog.kinds.iter().map(|k| about(&k.name)).collect();
        for name in &reader.ignore {
            let w: Vec<String> = words(name).iter().map(|w| singular(w)).collect();
            let a = about(name);
            let refused = if !a.is_empty() && vocabulary.contains(&a) {
                Some(format!("is named after the catalog's `{}`", a.join("_")))
            } else if w
                .iter()
                .any(|x| SWITCH_WORDS.contains(&x.as_str()) || LOOK_WORDS.contains(&x.as_str()))
                && w.iter().any(|x| fields.contains(x))
            {
                // `hide_email`, `email_visible`, `can_see_phone`.
                Some("switches a field of the catalog's kinds".to_owned())
            } else if w.iter().any(|x| SCOPE_WORDS.contains(&x.as_str())) && {
                let rest: Vec<&String> = a
                    .iter()
                    .filter(|x| !SCOPE_WORDS.contains(&x.as_str()))
                    .collect();
                !rest.is_empty() && kinds.iter().any(|k| rest.iter().all(|x| k.contains(x)))
            } {
                // `store_ids`, `all_stores`: a scope on a kind.
                Some("names a scope on one of the catalog's kinds".to_owned())
            } else {
                None
            };
            if let Some(why) = refused {
                return Err(Error::InvalidArgument {
                    detail: format!(
                        "`{name}` {why}: a per-person setting of the product, ignored, would silently drop an \
                         access rule. Map it onto the record key it means (`grant`, `remove`, `apps`, `scopes`, \
                         `hidden_fields`...)"
                    ),
                });
            }
        }
        Ok(reader)
    }

    /// Reads one record from JSON text.
    pub fn read(&self, json: &str) -> Result<StaffRecord> {
        let value: serde_json::Value = crate::strict_json::parse(json)
            .map_err(|e| policy_error("staff record", e.to_string()))?;
        self.read_value(value)
    }

    /// Reads one record from a parsed JSON value.
    pub fn read_value(&self, value: serde_json::Value) -> Result<StaffRecord> {
        if !value.is_object() {
            return Err(policy_error("staff record", "is not a JSON object"));
        }
        let id = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
            .to_owned();
        let at = format!("staff record `{id}`");
        // Secrets are refused wherever they are, ignored columns included:
        // they must not reach the issuer at all.
        reject_secret_fields(&value, &at)?;
        let serde_json::Value::Object(mut map) = value else {
            return Err(policy_error(at, "is not a JSON object"));
        };
        map.retain(|k, _| !self.ignore.iter().any(|i| i == k));
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !RECORD_KEYS.contains(&k.as_str()))
            .map(|k| match near(&k.to_ascii_lowercase()) {
                Some(n) => format!("`{k}` (did you mean `{n}`?)"),
                None => format!("`{k}`"),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(policy_error(
                at,
                format!(
                    "unknown field{} {}: map a column that says anything about access onto the record key it \
                     means (`active: row.status === \"active\"`); select out of the row, or name in the ignore list, \
                     only columns that do not",
                    if unknown.len() > 1 { "s" } else { "" },
                    unknown.join(", ")
                ),
            ));
        }
        let value = serde_json::Value::Object(map);
        let record: StaffRecord =
            serde_json::from_value(value).map_err(|e| policy_error(&at, e.to_string()))?;
        if record.id.is_empty() {
            return Err(policy_error(at, "the staff id is empty"));
        }
        Ok(record)
    }
}

/// What a column's name says about access, read word by word
/// (`is_active`, `isSharedAccount`, `role_ids`, `deleted_at`): a run of its
/// words close to a permission-bearing key, or a status word. The whole
/// name is `near`'s; a prefix such as `is_` puts it beyond its edits.
fn access_meaning(name: &str) -> Option<String> {
    let w = words(name);
    if let [one] = w.as_slice() {
        // Byte windows, not `str::contains`: its substring searcher is
        // 4 KB of wasm.
        let inside = |stem: &str| {
            one.as_bytes()
                .windows(stem.len())
                .any(|w| w == stem.as_bytes())
        };
        if let Some(stem) = COMPACT_STEMS.iter().find(|s| inside(s)) {
            return Some(format!("something about access (`{stem}` in `{one}`)"));
        }
        if COMPACT_NAMES.contains(&one.as_str()) {
            return Some(format!("whether the person may act (`{one}`)"));
        }
    }
    if let Some(a) = w.iter().find(|w| ACCESS_WORDS.contains(&w.as_str())) {
        return Some(format!("how the person may act (`{a}`)"));
    }
    if let Some(s) = w
        .iter()
        .find(|w| STATUS_WORDS_ANYWHERE.contains(&w.as_str()))
    {
        return Some(format!("whether the person may act (`{s}`)"));
    }
    if let Some(s) = w
        .iter()
        .find(|w| STATUS_STEMS.iter().any(|stem| w.starts_with(stem)))
    {
        return Some(format!("whether the person may act (`{s}`)"));
    }
    for pair in w.windows(2) {
        if let [a, b] = pair {
            if STATUS_PAIRS.contains(&(a.as_str(), b.as_str())) {
                return Some(format!("whether the person may act (`{a}_{b}`)"));
            }
        }
    }
    let flagless: Vec<&String> = w
        .iter()
        .filter(|w| !FLAG_WORDS.contains(&w.as_str()))
        .collect();
    if flagless.iter().any(|w| w.as_str() == "status") {
        let harmless = flagless.len() > 1
            && flagless
                .iter()
                .all(|w| w.as_str() == "status" || HARMLESS_STATUS.contains(&w.as_str()));
        if !harmless {
            return Some("whether the person may act (`status`)".to_owned());
        }
    }
    if let Some(s) = flagless.iter().find(|w| SWITCH_WORDS.contains(&w.as_str())) {
        // Something harmless is switched, and nothing else is named
        // (`enabled` alone, or `is_enabled`, is the person's status).
        let harmless = flagless
            .iter()
            .any(|w| HARMLESS_SWITCHED.contains(&w.as_str()))
            && flagless.iter().all(|w| {
                SWITCH_WORDS.contains(&w.as_str()) || HARMLESS_SWITCHED.contains(&w.as_str())
            });
        if !harmless {
            return Some(format!("what the person may do or see (`{s}`)"));
        }
    }
    let said: Vec<&String> = flagless
        .iter()
        .copied()
        .filter(|w| !SUBJECT_WORDS.contains(&w.as_str()))
        .collect();
    let said = if said.is_empty() { flagless } else { said };
    if let [s] = said.as_slice() {
        if STATUS_WORDS.contains(&s.as_str()) {
            return Some(format!("whether the person may act (`{s}`)"));
        }
    }
    if let Some(last) = said.last() {
        if STATUS_LAST_WORDS.contains(&last.as_str()) {
            return Some(format!("whether the person may act (`{last}`)"));
        }
    }
    // A record key's first word, as written or inflected (`role_ids`,
    // `removals`, `granted`, `scoped`), never a near spelling: `is_remote`
    // is not `remove`.
    let keys = || {
        RECORD_KEYS
            .iter()
            .filter(|k| !DESCRIPTIVE_KEYS.contains(k) && !COMMON_KEY_WORDS.contains(k))
    };
    for word in &w {
        for k in keys() {
            let first = k.split('_').next().unwrap_or(k);
            let forms = [
                first,
                first.strip_suffix('s').unwrap_or(first),
                first.strip_suffix('e').unwrap_or(first),
            ];
            let inflected = forms.iter().any(|f| {
                f.len() >= 4
                    && word.strip_prefix(f).is_some_and(|rest| {
                        ["", "s", "e", "es", "d", "ed", "al", "als", "ing", "ings"].contains(&rest)
                    })
            });
            if inflected {
                return Some(format!("what the record key `{k}` says"));
            }
        }
    }
    // Runs of two words or more near a key (`shared_acount`, `step_up_required`).
    for i in 0..w.len() {
        for j in i + 1..w.len() {
            let run = w.get(i..=j).unwrap_or_default().join("_");
            if let Some(k) = near(&run).filter(|k| *k != "version") {
                return Some(format!("what the record key `{k}` says"));
            }
        }
    }
    None
}

/// The permission-bearing key close to `name`, if any: within one edit of
/// a key of up to five letters, two of a longer one.
fn near(name: &str) -> Option<&'static str> {
    RECORD_KEYS
        .iter()
        .copied()
        .filter(|k| !DESCRIPTIVE_KEYS.contains(k))
        .find(|k| edit_distance(name, k) <= if k.len() <= 5 { 1 } else { 2 })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let next = (prev + usize::from(ca != *cb)).min(above + 1).min(left + 1);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// Whether a key names secret material: one of its words is a secret word,
/// in any spelling (`pin_hash`, `passwordHash`, `PIN-code`, `staff_pin_id`,
/// `OTPSeed`, `password2`), so `pinned_at` or `shipping` are not secrets.
fn is_secret(key: &str) -> bool {
    words(key)
        .iter()
        .any(|w| SECRET_WORDS.contains(&w.as_str()))
}

/// The words of a key, lower-cased: runs of letters or of digits, split
/// at anything else, where a lower-case letter meets an upper-case one
/// (`pinHash`), and before the last capital of a run followed by a
/// lower-case letter (`OTPSeed`).
/// A Latin letter without its accent (`désactivé` reads as `desactive`,
/// `gelöscht` as `geloscht`), so that a word list need not spell each.
fn folded(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => c,
    }
}

fn words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j));
        let next = chars.get(i + 1);
        let cut = prev.is_some_and(|p| {
            p.is_alphanumeric()
                && (p.is_numeric() != c.is_numeric()
                    || (p.is_lowercase() && c.is_uppercase())
                    || (p.is_uppercase()
                        && c.is_uppercase()
                        && next.is_some_and(|n| n.is_lowercase())))
        });
        if cut && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.extend(c.to_lowercase().map(folded));
    }
    if !word.is_empty() {
        out.push(word);
    }
    // Other languages' `status` (`estado_civil` is `marital_status`).
    for w in &mut out {
        if matches!(
            w.as_str(),
            "estado" | "statut" | "stato" | "situacao" | "situacion"
        ) {
            *w = "status".to_owned();
        }
    }
    out
}

/// Refuses any object key that names secret material (a PIN, a password, a
/// hash of either), wherever it is in `value`.
pub(crate) fn reject_secret_fields(value: &serde_json::Value, origin: &str) -> Result<()> {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if is_secret(k) {
                    return Err(policy_error(
                        origin,
                        format!("field `{k}` looks like secret material; PINs, passwords and their hashes never go into a policy or a snapshot"),
                    ));
                }
                reject_secret_fields(v, origin)?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => items
            .iter()
            .try_for_each(|v| reject_secret_fields(v, origin)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("remove", "remove"), 0);
        assert_eq!(edit_distance("remvoe", "remove"), 2);
        assert_eq!(edit_distance("role", "roles"), 1);
        assert_eq!(edit_distance("email", "roles"), 5);
        assert_eq!(near("role"), Some("roles"));
        assert_eq!(near("remvoe"), Some("remove"));
        assert_eq!(near("hidden_field"), Some("hidden_fields"));
        assert_eq!(near("notes"), None, "two edits from `roles`, a short key");
        assert_eq!(near("email"), None);
    }

    #[test]
    fn words_split_every_spelling() {
        assert_eq!(words("passwordHash"), ["password", "hash"]);
        assert_eq!(words("OTPSeed"), ["otp", "seed"]);
        assert_eq!(words("staff_pin-code.x"), ["staff", "pin", "code", "x"]);
        assert_eq!(words("password2"), ["password", "2"]);
        assert_eq!(words("pinned_at"), ["pinned", "at"]);
        assert!(words("__").is_empty());
    }
}
