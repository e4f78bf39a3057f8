//! The wasm-bindgen layer: conversions between JavaScript values and the
//! core types, and nothing else. Every decision is made by the core.
//!
//! Errors become a JavaScript `Error` named `PermsnapError` with a stable
//! `code` property (the npm wrapper re-throws it as its `PermsnapError`
//! subclass).

use crate::crypto::Jwk;
use crate::decision::Record;
use crate::error::Error;
use crate::model::def::Scope;
use crate::verify::TenantCheck;
use crate::{Catalog, Jwks, Keyring, Options, Permissions, Revocations, Verifier};
use js_sys::{Array, Reflect, Uint8Array};
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

fn strings<S: AsRef<str>>(items: &[S]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect::<Array>()
        .into()
}

fn scope_js(scope: &Scope) -> JsValue {
    match scope {
        Scope::Specific(ids) => object(&[("specific", strings(ids))]),
        other => other.name().into(),
    }
}

fn now_or(now: Option<f64>) -> u64 {
    let secs = now.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
    if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    }
}

/// A snapshot or notice argument: base64url text or bytes.
fn bytes_arg(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(bytes.to_vec())
    } else {
        Err(arg_error("expected a base64url string or a Uint8Array"))
    }
}

/// A plain object from key/value pairs.
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let out = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    }
    out.into()
}

/// Checks that `value` is a plain object whose keys are all in `known`
/// (keys holding `undefined` count as absent): a misspelt option is an
/// error, never silently ignored.
fn strict_object(value: &JsValue, known: &[&str], what: &str) -> Result<(), JsValue> {
    if !value.is_object() || Array::is_array(value) {
        return Err(arg_error(format!("{what} are an object")));
    }
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let name = key.as_string().unwrap_or_default();
        if known.contains(&name.as_str()) {
            continue;
        }
        if Reflect::get(value, &key).is_ok_and(|v| v.is_undefined()) {
            continue;
        }
        return Err(arg_error(format!(
            "unknown key `{name}` in {what} (known: {})",
            known.join(", ")
        )));
    }
    Ok(())
}

/// `object[key]` when it is a string; `None` when absent or `undefined`.
fn get_string(object: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let v = Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| arg_error(format!("`{key}` must be a string")))
}

/// A JWKS object (`{ keys: [...] }`) or a single JWK, read field by field.
fn keyring_from(jwks: JsValue) -> Result<Keyring, JsValue> {
    let invalid = |detail: &str| -> JsValue {
        Error::InvalidKey {
            detail: detail.into(),
        }
        .into()
    };
    if !jwks.is_object() {
        return Err(invalid("a JWKS is an object `{ keys: [...] }`"));
    }
    let keys = Reflect::get(&jwks, &"keys".into()).unwrap_or(JsValue::UNDEFINED);
    let single = Reflect::get(&jwks, &"kty".into()).is_ok_and(|k| !k.is_undefined());
    let list: Vec<JsValue> = if keys.is_undefined() && single {
        vec![jwks]
    } else if keys.is_undefined() {
        return Err(invalid(
            "a JWKS is an object `{ keys: [...] }` (or one JWK with `kty`)",
        ));
    } else if Array::is_array(&keys) {
        Array::from(&keys).iter().collect()
    } else {
        return Err(invalid("`keys` of a JWKS must be an array"));
    };
    let mut out = Jwks { keys: Vec::new() };
    for key in &list {
        if !key.is_object() {
            return Err(invalid("each key of a JWKS is an object"));
        }
        let field = |k: &str| {
            get_string(key, k).map_err(|_| invalid(&format!("`{k}` of a JWK must be a string")))
        };
        out.keys.push(Jwk {
            kty: field("kty")?.unwrap_or_default(),
            crv: field("crv")?.unwrap_or_default(),
            x: field("x")?.unwrap_or_default(),
            kid: field("kid")?.unwrap_or_default(),
            alg: field("alg")?,
            use_: field("use")?,
            d: field("d")?,
        });
    }
    Ok(Keyring::from_jwks(&out)?)
}

