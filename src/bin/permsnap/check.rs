//! `permsnap check`: Verify a snapshot and check one permission: exit 0
//! allowed, 1 denied, 2 refused or error, 3 allowed only with a PIN
//! step-up proof (a shared account: the gate answers `step_up_required`
//! without one; 0 would let a script skip the PIN, attack review,
//! session 14).

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Snapshot: the text itself, or `-` for standard input (binary or text).
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
        outln!(
            "{verdict}: {}{step} — {}",
            e.permission,
            printable(&e.message)
        );
    }
    Ok(match (e.allowed, e.step_up) {
        (true, false) => 0,
        (true, true) => 3,
        (false, _) => 1,
    })
}
