//! `permsnap validate`: Validate a policy file and report every staff member who could not get a snapshot.

use crate::common::*;
use crate::view::printable;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy file (JSON).
    pub(crate) policy: PathBuf,
    /// Also check a route table against the policy's catalog (errors and warnings).
    #[arg(long)]
    pub(crate) routes: Vec<PathBuf>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args { policy, routes } = args;

    let p = load_policy(&policy)?;
    let (mut problems, staff_warnings) = p.review();
    let mut warnings: Vec<String> = Vec::new();
    for path in &routes {
        match permsnap::guard::Gate::from_json(p.catalog(), &read_text(path)?) {
            Ok(gate) => warnings.extend(
                gate.warnings()
                    .iter()
                    .map(|w| format!("{}: {w}", path.display())),
            ),
            Err(Error::InvalidPolicy { at, detail }) => problems.push(Error::InvalidPolicy {
                at: format!("{}: {at}", path.display()),
                detail,
            }),
            Err(e) => problems.push(e),
        }
    }
    if json {
        let list: Vec<Value> = problems
            .iter()
            .map(|e| json!({"code": e.code(), "message": e.to_string()}))
            .collect();
        outln!(
            "{}",
            json!({"ok": problems.is_empty(), "fingerprint": p.catalog().fingerprint_hex(), "problems": list, "warnings": warnings,
                   "staff_warnings": staff_warnings.iter().map(|w| json!({"code": w.code, "staff": w.staff, "field": w.field, "message": w.to_string()})).collect::<Vec<_>>()})
        );
    } else {
        outln!(
            "{}: {} permissions, {} roles, {} staff, catalog revision {} fingerprint {}",
            policy.display(),
            p.catalog().permission_count(),
            p.account().roles().len(),
            p.staff().len(),
            p.catalog().revision(),
            p.catalog().fingerprint_hex()
        );
        // Names in a policy or a route table may hold control characters:
        // written escaped (attack review, session 25).
        for e in &problems {
            outln!("problem[{}]: {}", e.code(), printable(&e.to_string()));
        }
        for w in &warnings {
            outln!("warning: {}", printable(w));
        }
        for w in &staff_warnings {
            outln!("warning[{}]: {}", w.code, printable(&w.to_string()));
        }
        if problems.is_empty() {
            outln!(
                "ok: every role is valid and every active staff member can be issued a snapshot"
            );
        }
    }
    Ok(if problems.is_empty() { 0 } else { 1 })
}
