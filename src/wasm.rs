//! The wasm-bindgen layer: conversions between JavaScript values and the
//! core types, and nothing else. Every decision is made by the core.
//!
//! Errors become a JavaScript `Error` named `PermsnapError` with a stable
//! `code` property (the npm wrapper re-throws it as its `PermsnapError`
//! subclass).

use crate::decision::Record;
use crate::error::Error;
use crate::model::def::CatalogDef;
use crate::{Jwks, Keyring, Options, Permissions, Revocations, Verifier};
use js_sys::{Array, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let err = js_sys::Error::new(&e.to_string());
        err.set_name("PermsnapError");
        let _ = Reflect::set(&err, &"code".into(), &e.code().into());
        err.into()
    }
}

fn arg_error(detail: impl std::fmt::Display) -> JsValue {
    Error::InvalidArgument {
        detail: detail.to_string(),
    }
    .into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(arg_error)
}

fn now_or(now: Option<f64>) -> u64 {
    let secs = now.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
    if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    }
}

fn keyring_from(jwks: JsValue) -> Result<Keyring, JsValue> {
    let jwks: Jwks = serde_wasm_bindgen::from_value(jwks).map_err(|e| -> JsValue {
        Error::InvalidKey {
            detail: format!("not a JWKS of Ed25519 keys: {e}"),
        }
        .into()
    })?;
    Ok(Keyring::from_jwks(&jwks)?)
}

/// Options accepted by the `Verifier` constructor.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsOptions {
    tenant: Option<String>,
    leeway: Option<u64>,
}

/// Revocations accepted by `setRevocations`.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsRevocations {
    #[serde(default)]
    min_epoch: std::collections::BTreeMap<String, u32>,
    #[serde(default)]
    ids: Vec<String>,
}

/// Verifies snapshots against a catalog and a JWKS.
#[wasm_bindgen(js_name = Verifier)]
pub struct WasmVerifier {
    inner: Verifier,
}

#[wasm_bindgen(js_class = Verifier)]
impl WasmVerifier {
    /// `new Verifier(catalog, jwks, { tenant?, leeway? })`. `catalog` is the
    /// catalog object (or a whole policy object, whose staff is ignored).
    #[wasm_bindgen(constructor)]
    pub fn new(catalog: JsValue, jwks: JsValue, options: JsValue) -> Result<WasmVerifier, JsValue> {
        let inner = Reflect::get(&catalog, &"catalog".into()).unwrap_or(JsValue::UNDEFINED);
        let catalog = if inner.is_object() { inner } else { catalog };
        let def: CatalogDef = serde_wasm_bindgen::from_value(catalog).map_err(|e| -> JsValue {
            crate::model::catalog::policy_error("catalog", e.to_string()).into()
        })?;
        let catalog = crate::Catalog::compile(def, "catalog")?;
        let opts: JsOptions = if options.is_undefined() || options.is_null() {
            JsOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options).map_err(arg_error)?
        };
        let options = Options {
            expected_tenant: opts.tenant,
            leeway: opts.leeway.unwrap_or(crate::verify::DEFAULT_LEEWAY),
        };
        Ok(WasmVerifier {
            inner: Verifier::new(catalog, keyring_from(jwks)?, options),
        })
    }

    /// Verifies a snapshot (base64url string or `Uint8Array`) at `now`
    /// (seconds; default: the clock) and returns its permissions, or throws.
    pub fn load(
        &mut self,
        snapshot: JsValue,
        now: Option<f64>,
    ) -> Result<WasmPermissions, JsValue> {
        let now = now_or(now);
        let inner = if let Some(text) = snapshot.as_string() {
            self.inner.verify_cached(text.as_bytes(), now)?
        } else if let Some(bytes) = snapshot.dyn_ref::<Uint8Array>() {
            self.inner.verify_cached(&bytes.to_vec(), now)?
        } else {
            return Err(arg_error(
                "a snapshot is a base64url string or a Uint8Array",
            ));
        };
        Ok(WasmPermissions { inner })
    }

    /// Replaces the trusted keys (key rotation), keeping everything else.
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&mut self, jwks: JsValue) -> Result<(), JsValue> {
        self.inner.set_keyring(keyring_from(jwks)?);
        Ok(())
    }

    /// Replaces the revocation list: `{ minEpoch: { tenant: n }, ids: [hex] }`.
    #[wasm_bindgen(js_name = setRevocations)]
    pub fn set_revocations(&mut self, revocations: JsValue) -> Result<(), JsValue> {
        let r: JsRevocations = serde_wasm_bindgen::from_value(revocations).map_err(arg_error)?;
        let mut out = Revocations {
            min_epoch: r.min_epoch,
            ..Revocations::default()
        };
        for id in r.ids {
            out.ids.insert(crate::format::parse_snapshot_id(&id)?);
        }
        self.inner.set_revocations(out);
        Ok(())
    }

    /// The catalog fingerprint (hex).
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.catalog().fingerprint_hex()
    }

    /// Permission names in catalog order (bit order of `allowedBits`).
    #[wasm_bindgen(js_name = permissionNames)]
    pub fn permission_names(&self) -> Vec<String> {
        self.inner
            .catalog()
            .def()
            .permissions
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }
}

/// What a verified snapshot allows.
#[wasm_bindgen(js_name = Permissions)]
pub struct WasmPermissions {
    inner: Permissions,
}

/// A JavaScript object seen as a record.
struct JsRecord<'a>(&'a JsValue);