/// A compiled catalog: bytes, base64url text, or the object `permsnap
/// catalog` prints (its `binary` member).
fn catalog_from(catalog: &JsValue) -> Result<Catalog, JsValue> {
    if let Some(bytes) = catalog.dyn_ref::<Uint8Array>() {
        return Ok(Catalog::from_bytes(&bytes.to_vec(), "catalog")?);
    }
    let text = if let Some(text) = catalog.as_string() {
        text
    } else if catalog.is_object() {
        get_string(catalog, "binary")?.ok_or_else(|| {
            arg_error(
                "the catalog object has no `binary` member: pass what `permsnap catalog` prints",
            )
        })?
    } else {
        return Err(arg_error(
            "a catalog is a compiled catalog: bytes, base64url text, or the object `permsnap catalog` prints",
        ));
    };
    Ok(Catalog::from_text(&text, "catalog")?)
}

/// Verifier options: `{ tenant | tenantPerRequest | anyTenant, leeway? }`,
/// exactly one tenant choice, nothing else.
fn options_from(options: &JsValue) -> Result<Options, JsValue> {
    const KNOWN: [&str; 4] = ["tenant", "tenantPerRequest", "anyTenant", "leeway"];
    const CHOOSE: &str = "a Verifier names its account: { tenant: \"acme\" }, \
         { tenantPerRequest: true } (one edge, many accounts: the Gate's tenantOf names it), \
         or { anyTenant: true } (explicit opt-out)";
    if options.is_undefined() || options.is_null() {
        return Err(arg_error(CHOOSE));
    }
    strict_object(options, &KNOWN, "Verifier options")?;
    let flag = |key: &str| -> Result<bool, JsValue> {
        let v = Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() {
            return Ok(false);
        }
        match v.as_bool() {
            Some(true) => Ok(true),
            _ => Err(arg_error(format!("`{key}` is `true` when given"))),
        }
    };
    let tenant = get_string(options, "tenant")?;
    let tenant = match (tenant, flag("tenantPerRequest")?, flag("anyTenant")?) {
        (Some(t), false, false) if !t.is_empty() => TenantCheck::Fixed(t),
        (Some(_), false, false) => return Err(arg_error("`tenant` is an account id, not empty")),
        (None, true, false) => TenantCheck::PerRequest,
        (None, false, true) => TenantCheck::Any,
        (None, false, false) => return Err(arg_error(CHOOSE)),
        _ => {
            return Err(arg_error(
                "`tenant`, `tenantPerRequest` and `anyTenant` exclude each other",
            ))
        }
    };
    let mut out = Options::with(tenant);
    let leeway = Reflect::get(options, &"leeway".into()).unwrap_or(JsValue::UNDEFINED);
    if !leeway.is_undefined() {
        out.leeway = leeway
            .as_f64()
            .filter(|l| l.is_finite() && *l >= 0.0 && *l <= crate::verify::MAX_LEEWAY as f64)
            .ok_or_else(|| arg_error("`leeway` is a number of seconds from 0 to 86400"))?
            as u64;
    }
    Ok(out)
}

/// Verifies snapshots against a catalog and a JWKS.
#[wasm_bindgen(js_name = Verifier)]
pub struct WasmVerifier {
    inner: Verifier,
}

