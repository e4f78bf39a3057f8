//! `permsnap catalog`: Print the public catalog (no roles, no staff): its
//! fingerprint and revision, every revision's fingerprint, the compiled
//! catalog (`binary`, base64url) that browsers and edges load, and the
//! definition as JSON.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file.
    pub(crate) policy: PathBuf,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args { policy } = args;

    let cat = load_catalog(&policy)?;
    let doc = json!({
        "fingerprint": cat.fingerprint_hex(),
        "revision": cat.revision(),
        "revisions": cat.revisions().iter().map(|r| json!({"number": r.number, "fingerprint": hex(&r.fingerprint)})).collect::<Vec<_>>(),
        "binary": base64url::encode(&cat.to_bytes()?),
        "catalog": cat.def(),
    });
    if json {
        outln!("{doc}");
    } else {
        outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
    Ok(0)
}
