//! `permsnap issue`: Issue a signed snapshot for one staff member, named in
//! a policy file (`--staff`) or given as a database record (`--record`).

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file (JSON; `-`: standard input): the catalog, the account's
    /// roles, and (for --staff) its staff.
    #[arg(long)]
    pub(crate) policy: PathBuf,
    /// Staff id, looked up in the policy's staff list.
    #[arg(long, conflicts_with = "record", required_unless_present = "record")]
    pub(crate) staff: Option<String>,
    /// The staff record as JSON (a database row), or `-` to read it from
    /// standard input; issued with the policy's catalog and roles.
    #[arg(long)]
    pub(crate) record: Option<String>,
    /// A column of the record to drop (e.g. `email`); repeatable. Any other
    /// unknown column is an error.
    #[arg(long = "ignore-field")]
    pub(crate) ignore: Vec<String>,
    /// Private key file written by `keygen`.
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = permsnap::issuer::DEFAULT_LIFETIME)]
    pub(crate) lifetime: u32,
    /// The account's revocation epoch.
    #[arg(long, default_value_t = 0)]
    pub(crate) epoch: u32,
    /// Issue time (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// Write the binary form to this file instead of printing the text form.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Write id lists that travel beside the snapshot (long `specific`
    /// scopes) to DIR/<digest>.ids (base64url).
    #[arg(long)]
    pub(crate) ids_dir: Option<PathBuf>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    if args.policy == Path::new("-") && args.record.as_deref() == Some("-") {
        return Err(Error::InvalidArgument {
            detail: "only one of --policy and --record can be read from standard input".into(),
        }
        .into());
    }
    let p = load_policy(&args.policy)?;
    let k = load_private_key(&args.key)?;
    let mut opts = IssueOptions::at(args.now.unwrap_or_else(unix_now));
    opts.lifetime = args.lifetime;
    let account = p.account().clone().with_epoch(args.epoch);
    let issuer = Issuer::new(p.catalog().clone(), k)?;
    let snap = match (&args.staff, &args.record) {
        (Some(id), None) => {
            if !args.ignore.is_empty() {
                return Err(Error::InvalidArgument {
                    detail: "--ignore-field applies to --record".into(),
                }
                .into());
            }
            issuer.issue(&account, p.record(id)?, &opts)?
        }
        (None, Some(record)) => {
            let text = if record == "-" {
                read_text(Path::new("-"))?
            } else {
                record.clone()
            };
            let reader = match issuer.catalog().def() {
                Some(def) => RecordReader::for_catalog(&args.ignore, def)?,
                None => RecordReader::new(&args.ignore)?,
            };
            let staff = reader.read(&text)?;
            issuer.issue(&account, &staff, &opts)?
        }
        _ => {
            return Err(Error::InvalidArgument {
                detail: "name the person: --staff ID (from the policy) or --record JSON".into(),
            }
            .into())
        }
    };
    if let Some(path) = &args.out {
        std::fs::write(path, &snap.bytes).map_err(|e| io_err(path, e))?;
    }
    if let Some(dir) = &args.ids_dir {
        for list in &snap.id_lists {
            let path = dir.join(format!("{}.ids", list.digest_hex()));
            std::fs::write(&path, list.text()).map_err(|e| io_err(&path, e))?;
        }
    } else if !snap.id_lists.is_empty() && !json {
        return Err(Error::InvalidArgument {
            detail: "this snapshot lists record ids beside it (a long `specific` scope): pass --ids-dir DIR or --json to get the lists".into(),
        }
        .into());
    }
    if json {
        outln!("{}", issued_json(&snap, p.catalog()));
    } else {
        for w in &snap.warnings {
            eprintln!("warning[{}]: {w}", w.code);
        }
        outln!("{}", snap.text());
    }
    Ok(0)
}

/// What `issue --json` and `serve` answer for a snapshot.
pub(crate) fn issued_json(snap: &permsnap::Snapshot, catalog: &Catalog) -> Value {
    json!({"ok": true, "snapshot": snap.text(), "bytes": snap.bytes.len(),
           "id_lists": snap.id_lists.iter().map(id_list_json).collect::<Vec<_>>(),
           "warnings": snap.warnings.iter().map(|w| json!({"code": w.code, "field": w.field, "message": w.to_string()})).collect::<Vec<_>>(),
           "claims": claims_json(&snap.claims, Some(catalog))})
}

fn id_list_json(l: &IdListDoc) -> Value {
    json!({"kind": l.kind, "digest": l.digest_hex(), "count": l.reference.count, "list": l.text()})
}
