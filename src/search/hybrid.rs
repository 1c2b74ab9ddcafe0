//! Semantic and hybrid ranking: documents by their best passage's similarity to the query's
//! embedding, alone or fused with the lexical ranking.
//!
//! Fusion is a convex combination of z-scored scores (`w · z_lexical + (1 − w) · z_semantic`),
//! both sides' mean and spread taken over one candidate set, the best
//! [`SemanticSearch::depth`] documents of either side (see `Fusion`). Score fusion beat
//! reciprocal rank fusion on SciFact
//! when the second ranker is weaker than BM25 (`../shared/design/hybrid-study.md`). The shown
//! passages are each document's best by the same fused score at passage level, so a passage
//! that matches no typed word can be shown when it is the closest in meaning.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tantivy::query::{BooleanQuery, Occur, Query as TantivyQuery};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::feedback::{feedback_docs, widen_by, Feedback};
use super::group::{DocHit, Group, GroupCollector, KeyMap, KeySet};
use crate::error::Result;
use crate::index_doc::read_passage;
use crate::semantic::lists::Approximate;
use crate::semantic::scan::{Kernel, Query, SketchPass, VectorPlan};
use crate::semantic::sketch::Scoring;
use crate::semantic::vectors::fingerprint;
use crate::semantic::{Assist, Finish, LiveVectors, QueryEncoder};
use crate::store::Store;

/// Which rankings a search uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Words only (BM25 over passages).
    #[default]
    Lexical,
    /// Meaning only (the embedding model).
    Semantic,
    /// Both, fused.
    Hybrid,
}

/// The lexical side's weight in the fusion, chosen on SciFact train with this fusion
/// (BENCHMARKS.md: 0.4 best of 0.3–0.7), never on tip-dev.
pub const DEFAULT_LEXICAL_WEIGHT: f32 = 0.4;
/// Documents per side whose scores set the z-score's mean and spread, and that are fused.
pub const DEFAULT_DEPTH: usize = 1000;

/// What a semantic or hybrid search needs beyond the request: the model, and the vectors it
/// reads (kept while the index state they were checked against is the one searched).
#[derive(Clone)]
pub struct SemanticSearch {
    /// Semantic or hybrid (lexical ignores the rest).
    pub mode: Mode,
    /// The query side of the model.
    pub encoder: Arc<QueryEncoder>,
    /// The index folder whose `semantic/` holds the vectors.
    pub index_dir: PathBuf,
    /// Weight of the lexical side in `[0, 1]`.
    pub lexical_weight: f32,
    /// See [`DEFAULT_DEPTH`].
    pub depth: usize,
    /// Exact or approximate vector search (by default through the bit sketches past 50k
    /// vectors, or the lists past 250k where there are no sketches).
    pub approximate: Approximate,
    /// How far the lexical side's best documents widen the query's meaning (hybrid only).
    pub feedback: Feedback,
    cache: Arc<Mutex<Option<Arc<LiveVectors>>>>,
}

impl std::fmt::Debug for SemanticSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SemanticSearch")
            .field("mode", &self.mode)
            .field("lexical_weight", &self.lexical_weight)
            .field("depth", &self.depth)
            .field("feedback", &self.feedback)
            .finish()
    }
}

impl SemanticSearch {
    /// A semantic or hybrid search over `index_dir`'s vectors with the default fusion.
    pub fn new(mode: Mode, encoder: Arc<QueryEncoder>, index_dir: PathBuf) -> SemanticSearch {
        SemanticSearch {
            mode,
            encoder,
            index_dir,
            lexical_weight: DEFAULT_LEXICAL_WEIGHT,
            depth: DEFAULT_DEPTH,
            approximate: Approximate::default(),
            feedback: Feedback::default(),
            cache: Arc::default(),
        }
    }

    /// The live vectors for `searcher`, read once per index state.
    pub fn vectors(&self, store: &Store, searcher: &Searcher) -> Result<Arc<LiveVectors>> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.as_ref() {
            if v.fingerprint == fingerprint(searcher) {
                return Ok(v.clone());
            }
        }
        let v = Arc::new(LiveVectors::load(&self.index_dir, store, searcher)?);
        *cache = Some(v.clone());
        Ok(v)
    }
}

