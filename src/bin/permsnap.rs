//! `permsnap`: generate keys, issue, inspect, verify and check snapshots,
//! export the public catalog and TypeScript constants.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use clap::{Parser, Subcommand};
use permsnap::crypto::signing::IssuerKey;
use permsnap::crypto::Jwks;
use permsnap::encoding as base64url;
use permsnap::error::{hex, Error};
use permsnap::issuer::{unix_now, IssueOptions, Policy};
use permsnap::wire::{self, Claims};
use permsnap::{Catalog, Keyring, Options, Verifier};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "permsnap",
    version,
    about = "Signed permission snapshots: issue, inspect, verify, check"
)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an Ed25519 issuer key: DIR/issuer.key (private JWK, mode 0600) and DIR/jwks.json (public).
    Keygen {
        /// Directory to write into.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Key id (default: derived from the public key).
        #[arg(long)]
        kid: Option<String>,
        /// Also keep the keys already in DIR/jwks.json (key rotation).
        #[arg(long)]
        append: bool,
        /// Overwrite an existing issuer.key.
        #[arg(long)]
        force: bool,
    },
    /// Validate a policy file and report every staff member who could not get a snapshot.
    Validate {
        /// Policy file (JSON).
        policy: PathBuf,
        /// Also check a route table against the policy's catalog (errors and warnings).
        #[arg(long)]
        routes: Vec<PathBuf>,
    },
    /// Issue a signed snapshot for one staff member.
    Issue {
        /// Policy file (JSON).
        #[arg(long)]
        policy: PathBuf,
        /// Staff id.
        #[arg(long)]
        staff: String,
        /// Private key file written by `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = permsnap::issuer::DEFAULT_LIFETIME)]
        lifetime: u32,
        /// The tenant's revocation epoch.
        #[arg(long, default_value_t = 0)]
        epoch: u32,
        /// Issue time (seconds since the Unix epoch; default: now).
        #[arg(long)]
        now: Option<u64>,
        /// Write the binary form to this file instead of printing the text form.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Decode a snapshot WITHOUT verifying it, for debugging.
    Inspect {
        /// Snapshot: a file (binary or text), `-` for standard input, or the text itself.
        snapshot: String,
        /// Policy or catalog file, to print names instead of indexes.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
    /// Verify a snapshot; exits 1 with the error code when it is refused.
    Verify {
        /// Snapshot: a file, `-`, or the text itself.
        snapshot: String,
        #[command(flatten)]
        v: VerifyArgs,
    },
    /// Verify a snapshot and check one permission: exit 0 allowed, 1 denied, 2 refused or error.
    Check {
        /// Snapshot: a file, `-`, or the text itself.
        snapshot: String,
        /// Permission name, e.g. `payments.view`.
        permission: String,
        #[command(flatten)]
        v: VerifyArgs,
    },
    /// Ask the edge route guard about one request, as an edge function would:
    /// exit 0 when allowed, 1 when answered 401/403/404/405.
    Gate {
        /// Route table (`routes/<preset>.json`).
        #[arg(long)]
        routes: PathBuf,
        /// HTTP method, e.g. `GET`.
        method: String,
        /// Request target as sent, e.g. `/api/payments?x=1`.
        path: String,
        /// Snapshot sent as `Authorization: Permsnap <snapshot>` (a file, `-`, or the text).
        #[arg(long)]
        snapshot: Option<String>,
        /// `Cookie` header to send instead.
        #[arg(long)]
        cookie: Option<String>,
        /// `X-HTTP-Method-Override` header to send.
        #[arg(long)]
        method_override: Option<String>,
        #[command(flatten)]
        v: VerifyArgs,
    },
    /// Print the public catalog (no staff): its fingerprint, the compiled
    /// catalog (`binary`, base64url) that browsers and edges load, and the
    /// definition as JSON.
    Catalog {
        /// Policy file.
        policy: PathBuf,
    },
    /// Print TypeScript constants and types for the catalog's names, and
    /// the `Register` augmentation that makes `can`, `useCan` and `<Can>`
    /// accept only those names (a typo fails to type-check).
    Codegen {
        /// Policy or catalog file.
        policy: PathBuf,
        /// Module specifier to augment (default `permsnap`).
        #[arg(long, default_value = "permsnap")]
        module: String,
    },
    /// Sign a revocation notice for one account: nothing issued before an
    /// epoch, and/or individual snapshot ids. Verifiers apply it with
    /// `applyNotice` (edges fetch it from a URL).
    Revoke {
        /// Private key file written by `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// Account id.
        #[arg(long)]
        tenant: String,
        /// Revoke every snapshot of the account with a lower epoch.
        #[arg(long, default_value_t = 0)]
        before_epoch: u32,
        /// Revoke this snapshot id (16 hex digits, as `inspect` shows it); repeatable.
        #[arg(long = "id")]
        ids: Vec<String>,
        /// Issue time (seconds since the Unix epoch; default: now).
        #[arg(long)]
        now: Option<u64>,
    },
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Public keys (JWKS file).
    #[arg(long)]
    jwks: PathBuf,
    /// Policy or catalog file.
    #[arg(long)]
    catalog: PathBuf,
    /// Accept only snapshots of this account (tenant). One of --tenant or
    /// --any-tenant is required.
    #[arg(long, conflicts_with = "any_tenant")]
    tenant: Option<String>,
    /// Accept snapshots of any account the keys signed for (explicit opt-out).
    #[arg(long)]
    any_tenant: bool,
    /// Verifier clock (seconds since the Unix epoch; default: now).
    #[arg(long)]
    now: Option<u64>,
    /// Clock leeway in seconds.
    #[arg(long, default_value_t = permsnap::verify::DEFAULT_LEEWAY)]
    leeway: u64,
}

/// A failure with its exit code.
struct Fail {
    code: u8,
    error: Error,
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Fail { code: 2, error }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fail { code, error }) => {
            if json {
                println!(
                    "{}",
                    json!({"ok": false, "error": {"code": error.code(), "message": error.to_string()}})
                );
            } else {
                eprintln!("error[{}]: {error}", error.code());
            }
            ExitCode::from(code)
        }
    }
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::InvalidArgument {
        detail: format!("`{}`: {e}", path.display()),
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| io_err(path, e))
}

