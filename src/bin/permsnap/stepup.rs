//! `permsnap step-up`: Sign a step-up proof once the backend has checked
//! the PIN of a staff member at a shared front-desk account: the proof names
//! who gave it (never the PIN), the shared account's snapshot, the action,
//! the method and the canonical path; the edge accepts the request with it
//! in the `Permsnap-Step-Up` header for at most a minute.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Policy or catalog definition file (the catalog the snapshot was issued under).
    #[arg(long)]
    pub(crate) policy: PathBuf,
    /// Private key file written by `keygen`.
    #[arg(long)]
    pub(crate) key: PathBuf,
    /// The shared account's snapshot, as the request carried it (the text, or `-` for standard input: binary or text).
    #[arg(long)]
    pub(crate) snapshot: String,
    /// Staff id of the person who gave their PIN.
    #[arg(long)]
    pub(crate) actor: String,
    /// The permission the action needs.
    #[arg(long)]
    pub(crate) permission: String,
    /// The request method.
    #[arg(long)]
    pub(crate) method: String,
    /// The request's canonical path, without query.
    #[arg(long)]
    pub(crate) path: String,
    /// Seconds the proof lives, 1 to 60.
    #[arg(long, default_value_t = 60)]
    pub(crate) lifetime: u8,
    /// Issue time (seconds since the Unix epoch; default: now).
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    // Read once: standard input, `/dev/stdin` or a pipe read twice was
    // empty the second time, and the staff checks were skipped (re-review,
    // session 24).
    let policy_text = read_text(&args.policy)?;
    let issuer = Issuer::new(
        catalog_from_text(&policy_text, &args.policy)?,
        load_private_key(&args.key)?,
    )?;
    let snapshot = read_snapshot(&args.snapshot)?;
    let request = permsnap::StepUpRequest {
        actor: &args.actor,
        permission: &args.permission,
        method: &args.method,
        path: &args.path,
        lifetime: args.lifetime,
    };
    let now = args.now.unwrap_or_else(unix_now);
    // Signed only once the actor checks out (the snapshot is verified by
    // `step_up` first: the account it names is then the issuer's word).
    let proof = issuer.step_up(&snapshot, &request, now)?;
    let (_, desk) = wire::decode_unverified(&snapshot)?;
    check_actor(&args, &policy_text, &desk.tenant, now)?;
    if json {
        outln!("{}", step_up_json(&proof)?);
    } else {
        outln!("{}", base64url::encode(&proof));
    }
    Ok(0)
}

/// A policy file that lists its staff says who may act: the actor is one
/// of them, once, and active (it signed for a deactivated person, an id
/// the account does not have: attack review, session 17), of the desk
/// snapshot's account, and holds the permission themselves (another
/// account's desk, or a person whose record removes the permission, got a
/// proof the gate accepted: attack review, session 24), on standard input
/// too. A catalog, or a policy without staff, names nobody: the backend
/// checked its own staff.
fn check_actor(args: &Args, policy_text: &str, desk_tenant: &str, now: u64) -> Result<(), Error> {
    let names_staff = matches!(
        permsnap::strict_json::parse(policy_text),
        Ok(Value::Object(doc)) if doc.get("staff").is_some_and(|s| s.as_array().is_none_or(|s| !s.is_empty()))
    );
    if !names_staff {
        return Ok(());
    }
    // Staff that do not read refuse the proof (never skip the checks).
    let policy = policy_from_text(policy_text, &args.policy)?;
    if policy.tenant() != desk_tenant {
        return Err(Error::WrongTenant {
            expected: policy.tenant().to_owned(),
            found: desk_tenant.to_owned(),
        });
    }
    let record = policy.record(&args.actor)?;
    if !record.active {
        return Err(Error::Deactivated {
            staff: args.actor.clone(),
        });
    }
    if !policy
        .permissions_of(&args.actor, &IssueOptions::at(now))?
        .can(&args.permission)?
    {
        return Err(Error::StepUpRefused {
            detail: format!(
                "`{}` does not hold `{}` themselves: their PIN cannot stand for it",
                args.actor, args.permission
            ),
        });
    }
    Ok(())
}

/// A signed proof as JSON: the text to send, and what it says (its nonce
/// for the backend's single-use record).
pub(crate) fn step_up_json(proof: &[u8]) -> Result<Value, Error> {
    let parts = wire::split_framed(proof, &wire::STEP_UP_MAGIC, wire::MAX_STEP_UP_LEN)?;
    let p = wire::decode_step_up(parts.payload)?;
    Ok(
        json!({"ok": true, "proof": base64url::encode(proof), "header": "Permsnap-Step-Up",
              "actor": p.actor, "permission": p.permission, "method": p.method, "path": p.path,
              "nonce": hex(&p.nonce), "expires_at": p.expires_at()}),
    )
}
