//! `permsnap verify`: Verify a snapshot; exits 1 with the error code when it is refused.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Snapshot: the text itself, or `-` for standard input (binary or text).
    pub(crate) snapshot: String,
    #[command(flatten)]
    pub(crate) v: VerifyArgs,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args { snapshot, v } = args;

    let verifier = verifier(&v)?;
    let bytes = read_snapshot(&snapshot)?;
    let now = v.now.unwrap_or_else(unix_now);
    let perms = verifier
        .verify_binary(&bytes, now)
        .map_err(|error| Fail { code: 1, error })?;
    // What the snapshot allows once verified: effective permissions
    // (requirements, applications and scopes applied), names resolved.
    let view = serde_json::to_value(perms.summary()).unwrap_or_default();
    if json {
        outln!(
            "{}",
            json!({"ok": true, "allowed": perms.allowed(), "claims": view})
        );
    } else {
        outln!("VERIFIED for `{}` of `{}`", perms.subject(), perms.tenant());
        print_view(&view);
    }
    Ok(0)
}
