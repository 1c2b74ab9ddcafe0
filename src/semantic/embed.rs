//! The embedding run: bring an index's vectors level with its documents.
//!
//! Runs after the lexical commit and never takes the index writer, so lexical indexing never
//! waits for it. Only documents whose signature (content hash + extraction rules) has no
//! vectors yet are embedded; vectors of documents gone or changed are dropped. Work is saved
//! in chunks every [`FLUSH_PASSAGES`] passages or [`FLUSH_EVERY`], so a killed run loses at
//! most that and the next run resumes where it stopped.

use super::encoder::Encoder;
use super::vectors::{fingerprint, signature, Group, PassageVector, VectorStore};
use super::SemanticError;
use crate::error::Result;
use crate::index_doc::read_passage;
use crate::record::DocRecord;
use crate::store::Store;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, TantivyDocument, Term};

/// Passages embedded between two saved chunks, at most.
const FLUSH_PASSAGES: usize = 512;
/// Time between two saved chunks, at most: what a kill can cost.
const FLUSH_EVERY: Duration = Duration::from_secs(10);
/// Passages given to the encoder at once (it sorts them by length and batches further).
const ENCODE_PASSAGES: usize = 64;

/// Where an embedding run is, for a progress bar.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmbedProgress {
    /// Passages embedded so far in this run.
    pub passages_done: u64,
    /// Passages this run has to embed.
    pub passages_total: u64,
    /// Time since the run started embedding.
    pub elapsed: Duration,
}

/// What an embedding run did.
#[derive(Clone, Debug, Default)]
pub struct EmbedReport {
    /// Documents in the index.
    pub documents: usize,
    /// Documents embedded by this run.
    pub embedded_documents: usize,
    /// Passages embedded by this run.
    pub embedded_passages: u64,
    /// Tokens the model read for them (after the cut at the model's limit).
    pub embedded_tokens: u64,
    /// Documents whose vectors were dropped (removed or changed since).
    pub dropped: usize,
    /// Stopped by the caller's flag before the end; the work done is saved.
    pub interrupted: bool,
    /// Wall time.
    pub elapsed: Duration,
}

