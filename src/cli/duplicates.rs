//! `tipdex duplicates`: the reprint groups of the index (documents with the same or nearly the
//! same text), largest first.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::{finish, stdout, Context, OutputFormat};
use tipdex::output::{json, safe};

/// Arguments of `tipdex duplicates`.
#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// List the groups with their documents, earliest first.
pub fn run(ctx: &Context, args: &DuplicatesArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_for_reading()?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let groups = store.reprints(&searcher)?;
    let mut records = Vec::with_capacity(groups.all().len());
    for keys in groups.all() {
        let mut members = Vec::with_capacity(keys.len());
        for &key in keys {
            if let Some(r) = store.record_by_key(&searcher, key)? {
                members.push(r);
            }
        }
        records.push(members);
    }
    let listing = json::duplicates_json(&records, ctx.cwd.as_deref());
    let mut out = stdout();
    match args.format {
        OutputFormat::Json => json::write(&mut out, &listing)?,
        OutputFormat::Text => {
            for g in &listing.groups {
                writeln!(
                    out,
                    "{} ({} documents)",
                    safe::line(&g.title),
                    g.documents.len()
                )?;
                for d in &g.documents {
                    let earliest = if g.original.as_deref() == Some(d.id.as_str()) {
                        "  earliest"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "  {:<10} {}{earliest}",
                        d.date.as_deref().unwrap_or("undated"),
                        safe::line(&d.path)
                    )?;
                }
            }
            writeln!(
                out,
                "{} groups of reprints, {} documents in them",
                listing.total_groups, listing.total_documents
            )?;
        }
    }
    finish(out)
}
