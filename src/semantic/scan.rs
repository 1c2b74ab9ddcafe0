//! Exact vector search over the chunk files' own bytes: every passage is a fixed-size record
//! (ordinal, digest, scale, int8 components), a document's records are contiguous, and a
//! search maps the chunks and walks them in place (`Layout::open`), so a fresh process pays
//! no decode or copy. Opened once per index state; a scan is a straight walk through memory,
//! where one heap allocation per vector made it a pointer chase.
//!
//! Two dot-product kernels, measured by `cargo bench --bench semantic -- exact`: the query
//! quantised to int8 with i8×i8 products summed in i32 (half the bytes per lane of f32, the
//! default), and the stored components widened to f32 against the f32 query. On x86-64 each is
//! compiled a second time for AVX2 and chosen at run time, so a build for the baseline CPU
//! still scans in 256-bit lanes where the machine has them.

use super::assist::Assist;
use super::encoder::DIMENSIONS;
use super::lists::{probes, Approximate, Lists, APPROXIMATE_FROM};
use super::sketch::{QueryCode, Scoring, Sketch, SketchSearch, DISTANCES, SKETCH_FROM};
use super::vectors::{chunk_shape, encode_chunk, ChunkShape, Group, GroupSpan, VectorStore};
use super::{Bytes, SemanticError};
use crate::prefetch::{prefetch, Keep};
use crate::record::{KeyMap, KeySet};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// How a query is multiplied with the stored int8 components.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernel {
    /// Query quantised to int8, products summed in i32.
    #[default]
    Int8,
    /// Components widened to f32, against the f32 query.
    Float,
}

/// A query prepared for a kernel: the f32 vector, and its int8 quantisation with its scale.
#[derive(Clone, Debug)]
pub struct Query {
    float: Vec<f32>,
    quantised: Vec<i8>,
    scale: f32,
    kernel: Kernel,
}

impl Query {
    /// Prepare `v` (a unit vector of [`DIMENSIONS`]) for `kernel`.
    pub fn new(v: &[f32], kernel: Kernel) -> Query {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        Query {
            float: v.to_vec(),
            quantised: v.iter().map(|x| (x / scale).round() as i8).collect(),
            scale,
            kernel,
        }
    }

    /// The unit vector this query was made from.
    pub(crate) fn float(&self) -> &[f32] {
        &self.float
    }

    /// The unscaled dot product with one row of stored components (int8 as bytes).
    fn raw_dot(&self, row: &[u8]) -> f32 {
        match self.kernel {
            Kernel::Int8 => dot_i8(&self.quantised, row) as f32 * self.scale,
            Kernel::Float => dot_f32(&self.float, row),
        }
    }
}

/// One document's rows: `count` passage records of `source` from byte `first`, which are
/// the source's rows `row..row + count` in its sketch.
#[derive(Clone, Copy, Debug)]
struct Rows {
    key: u64,
    source: u32,
    first: usize,
    count: u32,
    row: u32,
}

/// Every live vector, grouped by document, read where it lies: the rows of each chunk file
/// in place (mapped), so opening the vectors costs a fresh process (each CLI search) the
/// chunk headers' walk and their checksum, not a decode and copy of every vector.
#[derive(Default)]
pub struct Layout {
    sources: Vec<(Bytes, ChunkShape)>,
    /// Each source's chunk number and length (what the lists were built over).
    chunks: Vec<(u64, u64)>,
    /// In (source, first) order, so a row's document is found by binary search.
    documents: Vec<Rows>,
    by_key: KeyMap<usize>,
    vectors: usize,
    lists: Option<Lists>,
    /// Each source's sketch, when it has a current one.
    sketches: Vec<Option<Sketch>>,
    /// Sketch passes' buffers (distances, nearest rows, the pool's selection), kept between
    /// queries so a query does not map and fault in a few MB of fresh pages for them.
    spare: Mutex<Vec<SketchPass>>,
}

/// One query's distances to the sketched rows of a layout ([`Layout::sketch_pass`]).
#[derive(Default)]
pub struct SketchPass {
    scoring: Scoring,
    /// Each source's first row in `distances`, None when it has no current sketch.
    starts: Vec<Option<usize>>,
    /// Every sketched row's distance, source after source, each in its sketch's row order.
    distances: Vec<u32>,
    /// Each document's nearest row's distance (or [`UNSKETCHED`]), in layout order.
    nearest: Vec<u32>,
    /// The pool's selection: each candidate as (distance << 32 | document), and the
    /// histogram of their distances ([`smallest`]).
    candidates: Vec<u64>,
    histogram: Vec<u32>,
}

impl SketchPass {
    /// Every sketched row's distance, source after source (tests).
    #[cfg(test)]
    pub(crate) fn distances(&self) -> &[u32] {
        &self.distances
    }

    /// Whether this pass was made over a layout of this shape.
    fn fits(&self, layout: &Layout) -> bool {
        self.starts.len() == layout.sources.len() && self.nearest.len() == layout.documents.len()
    }
}

/// Rows of one share of a sketch pass: tens of microseconds, so a thread arriving late still
/// finds some (a multiple of the sketches' blocks).
const PASS_ROWS: usize = 4096;
/// Documents of one share of the nearest-row step.
const PASS_DOCUMENTS: usize = 1024;

/// One share of a sketch pass's rows: the source, its rows, and their part of the distances.
type RowShare<'a> = Mutex<(usize, Range<usize>, &'a mut [u32])>;

