//! Deciding what a run must do: walk the roots and compare every file with its record.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{Change, FileProblem, IndexReport, Progress};
use crate::ingest::{self, Candidate};
use crate::record::RecordSummary;

/// The work of one run.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Files to read: new, or whose size/mtime/sidecar changed.
    pub to_prepare: Vec<Candidate>,
    /// Records whose files are gone from a walked root: to delete, unless a new file turns out
    /// to be one of them moved.
    pub gone: Vec<RecordSummary>,
    /// Records a new file may have been moved from, by content hash: the gone ones, plus those
    /// under roots that no longer exist (a moved tree). The latter are never deleted by a run.
    pub movable: HashMap<String, RecordSummary>,
}

/// Walk `roots` and diff them against `existing` records, noting skips and failures in `report`.
pub(crate) fn plan(
    roots: &[PathBuf],
    index_dir: Option<&Path>,
    follow_symlinks: bool,
    excludes: &BTreeMap<PathBuf, Vec<String>>,
    existing: &HashMap<PathBuf, Vec<RecordSummary>>,
    report: &mut IndexReport,
    progress: &mut dyn FnMut(Progress),
) -> std::io::Result<Plan> {
    let mut candidates = Vec::new();
    let mut unreadable = Vec::new();
    let links = ingest::walk::Links {
        follow_all: follow_symlinks,
        roots: roots.iter().filter_map(|r| r.canonicalize().ok()).collect(),
    };
    for root in roots {
        let globs = excludes.get(root).map_or(&[][..], Vec::as_slice);
        let walked = ingest::walk::walk_excluding(root, index_dir, &links, globs)?;
        for (reason, n) in walked.skipped.by_reason {
            *report.skipped.entry(reason).or_default() += n;
        }
        for e in walked.errors {
            progress(Progress::File {
                path: &e.path,
                change: Change::Failed,
                reason: Some(&e.reason),
            });
            unreadable.push(e.path.clone());
            report.failed.push(FileProblem {
                path: e.path,
                reason: e.reason,
            });
        }
        candidates.extend(walked.files);
    }
    // The same file reached through two roots is one file.
    let mut seen: HashSet<PathBuf> = HashSet::new();
    candidates.retain(|c| seen.insert(c.path.clone()));
    progress(Progress::Planned {
        files: candidates.len(),
    });

    let mut plan = Plan::default();
    for (path, records) in existing {
        if seen.contains(path) {
            continue;
        }
        for record in records {
            classify_missing(record, path, roots, &unreadable, &mut plan);
        }
    }
    for c in candidates {
        let records = existing.get(&c.path).map_or(&[][..], Vec::as_slice);
        // All records of one file are written together, so the first one speaks for them.
        let unchanged = records.first().is_some_and(|r| {
            r.current()
                && r.stamp.size == c.size
                && r.stamp.mtime_ns == c.mtime_ns
                && r.sidecar == ingest::sidecar::stamp(&c.path)
        });
        if unchanged {
            report.unchanged += records.len();
        } else {
            plan.to_prepare.push(c);
        }
    }
    Ok(plan)
}

/// A record whose file was not found: gone (to delete) when its root was walked, a possible
/// move source when its whole root vanished, else left alone.
fn classify_missing(
    record: &RecordSummary,
    path: &Path,
    roots: &[PathBuf],
    unreadable: &[PathBuf],
    plan: &mut Plan,
) {
    let under_walked_root = roots.iter().any(|r| path.starts_with(r));
    // A folder we could not list is not a folder whose files were deleted.
    let under_unreadable = unreadable.iter().any(|u| path.starts_with(u));
    // Only single-document files can move; a collection's documents are re-read.
    let movable = record.item.is_none();
    if under_walked_root && !under_unreadable {
        plan.gone.push(record.clone());
        if movable {
            plan.movable.insert(record.hash.clone(), record.clone());
        }
    } else if !record.root.exists() && movable {
        plan.movable
            .entry(record.hash.clone())
            .or_insert_with(|| record.clone());
    }
}
