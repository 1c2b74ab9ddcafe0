//! The write path under injected I/O faults (`crate::store::faults`): every write, flush,
//! fsync, atomic write and directory sync of an incremental run and of a `--full` rebuild is
//! failed in turn, with ENOSPC (persistent, like a full disk) or EIO (once). After each
//! failure the index reopens to its last commit with nothing lost or duplicated, the failed
//! run's partial files are gone, and the next run completes.

use std::collections::{BTreeSet, HashSet};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{index_roots, IndexOptions};
use crate::error::Error;
use crate::store::check::verify;
use crate::store::faults::{self, Faults};
use crate::store::Store;

/// Files whose names say which document they are; small, so a sweep of hundreds of runs stays
/// quick, and several per commit so the run makes several commits.
fn write_corpus(dir: &Path, range: std::ops::Range<usize>) {
    for i in range {
        let body = format!(
            "Report number {i}\n\nThe agency documented forced labour case {i} in the fishing sector. \
             Victims of case {i} were identified by labour inspectors and referred to shelters.\n\n\
             A second section on case {i} describes prosecution and the protection of witnesses."
        );
        std::fs::write(dir.join(format!("doc{i:03}.txt")), body).unwrap();
    }
}

fn options(full: bool) -> IndexOptions {
    IndexOptions {
        full,
        commit_every_docs: 3,
        writer_memory: 32 * 1024 * 1024,
        ..IndexOptions::default()
    }
}

fn names(index: &Path) -> Vec<String> {
    let store = Store::open(index).unwrap();
    let reader = store.reader().unwrap();
    let mut out: Vec<String> = store
        .all_records(&reader.searcher())
        .unwrap()
        .into_iter()
        .map(|r| r.rel_path)
        .collect();
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Segment files and temporary files no commit lists: what a failed run must not leave.
fn leftovers(index: &Path) -> Vec<String> {
    let live: HashSet<String> = {
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(index.join("meta.json")).unwrap())
                .unwrap();
        meta["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
            .collect()
    };
    std::fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".tmp")
                || (n.len() > 33 && n.as_bytes()[32] == b'.' && !live.contains(&n[..32]))
        })
        .collect()
}

struct Sweep {
    _tmp: tempfile::TempDir,
    docs: PathBuf,
    base: PathBuf,
    before: Vec<String>,
    after: Vec<String>,
}

/// A committed index of the first files, and the folder changed for the run under test: new
/// files, one edited, one deleted.
fn sweep_setup() -> Sweep {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    write_corpus(&docs, 0..6);
    let base = tmp.path().join("base");
    index_roots(
        &base,
        std::slice::from_ref(&docs),
        &options(false),
        &mut |_| {},
    )
    .unwrap();
    let before = names(&base);
    write_corpus(&docs, 6..12);
    let edited = std::fs::read_to_string(docs.join("doc001.txt")).unwrap();
    std::fs::write(
        docs.join("doc001.txt"),
        edited.replace("fishing", "garment"),
    )
    .unwrap();
    std::fs::remove_file(docs.join("doc002.txt")).unwrap();
    let mut after: BTreeSet<String> = before.iter().cloned().collect();
    after.remove("doc002.txt");
    after.extend((6..12).map(|i| format!("doc{i:03}.txt")));
    Sweep {
        docs,
        base,
        before,
        after: after.into_iter().collect(),
        _tmp: tmp,
    }
}

