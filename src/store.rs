//! Opening the on-disk index, and the facts about it that live in its commit payload.
//!
//! The index directory holds tantivy's files plus tipdex's marker ([`MARKER`]), which says the
//! directory is tipdex's to manage: tipdex deletes only the files it can name as its own (see
//! [`directory`]), never anything else a user keeps there. What tipdex needs to know about
//! a run (layout version, roots, when it last finished, whether it completed) rides in the commit
//! payload, so it changes atomically with the documents it describes.

pub mod check;
mod country_wordings;
mod directory;
#[cfg(test)]
pub(crate) mod faults;
mod saved;
pub mod settings;
pub(crate) mod swap;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{
    Executor, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};

use crate::acronyms::{Glossary, LearnedAcronym};
use crate::analysis::Equivalents;
use crate::error::{Error, Result};
use crate::index_doc::read_record;
use crate::record::{DocRecord, RecordSummary};
use crate::reprints::Groups;
use crate::schema::{self, Fields, KIND_DOC, KIND_PASSAGE, SCHEMA_VERSION};
pub(crate) use directory::share_like_directory;
use directory::IndexDirectory;
pub use directory::{MARKER, SETTINGS, STAGING};
pub use saved::{SavedFilters, Watch};

/// Writer memory for a commit that only changes the payload (above tantivy's 15 MB minimum).
const EDIT_WRITER_MEMORY: usize = 20_000_000;

/// What tipdex records in each commit.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexInfo {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// Every root ever indexed into this index (canonical paths).
    pub roots: Vec<PathBuf>,
    /// Unix seconds at which the last `index` run committed.
    pub last_indexed: Option<i64>,
    /// True while a run's intermediate commits are being made; false once it completed.
    #[serde(default)]
    pub in_progress: bool,
    /// Acronyms the indexed documents define, learned from their records at each commit (see
    /// [`crate::acronyms`]); queries match either form.
    #[serde(default)]
    pub acronyms: Vec<LearnedAcronym>,
    /// The team's own synonyms (`tipdex synonyms add`): a word or phrase and another way of
    /// writing it, matched both ways at query time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<(String, String)>,
    /// `--exclude` globs remembered per root, so every later run that walks the root obeys them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub excludes: BTreeMap<PathBuf, Vec<String>>,
    /// The user's saved searches (`tipdex watch`), committed with the documents they report on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watches: Vec<Watch>,
    /// Reprint groups (see [`crate::reprints`]): keys of documents whose texts are the same or
    /// nearly so, recomputed from the records' signatures at each commit like the acronyms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reprints: Vec<Vec<u64>>,
}

impl IndexInfo {
    /// The countries' wordings (see [`country_wordings::COUNTRY_WORDINGS`]), the learned
    /// acronyms `in_use` (see [`IndexInfo::acronyms_in_use`]) and the synonyms as equivalent
    /// wordings for queries; synonyms are the user's call and always kept.
    fn equivalents(&self, in_use: &[AcronymInUse]) -> Equivalents {
        let mut out = Equivalents::with_sets(Arc::clone(&country_wordings::COUNTRY_WORDINGS));
        for a in in_use {
            out.add_analyzed(a.short.clone(), a.long.clone());
        }
        for (a, b) in &self.synonyms {
            out.add(a, b);
        }
        out
    }

    /// The learned acronyms a query may use, with their analyzed terms. One found in more
    /// passages (`passages_with` a term) than the rarest word of its long form is mostly an
    /// ordinary word (`ALL` for a leukaemia, `NO` for nitric oxide) and is left out.
    fn acronyms_in_use(&self, passages_with: impl Fn(&str) -> u64) -> Vec<AcronymInUse> {
        self.acronyms
            .iter()
            .filter_map(|a| {
                let short = Equivalents::terms_of(&a.acronym);
                let long = Equivalents::terms_of(&a.long_form);
                let rarest = long.iter().map(|t| passages_with(t)).min();
                let in_use = match (short.as_slice(), rarest) {
                    ([term], Some(rarest)) => passages_with(term) <= rarest,
                    _ => false,
                };
                in_use.then(|| AcronymInUse {
                    acronym: a.clone(),
                    short,
                    long,
                })
            })
            .collect()
    }
}

