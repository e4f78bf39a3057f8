//! The issuer for other languages, in JSON text: what the npm
//! `permsnap/issuer` entry (wasm) and the Python module wrap, one source
//! for both. Inputs are JSON text read by the very readers the CLI and
//! `serve` use, strictly (unknown keys are errors); outputs are JSON text
//! in the one shape [`super::Snapshot::to_json`] defines. Times come from
//! the caller (wasm32 has no clock of its own).

use super::{Account, IssueOptions, Issuer, RecordReader, StepUpRequest};
use crate::crypto::signing::IssuerKey;
use crate::error::{Error, Result};
use crate::model::def::StaffRecord;
use crate::wire::{self, Notice, StaffRevocation};
use crate::{Catalog, Jwks};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// Signs snapshots, revocation notices, feed heads and step-up proofs, in
/// JSON text.
#[derive(Debug)]
pub struct JsonIssuer {
    issuer: Issuer,
    reader: RecordReader,
    /// By tenant; `None`: its last `set_account` was refused (unloaded,
    /// kept as an entry: a map's removal code is 5 KB of wasm).
    accounts: BTreeMap<String, Option<Account>>,
    /// Random snapshot ids drawn 512 at a time: one call into the
    /// platform's `crypto.getRandomValues` costs about as much as building
    /// the claims (some 30 µs).
    ids: Vec<[u8; 8]>,
}

fn parse<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<T> {
    crate::strict_json::parse(json)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::InvalidArgument {
            detail: format!("{what}: {e}"),
        })
}

