//! Bringing the index in line with folders on disk.
//!
//! A run walks each root, compares every file with its record in the index (size + mtime, then
//! content hash), prepares new and changed files in parallel, writes them, removes records of
//! files that vanished from the root, and commits. Every add is preceded by a delete of the same
//! key in the same writer, so however a run ends (finished, killed, crashed) the index holds each
//! file at most once, and the next run completes what is missing. A run into an index that held
//! nothing when it began (a first index, `--full`) skips those deletes: there is nothing to find.

#[cfg(test)]
mod fault_sweep;
mod merge;
mod plan;
mod prepare;
mod report;
mod write;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use tantivy::directory::error::LockError;
use tantivy::{IndexWriter, TantivyError};

pub(crate) use prepare::{prepare, Outcome, Prepared};
pub use report::{Change, FileProblem, IndexReport, Progress};

use crate::acronyms::{learn, Definition};
use crate::entities::countries::subject as country_subject;
use crate::entities::CountryMentions;
use crate::error::{Error, Result};
use crate::record::{DocRecord, RecordSummary};
use crate::reprints::{subject as reprint_subject_of, Signature, Subject};
use crate::schema::SCHEMA_VERSION;
use crate::store::{after_commit, commit, settings, storage_or_io, swap, IndexInfo, Store};

/// The indexing defaults, in the units of the command line: `IndexOptions::default`, the
/// `tipdex index` flags and the automatic first index all read these.
pub mod defaults {
    /// Files larger than this many megabytes are skipped: the biggest real report we know is a
    /// few MB of text, and reading a multi-GB log into memory would stall the whole batch.
    pub const MAX_FILE_MB: u64 = 64;
    /// Memory of the index writer, in megabytes.
    pub const MEMORY_MB: usize = 256;
    /// Commit after this many written documents, so a killed run keeps its work. Each commit
    /// closes both indexing threads' segments early, and small segments are merged again: at
    /// 20,000 documents, commits every 5,000 made ten segments that the build then merged into
    /// one, ~20 % of its wall time. The 30 s timer bounds the work a kill loses in any case.
    pub const COMMIT_EVERY_DOCS: usize = 20_000;
    /// Extraction of one file gives up after this many seconds.
    pub const TIMEOUT_SECS: u64 = 60;
}

/// How to run an index update.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Rebuild from scratch instead of syncing.
    pub full: bool,
    /// Files larger than this are skipped.
    pub max_file_bytes: u64,
    /// Memory budget of the index writer, in bytes.
    pub writer_memory: usize,
    /// Commit after this many written documents, so a killed run keeps its work.
    pub commit_every_docs: usize,
    /// ... or after this long, whichever comes first.
    pub commit_every: Duration,
    /// Extraction of one file gives up after this long.
    pub extract_timeout: Duration,
    /// Follow symbolic links wherever they point; by default only those whose target is inside
    /// an indexed root are followed.
    pub follow_symlinks: bool,
    /// Set (e.g. by a Ctrl-C handler) to stop the run at the next chunk: what was written is
    /// committed and the report says `interrupted`.
    pub stop: Option<Arc<AtomicBool>>,
    /// Gitignore-style globs to leave out of the roots of this run, added to those remembered.
    pub excludes: Vec<String>,
    /// Forget the globs remembered for the roots of this run (before adding `excludes`).
    pub clear_excludes: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            full: false,
            max_file_bytes: defaults::MAX_FILE_MB * 1024 * 1024,
            writer_memory: defaults::MEMORY_MB * 1024 * 1024,
            commit_every_docs: defaults::COMMIT_EVERY_DOCS,
            commit_every: Duration::from_secs(30),
            extract_timeout: Duration::from_secs(defaults::TIMEOUT_SECS),
            follow_symlinks: false,
            stop: None,
            excludes: Vec::new(),
            clear_excludes: false,
        }
    }
}

