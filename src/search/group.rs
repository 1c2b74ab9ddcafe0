//! Grouping matching passages by document while collecting, so a document's rank comes from its
//! best passage without loading any stored text.
//!
//! Three collectors: [`DocCollector`] ranks every matching document by its best passage and
//! counts passages, keeping 24 bytes per document and allocating nothing per document (a common
//! word matches most of a large index); [`GroupCollector`] then keeps the best few passages of
//! the documents actually shown; [`KeyCollector`] only gathers the keys of matching documents
//! (for excluded words).
//!
//! Collectors that take an `allowed` set skip passages of other documents themselves: they
//! read each passage's key anyway, and a wrapping filter read it a second time (a fifth of an
//! AND search's time in a profile at 100,000 documents).

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentReader;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal};

pub(crate) use crate::record::KeyMap;
pub use crate::record::KeySet;

/// The best passages of one document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    /// Up to `per_doc` (score, address) pairs, best first.
    pub best: Vec<(Score, DocAddress)>,
    /// Every matching passage of the document, counted.
    pub matches: u32,
}

impl Group {
    fn offer(&mut self, score: Score, addr: DocAddress, keep: usize) {
        self.matches += 1;
        if self.best.len() == keep && self.best.last().is_some_and(|(s, _)| *s >= score) {
            return;
        }
        let at = self.best.partition_point(|(s, _)| *s >= score);
        self.best.insert(at, (score, addr));
        self.best.truncate(keep);
    }

    /// Add another group of the same document's passages.
    fn absorb(&mut self, other: Group, keep: usize) {
        let extra_matches = other.matches - other.best.len() as u32;
        for (score, addr) in other.best {
            self.offer(score, addr, keep);
        }
        self.matches += extra_matches;
    }
}

/// Collects matching passages into per-document groups keyed by `doc_key`.
pub(crate) struct GroupCollector {
    /// Passages kept per document, best first (at least 1: the document score).
    pub keep: usize,
    /// Whether scores are needed (false for filter-only queries).
    pub scored: bool,
}

impl Collector for GroupCollector {
    type Fruit = KeyMap<Group>;
    type Child = GroupSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<GroupSegment> {
        Ok(GroupSegment {
            keys: reader.fast_fields().u64(crate::schema::DOC_KEY)?,
            segment,
            keep: self.keep.max(1),
            groups: KeyMap::default(),
            current: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<KeyMap<Group>>) -> tantivy::Result<KeyMap<Group>> {
        let mut merged: KeyMap<Group> = KeyMap::default();
        let keep = self.keep.max(1);
        for fruit in fruits {
            for (key, group) in fruit {
                merged.entry(key).or_default().absorb(group, keep);
            }
        }
        Ok(merged)
    }
}

/// Per-segment half of [`GroupCollector`].
pub(crate) struct GroupSegment {
    keys: Column<u64>,
    segment: SegmentOrdinal,
    keep: usize,
    groups: KeyMap<Group>,
    /// The document whose passages are arriving now. A document's passages are written one
    /// after another, so they mostly arrive in a run: grouping a run here and touching the map
    /// once per run instead of once per passage halved the cost of common-word queries.
    current: Option<(u64, Group)>,
}

impl GroupSegment {
    fn flush(&mut self) {
        if let Some((key, run)) = self.current.take() {
            match self.groups.entry(key) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(run);
                }
                // The same document again after another one (passages split by a merge).
                std::collections::hash_map::Entry::Occupied(mut slot) => {
                    slot.get_mut().absorb(run, self.keep);
                }
            }
        }
    }
}