/// The query's embedding, computed on a kept thread ([`super::worker`]) while the lexical
/// passes run (on one core fewer, [`crate::store::Beside`]): it is the slower half of a
/// hybrid query (~1.4 ms CPU for a short query on this machine, against ~0.8 ms for the
/// lexical passes at 20k documents), so a hybrid query costs the longer of the two rather
/// than their sum. Once the searching thread has done everything
/// that needs no query vector, it takes a share of the embedding's remaining rows
/// ([`Assist`]) rather than wait idle for it; the vector is the same bits either way.
///
/// Where the vector search will go through the bit sketches (a large layout), the same
/// thread then makes the sketch pass with the vector as embedded ([`SketchPass`]: every
/// sketched row's distance, each document's nearest), the searching thread again taking a
/// share when it gets there first. That pass needs no lexical result, so it runs beside the
/// word passes; the widened query (`feedback`) then scores the pool it chose exactly. A pool
/// chosen by the unwidened vector moved hybrid nDCG@10 by at most 0.001 (BENCHMARKS.md).
pub(super) struct PendingEmbedding {
    result: std::sync::mpsc::Receiver<Result<Embedded>>,
    assist: Arc<Assist>,
    /// The thread's second job: once its result is sent, it takes a share of the exact
    /// vector scores too (`Layout::best_documents`), until this search is past them.
    later: Arc<Assist>,
}

/// What the embedding's thread hands back.
pub(super) struct Embedded {
    /// The query's unit vector.
    vector: Vec<f32>,
    /// Its sketch pass over these vectors, when they have sketches that will be used.
    pass: Option<(Arc<LiveVectors>, SketchPass)>,
}

impl PendingEmbedding {
    /// Start embedding `query` with `semantic`'s model, then making its sketch pass over
    /// `vectors` when they will be searched through sketches.
    pub(super) fn start(
        semantic: &SemanticSearch,
        query: &str,
        vectors: Option<Arc<LiveVectors>>,
    ) -> PendingEmbedding {
        let (encoder, query) = (semantic.encoder.clone(), query.to_string());
        let vectors = vectors.filter(|v| v.layout.sketches_in_use(semantic.approximate));
        let (assist, later) = (Arc::new(Assist::default()), Arc::new(Assist::default()));
        let (shared, helping) = (assist.clone(), later.clone());
        let (send, result) = std::sync::mpsc::sync_channel(1);
        // Not joined: a search that ends early (an error) does not wait for the model; the
        // kept thread is free again once `later` is finished (when this is dropped).
        super::worker::run(Box::new(move || {
            {
                // Ended even if the embedding panics, so the waiting thread stops helping.
                let _finish = Finish(&shared);
                let vector = encoder.embed_assisted(&query, &shared);
                let pass = vectors.map(|v| {
                    let pass = v
                        .layout
                        .sketch_pass(&vector, Scoring::default(), Some(&shared));
                    (v, pass)
                });
                // The search may have given up waiting (an error): nobody to tell.
                let _ = send.send(Ok(Embedded { vector, pass }));
            }
            helping.help();
        }));
        PendingEmbedding {
            result,
            assist,
            later,
        }
    }

    fn wait(&self) -> Result<Embedded> {
        self.assist.help();
        self.result.recv().unwrap_or_else(|_| {
            Err(crate::semantic::SemanticError::Inference(
                "the query embedding thread panicked".to_string(),
            )
            .into())
        })
    }
}

impl Drop for PendingEmbedding {
    fn drop(&mut self) {
        self.later.finish();
    }
}

/// Mean and spread of one side's scores.
#[derive(Clone, Copy, Debug)]
struct ZScale {
    mean: f32,
    spread: f32,
}

impl ZScale {
    /// Over every one of `scores`, summed in f64 so the order they come in (a hash set's)
    /// moves the result by less than f32 can show. No sort: the fusion scales over the whole
    /// candidate set, and sorting its ~2,000 scores twice cost ~0.1 ms of every hybrid query.
    fn of(scores: impl Iterator<Item = f32> + Clone) -> ZScale {
        let (mut n, mut sum) = (0usize, 0f64);
        for s in scores.clone() {
            n += 1;
            sum += f64::from(s);
        }
        let n = n.max(1) as f64;
        let mean = sum / n;
        let var = scores
            .map(|s| (f64::from(s) - mean) * (f64::from(s) - mean))
            .sum::<f64>()
            / n;
        let spread = if var > 0.0 { var.sqrt() as f32 } else { 1.0 };
        ZScale {
            mean: mean as f32,
            spread,
        }
    }