/// Bring the index in `index_dir` in line with `roots` (files or folders), creating it if needed.
pub fn index_roots(
    index_dir: &Path,
    roots: &[PathBuf],
    options: &IndexOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<IndexReport> {
    let started = Instant::now();
    // Resolve every root before touching the index, so a typo fails fast and changes nothing.
    let mut canonical_roots = Vec::with_capacity(roots.len());
    for root in roots {
        let canonical = root
            .canonicalize()
            .map_err(|source| Error::UnreadablePath {
                path: root.clone(),
                source,
            })?;
        canonical_roots.push(canonical);
    }
    for glob in &options.excludes {
        crate::ingest::walk::check_exclude(glob).map_err(|hint| Error::InvalidArgument {
            what: "--exclude",
            value: glob.clone(),
            hint,
        })?;
    }

    if options.full {
        return rebuild(index_dir, &canonical_roots, options, progress, started);
    }
    let store = Store::open_or_create(index_dir)?;
    // Taking the writer first means a second concurrent run stops here, before any work.
    // Not even the lock could be written (permission, read-only disk): the last commit is
    // untouched, and the message says so with its documents.
    let writer = take_writer(&store, options)
        .map_err(|e| after_failure(e, index_dir, || last_commit_documents(&store)))?;
    store.claim()?;
    store.remove_stale_files()?;
    // A `--full` that was killed left its staging folder; the live index never needed it.
    swap::discard_staging(index_dir).map_err(storage_or_io(index_dir))?;
    let info = store.info()?;
    let run = Run {
        index_dir,
        canonical_roots: &canonical_roots,
        options,
        started,
    };
    sync_settled(&store, writer, info, &run, progress).map_err(|e| {
        // Waiting for the merges gave the writer (and its lock) up, so the lock is taken again
        // before cleaning, and a run that got in first cleans for itself.
        let relock = swap::writer_lock(index_dir).ok().flatten();
        after_failure(e, index_dir, || {
            if relock.is_some() {
                store.remove_partial_files()?;
            }
            last_commit_documents(&store)
        })
    })
}

/// `--full`: build a new index beside the live one and swap it in when complete (see
/// [`crate::store::swap`]). The old index is never opened, so a damaged one is rebuilt too;
/// until the swap it answers searches as it was, and a run that stops early leaves it so.
fn rebuild(
    index_dir: &Path,
    canonical_roots: &[PathBuf],
    options: &IndexOptions,
    progress: &mut dyn FnMut(Progress),
    started: Instant,
) -> Result<IndexReport> {
    let _lock = Store::lock_for_rebuild(index_dir)?;
    // What the index knew (roots, excludes, synonyms), from its payload or tipdex's copy.
    let mut info = IndexInfo::default();
    if let Some(settings) = settings::recover(index_dir) {
        settings.apply(&mut info);
    }
    // The new index is about as big as the old one and both exist until the swap.
    let needed = Store::segment_bytes(index_dir);
    if let Some(free) = swap::free_space(index_dir) {
        if needed > free {
            return Err(Error::NotEnoughSpace {
                path: index_dir.to_path_buf(),
                needed,
                free,
            });
        }
    }
    let staging_dir = swap::fresh_staging(index_dir).map_err(storage_or_io(index_dir))?;
    let discard = || swap::discard_staging(index_dir).map_err(storage_or_io(index_dir));
    let outcome = (|| {
        let staged = Store::create(&staging_dir)?;
        let writer = take_writer(&staged, options)?;
        let run = Run {
            index_dir,
            canonical_roots,
            options,
            started,
        };
        sync_settled(&staged, writer, info, &run, progress)
    })();
    let mut report = match outcome {
        Ok(report) => report,
        Err(e) => {
            return Err(after_failure(e, index_dir, || {
                // The count says what is intact even when the staging folder resists removal
                // (the next run removes it).
                let _ = discard();
                live_documents(index_dir)
            }));
        }
    };
    if report.interrupted {
        discard()?;
        report.rebuild_abandoned = true;
        let (docs, passages) = live_counts(index_dir).unwrap_or((0, 0));
        report.documents_total = docs;
        report.passages_total = passages;
        return Ok(report);
    }
    swap::swap_in(index_dir).map_err(storage_or_io(index_dir))?;
    let store = Store::open(index_dir)?;
    after_commit(index_dir, &store.info()?)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The index writer, or `IndexBusy` when another run holds it.
fn take_writer(store: &Store, options: &IndexOptions) -> Result<IndexWriter> {
    store
        .index
        .writer(options.writer_memory.max(MIN_WRITER_MEMORY))
        .map_err(|e| match e {
            TantivyError::LockFailure(LockError::LockBusy, _) => {
                Error::IndexBusy(store.dir.clone())
            }
            other => Error::from(other),
        })
}

/// What one run was asked to do, as [`sync`] needs it.
#[derive(Clone, Copy)]
struct Run<'a> {
    index_dir: &'a Path,
    canonical_roots: &'a [PathBuf],
    options: &'a IndexOptions,
    started: Instant,
}

/// [`sync`], then wait for the writer's merges whatever the outcome: after a complete run so the
/// next one starts from settled segments (and none writes into a staging folder being swapped
/// in), after a failure so none writes files while the run's partial files are removed.
fn sync_settled(
    store: &Store,
    mut writer: IndexWriter,
    info: IndexInfo,
    run: &Run,
    progress: &mut dyn FnMut(Progress),
) -> Result<IndexReport> {
    match sync(store, &mut writer, info, run, progress) {
        Ok(report) => {
            writer.wait_merging_threads()?;
            Ok(report)
        }
        Err(e) => {
            let e = revealed(e, &mut writer);
            let _ = writer.wait_merging_threads();
            Err(e)
        }
    }
}

/// An indexing thread that died (disk full while writing a segment) makes `add_document` say
/// only that the writer was killed; joining the threads gives the real cause.
fn revealed(e: Error, writer: &mut IndexWriter) -> Error {
    match e {
        Error::Engine(TantivyError::ErrorInThread(_)) => match writer.prepare_commit() {
            Err(cause) => Error::from(cause),
            Ok(_) => e,
        },
        other => other,
    }
}

/// A storage failure says which folder, that the last commit is intact (with its documents)
/// and what to do; the run's partial files are removed at once, so a full disk gets its space
/// back. `clean_up` removes them and counts the last commit's documents.
fn after_failure(e: Error, index_dir: &Path, clean_up: impl FnOnce() -> Result<u64>) -> Error {
    // Whatever failed, no partial files of this run stay behind.
    let committed = clean_up().ok();
    match e.in_index(index_dir) {
        Error::Storage {
            index, file, cause, ..
        } => Error::Storage {
            index,
            file,
            cause,
            committed,
        },
        other => other,
    }
}

fn last_commit_documents(store: &Store) -> Result<u64> {
    let reader = store.reader()?;
    Ok(store.counts(&reader.searcher())?.0)
}

fn live_counts(index_dir: &Path) -> Result<(u64, u64)> {
    let store = Store::open(index_dir)?;
    let reader = store.reader()?;
    store.counts(&reader.searcher())
}

fn live_documents(index_dir: &Path) -> Result<u64> {
    if !Store::exists(index_dir) {
        return Ok(0);
    }
    Ok(live_counts(index_dir)?.0)
}

/// The run proper, into `store` with its writer: walk, diff against the records, write,
/// commit periodically and at the end.
#[allow(clippy::too_many_arguments)]
fn sync(
    store: &Store,
    writer: &mut IndexWriter,
    mut info: IndexInfo,
    run: &Run,
    progress: &mut dyn FnMut(Progress),
) -> Result<IndexReport> {
    let Run {
        index_dir,
        canonical_roots,
        options,
        started,
    } = *run;
    // A new root is committed before its first file is written, so a run killed or interrupted
    // at any later point is finished by a bare `tipdex index`, which indexes the known roots.
    // The commit is marked in progress until the run's last one.
    let new_roots: Vec<&PathBuf> = canonical_roots
        .iter()
        .filter(|r| !info.roots.contains(r))
        .collect();
    if !new_roots.is_empty() || info.last_indexed.is_none() {
        info.roots.extend(new_roots.into_iter().cloned());
        info.schema_version = SCHEMA_VERSION;
        info.in_progress = true;
        commit(writer, &info, &store.dir)?;
    }
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let fields = &store.fields;
    // A first index or a `--full` build starts from nothing: no earlier version to delete, and
    // the segments it writes are merged in bounded levels (see `merge`).
    let earlier = if searcher.num_docs() == 0 {
        writer.set_merge_policy(Box::new(merge::building_from_empty()));
        write::Earlier::None
    } else {
        write::Earlier::Possible
    };

    let mut report = IndexReport::default();
    // Records by file: one per document, several for a collection.
    let mut existing: HashMap<PathBuf, Vec<RecordSummary>> = HashMap::new();
    // What each indexed document defines, kept current through the run, so every commit
    // carries the acronyms learned from exactly the documents it holds.
    let mut definitions: HashMap<u64, Vec<Definition>> = HashMap::new();
    // Likewise each document's reprint signature and subject, so every commit carries the groups
    // of exactly the documents it holds.
    let mut signatures: HashMap<u64, (Signature, Subject)> = HashMap::new();
    for r in store.all_summaries(&searcher)? {
        if !r.acronyms.is_empty() {
            definitions.insert(r.key, r.acronyms.clone());
        }
        set_signature(&mut signatures, r.key, r.signature, &r.countries);
        existing.entry(r.path()).or_default().push(r);
    }
    for root in canonical_roots {
        let globs = info.excludes.entry(root.clone()).or_default();
        if options.clear_excludes {
            globs.clear();
        }
        for glob in &options.excludes {
            if !globs.contains(glob) {
                globs.push(glob.clone());
            }
        }
        if globs.is_empty() {
            info.excludes.remove(root);
        }
    }
    let index_dir_abs = index_dir.canonicalize().ok();
    let plan = plan::plan(
        canonical_roots,
        index_dir_abs.as_deref(),
        options.follow_symlinks,
        &info.excludes,
        &existing,
        &mut report,
        progress,
    )
    .map_err(|source| Error::UnreadablePath {
        path: canonical_roots.first().cloned().unwrap_or_default(),
        source,
    })?;

    info.schema_version = SCHEMA_VERSION;
    let now = unix_now();
    let run_ms = unix_now_ms();
    // Keys of old records re-keyed by a move in this run: not deleted as gone, not moved twice.
    let mut claimed: HashSet<u64> = HashSet::new();
    let mut since_commit = 0usize;
    let mut last_commit = Instant::now();
    // Preparation runs one chunk ahead of writing on its own thread, so extraction, metadata and
    // entities of the next files overlap with building and handing over this chunk's documents
    // and with commits (the writer's threads index meanwhile). Chunks keep memory flat whatever
    // the corpus size: one chunk being written, one waiting, one being prepared.
    let chunk_len = rayon::current_num_threads().max(1) * 16;
    // Full records are read from the last commit only for files that turn out unchanged or moved.
    let records = |key: u64| store.record_by_key(&searcher, key).ok().flatten();
    let stopped = || {
        options
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    };
    std::thread::scope(|scope| -> Result<()> {
        let (ready, prepared) = std::sync::mpsc::sync_channel::<Vec<Outcome>>(CHUNKS_AHEAD);
        scope.spawn(|| {
            let ready = ready;
            for chunk in plan.to_prepare.chunks(chunk_len) {
                if stopped() {
                    break;
                }
                let outcomes: Vec<Outcome> = chunk
                    .par_iter()
                    .map(|c| {
                        let old = existing.get(&c.path).map_or(&[][..], Vec::as_slice);
                        prepare(
                            c,
                            old,
                            &plan.movable,
                            &records,
                            options.max_file_bytes,
                            options.extract_timeout,
                            now,
                        )
                    })
                    .collect();
                // The writing side gave up (an error): its receiver is gone, and so is this.
                if ready.send(outcomes).is_err() {
                    break;
                }
            }
        });
        // An early return (an error) drops `prepared` before the scope joins the preparing
        // thread, whose next send then fails, so it never waits on a full channel forever.
        for chunk in plan.to_prepare.chunks(chunk_len) {
            if stopped() {
                report.interrupted = true;
                break;
            }
            // The preparing thread stops early only when it saw the stop flag, which the check
            // above sees too.
            let Ok(outcomes) = prepared.recv() else {
                report.interrupted = true;
                break;
            };
            for (candidate, mut outcome) in chunk.iter().zip(outcomes) {
                let old = existing.get(&candidate.path).map_or(&[][..], Vec::as_slice);
                if let Outcome::Moved { from, .. } = &outcome {
                    if claimed.contains(&from.key) {
                        // Two new copies of one moved file: the second is extracted as a new file.
                        outcome = prepare(
                            candidate,
                            old,
                            &HashMap::new(),
                            &records,
                            options.max_file_bytes,
                            options.extract_timeout,
                            now,
                        );
                    }
                }
                let (change, reason) = match outcome {
                    Outcome::Indexed { mut docs, warnings } => {
                        for doc in &mut docs {
                            stamp(&mut doc.record, old, run_ms);
                        }
                        for w in warnings {
                            report.warnings.push(FileProblem {
                                path: candidate.path.clone(),
                                reason: w,
                            });
                        }
                        let new_keys: HashSet<u64> = docs.iter().map(|d| d.record.key).collect();
                        // Documents a collection no longer contains.
                        for gone in old.iter().filter(|r| !new_keys.contains(&r.key)) {
                            write::delete(writer, fields, gone.key);
                            definitions.remove(&gone.key);
                            signatures.remove(&gone.key);
                            report.removed += 1;
                        }
                        let old_keys: HashSet<u64> = old.iter().map(|r| r.key).collect();
                        let mut change = Change::Added;
                        let mut note = None;
                        for doc in &docs {
                            if let Some(t) = &doc.record.truncated {
                                report.truncated.push(FileProblem {
                                    path: candidate.path.clone(),
                                    reason: t.clone(),
                                });
                                note = Some(format!("truncated: {t}"));
                            }
                            report.passages_written +=
                                write::document(writer, fields, doc, earlier)?;
                            definitions.insert(doc.record.key, doc.record.acronyms.clone());
                            set_signature(
                                &mut signatures,
                                doc.record.key,
                                doc.record.signature,
                                &doc.record.countries,
                            );
                            if old_keys.contains(&doc.record.key) {
                                report.updated += 1;
                                change = Change::Updated;
                            } else {
                                report.added += 1;
                            }
                        }
                        (change, note)
                    }
                    Outcome::Touched(records) => {
                        for record in &records {
                            write::record_only(writer, fields, record)?;
                        }
                        report.unchanged += records.len();
                        (Change::Unchanged, None)
                    }
                    Outcome::Moved { from, to } => {
                        report.passages_written +=
                            write::moved(writer, fields, &searcher, &from, &to)?;
                        claimed.insert(from.key);
                        definitions.remove(&from.key);
                        definitions.insert(to.key, to.acronyms.clone());
                        signatures.remove(&from.key);
                        set_signature(&mut signatures, to.key, to.signature, &to.countries);
                        report.moved += 1;
                        (
                            Change::Moved,
                            Some(format!("from {}", from.path().display())),
                        )
                    }
                    Outcome::Skipped(reason) => {
                        // A file that became empty or too large must not keep its old passages.
                        for r in old {
                            write::delete(writer, fields, r.key);
                            definitions.remove(&r.key);
                            signatures.remove(&r.key);
                            report.removed += 1;
                        }
                        *report.skipped.entry(reason.clone()).or_default() += 1;
                        report
                            .skipped_files
                            .entry(reason.clone())
                            .or_default()
                            .push(candidate.path.clone());
                        (Change::Skipped, Some(reason))
                    }
                    Outcome::Failed(reason) => {
                        report.failed.push(FileProblem {
                            path: candidate.path.clone(),
                            reason: reason.clone(),
                        });
                        (Change::Failed, Some(reason))
                    }
                };
                progress(Progress::File {
                    path: &candidate.path,
                    change,
                    reason: reason.as_deref(),
                });
                since_commit += 1;
            }
            if since_commit >= options.commit_every_docs
                || last_commit.elapsed() >= options.commit_every
            {
                progress(Progress::Committing);
                info.in_progress = true;
                info.acronyms = learn(definitions.values().map(Vec::as_slice));
                info.reprints = reprint_groups(&signatures);
                commit(writer, &info, &store.dir)?;
                since_commit = 0;
                last_commit = Instant::now();
            }
        }
        Ok(())
    })?;

    // An interrupted run commits what was written and keeps the run marked in progress;
    // deletions and root bookkeeping wait for a complete run.
    let complete = !(report.interrupted || stopped());
    report.interrupted = !complete;
    if complete {
        // Deletions go last: a run killed before this point loses nothing, and the next run finds
        // the same files gone again.
        for record in plan.gone.iter().filter(|r| !claimed.contains(&r.key)) {
            write::delete(writer, fields, record.key);
            definitions.remove(&record.key);
            signatures.remove(&record.key);
            report.removed += 1;
            progress(Progress::File {
                path: &record.path(),
                change: Change::Removed,
                reason: None,
            });
        }
        // A vanished root whose documents all moved elsewhere is no longer a root.
        let remaining_roots: HashSet<&Path> = existing
            .values()
            .flatten()
            .filter(|r| !claimed.contains(&r.key))
            .map(|r| r.root.as_path())
            .collect();
        info.roots.retain(|r| {
            r.exists()
                || canonical_roots.contains(r)
                || remaining_roots.iter().any(|x| x.starts_with(r))
        });
        let roots = &info.roots;
        info.excludes.retain(|r, _| roots.contains(r));

        info.last_indexed = Some(unix_now());
    }
    info.in_progress = !complete;
    info.acronyms = learn(definitions.values().map(Vec::as_slice));
    info.reprints = reprint_groups(&signatures);
    commit(writer, &info, &store.dir)?;

    reader.reload()?;
    let (docs, passages) = store.counts(&reader.searcher())?;
    report.documents_total = docs;
    report.passages_total = passages;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Keep `key`'s signature current: a document re-extracted into a text too short to group
/// loses its old one.
fn set_signature(
    signatures: &mut HashMap<u64, (Signature, Subject)>,
    key: u64,
    sig: Option<Signature>,
    countries: &[CountryMentions],
) {
    match sig {
        Some(sig) => signatures.insert(key, (sig, reprint_subject(countries))),
        None => signatures.remove(&key),
    };
}

/// A document's reprint subject: the country it names most.
fn reprint_subject(countries: &[CountryMentions]) -> Subject {
    reprint_subject_of(country_subject(countries))
}

/// The reprint groups of the documents whose signatures `signatures` holds.
fn reprint_groups(signatures: &HashMap<u64, (Signature, Subject)>) -> Vec<Vec<u64>> {
    let docs: Vec<(u64, Signature, Subject)> =
        signatures.iter().map(|(k, (s, t))| (*k, *s, *t)).collect();
    crate::reprints::groups(&docs)
}

/// Prepared chunks waiting for the writing side: one absorbs a commit or a slow chunk without
/// holding more than a few dozen extracted files in memory.
const CHUNKS_AHEAD: usize = 1;

/// tantivy refuses writer budgets below about 15 MB per thread.
const MIN_WRITER_MEMORY: usize = 32 * 1024 * 1024;

/// A freshly extracted document keeps the stamps of its earlier record: first indexed when
/// that was, changed now only when its bytes or its sidecar differ (newer extraction rules
/// change nothing the user did). A document without an earlier record is new now.
fn stamp(record: &mut DocRecord, old: &[RecordSummary], run_ms: i64) {
    match old.iter().find(|o| o.key == record.key) {
        Some(o) => {
            record.added_ms = o.added_ms;
            record.changed_ms = if o.hash == record.hash && o.sidecar == record.sidecar {
                o.changed_ms
            } else {
                run_ms
            };
        }
        None => {
            record.added_ms = run_ms;
            record.changed_ms = run_ms;
        }
    }
}

/// Milliseconds since the Unix epoch: the stamp of a run's documents, fine enough that a
/// report taken between two runs falls strictly between their stamps.
pub fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Arc;

    use tantivy::directory::error::OpenWriteError;

    use super::*;
    use crate::store::{storage_or_io_on, SETTINGS};

    #[test]
    fn a_storage_failure_in_a_relative_index_folder_names_the_folder_once() {
        let dir = Path::new("ro");
        let failed = |kind: io::ErrorKind| io::Error::from(kind);
        // As the code makes them: tipdex's own file operations know the folder, tantivy names
        // a file of it or nothing.
        let cases = [
            (
                storage_or_io(dir)(failed(io::ErrorKind::PermissionDenied)),
                "at ro: permission denied",
            ),
            (
                storage_or_io_on(dir, Some(SETTINGS))(failed(io::ErrorKind::PermissionDenied)),
                "at ro/.tipdex-settings.json: permission denied",
            ),
            (
                Error::from(TantivyError::OpenWriteError(OpenWriteError::IoError {
                    io_error: Arc::new(failed(io::ErrorKind::StorageFull)),
                    filepath: "meta.json".into(),
                })),
                "at ro/meta.json: the disk is full",
            ),
            (
                Error::from(TantivyError::LockFailure(
                    LockError::IoError(Arc::new(failed(io::ErrorKind::ReadOnlyFilesystem))),
                    None,
                )),
                "at ro: the file system is read-only",
            ),
        ];
        for (e, at) in cases {
            // The indexer fills in the folder, and the CLI again on the way out.
            let text = after_failure(e, dir, || Ok(7)).in_index(dir).to_string();
            let expected = format!("cannot write the index {at}; the last commit (7 documents)");
            assert!(text.starts_with(&expected), "{text}");
        }
    }
}