/// A learned acronym a query may use, with the terms of both its forms (analyzed once, for
/// the filter and the equivalents both).
struct AcronymInUse {
    acronym: LearnedAcronym,
    short: Vec<String>,
    long: Vec<String>,
}

impl IndexInfo {
    /// True when the last run did not finish (killed, interrupted, or never committed its
    /// end): some files of its roots may be missing until the next `index` run.
    pub fn is_incomplete(&self) -> bool {
        self.in_progress || self.last_indexed.is_none()
    }
}

/// Commit what `writer` holds with `info` as the commit's payload, and give the new files the
/// index folder's sharing. The one place the payload is written ([`Store::info`] reads it).
pub(crate) fn commit(writer: &mut IndexWriter, info: &IndexInfo, dir: &Path) -> Result<()> {
    let payload = serde_json::to_string(info).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    after_commit(dir, info)
}

/// What follows every commit: metadata files as readable as the directory, and tipdex's copy of
/// the settings (see [`settings`]) up to date.
pub(crate) fn after_commit(dir: &Path, info: &IndexInfo) -> Result<()> {
    share_like_directory(dir).map_err(storage_or_io(dir))?;
    settings::save(dir, info).map_err(storage_or_io_on(dir, Some(SETTINGS)))
}

/// What a query's words may also be written as, read from one commit.
#[derive(Clone)]
struct Wordings {
    equivalents: Arc<Equivalents>,
    /// The learned acronyms queries use, which the glossary is made from.
    acronyms_in_use: Arc<[LearnedAcronym]>,
    /// Made when a semantic search first asks: a lexical search never needs it.
    glossary: Arc<OnceLock<Arc<Glossary>>>,
}

/// What else of one search keeps a core busy while its passes run ([`Store::search_executor`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Beside {
    /// Nothing: the passes may use every core.
    #[default]
    Nothing,
    /// The query's embedding, on a thread of its own.
    Embedding,
}

/// An open index.
pub struct Store {
    /// The tantivy index.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// Where it lives.
    pub dir: PathBuf,
    /// See [`Store::search_executor`], one for each [`Beside`]; made on first use, so
    /// commands that never search (index, status, show) start no threads.
    search_executors: [OnceLock<Executor>; 2],
    /// The commit payload's equivalent wordings and glossary, by the searcher generation they
    /// were read for.
    wordings: Mutex<Option<(u64, Wordings)>>,
    /// The commit payload's reprint groups, by the searcher generation they were read for.
    reprints: Mutex<Option<(u64, Arc<Groups>)>>,
}

/// The settings of a new index: its doc store in lz4 blocks of 32 kB (tantivy's default: 16 kB).
///
/// The store (passage text, records) is two thirds of an index: at 20,000 documents 125 of
/// 194 MB with 16 kB lz4 blocks, 1.18x the text with the postings. Blocks twice as large
/// compress to 1.12x, and lz4 decompresses a block in microseconds: measured in process, a
/// search's median 1.40 ms against 1.30-1.38 with 16 kB blocks. zstd level 1 made the index
/// 0.96x the text but cost every shown page 0.2-0.5 ms: tantivy makes a zstd context per block
/// it reads (BENCHMARKS.md, issue 21, "Index size"). tantivy keeps the block size in
/// `meta.json`, so an index made before keeps 16 kB blocks until `tipdex index --full`.
fn store_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_blocksize: STORE_BLOCK_BYTES,
        ..tantivy::IndexSettings::default()
    }
}

/// Bytes of stored documents per compressed block of a new index ([`store_settings`]).
const STORE_BLOCK_BYTES: usize = 32 * 1024;

impl Store {
    /// True when `dir` holds an index (of any version).
    pub fn exists(dir: &Path) -> bool {
        dir.join("meta.json").is_file()
    }

