//! `permsnap check`: Verify a snapshot and check one permission: exit 0 allowed, 1 denied, 2 refused or error.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Snapshot: a file, `-`, or the text itself.
    pub(crate) snapshot: String,
    /// Permission name, e.g. `payments.view`.
    pub(crate) permission: String,
    #[command(flatten)]
    pub(crate) v: VerifyArgs,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args {
        snapshot,
        permission,
        v,
    } = args;

    let verifier = verifier(&v)?;
    let bytes = read_snapshot(&snapshot)?;
    let perms = verifier.verify_binary(&bytes, v.now.unwrap_or_else(unix_now))?;
    let e = perms.explain(&permission)?;
    if json {
        outln!("{}", serde_json::to_string(&e).unwrap_or_default());
    } else {
        let verdict = if e.allowed { "allowed" } else { "denied" };
        let step = if e.step_up {
            " (needs PIN step-up)"
        } else {
            ""
        };
        outln!("{verdict}: {}{step} — {}", e.permission, e.message);
    }
    Ok(if e.allowed { 0 } else { 1 })
}
