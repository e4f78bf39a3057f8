//! Attacks on the parts format 2 added: signed feeds and what a verifier
//! remembers, the issuer's record reader, `permsnap serve`. Each test is
//! a door that was found open (see the commit that added it).
#![cfg(feature = "issuer")]

mod common;
use common::*;
use permsnap::issuer::{sign_feed_head, sign_notice, RecordReader};
use permsnap::wire::Notice;
use permsnap::{Options, Verifier};

/// One edge serving every account (`tenantPerRequest`) with `maxFeedAge`
/// must load the feed of every account. A head signed for one account
/// (`permsnap feed --tenant other`, fresh, genuine) vouches only for that
/// account's notices: accepted, it made the edge's feed "current" for all
/// accounts while their revocations stopped arriving, and it made the
/// real feed look like an older copy.
#[test]
fn a_per_request_verifier_takes_only_the_feed_of_every_account() {
    let p = policy("sitee");
    let options = Options::per_request().require_feed(300);
    let mut v = Verifier::new(p.catalog().clone(), keyring(), options);
    // The shared feed, applied at NOW.
    let shared: Vec<Vec<u8>> = vec![];
    let head = sign_feed_head(&key(), None, NOW, &shared).unwrap();
    v.apply_feed(&head, &shared, NOW).unwrap();
    // At NOW + 200, fay of spa-lumi is revoked in the shared feed; a cache
    // or an attacker serves another account's fresh, genuine feed instead.
    let theirs = sign_feed_head(&key(), Some("spa-rival"), NOW + 250, &shared).unwrap();
    let e = v.apply_feed(&theirs, &shared, NOW + 250).unwrap_err();
    assert_eq!(e.code(), "wrong_tenant", "{e}");
    assert_eq!(v.feed_at(), Some(NOW), "the feed's time did not move");
    let fay = issue_version_at("fay", 3, NOW + 100);
    assert_eq!(
        v.verify_for(&fay, "spa-lumi", NOW + 400)
            .unwrap_err()
            .code(),
        "stale_feed",
        "the shared feed stopped arriving: the door closes"
    );
    // The real shared feed still applies afterwards.
    let revoked = vec![person_notice("spa-lumi", NOW + 200, "fay", 4)];
    let head = sign_feed_head(&key(), None, NOW + 240, &revoked).unwrap();
    v.apply_feed(&head, &revoked, NOW + 240).unwrap();
    assert_eq!(
        v.verify_for(&fay, "spa-lumi", NOW + 400)
            .unwrap_err()
            .code(),
        "revoked"
    );
    // The same holds for an any-account verifier (tools): a one-account
    // head proves nothing about the other accounts it accepts.
    let mut any = Verifier::new(
        p.catalog().clone(),
        keyring(),
        Options::any_tenant().require_feed(300),
    );
    assert_eq!(
        any.apply_feed(&theirs, &shared, NOW + 250)
            .unwrap_err()
            .code(),
        "wrong_tenant"
    );
    // A verifier of one account still takes its own account's feed.
    let mut mine = verifier(&p);
    let own = sign_feed_head(&key(), Some("spa-lumi"), NOW, &shared).unwrap();
    assert!(mine.apply_feed(&own, &shared, NOW).is_ok());
}