impl SegmentCollector for GroupSegment {
    type Fruit = KeyMap<Group>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(key) = self.keys.first(doc) else {
            return;
        };
        let addr = DocAddress::new(self.segment, doc);
        match &mut self.current {
            Some((current, run)) if *current == key => run.offer(score, addr, self.keep),
            _ => {
                self.flush();
                let mut run = Group::default();
                run.offer(score, addr, self.keep);
                self.current = Some((key, run));
            }
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.flush();
        self.groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_lets_only_allowed_documents_through_with_or_without_a_set() {
        let mut all = Admission::new(None);
        assert!(all.admits(1) && all.admits(2));
        let allowed: KeySet = [7, 9].into_iter().collect();
        let mut some = Admission::new(Some(Arc::new(allowed)));
        // Runs repeat keys; the answer stays right when the run changes and comes back.
        let got: Vec<bool> = [7, 7, 8, 8, 9, 7, 8]
            .into_iter()
            .map(|k| some.admits(k))
            .collect();
        assert_eq!(got, [true, true, false, false, true, true, false]);
    }

    #[test]
    fn key_sets_of_segments_merge_into_their_union() {
        let set = |keys: &[u64]| keys.iter().copied().collect::<KeySet>();
        let merged = KeyCollector
            .merge_fruits(vec![set(&[1, 2]), set(&[2, 3, 4]), KeySet::default()])
            .unwrap();
        assert_eq!(merged, set(&[1, 2, 3, 4]));
        assert!(KeyCollector.merge_fruits(Vec::new()).unwrap().is_empty());
    }

    #[test]
    fn keeps_best_passages_in_order_and_counts_all() {
        let mut g = Group::default();
        for (i, s) in [1.0, 3.0, 2.0, 0.5].into_iter().enumerate() {
            g.offer(s, DocAddress::new(0, i as u32), 2);
        }
        let scores: Vec<_> = g.best.iter().map(|(s, _)| *s).collect();
        assert_eq!(scores, [3.0, 2.0]);
        assert_eq!(g.matches, 4);
    }

    fn hit(key: u64, score: f32, doc: u32) -> DocHit {
        DocHit::passage(key, score, DocAddress::new(0, doc))
    }

    #[test]
    fn documents_split_into_several_runs_are_one_document() {
        let merged = DocCollector {
            scored: true,
            allowed: None,
        }
        .merge_fruits(vec![
            vec![hit(1, 2.0, 0), hit(2, 5.0, 3), hit(1, 3.0, 9)],
            vec![hit(2, 1.0, 4), hit(3, 4.0, 7)],
        ])
        .unwrap();
        assert_eq!(merged.len(), 3);
        let ranked = top(merged, 2);
        assert_eq!(
            ranked
                .iter()
                .map(|d| (d.key, d.score, d.matches))
                .collect::<Vec<_>>(),
            [(2, 5.0, 2), (3, 4.0, 1)]
        );
        assert_eq!(ranked[0].best, DocAddress::new(0, 3));
    }

    #[test]
    fn ties_rank_by_key_and_limit_beyond_the_count_returns_all() {
        let ranked = top(vec![hit(9, 1.0, 0), hit(4, 1.0, 1), hit(7, 2.0, 2)], 10);
        assert_eq!(ranked.iter().map(|d| d.key).collect::<Vec<_>>(), [7, 4, 9]);
    }

    #[test]
    fn a_document_seen_again_after_another_keeps_one_group() {
        let mut a = Group::default();
        a.offer(1.0, DocAddress::new(0, 0), 2);
        a.offer(4.0, DocAddress::new(0, 1), 2);
        let mut b = Group::default();
        b.offer(2.0, DocAddress::new(0, 5), 2);
        b.offer(0.5, DocAddress::new(0, 6), 2);
        a.absorb(b, 2);
        let scores: Vec<_> = a.best.iter().map(|(s, _)| *s).collect();
        assert_eq!(scores, [4.0, 2.0]);
        assert_eq!(a.matches, 4);
    }
}

/// One document as the ranking pass sees it: its best passage and how many passages matched.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DocHit {
    /// The document's key.
    pub key: u64,
    /// The document's score: its best passage's while collecting, then combined with the
    /// document-level evidence by [`super::doc_score`].
    pub score: Score,
    /// Its best passage's own score (shown with the passage).
    pub best_score: Score,
    /// Its best passage.
    pub best: DocAddress,
    /// Its matching passages.
    pub matches: u32,
}

impl DocHit {
    /// One matching passage of document `key`.
    pub(crate) fn passage(key: u64, score: Score, best: DocAddress) -> Self {
        DocHit {
            key,
            score,
            best_score: score,
            best,
            matches: 1,
        }
    }

    /// Take in another run of the same document: the better best passage, all the matches.
    pub(crate) fn merge(&mut self, other: &DocHit) {
        if other.best_score > self.best_score {
            self.best_score = other.best_score;
            self.best = other.best;
        }
        self.score = self.score.max(other.score);
        self.matches += other.matches;
    }
}

/// Something gathered per run of a document's passages, and combined across runs.
pub(crate) trait DocumentRun {
    /// The document's key.
    fn key(&self) -> u64;
    /// Take in another run of the same document.
    fn merge(&mut self, other: &Self);
}

impl DocumentRun for DocHit {
    fn key(&self) -> u64 {
        self.key
    }

    fn merge(&mut self, other: &Self) {
        DocHit::merge(self, other);
    }
}

/// Add one passage's entry to a segment's runs: a document's passages were written one after
/// another, so they arrive as a run, and each run becomes one entry.
pub(crate) fn extend_runs<T: DocumentRun>(runs: &mut Vec<T>, passage: T) {
    match runs.last_mut() {
        Some(run) if run.key() == passage.key() => run.merge(&passage),
        _ => runs.push(passage),
    }
}

/// One entry per document from the segments' runs. Runs of one document can repeat (its
/// passages split across segments by parallel indexing, or interleaved by a merge).
pub(crate) fn merge_runs<T: DocumentRun>(segments: Vec<Vec<T>>) -> Vec<T> {
    let total: usize = segments.iter().map(Vec::len).sum();
    let mut at: KeyMap<usize> = KeyMap::with_capacity_and_hasher(total, Default::default());
    let mut docs: Vec<T> = Vec::with_capacity(total);
    for run in segments.into_iter().flatten() {
        match at.entry(run.key()) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(docs.len());
                docs.push(run);
            }
            std::collections::hash_map::Entry::Occupied(slot) => docs[*slot.get()].merge(&run),
        }
    }
    docs
}