/// A policy file, a catalog definition, or what `permsnap catalog` printed
/// (its compiled `binary` is then used, as browsers and edges do).
fn load_catalog(path: &Path) -> Result<Catalog, Error> {
    let text = read_text(path)?;
    let origin = path.display().to_string();
    if let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(&text) {
        if let Some(Value::String(binary)) = doc.get("binary") {
            return Catalog::from_text(binary, &origin);
        }
    }
    Catalog::from_json(&text, &origin)
}

fn load_policy(path: &Path) -> Result<Policy, Error> {
    Policy::from_json(&read_text(path)?, &path.display().to_string())
}

fn read_snapshot(arg: &str) -> Result<Vec<u8>, Error> {
    let raw = if arg == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| io_err(Path::new("-"), e))?;
        buf
    } else if Path::new(arg).is_file() {
        std::fs::read(arg).map_err(|e| io_err(Path::new(arg), e))?
    } else {
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

fn verifier(v: &VerifyArgs) -> Result<Verifier, Error> {
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
    for k in keyring.ignored() {
        eprintln!("note: key `{}` ignored: {}", k.kid, k.reason);
    }
    Ok(Verifier::new(catalog, keyring, options))
}

fn run(cli: Cli) -> Result<u8, Fail> {
    let json = cli.json;
    match cli.command {
        Command::Keygen {
            out,
            kid,
            append,
            force,
        } => {
            let key = IssuerKey::generate(kid.as_deref())?;
            let existed = out.exists();
            std::fs::create_dir_all(&out).map_err(|e| io_err(&out, e))?;
            #[cfg(unix)]
            if !existed {
                // Whatever the umask: only the owner may replace the key.
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700))
                    .map_err(|e| io_err(&out, e))?;
            }
            check_key_dir(&out)?;
            let key_path = out.join("issuer.key");
            // symlink_metadata: a dangling or planted symlink counts as present.
            if std::fs::symlink_metadata(&key_path).is_ok() && !force {
                return Err(Error::InvalidArgument {
                    detail: format!("`{}` exists; pass --force to overwrite", key_path.display()),
                }
                .into());
            }
            let private = json!({
                "kty": "OKP", "crv": "Ed25519", "kid": key.kid(),
                "x": base64url::encode(&key.public_key()),
                "d": base64url::encode(&key.seed()),
            });
            write_new(
                &key_path,
                &serde_json::to_string_pretty(&private).unwrap_or_default(),
                0o600,
            )?;
            let jwks_path = out.join("jwks.json");
            let mut jwks = Jwks { keys: Vec::new() };
            if append && jwks_path.exists() {
                jwks = serde_json::from_str(&read_text(&jwks_path)?).map_err(|e| {
                    Error::InvalidKey {
                        detail: format!("`{}`: {e}", jwks_path.display()),
                    }
                })?;
                jwks.keys.retain(|k| k.kid != key.kid());
            }
            jwks.keys.push(key.public_jwk());
            write_new(
                &jwks_path,
                &serde_json::to_string_pretty(&jwks).unwrap_or_default(),
                0o644,
            )?;
            if json {
                println!(
                    "{}",
                    json!({"ok": true, "kid": key.kid(), "key": key_path, "jwks": jwks_path})
                );
            } else {
                println!("key id   {}", key.kid());
                println!(
                    "private  {} (mode 0600: keep it on the backend)",
                    key_path.display()
                );
                println!(
                    "public   {} ({} key(s))",
                    jwks_path.display(),
                    jwks.keys.len()
                );
            }
            Ok(0)
        }
        Command::Validate { policy, routes } => {
            let p = load_policy(&policy)?;
            let mut problems = p.problems();
            let mut warnings: Vec<String> = Vec::new();
            for path in &routes {
                match permsnap::guard::Gate::from_json(p.catalog(), &read_text(path)?) {
                    Ok(gate) => warnings.extend(
                        gate.warnings()
                            .iter()
                            .map(|w| format!("{}: {w}", path.display())),
                    ),
                    Err(Error::InvalidPolicy { at, detail }) => {
                        problems.push(Error::InvalidPolicy {
                            at: format!("{}: {at}", path.display()),
                            detail,
                        })
                    }
                    Err(e) => problems.push(e),
                }
            }
            if json {
                let list: Vec<Value> = problems
                    .iter()
                    .map(|e| json!({"code": e.code(), "message": e.to_string()}))
                    .collect();
                println!(
                    "{}",
                    json!({"ok": problems.is_empty(), "fingerprint": p.catalog().fingerprint_hex(), "problems": list, "warnings": warnings})
                );
            } else {
                println!(
                    "{}: {} permissions, {} roles, {} staff, catalog fingerprint {}",
                    policy.display(),
                    p.catalog().permission_count(),
                    p.catalog().tables().roles.len(),
                    p.staff().len(),
                    p.catalog().fingerprint_hex()
                );
                for e in &problems {
                    println!("problem[{}]: {e}", e.code());
                }
                for w in &warnings {
                    println!("warning: {w}");
                }
                if problems.is_empty() {
                    println!("ok: every active staff member can be issued a snapshot");
                }
            }
            Ok(if problems.is_empty() { 0 } else { 1 })
        }
        Command::Issue {
            policy,
            staff,
            key,
            lifetime,
            epoch,
            now,
            out,
        } => {
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
        Command::Inspect { snapshot, catalog } => {
            let bytes = read_snapshot(&snapshot)?;
            let (kid, claims) = wire::decode_unverified(&bytes)?;
            let cat = catalog.as_deref().map(load_catalog).transpose()?;
            let view = claims_json(&claims, cat.as_ref());
            if json {
                println!(
                    "{}",
                    json!({"verified": false, "kid": kid, "bytes": bytes.len(),
                           "text_chars": base64url::encoded_len(bytes.len()), "claims": view})
                );
            } else {
                println!("UNVERIFIED: the signature was NOT checked; never base a decision on this output.");
                println!("{:<14} {kid}", "key id");
                println!(
                    "{:<14} {} bytes binary, {} characters text",
                    "size",
                    bytes.len(),
                    base64url::encoded_len(bytes.len())
                );
                print_view(&view);
            }
            Ok(0)
        }
        Command::Verify { snapshot, v } => {
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
                println!(
                    "{}",
                    json!({"ok": true, "allowed": perms.allowed(), "claims": view})
                );
            } else {
                println!("VERIFIED for `{}` of `{}`", perms.subject(), perms.tenant());
                print_view(&view);
            }
            Ok(0)
        }
        Command::Check {
            snapshot,
            permission,
            v,
        } => {
            let verifier = verifier(&v)?;
            let bytes = read_snapshot(&snapshot)?;
            let perms = verifier.verify_binary(&bytes, v.now.unwrap_or_else(unix_now))?;
            let e = perms.explain(&permission)?;
            if json {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                let verdict = if e.allowed { "allowed" } else { "denied" };
                let step = if e.step_up {
                    " (needs PIN step-up)"
                } else {
                    ""
                };
                println!("{verdict}: {}{step} — {}", e.permission, e.message);
            }
            Ok(if e.allowed { 0 } else { 1 })
        }
        Command::Catalog { policy } => {
            let cat = load_catalog(&policy)?;
            let doc = json!({
                "fingerprint": cat.fingerprint_hex(),
                "binary": base64url::encode(&cat.to_bytes()?),
                "catalog": cat.def(),
            });
            if json {
                println!("{doc}");
            } else {
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            }
            Ok(0)
        }
        Command::Gate {
            routes,
            method,
            path,
            snapshot,
            cookie,
            method_override,
            v,
        } => {
            let mut verifier = verifier(&v)?;
            let gate = permsnap::guard::Gate::from_json(verifier.catalog(), &read_text(&routes)?)?;
            let authorization = match snapshot {
                Some(s) => {
                    let bytes = read_snapshot(&s)?;
                    let text = if bytes.starts_with(&wire::MAGIC) {
                        base64url::encode(&bytes)
                    } else {
                        String::from_utf8_lossy(&bytes).trim().to_owned()
                    };
                    Some(format!("Permsnap {text}"))
                }
                None => None,
            };
            for w in gate.warnings() {
                eprintln!("warning: {w}");
            }
            let now = v.now.unwrap_or_else(unix_now);
            let request = permsnap::guard::Request {
                method: &method,
                target: &path,
                authorization: authorization.as_deref(),
                cookie: cookie.as_deref(),
                method_override: method_override.as_deref(),
                tenant: None,
            };
            let d = gate.check(&mut verifier, &request, now);
            if json {
                println!("{}", serde_json::to_string(&d).unwrap_or_default());
            } else {
                let who = d
                    .subject
                    .as_deref()
                    .map(|s| format!(" for `{s}`"))
                    .unwrap_or_default();
                let route = d
                    .route
                    .as_deref()
                    .map(|r| format!(" (route {r})"))
                    .unwrap_or_default();
                println!("{} {}{who}{route}: {}", d.status, d.code, d.message);
            }
            Ok(if d.allowed() { 0 } else { 1 })
        }
        Command::Revoke {
            key,
            tenant,
            before_epoch,
            ids,
            now,
        } => {
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
                    detail: "a notice names an account and revokes something: --before-epoch N and/or --id HEX".into(),
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
        Command::Codegen { policy, module } => {
            let cat = load_catalog(&policy)?;
            print!("{}", typescript(&cat, &module));
            Ok(0)
        }
    }
}

