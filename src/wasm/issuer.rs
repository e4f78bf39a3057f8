//! `Issuer` for JavaScript backends (the server-only `permsnap/issuer`
//! entry: feature `issuer-js`, never in a browser build): the JSON issuer
//! of the core ([`crate::issuer::JsonIssuer`]) behind a class. The npm
//! wrapper checks inputs are plain data and stringifies them.

use super::convert::bytes_arg;
use crate::issuer::JsonIssuer;
use wasm_bindgen::prelude::*;

/// Signs snapshots, revocation notices, feed heads and step-up proofs.
#[wasm_bindgen(js_name = Issuer)]
pub struct WasmIssuer {
    inner: JsonIssuer,
}

#[wasm_bindgen(js_class = Issuer)]
impl WasmIssuer {
    /// `new Issuer(catalogJson, privateJwkJson, ignoreJson)`.
    #[wasm_bindgen(constructor)]
    pub fn new(catalog: &str, key: &str, ignore: &str) -> Result<WasmIssuer, JsValue> {
        Ok(WasmIssuer {
            inner: JsonIssuer::new(catalog, key, ignore)?,
        })
    }

    /// See [`JsonIssuer::set_account`].
    #[wasm_bindgen(js_name = setAccount)]
    pub fn set_account(
        &mut self,
        tenant: &str,
        roles: &str,
        features: &str,
        epoch: u32,
    ) -> Result<String, JsValue> {
        Ok(self.inner.set_account(tenant, roles, features, epoch)?)
    }

    /// See [`JsonIssuer::unload`].
    #[wasm_bindgen(js_name = unloadAccount)]
    pub fn unload_account(&mut self, tenant: &str) {
        self.inner.unload(tenant);
    }

    /// See [`JsonIssuer::unload_all`].
    #[wasm_bindgen(js_name = unloadAllAccounts)]
    pub fn unload_all_accounts(&mut self) {
        self.inner.unload_all();
    }

    /// See [`JsonIssuer::issue`].
    pub fn issue(&mut self, tenant: &str, record: &str, args: &str) -> Result<String, JsValue> {
        Ok(self.inner.issue(tenant, record, args)?)
    }

    /// See [`JsonIssuer::review`].
    pub fn review(&self, tenant: &str, staff: &str) -> Result<String, JsValue> {
        Ok(self.inner.review(tenant, staff)?)
    }

    /// See [`JsonIssuer::revoke`].
    pub fn revoke(&self, args: &str) -> Result<String, JsValue> {
        Ok(self.inner.revoke(args)?)
    }

    /// See [`JsonIssuer::feed_head`].
    #[wasm_bindgen(js_name = feedHead)]
    pub fn feed_head(
        &self,
        tenant: Option<String>,
        now: f64,
        notices: Vec<String>,
    ) -> Result<String, JsValue> {
        Ok(self.inner.feed_head(tenant, now, notices)?)
    }

    /// See [`JsonIssuer::step_up`]; the snapshot as text or bytes.
    #[wasm_bindgen(js_name = stepUp)]
    pub fn step_up(&self, snapshot: JsValue, args: &str) -> Result<String, JsValue> {
        Ok(self.inner.step_up(&bytes_arg(&snapshot)?, args)?)
    }

    /// See [`JsonIssuer::public_jwks`].
    #[wasm_bindgen(js_name = publicJwks)]
    pub fn public_jwks(&self) -> String {
        self.inner.public_jwks()
    }
}

/// See [`crate::issuer::generate_key_json`].
#[wasm_bindgen(js_name = generateKeyJwk)]
pub fn generate_key_jwk(kid: Option<String>) -> Result<String, JsValue> {
    Ok(crate::issuer::generate_key_json(kid.as_deref())?)
}
