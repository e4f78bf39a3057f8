//! `permsnap revoke`: Sign a revocation notice for one account: nothing issued before an
//! epoch, and/or individual snapshot ids. Verifiers apply it with
//! `applyNotice` (edges fetch it from a URL).

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Private key file written by `keygen`.
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// Account id.
    #[arg(long)]
    pub(crate) tenant: String,
    /// Revoke every snapshot of the account with a lower epoch.
    #[arg(long, default_value_t = 0)]
    pub(crate) before_epoch: u32,
    /// Revoke this snapshot id (16 hex digits, as `inspect` shows it); repeatable.
    #[arg(long = "id")]
    pub(crate) ids: Vec<String>,
    /// Issue time (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args {
        key,
        tenant,
        before_epoch,
        ids,
        now,
    } = args;

    let k = load_private_key(&key)?;
    let notice = wire::Notice {
        tenant,
        issued_at: now.unwrap_or_else(unix_now),
        min_epoch: before_epoch,
        ids: ids
            .iter()
            .map(|i| wire::parse_snapshot_id(i))
            .collect::<Result<_, _>>()?,
    };
    if notice.tenant.is_empty() || (notice.min_epoch == 0 && notice.ids.is_empty()) {
        return Err(Error::InvalidArgument {
            detail:
                "a notice names an account and revokes something: --before-epoch N and/or --id HEX"
                    .into(),
        }
        .into());
    }
    let text = base64url::encode(&permsnap::issuer::sign_notice(&k, &notice)?);
    if json {
        println!(
            "{}",
            json!({"ok": true, "notice": text, "tenant": notice.tenant,
                   "min_epoch": notice.min_epoch,
                   "ids": notice.ids.iter().map(|i| hex(i)).collect::<Vec<_>>()})
        );
    } else {
        println!("{text}");
    }
    Ok(0)
}
