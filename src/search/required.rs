//! Ranking a query with required groups (`+a +b`, `a AND b`) in one pass over the passages.
//!
//! Required words are required of the document, not of one passage (see `build.rs`), so a
//! passage cannot tell by itself whether its document qualifies. Resolving each required group
//! to a set of document keys first, and then ranking, walked the matching passages once per
//! group and once more to rank: at 1.18M passages the AND queries were the slowest class.
//!
//! Here every group gets its own scorer and one loop walks them together in document order, the
//! way a union scorer does, noting for each passage which required groups it matched. A
//! document's runs of passages combine those notes, and only documents that matched every
//! required group somewhere are kept. Filters and excluded documents are a constraint each
//! candidate passage is checked against.

use tantivy::columnar::Column;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Executor, Score, Searcher, SegmentReader, TERMINATED};

use super::group::{extend_runs, merge_runs, DocHit, DocumentRun};

/// The most required groups a query may have: the groups a passage matched are kept as bits of a
/// `u64` (more is a usage error, see `super::plan`).
pub(crate) const MAX_REQUIRED: usize = 64;

/// One document as this pass sees it: its hit and the required groups it matched somewhere.
#[derive(Clone, Copy, Debug)]
struct Masked {
    hit: DocHit,
    mask: u64,
}

impl DocumentRun for Masked {
    fn key(&self) -> u64 {
        self.hit.key
    }

    fn merge(&mut self, other: &Masked) {
        self.hit.merge(&other.hit);
        self.mask |= other.mask;
    }
}

/// Every document that has each of `required` in some passage, by its best passage over all the
/// groups (`required` and `optional` alike, summed per passage as the query would), with its
/// count of passages matching any group. Only passages matching `constraint` (filters, excluded
/// documents) count. Without `stats` nothing is scored (for counting only). `required` must
/// hold between 1 and [`MAX_REQUIRED`] groups.
pub(crate) fn rank(
    searcher: &Searcher,
    executor: &Executor,
    stats: Option<&dyn Bm25StatisticsProvider>,
    required: &[Box<dyn Query>],
    optional: &[Box<dyn Query>],
    constraint: Option<&dyn Query>,
) -> tantivy::Result<Vec<DocHit>> {
    assert!(
        (1..=MAX_REQUIRED).contains(&required.len()),
        "1 to {MAX_REQUIRED} required groups"
    );
    let scoring = match stats {
        Some(stats) => EnableScoring::enabled_from_statistics_provider(stats, searcher),
        None => EnableScoring::disabled_from_searcher(searcher),
    };
    // Optional groups first, as in the passage query's union, so scores are summed in the same
    // order and come out the same to the last bit.
    let weights = optional
        .iter()
        .chain(required)
        .map(|q| q.weight(scoring))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let constraint = constraint
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
        .transpose()?;
    // One bit per required group (there is at least one, so the shift stays below 64).
    let all: u64 = u64::MAX >> (64 - required.len());
    let segments = searcher.segment_readers().iter().enumerate();
    let runs = executor.map(
        |(ordinal, reader)| {
            segment(
                ordinal as u32,
                reader,
                &weights,
                optional.len(),
                constraint.as_deref(),
            )
        },
        segments,
    )?;
    Ok(merge_runs(runs)
        .into_iter()
        .filter(|d| d.mask == all)
        .map(|d| d.hit)
        .collect())
}

/// One segment's runs of passages, one per document where its passages are contiguous.
/// `weights` holds the `optional` groups' weights, then the required groups'.
fn segment(
    ordinal: u32,
    reader: &SegmentReader,
    weights: &[Box<dyn Weight>],
    optional: usize,
    constraint: Option<&dyn Weight>,
) -> tantivy::Result<Vec<Masked>> {
    let mut scorers = weights
        .iter()
        .map(|w| w.scorer(reader, 1.0))
        .collect::<tantivy::Result<Vec<Box<dyn Scorer>>>>()?;
    let mut constraint = constraint.map(|w| w.scorer(reader, 1.0)).transpose()?;
    let keys: Column<u64> = reader.fast_fields().u64(crate::schema::DOC_KEY)?;
    let alive = reader.alive_bitset();
    let mut runs: Vec<Masked> = Vec::new();
    loop {
        let doc: DocId = scorers.iter().map(|s| s.doc()).min().unwrap_or(TERMINATED);
        if doc == TERMINATED {
            break;
        }
        if let Some(c) = constraint.as_mut() {
            if c.doc() < doc {
                c.seek(doc);
            }
            let allowed = c.doc();
            if allowed == TERMINATED {
                break;
            }
            if allowed != doc {
                // Jump every group to the next passage the filters allow, instead of scoring
                // the passages in between.
                for s in scorers.iter_mut() {
                    if s.doc() < allowed {
                        s.seek(allowed);
                    }
                }
                continue;
            }
        }
        let mut score: Score = 0.0;
        let mut mask = 0u64;
        for (i, s) in scorers.iter_mut().enumerate() {
            if s.doc() == doc {
                score += s.score();
                if i >= optional {
                    mask |= 1 << (i - optional);
                }
                s.advance();
            }
        }
        if alive.is_some_and(|a| !a.is_alive(doc)) {
            continue;
        }
        let Some(key) = keys.first(doc) else {
            continue;
        };
        let passage = Masked {
            hit: DocHit::passage(key, score, DocAddress::new(ordinal, doc)),
            mask,
        };
        extend_runs(&mut runs, passage);
    }
    Ok(runs)
}
