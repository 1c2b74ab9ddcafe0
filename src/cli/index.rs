//! `tipdex index`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Context, DEFAULT_DATA};
use tipdex::indexer::{index_roots, Change, IndexOptions, IndexReport, Progress};
use tipdex::store::Store;

/// Arguments of `tipdex index`.
#[derive(Debug, Args, Default)]
pub struct IndexArgs {
    /// Files or folders to index [default: the roots already in the index, else data/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Rebuild the index from scratch instead of updating it
    #[arg(long)]
    pub full: bool,
    /// Skip files larger than this many megabytes
    #[arg(long, value_name = "MB", default_value_t = 64)]
    pub max_file_size: u64,
    /// Memory for the index writer, in megabytes
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub memory: usize,
    /// List every file and what happened to it
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing but errors
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl IndexArgs {
    /// Settings for the automatic first index before a search.
    pub fn quiet() -> IndexArgs {
        IndexArgs {
            quiet: true,
            max_file_size: 64,
            memory: 256,
            ..IndexArgs::default()
        }
    }
}

/// `tipdex index`.
pub fn run(ctx: &Context, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let roots = if !args.paths.is_empty() {
        args.paths.clone()
    } else {
        let known = if Store::exists(&ctx.index_dir) {
            Store::open(&ctx.index_dir)?.info()?.roots
        } else {
            Vec::new()
        };
        if known.is_empty() {
            vec![PathBuf::from(DEFAULT_DATA)]
        } else {
            known
        }
    };
    run_index(ctx, &roots, args)
}

/// Index `roots` into the context's index and print the summary.
pub fn run_index(ctx: &Context, roots: &[PathBuf], args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let options = IndexOptions {
        full: args.full,
        max_file_bytes: args.max_file_size.saturating_mul(1024 * 1024),
        writer_memory: args.memory.saturating_mul(1024 * 1024),
        ..IndexOptions::default()
    };
    let verbose = args.verbose;
    let mut stderr = std::io::stderr();
    let mut on_progress = |p: Progress| {
        if let Progress::File {
            path,
            change,
            reason,
        } = p
        {
            let show = verbose || matches!(change, Change::Failed);
            if show && !args.quiet || matches!(change, Change::Failed) {
                let what = match change {
                    Change::Added => "added",
                    Change::Updated => "updated",
                    Change::Unchanged => "unchanged",
                    Change::Removed => "removed",
                    Change::Skipped => "skipped",
                    Change::Failed => "FAILED",
                };
                let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
                let _ = writeln!(stderr, "{what:>9}  {}{why}", path.display());
            }
        }
    };
    let report = index_roots(&ctx.index_dir, roots, &options, &mut on_progress)?;
    if !args.quiet {
        print_summary(ctx, &report)?;
    }
    for w in &report.warnings {
        eprintln!("tipdex: warning: {}: {}", w.path.display(), w.reason);
    }
    if report.is_clean() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "tipdex: {} file(s) failed and {} had warnings; the rest were indexed",
            report.failed.len(),
            report.warnings.len()
        );
        Ok(ExitCode::from(1))
    }
}

fn print_summary(ctx: &Context, r: &IndexReport) -> std::io::Result<()> {
    let mut out = super::stdout();
    writeln!(
        out,
        "indexed into {}: {} added, {} updated, {} removed, {} unchanged, {} skipped, {} failed ({} passages written) in {:.2} s",
        ctx.index_dir.display(),
        r.added,
        r.updated,
        r.removed,
        r.unchanged,
        r.skipped_total(),
        r.failed.len(),
        r.passages_written,
        r.elapsed.as_secs_f64()
    )?;
    for (reason, n) in &r.skipped {
        writeln!(out, "  skipped {n:>5}  {reason}")?;
    }
    writeln!(
        out,
        "index now holds {} documents, {} passages",
        r.documents_total, r.passages_total
    )?;
    out.flush()
}