/// Times are seconds. A backend that passes milliseconds (`Date.now()`,
/// `System.currentTimeMillis()`) to `revoke`/`feed` signed a notice or a
/// head dated about the year 58,000: applied, it advanced the verifier's
/// pruning clock so far that every other per-person bound and revoked id
/// was forgotten at once, and the head kept `maxFeedAge` satisfied for
/// ever while refusing every later (honest) head as an "older copy".
#[test]
fn times_in_milliseconds_are_refused_not_applied() {
    let p = policy("sitee");
    let ms = NOW * 1000;
    // The issuer refuses to sign them.
    let n = Notice {
        tenant: "spa-lumi".into(),
        issued_at: ms,
        min_epoch: 1,
        ..Notice::default()
    };
    let e = sign_notice(&key(), &n).unwrap_err();
    assert_eq!(e.code(), "invalid_argument", "{e}");
    assert!(e.to_string().contains("milliseconds"), "{e}");
    let e = sign_feed_head(&key(), None, ms, &[]).unwrap_err();
    assert_eq!(e.code(), "invalid_argument", "{e}");

    // A verifier refuses them when another issuer signed them anyway.
    let mut v = Verifier::new(
        p.catalog().clone(),
        keyring(),
        Options::for_tenant("spa-lumi").require_feed(300),
    );
    v.apply_notice(&person_notice("spa-lumi", NOW, "fay", 4))
        .unwrap();
    let fay = issue_version_at("fay", 3, NOW - 10);
    assert_eq!(v.verify(&fay, NOW).unwrap_err().code(), "stale_feed");
    let bad_notice = raw_signed(
        b"PSR",
        b"permsnap/v2 revocation\0",
        &postcard_notice("spa-lumi", ms),
    );
    assert_eq!(v.apply_notice(&bad_notice).unwrap_err().code(), "malformed");
    assert_eq!(v.revocations().staff_count(), 1, "fay's bound is kept");
    let bad_head = raw_signed(b"PSH", b"permsnap/v2 feed head\0", &postcard_head(ms));
    assert_eq!(
        v.apply_feed(&bad_head, &[] as &[Vec<u8>], NOW)
            .unwrap_err()
            .code(),
        "malformed"
    );
    assert_eq!(v.feed_at(), None);
    assert_eq!(v.revocations().staff_count(), 1, "fay's bound is kept");
    // An honest head still applies, and fay stays revoked.
    let head = sign_feed_head(&key(), None, NOW + 5, &[]).unwrap();
    v.apply_feed(&head, &[] as &[Vec<u8>], NOW + 5).unwrap();
    assert_eq!(v.verify(&fay, NOW + 10).unwrap_err().code(), "revoked");
}

/// A notice payload (postcard) for `tenant` at `at`, revoking epoch 1.
fn postcard_notice(tenant: &str, at: u64) -> Vec<u8> {
    let mut p = vec![tenant.len() as u8];
    p.extend_from_slice(tenant.as_bytes());
    p.extend(varint(at));
    p.extend([1, 0, 0]); // min_epoch 1, no ids, no staff
    p
}

/// A feed head payload: every account, `at`, no notices.
fn postcard_head(at: u64) -> Vec<u8> {
    let mut p = vec![0];
    p.extend(varint(at));
    p.push(0);
    p.extend(permsnap::wire::feed_digest(&[]));
    p
}

fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// A document of this format family signed with the test key over `domain`,
/// bypassing the issuer's checks (another issuer, another language).
fn raw_signed(magic: &[u8; 3], domain: &[u8], payload: &[u8]) -> Vec<u8> {
    let k = key();
    let mut bytes = magic.to_vec();
    bytes.push(2);
    bytes.push(k.kid().len() as u8);
    bytes.extend_from_slice(k.kid().as_bytes());
    bytes.extend_from_slice(payload);
    let sig = k.sign_domain(domain, &bytes);
    bytes.extend_from_slice(&sig);
    bytes
}

/// SECURITY.md: keys named like a PIN, a password, a secret or a hash can
/// not be put on the ignore list. Only `snake_case` spellings with the
/// word first or last were caught: the camelCase columns of most ORMs
/// (`passwordHash`, `pinHash`), kebab-case, and the word in the middle
/// (`staff_pin_code`) could be ignored, so the secret reached the issuer.
#[test]
fn secret_columns_are_refused_in_every_spelling() {
    for name in [
        "passwordHash",
        "pinHash",
        "PIN_CODE",
        "pin-hash",
        "staff_pin_code",
        "hashedPassword",
        "OTPSecret",
        "userOtpSeed",
        "password.hash",
    ] {
        let e = RecordReader::new(&[name]).unwrap_err();
        assert!(
            e.to_string().contains("secret material"),
            "`{name}` can be ignored: {e}"
        );
        let row = format!(r#"{{"id": "u1", "roles": ["user"], "x": {{"{name}": "1234"}}}}"#);
        let e = RecordReader::new(&["x"])
            .unwrap()
            .read(&row)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("secret material"),
            "`{name}` inside an ignored column: {e}"
        );
    }
    // Words that only contain the letters are not secrets.
    for name in [
        "email",
        "shipping",
        "pinned_at",
        "spinner",
        "snippet",
        "hashtags",
        "notes",
    ] {
        assert!(RecordReader::new(&[name]).is_ok(), "{name}");
    }
}

/// `permsnap serve`, driven as a backend in another language would.
#[cfg(feature = "cli")]
mod serve {
    use serde_json::Value;
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

