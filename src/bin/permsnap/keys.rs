//! Key files: written with exact modes (never through a planted symlink),
//! read only when no one else can read or replace them.

use crate::common::*;

/// Writes `contents` to a new file at `path` with exactly `mode`, whatever
/// the umask. What was at `path` is removed first, never followed: a planted
/// symlink is replaced, not written through, and `create_new` (O_EXCL)
/// refuses to follow one created in between.
pub(crate) fn write_new(path: &Path, contents: &str, mode: u32) -> Result<(), Error> {
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
pub(crate) fn check_key_dir(dir: &Path) -> Result<(), Error> {
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

/// Refuses a private key file that others than its owner may read, that
/// sits (itself or through a symlink) in a directory others may write, or
/// that is no regular file. `meta` is the open handle's, the one then
/// read: the file checked cannot be swapped for another before the read,
/// and `/dev/stdin` or `<(cat world-readable.key)`, a pipe whose own mode
/// passed the checks, is refused (re-review, session 24).
fn check_private_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), Error> {
    check_key_dir(path.parent().unwrap_or(Path::new(".")))?;
    if let Ok(real) = std::fs::canonicalize(path) {
        check_key_dir(real.parent().unwrap_or(Path::new(".")))?;
    }
    if !meta.is_file() {
        return Err(Error::InvalidKey {
            detail: format!(
                "`{}` is not a regular file (a pipe, a device): a private key is read from its file, whose mode is checked",
                path.display()
            ),
        });
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
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

pub(crate) fn load_private_key(path: &Path) -> Result<IssuerKey, Error> {
    // Never standard input, whose mode cannot be checked: `--key -` read
    // stdin while the checks looked at a file named `-` (attack review,
    // session 24).
    if path == Path::new("-") {
        return Err(Error::InvalidKey {
            detail: "a private key is read from its file (`--key keys/issuer.key`), not standard input: its mode is checked".into(),
        });
    }
    let mut file = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    check_private_mode(path, &file.metadata().map_err(|e| io_err(path, e))?)?;
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| io_err(path, e))?;
    IssuerKey::from_jwk_json(&text).map_err(|e| Error::InvalidKey {
        detail: format!("`{}`: {e}", path.display()),
    })
}
