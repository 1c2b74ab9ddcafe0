//! `tipdex export`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{finish, stdout, Context};
use tipdex::export::{export, Target, DOCUMENTS, PASSAGES};
use tipdex::output::safe;

/// Arguments of `tipdex export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The engine the files are for
    #[arg(long, value_enum)]
    pub to: Engine,
    /// Folder to write the files into (created if missing; files of the same names are replaced)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Engines `export` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// OpenSearch or Elasticsearch: index definitions and `_bulk` NDJSON files
    Opensearch,
    /// Quickwit: index configs and NDJSON for `quickwit index ingest`
    Quickwit,
}

/// Export the index and say how to load it.
pub fn run(ctx: &Context, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_for_reading()?;
    let target = match args.to {
        Engine::Opensearch => Target::OpenSearch,
        Engine::Quickwit => Target::Quickwit,
    };
    let report = export(&store, &args.dir, target)?;
    let mut out = stdout();
    writeln!(
        out,
        "exported {} documents and {} passages into {} ({} files)",
        report.documents,
        report.passages,
        safe::line(&args.dir.display().to_string()),
        report.files.len()
    )?;
    let dir = safe::line(&args.dir.display().to_string()).into_owned();
    match target {
        Target::OpenSearch => {
            writeln!(out, "load with (URL of your cluster in $OS):")?;
            writeln!(out, "  curl -XPUT \"$OS/{DOCUMENTS}\" -H 'Content-Type: application/json' --data-binary @{dir}/documents.index.json")?;
            writeln!(out, "  curl -XPUT \"$OS/{PASSAGES}\" -H 'Content-Type: application/json' --data-binary @{dir}/passages.index.json")?;
            writeln!(out, "  for f in {dir}/*.bulk.ndjson; do curl -XPOST \"$OS/_bulk\" -H 'Content-Type: application/x-ndjson' --data-binary @\"$f\"; done")?;
        }
        Target::Quickwit => {
            writeln!(out, "load with:")?;
            writeln!(
                out,
                "  quickwit index create --index-config {dir}/documents.index.json"
            )?;
            writeln!(
                out,
                "  quickwit index create --index-config {dir}/passages.index.json"
            )?;
            writeln!(
                out,
                "  quickwit index ingest --index {DOCUMENTS} --input-path {dir}/documents.ndjson"
            )?;
            writeln!(
                out,
                "  quickwit index ingest --index {PASSAGES} --input-path {dir}/passages.ndjson"
            )?;
        }
    }
    finish(out)
}