    fn z(self, x: f32) -> f32 {
        (x - self.mean) / self.spread
    }
}

/// How a document's two scores become one: each side z-scored over one candidate set, the
/// best `depth` documents of either side together, and combined with the lexical weight.
///
/// One set for both sides, because scaling each side over its own best documents let a side
/// with few matches (one document matching a function word) hand every other candidate a
/// large negative lexical z-score, outweighing any semantic evidence. A document a side does
/// not score (no word matched, no vectors yet) gets that side's floor: its lowest score among
/// the candidates.
#[derive(Clone, Copy, Debug)]
struct Fusion {
    semantic_only: bool,
    weight: f32,
    lexical: ZScale,
    semantic: ZScale,
    lexical_floor: f32,
    semantic_floor: f32,
}

impl Fusion {
    fn over(
        mode: Mode,
        weight: f32,
        lexical: &KeyMap<f32>,
        lexical_best: &KeySet,
        semantic: &KeyMap<f32>,
        depth: usize,
    ) -> Fusion {
        let mut candidates: KeySet = lexical_best.clone();
        candidates.extend(best_keys(semantic, depth));
        // Each candidate's two scores, looked up once (None: that side does not score it).
        let (lexical, semantic): (Vec<Option<f32>>, Vec<Option<f32>>) = candidates
            .iter()
            .map(|k| (lexical.get(k).copied(), semantic.get(k).copied()))
            .unzip();
        let floor = |side: &[Option<f32>]| {
            let min = side.iter().flatten().fold(f32::INFINITY, |m, s| m.min(*s));
            if min.is_finite() {
                min
            } else {
                0.0
            }
        };
        let (lexical_floor, semantic_floor) = (floor(&lexical), floor(&semantic));
        let scale = |side: &[Option<f32>], floor: f32| {
            ZScale::of(side.iter().map(move |s| s.unwrap_or(floor)))
        };
        Fusion {
            semantic_only: mode == Mode::Semantic,
            weight,
            lexical: scale(&lexical, lexical_floor),
            semantic: scale(&semantic, semantic_floor),
            lexical_floor,
            semantic_floor,
        }
    }

    fn score(&self, lexical: Option<f32>, semantic: Option<f32>) -> f32 {
        if self.semantic_only {
            return semantic.unwrap_or(f32::NEG_INFINITY);
        }
        let lexical = lexical.unwrap_or(self.lexical_floor);
        let semantic = semantic.unwrap_or(self.semantic_floor);
        self.weight * self.lexical.z(lexical) + (1.0 - self.weight) * self.semantic.z(semantic)
    }
}

/// The keys of the `depth` best scores.
fn best_keys(scores: &KeyMap<f32>, depth: usize) -> KeySet {
    let depth = depth.max(1);
    let mut ranked: Vec<(u64, f32)> = scores.iter().map(|(k, s)| (*k, *s)).collect();
    if ranked.len() > depth {
        ranked.select_nth_unstable_by(depth - 1, |a, b| b.1.total_cmp(&a.1));
        ranked.truncate(depth);
    }
    ranked.into_iter().map(|(k, _)| k).collect()
}

/// The documents ranked by the semantic or fused score, and each shown document's passages.
pub(super) struct Ranked {
    /// The first `limit` documents, best first, with score and best passage resolved.
    pub(super) docs: Vec<DocHit>,
    /// Candidates in all.
    pub(super) total: usize,
    /// Distinct texts among them (each reprint group once).
    pub(super) distinct: usize,
    /// The shown documents' passages by fused score.
    pub(super) shown: KeyMap<Group>,
}