/// A document whose rows have no usable sketch distance: scored exactly whatever the pool.
const UNSKETCHED: u32 = u32::MAX;

/// How [`Layout::best_documents`] may search, from the request.
pub struct VectorPlan<'a> {
    /// Exact, approximate, or approximate past [`APPROXIMATE_FROM`] vectors.
    pub approximate: Approximate,
    /// Documents whose best passage is scored exactly in any case (the lexical side's best,
    /// so fusion sees their true similarity even when the lists miss them).
    pub exact: &'a dyn Fn() -> Vec<u64>,
    /// The only documents that may rank (filters), when fewer than all: None for all.
    pub only: &'a dyn Fn() -> Option<Vec<u64>>,
    /// Documents an approximate search returns from the lists, at most (fusion's depth).
    pub depth: usize,
}

impl std::fmt::Debug for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layout")
            .field("documents", &self.documents.len())
            .field("vectors", &self.vectors)
            .finish()
    }
}

impl Layout {
    /// Lay out `groups` in memory (each document's vectors together, in the order given), as
    /// records of the chunk format.
    pub fn build<'a>(groups: impl IntoIterator<Item = &'a Group>) -> Layout {
        let groups: Vec<&Group> = groups.into_iter().collect();
        // One chunk's bytes, read back through the same shape as a file's.
        let bytes = encode_chunk(&groups);
        let shape = chunk_shape(&bytes).expect("a chunk just encoded reads back");
        let mut layout = Layout::default();
        layout.chunks.push((0, bytes.len() as u64));
        layout
            .sketches
            .push(Some(Sketch::of_chunk(0, &bytes, &shape)));
        layout.sources.push((Bytes::Owned(bytes), shape));
        let spans = layout.sources[0].1.groups.clone();
        let mut row = 0;
        for span in spans {
            layout.push(0, &span, row);
            row += span.count;
        }
        layout
    }

    /// The vectors of `index_dir`'s chunks, mapped in place; of each document only its latest
    /// group (a later chunk replaces an earlier one), and only when `keep(key, signature)`;
    /// with the approximate search's lists when they are current with the chunks.
    pub fn open(
        index_dir: &Path,
        keep: impl Fn(u64, u64) -> bool,
    ) -> Result<Layout, SemanticError> {
        // Each chunk's sketch, opened first: it also carries the chunk's group directory, so
        // the chunk need not be walked (a walk touches every page of it).
        let mut sketches: HashMap<u64, Sketch> = HashMap::new();
        let mut layout = Self::open_rows_with(index_dir, keep, |number, chunk| {
            let Some(sketch) = Sketch::open(index_dir, number, chunk)? else {
                return Ok(None);
            };
            let groups = sketch.groups();
            sketches.insert(number, sketch);
            Ok(groups)
        })?;
        layout.lists = Lists::open(index_dir, &layout.chunks)?;
        for ((number, _), (_, shape)) in layout.chunks.iter().zip(&layout.sources) {
            let rows: usize = shape.groups.iter().map(|g| g.count as usize).sum();
            let sketch = sketches.remove(number).filter(|s| s.rows() == rows);
            layout.sketches.push(sketch);
        }
        Ok(layout)
    }

    /// [`Layout::open`] without the lists.
    pub(crate) fn open_rows(
        index_dir: &Path,
        keep: impl Fn(u64, u64) -> bool,
    ) -> Result<Layout, SemanticError> {
        Self::open_rows_with(index_dir, keep, |_, _| Ok(None))
    }

    /// [`Layout::open_rows`] with each chunk's groups from `directory` when it has them
    /// (see [`VectorStore::map_with`]).
    fn open_rows_with(
        index_dir: &Path,
        keep: impl Fn(u64, u64) -> bool,
        directory: impl FnMut(u64, &[u8]) -> Result<Option<Vec<GroupSpan>>, SemanticError>,
    ) -> Result<Layout, SemanticError> {
        let chunks = VectorStore::map_with(index_dir, directory)?;
        let mut latest: KeyMap<(u32, GroupSpan, u32)> = KeyMap::default();
        for (source, (_, _, shape)) in chunks.iter().enumerate() {
            let mut row = 0;
            for span in &shape.groups {
                latest.insert(span.key, (source as u32, *span, row));
                row += span.count;
            }
        }
        let mut chosen: Vec<(u32, GroupSpan, u32)> = latest
            .into_values()
            .filter(|(_, span, _)| keep(span.key, span.signature))
            .collect();
        // File order, so a scan walks each chunk front to back.
        chosen.sort_by_key(|(source, span, _)| (*source, span.first));
        let mut layout = Layout {
            chunks: chunks
                .iter()
                .map(|(number, map, _)| (*number, map.len() as u64))
                .collect(),
            sources: chunks
                .into_iter()
                .map(|(_, map, shape)| (Bytes::Mapped(map), shape))
                .collect(),
            ..Layout::default()
        };
        for (source, span, row) in chosen {
            layout.push(source, &span, row);
        }
        Ok(layout)
    }

    fn push(&mut self, source: u32, span: &GroupSpan, row: u32) {
        self.by_key.insert(span.key, self.documents.len());
        self.documents.push(Rows {
            key: span.key,
            source,
            first: span.first,
            count: span.count,
            row,
        });
        self.vectors += span.count as usize;
    }

    /// Documents with vectors.
    pub fn documents(&self) -> usize {
        self.documents.len()
    }

    /// Vectors held.
    pub fn vectors(&self) -> usize {
        self.vectors
    }

    /// Whether the document `key` has vectors.
    pub fn contains(&self, key: u64) -> bool {
        self.by_key.contains_key(&key)
    }

    /// Every document's best passage by dot product with `query`: (key, score, ordinal).
    pub fn best_per_document(&self, query: &Query) -> Vec<(u64, f32, u32)> {
        let mut out = Vec::with_capacity(self.documents.len());
        for rows in &self.documents {
            if let Some((score, ordinal)) = self.best_of(rows, query) {
                out.push((rows.key, score, ordinal));
            }
        }
        out
    }

    /// The best passage of one document's rows, None when it has none.
    fn best_of(&self, rows: &Rows, query: &Query) -> Option<(f32, u32)> {
        let mut best = (f32::NEG_INFINITY, 0u32);
        self.each_row(rows, |ordinal, record, shape| {
            let s = score(query, record, shape);
            if s > best.0 {
                best = (s, ordinal);
            }
        });
        (rows.count > 0).then_some(best)
    }

    /// Whether approximate search's lists are open and current with the chunks.
    pub fn has_current_lists(&self) -> bool {
        self.lists.is_some()
    }

    /// Documents' best passages as `plan` allows: (key, score, ordinal). Exact
    /// ([`Layout::best_per_document`], or over `plan.only`'s documents alone when filters
    /// leave fewer vectors than [`APPROXIMATE_FROM`]: a pre-filter by key), or through the
    /// lists: the centroids scored, the rows of the best [`probes`] lists (more when filters
    /// admit a fraction of the vectors, since the rows found are filtered after) scored in
    /// place, each document found keeping its best row found; then rows the lists do not cover
    /// (chunks written since they were built) and `plan.exact`'s documents scored exactly.
    /// Approximate results hold the best `plan.depth` documents the lists find (each with the
    /// best of its rows probed) and the exactly scored ones, not every document, and of them
    /// only `plan.only`'s.
    pub fn best_documents(
        &self,
        query: &Query,
        plan: &VectorPlan<'_>,
        pass: Option<SketchPass>,
        helper: Option<&Assist>,
    ) -> Vec<(u64, f32, u32)> {
        let lists = match (&self.lists, plan.approximate) {
            (Some(lists), Approximate::Always | Approximate::Auto) => Some(lists),
            _ => None,
        };
        let sketched = self.sketches.iter().any(Option::is_some)
            && matches!(plan.approximate, Approximate::Auto | Approximate::Sketches);
        let only = if lists.is_some() || sketched || plan.approximate == Approximate::Never {
            (plan.only)()
        } else {
            None
        };
        let considered = only.as_ref().map_or(self.vectors, |keys| {
            keys.iter()
                .filter_map(|k| self.by_key.get(k))
                .map(|&i| self.documents[i].count as usize)
                .sum()
        });
        if sketched && (plan.approximate == Approximate::Sketches || considered >= SKETCH_FROM) {
            return self.best_by_sketches(
                query,
                plan,
                only,
                SketchSearch::for_depth(plan.depth),
                pass,
                helper,
            );
        }
        let lists = lists
            .filter(|_| plan.approximate == Approximate::Always || considered >= APPROXIMATE_FROM);
        let Some(lists) = lists else {
            return match only {
                None => self.best_per_document(query),
                Some(keys) => keys
                    .iter()
                    .filter_map(|k| {
                        let rows = &self.documents[*self.by_key.get(k)?];
                        let (score, ordinal) = self.best_of(rows, query)?;
                        Some((rows.key, score, ordinal))
                    })
                    .collect(),
            };
        };
        // Filters admit a fraction of the rows found: probe that much further.
        let wanted = probes(lists.count()) * self.vectors.max(1) / considered.max(1);
        let wanted = wanted.clamp(1, lists.count());
        let mut centroids: Vec<(f32, usize)> = (0..lists.count())
            .map(|i| {
                let (scale, components) = lists.centroid(i);
                (query.raw_dot(components) * scale, i)
            })
            .collect();
        if wanted < centroids.len() {
            centroids.select_nth_unstable_by(wanted - 1, |a, b| b.0.total_cmp(&a.0));
            centroids.truncate(wanted);
        }
        // Every probed row scored where it lies; its document is looked up only for the best
        // rows, in score order, until `depth` documents are found (a lookup is a binary search
        // through every document, so doing it for each probed row cost more than the scan).
        let mut rows: Vec<(f32, u32, u64)> = Vec::new();
        for &(_, list) in &centroids {
            for (chunk, at) in lists.entries(list) {
                let Some(&source) = lists.sources.get(chunk as usize) else {
                    continue;
                };
                let (bytes, shape) = &self.sources[source as usize];
                // The search does not check the lists' checksum (`tipdex check` does): a row
                // an altered file points past its chunk is skipped, not a panic.
                let Some(record) = (at as usize)
                    .checked_add(shape.stride)
                    .and_then(|end| bytes.get(at as usize..end))
                else {
                    continue;
                };
                rows.push((score(query, record, shape), source, at));
            }
        }
        let admitted: Option<KeySet> = only.map(|keys| keys.into_iter().collect());
        let admits = |doc: usize| {
            admitted
                .as_ref()
                .is_none_or(|a| a.contains(&self.documents[doc].key))
        };
        let depth = plan.depth.max(1);
        let mut best: HashMap<usize, (f32, u32)> = HashMap::with_capacity(depth * 2);
        let by_score = |a: &(f32, u32, u64), b: &(f32, u32, u64)| b.0.total_cmp(&a.0);
        // Sorted in two steps: the best few times `depth` rows usually hold `depth` documents.
        let head = rows.len().min(depth * 4);
        if head < rows.len() {
            rows.select_nth_unstable_by(head, by_score);
        }
        rows[..head].sort_unstable_by(by_score);
        let mut sorted_all = head == rows.len();
        let mut i = 0;
        while i < rows.len() && best.len() < depth {
            if i == head && !sorted_all {
                rows[head..].sort_unstable_by(by_score);
                sorted_all = true;
            }
            let (s, source, at) = rows[i];
            i += 1;
            let Some(doc) = self.document_at(source, at as usize) else {
                continue;
            };
            if best.contains_key(&doc) || !admits(doc) {
                continue;
            }
            let (bytes, shape) = &self.sources[source as usize];
            let ordinal = shape.ordinal(&bytes[at as usize..at as usize + shape.stride]);
            best.insert(doc, (s, ordinal));
        }
        // Documents are in source order, so each uncovered chunk's are one run of them.
        let uncovered = (0..self.sources.len() as u32)
            .filter(|source| !lists.sources.contains(source))
            .flat_map(|source| self.documents_of(source));
        let exact: Vec<usize> = (plan.exact)()
            .iter()
            .filter_map(|k| self.by_key.get(k).copied())
            .chain(uncovered)
            .filter(|&doc| admits(doc))
            .collect();
        for doc in exact {
            if let Some((s, ordinal)) = self.best_of(&self.documents[doc], query) {
                let entry = best.entry(doc).or_insert((s, ordinal));
                if s > entry.0 {
                    *entry = (s, ordinal);
                }
            }
        }
        best.into_iter()
            .map(|(doc, (s, ordinal))| (self.documents[doc].key, s, ordinal))
            .collect()
    }

    /// The first half of a sketch search, which needs only the query vector: its distance
    /// to every sketched row and each document's nearest row (a hybrid search runs it on the
    /// embedding's thread while its word passes run; `assist` lets a waiting thread take a
    /// share of the chunks). Its buffers come from the layout's spares.
    pub fn sketch_pass(
        &self,
        query: &[f32],
        scoring: Scoring,
        assist: Option<&Assist>,
    ) -> SketchPass {
        let code = QueryCode::new(query, &self.sketches, scoring);
        let mut pass = self
            .spare
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        pass.scoring = scoring;
        pass.starts.clear();
        let mut total = 0;
        for (source, sketch) in self.sketches.iter().enumerate() {
            match sketch.as_ref().filter(|_| code.covers(source)) {
                Some(sketch) => {
                    pass.starts.push(Some(total));
                    total += sketch.rows();
                }
                None => pass.starts.push(None),
            }
        }
        // Far from everything until filled (a sketch shorter than its rows leaves some so).
        pass.distances.clear();
        pass.distances.resize(total, DISTANCES as u32 - 1);
        pass.nearest.clear();
        pass.nearest.resize(self.documents.len(), UNSKETCHED);
        let run = |shares: usize, work: &(dyn Fn(Range<usize>) + Sync)| match assist {
            Some(assist) => assist.split(shares, 1, work),
            None => work(0..shares),
        };
        // Every sketched row's distance, in shares of rows each given its own part of the
        // list, so two threads can fill it.
        let mut shares: Vec<RowShare<'_>> = Vec::new();
        let mut rest = &mut pass.distances[..];
        for (source, sketch) in self.sketches.iter().enumerate() {
            let Some(sketch) = sketch.as_ref().filter(|_| code.covers(source)) else {
                continue;
            };
            for first in (0..sketch.rows()).step_by(PASS_ROWS) {
                let rows = first..(first + PASS_ROWS).min(sketch.rows());
                let (part, after) = std::mem::take(&mut rest).split_at_mut(rows.len());
                shares.push(Mutex::new((source, rows, part)));
                rest = after;
            }
        }
        run(shares.len(), &|range: Range<usize>| {
            for share in &shares[range] {
                let mut share = share.lock().unwrap_or_else(|e| e.into_inner());
                let (source, rows, out) = &mut *share;
                if let Some(sketch) = &self.sketches[*source] {
                    code.fill(*source, sketch, rows.clone(), out);
                }
            }
        });
        drop(shares);
        // Then each document's nearest row.
        let (starts, distances) = (&pass.starts, &pass.distances);
        let shares: Vec<Mutex<(usize, &mut [u32])>> = pass
            .nearest
            .chunks_mut(PASS_DOCUMENTS)
            .enumerate()
            .map(|(i, part)| Mutex::new((i * PASS_DOCUMENTS, part)))
            .collect();
        run(shares.len(), &|range: Range<usize>| {
            for share in &shares[range] {
                let mut share = share.lock().unwrap_or_else(|e| e.into_inner());
                let (first, out) = &mut *share;
                for (rows, nearest) in self.documents[*first..].iter().zip(out.iter_mut()) {
                    let Some(at) = starts[rows.source as usize] else {
                        continue;
                    };
                    let from = at + rows.row as usize;
                    if let Some(d) = distances
                        .get(from..from + rows.count as usize)
                        .filter(|d| !d.is_empty())
                    {
                        // Branch-free: a document has a dozen rows or so.
                        *nearest = d.iter().fold(DISTANCES as u32, |m, &x| m.min(x));
                    }
                }
            }
        });
        drop(shares);
        pass
    }

    /// Documents' best passages through the sketches: every admitted document (`only`, or
    /// all) given the distance of its nearest sketched row (from `pass`, or a pass made
    /// here with `query`), the `search.pool` nearest kept, and those, `plan.exact`'s documents
    /// and the documents of chunks without a current sketch scored exactly on their
    /// `search.rows` nearest rows by sketch: (key, score, ordinal), each score exact.
    pub fn best_by_sketches(
        &self,
        query: &Query,
        plan: &VectorPlan<'_>,
        only: Option<Vec<u64>>,
        search: SketchSearch,
        pass: Option<SketchPass>,
        helper: Option<&Assist>,
    ) -> Vec<(u64, f32, u32)> {
        let mut pass = match pass {
            Some(pass) if pass.scoring == search.scoring && pass.fits(self) => pass,
            _ => self.sketch_pass(query.float(), search.scoring, None),
        };
        let SketchPass {
            starts,
            distances,
            nearest,
            candidates,
            histogram,
            ..
        } = &mut pass;
        // A document's rows' distances, None when its chunk has no current sketch (one
        // written since, or damaged: its rows are then scored exactly).
        let distances_of = |rows: &Rows| {
            let from = starts[rows.source as usize]? + rows.row as usize;
            distances
                .get(from..from + rows.count as usize)
                .filter(|d| !d.is_empty())
        };
        let admitted: Option<KeySet> = only.as_ref().map(|keys| keys.iter().copied().collect());
        let mut scored: Vec<usize> = (plan.exact)()
            .iter()
            .filter(|k| admitted.as_ref().is_none_or(|a| a.contains(k)))
            .filter_map(|k| self.by_key.get(k).copied())
            .collect();
        candidates.clear();
        // Each document's nearest row as (distance << 32 | document): one integer to select on.
        let mut visit = |doc: usize, d: u32| {
            if d == UNSKETCHED {
                scored.push(doc);
            } else {
                candidates.push(u64::from(d) << 32 | doc as u64);
            }
        };
        match &only {
            None => nearest
                .iter()
                .enumerate()
                .for_each(|(doc, &d)| visit(doc, d)),
            Some(keys) => {
                for &doc in keys.iter().filter_map(|k| self.by_key.get(k)) {
                    visit(doc, nearest[doc]);
                }
            }
        }
        smallest(candidates, search.pool.max(1), histogram, &mut scored);
        // Layout order: each chunk read front to back.
        scored.sort_unstable();
        scored.dedup();
        // Each document's best row among its `search.rows` nearest by sketch, scored
        // exactly; a chunk of documents at a time, `helper` taking a share.
        let best: Vec<AtomicU64> = scored
            .iter()
            .map(|_| AtomicU64::new(packed(f32::NEG_INFINITY, 0)))
            .collect();
        let work = |part: Range<usize>| {
            let mut picked: Vec<(usize, u32, usize)> = Vec::with_capacity(part.len() * 4);
            for i in part.clone() {
                let rows = &self.documents[scored[i]];
                let stride = self.sources[rows.source as usize].1.stride;
                pick_rows(
                    rows.count as usize,
                    distances_of(rows),
                    search.rows,
                    stride,
                    |r| {
                        picked.push((i, rows.source, rows.first + r));
                    },
                );
            }
            let mut found = vec![(f32::NEG_INFINITY, 0u32); part.len()];
            self.score_rows(&picked, query, |i, s, ordinal| {
                let found = &mut found[i - part.start];
                if s > found.0 {
                    *found = (s, ordinal);
                }
            });
            for (i, (s, ordinal)) in part.zip(found) {
                best[i].store(packed(s, ordinal), Ordering::Relaxed);
            }
        };
        /// Documents a thread takes at a time: tens of microseconds.
        const DOCUMENTS: usize = 64;
        match helper {
            Some(helper) => helper.split(scored.len(), DOCUMENTS, &work),
            None => work(0..scored.len()),
        }
        let out: Vec<_> = scored
            .iter()
            .zip(best)
            .map(|(&doc, best)| (doc, unpacked(best.into_inner())))
            .filter(|(_, (s, _))| s.is_finite())
            .map(|(doc, (s, ordinal))| (self.documents[doc].key, s, ordinal))
            .collect();
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < 2 {
            spare.push(pass);
        }
        out
    }

    /// The documents of `source`, a range of `documents` (they are in source order).
    fn documents_of(&self, source: u32) -> Range<usize> {
        self.documents.partition_point(|d| d.source < source)
            ..self.documents.partition_point(|d| d.source <= source)
    }

    /// Score each of `rows` ((tag, source, byte offset) of a record) exactly, in order, and
    /// give `f` its tag, score and ordinal. The records a few places ahead are prefetched:
    /// they lie all over the chunks, and waiting for each from memory cost more than the
    /// dot products.
    fn score_rows(
        &self,
        rows: &[(usize, u32, usize)],
        query: &Query,
        mut f: impl FnMut(usize, f32, u32),
    ) {
        /// Rows fetched ahead: enough to cover a memory access at the dot product's pace.
        const AHEAD: usize = 8;
        let record = |&(_, source, at): &(usize, u32, usize)| {
            let (bytes, shape) = &self.sources[source as usize];
            (&bytes[at..at + shape.stride], shape)
        };
        for (i, row) in rows.iter().enumerate() {
            if let Some(ahead) = rows.get(i + AHEAD) {
                prefetch(record(ahead).0, Keep::Cached);
            }
            let (record, shape) = record(row);
            f(row.0, score(query, record, shape), shape.ordinal(record));
        }
    }

    /// Whether [`Layout::best_documents`] will go through the sketches with `approximate`
    /// when no filter narrows the search: a sketch pass made ahead is then used.
    pub fn sketches_in_use(&self, approximate: Approximate) -> bool {
        self.has_sketches()
            && match approximate {
                Approximate::Sketches => true,
                Approximate::Auto => self.vectors >= SKETCH_FROM,
                Approximate::Never | Approximate::Always => false,
            }
    }

    /// Whether any chunk has a current sketch.
    pub fn has_sketches(&self) -> bool {
        self.sketches.iter().any(Option::is_some)
    }

    /// The document whose rows hold the record at byte `at` of `source`, if it is one this
    /// layout keeps (a row of a replaced or refused group has none).
    fn document_at(&self, source: u32, at: usize) -> Option<usize> {
        let after = self
            .documents
            .partition_point(|d| (d.source, d.first) <= (source, at));
        let doc = after.checked_sub(1)?;
        let rows = &self.documents[doc];
        let stride = self.sources[source as usize].1.stride;
        (rows.source == source && at < rows.first + rows.count as usize * stride).then_some(doc)
    }

    /// Every row this layout keeps, as (source, byte offset), in layout order.
    pub(crate) fn row_refs(&self) -> Vec<(u32, u64)> {
        let mut out = Vec::with_capacity(self.vectors);
        for rows in &self.documents {
            let stride = self.sources[rows.source as usize].1.stride;
            for i in 0..rows.count as usize {
                out.push((rows.source, (rows.first + i * stride) as u64));
            }
        }
        out
    }

    /// The row at byte `at` of `source`: its scale and int8 components (as bytes).
    pub(crate) fn row(&self, source: u32, at: u64) -> (f32, &[u8]) {
        let (bytes, shape) = &self.sources[source as usize];
        let record = &bytes[at as usize..at as usize + shape.stride];
        (
            shape.scale(record),
            &record[shape.components_at..shape.components_at + DIMENSIONS],
        )
    }

    /// Each source's chunk number and length.
    pub(crate) fn chunk_ids(&self) -> Vec<(u64, u64)> {
        self.chunks.clone()
    }

    /// The document `key`'s passages scored against `query`: ordinal → similarity.
    pub fn passage_scores(&self, key: u64, query: &Query) -> HashMap<u32, f32> {
        let mut out = HashMap::new();
        if let Some(&i) = self.by_key.get(&key) {
            self.each_row(&self.documents[i], |ordinal, record, shape| {
                out.insert(ordinal, score(query, record, shape));
            });
        }
        out
    }

    /// The document `key`'s passage most similar to `query`, as a float vector (its int8
    /// components times the row's scale): what the query's feedback takes from a document.
    pub(crate) fn best_passage_vector(&self, key: u64, query: &Query) -> Option<Vec<f32>> {
        let &i = self.by_key.get(&key)?;
        let mut best: Option<(f32, Vec<f32>)> = None;
        self.each_row(&self.documents[i], |_, record, shape| {
            let s = score(query, record, shape);
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                let components = &record[shape.components_at..shape.components_at + DIMENSIONS];
                best = Some((s, dequantised(shape.scale(record), components)));
            }
        });
        best.map(|(_, v)| v)
    }

    #[inline]
    fn each_row(&self, rows: &Rows, mut f: impl FnMut(u32, &[u8], &ChunkShape)) {
        let (bytes, shape) = &self.sources[rows.source as usize];
        let records = &bytes[rows.first..rows.first + rows.count as usize * shape.stride];
        for record in records.chunks_exact(shape.stride) {
            f(shape.ordinal(record), record, shape);
        }
    }
}

