//! `permsnap revoke`: Sign a revocation notice for one account: nothing
//! issued before an epoch, individual snapshot ids, and per person nothing
//! issued before a version. Verifiers apply it with `applyNotice` or
//! through a feed (`permsnap feed`).

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
    /// `STAFF=VERSION`: revoke every snapshot of that person with a lower
    /// version (the counter the app incremented with the edit); repeatable.
    #[arg(long = "staff")]
    pub(crate) staff: Vec<String>,
    /// Issue time (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let k = load_private_key(&args.key)?;
    let notice = notice(
        args.tenant,
        args.now.unwrap_or_else(unix_now),
        args.before_epoch,
        &args.ids,
        &args.staff,
    )?;
    let text = base64url::encode(&permsnap::issuer::sign_notice(&k, &notice)?);
    if json {
        outln!("{}", notice_json(&text, &notice));
    } else {
        outln!("{text}");
    }
    Ok(0)
}

/// A notice from command-line or `serve` arguments.
pub(crate) fn notice(
    tenant: String,
    now: u64,
    before_epoch: u32,
    ids: &[String],
    staff: &[String],
) -> Result<wire::Notice, Error> {
    let staff = staff
        .iter()
        .map(|s| {
            let (subject, version) = s.rsplit_once('=').ok_or_else(|| Error::InvalidArgument {
                detail: format!("`{s}`: a person is revoked as STAFF=VERSION"),
            })?;
            let before = version.parse::<u64>().map_err(|_| Error::InvalidArgument {
                detail: format!("`{s}`: VERSION is a whole number"),
            })?;
            Ok(wire::StaffRevocation {
                subject: subject.to_owned(),
                before,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let notice = wire::Notice {
        tenant,
        issued_at: now,
        min_epoch: before_epoch,
        ids: ids
            .iter()
            .map(|i| wire::parse_snapshot_id(i))
            .collect::<Result<_, _>>()?,
        staff,
    };
    if notice.tenant.is_empty()
        || (notice.min_epoch == 0 && notice.ids.is_empty() && notice.staff.is_empty())
    {
        return Err(Error::InvalidArgument {
            detail: "a notice names an account and revokes something: --before-epoch N, --id HEX and/or --staff ID=VERSION".into(),
        });
    }
    Ok(notice)
}

pub(crate) fn notice_json(text: &str, notice: &wire::Notice) -> Value {
    json!({"ok": true, "notice": text, "tenant": notice.tenant,
           "min_epoch": notice.min_epoch,
           "ids": notice.ids.iter().map(|i| hex(i)).collect::<Vec<_>>(),
           "staff": notice.staff.iter().map(|s| json!({"subject": s.subject, "before": s.before})).collect::<Vec<_>>()})
}
