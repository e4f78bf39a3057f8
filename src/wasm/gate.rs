//! `Gate` for JavaScript (edge build only: `--features edge`): the route
//! table as JSON text, read by the CLI's own strict reader.

use super::convert::{get_string, now_or, object, strict_object};
use super::verifier::WasmVerifier;
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
    /// very reader the CLI uses (`RoutesDef::from_json`: a key unknown
    /// or written twice anywhere is an error), then checked against the
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
    /// permission?, reason?, subject?, tenant?, actor?, nonce? }`. `target` is the path
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
        step_up: Option<String>,
        now: Option<f64>,
    ) -> JsValue {
        let request = Request {
            method,
            target,
            authorization: authorization.as_deref(),
            cookie: cookie.as_deref(),
            method_override: method_override.as_deref(),
            tenant: tenant.as_deref(),
            step_up: step_up.as_deref(),
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
            ("actor", d.actor),
            ("nonce", d.nonce),
        ] {
            if let Some(v) = v {
                let _ = Reflect::set(&out, &k.into(), &v.into());
            }
        }
        out
    }
}