    /// True when `dir` holds tipdex's index: its marker, or (for an index made before the marker
    /// existed) a commit payload written by tipdex or tipdex's field names.
    pub(crate) fn is_tipdex_index(dir: &Path) -> bool {
        directory::is_tipdex_index(dir)
    }

    /// Open an existing index, refusing one built with another layout and a directory that is
    /// not tipdex's. Damage met on the way is `Error::Damaged`, naming the file.
    pub fn open(dir: &Path) -> Result<Store> {
        Self::open_unchecked(dir).map_err(|e| e.in_index(dir))
    }

    fn open_unchecked(dir: &Path) -> Result<Store> {
        if !Self::exists(dir) {
            return Err(Error::NoIndex(dir.to_path_buf()));
        }
        if !Self::is_tipdex_index(dir) {
            return Err(Error::NotTipdexIndex(dir.to_path_buf()));
        }
        let index = Index::open(IndexDirectory::open(dir)?)?;
        let store = Self::wrap(index, dir)?;
        let info = store.info()?;
        if info.schema_version != SCHEMA_VERSION && info.schema_version != 0 {
            return Err(Error::IncompatibleIndex {
                path: dir.to_path_buf(),
                reason: format!(
                    "built with layout version {}, this tipdex uses {SCHEMA_VERSION}",
                    info.schema_version
                ),
            });
        }
        Ok(store)
    }

    /// Open the index in `dir`, creating the directory and an empty index when there is none.
    /// An existing directory that holds anything but tipdex's own files is refused: the index
    /// lives in a folder of its own, so that rebuilding it can never touch a user's files.
    pub(crate) fn open_or_create(dir: &Path) -> Result<Store> {
        if Self::exists(dir) {
            return Self::open(dir);
        }
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        if directory::holds_foreign_files(dir).map_err(io)? {
            return Err(Error::NotTipdexIndex(dir.to_path_buf()));
        }
        Self::create(dir)
    }

    /// Create an empty index in `dir`, which holds no index (also the staging index of a
    /// rebuild, see [`swap`]).
    pub(crate) fn create(dir: &Path) -> Result<Store> {
        // The marker goes first: whenever tantivy's files exist, so does the claim on them.
        directory::write_marker(dir).map_err(storage_or_io(dir))?;
        let (schema, _) = schema::build();
        let index = Index::create(IndexDirectory::open(dir)?, schema, store_settings())?;
        Self::wrap(index, dir)
    }

    /// Prepare `dir` for a rebuild without opening its index (which may be damaged): refuse a
    /// directory that is not tipdex's, create it when missing, claim it, take the writer lock
    /// (`IndexBusy` when another run holds it) and remove what killed runs left behind.
    pub(crate) fn lock_for_rebuild(dir: &Path) -> Result<tantivy::directory::DirectoryLock> {
        if Self::exists(dir) {
            if !Self::is_tipdex_index(dir) {
                return Err(Error::NotTipdexIndex(dir.to_path_buf()));
            }
        } else {
            std::fs::create_dir_all(dir).map_err(storage_or_io(dir))?;
            if directory::holds_foreign_files(dir).map_err(storage_or_io(dir))? {
                return Err(Error::NotTipdexIndex(dir.to_path_buf()));
            }
        }
        let lock = swap::writer_lock(dir)
            .map_err(storage_or_io(dir))?
            .ok_or_else(|| Error::IndexBusy(dir.to_path_buf()))?;
        directory::write_marker(dir).map_err(storage_or_io(dir))?;
        directory::remove_stale_files(dir).map_err(storage_or_io(dir))?;
        Ok(lock)
    }

    /// Remove what a killed or failed run left behind (temporary files, segment files no
    /// commit lists). Call only while holding the writer.
    pub(crate) fn remove_stale_files(&self) -> Result<u64> {
        directory::remove_stale_files(&self.dir).map_err(storage_or_io(&self.dir))
    }

