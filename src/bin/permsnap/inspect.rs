//! `permsnap inspect`: Decode a snapshot WITHOUT verifying it, for debugging.

use crate::common::*;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Snapshot: the text itself, or `-` for standard input (binary or text).
    pub(crate) snapshot: String,
    /// Policy or catalog file, to print names instead of indexes.
    #[arg(long)]
    pub(crate) catalog: Option<PathBuf>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<u8, Fail> {
    let Args { snapshot, catalog } = args;

    let bytes = read_snapshot(&snapshot)?;
    let (kid, claims) = wire::decode_unverified(&bytes)?;
    let cat = catalog.as_deref().map(load_catalog).transpose()?;
    let view = claims_json(&claims, cat.as_ref());
    if json {
        outln!(
            "{}",
            json!({"verified": false, "kid": kid, "bytes": bytes.len(),
                   "text_chars": base64url::encoded_len(bytes.len()), "claims": view})
        );
    } else {
        outln!("UNVERIFIED: the signature was NOT checked; never base a decision on this output.");
        outln!("{:<14} {}", "key id", printable(&kid));
        outln!(
            "{:<14} {} bytes binary, {} characters text",
            "size",
            bytes.len(),
            base64url::encoded_len(bytes.len())
        );
        print_view(&view);
    }
    Ok(0)
}