#[wasm_bindgen(js_class = Verifier)]
impl WasmVerifier {
    /// `new Verifier(catalog, jwks, { tenant?, leeway? })`. `catalog` is a
    /// compiled catalog (`permsnap catalog`): bytes, base64url text, or the
    /// printed object.
    #[wasm_bindgen(constructor)]
    pub fn new(catalog: JsValue, jwks: JsValue, options: JsValue) -> Result<WasmVerifier, JsValue> {
        let catalog = catalog_from(&catalog)?;
        let options_out = options_from(&options)?;
        Ok(WasmVerifier {
            inner: Verifier::new(catalog, keyring_from(jwks)?, options_out),
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
        let inner = self.inner.verify_cached(&bytes_arg(&snapshot)?, now)?;
        Ok(WasmPermissions { inner })
    }

    /// `load` for a request of account `tenant`: the snapshot must be of it.
    #[wasm_bindgen(js_name = loadFor)]
    pub fn load_for(
        &mut self,
        snapshot: JsValue,
        tenant: &str,
        now: Option<f64>,
    ) -> Result<WasmPermissions, JsValue> {
        let now = now_or(now);
        let inner = self.inner.verify_for(&bytes_arg(&snapshot)?, tenant, now)?;
        Ok(WasmPermissions { inner })
    }

    /// What the key set held: `{ keys, ignored: [{ kid, reason }] }`.
    #[wasm_bindgen(js_name = keyReport)]
    pub fn key_report(&self) -> JsValue {
        let keyring = self.inner.keyring();
        let ignored: Array = keyring
            .ignored()
            .iter()
            .map(|k| {
                object(&[
                    ("kid", k.kid.as_str().into()),
                    ("reason", k.reason.as_str().into()),
                ])
            })
            .collect();
        object(&[
            ("keys", JsValue::from(keyring.len() as u32)),
            ("ignored", ignored.into()),
        ])
    }

    /// Permissions that deny everything (what a refusal means).
    #[wasm_bindgen(js_name = denyAll)]
    pub fn deny_all(&self) -> WasmPermissions {
        WasmPermissions {
            inner: self.inner.deny_all(),
        }
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
        strict_object(&revocations, &["minEpoch", "ids"], "revocations")?;
        let mut out = Revocations::default();
        let min = Reflect::get(&revocations, &"minEpoch".into()).unwrap_or(JsValue::UNDEFINED);
        if min.is_object() {
            for entry in js_sys::Object::entries(&min.unchecked_into()).iter() {
                let pair = Array::from(&entry);
                let tenant = pair.get(0).as_string().unwrap_or_default();
                let epoch = pair
                    .get(1)
                    .as_f64()
                    .filter(|e| {
                        e.is_finite() && *e >= 0.0 && *e <= f64::from(u32::MAX) && e.fract() == 0.0
                    })
                    .ok_or_else(|| {
                        arg_error(format!("`minEpoch.{tenant}` is not an epoch (an integer)"))
                    })?;
                out.revoke_before(&tenant, epoch as u32);
            }
        } else if !min.is_undefined() {
            return Err(arg_error("`minEpoch` maps account ids to epochs"));
        }
        let ids = Reflect::get(&revocations, &"ids".into()).unwrap_or(JsValue::UNDEFINED);
        if Array::is_array(&ids) {
            for id in Array::from(&ids).iter() {
                let text = id
                    .as_string()
                    .ok_or_else(|| arg_error("`ids` holds snapshot ids as hex strings"))?;
                out.revoke_id(crate::format::parse_snapshot_id(&text)?);
            }
        } else if !ids.is_undefined() {
            return Err(arg_error("`ids` is an array of snapshot ids"));
        }
        self.inner.set_revocations(out);
        Ok(())
    }

    /// Verifies a signed revocation notice (base64url string or
    /// `Uint8Array`) and adds it to the revocations. Returns
    /// `{ tenant, minEpoch, ids }` (ids revoked by this notice).
    #[wasm_bindgen(js_name = applyNotice)]
    pub fn apply_notice(&mut self, notice: JsValue) -> Result<JsValue, JsValue> {
        let notice = self.inner.apply_notice(&bytes_arg(&notice)?)?;
        Ok(object(&[
            ("tenant", notice.tenant.into()),
            ("minEpoch", notice.min_epoch.into()),
            ("ids", JsValue::from(notice.ids.len() as u32)),
        ]))
    }

    /// How the account is checked: `fixed`, `per_request` or `any`.
    #[wasm_bindgen(getter, js_name = tenantMode)]
    pub fn tenant_mode(&self) -> String {
        match self.inner.options().tenant {
            TenantCheck::Fixed(_) => "fixed",
            TenantCheck::PerRequest => "per_request",
            TenantCheck::Any => "any",
        }
        .into()
    }

    /// The catalog fingerprint (hex).
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.catalog().fingerprint_hex()
    }

    /// Record kind names in catalog order.
    #[wasm_bindgen(js_name = kindNames)]
    pub fn kind_names(&self) -> Vec<String> {
        self.inner
            .catalog()
            .tables()
            .kinds
            .iter()
            .map(|k| k.name.clone())
            .collect()
    }

    /// The fields of record kind `kind` the catalog declares (those a
    /// snapshot can hide), or throws `unknown_kind`.
    #[wasm_bindgen(js_name = fieldNames)]
    pub fn field_names(&self, kind: &str) -> Result<Vec<String>, JsValue> {
        let catalog = self.inner.catalog();
        let k = catalog.kind(kind)?;
        Ok(catalog
            .kind_def(k)
            .map(|d| d.fields.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default())
    }

    /// Permission names in catalog order (bit order of `allowedBits`).
    #[wasm_bindgen(js_name = permissionNames)]
    pub fn permission_names(&self) -> Vec<String> {
        self.inner
            .catalog()
            .tables()
            .permissions
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }
}

/// What a verified snapshot allows. `can` and its all/any forms live in the
/// npm wrapper, which reads `allowedBits` once per load: one call into wasm
/// per snapshot, none per check.
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
    /// Every allowed permission, as a bitset over `Verifier.permissionNames()`.
    #[wasm_bindgen(js_name = allowedBits)]
    pub fn allowed_bits(&self) -> Vec<u8> {
        self.inner.effective_bits().as_bytes().to_vec()
    }

    /// `{ permission, allowed, reason: { code, ... }, stepUp, message }`.
    pub fn explain(&self, name: &str) -> Result<JsValue, JsValue> {
        let e = self.inner.explain(name)?;
        let reason = object(&[("code", e.reason.code().into())]);
        if let Some((key, value)) = e.reason.detail() {
            let _ = Reflect::set(&reason, &key.into(), &value.into());
        }
        Ok(object(&[
            ("permission", e.permission.into()),
            ("allowed", e.allowed.into()),
            ("reason", reason),
            ("stepUp", e.step_up.into()),
            ("message", e.message.into()),
        ]))
    }

    /// Everything the snapshot says, names resolved: the core's `Summary`
    /// with its serialized (camelCase) keys, the shape `claims()` returns.
    pub fn summary(&self) -> JsValue {
        let s = self.inner.summary();
        let map = |pairs: Vec<(String, JsValue)>| {
            let out = js_sys::Object::new();
            for (k, v) in pairs {
                let _ = Reflect::set(&out, &JsValue::from_str(&k), &v);
            }
            JsValue::from(out)
        };
        object(&[
            ("tenant", s.tenant.into()),
            ("subject", s.subject.into()),
            ("issuedAt", (s.issued_at as f64).into()),
            ("notBefore", (s.not_before as f64).into()),
            ("expiresAt", (s.expires_at as f64).into()),
            ("id", s.id.into()),
            ("epoch", s.epoch.into()),
            ("catalog", s.catalog.into()),
            ("role", s.role.map_or(JsValue::NULL, JsValue::from)),
            ("owner", s.owner.into()),
            ("principal", s.principal.into()),
            ("sharedAccount", s.shared_account.into()),
            ("allowed", strings(&s.allowed)),
            ("stepUp", strings(&s.step_up)),
            (
                "scopes",
                map(s
                    .scopes
                    .iter()
                    .map(|(k, v)| (k.clone(), scope_js(v)))
                    .collect()),
            ),
            (
                "hiddenFields",
                map(s
                    .hidden_fields
                    .iter()
                    .map(|(k, v)| (k.clone(), strings(v)))
                    .collect()),
            ),
            ("apps", strings(&s.apps)),
        ])
    }

    /// The view scope on `kind`: `"none" | "own" | "assigned" | "all" | { specific: [ids] }`.
    pub fn scope(&self, kind: &str) -> Result<JsValue, JsValue> {
        Ok(scope_js(self.inner.scope(kind)?))
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
        let f = self.inner.filter(kind)?;
        let clauses: Array = f
            .clauses
            .iter()
            .map(|c| {
                object(&[
                    ("field", c.field.as_str().into()),
                    ("values", strings(&c.values)),
                ])
            })
            .collect();
        Ok(object(&[
            ("kind", f.kind.into()),
            ("scope", f.scope.into()),
            ("all", f.all.into()),
            ("clauses", clauses.into()),
        ]))
    }

    /// How to redact `kind`: `{ kind, remove: [field], mask: [{ field, with }] }`.
    pub fn redaction(&self, kind: &str) -> Result<JsValue, JsValue> {
        let r = self.inner.redaction(kind)?;
        let mask: Array = r
            .mask
            .iter()
            .map(|m| {
                object(&[
                    ("field", m.field.as_str().into()),
                    ("with", m.with.as_str().into()),
                ])
            })
            .collect();
        Ok(object(&[
            ("kind", r.kind.into()),
            ("remove", strings(&r.remove)),
            ("mask", mask.into()),
        ]))
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

    /// Issued at, seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.inner.claims().issued_at as f64
    }

    /// Valid from, seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = notBefore)]
    pub fn not_before(&self) -> f64 {
        self.inner.claims().not_before as f64
    }

    /// Snapshot id (hex), for revocation.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        crate::error::hex(&self.inner.claims().id)
    }