    /// [`Store::remove_stale_files`] after a failed run, repeated until the folder has stayed
    /// clean for three passes 20 ms apart (at most ~1 s). Why not once: tantivy's
    /// `wait_merging_threads` returns at the first indexing thread that failed without joining
    /// the others, nor the merge thread or a segment's doc-store compressor, so those can
    /// still be writing a segment's files after the join. Seen in the fault sweep: a
    /// persistent disk-full fault once left a `.store` file behind a single pass.
    pub(crate) fn remove_partial_files(&self) -> Result<()> {
        let mut quiet = 0;
        for _ in 0..50 {
            quiet = if self.remove_stale_files()? == 0 {
                quiet + 1
            } else {
                0
            };
            if quiet == 3 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Ok(())
    }

    /// Bytes of the index's segment files in `dir`: about what rebuilding it writes again.
    pub(crate) fn segment_bytes(dir: &Path) -> u64 {
        directory::segment_bytes(dir)
    }

    /// Write the marker into an index made before tipdex wrote one (called by writers only).
    pub(crate) fn claim(&self) -> Result<()> {
        directory::write_marker(&self.dir).map_err(|source| Error::Io {
            path: self.dir.join(MARKER),
            source,
        })
    }

    fn wrap(index: Index, dir: &Path) -> Result<Store> {
        let (expected, fields) = schema::build();
        if index.schema() != expected {
            return Err(Error::IncompatibleIndex {
                path: dir.to_path_buf(),
                reason: "its fields differ from this tipdex's".into(),
            });
        }
        schema::register_analyzer(&index);
        Ok(Store {
            index,
            fields,
            dir: dir.to_path_buf(),
            search_executors: [OnceLock::new(), OnceLock::new()],
            wordings: Mutex::new(None),
            reprints: Mutex::new(None),
        })
    }

    /// Runs the searches that visit every match (ranking, required and excluded words, facets)
    /// over the segments in parallel when there are several and cores to spare: a big index
    /// has a handful of large segments (7 at 100,000 documents) and a common word's matches
    /// are spread over all of them. Small lookups (a record by key, the shown documents'
    /// passages) stay on the calling thread, where a hand-off would cost more than it saves.
    /// Sized on first use for the `segments` of the searcher at hand (the index's metadata was
    /// already read to open it).
    ///
    /// `beside`: what else of the same search keeps a core busy meanwhile. A query embedding
    /// does (semantic and hybrid searches), so their passes take one core fewer: on two cores
    /// a pool of two beside the embedding's thread time-shared them, and the passes took
    /// 2.8 ms where the calling thread alone took 1.8 (BENCHMARKS.md, issue 22).
    pub(crate) fn search_executor(&self, segments: usize, beside: Beside) -> &Executor {
        let (slot, busy) = match beside {
            Beside::Nothing => (&self.search_executors[0], 0),
            Beside::Embedding => (&self.search_executors[1], 1),
        };
        slot.get_or_init(|| {
            // Asking for the core count reads cgroup files: only worth it with several segments.
            let threads = match segments {
                0 | 1 => 1,
                n => std::thread::available_parallelism()
                    .map_or(1, |c| n.min(c.get().saturating_sub(busy))),
            };
            // A pool that cannot start (a thread limit) only costs speed, never the search.
            if threads > 1 {
                Executor::multi_thread(threads, "tipdex-search-")
                    .unwrap_or_else(|_| Executor::single_thread())
            } else {
                Executor::single_thread()
            }
        })
    }

    /// Search each query's segments on the thread that runs it, from now on. For a server,
    /// whose parallelism is its concurrent requests: one shared pool would queue every
    /// request's segment searches behind those of the longest query running, so one costly
    /// query held the pool and everyday ones waited for it. Without effect once a search ran.
    pub fn search_on_calling_thread(&self) {
        for slot in &self.search_executors {
            let _ = slot.set(Executor::single_thread());
        }
    }

    /// A reader that sees the last commit (reloaded explicitly, never behind our back).
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }

