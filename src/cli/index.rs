//! `tipdex index`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Context, DEFAULT_DATA};
use tipdex::indexer::{defaults, index_roots, Change, IndexOptions, IndexReport, Progress};
use tipdex::output::safe;
use tipdex::semantic::ModelDir;
use tipdex::store::{settings, Store};

/// Arguments of `tipdex index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index [default: the roots already in the index, else data/]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Rebuild the index from scratch instead of updating it
    #[arg(long)]
    pub full: bool,
    /// Skip files larger than this many megabytes
    #[arg(long, value_name = "MB", default_value_t = defaults::MAX_FILE_MB)]
    pub max_file_size: u64,
    /// Memory for the index writer, in megabytes
    #[arg(long, value_name = "MB", default_value_t = defaults::MEMORY_MB)]
    pub memory: usize,
    /// List every file and what happened to it
    #[arg(long, short)]
    pub verbose: bool,
    /// Print nothing but errors
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Give up extracting one file after this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = defaults::TIMEOUT_SECS)]
    pub timeout: u64,
    /// Follow symbolic links wherever they point (by default a link is followed only when its
    /// target is inside a folder being indexed)
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Commit after this many files, so an interrupted run keeps its work
    #[arg(long, value_name = "N", default_value_t = defaults::COMMIT_EVERY_DOCS)]
    pub commit_every: usize,
    /// Leave out files and folders matching this gitignore-style pattern (repeatable), e.g.
    /// `drafts/` or `*.csv`; remembered for these folders, so a bare `tipdex index` obeys it too.
    /// A `.tipdexignore` file in a folder works the same way
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Forget the patterns remembered for these folders (before adding any --exclude)
    #[arg(long)]
    pub clear_excludes: bool,
    /// Turn semantic search on for this index and embed its passages (after the lexical
    /// commit; later runs embed new and changed passages). Needs `tipdex model fetch` first
    #[arg(long)]
    pub semantic: bool,
    /// Model folder [default: $TIPDEX_MODEL_DIR, else ~/.local/share/tipdex/models/all-MiniLM-L6-v2]
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// Index lexically only (the automatic index before a search never waits for embedding)
    #[arg(skip)]
    pub lexical_only: bool,
}

/// What `tipdex index` with no flags means (the flags' defaults are the same constants).
impl Default for IndexArgs {
    fn default() -> IndexArgs {
        IndexArgs {
            paths: Vec::new(),
            full: false,
            max_file_size: defaults::MAX_FILE_MB,
            memory: defaults::MEMORY_MB,
            verbose: false,
            quiet: false,
            timeout: defaults::TIMEOUT_SECS,
            follow_symlinks: false,
            commit_every: defaults::COMMIT_EVERY_DOCS,
            exclude: Vec::new(),
            clear_excludes: false,
            semantic: false,
            model_dir: None,
            lexical_only: false,
        }
    }
}

impl IndexArgs {
    /// Settings for the automatic first index before a search.
    pub fn quiet() -> IndexArgs {
        IndexArgs {
            quiet: true,
            lexical_only: true,
            ..IndexArgs::default()
        }
    }
}

/// `tipdex index`.
pub fn run(ctx: &Context, args: &IndexArgs) -> anyhow::Result<ExitCode> {
    if !args.paths.is_empty() {
        return run_index(ctx, &args.paths, args);
    }
    let known = if !Store::exists(&ctx.index_dir) {
        Vec::new()
    } else if args.full {
        // A rebuild never needs the old index to open: its folders come from its payload or
        // tipdex's copy of them.
        match settings::recover(&ctx.index_dir) {
            Some(s) => s.roots,
            None => return Err(tipdex::Error::UnknownRoots(ctx.index_dir.clone()).into()),
        }
    } else {
        Store::open(&ctx.index_dir)?.info()?.roots
    };
    if known.is_empty() {
        return run_index(ctx, &[PathBuf::from(DEFAULT_DATA)], args);
    }
    // A folder that was moved or unmounted is not an error when refreshing everything: its
    // documents stay searchable, and indexing its new location re-keys them without re-reading.
    let (present, vanished): (Vec<PathBuf>, Vec<PathBuf>) =
        known.into_iter().partition(|r| r.exists());
    for root in &vanished {
        eprintln!(
            "tipdex: {} no longer exists; its documents stay in the index. If it moved, run `tipdex index NEW_PATH`",
            root.display()
        );
    }
    if present.is_empty() {
        anyhow::bail!("none of the folders in the index exist any more; give the paths to index");
    }
    run_index(ctx, &present, args)
}

