//! `permsnap gate`: ask the edge route guard about one request, as an edge function would:
//! exit 0 when allowed, 1 when answered 400/401/403/404/405/503.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Route table (`routes/<preset>.json`).
    #[arg(long)]
    pub(crate) routes: PathBuf,
    /// HTTP method, e.g. `GET`.
    pub(crate) method: String,
    /// Request target as sent, e.g. `/api/payments?x=1`.
    pub(crate) path: String,
    /// Snapshot sent as `Authorization: Permsnap <snapshot>` (the text, or `-` for standard input: binary or text).
    #[arg(long)]
    pub(crate) snapshot: Option<String>,
    /// `Cookie` header to send instead.
    #[arg(long)]
    pub(crate) cookie: Option<String>,
    /// `X-HTTP-Method-Override` header to send.
    #[arg(long)]
    pub(crate) method_override: Option<String>,
    /// `Permsnap-Step-Up` header to send: a step-up proof (`permsnap step-up`).
    #[arg(long)]
    pub(crate) step_up: Option<String>,
    #[command(flatten)]
    pub(crate) v: VerifyArgs,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args {
        routes,
        method,
        path,
        snapshot,
        cookie,
        method_override,
        step_up,
        v,
    } = args;

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
        step_up: step_up.as_deref(),
    };
    let d = gate.check(&mut verifier, &request, now);
    if json {
        outln!("{}", serde_json::to_string(&d).unwrap_or_default());
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
        let actor = d
            .actor
            .as_deref()
            .map(|a| format!(" acting as `{a}`"))
            .unwrap_or_default();
        outln!(
            "{} {}{who}{actor}{route}: {}",
            d.status,
            d.code,
            printable(&d.message)
        );
    }
    Ok(if d.allowed() { 0 } else { 1 })
}