/// Writes `contents` to a new file at `path` with exactly `mode`, whatever
/// the umask. What was at `path` is removed first, never followed: a planted
/// symlink is replaced, not written through, and `create_new` (O_EXCL)
/// refuses to follow one created in between.
fn write_new(path: &Path, contents: &str, mode: u32) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(path, e)),
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    let mut f = opts.open(path).map_err(|e| io_err(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| io_err(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    f.write_all(contents.as_bytes())
        .map_err(|e| io_err(path, e))
}

/// Refuses a directory in which others than its owner could replace a key
/// file (writable by group or others, without the sticky bit).
fn check_key_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let mode = std::fs::metadata(dir)
            .map_err(|e| io_err(dir, e))?
            .permissions()
            .mode();
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            return Err(Error::InvalidKey {
                detail: format!(
                    "`{}` is writable by others (mode {:o}): anyone could replace the key; \
                     run `chmod go-w {}`",
                    dir.display(),
                    mode & 0o7777,
                    dir.display()
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a private key file that others than its owner may read, or that
/// sits (itself or through a symlink) in a directory others may write.
fn check_private_mode(path: &Path) -> Result<(), Error> {
    check_key_dir(path.parent().unwrap_or(Path::new(".")))?;
    if let Ok(real) = std::fs::canonicalize(path) {
        check_key_dir(real.parent().unwrap_or(Path::new(".")))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| io_err(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Error::InvalidKey {
                detail: format!(
                    "`{}` is readable or writable by others (mode {:o}): run `chmod 600 {}`",
                    path.display(),
                    mode & 0o777,
                    path.display()
                ),
            });
        }
    }
    Ok(())
}

fn load_private_key(path: &Path) -> Result<IssuerKey, Error> {
    check_private_mode(path)?;
    let v: Value = serde_json::from_str(&read_text(path)?).map_err(|e| Error::InvalidKey {
        detail: format!("`{}`: {e}", path.display()),
    })?;
    let d = v
        .get("d")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::InvalidKey {
            detail: format!("`{}` has no private part `d`", path.display()),
        })?;
    let seed: [u8; 32] = base64url::decode(d)?
        .try_into()
        .map_err(|_| Error::InvalidKey {
            detail: "`d` must be 32 bytes".into(),
        })?;
    let key = IssuerKey::from_seed(v.get("kid").and_then(Value::as_str), &seed)?;
    if let Some(x) = v.get("x").and_then(Value::as_str) {
        if base64url::decode(x)? != key.public_key() {
            return Err(Error::InvalidKey {
                detail: "`x` does not match the private key".into(),
            });
        }
    }
    Ok(key)
}

fn names(
    cat: Option<&Catalog>,
    bits: &permsnap::model::bits::Bits,
    name: impl Fn(&Catalog, usize) -> String,
) -> Value {
    match cat {
        Some(c) => Value::from(bits.iter().map(|i| name(c, i)).collect::<Vec<_>>()),
        None => Value::from(bits.iter().collect::<Vec<_>>()),
    }
}

fn claims_json(c: &Claims, cat: Option<&Catalog>) -> Value {
    let perm = |c: &Catalog, i: usize| c.perm_name(i).to_owned();
    let field = |c: &Catalog, i: usize| {
        (0..c.kind_count())
            .rev()
            .find(|k| c.field_offset(*k) <= i)
            .and_then(|k| {
                let def = c.kind_def(k)?;
                let f = def.fields.get(i - c.field_offset(k))?;
                Some(format!("{}.{}", def.name, f.name))
            })
            .unwrap_or_else(|| i.to_string())
    };
    let app = |c: &Catalog, i: usize| {
        c.tables()
            .applications
            .get(i)
            .map_or_else(|| i.to_string(), String::clone)
    };
    let scopes: Value = match cat {
        Some(cat) => c
            .scopes
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let name = cat
                    .kind_def(k)
                    .map_or_else(|| k.to_string(), |d| d.name.clone());
                (name, serde_json::to_value(s).unwrap_or_default())
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        None => serde_json::to_value(&c.scopes).unwrap_or_default(),
    };
    let role = match (c.role, cat) {
        (Some(r), Some(cat)) => cat
            .tables()
            .roles
            .get(usize::from(r))
            .map_or(Value::from(r), |d| Value::from(d.id.clone())),
        (Some(r), None) => Value::from(r),
        (None, _) => Value::Null,
    };
    json!({
        "tenant": c.tenant, "subject": c.subject,
        "issued_at": c.issued_at, "not_before": c.not_before, "expires_at": c.expires_at,
        "id": hex(&c.id), "epoch": c.epoch, "catalog": hex(&c.catalog),
        "role": role,
        "owner": c.flags & wire::FLAG_OWNER != 0,
        "principal": c.flags & wire::FLAG_PRINCIPAL != 0,
        "shared_account": c.flags & wire::FLAG_SHARED != 0,
        "permissions": names(cat, &c.permissions, perm),
        "step_up": names(cat, &c.step_up, perm),
        "scopes": scopes,
        "hidden_fields": names(cat, &c.hidden, field),
        "apps": names(cat, &c.apps, app),
    })
}

fn print_view(view: &Value) {
    if let Value::Object(map) = view {
        for (k, v) in map {
            let shown = match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            println!("{k:<14} {shown}");
        }
    }
}

fn ts_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn typescript(cat: &Catalog, module: &str) -> String {
    let def = cat.tables();
    let mut out = String::new();
    out.push_str(&format!(
        "// Generated by `permsnap codegen` from catalog `{}` (fingerprint {}). Do not edit.\n\n",
        def.name,
        cat.fingerprint_hex()
    ));
    out.push_str(&format!(
        "export const CATALOG_FINGERPRINT = {};\n\n",
        ts_string(&cat.fingerprint_hex())
    ));
    let list = |items: Vec<&str>| {
        items
            .iter()
            .map(|s| format!("  {},\n", ts_string(s)))
            .collect::<String>()
    };
    out.push_str("export const PERMISSIONS = [\n");
    out.push_str(&list(
        def.permissions.iter().map(|p| p.name.as_str()).collect(),
    ));
    out.push_str("] as const;\nexport type Permission = (typeof PERMISSIONS)[number];\n\n");
    out.push_str("export const KINDS = [\n");
    out.push_str(&list(def.kinds.iter().map(|k| k.name.as_str()).collect()));
    out.push_str("] as const;\nexport type Kind = (typeof KINDS)[number];\n\n");
    out.push_str("export const APPS = [\n");
    out.push_str(&list(def.applications.iter().map(String::as_str).collect()));
    out.push_str("] as const;\nexport type App = (typeof APPS)[number];\n\n");
    out.push_str("export const FIELDS = {\n");
    for k in &def.kinds {
        let fields: Vec<String> = k.fields.iter().map(|f| ts_string(&f.name)).collect();
        out.push_str(&format!(
            "  {}: [{}],\n",
            ts_string(&k.name),
            fields.join(", ")
        ));
    }
    out.push_str("} as const;\n\n");
    out.push_str(&format!(
        "// Every API taking a permission name (`can`, `explain`, `useCan`, `<Can do any>`)\n\
         // now accepts only these: a typo fails to type-check.\n\
         declare module {} {{\n  interface Register {{\n    permission: Permission;\n  }}\n}}\n",
        ts_string(module)
    ));
    out
}