    /// The learned acronyms and synonyms of the last commit as equivalent wordings, read once
    /// per searcher generation (a search does not re-read and re-analyze them).
    pub(crate) fn equivalents(&self, searcher: &Searcher) -> Result<Arc<Equivalents>> {
        Ok(self.wordings(searcher)?.equivalents)
    }

    /// The acronyms of the last commit with their long forms as written, for the query's
    /// embedding (see [`Glossary`]); read with [`Store::equivalents`].
    pub(crate) fn glossary(&self, searcher: &Searcher) -> Result<Arc<Glossary>> {
        let wordings = self.wordings(searcher)?;
        let glossary = wordings
            .glossary
            .get_or_init(|| Arc::new(Glossary::new(wordings.acronyms_in_use.iter())));
        Ok(Arc::clone(glossary))
    }

    fn wordings(&self, searcher: &Searcher) -> Result<Wordings> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .wordings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, w)) = cached.as_ref() {
            if *g == generation {
                return Ok(w.clone());
            }
        }
        let text = self.fields.text;
        let passages_with = |term: &str| {
            searcher
                .doc_freq(&Term::from_field_text(text, term))
                .unwrap_or(0)
        };
        let info = self.info()?;
        // Filtered once (each long form analyzed, its words looked up) for both uses.
        let in_use = info.acronyms_in_use(passages_with);
        let fresh = Wordings {
            equivalents: Arc::new(info.equivalents(&in_use)),
            acronyms_in_use: in_use.into_iter().map(|a| a.acronym).collect(),
            glossary: Arc::default(),
        };
        *cached = Some((generation, fresh.clone()));
        Ok(fresh)
    }

    /// The reprint groups of the last commit, read once per searcher generation.
    pub fn reprints(&self, searcher: &Searcher) -> Result<Arc<Groups>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .reprints
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, groups)) = cached.as_ref() {
            if *g == generation {
                return Ok(Arc::clone(groups));
            }
        }
        let fresh = Arc::new(Groups::new(self.info()?.reprints));
        *cached = Some((generation, Arc::clone(&fresh)));
        Ok(fresh)
    }

    /// Write `info` as the payload of a commit that changes no document (synonyms are edited
    /// this way, so they change atomically with nothing else). Fails with `IndexBusy` while an
    /// `index` run holds the writer.
    pub(crate) fn commit_info(&self, info: &IndexInfo) -> Result<()> {
        let mut writer: IndexWriter = self
            .index
            .writer_with_num_threads(1, EDIT_WRITER_MEMORY)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => Error::IndexBusy(self.dir.clone()),
                other => Error::from(other),
            })?;
        commit(&mut writer, info, &self.dir)
    }

    /// The payload of the last commit.
    pub fn info(&self) -> Result<IndexInfo> {
        let metas = self.index.load_metas()?;
        match metas.payload {
            None => Ok(IndexInfo::default()),
            Some(p) => serde_json::from_str(&p).map_err(|e| {
                Error::damaged(
                    &self.dir,
                    "meta.json",
                    format!("its commit payload (tipdex's record of the run) cannot be read: {e}"),
                )
            }),
        }
    }

    /// Number of documents and passages visible to `searcher`.
    pub fn counts(&self, searcher: &Searcher) -> Result<(u64, u64)> {
        let docs = searcher.search(&self.kind_query(KIND_DOC), &Count)? as u64;
        let passages = searcher.search(&self.kind_query(KIND_PASSAGE), &Count)? as u64;
        Ok((docs, passages))
    }

    /// A query matching every tantivy document of one kind.
    pub fn kind_query(&self, kind: &str) -> TermQuery {
        TermQuery::new(
            Term::from_field_text(self.fields.kind, kind),
            IndexRecordOption::Basic,
        )
    }

    /// Every document record in the index.
    pub fn all_records(&self, searcher: &Searcher) -> Result<Vec<DocRecord>> {
        self.all_decoded(searcher)
    }

    /// The planning summary of every record (see [`RecordSummary`]).
    pub(crate) fn all_summaries(&self, searcher: &Searcher) -> Result<Vec<RecordSummary>> {
        self.all_decoded(searcher)
    }

    fn all_decoded<T: serde::de::DeserializeOwned>(&self, searcher: &Searcher) -> Result<Vec<T>> {
        let addrs = searcher.search(&self.kind_query(KIND_DOC), &DocSetCollector)?;
        let mut out = Vec::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            out.push(read_record(&self.fields, &doc)?);
        }
        Ok(out)
    }

    /// The record of the document with this key, if indexed.
    pub fn record_by_key(&self, searcher: &Searcher, key: u64) -> Result<Option<DocRecord>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.record_key, key),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&query, &DocSetCollector)?;
        match addrs.into_iter().next() {
            None => Ok(None),
            Some(addr) => {
                let doc: TantivyDocument = searcher.doc(addr)?;
                read_record(&self.fields, &doc).map(Some)
            }
        }
    }

    /// The record a user means by `spec`: a document id or its first characters (at least 4),
    /// a path to the file, or the end of its path under its root (e.g. its file name).
    pub fn find_record(&self, searcher: &Searcher, spec: &str) -> Result<DocRecord> {
        let spec = spec.trim();
        if spec.len() == 16 {
            if let Ok(key) = u64::from_str_radix(spec, 16) {
                if let Some(r) = self.record_by_key(searcher, key)? {
                    return Ok(r);
                }
            }
        }
        if let Ok(path) = Path::new(spec).canonicalize() {
            if let Some(r) = self.record_by_key(searcher, crate::record::doc_key(&path))? {
                return Ok(r);
            }
        }
        let records = self.all_records(searcher)?;
        // A collection's own ids (JSON Lines `id`), typed whole.
        let exact: Vec<&DocRecord> = records.iter().filter(|r| r.id == spec).collect();
        if exact.len() == 1 {
            return Ok(exact[0].clone());
        }
        let is_hex = spec.len() >= 4 && spec.chars().all(|c| c.is_ascii_hexdigit());
        let by_id: Vec<&DocRecord> = records
            .iter()
            .filter(|r| is_hex && r.id.starts_with(&spec.to_ascii_lowercase()))
            .collect();
        let wanted = spec.trim_start_matches("./").replace('\\', "/");
        let by_path: Vec<&DocRecord> = records
            .iter()
            .filter(|r| r.rel_path == wanted || r.rel_path.ends_with(&format!("/{wanted}")))
            .collect();
        // Last resort: the start of a file name, as in `show 004` for `004_….txt`.
        let by_name: Vec<&DocRecord> = records
            .iter()
            .filter(|r| {
                r.rel_path
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with(&wanted))
            })
            .collect();
        let matches = [by_id, by_path, by_name]
            .into_iter()
            .find(|m| !m.is_empty())
            .unwrap_or_default();
        match matches.len() {
            0 => Err(Error::DocumentNotFound(spec.to_string())),
            1 => Ok(matches[0].clone()),
            count => Err(Error::AmbiguousDocument {
                given: spec.to_string(),
                count,
            }),
        }
    }

    /// Bytes the index occupies on disk.
    pub fn size_on_disk(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}

/// An I/O failure in the index folder `dir`: a storage error (disk full, permissions,
/// read-only) in words, any other as `Error::Io`.
pub(crate) fn storage_or_io(dir: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    storage_or_io_on(dir, None)
}

/// An I/O failure on `file` of the index folder `dir`, as [`storage_or_io`].
pub(crate) fn storage_or_io_on<'a>(
    dir: &'a Path,
    file: Option<&'a str>,
) -> impl Fn(std::io::Error) -> Error + 'a {
    move |source| {
        if crate::error::is_storage(source.kind()) {
            Error::storage(dir, file.map(PathBuf::from), source)
        } else {
            Error::Io {
                path: file.map_or_else(|| dir.to_path_buf(), |f| dir.join(f)),
                source,
            }
        }
    }
}
