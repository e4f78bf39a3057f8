//! The `permsnap` command line, run as a user runs it.
#![cfg(feature = "cli")]

use std::process::{Command, Output};

fn permsnap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_permsnap"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Asserts that `o` is a refusal (exit 2, nothing on standard output)
/// whose message holds `needle`; `what` names the case.
fn refused(o: &Output, needle: &str, what: &str) {
    assert_eq!(o.status.code(), Some(2), "{what}: {}", text(o));
    assert!(o.stdout.is_empty(), "{what}: nothing printed");
    assert!(text(o).contains(needle), "{what}: {}", text(o));
}

/// The snapshot text `permsnap issue` prints for `staff` of `policy`.
fn issued(policy: &str, staff: &str, key: &str) -> String {
    let o = permsnap(&["issue", "--policy", policy, "--staff", staff, "--key", key]);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn preset(name: &str) -> String {
    format!("{}/presets/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory `permsnap-cli-<name>-<pid>` with an issuer key made by
/// `keygen` in it (`issuer.key`, `jwks.json`).
fn keyed_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("permsnap-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(permsnap(&["keygen", "--out", dir.to_str().unwrap()])
        .status
        .success());
    dir
}

/// [`keyed_dir`], with the paths of its private key and JWKS.
fn keyed(name: &str) -> (std::path::PathBuf, String, String) {
    let dir = keyed_dir(name);
    let path = |f: &str| dir.join(f).to_str().unwrap().to_owned();
    let (key, jwks) = (path("issuer.key"), path("jwks.json"));
    (dir, key, jwks)
}

#[test]
fn keygen_issue_inspect_verify_check() {
    let dir = std::env::temp_dir().join(format!("permsnap-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let o = permsnap(&["keygen", "--out", d]);
    assert!(o.status.success(), "{}", text(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("issuer.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "private key must be 0600");
    }
    assert!(
        !permsnap(&["keygen", "--out", d]).status.success(),
        "no silent overwrite"
    );
    let jwks = std::fs::read_to_string(dir.join("jwks.json")).unwrap();
    assert!(
        jwks.contains("\"OKP\"") && !jwks.contains("\"d\""),
        "public only: {jwks}"
    );

    let key = dir.join("issuer.key");
    let jwks_path = dir.join("jwks.json");
    let (key, jwks_path) = (key.to_str().unwrap(), jwks_path.to_str().unwrap());
    let sitee = preset("sitee");
    let o = permsnap(&["issue", "--policy", &sitee, "--staff", "dia", "--key", key]);
    assert!(o.status.success(), "{}", text(&o));
    let snap = String::from_utf8(o.stdout).unwrap().trim().to_owned();
    assert!(snap.starts_with("UFNO"), "{snap}");

    let o = permsnap(&["inspect", &snap, "--catalog", &sitee]);
    assert!(text(&o).starts_with("UNVERIFIED"), "{}", text(&o));
    assert!(text(&o).contains("campaigns.manage"));
    let o = permsnap(&["--json", "inspect", &snap]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verified"], false);

    let verify = |s: &str, extra: &[&str]| {
        let mut args = vec!["verify", s, "--jwks", jwks_path, "--catalog", &sitee];
        if !extra.contains(&"--tenant") && !extra.contains(&"--any-tenant") {
            args.extend_from_slice(&["--tenant", "spa-lumi"]);
        }
        args.extend_from_slice(extra);
        permsnap(&args)
    };
    let o = verify(&snap, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("VERIFIED for `dia`"));
    let o = verify(&snap, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["claims"]["subject"], "dia");
    assert_eq!(v["claims"]["roles"], serde_json::json!(["marketing"]));
    assert_eq!(v["claims"]["allowed"], v["allowed"]);
    // A Marketing Professional takes no per-person settings: nothing hidden.
    assert_eq!(v["claims"]["hiddenFields"], serde_json::json!({}));
    let mut bad = snap.clone();
    bad.replace_range(20..21, if &snap[20..21] == "A" { "B" } else { "A" });
    let o = verify(&bad, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("error[bad_signature]"), "{}", text(&o));
    let o = verify(&snap, &["--tenant", "other"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("error[wrong_tenant]"), "{}", text(&o));
    // Fail closed: no account named is an error, not "any account".
    let o = permsnap(&["verify", &snap, "--jwks", jwks_path, "--catalog", &sitee]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--any-tenant"), "{}", text(&o));
    assert!(verify(&snap, &["--any-tenant"]).status.success());
    let o = permsnap(&[
        "--json",
        "verify",
        &snap,
        "--jwks",
        jwks_path,
        "--tenant",
        "spa-lumi",
        "--catalog",
        &sitee,
        "--now",
        "1",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["code"], "not_yet_valid");

    let check = |perm: &str| {
        permsnap(&[
            "check",
            &snap,
            perm,
            "--jwks",
            jwks_path,
            "--any-tenant",
            "--catalog",
            &sitee,
        ])
    };
    let o = check("campaigns.manage");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("allowed: campaigns.manage — granted by role `marketing`"));
    let o = check("payments.view");
    assert_eq!(o.status.code(), Some(1));
    let o = check("payments.veiw");
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unknown_permission"));

    // `--help` or `-h` where a script passes a value (the snapshot of a
    // cookie, a path) printed the help and exited 0, "allowed" (attack
    // review, session 14): only alone does help exit 0.
    for args in [
        vec![
            "check",
            "--help",
            "payments.view",
            "--jwks",
            jwks_path,
            "--any-tenant",
        ],
        vec![
            "check",
            "-h",
            "payments.view",
            "--jwks",
            jwks_path,
            "--any-tenant",
        ],
        vec!["verify", "-h", "--jwks", jwks_path, "--any-tenant"],
        vec![
            "check",
            &snap,
            "payments.view",
            "--jwks",
            jwks_path,
            "--any-tenant",
            "-V",
        ],
        vec![
            "gate",
            "--jwks",
            jwks_path,
            "--tenant",
            "spa-lumi",
            "--snapshot",
            &snap,
            "GET",
            "--help",
        ],
    ] {
        let o = permsnap(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
    }
    assert_eq!(permsnap(&["check", "--help"]).status.code(), Some(0));
    assert_eq!(permsnap(&["--help"]).status.code(), Some(0));
    // A value after `--` is a value.
    let o = permsnap(&[
        "check",
        "--jwks",
        jwks_path,
        "--any-tenant",
        "--catalog",
        &sitee,
        "--",
        "--help",
        "payments.view",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("error["), "{}", text(&o));

    // A permission the person may use only with a PIN step-up (a shared
    // account) is not "allowed" to a script: exit 3, as the gate answers
    // step_up_required (attack review, session 14: exit 0 skipped the PIN).
    let o = permsnap(&["issue", "--policy", &sitee, "--staff", "desk", "--key", key]);
    assert!(o.status.success(), "{}", text(&o));
    let desk = String::from_utf8(o.stdout).unwrap().trim().to_owned();
    let o = permsnap(&[
        "check",
        &desk,
        "payments.charge",
        "--jwks",
        jwks_path,
        "--any-tenant",
        "--catalog",
        &sitee,
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("needs PIN step-up"), "{}", text(&o));

    let o = permsnap(&["issue", "--policy", &sitee, "--staff", "gus", "--key", key]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("error[deactivated]"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_catalog_and_codegen() {
    for name in ["sitee", "ecwid", "shopify-partner", "amilia", "lightspeed"] {
        let o = permsnap(&["validate", &preset(name)]);
        assert!(o.status.success(), "{name}: {}", text(&o));
    }
    let o = permsnap(&["--json", "catalog", &preset("sitee")]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["fingerprint"].as_str().unwrap().len(), 16);
    assert!(
        v["catalog"].get("staff").is_none() && !text(&o).contains("Dia Kone"),
        "no staff in the public catalog"
    );
    let o = permsnap(&["codegen", &preset("shopify-partner")]);
    let ts = String::from_utf8(o.stdout).unwrap();
    assert!(ts.contains("export type Permission = (typeof PERMISSIONS)[number];"));
    assert!(ts.contains("\"refunds.create\","));
    assert!(ts.contains("\"dev_stores\""));
    let o = permsnap(&["validate", "/nonexistent.json"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn compiled_catalog_and_revocation_notices() {
    let dir = std::env::temp_dir().join(format!("permsnap-cli-revoke-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    assert!(permsnap(&["keygen", "--out", d, "--kid", "k1"])
        .status
        .success());
    let key = dir.join("issuer.key");
    let key = key.to_str().unwrap();
    let jwks = dir.join("jwks.json");
    let jwks = jwks.to_str().unwrap();

    // `catalog` prints the compiled catalog; every command accepts it as --catalog.
    let o = permsnap(&["--json", "catalog", &preset("sitee")]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let compiled = permsnap::Catalog::from_text(doc["binary"].as_str().unwrap(), "cli").unwrap();
    assert_eq!(
        compiled.fingerprint_hex(),
        doc["fingerprint"].as_str().unwrap()
    );
    let catalog_path = dir.join("catalog.json");
    std::fs::write(&catalog_path, o.stdout).unwrap();
    let catalog_path = catalog_path.to_str().unwrap();
    let o = permsnap(&[
        "--json",
        "issue",
        "--policy",
        &preset("sitee"),
        "--staff",
        "ben",
        "--key",
        key,
    ]);
    let issued: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let snap = issued["snapshot"].as_str().unwrap();
    let id = issued["claims"]["id"].as_str().unwrap();
    let o = permsnap(&[
        "check",
        snap,
        "staff.manage",
        "--jwks",
        jwks,
        "--any-tenant",
        "--catalog",
        catalog_path,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // `revoke` signs a notice that a verifier with the same keys applies.
    let o = permsnap(&[
        "--json", "revoke", "--key", key, "--tenant", "spa-lumi", "--id", id,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut v = permsnap::Verifier::new(
        compiled,
        permsnap::Keyring::from_jwks_json(&std::fs::read_to_string(jwks).unwrap()).unwrap(),
        permsnap::Options::any_tenant(),
    );
    let notice = v
        .apply_notice(out["notice"].as_str().unwrap().as_bytes())
        .unwrap();
    assert_eq!(notice.tenant, "spa-lumi");
    let now = issued["claims"]["issued_at"].as_u64().unwrap();
    assert_eq!(
        v.verify(snap.as_bytes(), now).unwrap_err().code(),
        "revoked"
    );

    // A notice must revoke something, and ids must be ids.
    let o = permsnap(&["revoke", "--key", key, "--tenant", "spa-lumi"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = permsnap(&[
        "revoke", "--key", key, "--tenant", "spa-lumi", "--id", "xyz",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gate_answers_like_an_edge() {
    let (dir, key, jwks) = keyed("gate");
    let (key, jwks) = (key.as_str(), jwks.as_str());
    let snap = issued(&preset("sitee"), "dia", key);
    let routes = format!("{}/routes/sitee.json", env!("CARGO_MANIFEST_DIR"));
    let sitee = preset("sitee");
    let gate = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "gate",
            "--routes",
            &routes,
            "--catalog",
            &sitee,
            "--jwks",
            jwks,
            "--tenant",
            "spa-lumi",
        ];
        args.extend_from_slice(extra);
        let o = permsnap(&args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (o.status.code(), v)
    };
    let (code, v) = gate(&["--snapshot", &snap, "GET", "/api/campaigns"]);
    assert_eq!((code, v["status"].as_u64()), (Some(0), Some(200)));
    let (code, v) = gate(&["--snapshot", &snap, "GET", "/api/payments"]);
    assert_eq!((code, v["status"].as_u64()), (Some(1), Some(403)));
    assert_eq!(v["permission"], "payments.view");
    let cookie = format!("permsnap={snap}");
    let (code, _) = gate(&["--cookie", &cookie, "GET", "/api/campaigns"]);
    assert_eq!(code, Some(0));
    let (code, v) = gate(&["GET", "/api/campaigns"]);
    assert_eq!((code, v["code"].as_str()), (Some(1), Some("no_snapshot")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn issue_refuses_a_staff_id_defined_twice() {
    // Attack review, session 17: `issue --staff a` signed the first of two
    // records, an owner's above a clerk's, where `validate` refused it.
    let dir = keyed_dir("dup");
    let mut policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(preset("sitee")).unwrap()).unwrap();
    let staff = policy["staff"].as_array_mut().unwrap();
    // An owner's entry above the marketing clerk's.
    staff.insert(0, serde_json::json!({"id": "dia", "roles": ["principal"]}));
    let file = dir.join("policy.json");
    std::fs::write(&file, policy.to_string()).unwrap();
    let key = dir.join("issuer.key");
    let o = permsnap(&[
        "issue",
        "--policy",
        file.to_str().unwrap(),
        "--staff",
        "dia",
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(o.stdout.is_empty(), "nothing signed");
    assert!(
        text(&o).contains("staff `dia`: is defined twice"),
        "{}",
        text(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue #10, item 10: key files are handled as secrets.
#[cfg(unix)]
#[test]
fn key_files_fail_closed() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = std::env::temp_dir().join(format!("permsnap-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    // Under umask 000 the key is still 0600, the JWKS 0644, and a directory
    // keygen creates 0700.
    let fresh = dir.join("fresh");
    let o = Command::new("sh")
        .args([
            "-c",
            &format!(
                "umask 000; exec {} keygen --out {}",
                env!("CARGO_BIN_EXE_permsnap"),
                fresh.display()
            ),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&fresh), 0o700);
    // A directory others may write is refused, for keygen and for issue.
    let open_dir = dir.join("open");
    std::fs::create_dir_all(&open_dir).unwrap();
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = permsnap(&["keygen", "--out", open_dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("writable by others"), "{}", text(&o));
    std::fs::copy(fresh.join("issuer.key"), open_dir.join("issuer.key")).unwrap();
    std::fs::set_permissions(
        open_dir.join("issuer.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let sitee_path = preset("sitee");
    let issue_with = |key: &std::path::Path| {
        let o = permsnap(&[
            "issue",
            "--policy",
            &sitee_path,
            "--staff",
            "dia",
            "--key",
            key.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    };
    issue_with(&open_dir.join("issuer.key"));
    // ... also through a symlink from a safe directory.
    symlink(open_dir.join("issuer.key"), fresh.join("linked.key")).unwrap();
    issue_with(&fresh.join("linked.key"));

    // Under umask 000 the key is still 0600 and the JWKS 0644.
    let o = Command::new("sh")
        .args([
            "-c",
            &format!(
                "umask 000; exec {} keygen --out {d}",
                env!("CARGO_BIN_EXE_permsnap")
            ),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&dir.join("issuer.key")), 0o600);
    assert_eq!(mode(&dir.join("jwks.json")), 0o644);

    // A key others can read is refused by `issue` and `revoke`.
    let key = dir.join("issuer.key");
    let k = key.to_str().unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let sitee = preset("sitee");
    let o = permsnap(&["issue", "--policy", &sitee, "--staff", "dia", "--key", k]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("chmod 600"), "{}", text(&o));
    let o = permsnap(&[
        "revoke",
        "--key",
        k,
        "--tenant",
        "spa-lumi",
        "--before-epoch",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    // Lifetimes are bounded.
    let with_lifetime = |lifetime: &str| {
        permsnap(&[
            "issue",
            "--policy",
            &sitee,
            "--staff",
            "dia",
            "--key",
            k,
            "--lifetime",
            lifetime,
        ])
    };
    for lifetime in ["0", "86401", "4294967295"] {
        let o = with_lifetime(lifetime);
        assert_eq!(
            o.status.code(),
            Some(2),
            "--lifetime {lifetime}: {}",
            text(&o)
        );
    }
    let o = with_lifetime("86400");
    assert!(o.status.success(), "{}", text(&o));

    // `keygen --force` replaces a planted symlink instead of writing through it.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::remove_file(&key).unwrap();
    symlink(&victim, &key).unwrap();
    assert!(
        !permsnap(&["keygen", "--out", d]).status.success(),
        "no silent overwrite of a link"
    );
    let o = permsnap(&["keygen", "--out", d, "--force"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!std::fs::symlink_metadata(&key)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode(&key), 0o600);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn verify_reads_format1_snapshots_given_the_format1_catalog() {
    let path = format!("{}/vectors/format1.json", env!("CARGO_MANIFEST_DIR"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("permsnap-cli-f1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, doc["key"]["jwks"].to_string()).unwrap();
    let old = dir.join("old-catalog.json");
    std::fs::write(
        &old,
        serde_json::json!({"binary": doc["format1_catalogs"]["sitee"]["binary"]}).to_string(),
    )
    .unwrap();
    let dia = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "sitee/dia")
        .unwrap();
    let now = dia["now"].to_string();
    let snap = dia["snapshot"].as_str().unwrap();
    let sitee = preset("sitee");
    let base = [
        "--json",
        "verify",
        snap,
        "--jwks",
        jwks.to_str().unwrap(),
        "--catalog",
        &sitee,
        "--tenant",
        "spa-lumi",
        "--now",
        &now,
    ];
    let o = permsnap(&base);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["code"], "unsupported_version", "{}", text(&o));
    let mut with = base.to_vec();
    with.extend(["--format1-catalog", old.to_str().unwrap()]);
    let o = permsnap(&with);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["claims"]["roles"], serde_json::json!(["marketing"]));
    assert_eq!(v["allowed"], dia["expect"]["allowed"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `permsnap catalog ... | head`: the reader goes away before the output
/// is written. The process ends quietly with status 141, as a tool ended
/// by SIGPIPE does (it panicked with a backtrace: attack review, session
/// 13) — never 0: `check` of a permission the snapshot does not grant
/// must not read as "allowed" because nobody read its answer.
#[test]
fn a_closed_stdout_ends_quietly_and_never_with_success() {
    let dir = keyed_dir("epipe");
    let d = dir.to_str().unwrap();
    let key = format!("{d}/issuer.key");
    let jwks = format!("{d}/jwks.json");
    let sitee = preset("sitee");
    let issued = permsnap(&["issue", "--policy", &sitee, "--key", &key, "--staff", "fay"]);
    assert!(issued.status.success(), "{}", text(&issued));
    let snap = String::from_utf8(issued.stdout).unwrap().trim().to_owned();
    // `--now` in milliseconds signed a snapshot no verifier accepts.
    let ms = permsnap(&[
        "issue",
        "--policy",
        &sitee,
        "--key",
        &key,
        "--staff",
        "fay",
        "--now",
        "1767225600000",
    ]);
    assert_eq!(ms.status.code(), Some(2), "{}", text(&ms));
    assert!(text(&ms).contains("milliseconds"), "{}", text(&ms));
    let check = [
        "check",
        snap.as_str(),
        "payments.view",
        "--jwks",
        jwks.as_str(),
        "--any-tenant",
        "--catalog",
        sitee.as_str(),
    ];
    assert_eq!(
        permsnap(&check).status.code(),
        Some(1),
        "fay has no payments.view"
    );
    for args in [
        vec!["catalog", sitee.as_str(), "--json"],
        vec!["codegen", sitee.as_str()],
        check.to_vec(),
    ] {
        // The reader (`true`) is gone before permsnap starts (a second
        // later): every write meets a closed pipe, however loaded the
        // machine. (Dropping our end after a spawn raced the child's
        // write into the pipe's buffer.) bash gives the writer's status.
        let out = Command::new("bash")
            .arg("-c")
            .arg(r#"(sleep 1; exec "$0" "$@") | true; exit "${PIPESTATUS[0]}""#)
            .arg(env!("CARGO_BIN_EXE_permsnap"))
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn step_up_signs_only_for_an_active_staff_member_the_policy_lists() {
    // Attack review, session 17: given a policy listing its staff, the CLI
    // signed for a deactivated actor, an unknown id, another account's.
    let dir = keyed_dir("stepup");
    let key = dir.join("issuer.key");
    let key = key.to_str().unwrap();
    let amilia = preset("amilia");
    let desk = issued(&amilia, "frontdesk", key);
    // `step-up` for `actor` on `snapshot`, the policy given as `policy`
    // (a path, or `-` / `/dev/stdin` with amilia's text on standard input).
    let step_up_on = |policy: &str, snapshot: &str, actor: &str| {
        with_stdin(
            &[
                "step-up",
                "--policy",
                policy,
                "--key",
                key,
                "--snapshot",
                snapshot,
                "--actor",
                actor,
                "--permission",
                "pos.sell",
                "--method",
                "POST",
                "--path",
                "/api/pos/sales",
            ],
            std::fs::read_to_string(&amilia).unwrap().as_bytes(),
        )
    };
    let step_up = |actor: &str| step_up_on(&amilia, &desk, actor);
    assert!(step_up("samantha").status.success());
    for (actor, code) in [
        ("ancien", "deactivated"),
        ("nobody-here", "unknown_staff"),
        ("julie@other-tenant", "unknown_staff"),
        // Attack review, session 24: a person who does not hold the
        // permission themselves (a lead instructor: no `pos.sell`).
        ("lucie", "step_up_refused"),
    ] {
        refused(&step_up(actor), &format!("error[{code}]"), actor);
    }
    // Attack review, session 24: another account's desk snapshot (a policy
    // of account `other` under the same key) got a proof for this
    // policy's staff member, which the gate accepted.
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&amilia).unwrap()).unwrap();
    other["tenant"] = "other".into();
    let other_path = dir.join("other.json");
    std::fs::write(&other_path, other.to_string()).unwrap();
    let other_desk = issued(other_path.to_str().unwrap(), "frontdesk", key);
    refused(
        &step_up_on(&amilia, &other_desk, "samantha"),
        "error[wrong_tenant]",
        "another account's desk",
    );
    // The policy on standard input is checked as well (re-review, session
    // 24: `-` skipped the checks, `/dev/stdin` read empty the second time).
    for policy in ["-", "/dev/stdin"] {
        refused(
            &step_up_on(policy, &desk, "lucie"),
            "error[step_up_refused]",
            policy,
        );
        assert!(
            step_up_on(policy, &desk, "samantha").status.success(),
            "{policy}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `permsnap args` with `input` on standard input.
fn with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_permsnap"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The command may refuse before reading: a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// `snap` with its key id replaced by `kid` (the signature no longer
/// matters: an unknown key id is refused before it is checked).
fn with_kid(snap: &str, kid: &str) -> String {
    let bytes = permsnap::encoding::decode(snap).unwrap();
    let old = usize::from(bytes[4]);
    let mut out = bytes[..4].to_vec();
    out.push(kid.len() as u8);
    out.extend_from_slice(kid.as_bytes());
    out.extend_from_slice(&bytes[5 + old..]);
    permsnap::encoding::encode(&out)
}

#[test]
fn snapshot_arguments_are_text_never_files_and_unverified_text_is_shown_escaped() {
    // Attack reviews, session 24.
    let (dir, key, jwks) = keyed("args");
    let (key, jwks) = (key.as_str(), jwks.as_str());
    let sitee = preset("sitee");
    let ana = issued(&sitee, "ana", key);
    let file = dir.join("ana");
    std::fs::write(&file, &ana).unwrap();
    let file = file.to_str().unwrap();
    // What verifies: the keys, the catalog, the account.
    let trust = ["--jwks", jwks, "--catalog", &sitee, "--tenant", "spa-lumi"];
    // `check` of `snapshot`, with `input` on standard input.
    let check_with = |snapshot: &str, input: &[u8]| {
        let args = [&["check"][..], &trust, &["--", snapshot, "staff.manage"]].concat();
        with_stdin(&args, input)
    };
    let check = |snapshot: &str| check_with(snapshot, b"");
    // A cookie naming a file on the server is text, not that file, with
    // or without an `@` (re-review, session 24: the cookie chose it too).
    for value in [
        file.to_owned(),
        format!("@{file}"),
        "/etc/passwd".into(),
        "@/etc/passwd".into(),
    ] {
        let o = check(&value);
        refused(&o, "error[bad_encoding]", &value);
        assert!(!text(&o).contains("No such file"), "{value}: {}", text(&o));
    }
    assert_eq!(check(&ana).status.code(), Some(0));
    // A snapshot in a file comes on standard input.
    let o = check_with("-", &std::fs::read(file).unwrap());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A key id holding escape codes and a newline: shown escaped.
    let forged = with_kid(&ana, "\u{1b}[2J\nOK");
    for args in [
        [&["verify", forged.as_str()][..], &trust].concat(),
        vec!["inspect", forged.as_str()],
    ] {
        let o = permsnap(&args);
        let out = text(&o);
        assert!(
            !out.contains('\u{1b}') && !out.contains("\nOK"),
            "{}: {out:?}",
            args[0]
        );
        assert!(out.contains("\\u{1b}[2J\\u{a}OK"), "{}: {out}", args[0]);
    }
    // A compiled catalog with a key beside `binary` that is not printed.
    let o = permsnap(&["--json", "catalog", &sitee]);
    let mut compiled: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    compiled["roles"] = serde_json::json!([]);
    let compiled_path = dir.join("compiled.json");
    std::fs::write(&compiled_path, compiled.to_string()).unwrap();
    let o = permsnap(&[
        "verify",
        &ana,
        "--jwks",
        jwks,
        "--catalog",
        compiled_path.to_str().unwrap(),
        "--tenant",
        "spa-lumi",
    ]);
    refused(
        &o,
        "unknown key `roles` beside `binary`",
        "a compiled catalog",
    );
    // A private key is never read from standard input, nor from a pipe
    // (re-review, session 24: `/dev/stdin` passed the mode checks).
    let world = dir.join("world.key");
    std::fs::copy(key, &world).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&world, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    for k in ["-", "/dev/stdin"] {
        let o = with_stdin(
            &["issue", "--policy", &sitee, "--staff", "ana", "--key", k],
            &std::fs::read(&world).unwrap(),
        );
        refused(&o, "error[invalid_key]", k);
    }
    // codegen: a catalog name cannot end the comment it is written in.
    let mut def: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sitee).unwrap()).unwrap();
    def["catalog"]["name"] = "x\nexport const PWNED = 1; //\u{2028}y".into();
    let def_path = dir.join("named.json");
    std::fs::write(&def_path, def.to_string()).unwrap();
    let o = permsnap(&["codegen", def_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let code = String::from_utf8(o.stdout).unwrap();
    assert!(
        !code.lines().any(|l| l.starts_with("export const PWNED")),
        "{code}"
    );
    assert!(!code.contains('\u{2028}'), "{code}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keygen_append_keeps_the_jwks_as_it_was_or_refuses() {
    // Attack review, session 24: `--append` read the JWKS leniently, dropped
    // unknown members and rewrote an RSA key as an empty OKP one.
    let dir = keyed_dir("append");
    let d = dir.to_str().unwrap();
    let jwks_path = dir.join("jwks.json");
    let append = |kid: &str| {
        let _ = std::fs::remove_file(dir.join("issuer.key"));
        permsnap(&["keygen", "--out", d, "--kid", kid, "--append"])
    };
    let o = append("second");
    assert!(o.status.success(), "{}", text(&o));
    let jwks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&jwks_path).unwrap()).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    for (what, doctored) in [
        ("an RSA key", {
            let mut j = jwks.clone();
            j["keys"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"kty": "RSA", "kid": "rsa1", "n": "x", "e": "AQAB"}));
            j
        }),
        ("a member keygen does not write", {
            let mut j = jwks.clone();
            j["note"] = "rotated in May".into();
            j
        }),
    ] {
        let before = doctored.to_string();
        std::fs::write(&jwks_path, &before).unwrap();
        refused(&append("third"), "error[invalid_key]", what);
        assert_eq!(
            std::fs::read_to_string(&jwks_path).unwrap(),
            before,
            "{what}: unchanged"
        );
        assert!(
            !dir.join("issuer.key").exists(),
            "{what}: no key left unpublished"
        );
    }
    // A key id the JWKS publishes already is refused, not replaced
    // (re-review, session 24: the published key was dropped).
    std::fs::write(&jwks_path, jwks.to_string()).unwrap();
    refused(&append("second"), "already publishes", "a published key id");
    assert_eq!(
        std::fs::read_to_string(&jwks_path).unwrap(),
        jwks.to_string()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_shows_names_from_a_route_table_escaped() {
    // Attack review, session 25: a route table's names reached the
    // terminal raw in `validate`'s problems (an escape sequence in `app`
    // could rewrite the lines above it).
    let dir = std::env::temp_dir().join(format!("permsnap-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let routes = dir.join("routes.json");
    std::fs::write(&routes, r#"[{"path": "/x", "app": "\u001b[2Jpos\u2028"}]"#).unwrap();
    let o = permsnap(&[
        "validate",
        &preset("sitee"),
        "--routes",
        routes.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("problem[invalid_policy]"), "{out}");
    assert!(out.contains(r"\u{1b}[2Jpos\u{2028}"), "{out}");
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{2028}'),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
