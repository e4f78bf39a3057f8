//! `Verifier` for JavaScript: a catalog, keys and options in; permissions,
//! notices and key reports out.

use super::convert::{
    arg_error, bytes_arg, catalog_from, keyring_from, now_or, object, options_from, own,
    strict_object,
};
use super::permissions::WasmPermissions;
use crate::verify::TenantCheck;
use crate::{Revocations, Verifier};
use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Verifies snapshots against a catalog and a JWKS.
#[wasm_bindgen(js_name = Verifier)]
pub struct WasmVerifier {
    pub(super) inner: Verifier,
}

#[wasm_bindgen(js_class = Verifier)]
impl WasmVerifier {
    /// `new Verifier(catalog, jwks, { tenant | tenantPerRequest | anyTenant, leeway? })`. `catalog` is a
    /// compiled catalog (`permsnap catalog`): bytes, base64url text, or the
    /// printed object.
    #[wasm_bindgen(constructor)]
    pub fn new(catalog: JsValue, jwks: JsValue, options: JsValue) -> Result<WasmVerifier, JsValue> {
        let catalog = catalog_from(&catalog)?;
        let inner = Verifier::new(catalog, keyring_from(jwks)?, options_from(&options)?);
        Ok(WasmVerifier { inner })
    }

    /// Verifies a snapshot (its base64url text as UTF-8 bytes, or its
    /// binary form) at `now` (seconds; default: the clock) and returns its
    /// permissions, or throws. Bytes, not a JavaScript value: the wrapper
    /// encodes text with the platform's `TextEncoder` (a cached reload is
    /// mostly this copy).
    pub fn load(&mut self, snapshot: &[u8], now: Option<f64>) -> Result<WasmPermissions, JsValue> {
        let now = now_or(now);
        let inner = self.inner.verify_cached(snapshot, now)?;
        Ok(WasmPermissions { inner })
    }

    /// `load` for a request of account `tenant`: the snapshot must be of it.
    #[wasm_bindgen(js_name = loadFor)]
    pub fn load_for(
        &mut self,
        snapshot: &[u8],
        tenant: &str,
        now: Option<f64>,
    ) -> Result<WasmPermissions, JsValue> {
        let now = now_or(now);
        let inner = self.inner.verify_for(snapshot, tenant, now)?;
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

    /// Throws why `load` would refuse `permissions` now, for what can
    /// change after a load (expiry, revocations, a stale feed). The npm
    /// wrapper asks once the revocations changed, so that permissions an app
    /// kept stop answering yes (attack review, session 15).
    pub fn recheck(&self, permissions: &WasmPermissions, now: Option<f64>) -> Result<(), JsValue> {
        Ok(self.inner.recheck(&permissions.inner, now_or(now))?)
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

    /// Replaces the application's own revocation list: `{ minEpoch: {
    /// tenant: n }, ids: [hex] }`. What notices and feeds revoked stays.
    #[wasm_bindgen(js_name = setRevocations)]
    pub fn set_revocations(&mut self, revocations: JsValue) -> Result<(), JsValue> {
        strict_object(&revocations, &["minEpoch", "ids"], "revocations")?;
        let mut out = Revocations::default();
        let min = own(&revocations, "minEpoch");
        // A plain object `{ account: epoch }`: an array, a `Map` or a
        // `Date` would read as no entries and lift every epoch revocation.
        let plain = min.is_object() && !Array::is_array(&min) && {
            let proto = JsValue::from(js_sys::Object::get_prototype_of(&min));
            proto.is_null()
                || proto == JsValue::from(js_sys::Object::get_prototype_of(&js_sys::Object::new()))
        };
        if plain {
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
        let ids = own(&revocations, "ids");
        if Array::is_array(&ids) {
            for id in Array::from(&ids).iter() {
                let text = id
                    .as_string()
                    .ok_or_else(|| arg_error("`ids` holds snapshot ids as hex strings"))?;
                // Set by hand: kept until replaced (never pruned).
                out.revoke_id(crate::wire::parse_snapshot_id(&text)?, u64::MAX);
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
    pub fn apply_notice(&mut self, notice: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let notice = self
            .inner
            .apply_notice_at(&bytes_arg(&notice)?, now_or(now))?;
        Ok(object(&[
            ("tenant", notice.tenant.into()),
            ("minEpoch", notice.min_epoch.into()),
            ("ids", JsValue::from(notice.ids.len() as u32)),
            ("staff", JsValue::from(notice.staff.len() as u32)),
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

    /// The clock leeway, seconds: a snapshot is accepted until its expiry
    /// plus this (what the browser build's expiry timer waits for).
    #[wasm_bindgen(getter)]
    pub fn leeway(&self) -> f64 {
        self.inner.options().leeway as f64
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
