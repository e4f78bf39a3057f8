//! `Permissions` for JavaScript: the answers of one verified snapshot,
//! read once per load by the npm wrapper (which answers `can` itself).

use super::convert::{object, scope_js, strings};
use crate::decision::Record;
use crate::Permissions;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What a verified snapshot allows. `can` and its all/any forms live in the
/// npm wrapper, which reads `allowedBits` once per load: one call into wasm
/// per snapshot, none per check.
#[wasm_bindgen(js_name = Permissions)]
pub struct WasmPermissions {
    pub(super) inner: Permissions,
}

/// A JavaScript object seen as a record, read as the JavaScript filter
/// reads it (`filter.ts`). A getter or Proxy trap that throws is kept in
/// `failed`: the whole call then throws, as the JavaScript filter does.
struct JsRecord<'a> {
    value: &'a JsValue,
    failed: &'a core::cell::Cell<Option<JsValue>>,
}

impl JsRecord<'_> {
    /// `Ok` of what the read gave, or the first thrown error kept.
    fn read<T>(&self, r: Result<T, JsValue>) -> Option<T> {
        r.map_err(|e| {
            let first = self.failed.take().unwrap_or(e);
            self.failed.set(Some(first));
        })
        .ok()
    }

    /// `object`'s own property descriptor for `key`, or `None`.
    fn own(&self, object: &JsValue, key: &JsValue) -> Option<Option<JsValue>> {
        let d = self.read(Reflect::get_own_property_descriptor(
            object.unchecked_ref::<js_sys::Object>(),
            key,
        ))?;
        Some((!d.is_undefined()).then_some(d))
    }

    /// Does the record hold `key` itself, or through a getter of its own
    /// class (an ORM's model), not only through a root prototype (an
    /// `Object.prototype` of any realm, which other code may have polluted)
    /// nor as a plain value planted on a class's prototype (a merge through
    /// `constructor.prototype`)? At most 64 prototypes are followed (a
    /// Proxy may invent them). As `owned` in `filter.ts`.
    fn owned(&self, key: &JsValue) -> Option<bool> {
        if self.own(self.value, key)?.is_some() {
            return Some(true);
        }
        let mut p: JsValue = self.read(Reflect::get_prototype_of(self.value))?.into();
        for _ in 0..64 {
            if p.is_null() {
                return Some(false);
            }
            let next: JsValue = self.read(Reflect::get_prototype_of(&p))?.into();
            if let Some(d) = self.own(&p, key)? {
                // `get` of the descriptor itself: a data descriptor has
                // none, and a polluted prototype's must not answer for it.
                let getter = self.own(&d, &"get".into())?;
                return Some(
                    !next.is_null()
                        && getter.is_some_and(|g| {
                            Reflect::get(&g, &"value".into()).is_ok_and(|f| f.is_function())
                        }),
                );
            }
            p = next;
        }
        Some(false)
    }
}

/// The most items of an array field read (an assignee list): a Proxy
/// claiming a length of billions is not walked. As in `filter.ts`.
const MAX_ITEMS: f64 = 65_536.0;

