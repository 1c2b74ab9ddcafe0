//! `tipdex show`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{finish, stdout, Context};
use tipdex::output::{cite, json, text};

/// Arguments of `tipdex show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Document id (or its first characters), a path to the file, or its file name
    #[arg(value_name = "ID|PATH")]
    pub document: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

/// Output formats of `show`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Human-readable
    Text,
    /// One JSON object
    Json,
    /// A CSL-JSON array of one item, for reference managers
    Csljson,
    /// One RIS record, for reference managers
    Ris,
}

/// Print one document's record.
pub fn run(ctx: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let record = store.find_record(&reader.searcher(), &args.document)?;
    let mut out = stdout();
    match args.format {
        ShowFormat::Json => json::write(&mut out, &json::show_json(&record, ctx.cwd.as_deref()))?,
        ShowFormat::Text => text::show(&mut out, &record, ctx.style, ctx.cwd.as_deref())?,
        // A record alone has no passage to quote: the item cites the whole document.
        ShowFormat::Csljson => cite::write_csljson(
            &mut out,
            &[cite::csl_item(&record, &[], ctx.cwd.as_deref())],
        )?,
        ShowFormat::Ris => cite::write_ris(&mut out, &record, &[], ctx.cwd.as_deref())?,
    }
    finish(out)
}
