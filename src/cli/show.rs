//! `tipdex show`.

use std::process::ExitCode;

use clap::Args;

use super::{finish, stdout, Context, OutputFormat};
use tipdex::output::{json, text};

/// Arguments of `tipdex show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Document id (or its first characters), a path to the file, or its file name
    #[arg(value_name = "ID|PATH")]
    pub document: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Print one document's record.
pub fn run(ctx: &Context, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let record = store.find_record(&reader.searcher(), &args.document)?;
    let mut out = stdout();
    match args.format {
        OutputFormat::Json => json::write(&mut out, &json::show_json(&record, ctx.cwd.as_deref()))?,
        OutputFormat::Text => text::show(&mut out, &record, ctx.style, ctx.cwd.as_deref())?,
    }
    finish(out)
}