/// Index `roots` into the context's index and print the summary.
pub fn run_index(ctx: &Context, roots: &[PathBuf], args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let options = IndexOptions {
        full: args.full,
        max_file_bytes: args.max_file_size.saturating_mul(1024 * 1024),
        writer_memory: args.memory.saturating_mul(1024 * 1024),
        commit_every_docs: args.commit_every.max(1),
        extract_timeout: Duration::from_secs(args.timeout.max(1)),
        follow_symlinks: args.follow_symlinks,
        stop: Some(super::interrupt::stop_flag()),
        excludes: args.exclude.clone(),
        clear_excludes: args.clear_excludes,
        ..IndexOptions::default()
    };
    let model = args
        .model_dir
        .clone()
        .map(ModelDir)
        .unwrap_or_else(ModelDir::default_for_user);
    if args.semantic {
        // Asked for now: a missing model is the user's to fix before any work is done.
        model.check_present().map_err(tipdex::Error::from)?;
    }
    let mut progress = ProgressView::new(args);
    let report = index_roots(&ctx.index_dir, roots, &options, &mut |p| progress.update(p))?;
    progress.finish();
    if report.rebuild_abandoned {
        eprintln!(
            "tipdex: interrupted: the rebuild was abandoned and the index was left as it was ({} documents). Run `{} --full` to rebuild it",
            report.documents_total,
            ctx.index_command()
        );
        return Ok(ExitCode::from(super::INTERRUPTED));
    }
    if report.interrupted {
        eprintln!(
            "tipdex: interrupted: {} added, {} updated, {} moved before the stop are committed; the index holds {} documents. Run `{}` to finish",
            report.added,
            report.updated,
            report.moved,
            report.documents_total,
            ctx.index_command()
        );
        return Ok(ExitCode::from(super::INTERRUPTED));
    }
    if !args.quiet {
        print_summary(ctx, &report, args.verbose)?;
        // The saved searches with something new for them (on stdout, after the summary).
        let store = Store::open(&ctx.index_dir)?;
        let lines = super::watch::summary_lines(&store)?;
        let mut out = super::stdout();
        for line in lines {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    for w in &report.warnings {
        eprintln!(
            "tipdex: warning: {}: {}",
            safe::line(&w.path.display().to_string()),
            safe::line(&w.reason)
        );
    }
    if !args.lexical_only && super::embed::wanted(&ctx.index_dir, args.semantic) {
        // After the lexical commit: searches already see the new documents lexically.
        if let Some(code) = super::embed::run(&ctx.index_dir, &model, args.quiet)? {
            return Ok(code);
        }
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

/// What the user sees while a run goes on: failures always (on stderr), every file with
/// `--verbose`, and a progress bar on a terminal once a run has lasted a moment.
struct ProgressView {
    verbose: bool,
    quiet: bool,
    tty: bool,
    started: Instant,
    total: u64,
    done: u64,
    bar: Option<ProgressBar>,
}

/// Runs shorter than this never show a bar, so quick updates stay quiet.
const BAR_DELAY: Duration = Duration::from_millis(700);

impl ProgressView {
    fn new(args: &IndexArgs) -> ProgressView {
        ProgressView {
            verbose: args.verbose,
            quiet: args.quiet,
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
            total: 0,
            done: 0,
            bar: None,
        }
    }

    fn update(&mut self, p: Progress) {
        match p {
            Progress::Planned { files } => self.total = files as u64,
            Progress::Committing => {}
            Progress::File {
                path,
                change,
                reason,
            } => {
                if change != Change::Removed {
                    self.done += 1;
                }
                if self.verbose || change == Change::Failed {
                    let what = match change {
                        Change::Added => "added",
                        Change::Updated => "updated",
                        Change::Moved => "moved",
                        Change::Unchanged => "unchanged",
                        Change::Removed => "removed",
                        Change::Skipped => "skipped",
                        Change::Failed => "FAILED",
                    };
                    // File names and reasons (which quote file contents) are shown inert.
                    let why = reason
                        .map(|r| format!(": {}", safe::line(r)))
                        .unwrap_or_default();
                    let line = format!(
                        "{what:>9}  {}{why}",
                        safe::line(&path.display().to_string())
                    );
                    match &self.bar {
                        Some(bar) => bar.println(line),
                        None => eprintln!("{line}"),
                    }
                }
                self.tick();
            }
        }
    }

    fn tick(&mut self) {
        if self.bar.is_none() && self.tty && !self.quiet && self.started.elapsed() > BAR_DELAY {
            let bar = ProgressBar::new(self.total);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Files named per reason in the summary; `--verbose` names all.
const NAMED_PER_REASON: usize = 10;

fn print_summary(ctx: &Context, r: &IndexReport, verbose: bool) -> std::io::Result<()> {
    let mut out = super::stdout();
    writeln!(
        out,
        "indexed into {}: {} added, {} updated, {} moved, {} removed, {} unchanged, {} skipped, {} failed ({} passages written) in {:.2} s",
        safe::line(&ctx.index_dir.display().to_string()),
        r.added,
        r.updated,
        r.moved,
        r.removed,
        r.unchanged,
        r.skipped_total(),
        r.failed.len(),
        r.passages_written,
        r.elapsed.as_secs_f64()
    )?;
    let shown = if verbose {
        usize::MAX
    } else {
        NAMED_PER_REASON
    };
    let named = |out: &mut dyn Write, paths: &[&std::path::Path]| -> std::io::Result<()> {
        for p in paths.iter().take(shown) {
            writeln!(out, "      {}", safe::line(&p.display().to_string()))?;
        }
        if paths.len() > shown {
            writeln!(
                out,
                "      … and {} more (--verbose lists all)",
                paths.len() - shown
            )?;
        }
        Ok(())
    };
    for (reason, n) in &r.skipped {
        writeln!(out, "  skipped {n:>5}  {}", safe::line(reason))?;
        let paths: Vec<&std::path::Path> = r
            .skipped_files
            .get(reason)
            .map(|v| v.iter().map(|p| p.as_path()).collect())
            .unwrap_or_default();
        named(&mut out, &paths)?;
    }
    for t in &r.truncated {
        writeln!(
            out,
            "  truncated  {}: {}",
            safe::line(&t.path.display().to_string()),
            safe::line(&t.reason)
        )?;
    }
    let mut failed: BTreeMap<&str, Vec<&std::path::Path>> = BTreeMap::new();
    for f in &r.failed {
        failed.entry(f.reason.as_str()).or_default().push(&f.path);
    }
    for (reason, paths) in &failed {
        writeln!(out, "  failed  {:>5}  {}", paths.len(), safe::line(reason))?;
        named(&mut out, paths)?;
    }
    writeln!(
        out,
        "index now holds {} documents, {} passages",
        r.documents_total, r.passages_total
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        args: IndexArgs,
    }

    #[test]
    fn the_default_arguments_are_the_flags_defaults() {
        let flags = Command::parse_from(["tipdex"]).args;
        let default = IndexArgs::default();
        let settings = |a: &IndexArgs| (a.max_file_size, a.memory, a.timeout, a.commit_every);
        assert_eq!(settings(&default), settings(&flags));
        // The automatic first index differs only in printing nothing.
        let quiet = IndexArgs::quiet();
        assert_eq!(settings(&quiet), settings(&flags));
        assert!(quiet.quiet);
        // A default that skipped every file (0 MB) was the bug this guards against.
        assert_eq!(default.max_file_size, 64);
    }
}