/// Every matching document once, with its best passage and passage count.
#[derive(Clone, Debug)]
pub(crate) struct DocCollector {
    /// Whether scores are needed (false for filter-only queries).
    pub scored: bool,
    /// Only these documents, when given (see the module notes).
    pub allowed: Option<Arc<KeySet>>,
}

/// Whether passages of document `key` may be collected: a run's first passage decides for
/// the whole run, so the set is consulted once per run.
pub(crate) struct Admission {
    allowed: Option<Arc<KeySet>>,
    last: Option<(u64, bool)>,
}

impl Admission {
    /// Admit only the documents in `allowed`, or all when it is `None`.
    pub(crate) fn new(allowed: Option<Arc<KeySet>>) -> Self {
        Admission {
            allowed,
            last: None,
        }
    }

    /// Whether a passage of document `key` is collected.
    pub(crate) fn admits(&mut self, key: u64) -> bool {
        let Some(allowed) = &self.allowed else {
            return true;
        };
        match self.last {
            Some((k, ok)) if k == key => ok,
            _ => {
                let ok = allowed.contains(&key);
                self.last = Some((key, ok));
                ok
            }
        }
    }
}

/// The keys of the documents having a matching passage.
pub(crate) struct KeyCollector;

impl Collector for KeyCollector {
    type Fruit = KeySet;
    type Child = KeySegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<KeySegment> {
        Ok(KeySegment {
            keys: reader.fast_fields().u64(crate::schema::DOC_KEY)?,
            found: KeySet::default(),
            last: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<KeySet>) -> tantivy::Result<KeySet> {
        // Into the largest set, so the fewest keys are hashed again.
        let mut fruits = fruits;
        let Some(largest) = (0..fruits.len()).max_by_key(|&i| fruits[i].len()) else {
            return Ok(KeySet::default());
        };
        let mut all = fruits.swap_remove(largest);
        for f in fruits {
            all.extend(f);
        }
        Ok(all)
    }
}

/// Per-segment half of [`KeyCollector`].
pub(crate) struct KeySegment {
    keys: Column<u64>,
    found: KeySet,
    last: Option<u64>,
}

impl SegmentCollector for KeySegment {
    type Fruit = KeySet;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(key) = self.keys.first(doc) else {
            return;
        };
        if self.last != Some(key) {
            self.last = Some(key);
            self.found.insert(key);
        }
    }

    fn harvest(self) -> KeySet {
        self.found
    }
}

impl Collector for DocCollector {
    type Fruit = Vec<DocHit>;
    type Child = DocSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DocSegment> {
        Ok(DocSegment {
            keys: reader.fast_fields().u64(crate::schema::DOC_KEY)?,
            segment,
            runs: Vec::new(),
            admission: Admission::new(self.allowed.clone()),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<Vec<DocHit>>) -> tantivy::Result<Vec<DocHit>> {
        Ok(merge_runs(fruits))
    }
}

/// Per-segment half of [`DocCollector`]: a document's passages were written one after another,
/// so they arrive as a run, and each run becomes one entry.
pub(crate) struct DocSegment {
    keys: Column<u64>,
    segment: SegmentOrdinal,
    runs: Vec<DocHit>,
    admission: Admission,
}

impl SegmentCollector for DocSegment {
    type Fruit = Vec<DocHit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(key) = self.keys.first(doc) else {
            return;
        };
        if !self.admission.admits(key) {
            return;
        }
        let hit = DocHit::passage(key, score, DocAddress::new(self.segment, doc));
        extend_runs(&mut self.runs, hit);
    }

    fn harvest(self) -> Vec<DocHit> {
        self.runs
    }
}

/// The `limit` best documents, best first (ties by key, so results are stable).
pub(crate) fn top(docs: Vec<DocHit>, limit: usize) -> Vec<DocHit> {
    top_by(docs, limit, |d| (d.score, d.key))
}

/// The `limit` best of `items` by their `(score, key)`, best first, ranked as [`top`] ranks
/// documents.
pub(crate) fn top_by<T>(
    mut items: Vec<T>,
    limit: usize,
    rank: impl Fn(&T) -> (Score, u64),
) -> Vec<T> {
    let order = |a: &T, b: &T| {
        let ((sa, ka), (sb, kb)) = (rank(a), rank(b));
        sb.total_cmp(&sa).then(ka.cmp(&kb))
    };
    if limit < items.len() {
        items.select_nth_unstable_by(limit, order);
        items.truncate(limit);
    }
    items.sort_unstable_by(order);
    items
}