impl Record for JsRecord<'_> {
    fn any_value(&self, field: &str, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        fn one(v: &JsValue, pred: &mut dyn FnMut(&str) -> bool) -> bool {
            if let Some(s) = v.dyn_ref::<js_sys::JsString>() {
                // A lone surrogate has no UTF-8 form: read lossily it could
                // equal another id; JavaScript compares it unequal to all.
                s.is_valid_utf16() && pred(&String::from(s))
            } else if v.as_f64().is_some_and(crate::decision::is_safe_integer) {
                // JavaScript's own number-to-string, as the JS filter
                // compares (`integer_text`'s decimal form: `-0` is `0`).
                let text = js_sys::Number::from(v.clone())
                    .to_string_with_radix(10)
                    .unwrap_or_default();
                pred(&String::from(text))
            } else {
                false
            }
        }
        if !self.value.is_object() {
            return false;
        }
        let key = JsValue::from_str(field);
        let Some(value) = self.read(Reflect::get(self.value, &key)) else {
            return false;
        };
        let hit = if Array::is_array(&value) {
            // By index, the items the array holds itself (a hole would
            // read a polluted prototype's value; its own iterator could
            // yield other values).
            let Some(length) = self.read(Reflect::get(&value, &"length".into())) else {
                return false;
            };
            let n = length
                .as_f64()
                .filter(|n| *n >= 0.0)
                .map_or(0.0, |n| n.min(MAX_ITEMS));
            (0..n as u32).any(|i| {
                let index = JsValue::from(i);
                self.own(&value, &index).flatten().is_some()
                    && self
                        .read(Reflect::get(&value, &index))
                        .is_some_and(|v| one(&v, pred))
            })
        } else {
            one(&value, pred)
        };
        hit && self.owned(&key) == Some(true)
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
        // Built from the getters rather than `Permissions::summary()`: the
        // `BTreeMap`s of the Rust summary cost 7 KB gzip in the browser
        // build. Same keys and values (tests/js/package.test.mjs compares
        // them with the summary `permsnap verify --json` prints).
        let p = &self.inner;
        let c = p.claims();
        let scopes = js_sys::Object::new();
        let hidden = js_sys::Object::new();
        for (k, scope) in p.catalog().tables().kinds.iter().zip(&c.scopes) {
            let _ = Reflect::set(&scopes, &JsValue::from_str(&k.name), &scope_js(scope));
            let fields = p.hidden_known(&k.name);
            if !fields.is_empty() {
                let _ = Reflect::set(&hidden, &JsValue::from_str(&k.name), &strings(&fields));
            }
        }
        let permission_scopes = js_sys::Object::new();
        for (i, scope) in &c.permission_scopes {
            let name = p.catalog().perm_name(*i as usize);
            let _ = Reflect::set(
                &permission_scopes,
                &JsValue::from_str(name),
                &scope_js(scope),
            );
        }
        object(&[
            ("tenant", c.tenant.as_str().into()),
            ("subject", c.subject.as_str().into()),
            ("issuedAt", (c.issued_at as f64).into()),
            ("notBefore", (c.not_before as f64).into()),
            ("expiresAt", (c.expires_at as f64).into()),
            ("id", crate::error::hex(&c.id).into()),
            ("epoch", c.epoch.into()),
            ("version", (c.version as f64).into()),
            ("catalog", crate::error::hex(&c.catalog).into()),
            ("revision", c.revision.into()),
            ("roles", strings(&p.roles())),
            ("owner", p.is_owner().into()),
            ("principal", p.is_principal().into()),
            ("sharedAccount", p.is_shared_account().into()),
            ("allowed", strings(&p.allowed())),
            ("stepUp", strings(&p.step_up_actions())),
            ("scopes", scopes.into()),
            ("hiddenFields", hidden.into()),
            ("apps", strings(&p.apps())),
            ("features", strings(&p.features())),
            ("permissionScopes", permission_scopes.into()),
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
        Ok(filter_js(self.inner.filter(kind)?))
    }

    /// The records permission `name` acts on, in the same shape as `filter`
    /// (its kind, with the permission's own scope when it has one).
    #[wasm_bindgen(js_name = filterFor)]
    pub fn filter_for(&self, name: &str) -> Result<JsValue, JsValue> {
        Ok(filter_js(self.inner.filter_for(name)?))
    }

    /// The scope permission `name` acts with (`"none"` unless allowed).
    #[wasm_bindgen(js_name = permissionScope)]
    pub fn permission_scope(&self, name: &str) -> Result<JsValue, JsValue> {
        Ok(scope_js(self.inner.permission_scope(name)?))
    }

    /// Does the account have feature `id`?
    #[wasm_bindgen(js_name = hasFeature)]
    pub fn has_feature(&self, id: &str) -> Result<bool, JsValue> {
        Ok(self.inner.has_feature(id)?)
    }

    /// The account's features.
    pub fn features(&self) -> Vec<String> {
        self.inner
            .features()
            .into_iter()
            .map(str::to_owned)
            .collect()
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
        let failed = core::cell::Cell::new(None);
        let mut kept = Vec::new();
        for i in 0..records.length() {
            let value = records.get(i);
            if f.matches(&JsRecord {
                value: &value,
                failed: &failed,
            }) {
                kept.push(i);
            }
            if let Some(e) = failed.take() {
                return Err(super::convert::record_error(e));
            }
        }
        Ok(kept)
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

    /// Ids of the roles the person holds.
    #[wasm_bindgen(getter)]
    pub fn roles(&self) -> Vec<String> {
        self.inner.roles().into_iter().map(str::to_owned).collect()
    }

    /// Attaches the id list that travels beside the snapshot for a
    /// `listed` scope (base64url string or `Uint8Array`): returns new
    /// permissions whose scope on that kind is `{ specific: [...] }`.
    #[wasm_bindgen(js_name = withIds)]
    pub fn with_ids(&self, list: JsValue) -> Result<WasmPermissions, JsValue> {
        Ok(WasmPermissions {
            inner: self.inner.with_ids(&super::convert::bytes_arg(&list)?)?,
        })
    }

    /// The id lists named and not attached yet: `[{ kind, digest }]`.
    #[wasm_bindgen(js_name = missingIds)]
    pub fn missing_ids(&self) -> Array {
        self.inner
            .missing_ids()
            .into_iter()
            .map(|(kind, digest)| object(&[("kind", kind.into()), ("digest", digest.into())]))
            .collect()
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

    /// The person's revocation counter when the snapshot was issued.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> f64 {
        self.inner.version() as f64
    }

    /// Revocation epoch of the tenant at issue time.
    #[wasm_bindgen(getter)]
    pub fn epoch(&self) -> u32 {
        self.inner.claims().epoch
    }
}

fn filter_js(f: crate::decision::RecordFilter) -> JsValue {
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
    object(&[
        ("kind", f.kind.into()),
        ("scope", f.scope.into()),
        ("all", f.all.into()),
        ("clauses", clauses.into()),
    ])
}