/// The rows (byte offsets from the document's first record, `stride` apart) of a document of
/// `count` rows to score exactly: the `keep` nearest by their sketch `distances` when it has
/// them and more rows than that, else all (`keep` 0: all). Given to `f` in row order.
fn pick_rows(
    count: usize,
    distances: Option<&[u32]>,
    keep: usize,
    stride: usize,
    mut f: impl FnMut(usize),
) {
    let keep = keep.min(MAX_ROWS_KEPT);
    let distances = match distances {
        Some(d) if keep > 0 && d.len() > keep => d,
        _ => return (0..count).for_each(|r| f(r * stride)),
    };
    // The `keep` nearest rows' (distance, row), nearest first (ties by row order), kept in
    // place: this runs for each of the ~2,000 documents scored.
    let mut nearest = [(u32::MAX, usize::MAX); MAX_ROWS_KEPT];
    let nearest = &mut nearest[..keep];
    for (r, &d) in distances.iter().enumerate() {
        if d >= nearest[keep - 1].0 {
            continue;
        }
        let mut at = keep - 1;
        while at > 0 && nearest[at - 1].0 > d {
            nearest[at] = nearest[at - 1];
            at -= 1;
        }
        nearest[at] = (d, r);
    }
    nearest.sort_unstable_by_key(|&(_, r)| r);
    nearest.iter().for_each(|&(_, r)| f(r * stride));
}