fn seconds(now: f64, what: &str) -> Result<u64> {
    if now.is_finite() && now >= 0.0 && now <= wire::MAX_TIME as f64 {
        Ok(now as u64)
    } else {
        Err(Error::InvalidArgument {
            detail: format!("`{what}` is seconds since the Unix epoch, got {now}"),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct IssueArgs {
    now: f64,
    /// Left out: the default. `null` is refused, not read as "the
    /// default": JavaScript's `JSON.stringify` writes `NaN` and `Infinity`
    /// (a lifetime read from a mistyped setting) as `null`.
    #[serde(default, deserialize_with = "crate::strict_json::present")]
    lifetime: Option<u32>,
    #[serde(default, deserialize_with = "crate::strict_json::present")]
    id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RevokeArgs {
    tenant: String,
    now: f64,
    #[serde(default)]
    before_epoch: u32,
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    staff: Vec<StaffRevocation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct StepUpArgs {
    actor: String,
    permission: String,
    method: String,
    path: String,
    now: f64,
    #[serde(default = "one_minute")]
    lifetime: u8,
}

fn one_minute() -> u8 {
    60
}

impl JsonIssuer {
    /// `new Issuer(catalogJson, privateJwkJson, ignoreJson)`: the catalog
    /// definition (or a whole policy file: its roles and staff are not
    /// read), the private JWK `generateKey`/`permsnap keygen` wrote, and
    /// the JSON array of record columns to drop.
    pub fn new(catalog: &str, key: &str, ignore: &str) -> Result<JsonIssuer> {
        let catalog = Catalog::from_json(catalog, "catalog")?;
        let key = IssuerKey::from_jwk_json(key)?;
        let ignore: Vec<String> = parse(ignore, "ignored columns")?;
        let reader = RecordReader::for_catalog(&ignore, super::roles::definition(&catalog)?)?;
        Ok(JsonIssuer {
            issuer: Issuer::new(catalog, key)?,
            reader,
            accounts: BTreeMap::new(),
            ids: Vec::new(),
        })
    }

    /// Loads (or replaces) an account's roles, features and revocation
    /// epoch; returns the JSON list of broken roles `[{role, problem}]`
    /// (each refuses its holders only). A refused call (roles that are not
    /// an array, an entry without an id, an unknown feature) unloads the
    /// account: its staff get no snapshot until a call succeeds, rather
    /// than keep the roles and features of before the edit, which may
    /// have been wider (review, session 13).
    pub fn set_account(
        &mut self,
        tenant: &str,
        roles: &str,
        features: &str,
        epoch: u32,
    ) -> Result<String> {
        let mut loaded = self
            .accounts
            .iter()
            .filter(|(_, a)| a.is_some())
            .map(|(t, _)| t);
        if let Some(twin) = super::names::case_twins(&[tenant.to_owned()], &mut loaded).first() {
            let error = super::names::case_twin_error(tenant, twin);
            self.unload(tenant); // and its twins
            return Err(error);
        }
        let account = parse(features, "features").and_then(|features| {
            Account::from_json(self.issuer.catalog(), tenant, roles, features)
        });
        let account = match account {
            Ok(account) => account.with_epoch(epoch),
            Err(e) => {
                self.unload(tenant);
                return Err(e);
            }
        };
        let problems: Vec<_> = account
            .roles()
            .problems()
            .iter()
            .map(|(role, problem)| json!({"role": role, "problem": problem}))
            .collect();
        self.accounts.insert(tenant.to_owned(), Some(account));
        Ok(serde_json::Value::from(problems).to_string())
    }

    /// Unloads account `tenant`: its staff get no snapshot until
    /// `set_account` succeeds again. What the npm and Python wrappers call
    /// when they refuse a `set_account` call's arguments themselves, so
    /// that no refusal leaves the roles of before the edit in force.
    /// A padded or invisible-character `tenant` (refused) unloads the
    /// account it meant too; an empty or blank one (a NULL column, an
    /// unset setting) names no account that can be told, and unloads
    /// every account (attack review, session 14).
    pub fn unload(&mut self, tenant: &str) {
        match super::names::accounts_named(tenant) {
            Some(named) => {
                // And their loaded twins in other letter case: a refused
                // edit of `SPA-LUMI` left `spa-lumi`'s roles in force
                // (re-review, session 24).
                let twins = super::names::case_twins(&named, &mut self.accounts.keys());
                for t in named.into_iter().chain(twins) {
                    self.accounts.insert(t, None);
                }
            }
            None => self.unload_all(),
        }
    }

    /// Unloads every account: what the wrappers call when a refused
    /// `set_account` names its account by something that is no text (a
    /// number, a UUID object, bytes), so that it cannot be told which
    /// account's roles of before the edit must not stay in force (attack
    /// review, session 14).
    pub fn unload_all(&mut self) {
        for account in self.accounts.values_mut() {
            *account = None;
        }
    }

    /// The options of one issue; the id drawn from the pool unless given.
    fn issue_options(&mut self, args: &IssueArgs) -> Result<IssueOptions> {
        let mut opts = IssueOptions::at(seconds(args.now, "now")?);
        if let Some(l) = args.lifetime {
            opts.lifetime = l;
        }
        opts.id = Some(match &args.id {
            Some(id) => wire::parse_snapshot_id(id)?,
            None => self.next_id()?,
        });
        Ok(opts)
    }

    fn next_id(&mut self) -> Result<[u8; 8]> {
        if self.ids.is_empty() {
            let mut bytes = vec![0u8; 8 * 512];
            getrandom::fill(&mut bytes).map_err(|e| Error::InvalidArgument {
                detail: format!("no randomness for snapshot ids: {e}"),
            })?;
            self.ids = bytes
                .chunks_exact(8)
                .filter_map(|c| <[u8; 8]>::try_from(c).ok())
                .collect();
        }
        self.ids.pop().ok_or_else(|| Error::InvalidArgument {
            detail: "no randomness for snapshot ids".into(),
        })
    }

    fn account(&self, tenant: &str) -> Result<&Account> {
        match self.accounts.get(tenant) {
            Some(Some(account)) => Ok(account),
            Some(None) => Err(Error::InvalidArgument {
                detail: format!(
                    "account `{tenant}` is unloaded: its last setAccount was refused (see that error); \
                     call setAccount again"
                ),
            }),
            None => Err(Error::InvalidArgument {
                detail: format!("no account `{tenant}`: call setAccount first"),
            }),
        }
    }

    /// Issues a snapshot for a staff record (JSON text) of `tenant`;
    /// `args`: `{now, lifetime?, id?}` (id: 16 hex digits, for tests and
    /// parity vectors; random by default).
    pub fn issue(&mut self, tenant: &str, record: &str, args: &str) -> Result<String> {
        let args: IssueArgs = parse(args, "issue options")?;
        let staff: StaffRecord = self.reader.read(record)?;
        let opts = self.issue_options(&args)?;
        let snap = self.issuer.issue(self.account(tenant)?, &staff, &opts)?;
        Ok(snap.to_json().to_string())
    }

    /// The account check an app runs when it saves staff: `staff` is a JSON
    /// array of records; returns `{problems: [{code, message}], warnings:
    /// [{code, staff, field, message}]}`.
    pub fn review(&self, tenant: &str, staff: &str) -> Result<String> {
        let rows: Vec<serde_json::Value> = parse(staff, "staff")?;
        let records = rows
            .into_iter()
            .map(|r| self.reader.read_value(r))
            .collect::<Result<Vec<_>>>()?;
        let (problems, warnings) = self.issuer.review(self.account(tenant)?, &records);
        Ok(json!({
            "problems": problems.iter().map(|e| json!({"code": e.code(), "message": e.to_string()})).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(|w| json!({"code": w.code, "staff": w.staff, "field": w.field, "message": w.to_string()})).collect::<Vec<_>>(),
        })
        .to_string())
    }

    /// Signs a revocation notice; `args`: `{tenant, now, beforeEpoch?,
    /// ids?, staff?: [{subject, before}]}`. Returns its base64url text.
    pub fn revoke(&self, args: &str) -> Result<String> {
        let a: RevokeArgs = parse(args, "revocation")?;
        let notice = Notice {
            tenant: a.tenant,
            issued_at: seconds(a.now, "now")?,
            min_epoch: a.before_epoch,
            ids: a
                .ids
                .iter()
                .map(|i| wire::parse_snapshot_id(i))
                .collect::<Result<_>>()?,
            staff: a.staff,
        };
        if notice.min_epoch == 0 && notice.ids.is_empty() && notice.staff.is_empty() {
            return Err(Error::InvalidArgument {
                detail: "a notice revokes something: beforeEpoch, ids and/or staff".into(),
            });
        }
        Ok(crate::encoding::encode(&self.issuer.revoke(&notice)?))
    }

    /// Signs a feed head over `notices` (base64url texts, in feed order) at
    /// `now`; `tenant` `None` for a feed of every account.
    pub fn feed_head(
        &self,
        tenant: Option<String>,
        now: f64,
        notices: Vec<String>,
    ) -> Result<String> {
        let binary = notices
            .iter()
            .map(|n| {
                wire::to_binary_framed(n.as_bytes(), &wire::NOTICE_MAGIC, wire::MAX_NOTICE_LEN)
            })
            .collect::<Result<Vec<_>>>()?;
        let head = self
            .issuer
            .feed_head(tenant.as_deref(), seconds(now, "now")?, &binary)?;
        Ok(crate::encoding::encode(&head))
    }

    /// Signs a step-up proof once the backend has checked `actor`'s PIN on
    /// the shared account whose snapshot (text or bytes) the request
    /// carried; `args`: `{actor, permission, method, path, now, lifetime?}`.
    /// Returns `{proof, nonce, actor, permission, method, path, expiresAt}`.
    pub fn step_up(&self, snapshot: &[u8], args: &str) -> Result<String> {
        let a: StepUpArgs = parse(args, "step-up")?;
        let request = StepUpRequest {
            actor: &a.actor,
            permission: &a.permission,
            method: &a.method,
            path: &a.path,
            lifetime: a.lifetime,
        };
        let proof = self
            .issuer
            .step_up(snapshot, &request, seconds(a.now, "now")?)?;
        let parts = wire::split_framed(&proof, &wire::STEP_UP_MAGIC, wire::MAX_STEP_UP_LEN)?;
        let p = wire::decode_step_up(parts.payload)?;
        Ok(
            json!({"proof": crate::encoding::encode(&proof), "nonce": crate::error::hex(&p.nonce),
                  "actor": p.actor, "permission": p.permission, "method": p.method, "path": p.path,
                  "expiresAt": p.expires_at()})
            .to_string(),
        )
    }

    /// The JWKS verifiers load (this issuer's public key), as JSON text.
    pub fn public_jwks(&self) -> String {
        serde_json::to_string(&Jwks {
            keys: vec![self.issuer.key().public_jwk()],
        })
        .unwrap_or_default()
    }
}

/// A new signing key, with key id `kid` (by default derived from the
/// public key): `{privateJwk: "<JSON text>", jwks: {keys: [...]}}` as
/// JSON text (the same files `permsnap keygen` writes).
pub fn generate_key_json(kid: Option<&str>) -> Result<String> {
    let key = IssuerKey::generate(kid)?;
    Ok(json!({"privateJwk": key.private_jwk_json(), "jwks": Jwks { keys: vec![key.public_jwk()] }}).to_string())
}
