//! Conversions between JavaScript values and the core's types, each read
//! strictly: options objects with a key the reader does not know are
//! refused (`strict_object`), JWKS, catalogs and snapshots are checked by
//! the core. Errors become a JavaScript `Error` named `PermsnapError` with a
//! stable `code` (the npm wrapper re-throws it as its `PermsnapError`).

use crate::crypto::Jwk;
use crate::error::Error;
use crate::model::def::Scope;
use crate::verify::TenantCheck;
use crate::{Catalog, Jwks, Keyring, Options};
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

pub(super) fn arg_error(detail: impl std::fmt::Display) -> JsValue {
    Error::InvalidArgument {
        detail: detail.to_string(),
    }
    .into()
}

/// `invalid_argument` for a record whose getter or Proxy trap threw `e`,
/// kept as the error's `cause`.
pub(super) fn record_error(e: JsValue) -> JsValue {
    let err = arg_error(
        "a record could not be read: a getter, `toJSON` or Proxy trap of it threw (the `cause`)",
    );
    let _ = Reflect::set(&err, &"cause".into(), &e);
    err
}

pub(super) fn strings<S: AsRef<str>>(items: &[S]) -> JsValue {
    items
        .iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect::<Array>()
        .into()
}

pub(super) fn scope_js(scope: &Scope) -> JsValue {
    match scope {
        Scope::Specific(ids) => object(&[("specific", strings(ids))]),
        Scope::Listed(r) => object(&[(
            "listed",
            object(&[
                ("count", JsValue::from(r.count)),
                ("digest", crate::error::hex(&r.digest).into()),
            ]),
        )]),
        other => other.name().into(),
    }
}

pub(super) fn now_or(now: Option<f64>) -> u64 {
    let secs = now.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
    if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    }
}

/// A snapshot or notice argument: base64url text or bytes.
pub(super) fn bytes_arg(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(bytes.to_vec())
    } else {
        Err(arg_error("expected a base64url string or a Uint8Array"))
    }
}

/// A plain object from key/value pairs.
pub(super) fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let out = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&out, &JsValue::from_str(k), v);
    }
    out.into()
}

/// Checks that `value` is a plain object whose keys are all in `known`
/// (keys holding `undefined` count as absent): a misspelt option is an
/// error, never silently ignored.
pub(super) fn strict_object(value: &JsValue, known: &[&str], what: &str) -> Result<(), JsValue> {
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

/// `object[key]` when `object` holds `key` itself, else `undefined`: what
/// an `Object.prototype` polluted elsewhere in the page holds is never
/// read as an option, key or revocation (the npm wrapper also hands wasm
/// prototype-less copies, `plainData`).
pub(super) fn own(object: &JsValue, key: &str) -> JsValue {
    let key = JsValue::from_str(key);
    // Not `dyn_ref`: a prototype-less object is no `instanceof Object`.
    let held =
        object.is_object() && js_sys::Object::has_own::<JsValue>(object.unchecked_ref(), &key);
    if held {
        Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// `object[key]` when it is a string; `None` when absent or `undefined`.
pub(super) fn get_string(object: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let v = own(object, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| arg_error(format!("`{key}` must be a string")))
}

/// A JWKS object (`{ keys: [...] }`) or a single JWK, read field by field.
pub(super) fn keyring_from(jwks: JsValue) -> Result<Keyring, JsValue> {
    let invalid = |detail: &str| -> JsValue {
        Error::InvalidKey {
            detail: detail.into(),
        }
        .into()
    };
    if !jwks.is_object() {
        return Err(invalid("a JWKS is an object `{ keys: [...] }`"));
    }
    let keys = own(&jwks, "keys");
    let single = !own(&jwks, "kty").is_undefined();
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
            key_ops: key_ops(key)
                .map_err(|()| invalid("`key_ops` of a JWK must be an array of strings"))?,
            private: crate::crypto::PRIVATE_JWK_MEMBERS
                .iter()
                .filter(|m| !own(key, m).is_undefined())
                .map(|m| (*m).to_owned())
                .collect(),
        });
    }
    Ok(Keyring::from_jwks(&out)?)
}

