//! Bringing the index in line with folders on disk.
//!
//! A run walks each root, compares every file with its record in the index (size + mtime, then
//! content hash), prepares new and changed files in parallel, writes them, removes records of
//! files that vanished from the root, and commits. Every add is preceded by a delete of the same
//! key in the same writer, so however a run ends (finished, killed, crashed) the index holds each
//! file at most once, and the next run completes what is missing.

mod prepare;
mod record;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use tantivy::directory::error::LockError;
use tantivy::schema::Facet;
use tantivy::{doc, IndexWriter, TantivyDocument, TantivyError, Term};

pub use prepare::{prepare, Outcome, Prepared};
pub use record::{content_hash, doc_id, doc_key, DocRecord, FileStamp};

use crate::error::{Error, Result};
use crate::ingest::{self, DEFAULT_MAX_FILE_BYTES};
use crate::metadata::Metadata;
use crate::schema::{filter_key, Fields, KIND_DOC, KIND_PASSAGE, SCHEMA_VERSION};
use crate::store::{IndexInfo, Store};

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
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            full: false,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            writer_memory: 256 * 1024 * 1024,
            commit_every_docs: 5_000,
            commit_every: Duration::from_secs(30),
        }
    }
}

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
    /// Files whose content was already indexed.
    pub unchanged: usize,
    /// Passages written in this run.
    pub passages_written: usize,
    /// Files not indexed on purpose, counted by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Files that failed.
    pub failed: Vec<FileProblem>,
    /// Files indexed with a problem worth fixing (e.g. a broken sidecar).
    pub warnings: Vec<FileProblem>,
    /// Documents in the index after the run.
    pub documents_total: u64,
    /// Passages in the index after the run.
    pub passages_total: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
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

    let store = Store::open_or_create(index_dir)?;
    // Taking the writer first means a second concurrent run stops here, before any work.
    let mut writer: IndexWriter = store
        .index
        .writer(options.writer_memory.max(16 * 1024 * 1024))
        .map_err(|e| match e {
            TantivyError::LockFailure(LockError::LockBusy, _) => {
                Error::IndexBusy(index_dir.to_path_buf())
            }
            other => Error::Engine(other),
        })?;
    let mut info = store.info()?;
    let reader = store.reader()?;
    let searcher = reader.searcher();

    let mut report = IndexReport::default();
    if options.full {
        writer.delete_all_documents()?;
    }
    let existing: HashMap<u64, DocRecord> = if options.full {
        HashMap::new()
    } else {
        store
            .all_records(&searcher)?
            .into_iter()
            .map(|r| (r.key, r))
            .collect()
    };

    let index_dir_abs = index_dir.canonicalize().ok();
    let mut candidates = Vec::new();
    let mut walked_roots = Vec::new();
    for root in &canonical_roots {
        let walked = ingest::walk(root, index_dir_abs.as_deref()).map_err(|source| {
            Error::UnreadablePath {
                path: root.clone(),
                source,
            }
        })?;
        for (reason, n) in walked.skipped.by_reason {
            *report.skipped.entry(reason).or_default() += n;
        }
        for e in walked.errors {
            progress(Progress::File {
                path: &e.path,
                change: Change::Failed,
                reason: Some(&e.reason),
            });
            report.failed.push(FileProblem {
                path: e.path,
                reason: e.reason,
            });
        }
        candidates.extend(walked.files);
        walked_roots.push(root.clone());
    }
    // The same file reached through two roots is one document.
    let mut seen = HashSet::new();
    candidates.retain(|c| seen.insert(doc_key(&c.path)));
    progress(Progress::Planned {
        files: candidates.len(),
    });

    // Records whose file is gone from a root walked in this run.
    let failed_paths: HashSet<PathBuf> = report.failed.iter().map(|f| f.path.clone()).collect();
    let gone: Vec<&DocRecord> = existing
        .values()
        .filter(|r| !seen.contains(&r.key))
        .filter(|r| {
            let path = r.path();
            walked_roots.iter().any(|root| path.starts_with(root))
                && !failed_paths.iter().any(|f| path.starts_with(f))
        })
        .collect();
    for record in gone {
        writer.delete_term(Term::from_field_u64(store.fields.doc_key, record.key));
        report.removed += 1;
        progress(Progress::File {
            path: &record.path(),
            change: Change::Removed,
            reason: None,
        });
    }

    let now = unix_now();
    let (mut to_prepare, mut unchanged) = (Vec::new(), 0usize);
    for c in candidates {
        let old = existing.get(&doc_key(&c.path));
        let same_stamp = old.is_some_and(|r| {
            r.stamp.size == c.size
                && r.stamp.mtime_ns == c.mtime_ns
                && sidecar_unchanged(r, &c.path)
        });
        if same_stamp {
            unchanged += 1;
        } else {
            to_prepare.push(c);
        }
    }
    report.unchanged = unchanged;

    let mut since_commit = 0usize;
    let mut last_commit = Instant::now();
    info.schema_version = SCHEMA_VERSION;
    for root in &canonical_roots {
        if !info.roots.contains(root) {
            info.roots.push(root.clone());
        }
    }
    // Bounded chunks keep memory flat whatever the corpus size: at most one chunk of extracted
    // text is in flight while the writer indexes the previous one.
    let chunk_len = rayon::current_num_threads().max(1) * 16;
    for chunk in to_prepare.chunks(chunk_len) {
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|c| {
                prepare(
                    c,
                    existing.get(&doc_key(&c.path)),
                    options.max_file_bytes,
                    now,
                )
            })
            .collect();
        for (candidate, outcome) in chunk.iter().zip(outcomes) {
            let was_indexed = existing.contains_key(&doc_key(&candidate.path));
            let change = match outcome {
                Outcome::Indexed(prepared) => {
                    for w in &prepared.warnings {
                        report.warnings.push(FileProblem {
                            path: candidate.path.clone(),
                            reason: w.clone(),
                        });
                    }
                    report.passages_written += write_document(&writer, &store.fields, &prepared)?;
                    if was_indexed {
                        report.updated += 1;
                        Change::Updated
                    } else {
                        report.added += 1;
                        Change::Added
                    }
                }
                Outcome::Touched(record) => {
                    writer.delete_term(Term::from_field_u64(store.fields.record_key, record.key));
                    writer.add_document(record_document(&store.fields, &record)?)?;
                    report.unchanged += 1;
                    Change::Unchanged
                }
                Outcome::Skipped(reason) => {
                    // A file that became empty or too large must not keep its old passages.
                    if was_indexed {
                        writer.delete_term(Term::from_field_u64(
                            store.fields.doc_key,
                            doc_key(&candidate.path),
                        ));
                        report.removed += 1;
                    }
                    progress(Progress::File {
                        path: &candidate.path,
                        change: Change::Skipped,
                        reason: Some(&reason),
                    });
                    *report.skipped.entry(reason).or_default() += 1;
                    continue;
                }
                Outcome::Failed(reason) => {
                    progress(Progress::File {
                        path: &candidate.path,
                        change: Change::Failed,
                        reason: Some(&reason),
                    });
                    report.failed.push(FileProblem {
                        path: candidate.path.clone(),
                        reason,
                    });
                    continue;
                }
            };
            progress(Progress::File {
                path: &candidate.path,
                change,
                reason: None,
            });
            since_commit += 1;
        }
        if since_commit >= options.commit_every_docs
            || last_commit.elapsed() >= options.commit_every
        {
            progress(Progress::Committing);
            info.in_progress = true;
            commit(&mut writer, &info)?;
            since_commit = 0;
            last_commit = Instant::now();
        }
    }

    info.in_progress = false;
    info.last_indexed = Some(unix_now());
    commit(&mut writer, &info)?;
    writer.wait_merging_threads()?;

    reader.reload()?;
    let (docs, passages) = store.counts(&reader.searcher())?;
    report.documents_total = docs;
    report.passages_total = passages;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn commit(writer: &mut IndexWriter, info: &IndexInfo) -> Result<()> {
    let payload = serde_json::to_string(info).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

fn sidecar_unchanged(record: &DocRecord, path: &Path) -> bool {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned());
    let current = [stem, name]
        .into_iter()
        .flatten()
        .map(|n| path.with_file_name(format!("{n}{}", ingest::SIDECAR_SUFFIX)))
        .find_map(|p| std::fs::metadata(p).ok())
        .map(|m| FileStamp {
            size: m.len(),
            mtime_ns: ingest::walk::mtime_ns(&m),
        });
    current == record.sidecar
}

