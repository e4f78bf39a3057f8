//! `permsnap keygen`: Generate an Ed25519 issuer key: DIR/issuer.key (private JWK, mode 0600) and DIR/jwks.json (public).

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Directory to write into.
    #[arg(long, default_value = ".")]
    pub(crate) out: PathBuf,
    /// Key id (default: derived from the public key).
    #[arg(long)]
    pub(crate) kid: Option<String>,
    /// Also keep the keys already in DIR/jwks.json (key rotation).
    #[arg(long)]
    pub(crate) append: bool,
    /// Overwrite an existing issuer.key.
    #[arg(long)]
    pub(crate) force: bool,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args {
        out,
        kid,
        append,
        force,
    } = args;

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
    // The JWKS is read (and refused) before anything is written: a
    // refused append left a new private key whose public key was never
    // published, after `--force` had replaced the one in use.
    let jwks_path = out.join("jwks.json");
    let mut jwks = Jwks { keys: Vec::new() };
    if append && jwks_path.exists() {
        // Read as verifiers read it (strict JSON, a private `d` refused),
        // and only what it can write back as it was: an unknown member
        // was dropped and an RSA key rewritten empty (attack review,
        // session 24).
        let at = |e: String| Error::InvalidKey {
            detail: format!("`{}`: {e}", jwks_path.display()),
        };
        let read =
            permsnap::strict_json::parse(&read_text(&jwks_path)?).map_err(|e| at(e.to_string()))?;
        jwks = serde_json::from_value(read.clone()).map_err(|e| at(e.to_string()))?;
        let ring = Keyring::from_jwks(&jwks).map_err(|e| at(e.to_string()))?;
        if let Some(k) = ring.ignored().first() {
            return Err(at(format!(
                "key `{}` ({}) would not be kept as it is: append to a JWKS of Ed25519 keys only",
                k.kid, k.reason
            ))
            .into());
        }
        if serde_json::to_value(&jwks).ok() != Some(read) {
            return Err(at(
                "it holds members keygen would drop in writing it back: edit it by hand".into(),
            )
            .into());
        }
        // A published key of the same id is never replaced: verifiers
        // still hold snapshots it signed (it was dropped; re-review,
        // session 24).
        if jwks.keys.iter().any(|k| k.kid == key.kid()) {
            return Err(Error::InvalidArgument {
                detail: format!(
                    "`{}` already publishes a key `{}`: give the new key another id (`--kid`)",
                    jwks_path.display(),
                    key.kid()
                ),
            }
            .into());
        }
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
    jwks.keys.push(key.public_jwk());
    write_new(
        &jwks_path,
        &serde_json::to_string_pretty(&jwks).unwrap_or_default(),
        0o644,
    )?;
    if json {
        outln!(
            "{}",
            json!({"ok": true, "kid": key.kid(), "key": key_path, "jwks": jwks_path})
        );
    } else {
        outln!("key id   {}", key.kid());
        outln!(
            "private  {} (mode 0600: keep it on the backend)",
            key_path.display()
        );
        outln!(
            "public   {} ({} key(s))",
            jwks_path.display(),
            jwks.keys.len()
        );
    }
    Ok(0)
}