/// Inputs of [`rank`] from the lexical search and the request.
pub(super) struct Lexical<'a> {
    /// Documents to show.
    pub(super) limit: usize,
    /// Passages to show per document.
    pub(super) passages: usize,
    /// Every lexically matching document, scored.
    pub(super) docs: Vec<DocHit>,
    /// Documents the filters admit and no excluded group removes (None: all).
    pub(super) admitted: Option<&'a KeySet>,
    /// With required groups, only documents having them may rank.
    pub(super) required_only: bool,
    /// Reprint groups of the index, shown as the request asks.
    pub(super) reprints: &'a crate::reprints::Groups,
    /// Every copy of a reprint as its own hit.
    pub(super) all_copies: bool,
}

/// Rank by meaning (`Mode::Semantic`) or fused (`Mode::Hybrid`) with the query's
/// `embedding`. `lexical_passages(keys, keep)` gives the lexical scores of the matching
/// passages of those documents.
pub(super) fn rank(
    store: &Store,
    searcher: &Searcher,
    semantic: &SemanticSearch,
    embedding: PendingEmbedding,
    lexical: Lexical<'_>,
    lexical_passages: impl FnOnce(&[u64]) -> Result<KeyMap<Group>>,
) -> Result<Ranked> {
    let (limit, passages) = (lexical.limit, lexical.passages);
    let vectors = semantic.vectors(store, searcher)?;
    // Everything that needs no query vector comes before waiting for it: on an idle second
    // core the embedding is still running when the lexical passes end.
    let lexical_scores: KeyMap<f32> = lexical.docs.iter().map(|d| (d.key, d.score)).collect();
    let lexical_best = best_keys(&lexical_scores, semantic.depth);
    let admitted = |key: &u64| {
        lexical.admitted.is_none_or(|a| a.contains(key))
            && (!lexical.required_only || lexical_scores.contains_key(key))
    };
    // Semantic mode stays the query's meaning alone; hybrid searches with it widened by
    // what the words find (see `feedback`).
    let feedback = match semantic.mode {
        Mode::Hybrid => feedback_docs(&vectors.layout, &lexical.docs, admitted, semantic.feedback),
        _ => Vec::new(),
    };
    let Embedded { vector, pass } = embedding.wait()?;
    // Made over these very vectors (a search reads them once per index state).
    let pass = pass
        .filter(|(v, _)| Arc::ptr_eq(v, &vectors))
        .map(|(_, pass)| pass);
    let query = Query::new(&vector, Kernel::default());
    let (query, _) = widen_by(&query, &vectors.layout, &feedback, semantic.feedback.weight);
    let exact_keys = || lexical_best.iter().copied().collect();
    let only_keys = || {
        if lexical.required_only {
            Some(
                lexical
                    .docs
                    .iter()
                    .map(|d| d.key)
                    .filter(admitted)
                    .collect(),
            )
        } else {
            lexical.admitted.map(|a| a.iter().copied().collect())
        }
    };
    let plan = VectorPlan {
        approximate: semantic.approximate,
        exact: &exact_keys,
        only: &only_keys,
        depth: semantic.depth,
    };
    let semantic_scores: KeyMap<f32> = vectors
        .layout
        .best_documents(&query, &plan, pass, Some(&embedding.later))
        .into_iter()
        .filter(|(k, _, _)| admitted(k))
        .map(|(k, s, _)| (k, s))
        .collect();
    // The embedding's thread is no longer needed.
    drop(embedding);
    let weight = match semantic.mode {
        Mode::Semantic => 0.0,
        _ => semantic.lexical_weight.clamp(0.0, 1.0),
    };
    let fusion = Fusion::over(
        semantic.mode,
        weight,
        &lexical_scores,
        &lexical_best,
        &semantic_scores,
        semantic.depth,
    );
    let fuse = |lex: Option<f32>, sem: Option<f32>| fusion.score(lex, sem);
    // Every candidate once, straight into one list: hybrid ranks every lexical match and
    // every document with vectors, semantic only the latter (each lexical match scanned once,
    // no map of the thousands of matches a common word has).
    let semantic_only = |key: u64, sem: f32, matches: u32| DocHit {
        key,
        score: fuse(None, Some(sem)),
        best_score: sem,
        // Resolved below for the shown documents, the only ones whose passage is read.
        best: DocAddress::new(0, 0),
        matches,
    };
    let mut docs: Vec<DocHit> = Vec::with_capacity(lexical.docs.len() + semantic_scores.len());
    if semantic.mode == Mode::Hybrid {
        docs.extend(lexical.docs.iter().map(|d| DocHit {
            score: fuse(Some(d.score), semantic_scores.get(&d.key).copied()),
            ..*d
        }));
        docs.extend(
            semantic_scores
                .iter()
                .filter(|(key, _)| !lexical_scores.contains_key(key))
                .map(|(&key, &sem)| semantic_only(key, sem, 0)),
        );
    } else {
        let matches: KeyMap<u32> = lexical.docs.iter().map(|d| (d.key, d.matches)).collect();
        docs.extend(
            semantic_scores.iter().map(|(&key, &sem)| {
                semantic_only(key, sem, matches.get(&key).copied().unwrap_or(0))
            }),
        );
    }
    let total = docs.len();
    // Reprints as the lexical ranking shows them, before the shown documents are chosen;
    // only the page is ranked in full.
    let (mut docs, distinct) =
        super::page::first_page(docs, lexical.reprints, lexical.all_copies, limit);
    // The shown documents' passages: lexical scores of their matching passages and the
    // similarity of each of their passages, fused like the documents.
    let shown_keys: Vec<u64> = docs.iter().take(limit).map(|d| d.key).collect();
    let lexical_groups = if weight > 0.0 {
        lexical_passages(&shown_keys)?
    } else {
        KeyMap::default()
    };
    let mut shown: KeyMap<Group> = KeyMap::default();
    let mut addresses = passage_addresses_of(store, searcher, &shown_keys)?;
    for doc in docs.iter_mut().take(limit) {
        let addrs = addresses.remove(&doc.key).unwrap_or_default();
        let lexical_by_addr: KeyMap<f32> = lexical_groups
            .get(&doc.key)
            .map(|g| g.best.iter().map(|(s, a)| (address_key(*a), *s)).collect())
            .unwrap_or_default();
        let mut scored: Vec<(f32, DocAddress)> = Vec::with_capacity(addrs.len());
        let similarity_by_ordinal = vectors.layout.passage_scores(doc.key, &query);
        let ordinals = if similarity_by_ordinal.is_empty() {
            Vec::new()
        } else {
            passage_ordinals(store, searcher, &addrs)?
        };
        for (i, addr) in addrs.iter().enumerate() {
            let lex = lexical_by_addr.get(&address_key(*addr)).copied();
            let sem = ordinals
                .get(i)
                .and_then(|o| similarity_by_ordinal.get(o).copied());
            if semantic.mode == Mode::Semantic && sem.is_none() {
                continue;
            }
            scored.push((fuse(lex, sem), *addr));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(passages.max(1));
        if let Some(&(score, best)) = scored.first() {
            doc.best = best;
            doc.best_score = score;
        }
        shown.insert(
            doc.key,
            Group {
                best: scored,
                matches: doc.matches,
            },
        );
    }
    Ok(Ranked {
        docs,
        total,
        distinct,
        shown,
    })
}

/// Every passage of each of the documents `keys`, in index order: one search for the page
/// (a search per document cost each its own weights and term lookups; the keys as
/// [`super::any_of_keys`] reads them).
fn passage_addresses_of(
    store: &Store,
    searcher: &Searcher,
    keys: &[u64],
) -> Result<KeyMap<Vec<DocAddress>>> {
    let query = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(store.kind_query(crate::schema::KIND_PASSAGE)) as Box<dyn TantivyQuery>,
        ),
        (Occur::Must, super::any_of_keys(&store.fields, keys)),
    ]);
    // Unscored, every passage kept: the groups only carry the addresses.
    let all = GroupCollector {
        keep: usize::MAX,
        scored: false,
    };
    Ok(searcher
        .search(&query, &all)?
        .into_iter()
        .map(|(key, group)| {
            let mut addrs: Vec<DocAddress> = group.best.into_iter().map(|(_, a)| a).collect();
            addrs.sort_unstable_by_key(|a| (a.segment_ord, a.doc_id));
            (key, addrs)
        })
        .collect())
}

