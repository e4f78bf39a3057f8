//! `permsnap serve`: the issuer as a long-running process for backends in
//! any language: one JSON request per line on standard input, one JSON
//! answer per line on standard output, in order. The process loads the
//! catalog and the key once; an account's roles are loaded once per
//! `roles` request and kept. A bad request gets an error answer and
//! changes nothing; the process keeps serving.
//!
//! ```text
//! {"op":"roles","tenant":"spa-lumi","roles":[{"id":"reception","permissions":["calendar.view"]}]}
//! {"op":"issue","tenant":"spa-lumi","record":{"id":"u42","roles":["reception"],"version":3}}
//! {"op":"revoke","tenant":"spa-lumi","staff":[{"subject":"u42","before":4}]}
//! {"op":"feed","tenant":"spa-lumi","notices":["UFNS..."]}
//! {"op":"step_up","snapshot":"UFNO...","actor":"u42","permission":"pos.sell","method":"POST","path":"/api/sales"}
//! ```
//! `roles` may carry the account's `features` (ids of the catalog's).
//! Every request may carry `"ref"` (a string, or an integer of at most
//! 2^53 - 1 in magnitude), echoed exactly in its answer.

use crate::common::*;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::BufRead;

/// Longest request line: 16 MiB (a record with many specific ids).
const MAX_LINE: usize = 16 << 20;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file: its catalog, and its account's roles as the default
    /// account while no other is loaded (staff in it are not used).
    #[arg(long)]
    pub(crate) policy: PathBuf,
    /// Private key file written by `keygen`.
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// A record column to drop (e.g. `email`); repeatable. Any other
    /// unknown column is an error.
    #[arg(long = "ignore-field")]
    pub(crate) ignore: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueReq {
    /// Left out: the only account loaded; `null` (a NULL column) is
    /// refused, not read as left out (attack review, session 16).
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    tenant: Option<String>,
    record: Value,
    #[serde(default)]
    epoch: u32,
    /// Left out: the default; `null` is refused, not read as it.
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    lifetime: Option<u32>,
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    now: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesReq {
    tenant: String,
    roles: Value,
    #[serde(default)]
    features: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepUpReq {
    snapshot: String,
    actor: String,
    permission: String,
    method: String,
    path: String,
    #[serde(default = "one_minute")]
    lifetime: u8,
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    now: Option<u64>,
}

fn one_minute() -> u8 {
    60
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffReq {
    subject: String,
    before: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeReq {
    tenant: String,
    #[serde(default)]
    before_epoch: u32,
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    staff: Vec<StaffReq>,
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    now: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedReq {
    /// The account; `null` is refused. A feed of every account says so
    /// (`all_accounts`).
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    tenant: Option<String>,
    /// A feed of every account, said outright: a `tenant` left out is
    /// refused (an encoder dropping an empty or NULL column, Go's
    /// `omitempty` or JSON.stringify's `undefined`, signed a head every
    /// account's edges took as current, without their notices: attack
    /// review, session 18).
    #[serde(default)]
    all_accounts: bool,
    notices: Vec<String>,
    #[serde(default, deserialize_with = "permsnap::strict_json::present")]
    now: Option<u64>,
}

/// Whether a line (its end cut) may be the start of a request spread over
/// several lines: JSON that ends too early (a cut inside an object, a
/// string or an escape), read with invalid UTF-8 replaced (a cut inside a
/// character), or a line holding a carriage return that does not read (a
/// backend ending its requests with `\r` alone).
fn fragment(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let parsed = serde_json::from_str::<serde::de::IgnoredAny>(&text);
    parsed.as_ref().is_err_and(|e| e.is_eof()) || (text.contains('\r') && parsed.is_err())
}

/// The ops other than `roles`: a line whose every op is one of these
/// (read leniently) cannot have been a roles edit.
const OTHER_OPS: [&str; 5] = ["issue", "revoke", "feed", "step_up", "ping"];

/// The op of a line too long to parse, when it is one of [`OTHER_OPS`]:
/// the top-level `"op"` member found in its first 4 KiB, after members
/// read whole there (`{"epoch":0,"op":"issue",…`, as Go's maps and
/// Python's `sort_keys` write it: only a first `"op"` was read, and such a
/// line unloaded every account; attack review, session 24). Keys and the
/// op are read without escapes; anything else is `None`.
fn leading_other_op(line: &[u8]) -> Option<&'static str> {
    let head = line.get(..line.len().min(4096))?;
    let mut at = Scan { bytes: head, i: 0 };
    at.expect(b'{')?;
    loop {
        let key = at.plain_string()?;
        at.expect(b':')?;
        if key == b"op" {
            let op = at.plain_string()?;
            at.ws();
            matches!(at.peek()?, b',' | b'}').then_some(())?;
            return OTHER_OPS.into_iter().find(|o| o.as_bytes() == op);
        }
        at.skip_value()?;
        at.expect(b',')?;
    }
}

/// A cursor over the head of a line ([`leading_other_op`]).
struct Scan<'a> {
    bytes: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek()? == b).then(|| self.i += 1)
    }

    /// A string without escapes: its bytes.
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.i;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => return None,
                _ => self.i += 1,
            }
        }
        let bytes: &'a [u8] = self.bytes;
        let s = bytes.get(start..self.i)?;
        self.i += 1;
        Some(s)
    }

    /// Skips one value whole (strings with their escapes, nested objects
    /// and arrays), or `None` when the head ends first.
    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        let mut depth = 0usize;
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => loop {
                    match self.peek()? {
                        b'\\' => self.i += 2,
                        b'"' => {
                            self.i += 1;
                            break;
                        }
                        _ => self.i += 1,
                    }
                },
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1)?,
                _ => {}
            }
            if depth == 0
                && matches!(
                    self.peek(),
                    Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                )
            {
                return Some(());
            }
        }
    }
}