    /// Revocation epoch of the tenant at issue time.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> u32 {
        self.inner.claims().epoch
    }
}

/// The route guard's bindings (edge build only: `--features edge`).
#[cfg(feature = "guard")]
mod gate {
    use super::{get_string, now_or, object, strict_object, WasmVerifier};
    use crate::guard::{Gate, Request, RoutesDef};
    use js_sys::Reflect;
    use wasm_bindgen::prelude::*;

    /// The route guard of edge functions.
    #[wasm_bindgen(js_name = Gate)]
    pub struct WasmGate {
        inner: Gate,
    }

    #[wasm_bindgen(js_class = Gate)]
    impl WasmGate {
        /// `new Gate(verifier, routesJson, { cookie? })`: the route table
        /// as JSON text (`{ routes: [...] }` or the array), read by the
        /// very reader the CLI uses (serde_json with `deny_unknown_fields`:
        /// an unknown key anywhere is an error), then checked against the
        /// verifier's catalog. (serde-wasm-bindgen was tried: it reads only
        /// the fields a struct names, so it cannot see unknown keys.)
        #[wasm_bindgen(constructor)]
        pub fn new(
            verifier: &WasmVerifier,
            routes_json: &str,
            options: JsValue,
        ) -> Result<WasmGate, JsValue> {
            let def = RoutesDef::from_json(routes_json)?;
            let mut inner = Gate::new(verifier.inner.catalog(), &def.routes)?;
            if !options.is_undefined() {
                strict_object(&options, &["cookie"], "Gate options")?;
                if let Some(name) = get_string(&options, "cookie")? {
                    inner.set_cookie_name(&name)?;
                }
            }
            Ok(WasmGate { inner })
        }

