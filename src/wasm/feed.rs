//! `Verifier.applyFeed` and `feedAt` for JavaScript: the edge build only
//! (feature `server`); browsers refresh snapshots instead of applying feeds.

use super::convert::{arg_error, bytes_arg, now_or, object};
use super::verifier::WasmVerifier;
use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Verifier)]
impl WasmVerifier {
    /// Verifies a feed head and the notices it lists (each a base64url
    /// string or `Uint8Array`), applies every notice that verifies, and
    /// returns `{ issuedAt, applied, skipped, failed: [{ index, code,
    /// message }] }`; the feed counts as current (for `maxFeedAge`) only
    /// when nothing failed. Throws when the head does not verify, names
    /// another account, does not list exactly these notices, or is older
    /// than one already applied.
    #[wasm_bindgen(js_name = applyFeed)]
    pub fn apply_feed(
        &mut self,
        head: JsValue,
        notices: JsValue,
        now: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        if !Array::is_array(&notices) {
            return Err(arg_error("`notices` is an array of notices"));
        }
        let list = Array::from(&notices)
            .iter()
            .map(|n| bytes_arg(&n))
            .collect::<Result<Vec<_>, _>>()?;
        let report = self
            .inner
            .apply_feed(&bytes_arg(&head)?, &list, now_or(now))?;
        let failed: Array = report
            .failed
            .iter()
            .map(|(i, e)| {
                object(&[
                    ("index", JsValue::from(*i as u32)),
                    ("code", e.code().into()),
                    ("message", e.to_string().into()),
                ])
            })
            .collect();
        Ok(object(&[
            ("issuedAt", (report.head.issued_at as f64).into()),
            ("applied", JsValue::from(report.applied as u32)),
            ("skipped", JsValue::from(report.skipped as u32)),
            ("failed", failed.into()),
        ]))
    }

    /// Issue time (seconds) of the newest feed head applied in full, or
    /// `undefined`.
    #[wasm_bindgen(getter, js_name = feedAt)]
    pub fn feed_at(&self) -> Option<f64> {
        self.inner.feed_at().map(|t| t as f64)
    }
}