/// Embed what `index_dir`'s vectors lack. `progress` is called after each encoder batch;
/// `stop` is checked between batches.
pub fn embed_index(
    index_dir: &Path,
    encoder: &Encoder,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(EmbedProgress),
) -> Result<EmbedReport> {
    let started = Instant::now();
    VectorStore::enable(index_dir)?;
    let _lock = RunLock::take(index_dir)?;
    let store = Store::open(index_dir)?;
    let reader = store.reader()?;
    let searcher = reader.searcher();
    let records = store.all_records(&searcher)?;
    let current: HashMap<u64, u64> = records
        .iter()
        .map(|r| (r.key, signature(&r.hash, r.extractor)))
        .collect();
    let mut vectors = VectorStore::load(index_dir)?;
    let dropped = vectors.retain(index_dir, |g| current.get(&g.key) == Some(&g.signature))?;
    let todo: Vec<&DocRecord> = records
        .iter()
        .filter(|r| !vectors.groups.contains_key(&r.key))
        .collect();
    let mut report = EmbedReport {
        documents: records.len(),
        dropped,
        ..EmbedReport::default()
    };
    let mut state = EmbedProgress {
        passages_total: todo.iter().map(|r| u64::from(r.passages)).sum(),
        ..EmbedProgress::default()
    };
    progress(state);
    let mut pending: Vec<Group> = Vec::new();
    let mut pending_passages = 0;
    let mut last_flush = Instant::now();
    let mut batch: Vec<(&DocRecord, Vec<(u32, String)>)> = Vec::new();
    let mut batch_passages = 0;
    for (i, record) in todo.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            report.interrupted = true;
            break;
        }
        let passages = passages_of(&store, &searcher, record)?;
        batch_passages += passages.len();
        batch.push((*record, passages));
        if batch_passages < ENCODE_PASSAGES && i + 1 < todo.len() {
            continue;
        }
        let (groups, tokens) = encode(encoder, std::mem::take(&mut batch), &current)?;
        report.embedded_tokens += tokens;
        batch_passages = 0;
        for g in groups {
            state.passages_done += g.passages.len() as u64;
            report.embedded_documents += 1;
            pending_passages += g.passages.len();
            pending.push(g);
        }
        state.elapsed = started.elapsed();
        progress(state);
        if pending_passages >= FLUSH_PASSAGES || last_flush.elapsed() >= FLUSH_EVERY {
            vectors.append(index_dir, std::mem::take(&mut pending))?;
            pending_passages = 0;
            last_flush = Instant::now();
        }
    }
    vectors.append(index_dir, pending)?;
    // A long run leaves many chunks: merge them now rather than on every later load.
    vectors.retain(index_dir, |_| true)?;
    report.embedded_passages = state.passages_done;
    if !report.interrupted {
        VectorStore::mark_synced(index_dir, fingerprint(&searcher))?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// What the model reads of a passage: the document's title, then the passage, so a passage
/// that never names its subject still carries it.
fn model_text(title: &str, passage: &str) -> String {
    if title.is_empty() || passage.starts_with(title) {
        passage.to_string()
    } else {
        format!("{title}\n{passage}")
    }
}

fn encode(
    encoder: &Encoder,
    batch: Vec<(&DocRecord, Vec<(u32, String)>)>,
    current: &HashMap<u64, u64>,
) -> Result<(Vec<Group>, u64)> {
    let texts: Vec<String> = batch
        .iter()
        .flat_map(|(r, ps)| ps.iter().map(|(_, t)| model_text(r.display_title(), t)))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let (embedded, tokens) = encoder.embed_counted(&refs)?;
    let mut embedded = embedded.into_iter();
    let mut out = Vec::with_capacity(batch.len());
    for (record, passages) in batch {
        let passages = passages
            .iter()
            .map(|(ordinal, _)| {
                let v = embedded.next().expect("one vector per text");
                PassageVector::quantise(*ordinal, &v)
            })
            .collect();
        out.push(Group {
            key: record.key,
            signature: current[&record.key],
            passages,
        });
    }
    Ok((out, tokens))
}

/// A document's passages (ordinal, text) as stored in the index.
pub(crate) fn passages_of(
    store: &Store,
    searcher: &Searcher,
    record: &DocRecord,
) -> Result<Vec<(u32, String)>> {
    let addrs = passage_addresses(store, searcher, record.key)?;
    let mut out = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let p = read_passage(&store.fields, &doc, &record.id)?;
        out.push((p.place.ordinal as u32, p.text));
    }
    out.sort_by_key(|(o, _)| *o);
    Ok(out)
}

/// Addresses of every passage of the document `key`, in index order.
pub(crate) fn passage_addresses(
    store: &Store,
    searcher: &Searcher,
    key: u64,
) -> Result<Vec<tantivy::DocAddress>> {
    let kind: Box<dyn Query> = Box::new(store.kind_query(crate::schema::KIND_PASSAGE));
    let of_document: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_u64(store.fields.doc_key, key),
        IndexRecordOption::Basic,
    ));
    let query = BooleanQuery::new(vec![(Occur::Must, kind), (Occur::Must, of_document)]);
    let mut addrs: Vec<tantivy::DocAddress> = searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    // In index order, so a run reads stored documents block by block.
    addrs.sort_by_key(|a| (a.segment_ord, a.doc_id));
    Ok(addrs)
}

/// One embedding run at a time per index: an advisory lock the kernel drops with the process,
/// so a killed run never leaves it held.
struct RunLock {
    _file: std::fs::File,
}

impl RunLock {
    fn take(index_dir: &Path) -> std::result::Result<RunLock, SemanticError> {
        let path = VectorStore::folder(index_dir).join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| SemanticError::Io {
                action: "open",
                path: path.clone(),
                source,
            })?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a descriptor this function owns; no memory is shared.
            let held = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if held != 0 {
                return Err(SemanticError::Busy(index_dir.to_path_buf()));
            }
        }
        Ok(RunLock { _file: file })
    }
}