/// A score and an ordinal in one word, so threads can fill disjoint parts of one list.
fn packed(score: f32, ordinal: u32) -> u64 {
    u64::from(score.to_bits()) << 32 | u64::from(ordinal)
}

/// [`packed`]'s score and ordinal.
fn unpacked(word: u64) -> (f32, u32) {
    (f32::from_bits((word >> 32) as u32), word as u32)
}

/// The most rows of a document [`pick_rows`] keeps by their sketches.
const MAX_ROWS_KEPT: usize = 8;

/// The documents of the `pool` smallest of `nearest` (distance << 32 | document; ties broken
/// by document, so the same query always gets the same pool), appended to `out`: a histogram
/// of the distances (they are below `sketch::DISTANCES`) finds the threshold in one pass, and
/// only the entries at the threshold are selected among.
fn smallest(nearest: &[u64], pool: usize, histogram: &mut Vec<u32>, out: &mut Vec<usize>) {
    let document = |n: u64| (n & u64::from(u32::MAX)) as usize;
    if nearest.len() <= pool {
        out.extend(nearest.iter().map(|&n| document(n)));
        return;
    }
    let distance = |n: u64| ((n >> 32) as usize).min(DISTANCES - 1);
    histogram.clear();
    histogram.resize(DISTANCES, 0);
    for &n in nearest {
        histogram[distance(n)] += 1;
    }
    let (mut below, mut threshold) = (0usize, 0usize);
    while below + histogram[threshold] as usize <= pool && threshold + 1 < DISTANCES {
        below += histogram[threshold] as usize;
        threshold += 1;
    }
    let mut edge = Vec::new();
    for &n in nearest {
        match distance(n).cmp(&threshold) {
            std::cmp::Ordering::Less => out.push(document(n)),
            std::cmp::Ordering::Equal => edge.push(n),
            std::cmp::Ordering::Greater => {}
        }
    }
    let need = pool - below;
    if edge.len() > need && need > 0 {
        edge.select_nth_unstable(need - 1);
    }
    edge.truncate(need);
    out.extend(edge.into_iter().map(document));
}

