//! `tipdex check`.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::{stdout, Context};
use tipdex::output::safe;
use tipdex::store::check::verify;

/// Arguments of `tipdex check`.
#[derive(Debug, Args)]
pub struct CheckArgs {}

/// Read the whole index and say whether it is sound; exit 1 when it is damaged.
pub fn run(ctx: &Context, _args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let report = verify(&ctx.index_dir)?;
    let shown = ctx.index_dir.display().to_string();
    let index = safe::line(&shown);
    let mut out = stdout();
    if report.problems.is_empty() {
        writeln!(
            out,
            "{index}: no damage found ({} segments, {} document records and {} passages read, {} posting lists decoded)",
            report.segments, report.records, report.passages, report.posting_lists
        )?;
        if report.incomplete {
            writeln!(
                out,
                "note: the last indexing run did not finish; run `{}` to finish it",
                ctx.index_command()
            )?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{index} is damaged:")?;
    for p in &report.problems {
        let file = p.file.as_ref().map_or_else(
            || "  ".to_string(),
            |f| format!("  {}: ", ctx.index_dir.join(f).display()),
        );
        writeln!(out, "{}{}", safe::line(&file), safe::line(&p.what))?;
    }
    let vectors_only = report.problems.iter().all(|p| {
        p.file
            .as_ref()
            .is_some_and(|f| f.starts_with(tipdex::semantic::vectors::FOLDER))
    });
    if vectors_only {
        writeln!(
            out,
            "Only semantic vectors are damaged; `tipdex index --semantic --index {index}` embeds their documents again"
        )?;
    } else {
        writeln!(
            out,
            "Your source folders are untouched; rebuild the index from them with `tipdex index --full --index {index}`"
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(1))
}