/// A JWK's `key_ops`: `None` when absent (or `null`), else every entry,
/// each a string.
fn key_ops(key: &JsValue) -> Result<Option<Vec<String>>, ()> {
    let v = own(key, "key_ops");
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if !Array::is_array(&v) {
        return Err(());
    }
    Array::from(&v)
        .iter()
        .map(|o| o.as_string().ok_or(()))
        .collect::<Result<Vec<_>, ()>>()
        .map(Some)
}

/// A compiled catalog: bytes, base64url text, or the object `permsnap
/// catalog` prints (its `binary` member).
pub(super) fn catalog_from(catalog: &JsValue) -> Result<Catalog, JsValue> {
    Ok(Catalog::from_bytes(&catalog_bytes(catalog)?, "catalog")?)
}

/// A compiled catalog argument as bytes: `Uint8Array`, base64url text, or
/// the object `permsnap catalog` prints (its `binary`).
pub(super) fn catalog_bytes(catalog: &JsValue) -> Result<Vec<u8>, JsValue> {
    use crate::wire::{catalog_too_large, MAX_CATALOG_LEN};
    // Sizes are checked before anything is copied into wasm memory: its
    // allocator cannot return an error for gigabytes (it traps).
    if let Some(bytes) = catalog.dyn_ref::<Uint8Array>() {
        let len = bytes.length() as usize;
        if len > MAX_CATALOG_LEN {
            return Err(catalog_too_large("catalog", len).into());
        }
        return Ok(bytes.to_vec());
    }
    let text = if catalog.is_string() {
        catalog.clone()
    } else if catalog.is_object() {
        let binary = own(catalog, "binary");
        if binary.is_undefined() || binary.is_null() {
            return Err(arg_error(
                "the catalog object has no `binary` member: pass what `permsnap catalog` prints",
            ));
        }
        if !binary.is_string() {
            return Err(arg_error("`binary` must be a string"));
        }
        binary
    } else {
        return Err(arg_error(
            "a catalog is a compiled catalog: bytes, base64url text, or the object `permsnap catalog` prints",
        ));
    };
    // UTF-16 units: a base64url text of the largest catalog, with room
    // for surrounding whitespace (trimmed below).
    let units = text.unchecked_ref::<js_sys::JsString>().length() as usize;
    if units > 2 * crate::encoding::encoded_len(MAX_CATALOG_LEN) {
        return Err(catalog_too_large("catalog", crate::encoding::decoded_len(units)).into());
    }
    let text = text.as_string().unwrap_or_default();
    crate::encoding::decode(text.trim()).map_err(|e| {
        JsValue::from(crate::Error::InvalidPolicy {
            at: "catalog".into(),
            detail: format!("the compiled catalog is not base64url ({e})"),
        })
    })
}

/// Verifier options: `{ tenant | tenantPerRequest | anyTenant, leeway? }`,
/// exactly one tenant choice, nothing else. (Revocation feeds are the
/// edge's, on the small core: lean/src/feed.rs; format 1 snapshots the
/// Rust verifier's and the CLI's.)
pub(super) fn options_from(options: &JsValue) -> Result<Options, JsValue> {
    const KNOWN: &[&str] = &["tenant", "tenantPerRequest", "anyTenant", "leeway"];
    const CHOOSE: &str = "a Verifier names its account: { tenant: \"acme\" }, \
         { tenantPerRequest: true } (one edge, many accounts: the Gate's tenantOf names it), \
         or { anyTenant: true } (explicit opt-out)";
    if options.is_undefined() || options.is_null() {
        return Err(arg_error(CHOOSE));
    }
    strict_object(options, KNOWN, "Verifier options")?;
    let flag = |key: &str| -> Result<bool, JsValue> {
        let v = own(options, key);
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
    let leeway = own(options, "leeway");
    if !leeway.is_undefined() {
        out.leeway = leeway
            .as_f64()
            .filter(|l| l.is_finite() && *l >= 0.0 && *l <= crate::verify::MAX_LEEWAY as f64)
            .ok_or_else(|| arg_error("`leeway` is a number of seconds from 0 to 86400"))?
            as u64;
    }
    Ok(out)
}
