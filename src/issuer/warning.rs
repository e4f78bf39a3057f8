//! Warnings: what a person's record asks that has no effect. Issuing still
//! succeeds (nothing is granted by a warning), but an adjustment the model
//! ignores is never ignored silently: `validate`, `issue --json`, `serve`
//! and [`crate::issuer::Snapshot::warnings`] name the person, the field
//! and why.

use core::fmt;

/// An adjustment of a staff record that has no effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Stable code (one of [`Warning::CODES`]).
    pub code: &'static str,
    /// The staff member.
    pub staff: String,
    /// The record field concerned (`grant`, `remove`, `step_up`…).
    pub field: &'static str,
    /// What has no effect, and why.
    pub detail: String,
}

impl Warning {
    /// Every warning code.
    pub const CODES: &'static [&'static str] = &[
        "ignored_for_owner",
        "remove_not_held",
        "grant_and_remove",
        "step_up_not_held",
        "grant_without_app",
        "grant_without_scope",
        "hidden_without_scope",
        "requirement_not_held",
        "scope_not_held",
        "feature_not_enabled",
    ];
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "staff `{}`: `{}` {}",
            self.staff, self.field, self.detail
        )
    }
}
