//! `permsnap`: generate keys, issue, inspect, verify and check snapshots,
//! export the public catalog and TypeScript constants.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use clap::{Parser, Subcommand};

/// `println!` that ends the process quietly (status 141, never 0) when
/// stdout is closed early (`permsnap catalog ... | head`), where `println!`
/// panics with a backtrace.
macro_rules! outln {
    ($($t:tt)*) => { $crate::common::write_out(format_args!($($t)*), true) };
}

/// `print!`, the same way.
macro_rules! out {
    ($($t:tt)*) => { $crate::common::write_out(format_args!($($t)*), false) };
}

mod catalog;
mod check;
mod codegen;
mod common;
mod feed;
mod gate;
mod inspect;
mod issue;
mod keygen;
mod keys;
mod revoke;
mod serve;
mod stepup;
mod validate;
mod verify;
mod view;

use common::Fail;
use serde_json::json;
use std::process::ExitCode;
use view::printable;

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
    Keygen(keygen::Args),

    /// Validate a policy file and report every staff member who could not get a snapshot.
    Validate(validate::Args),

    /// Issue a signed snapshot for one staff member: named in the policy
    /// (--staff) or given as a database record (--record JSON, or - for stdin).
    Issue(issue::Args),

    /// Run the issuer as a long-running process: one JSON request per line
    /// on stdin (issue, roles, revoke, feed, ping), one JSON answer per line.
    Serve(serve::Args),

    /// Decode a snapshot WITHOUT verifying it, for debugging.
    Inspect(inspect::Args),

    /// Verify a snapshot; exits 1 with the error code when it is refused.
    Verify(verify::Args),

    /// Verify a snapshot and check one permission: exit 0 allowed, 1 denied,
    /// 2 refused or error, 3 allowed only with a PIN step-up proof.
    Check(check::Args),

    /// Ask the edge route guard about one request, as an edge function would:
    /// exit 0 when allowed, 1 when answered 400/401/403/404/405/503.
    Gate(gate::Args),

    /// Print the public catalog (no roles, no staff): its fingerprint and
    /// revisions, the compiled catalog (`binary`, base64url) that browsers
    /// and edges load, and the definition as JSON.
    Catalog(catalog::Args),

    /// Print TypeScript constants and types for the catalog's names, and
    /// the `Register` augmentation that makes `can`, `useCan` and `<Can>`
    /// accept only those names (a typo fails to type-check).
    Codegen(codegen::Args),

    /// Sign a revocation notice for one account: nothing issued before an
    /// epoch, individual snapshot ids, and/or per person nothing issued
    /// before a version (--staff ID=VERSION).
    Revoke(revoke::Args),

    /// Sign a feed head for revocation notices and print the feed edges
    /// load: {"head": .., "notices": [..]}.
    Feed(feed::Args),

    /// Sign a step-up proof once your backend has checked a staff member's PIN (never given to permsnap) at a shared
    /// account: the edge accepts the action with it (header
    /// `Permsnap-Step-Up`) for at most a minute, attributed to that person.
    StepUp(stepup::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failed(e),
    };
    let json = cli.json;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fail { code, error }) => {
            if json {
                outln!(
                    "{}",
                    json!({"ok": false, "error": {"code": error.code(), "message": error.to_string()}})
                );
            } else {
                eprintln!("error[{}]: {}", error.code(), printable(&error.to_string()));
            }
            ExitCode::from(code)
        }
    }
}

/// Help and version exit 0 only when asked for alone (`permsnap check
/// --help`): among other arguments, `-h` may be a value a script passed
/// (`permsnap check "$COOKIE" payments.view` with the cookie `--help`),
/// and 0 reads "allowed" from `check` and `gate` (attack review,
/// session 14). Then nothing was checked: exit 2. Values that may start
/// with `-` go after `--`.
fn parse_failed(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    let _ = e.print();
    // `permsnap --help`, `permsnap check --help`: nothing else given.
    let alone = std::env::args_os().count() <= 3;
    if shown && alone {
        return ExitCode::SUCCESS;
    }
    if shown {
        eprintln!(
            "error[invalid_argument]: `--help` or `--version` among other arguments: nothing was checked \
             (put values that may start with `-` after `--`)"
        );
    }
    ExitCode::from(2)
}

fn run(cli: Cli) -> Result<u8, Fail> {
    let json = cli.json;
    match cli.command {
        Command::Keygen(args) => keygen::run(args, json),
        Command::Validate(args) => validate::run(args, json),
        Command::Issue(args) => issue::run(args, json),
        Command::Inspect(args) => inspect::run(args, json),
        Command::Verify(args) => verify::run(args, json),
        Command::Check(args) => check::run(args, json),
        Command::Gate(args) => gate::run(args, json),
        Command::Catalog(args) => catalog::run(args, json),
        Command::Codegen(args) => codegen::run(args, json),
        Command::Revoke(args) => revoke::run(args, json),
        Command::Serve(args) => serve::run(args, json),
        Command::Feed(args) => feed::run(args, json),
        Command::StepUp(args) => stepup::run(args, json),
    }
}