/// The account a request's `tenant` names: its text, or the digits of an
/// integer (`42` from an integer column). Anything else (`42.0`, `4.2e1`,
/// an object) names no account that can be told: the caller unloads
/// every account.
fn tenant_named(tenant: &Value) -> Option<String> {
    match tenant {
        // An empty or blank one (`""`, a NULL column) names none either.
        Value::String(t) if permsnap::issuer::accounts_named(t).is_none() => None,
        Value::String(t) => Some(t.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON object's members in order, repeated keys included: how
/// [`Server::unreadable`] reads a line the strict parser refused.
struct Pairs(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, Value>()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(Members)
    }
}

struct Server {
    issuer: Issuer,
    reader: RecordReader,
    default_tenant: String,
    accounts: HashMap<String, Account>,
    /// Set once a line held the start of a request spread over several
    /// lines: why every later line is refused.
    out_of_step: Option<String>,
    /// Lines read so far (for messages).
    lines: u64,
    /// Whether a second account was ever loaded: from then on `issue`
    /// must name its account, even once others were unloaded.
    several: bool,
}

pub(crate) fn run(args: Args, _json: bool) -> Result<u8, Fail> {
    let policy = load_policy(&args.policy)?;
    let key = load_private_key(&args.key)?;
    let mut server = Server {
        issuer: Issuer::new(policy.catalog().clone(), key)?,
        reader: match policy.catalog().def() {
            Some(def) => RecordReader::for_catalog(&args.ignore, def)?,
            None => RecordReader::new(&args.ignore)?,
        },
        default_tenant: policy.tenant().to_owned(),
        accounts: HashMap::from([(policy.tenant().to_owned(), policy.account().clone())]),
        out_of_step: None,
        lines: 0,
        several: false,
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| io_err(Path::new("-"), e))?;
        if n == 0 {
            return Ok(0);
        }
        server.lines += 1;
        // The line's own bytes: a request of exactly MAX_LINE bytes fills
        // the read with its newline, and is no longer than allowed.
        let ended = line.last() == Some(&b'\n');
        let answer = if line.len() - usize::from(ended) > MAX_LINE {
            // Skip the rest of the overlong line without keeping it; only
            // when the read stopped inside it (attack review, session 14: a
            // line of exactly MAX_LINE bytes dropped the next request, and
            // every later answer went to the request after its own).
            let skipped = if ended {
                0
            } else {
                skip_line(&mut input).map_err(|e| io_err(Path::new("-"), e))?
            };
            // A line opening with another op than `roles` cannot have
            // been a roles edit: it unloads nothing (one user's 17 MB
            // free-text column unloaded every account: attack review,
            // session 18). Anything else still unloads every account.
            let lead = leading_other_op(&line).map(|op| format!(r#"{{"op":"{op}"}}"#));
            server.unreadable(
                Error::TooLarge {
                    limit: MAX_LINE,
                    actual: line.len().saturating_add(skipped),
                },
                lead.as_deref(),
            )
        } else {
            // The line without its end (`\n`, `\r\n`).
            let body = line.strip_suffix(b"\n").unwrap_or(&line);
            let body = body.strip_suffix(b"\r").unwrap_or(body);
            // Blank by JSON's whitespace only: a line of U+00A0 or U+3000
            // is answered, not skipped (one answer per line).
            if body.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                continue;
            }
            if server.out_of_step.is_none() && fragment(body) {
                server.out_of_step_now()
            } else {
                match std::str::from_utf8(body) {
                    // Never replaced by U+FFFD: two different ids would become one.
                    Err(e) => server.unreadable(
                        Error::BadEncoding {
                            detail: format!("a request is UTF-8 text ({e})"),
                        },
                        None,
                    ),
                    Ok(text) => server.answer(text),
                }
            }
        };
        // U+2028, U+2029 and U+0085 (a `ref`, a column name quoted in a
        // message) are line ends to Unicode-aware readers (Python's
        // `splitlines`, JavaScript's): escaped, one answer stays one line
        // (attack review, session 14). serde_json writes them only inside
        // strings, where the escape means the same.
        let answer = answer
            .to_string()
            .replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .replace('\u{85}', "\\u0085");
        writeln!(out, "{answer}").map_err(|e| io_err(Path::new("-"), e))?;
        out.flush().map_err(|e| io_err(Path::new("-"), e))?;
    }
}

/// Reads and drops input up to the end of the line (or of the input),
/// holding one buffer at a time; returns the number of bytes dropped.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<usize> {
    let mut skipped = 0usize;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        let (used, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(at) => (at + 1, true),
            None => (buf.len(), false),
        };
        input.consume(used);
        skipped = skipped.saturating_add(used);
        if done {
            return Ok(skipped);
        }
    }
}

