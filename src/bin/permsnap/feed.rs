//! `permsnap feed`: Sign a feed head for a list of revocation notices and
//! print the feed document edges load: `{ "head": .., "notices": [..] }`.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Private key file written by `keygen`.
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// The account whose notices these are.
    #[arg(long)]
    pub(crate) tenant: Option<String>,
    /// A feed of every account (instead of `--tenant`).
    #[arg(long)]
    pub(crate) all_accounts: bool,
    /// Head time (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// The notices (base64url, as `revoke` prints them), in feed order; `-`
    /// reads them from standard input, one per line.
    pub(crate) notices: Vec<String>,
}

pub(crate) fn run(args: Args, _json: bool) -> Result<u8, Fail> {
    let k = load_private_key(&args.key)?;
    let notices: Vec<String> = if args.notices.iter().any(|n| n == "-") {
        if args.notices.len() != 1 {
            return Err(Error::InvalidArgument {
                detail: "`-` (notices from standard input) comes alone".into(),
            }
            .into());
        }
        read_text(Path::new("-"))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    } else {
        args.notices
    };
    let doc = feed_doc(
        &k,
        feed_account(args.tenant.as_deref(), args.all_accounts)?,
        args.now.unwrap_or_else(unix_now),
        &notices,
    )?;
    outln!("{doc}");
    Ok(0)
}

/// The account a feed is of: `tenant`, or every account when that is said
/// outright (`all_accounts`). Neither, or both, is refused: a tenant left
/// out (an empty or NULL column an encoder dropped) is not every account.
pub(crate) fn feed_account(
    tenant: Option<&str>,
    all_accounts: bool,
) -> Result<Option<&str>, Error> {
    match (tenant, all_accounts) {
        (Some(t), false) => Ok(Some(t)),
        (None, true) => Ok(None),
        (Some(_), true) => Err(Error::InvalidArgument {
            detail: "a feed is of one account (`tenant`) or of every account (`all_accounts`), not both".into(),
        }),
        (None, false) => Err(Error::InvalidArgument {
            detail: "no account: name the feed's `tenant`, or say `all_accounts` for a feed of every account (a tenant left out is not every account)".into(),
        }),
    }
}

/// The feed document for `notices` (base64url texts): each is checked to
/// be a notice signed by `key` before the head vouches for it.
pub(crate) fn feed_doc(
    key: &IssuerKey,
    tenant: Option<&str>,
    now: u64,
    notices: &[String],
) -> Result<Value, Error> {
    let mut keyring = Keyring::new();
    keyring.insert(key.kid(), &key.public_key())?;
    let mut check = Verifier::new(
        Catalog::compile(
            serde_json::from_value(json!({"name": "-", "permissions": []})).map_err(|e| {
                Error::InvalidArgument {
                    detail: e.to_string(),
                }
            })?,
            "-",
        )?,
        keyring,
        match tenant {
            Some(t) => Options::for_tenant(t),
            None => Options::any_tenant(),
        },
    );
    let mut binary = Vec::with_capacity(notices.len());
    for (i, n) in notices.iter().enumerate() {
        let bytes =
            wire::to_binary_framed(n.as_bytes(), &wire::NOTICE_MAGIC, wire::MAX_NOTICE_LEN)?;
        check
            .apply_notice(&bytes)
            .map_err(|e| Error::InvalidArgument {
                detail: format!("notice {i} cannot go into this feed: {e}"),
            })?;
        binary.push(bytes);
    }
    let head = permsnap::issuer::sign_feed_head(key, tenant, now, &binary)?;
    Ok(json!({"head": base64url::encode(&head), "notices": notices}))
}
