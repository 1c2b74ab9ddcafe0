//! The embedding run: bring an index's vectors level with its documents.
//!
//! Runs after the lexical commit and never takes the index writer, so lexical indexing never
//! waits for it. Only documents whose signature (content hash + extraction rules) has no
//! vectors yet are visited, and of their passages only those whose exact model text has no
//! vector anywhere in the index are embedded (an extraction-rule change or an edit re-embeds
//! the passages whose text changed, not the document); vectors of documents gone or changed
//! are dropped when the run ends. Work is saved
//! in chunks every [`FLUSH_PASSAGES`] passages or [`FLUSH_EVERY`], so a killed run loses at
//! most that and the next run resumes where it stopped.

use super::encoder::Encoder;
use super::vectors::{fingerprint, passage_digest, signature, Group, PassageVector, VectorStore};
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
    /// Documents given vectors by this run (embedded or reused).
    pub embedded_documents: usize,
    /// Passages embedded by this run.
    pub embedded_passages: u64,
    /// Passages of re-embedded documents whose text was unchanged: vectors reused, not
    /// embedded again.
    pub reused_passages: u64,
    /// Tokens the model read for them (after the cut at the model's limit).
    pub embedded_tokens: u64,
    /// Documents whose vectors were dropped (removed or changed since).
    pub dropped: usize,
    /// Stopped by the caller's flag before the end; the work done is saved.
    pub interrupted: bool,
    /// The approximate search's lists, when this run (re)built them.
    pub lists: Option<super::lists::ListsReport>,
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
    // Groups of documents gone or changed, and groups not yet keyed by their passages' text,
    // leave the live set; their vectors stay on disk and in `stale` for reuse until the end.
    let stale = vectors.take_unless(|g| current.get(&g.key) == Some(&g.signature) && g.digested());
    let mut reuse = Reuse::new(&vectors.groups, &stale, &current);
    let todo: Vec<&DocRecord> = records
        .iter()
        .filter(|r| !vectors.groups.contains_key(&r.key))
        .collect();
    let mut report = EmbedReport {
        documents: records.len(),
        dropped: stale
            .values()
            .filter(|g| current.get(&g.key) != Some(&g.signature))
            .count(),
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
    let mut batch: Vec<(&DocRecord, Vec<Slot>)> = Vec::new();
    let mut batch_passages = 0;
    for (i, record) in todo.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            report.interrupted = true;
            break;
        }
        let slots: Vec<Slot> = passages_of(&store, &searcher, record)?
            .into_iter()
            .map(|(ordinal, text)| {
                let text = model_text(record.display_title(), &text);
                let digest = passage_digest(&text);
                match reuse.find(&vectors.groups, &stale, record.key, ordinal, digest) {
                    Some(v) => Slot::Kept(PassageVector {
                        ordinal,
                        digest,
                        ..v.clone()
                    }),
                    None => Slot::Embed(ordinal, digest, text),
                }
            })
            .collect();
        batch_passages += slots
            .iter()
            .filter(|s| matches!(s, Slot::Embed(..)))
            .count();
        batch.push((*record, slots));
        if batch_passages < ENCODE_PASSAGES && i + 1 < todo.len() {
            continue;
        }
        let (groups, tokens) = encode(encoder, std::mem::take(&mut batch), &current)?;
        report.embedded_tokens += tokens;
        report.embedded_passages += batch_passages as u64;
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
            let groups = std::mem::take(&mut pending);
            reuse.add(&groups);
            vectors.append(index_dir, groups)?;
            // Each chunk sketched as it is written, so a search during a long run reads new
            // rows through the sketches too (a chunk without one is scored exactly).
            super::sketch::build_missing(index_dir, false)?;
            pending_passages = 0;
            last_flush = Instant::now();
        }
    }
    reuse.add(&pending);
    vectors.append(index_dir, pending)?;
    super::sketch::build_missing(index_dir, false)?;
    report.reused_passages = state.passages_done - report.embedded_passages;
    if !report.interrupted {
        // Stale groups leave the disk only now, so a resumed run can still reuse them; a long
        // run's many chunks are merged now rather than on every later load.
        vectors.settle(index_dir, !stale.is_empty())?;
        // A compaction's new chunk sketched, the old chunks' sketches removed.
        super::sketch::build_missing(index_dir, true)?;
        VectorStore::mark_synced(index_dir, fingerprint(&searcher))?;
        // Past the exact scan's budget, searches go through the lists: made here, never by a
        // search, whenever they are missing or no longer name the chunks as they are.
        if vectors.passages() >= super::lists::APPROXIMATE_FROM
            && !super::lists::current(index_dir)?
        {
            report.lists = Some(super::lists::build(index_dir)?);
        }
    } else if stale.is_empty() {
        // Stopped early, but every group on disk is of a document as this index state holds
        // it: searches may trust them without reading every record (at 20,000 documents that
        // check was most of a CLI search on a partly embedded index).
        VectorStore::mark_synced(index_dir, fingerprint(&searcher))?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A passage of a document being embedded: a vector reused, or text to embed.
enum Slot {
    Kept(PassageVector),
    Embed(u32, u64, String),
}

/// Where a vector made from the same text already is: any live or stale group by passage
/// digest, or, for a group from a chunk without digests, the same ordinal of the document's
/// own group when its signature still holds (then its passages are today's).
struct Reuse {
    by_digest: HashMap<u64, (bool, u64, usize)>,
    undigested: HashMap<u64, u64>,
}

impl Reuse {
    fn new(
        live: &HashMap<u64, Group>,
        stale: &HashMap<u64, Group>,
        current: &HashMap<u64, u64>,
    ) -> Reuse {
        let mut reuse = Reuse {
            by_digest: HashMap::new(),
            undigested: HashMap::new(),
        };
        for (is_stale, groups) in [(false, live), (true, stale)] {
            for g in groups.values() {
                reuse.index(is_stale, g);
            }
        }
        for g in stale.values() {
            if !g.digested() && current.get(&g.key) == Some(&g.signature) {
                reuse.undigested.insert(g.key, g.signature);
            }
        }
        reuse
    }

    fn index(&mut self, is_stale: bool, g: &Group) {
        for (i, p) in g.passages.iter().enumerate() {
            if p.digest != 0 {
                self.by_digest
                    .entry(p.digest)
                    .or_insert((is_stale, g.key, i));
            }
        }
    }

    /// Groups just appended to the live set (a reprint later in the run reuses them).
    fn add(&mut self, groups: &[Group]) {
        for g in groups {
            self.index(false, g);
        }
    }

    fn find<'a>(
        &self,
        live: &'a HashMap<u64, Group>,
        stale: &'a HashMap<u64, Group>,
        key: u64,
        ordinal: u32,
        digest: u64,
    ) -> Option<&'a PassageVector> {
        if let Some(&(is_stale, k, i)) = self.by_digest.get(&digest) {
            let groups = if is_stale { stale } else { live };
            if let Some(p) = groups.get(&k).and_then(|g| g.passages.get(i)) {
                return Some(p);
            }
        }
        if self.undigested.contains_key(&key) {
            return stale
                .get(&key)?
                .passages
                .iter()
                .find(|p| p.ordinal == ordinal);
        }
        None
    }
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

/// Embed the batch's passages that need it and assemble each document's group.
fn encode(
    encoder: &Encoder,
    batch: Vec<(&DocRecord, Vec<Slot>)>,
    current: &HashMap<u64, u64>,
) -> Result<(Vec<Group>, u64)> {
    let texts: Vec<&str> = batch
        .iter()
        .flat_map(|(_, slots)| slots.iter())
        .filter_map(|s| match s {
            Slot::Embed(_, _, text) => Some(text.as_str()),
            Slot::Kept(_) => None,
        })
        .collect();
    let (embedded, tokens) = if texts.is_empty() {
        (Vec::new(), 0)
    } else {
        encoder.embed_counted(&texts)?
    };
    let mut embedded = embedded.into_iter();
    let mut out = Vec::with_capacity(batch.len());
    for (record, slots) in batch {
        let passages = slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Kept(v) => v,
                Slot::Embed(ordinal, digest, _) => {
                    let v = embedded.next().expect("one vector per text");
                    PassageVector::quantise(ordinal, digest, &v)
                }
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