impl Record for JsRecord<'_> {
    fn any_value(&self, field: &str, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        fn one(v: &JsValue, pred: &mut dyn FnMut(&str) -> bool) -> bool {
            if let Some(s) = v.as_string() {
                pred(&s)
            } else if v.as_f64().is_some() {
                // JavaScript's own number-to-string, as the JS filter compares.
                let text = js_sys::Number::from(v.clone())
                    .to_string_with_radix(10)
                    .unwrap_or_default();
                pred(&String::from(text))
            } else {
                false
            }
        }
        let value = Reflect::get(self.0, &field.into()).unwrap_or(JsValue::UNDEFINED);
        if Array::is_array(&value) {
            Array::from(&value).iter().any(|v| one(&v, pred))
        } else {
            one(&value, pred)
        }
    }
}

#[wasm_bindgen(js_class = Permissions)]
impl WasmPermissions {
    /// May the person do `name`? Throws `unknown_permission` for a name not in the catalog.
    pub fn can(&self, name: &str) -> Result<bool, JsValue> {
        Ok(self.inner.can(name)?)
    }

    /// All of `names`?
    #[wasm_bindgen(js_name = canAll)]
    pub fn can_all(&self, names: Vec<String>) -> Result<bool, JsValue> {
        Ok(self.inner.can_all(&names)?)
    }

    /// Any of `names`?
    #[wasm_bindgen(js_name = canAny)]
    pub fn can_any(&self, names: Vec<String>) -> Result<bool, JsValue> {
        Ok(self.inner.can_any(&names)?)
    }

    /// Every allowed permission, as a bitset over `Verifier.permissionNames()`.
    #[wasm_bindgen(js_name = allowedBits)]
    pub fn allowed_bits(&self) -> Vec<u8> {
        self.inner.effective_bits().as_bytes().to_vec()
    }

    /// Names of every allowed permission.
    pub fn allowed(&self) -> Vec<String> {
        self.inner
            .allowed()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// `{ permission, allowed, reason: { code, ... }, stepUp, message }`.
    pub fn explain(&self, name: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.explain(name)?)
    }

    /// The view scope on `kind`: `"none" | "own" | "assigned" | "all" | { specific: [ids] }`.
    pub fn scope(&self, kind: &str) -> Result<JsValue, JsValue> {
        to_js(self.inner.scope(kind)?)
    }

    /// Hidden fields of `kind`.
    #[wasm_bindgen(js_name = hiddenFields)]
    pub fn hidden_fields(&self, kind: &str) -> Result<Vec<String>, JsValue> {
        Ok(self
            .inner
            .hidden_fields(kind)?
            .into_iter()
            .map(str::to_owned)
            .collect())
    }

    /// Applications the person may enter.
    pub fn apps(&self) -> Vec<String> {
        self.inner.apps().into_iter().map(str::to_owned).collect()
    }

    /// May the person enter application `id`?
    #[wasm_bindgen(js_name = hasApp)]
    pub fn has_app(&self, id: &str) -> Result<bool, JsValue> {
        Ok(self.inner.has_app(id)?)
    }

    /// Does `name` need a PIN step-up first?
    #[wasm_bindgen(js_name = needsStepUp)]
    pub fn needs_step_up(&self, name: &str) -> Result<bool, JsValue> {
        Ok(self.inner.needs_step_up(name)?)
    }

    /// Permissions that need a PIN step-up.
    #[wasm_bindgen(js_name = stepUpActions)]
    pub fn step_up_actions(&self) -> Vec<String> {
        self.inner
            .step_up_actions()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The records of `kind` the person may see, as `{ kind, scope, all, clauses: [{ field, values }] }`.
    pub fn filter(&self, kind: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.filter(kind)?)
    }

    /// How to redact `kind`: `{ kind, remove: [field], mask: [{ field, with }] }`.
    pub fn redaction(&self, kind: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.redaction(kind)?)
    }

    /// Indexes of the records the person may see, decided record by record
    /// in Rust: the reference path the JavaScript filter is tested against.
    #[wasm_bindgen(js_name = filterIndexes)]
    pub fn filter_indexes(&self, kind: &str, records: &Array) -> Result<Vec<u32>, JsValue> {
        let f = self.inner.filter(kind)?;
        Ok(records
            .iter()
            .enumerate()
            .filter(|(_, r)| f.matches(&JsRecord(r)))
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect())
    }

    /// Staff id.
    #[wasm_bindgen(getter)]
    pub fn subject(&self) -> String {
        self.inner.subject().to_owned()
    }

    /// Account id.
    #[wasm_bindgen(getter)]
    pub fn tenant(&self) -> String {
        self.inner.tenant().to_owned()
    }

    /// Expiry, seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> f64 {
        self.inner.expires_at() as f64
    }

    /// Role id, if any.
    #[wasm_bindgen(getter)]
    pub fn role(&self) -> Option<String> {
        self.inner.role().map(str::to_owned)
    }

    /// Owner of the account?
    #[wasm_bindgen(getter, js_name = isOwner)]
    pub fn is_owner(&self) -> bool {
        self.inner.is_owner()
    }

    /// Principal admin?
    #[wasm_bindgen(getter, js_name = isPrincipal)]
    pub fn is_principal(&self) -> bool {
        self.inner.is_principal()
    }

    /// Shared front-desk account?
    #[wasm_bindgen(getter, js_name = isSharedAccount)]
    pub fn is_shared_account(&self) -> bool {
        self.inner.is_shared_account()
    }

    /// The verified claims, for display: ids in hex, names resolved.
    pub fn claims(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.summary())
    }
}