        /// Advice about the table (routes under more general routes that
        /// demand something else).
        pub fn warnings(&self) -> Vec<String> {
            self.inner.warnings().to_vec()
        }

        /// Decides one request: `{ status, code, message, route?,
        /// permission?, reason?, subject?, tenant? }`. `target` is the path
        /// and query as received.
        #[allow(clippy::too_many_arguments)]
        pub fn check(
            &self,
            verifier: &mut WasmVerifier,
            method: &str,
            target: &str,
            authorization: Option<String>,
            cookie: Option<String>,
            method_override: Option<String>,
            tenant: Option<String>,
            now: Option<f64>,
        ) -> JsValue {
            let request = Request {
                method,
                target,
                authorization: authorization.as_deref(),
                cookie: cookie.as_deref(),
                method_override: method_override.as_deref(),
                tenant: tenant.as_deref(),
            };
            let d = self.inner.check(&mut verifier.inner, &request, now_or(now));
            let out = object(&[
                ("status", d.status.into()),
                ("code", d.code.into()),
                ("message", d.message.into()),
            ]);
            for (k, v) in [
                ("route", d.route),
                ("permission", d.permission),
                ("reason", d.reason),
                ("subject", d.subject),
                ("tenant", d.tenant),
            ] {
                if let Some(v) = v {
                    let _ = Reflect::set(&out, &k.into(), &v.into());
                }
            }
            out
        }
    }
}
