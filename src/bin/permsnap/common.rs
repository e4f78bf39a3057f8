//! What the subcommands share: reading files, keys, snapshots and
//! catalogs, building a verifier, writing files safely, and the printed
//! claims view.

pub(crate) use permsnap::crypto::signing::IssuerKey;
pub(crate) use permsnap::crypto::Jwks;
pub(crate) use permsnap::encoding as base64url;
pub(crate) use permsnap::error::{hex, Error};
pub(crate) use permsnap::issuer::{unix_now, IssueOptions, Policy};
pub(crate) use permsnap::issuer::{Account, IdListDoc, Issuer, RecordReader};
pub(crate) use permsnap::wire::{self, Claims};
pub(crate) use permsnap::{Catalog, Keyring, Options, Verifier};
pub(crate) use serde_json::{json, Value};
pub(crate) use std::io::{Read, Write};
pub(crate) use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    /// Public keys (JWKS file).
    #[arg(long)]
    pub(crate) jwks: PathBuf,
    /// Policy or catalog file.
    #[arg(long)]
    pub(crate) catalog: PathBuf,
    /// Accept only snapshots of this account (tenant). One of --tenant or
    /// --any-tenant is required.
    #[arg(long, conflicts_with = "any_tenant")]
    pub(crate) tenant: Option<String>,
    /// Accept snapshots of any account the keys signed for (explicit opt-out).
    #[arg(long)]
    pub(crate) any_tenant: bool,
    /// Verifier clock (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// Clock leeway in seconds.
    #[arg(long, default_value_t = permsnap::verify::DEFAULT_LEEWAY)]
    pub(crate) leeway: u64,
    /// Also read format 1 snapshots signed against this format 1 compiled
    /// catalog (what `permsnap catalog` printed before format 2).
    #[arg(long)]
    pub(crate) format1_catalog: Option<PathBuf>,
    /// Apply this revocation notice (base64url, as `revoke` prints it)
    /// first; repeatable.
    #[arg(long = "notice")]
    pub(crate) notices: Vec<String>,
    /// Apply this signed revocation feed first (`{"head", "notices"}`, as
    /// `feed` prints it); a feed that does not verify is an error.
    #[arg(long)]
    pub(crate) feed: Option<PathBuf>,
    /// Refuse (`stale_feed`) unless the --feed head is at most this many
    /// seconds old.
    #[arg(long, requires = "feed")]
    pub(crate) max_feed_age: Option<u64>,
}

/// A failure with its exit code.
pub(crate) struct Fail {
    pub(crate) code: u8,
    pub(crate) error: Error,
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Fail { code: 2, error }
    }
}

pub(crate) fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::InvalidArgument {
        detail: format!("`{}`: {e}", path.display()),
    }
}

/// Reads a file, or standard input when the path is `-`.
pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| io_err(path, e))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| io_err(path, e))
}

/// A policy file, a catalog definition, or what `permsnap catalog` printed
/// (its compiled `binary` is then used, as browsers and edges do).
pub(crate) fn load_catalog(path: &Path) -> Result<Catalog, Error> {
    catalog_from_text(&read_text(path)?, path)
}

/// [`load_catalog`] of text already read from `path` (standard input is
/// read once).
pub(crate) fn catalog_from_text(text: &str, path: &Path) -> Result<Catalog, Error> {
    let origin = path.display().to_string();
    if let Ok(Value::Object(doc)) = permsnap::strict_json::parse(text) {
        if let Some(Value::String(binary)) = doc.get("binary") {
            // What `permsnap catalog` prints, and nothing else: a key of
            // a definition beside `binary` was ignored without a word
            // (attack review, session 24).
            const PRINTED: [&str; 5] =
                ["binary", "catalog", "fingerprint", "revision", "revisions"];
            if let Some(k) = doc.keys().find(|k| !PRINTED.contains(&k.as_str())) {
                return Err(Error::InvalidPolicy {
                    at: origin,
                    detail: format!(
                        "unknown key `{k}` beside `binary`: a compiled catalog is what `permsnap catalog` prints ({})",
                        PRINTED.join(", ")
                    ),
                });
            }
            return Catalog::from_text(binary, &origin);
        }
    }
    Catalog::from_json(text, &origin)
}

/// A policy file (`-`: standard input).
pub(crate) fn load_policy(path: &Path) -> Result<Policy, Error> {
    policy_from_text(&read_text(path)?, path)
}

