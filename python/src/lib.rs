//! The `permsnap._permsnap` extension module: the core's JSON issuer
//! ([`permsnap::issuer::JsonIssuer`], the one the npm `permsnap/issuer`
//! entry wraps too) behind a Python class. The `permsnap` package
//! (`permsnap/__init__.py`) turns Python values into the JSON text it
//! reads and its answers back into dicts. Errors are `PermsnapError` with
//! the core's stable `code`.

use permsnap::issuer::JsonIssuer;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::sync::Mutex;

create_exception!(
    _permsnap,
    PermsnapError,
    PyException,
    "Every error permsnap raises; `code` is stable, the message is for people."
);

fn error(e: permsnap::Error) -> PyErr {
    let err = PermsnapError::new_err(e.to_string());
    Python::attach(|py| {
        let _ = err.value(py).setattr("code", e.code());
    });
    err
}

/// One issuer (catalog + key), its accounts loaded with `set_account`.
/// Safe to share between threads (one lock around the issuer).
#[pyclass(frozen, module = "permsnap._permsnap")]
struct Issuer {
    inner: Mutex<JsonIssuer>,
}

impl Issuer {
    fn with<T>(&self, f: impl FnOnce(&mut JsonIssuer) -> permsnap::Result<T>) -> PyResult<T> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| PermsnapError::new_err("the issuer is unusable after a panic"))?;
        f(&mut inner).map_err(error)
    }
}

#[pymethods]
impl Issuer {
    #[new]
    fn new(catalog: &str, key: &str, ignore: &str) -> PyResult<Self> {
        Ok(Issuer {
            inner: Mutex::new(JsonIssuer::new(catalog, key, ignore).map_err(error)?),
        })
    }

    fn set_account(
        &self,
        tenant: &str,
        roles: &str,
        features: &str,
        epoch: u32,
    ) -> PyResult<String> {
        self.with(|i| i.set_account(tenant, roles, features, epoch))
    }

    /// See `JsonIssuer::unload`.
    fn unload_account(&self, tenant: &str) -> PyResult<()> {
        self.with(|i| {
            i.unload(tenant);
            Ok(())
        })
    }

    /// See `JsonIssuer::unload_all`.
    fn unload_all_accounts(&self) -> PyResult<()> {
        self.with(|i| {
            i.unload_all();
            Ok(())
        })
    }

    fn issue(&self, tenant: &str, record: &str, args: &str) -> PyResult<String> {
        self.with(|i| i.issue(tenant, record, args))
    }

    fn review(&self, tenant: &str, staff: &str) -> PyResult<String> {
        self.with(|i| i.review(tenant, staff))
    }

    fn revoke(&self, args: &str) -> PyResult<String> {
        self.with(|i| i.revoke(args))
    }

    #[pyo3(signature = (tenant, now, notices))]
    fn feed_head(
        &self,
        tenant: Option<String>,
        now: f64,
        notices: Vec<String>,
    ) -> PyResult<String> {
        self.with(|i| i.feed_head(tenant, now, notices))
    }

    fn step_up(&self, snapshot: &str, args: &str) -> PyResult<String> {
        self.with(|i| i.step_up(snapshot.as_bytes(), args))
    }

    fn public_jwks(&self) -> PyResult<String> {
        self.with(|i| Ok(i.public_jwks()))
    }
}

#[pyfunction]
#[pyo3(signature = (kid=None))]
fn generate_key(kid: Option<&str>) -> PyResult<String> {
    permsnap::issuer::generate_key_json(kid).map_err(error)
}

#[pymodule]
fn _permsnap(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Issuer>()?;
    m.add_function(wrap_pyfunction!(generate_key, m)?)?;
    m.add("PermsnapError", m.py().get_type::<PermsnapError>())?;
    Ok(())
}
