//! What a run reports: per-file events while it goes on, and its summary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file that could not be indexed (or was indexed with a problem), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The file.
    pub path: PathBuf,
    /// What went wrong and what to do.
    pub reason: String,
}

/// What happened to one file, for `--verbose` listings and progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// New in the index.
    Added,
    /// Re-extracted because its content changed.
    Updated,
    /// Same content as indexed.
    Unchanged,
    /// Same content as a document that left another path; re-keyed without extraction.
    Moved,
    /// Removed because the file is gone.
    Removed,
    /// Not indexed on purpose.
    Skipped,
    /// Could not be indexed.
    Failed,
}

/// Progress events sent to the caller while a run goes on (the library never prints).
#[derive(Clone, Debug)]
pub enum Progress<'a> {
    /// Walking finished: this many files to look at.
    Planned {
        /// Files found under the roots.
        files: usize,
    },
    /// One file was dealt with.
    File {
        /// Its path.
        path: &'a Path,
        /// What happened.
        change: Change,
        /// Why, for skipped and failed files.
        reason: Option<&'a str>,
    },
    /// An intermediate commit is being made.
    Committing,
}

/// Summary of a run.
#[derive(Clone, Debug, Default)]
pub struct IndexReport {
    /// Files new to the index.
    pub added: usize,
    /// Files re-indexed because they changed.
    pub updated: usize,
    /// Records removed because their files are gone.
    pub removed: usize,
    /// Files recognised as moved or renamed (same content), re-keyed without extraction.
    pub moved: usize,
    /// Files whose content was already indexed.
    pub unchanged: usize,
    /// Passages written in this run.
    pub passages_written: usize,
    /// Files not indexed on purpose, counted by reason.
    pub skipped: BTreeMap<String, usize>,
    /// The files behind `skipped`, by reason, for the reasons decided per file (too large,
    /// empty, nothing left after cleaning); the walk's reasons (unsupported types) count only.
    pub skipped_files: BTreeMap<String, Vec<PathBuf>>,
    /// Files that failed.
    pub failed: Vec<FileProblem>,
    /// Files indexed with a problem worth fixing (e.g. a broken sidecar).
    pub warnings: Vec<FileProblem>,
    /// Files indexed only in part (over the text or passage limits), with what was left out.
    /// Not a failure: the file's start is searchable.
    pub truncated: Vec<FileProblem>,
    /// Documents in the index after the run.
    pub documents_total: u64,
    /// Passages in the index after the run.
    pub passages_total: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The run was stopped through [`super::IndexOptions::stop`]: its work so far is committed, the
    /// rest is left for the next run (which the roots in the index let a bare `index` do).
    pub interrupted: bool,
    /// A `--full` run stopped before its end: the index was left as it was before the run.
    pub rebuild_abandoned: bool,
}

impl IndexReport {
    /// Files skipped, all reasons together.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    /// True when nothing failed and nothing needs the user's attention.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.warnings.is_empty()
    }
}