    struct Server {
        child: Child,
        input: ChildStdin,
        output: BufReader<ChildStdout>,
        dir: std::path::PathBuf,
    }

    impl Server {
        fn start(name: &str) -> Server {
            let dir =
                std::env::temp_dir().join(format!("permsnap-a2-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let bin = env!("CARGO_BIN_EXE_permsnap");
            let o = Command::new(bin)
                .args(["keygen", "--out", dir.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(o.status.success());
            let policy = format!("{}/presets/sitee.json", env!("CARGO_MANIFEST_DIR"));
            let key = dir.join("issuer.key");
            let mut child = Command::new(bin)
                .args(["serve", "--policy", &policy, "--key", key.to_str().unwrap()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let input = child.stdin.take().unwrap();
            let output = BufReader::new(child.stdout.take().unwrap());
            Server {
                child,
                input,
                output,
                dir,
            }
        }

        fn send(&mut self, bytes: &[u8]) -> Value {
            self.input.write_all(bytes).unwrap();
            self.input.write_all(b"\n").unwrap();
            self.input.flush().unwrap();
            let mut line = String::new();
            self.output.read_line(&mut line).unwrap();
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"))
        }

        fn ask(&mut self, request: &str) -> Value {
            self.send(request.as_bytes())
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    /// The policy's account was the default of every `issue` that named no
    /// account, also once other accounts were loaded: a request for a person
    /// of `acme` that forgot `tenant` got a snapshot of spa-lumi, with
    /// spa-lumi's role of the same id (here `admin`), valid at spa-lumi's edges.
    #[test]
    fn a_server_of_several_accounts_needs_the_account_named() {
        let mut s = Server::start("tenant");
        let a = s.ask(r#"{"op":"issue","record":{"id":"u1","roles":["user"]}}"#);
        assert_eq!(
            a["claims"]["tenant"], "spa-lumi",
            "one account: the default {a}"
        );
        let a = s.ask(r#"{"op":"roles","tenant":"acme","roles":[{"id":"admin","permissions":["calendar.view"]}]}"#);
        assert_eq!(a["ok"], true, "{a}");
        let a = s.ask(r#"{"op":"issue","record":{"id":"acme-clerk","roles":["admin"]}}"#);
        assert_eq!(
            (a["ok"].clone(), a["error"]["code"].clone()),
            (Value::Bool(false), Value::from("invalid_argument")),
            "issued for {}: {a}",
            a["claims"]["tenant"]
        );
        let a = s.ask(
            r#"{"op":"issue","tenant":"acme","record":{"id":"acme-clerk","roles":["admin"]}}"#,
        );
        assert_eq!(a["claims"]["tenant"], "acme", "{a}");
    }

    /// Request bytes that are not UTF-8 were replaced by U+FFFD, so that two
    /// different staff ids (`u\xff`, `u\xfe`) became one subject. Refused now.
    #[test]
    fn a_request_that_is_not_utf8_is_refused() {
        let mut s = Server::start("utf8");
        for bad in [&b"\xff"[..], &b"\xfe"[..]] {
            let mut req = br#"{"op":"issue","record":{"id":"u"#.to_vec();
            req.extend_from_slice(bad);
            req.extend_from_slice(br#"","roles":["user"]}}"#);
            let a = s.send(&req);
            assert_eq!(a["error"]["code"], "bad_encoding", "{a}");
        }
        assert_eq!(s.ask(r#"{"op":"ping"}"#)["ok"], true);
    }

    /// An overlong request line was answered `too_large`, but the rest of the
    /// line was read into memory whole before being dropped: a line without
    /// end grew the server without bound. Now it is skipped a buffer at a
    /// time (peak memory stays near the 16 MiB line limit).
    #[cfg(target_os = "linux")]
    #[test]
    fn an_overlong_line_is_skipped_without_keeping_it() {
        let mut s = Server::start("long");
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..160 {
            s.input.write_all(&chunk).unwrap();
        }
        let a = s.send(b"");
        assert_eq!(a["error"]["code"], "too_large", "{a}");
        assert_eq!(s.ask(r#"{"op":"ping"}"#)["ok"], true);
        let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id())).unwrap();
        let peak_kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        assert!(peak_kb < 80 * 1024, "peak {peak_kb} kB for a 160 MiB line");
    }
}