/// Sweep every write-path operation of one run (incremental or `--full`).
fn sweep(full: bool) -> usize {
    let s = sweep_setup();
    let scratch = s.base.parent().unwrap().join("scratch");
    let fresh = || {
        let _ = std::fs::remove_dir_all(&scratch);
        copy_dir(&s.base, &scratch);
    };
    // How many operations a clean run makes.
    fresh();
    let counter = Arc::new(Faults::counting());
    faults::install(&scratch, Arc::clone(&counter));
    index_roots(
        &scratch,
        std::slice::from_ref(&s.docs),
        &options(full),
        &mut |_| {},
    )
    .unwrap();
    faults::clear(&scratch);
    let total = counter.ops();
    assert_eq!(names(&scratch), s.after);

    // Every operation when there are few; else an even spread of about 150 of them, the
    // first and last included, so the sweep stays a matter of seconds.
    let step = (total / 150).max(1) as usize;
    let points: BTreeSet<u64> = (1..=total).step_by(step).chain([total]).collect();
    assert!(points.len() >= 50, "only {} failure points", points.len());
    let mut failures = 0;
    for n in points {
        fresh();
        let (kind, persistent) = if n % 2 == 0 {
            (ErrorKind::StorageFull, true)
        } else {
            (ErrorKind::Other, false)
        };
        let plan = Arc::new(Faults::failing(n, kind, persistent));
        faults::install(&scratch, Arc::clone(&plan));
        let result = index_roots(
            &scratch,
            std::slice::from_ref(&s.docs),
            &options(full),
            &mut |_| {},
        );
        faults::clear(&scratch);
        let at = format!("fault at operation {n} of {total} ({kind:?}, full: {full})");
        if let Err(e) = &result {
            failures += 1;
            if kind == ErrorKind::StorageFull {
                let text = e.to_string();
                assert!(
                    matches!(
                        e,
                        Error::Storage {
                            committed: Some(_),
                            ..
                        }
                    ) && text.contains("the disk is full")
                        && text.contains("is intact"),
                    "{at}: {text}"
                );
            }
            // A full disk gets its space back at once. After a one-off EIO, files that
            // tantivy's threads were still finishing may stay until a later writer's start
            // (not asserted: seen at a few failure points, see the issue 17 report).
            if persistent {
                assert!(
                    leftovers(&scratch).is_empty(),
                    "{at}: {:?}",
                    leftovers(&scratch)
                );
                assert!(!scratch.join(crate::store::STAGING).exists(), "{at}");
            }
        }
        // The last commit: the documents before the run, or some of the run's on top (each
        // once), never a damaged index.
        let now = names(&scratch);
        let unique: HashSet<&String> = now.iter().collect();
        assert_eq!(unique.len(), now.len(), "{at}: a document twice: {now:?}");
        let known: HashSet<&String> = s.before.iter().chain(&s.after).collect();
        assert!(now.iter().all(|n| known.contains(n)), "{at}: {now:?}");
        if full && result.is_err() {
            assert_eq!(
                now, s.before,
                "{at}: a failed --full must leave the old index"
            );
        }
        let check = verify(&scratch).unwrap();
        assert!(check.problems.is_empty(), "{at}: {:?}", check.problems);
        // The next run completes the job.
        index_roots(
            &scratch,
            std::slice::from_ref(&s.docs),
            &options(false),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(names(&scratch), s.after, "{at}");
        assert!(!scratch.join(crate::store::STAGING).exists(), "{at}");
    }
    failures
}

#[test]
fn every_failure_point_of_an_incremental_run_keeps_the_last_commit() {
    let failures = sweep(false);
    assert!(failures > 0);
}

#[test]
fn every_failure_point_of_a_full_rebuild_keeps_the_old_index() {
    let failures = sweep(true);
    assert!(failures > 0);
}

#[test]
fn stale_temporary_and_uncommitted_files_are_removed_by_the_next_writer() {
    let s = sweep_setup();
    let tmp = s.base.join(".tmpAbC123");
    let orphan = s.base.join("0123456789abcdef0123456789abcdef.idx");
    std::fs::write(&tmp, "half a meta.json").unwrap();
    std::fs::write(&orphan, "never committed").unwrap();
    std::fs::write(s.base.join("notes.txt"), "the user's").unwrap();
    index_roots(
        &s.base,
        std::slice::from_ref(&s.docs),
        &options(false),
        &mut |_| {},
    )
    .unwrap();
    assert!(!tmp.exists() && !orphan.exists());
    assert!(s.base.join("notes.txt").exists());
    assert_eq!(names(&s.base), s.after);
}

#[test]
fn damaged_reads_are_found_by_check_without_a_panic() {
    let s = sweep_setup();
    for (suffix, how) in [
        (".idx", faults::ReadDamage::Flipped),
        (".store", faults::ReadDamage::Truncated),
        (".term", faults::ReadDamage::Truncated),
        (".pos", faults::ReadDamage::Flipped),
    ] {
        faults::install(&s.base, Arc::new(Faults::damaging_reads(suffix, how)));
        let report = verify(&s.base);
        faults::clear(&s.base);
        let problems = report.unwrap().problems;
        // The file itself, or the segment's files when tantivy fails to open the segment
        // without saying which of its files it was parsing.
        assert!(
            problems.iter().any(|p| p.file.as_ref().is_some_and(|f| {
                let f = f.to_string_lossy();
                f.ends_with(suffix) || f.ends_with(".*")
            })),
            "{suffix} {how:?}: {problems:?}"
        );
    }
    assert!(verify(&s.base).unwrap().problems.is_empty());
}