/// [`load_policy`] of text already read from `path`.
pub(crate) fn policy_from_text(text: &str, path: &Path) -> Result<Policy, Error> {
    let origin = if path == Path::new("-") {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    };
    Policy::from_json(text, &origin)
}

/// A snapshot argument: the text itself, or `-` for standard input (binary
/// or text).
pub(crate) fn read_snapshot(arg: &str) -> Result<Vec<u8>, Error> {
    let raw = if arg == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| io_err(Path::new("-"), e))?;
        buf
    } else {
        // Never a file: the value a script passes is the cookie a request
        // carried, and a value naming a file on the server (`/srv/cache/ana`,
        // then `@/srv/cache/ana`) was read from it, another person's
        // snapshot, or a probe of any file (attack reviews, session 24). A
        // snapshot in a file comes on standard input: `- < file`.
        arg.as_bytes().to_vec()
    };
    if raw.starts_with(&wire::MAGIC) {
        Ok(raw)
    } else {
        let text = String::from_utf8(raw).map_err(|_| Error::BadEncoding {
            detail: "neither a binary snapshot nor text".into(),
        })?;
        wire::text_to_binary(&text)
    }
}

pub(crate) fn verifier(v: &VerifyArgs) -> Result<Verifier, Error> {
    let catalog = load_catalog(&v.catalog)?;
    let keyring = Keyring::from_jwks_json(&read_text(&v.jwks)?)?;
    let mut options = match (&v.tenant, v.any_tenant) {
        (Some(t), false) => Options::for_tenant(t),
        (None, true) => Options::any_tenant(),
        _ => {
            return Err(Error::InvalidArgument {
                detail: "name the account: --tenant <id>, or --any-tenant to accept every account"
                    .into(),
            })
        }
    };
    if v.leeway > permsnap::verify::MAX_LEEWAY {
        return Err(Error::InvalidArgument {
            detail: format!(
                "--leeway is at most {} seconds",
                permsnap::verify::MAX_LEEWAY
            ),
        });
    }
    options.leeway = v.leeway;
    options.max_feed_age = v.max_feed_age;
    for k in keyring.ignored() {
        eprintln!(
            "note: key `{}` ignored: {}",
            printable(&k.kid),
            printable(&k.reason)
        );
    }
    let mut verifier = Verifier::new(catalog, keyring, options);
    if let Some(path) = &v.format1_catalog {
        let text = read_text(path)?;
        let binary = match permsnap::strict_json::parse(&text) {
            Ok(Value::Object(doc)) => doc
                .get("binary")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_default(),
            _ => text,
        };
        verifier.accept_format1(binary.as_bytes())?;
    }
    for n in &v.notices {
        verifier.apply_notice_at(n.as_bytes(), v.now.unwrap_or_else(unix_now))?;
    }
    if let Some(path) = &v.feed {
        let doc: Value = permsnap::strict_json::parse(&read_text(path)?)
            .map_err(|e| io_err(path, std::io::Error::other(e)))?;
        let bad = || Error::InvalidArgument {
            detail: format!(
                "`{}` is a feed: {{\"head\": \"...\", \"notices\": [\"...\"]}}",
                path.display()
            ),
        };
        let obj = doc
            .as_object()
            .filter(|o| o.keys().all(|k| k == "head" || k == "notices"))
            .ok_or_else(bad)?;
        let head = obj.get("head").and_then(Value::as_str).ok_or_else(bad)?;
        let notices = obj
            .get("notices")
            .and_then(Value::as_array)
            .ok_or_else(bad)?
            .iter()
            .map(|n| n.as_str().map(str::as_bytes).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()?;
        let report =
            verifier.apply_feed(head.as_bytes(), &notices, v.now.unwrap_or_else(unix_now))?;
        if let Some((i, e)) = report.failed.first() {
            return Err(Error::StaleFeed {
                detail: format!("notice {i} of the feed could not be applied: {e}"),
            });
        }
    }
    Ok(verifier)
}

pub(crate) use crate::keys::*;
pub(crate) use crate::view::*;

/// Writes `args` (and a newline) to stdout. When the reader went away
/// (`| head`), the process ends quietly with status 141, what a shell
/// reports for a tool ended by SIGPIPE: never 0, which from `check`,
/// `gate` or `verify` would read as "allowed" whatever the answer was.
/// Another write error ends it with a message and status 1.
pub(crate) fn write_out(args: std::fmt::Arguments, newline: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("permsnap: cannot write the output: {e}");
        std::process::exit(1);
    }
}