fn address_key(a: DocAddress) -> u64 {
    (u64::from(a.segment_ord) << 32) | u64::from(a.doc_id)
}

/// The ordinals of one document's passages at `addrs` (in index order), which its vectors
/// are keyed by. A document's passages are written as one batch in reading order
/// (`indexer/write.rs`), so when they sit side by side in one segment the i-th is ordinal i:
/// checked on the first and the last, two stored documents read instead of one per passage
/// (0.6 ms of a hybrid query showing ten documents). Anything else (passages written apart
/// by an older tipdex) reads every ordinal as stored.
fn passage_ordinals(store: &Store, searcher: &Searcher, addrs: &[DocAddress]) -> Result<Vec<u32>> {
    if let (Some(&first), Some(&last)) = (addrs.first(), addrs.last()) {
        let count = addrs.len() as u32;
        let side_by_side = first.segment_ord == last.segment_ord
            && last.doc_id.checked_sub(first.doc_id) == Some(count - 1);
        if side_by_side
            && stored_ordinal(store, searcher, first)? == 0
            && stored_ordinal(store, searcher, last)? == count - 1
        {
            return Ok((0..count).collect());
        }
    }
    addrs
        .iter()
        .map(|a| stored_ordinal(store, searcher, *a))
        .collect()
}