/// Write a prepared document: its record and its passages, replacing any earlier version.
fn write_document(writer: &IndexWriter, fields: &Fields, prepared: &Prepared) -> Result<usize> {
    let record = &prepared.record;
    writer.delete_term(Term::from_field_u64(fields.doc_key, record.key));
    writer.add_document(record_document(fields, record)?)?;
    for (ordinal, range) in prepared.passages.iter().enumerate() {
        let mut d = doc!(
            fields.kind => KIND_PASSAGE,
            fields.doc_key => record.key,
            fields.text => &prepared.text[range.clone()],
            fields.ordinal => ordinal as u64,
            fields.start => range.start as u64,
            fields.end => range.end as u64,
        );
        if let Some(title) = &record.metadata.title {
            d.add_text(fields.title, &title.value);
        }
        add_facets(&mut d, fields, &record.metadata);
        writer.add_document(d)?;
    }
    Ok(prepared.passages.len())
}

fn record_document(fields: &Fields, record: &DocRecord) -> Result<TantivyDocument> {
    let json = serde_json::to_string(record).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    let mut d = doc!(
        fields.kind => KIND_DOC,
        fields.doc_key => record.key,
        fields.record_key => record.key,
        fields.root => record.root.to_string_lossy().as_ref(),
        fields.rel_path => record.rel_path.as_str(),
        fields.hash => record.hash.as_str(),
        fields.record => json,
    );
    add_facets(&mut d, fields, &record.metadata);
    Ok(d)
}

/// Facets and filter keys go on records (for document counts) and passages (for filtering).
fn add_facets(d: &mut TantivyDocument, fields: &Fields, m: &Metadata) {
    if let Some(source) = &m.source {
        d.add_facet(
            fields.facets,
            Facet::from_path(["source", source.value.as_str()]),
        );
        d.add_text(fields.filter, filter_key("source", &source.value));
    }
    if let Some(date) = &m.date {
        let year = date.value.year.to_string();
        d.add_facet(fields.facets, Facet::from_path(["year", year.as_str()]));
        d.add_i64(fields.date_lo, date.value.lo());
        d.add_i64(fields.date_hi, date.value.hi());
    }
    if let Some(tags) = &m.tags {
        for tag in &tags.value {
            d.add_facet(fields.facets, Facet::from_path(["tag", tag.as_str()]));
            d.add_text(fields.filter, filter_key("tag", tag));
        }
    }
    if let Some(lang) = &m.language {
        d.add_facet(
            fields.facets,
            Facet::from_path(["lang", lang.value.as_str()]),
        );
        d.add_text(fields.filter, filter_key("lang", &lang.value));
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