/// A `ref` that comes back as it was sent: a string, or an integer every
/// language holds exactly. A large number came back rounded, so two
/// requests got the same `ref`; `1e2` came back `100.0` (attack review,
/// session 24).
fn echoable(reference: &Value) -> bool {
    const MAX: u64 = (1 << 53) - 1;
    match reference {
        Value::String(_) => true,
        Value::Number(n) => {
            n.as_u64().is_some_and(|n| n <= MAX)
                || n.as_i64().is_some_and(|n| n.unsigned_abs() <= MAX)
        }
        _ => false,
    }
}

fn failure(error: Error, reference: Option<Value>) -> Value {
    let mut v = json!({"ok": false, "error": {"code": error.code(), "message": error.to_string()}});
    if let (Some(r), Value::Object(map)) = (reference, &mut v) {
        map.insert("ref".into(), r);
    }
    v
}

fn parse<T: serde::de::DeserializeOwned>(op: &str, v: Value) -> Result<T, Error> {
    serde_json::from_value(v).map_err(|e| Error::InvalidArgument {
        detail: format!("`{op}` request: {e}"),
    })
}

impl Server {
    fn answer(&mut self, line: &str) -> Value {
        if let Some(refused) = self.refused_out_of_step() {
            return refused;
        }
        let mut request = match permsnap::strict_json::parse(line) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return self.unreadable(
                    Error::InvalidArgument {
                        detail: "a request is a JSON object with an `op`".into(),
                    },
                    Some(line),
                )
            }
            Err(e) => {
                return self.unreadable(
                    Error::InvalidArgument {
                        detail: format!("a request is one line of JSON: {e}"),
                    },
                    Some(line),
                )
            }
        };
        // An unknown op (`"Roles"`, `"set_account"`) may have been a roles
        // edit too (attack review, session 14).
        let known = |op: &str| op == "roles" || OTHER_OPS.contains(&op);
        if !request.get("op").and_then(Value::as_str).is_some_and(known) {
            let detail = match request.get("op").and_then(Value::as_str) {
                Some(op) => {
                    format!("unknown op `{op}`: issue, roles, revoke, feed, step_up or ping")
                }
                None => {
                    "a request names its `op`: issue, roles, revoke, feed, step_up or ping".into()
                }
            };
            return self.unreadable(Error::InvalidArgument { detail }, Some(line));
        }
        let reference = request.remove("ref");
        if let Some(r) = reference.as_ref().filter(|r| !echoable(r)) {
            // Refused as a line that does not read is: one that may be a
            // roles edit unloads the accounts it names, and says so.
            let detail = format!(
                "`ref` is a string or an integer of at most 2^53 - 1 in magnitude, echoed exactly; {}",
                if r.is_number() {
                    "this number would come back changed"
                } else {
                    "null, true or false, an object or an array is not echoed"
                }
            );
            return self.unreadable(Error::InvalidArgument { detail }, Some(line));
        }
        let op = request.remove("op");
        let result = match op.as_ref().and_then(Value::as_str) {
            Some(op) => self.run(op, Value::Object(request)),
            None => Err(Error::InvalidArgument {
                detail: "a request names its `op`".into(),
            }),
        };
        match result {
            Ok(mut v) => {
                if let (Some(r), Value::Object(map)) = (reference, &mut v) {
                    map.insert("ref".into(), r);
                }
                v
            }
            Err(e) => failure(e, reference),
        }
    }

    /// The answer to every line once out of step, saying since when.
    fn refused_out_of_step(&self) -> Option<Value> {
        let why = self.out_of_step.clone()?;
        Some(failure(Error::InvalidArgument { detail: why }, None))
    }

    /// The start of a request spread over several lines (see [`fragment`]):
    /// each of its lines would get an answer, and a backend pairing
    /// answers with requests by order would give the answer of one
    /// person's request to another's (attack review, session 14). From
    /// here on every line is refused, so no answer can be misread.
    fn out_of_step_now(&mut self) -> Value {
        let why = format!(
            "out of step since line {}, which holds the start of a request spread over several \
             lines (pretty-printed JSON, a line end inside a value?): answers can no longer be \
             paired with requests, so every line is refused; write one request per line and \
             restart permsnap serve",
            self.lines
        );
        self.out_of_step = Some(why.clone());
        self.accounts.clear();
        failure(Error::InvalidArgument { detail: why }, None)
    }

    /// The answer to a request that does not read (not one line of UTF-8
    /// JSON, a duplicate key, a `NaN`, over 16 MiB, no `op`...). It may
    /// have been a `roles` edit narrowing someone's powers, and the roles
    /// of before it must not stay in force (attack review, session 14):
    /// read leniently, a line whose every `op` is a known other one
    /// unloads nothing; otherwise the accounts it names are unloaded, or every
    /// account when it names none that can be read. The answer says which.
    fn unreadable(&mut self, error: Error, line: Option<&str>) -> Value {
        if let Some(refused) = self.refused_out_of_step() {
            return refused;
        }
        let pairs = line.and_then(|l| serde_json::from_str::<Pairs>(l).ok());
        let values = |key: &str| -> Vec<&Value> {
            pairs
                .iter()
                .flat_map(|p| &p.0)
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v)
                .collect()
        };
        let ops = values("op");
        let reference = match values("ref").as_slice() {
            [one] if echoable(one) => Some((*one).clone()),
            _ => None,
        };
        let mut answer = failure(error, reference);
        // Only a known op other than `roles` (a mistyped `"Roles"` or
        // `"set_account"` may have been a roles edit).
        let other_op = !ops.is_empty()
            && ops
                .iter()
                .all(|o| o.as_str().is_some_and(|o| OTHER_OPS.contains(&o)));
        if other_op {
            return answer;
        }
        let named = values("tenant");
        let readable: Option<Vec<String>> = named.iter().map(|t| tenant_named(t)).collect();
        let note = match readable {
            Some(mut tenants) if !tenants.is_empty() => {
                tenants.sort();
                tenants.dedup();
                for t in &tenants {
                    self.unload(t);
                }
                format!(
                    "; account `{}` is unloaded (this line may have been its roles edit): send its roles again",
                    tenants.join("`, `")
                )
            }
            _ => {
                self.accounts.clear();
                "; every account is unloaded (this line may have been a roles edit, and names no \
                 account that can be read): send each account's roles again"
                    .to_owned()
            }
        };
        if let Some(Value::String(m)) = answer.pointer_mut("/error/message") {
            m.push_str(&note);
        }
        answer
    }

    /// Unloads account `tenant`, and the account it meant when it is
    /// padded or holds invisible characters (refused as an id); an empty
    /// or blank one names no account that can be told: every account.
    fn unload(&mut self, tenant: &str) {
        match permsnap::issuer::accounts_named(tenant) {
            Some(named) => {
                // And their twins in other letter case (re-review, session 24).
                let twins = permsnap::issuer::case_twins(&named, &mut self.accounts.keys());
                for t in named.iter().chain(&twins) {
                    self.accounts.remove(t);
                }
            }
            None => self.accounts.clear(),
        }
    }

    fn run(&mut self, op: &str, request: Value) -> Result<Value, Error> {
        /// A request's `now` (seconds), or the clock: one in milliseconds
        /// (or past the year 9999) is refused, as the issuer refuses it,
        /// for notices, feeds and step-up proofs too.
        fn now_of(now: Option<u64>) -> Result<u64, Error> {
            match now {
                None => Ok(unix_now()),
                Some(t) if t <= permsnap::wire::MAX_TIME => Ok(t),
                Some(t) => Err(Error::InvalidArgument {
                    detail: format!(
                        "`now` is seconds since the Unix epoch, got {t} (milliseconds?)"
                    ),
                }),
            }
        }
        match op {
            "issue" => {
                let r: IssueReq = parse(op, request)?;
                // The policy's account is the default only while it is the
                // only one: a request that forgot `tenant` on a server of
                // several accounts would get another account's powers
                // through a role of the same id.
                let tenant =
                    match r.tenant {
                        Some(t) => t,
                        // Until a second account was ever loaded: the
                        // policy's (once unloaded, it says to send roles).
                        None if !self.several => self.default_tenant.clone(),
                        None => return Err(Error::InvalidArgument {
                            detail:
                                "this server holds several accounts: name the account (`tenant`)"
                                    .into(),
                        }),
                    };
                let account = self
                    .accounts
                    .get(&tenant)
                    .ok_or_else(|| Error::InvalidArgument {
                        detail: format!(
                            "no roles loaded for account `{tenant}`: send a `roles` request first"
                        ),
                    })?
                    .clone()
                    .with_epoch(r.epoch);
                let staff = self.reader.read_value(r.record)?;
                let mut opts = IssueOptions::at(now_of(r.now)?);
                if let Some(l) = r.lifetime {
                    opts.lifetime = l;
                }
                let snap = self.issuer.issue(&account, &staff, &opts)?;
                Ok(crate::issue::issued_json(&snap, self.issuer.catalog()))
            }
            "roles" => {
                // Any refusal unloads the account it names, a request that
                // does not read included (`"features": "none"`, a
                // misspelled key): its staff get no snapshot until a table
                // is accepted, rather than keep the roles of before the
                // edit (which may have been wider).
                let named = request.get("tenant").cloned();
                let loaded = parse::<RolesReq>(op, request).and_then(|r| {
                    let account = Account::from_json(
                        self.issuer.catalog(),
                        r.tenant.clone(),
                        &r.roles.to_string(),
                        r.features,
                    )?;
                    Ok((r.tenant, account))
                });
                // An account loaded in other letter case: refused, and
                // both unloaded below (`unload` takes the twins too).
                let loaded = loaded.and_then(|(tenant, account)| {
                    let twins = permsnap::issuer::case_twins(
                        std::slice::from_ref(&tenant),
                        &mut self.accounts.keys(),
                    );
                    match twins.first() {
                        Some(twin) => Err(permsnap::issuer::case_twin_error(&tenant, twin)),
                        None => Ok((tenant, account)),
                    }
                });
                let (tenant, account) = match loaded {
                    Ok(loaded) => loaded,
                    Err(e) => {
                        // A tenant that is no text (`42` from an integer
                        // column) still names the account `42`; one that
                        // names nothing unloads every account.
                        match named.as_ref().and_then(tenant_named) {
                            Some(t) => self.unload(&t),
                            None => self.accounts.clear(),
                        }
                        return Err(e);
                    }
                };
                let problems: Vec<Value> = account
                    .roles()
                    .problems()
                    .iter()
                    .map(|(id, p)| json!({"role": id, "problem": p}))
                    .collect();
                let count = account.roles().len();
                self.several |= tenant != self.default_tenant;
                self.accounts.insert(tenant, account);
                Ok(json!({"ok": true, "roles": count, "problems": problems}))
            }
            "revoke" => {
                let r: RevokeReq = parse(op, request)?;
                let staff: Vec<String> = r
                    .staff
                    .iter()
                    .map(|s| format!("{}={}", s.subject, s.before))
                    .collect();
                let notice = crate::revoke::notice(
                    r.tenant,
                    now_of(r.now)?,
                    r.before_epoch,
                    &r.ids,
                    &staff,
                )?;
                let text = base64url::encode(&self.issuer.revoke(&notice)?);
                Ok(crate::revoke::notice_json(&text, &notice))
            }
            "feed" => {
                let r: FeedReq = parse(op, request)?;
                let tenant = crate::feed::feed_account(r.tenant.as_deref(), r.all_accounts)?;
                let mut doc =
                    crate::feed::feed_doc(self.issuer.key(), tenant, now_of(r.now)?, &r.notices)?;
                if let Value::Object(map) = &mut doc {
                    map.insert("ok".into(), Value::Bool(true));
                }
                Ok(doc)
            }
            "step_up" => {
                let r: StepUpReq = parse(op, request)?;
                let request = permsnap::StepUpRequest {
                    actor: &r.actor,
                    permission: &r.permission,
                    method: &r.method,
                    path: &r.path,
                    lifetime: r.lifetime,
                };
                let now = now_of(r.now)?;
                let proof = self.issuer.step_up(r.snapshot.as_bytes(), &request, now)?;
                crate::stepup::step_up_json(&proof)
            }
            "ping" => parse::<serde_json::Map<String, Value>>(op, request).and_then(|m| {
                if m.is_empty() {
                    Ok(json!({"ok": true}))
                } else {
                    Err(Error::InvalidArgument {
                        detail: "`ping` takes no arguments".into(),
                    })
                }
            }),
            other => Err(Error::InvalidArgument {
                detail: format!(
                    "unknown op `{other}`: issue, roles, revoke, feed, step_up or ping"
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::leading_other_op;

    #[test]
    fn an_overlong_line_is_known_by_its_top_level_op_in_its_head() {
        for (line, op) in [
            (&br#"{"op":"issue","record":{"#[..], Some("issue")),
            (b" {\t\"op\" : \"ping\" }", Some("ping")),
            (br#"{"op":"roles","tenant":"a""#, None),
            (br#"{"op":"issues","x":1"#, None),
            (br#"{"op":"iss\u0075e","x":1"#, None),
            (br#"{"tenant":"a","op":"issue","record":{"#, Some("issue")),
            (
                &br#"{"epoch":0,"lifetime":900,"op":"issue","record":{"#[..],
                Some("issue"),
            ),
            (
                br#"{"x":{"op":"roles","y":[1,"]"]},"op":"ping","#,
                Some("ping"),
            ),
            (br#"{"x":"a\"op\":\"ping","op":"roles","#, None),
            (br#"{"tenant":"a","op":"roles","#, None),
            (br#"{"t\u0065nant":"a","op":"issue","#, None),
            (br#"{"record":{"id":"u","name":"#, None),
            (br#"{"op":"issue"x"#, None),
            (b"", None),
        ] {
            assert_eq!(
                leading_other_op(line),
                op,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