/// The ordinal of the passage at `addr`, as stored (vectors are keyed by it).
fn stored_ordinal(store: &Store, searcher: &Searcher, addr: DocAddress) -> Result<u32> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    Ok(read_passage(&store.fields, &doc, "")?.place.ordinal as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(pairs: &[(u64, f32)]) -> KeyMap<f32> {
        pairs.iter().copied().collect()
    }

    /// The fusion at weight 0.5 and depth 1000.
    fn fusion(mode: Mode, lexical: &KeyMap<f32>, semantic: &KeyMap<f32>) -> Fusion {
        Fusion::over(
            mode,
            0.5,
            lexical,
            &best_keys(lexical, 1000),
            semantic,
            1000,
        )
    }

    /// A lexical side with one match (a query's only indexed word being common, say) must not
    /// decide the ranking against the semantic side: with each side scaled over its own
    /// candidates, every other document got a lexical z-score of minus the match's score.
    #[test]
    fn one_lexical_match_does_not_outweigh_the_semantic_side() {
        let lexical = keyed(&[(1, 4.0)]);
        let semantic = keyed(&[(1, 0.20), (2, 0.65), (3, 0.30), (4, 0.25)]);
        let f = fusion(Mode::Hybrid, &lexical, &semantic);
        let score = |k: u64| f.score(lexical.get(&k).copied(), semantic.get(&k).copied());
        assert!(score(2) > score(1), "{} vs {}", score(2), score(1));
    }

    /// With matches on both sides, a document strong on both beats one strong on either.
    #[test]
    fn both_sides_count_over_the_shared_candidates() {
        let lexical = keyed(&[(1, 9.0), (2, 5.0), (3, 1.0)]);
        let semantic = keyed(&[(1, 0.3), (2, 0.6), (3, 0.2), (4, 0.62)]);
        let f = fusion(Mode::Hybrid, &lexical, &semantic);
        let score = |k: u64| f.score(lexical.get(&k).copied(), semantic.get(&k).copied());
        assert!(
            score(2) > score(1) && score(2) > score(4),
            "{:?}",
            (1..5).map(score).collect::<Vec<_>>()
        );
        // Semantic mode ranks by similarity alone.
        let s = fusion(Mode::Semantic, &lexical, &semantic);
        assert!(s.score(Some(9.0), Some(0.3)) < s.score(None, Some(0.62)));
    }

    #[test]
    fn z_scale_centres_and_scales_every_score() {
        let s = ZScale::of([1.0, 3.0, 100.0, -50.0].into_iter());
        // Mean 13.5; spread sqrt(11781 / 4) = 54.270...
        assert!((s.mean - 13.5).abs() < 1e-4);
        assert!((s.z(100.0) - 86.5 / 54.270_16).abs() < 1e-4);
        assert!((s.z(-50.0) + 63.5 / 54.270_16).abs() < 1e-4);
        let flat = ZScale::of([2.0, 2.0].into_iter());
        assert_eq!(flat.z(3.0), 1.0);
    }
}
