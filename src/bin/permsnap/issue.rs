//! `permsnap issue`: Issue a signed snapshot for one staff member.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file (JSON).
    #[arg(long)]
    pub(crate) policy: PathBuf,
    /// Staff id.
    #[arg(long)]
    pub(crate) staff: String,
    /// Private key file written by `keygen`.
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = permsnap::issuer::DEFAULT_LIFETIME)]
    pub(crate) lifetime: u32,
    /// The tenant's revocation epoch.
    #[arg(long, default_value_t = 0)]
    pub(crate) epoch: u32,
    /// Issue time (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// Write the binary form to this file instead of printing the text form.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args {
        policy,
        staff,
        key,
        lifetime,
        epoch,
        now,
        out,
    } = args;

    let p = load_policy(&policy)?;
    let k = load_private_key(&key)?;
    let mut opts = IssueOptions::at(now.unwrap_or_else(unix_now));
    opts.lifetime = lifetime;
    opts.epoch = epoch;
    let snap = p.issue(&staff, &k, &opts)?;
    if let Some(path) = out {
        std::fs::write(&path, &snap.bytes).map_err(|e| io_err(&path, e))?;
    }
    if json {
        println!(
            "{}",
            json!({"ok": true, "snapshot": snap.text(), "bytes": snap.bytes.len(),
                   "claims": claims_json(&snap.claims, Some(p.catalog()))})
        );
    } else {
        println!("{}", snap.text());
    }
    Ok(0)
}