/// A row's int8 components (as bytes) times its scale: the unit vector it stands for.
pub(crate) fn dequantised(scale: f32, components: &[u8]) -> Vec<f32> {
    components
        .iter()
        .map(|&c| f32::from(c as i8) * scale)
        .collect()
}

#[inline]
fn score(query: &Query, record: &[u8], shape: &ChunkShape) -> f32 {
    let components = &record[shape.components_at..shape.components_at + DIMENSIONS];
    query.raw_dot(components) * shape.scale(record)
}

/// i8 × i8 summed in i32 lanes; AVX2 when the CPU has it.
fn dot_i8(a: &[i8], b: &[u8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU was just checked to have AVX2, the only feature this copy uses.
            return unsafe { dot_i8_avx2(a, b) };
        }
    }
    dot_i8_lanes(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i8_avx2(a: &[i8], b: &[u8]) -> i32 {
    dot_i8_lanes(a, b)
}

#[inline(always)]
fn dot_i8_lanes(a: &[i8], b: &[u8]) -> i32 {
    // Independent running sums so the compiler can fill a vector register (one chain of
    // additions it may not reorder would stay scalar); i16 products of i8 never overflow
    // an i32 over 384 components.
    const LANES: usize = 32;
    let mut lanes = [0i32; LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: i32 = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(x, y)| i32::from(*x) * i32::from(*y as i8))
        .sum();
    for (x, y) in ac.zip(bc) {
        for i in 0..LANES {
            lanes[i] += i32::from(x[i]) * i32::from(y[i] as i8);
        }
    }
    lanes.iter().sum::<i32>() + tail
}

/// f32 query × widened i8 components; AVX2 + FMA when the CPU has them.
pub(super) fn dot_f32(q: &[f32], c: &[u8]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU was just checked to have AVX2 and FMA, the features this copy uses.
            return unsafe { dot_f32_avx2(q, c) };
        }
    }
    dot_f32_lanes(q, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_f32_avx2(q: &[f32], c: &[u8]) -> f32 {
    dot_f32_lanes(q, c)
}

#[inline(always)]
fn dot_f32_lanes(q: &[f32], c: &[u8]) -> f32 {
    const LANES: usize = 16;
    let mut lanes = [0f32; LANES];
    let (qc, cc) = (q.chunks_exact(LANES), c.chunks_exact(LANES));
    let tail: f32 = qc
        .remainder()
        .iter()
        .zip(cc.remainder())
        .map(|(x, y)| x * f32::from(*y as i8))
        .sum();
    for (x, y) in qc.zip(cc) {
        for i in 0..LANES {
            lanes[i] += x[i] * f32::from(y[i] as i8);
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::vectors::PassageVector;

    fn unit(seed: u32) -> Vec<f32> {
        let v: Vec<f32> = (0..DIMENSIONS)
            .map(|i| (((i as u32 * 7 + seed * 13) % 29) as f32) - 14.0 + (seed % 5) as f32)
            .collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    fn group(key: u64, seeds: &[u32]) -> Group {
        Group {
            key,
            signature: 0,
            passages: seeds
                .iter()
                .enumerate()
                .map(|(o, s)| PassageVector::quantise(o as u32, u64::from(*s) + 1, &unit(*s)))
                .collect(),
        }
    }

    /// A document's rows scored exactly are its `keep` nearest by sketch (ties to the
    /// earlier row), in row order; all of them without distances, with `keep` 0, or when it
    /// has no more rows than that.
    #[test]
    fn the_nearest_rows_by_sketch_are_the_ones_scored() {
        let picked = |count: usize, distances: Option<&[u32]>, keep: usize| {
            let mut out = Vec::new();
            pick_rows(count, distances, keep, 10, |at| out.push(at / 10));
            out
        };
        let d = [50, 7, 30, 7, 2, 90];
        assert_eq!(picked(6, Some(&d), 2), [1, 4]);
        assert_eq!(picked(6, Some(&d), 3), [1, 3, 4]);
        assert_eq!(picked(6, Some(&d), 1), [4]);
        assert_eq!(picked(6, Some(&d), 0), [0, 1, 2, 3, 4, 5]);
        assert_eq!(picked(6, Some(&d), 6), [0, 1, 2, 3, 4, 5]);
        assert_eq!(picked(6, None, 2), [0, 1, 2, 3, 4, 5]);
        assert_eq!(picked(3, Some(&[5, 5, 5]), 2), [0, 1]);
    }

    /// The histogram's pool is the selection's: the `pool` smallest, ties by document.
    #[test]
    fn the_pool_is_the_smallest_distances() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        // Distances bunched in a few hundred values, spread over the whole range, or a few
        // of them repeated (ties at the threshold).
        for spread in [700, DISTANCES as u64, 5] {
            let all: Vec<u64> = (0..5000u64)
                .map(|doc| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    (seed % spread) << 32 | doc
                })
                .collect();
            check_pool(&all);
        }
    }

    fn check_pool(all: &[u64]) {
        let mut sorted = all.to_vec();
        sorted.sort_unstable();
        for pool in [1, 10, 999, 4999, 5000, 6000] {
            let mut fast = Vec::new();
            smallest(all, pool, &mut Vec::new(), &mut fast);
            fast.sort_unstable();
            let mut want: Vec<usize> = sorted[..pool.min(all.len())]
                .iter()
                .map(|n| (n & u64::from(u32::MAX)) as usize)
                .collect();
            want.sort_unstable();
            assert_eq!(fast, want, "pool {pool}");
        }
    }

    #[test]
    fn both_kernels_stay_within_a_percent_of_the_cosine() {
        let groups = [group(1, &[1, 2, 3]), group(2, &[4])];
        let layout = Layout::build(&groups);
        let q = unit(9);
        for kernel in [Kernel::Int8, Kernel::Float] {
            let query = Query::new(&q, kernel);
            let scores = layout.passage_scores(1, &query);
            for (o, seed) in [(0u32, 1u32), (1, 2), (2, 3)] {
                let exact = cosine(&q, &unit(seed));
                assert!(
                    (scores[&o] - exact).abs() < 0.01,
                    "{kernel:?}: {} vs {exact}",
                    scores[&o]
                );
            }
        }
    }

    #[test]
    fn each_document_gets_its_best_passage() {
        let groups = [group(1, &[1, 2, 3]), group(2, &[4]), group(3, &[])];
        let layout = Layout::build(&groups);
        assert_eq!((layout.documents(), layout.vectors()), (3, 4));
        let q = unit(2);
        let best = layout.best_per_document(&Query::new(&q, Kernel::Int8));
        // Document 3 has no vectors, so no score; document 1's best is its passage 1.
        assert_eq!(best.len(), 2);
        let one = best.iter().find(|b| b.0 == 1).unwrap();
        assert_eq!(one.2, 1);
        assert!((one.1 - 1.0).abs() < 0.01, "{}", one.1);
        assert!(layout
            .passage_scores(9, &Query::new(&q, Kernel::Int8))
            .is_empty());
    }

    /// A search reads the chunk files in place: the same scores as the vectors laid out in
    /// memory, a later chunk's group replacing an earlier one, `keep` leaving groups out,
    /// and a chunk cut short an error (not silently fewer vectors).
    #[test]
    fn mapped_chunks_score_as_the_groups_they_hold() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = VectorStore::load(dir.path()).unwrap();
        store
            .append(dir.path(), vec![group(1, &[1, 2, 3]), group(2, &[4])])
            .unwrap();
        store
            .append(dir.path(), vec![group(2, &[5, 6]), group(3, &[7])])
            .unwrap();
        let q = Query::new(&unit(5), Kernel::Int8);
        let mapped = Layout::open(dir.path(), |_, _| true).unwrap();
        let built = Layout::build(&[group(1, &[1, 2, 3]), group(2, &[5, 6]), group(3, &[7])]);
        assert_eq!((mapped.documents(), mapped.vectors()), (3, 6));
        let mut a = mapped.best_per_document(&q);
        let mut b = built.best_per_document(&q);
        a.sort_by_key(|x| x.0);
        b.sort_by_key(|x| x.0);
        assert_eq!(a, b);
        // Document 2's passages are those of the later chunk: ordinals 0 and 1, 0 the closest.
        let two = mapped.passage_scores(2, &q);
        assert_eq!(two.len(), 2);
        assert!((two[&0] - 1.0).abs() < 0.01, "{}", two[&0]);

        let without_3 = Layout::open(dir.path(), |key, _| key != 3).unwrap();
        assert!(!without_3.contains(3) && without_3.contains(1));

        let second = VectorStore::folder(dir.path()).join("chunk-00000001.vec");
        let bytes = std::fs::read(&second).unwrap();
        std::fs::write(&second, &bytes[..bytes.len() / 2]).unwrap();
        let err = Layout::open(dir.path(), |_, _| true).unwrap_err();
        assert!(err.to_string().contains("chunk-00000001.vec"), "{err}");
    }
}
