//! A document's score from its best passage and from how much of the document answers the query.
//!
//! Ranking by the best passage alone favours long documents: a report of 300 passages has 300
//! chances to hold one passage that scores well, so it outranks a one-page entry that is wholly
//! about the query. Summing passages favours them again (more passages, more sum). The
//! document-level evidence here is the document's own BM25 over its whole text (term
//! frequencies summed over its passages, its length in tokens against the average document's),
//! added, weighted, to the best passage's score: a long document with one strong passage gains
//! little, because the query's words are a small part of it; one that keeps returning to the
//! query gains as much as its frequencies say, saturated as BM25 saturates them.
//!
//! It is computed only for the best candidates by passage score, from the postings of their
//! keys (record and passages share one) and of the query's words, seeking to their passages:
//! the combined score is never below the best passage's, so documents outside that depth cannot
//! overtake them.

use tantivy::postings::Postings;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Searcher, Term, TERMINATED};

use super::bm25::idf;
use super::group::{DocHit, KeyMap};
use crate::error::Result;
use crate::schema::{Fields, KIND_DOC};

/// Candidates rescored per document shown: a document gains at most its document-level BM25,
/// so those far below the shown ones by best passage rarely enter them; reading the evidence
/// costs per candidate (its passages' postings), so the depth follows what is shown.
pub(crate) const RESCORE_PER_SHOWN: usize = 2;

/// The fewest candidates rescored, so a short page still sees documents from below it rise.
pub(crate) const RESCORE_FLOOR: usize = 50;

/// Candidates whose document-level evidence is computed when `limit` documents are shown.
pub(crate) fn rescore_depth(limit: usize) -> usize {
    limit.saturating_mul(RESCORE_PER_SHOWN).max(RESCORE_FLOOR)
}

/// How much the document-level evidence counts beside the best passage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DocScoring {
    /// Weight of the document's own BM25 (0: the best passage alone).
    pub weight: f32,
    /// Length normalisation of the document's BM25 (BM25's `b`, over whole documents).
    pub b: f32,
}

impl Default for DocScoring {
    fn default() -> Self {
        DocScoring {
            weight: 0.5,
            b: 0.4,
        }
    }
}

/// Term-frequency saturation of the document-level BM25 (the usual whole-document setting).
const DOC_K1: f32 = 0.9;

/// What a document holds of the query, summed over its passages.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DocEvidence {
    /// Occurrences of each query word.
    pub frequencies: Vec<u32>,
    /// Tokens of passage text.
    pub length: u64,
}

impl DocScoring {
    /// The best passage alone (the ranking before document-level evidence).
    pub(crate) const BEST_PASSAGE: DocScoring = DocScoring {
        weight: 0.0,
        b: 0.0,
    };

    /// The document score of `hit` from its `evidence` (frequencies of `query`'s terms), with
    /// each term's `idfs` and the average document length in tokens.
    pub(crate) fn combine(
        &self,
        hit: &DocHit,
        evidence: &DocEvidence,
        query: &DocQuery,
        idfs: &[f32],
        average: f32,
    ) -> f32 {
        let norm = 1.0 - self.b + self.b * evidence.length as f32 / average.max(1.0);
        let doc_bm25: f32 = evidence
            .frequencies
            .iter()
            .zip(idfs)
            .zip(&query.weights)
            .map(|((&tf, &idf), &weight)| {
                let tf = tf as f32;
                weight * idf * tf * (DOC_K1 + 1.0) / (tf + DOC_K1 * norm)
            })
            .sum();
        hit.best_score + self.weight * doc_bm25
    }
}

/// The words the document-level evidence counts: the passage-text terms of the query's words
/// and phrases as typed, each once and counting 1, and with `--expand` the words the best
/// documents share ([`super::expand`]), each counting its weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DocQuery {
    /// Passage-text terms, each once.
    pub terms: Vec<String>,
    /// What each term counts.
    pub weights: Vec<f32>,
}

/// What a term typed in the query counts.
pub(crate) const TYPED: f32 = 1.0;

impl DocQuery {
    /// Add `term` counting `weight` ([`TYPED`], or an expansion word's own), unless it is
    /// already there: a word typed twice counts once, and an expansion word never counts again
    /// a word of the query.
    pub(crate) fn add(&mut self, term: &str, weight: f32) {
        if !self.terms.iter().any(|t| t == term) {
            self.terms.push(term.to_string());
            self.weights.push(weight);
        }
    }
}

/// Give the best [`rescore_depth`]`(limit)` of `docs` their document scores for `query`; the
/// others keep their best passage's score, which is below all of those.
pub(crate) fn rescore(
    searcher: &Searcher,
    fields: &Fields,
    stats: &dyn Bm25StatisticsProvider,
    docs: Vec<DocHit>,
    query: &DocQuery,
    scoring: DocScoring,
    limit: usize,
) -> Result<Vec<DocHit>> {
    if scoring.weight == 0.0 || docs.is_empty() || query.terms.is_empty() {
        return Ok(docs);
    }
    let depth = rescore_depth(limit);
    let mut docs = docs;
    if docs.len() > depth {
        // The candidates to the front, in any order; ranking sorts them later.
        docs.select_nth_unstable_by(depth, |a, b| {
            b.score.total_cmp(&a.score).then(a.key.cmp(&b.key))
        });
    }
    let candidates = depth.min(docs.len());
    let terms: Vec<Term> = query
        .terms
        .iter()
        .map(|t| Term::from_field_text(fields.text, t))
        .collect();
    let evidence = evidence(
        searcher,
        fields,
        docs[..candidates].iter().map(|d| d.key),
        &terms,
    )?;
    let passages = stats.total_num_docs()? as f32;
    let idfs: Vec<f32> = terms
        .iter()
        .map(|t| Ok(idf(passages, stats.doc_freq(t)? as f32)))
        .collect::<tantivy::Result<_>>()?;
    let records = searcher
        .doc_freq(&Term::from_field_text(fields.kind, KIND_DOC))?
        .max(1);
    let average = stats.total_num_tokens(fields.text)? as f32 / records as f32;
    let none = DocEvidence {
        frequencies: vec![0; terms.len()],
        length: 0,
    };
    for d in &mut docs[..candidates] {
        let e = evidence.get(&d.key).unwrap_or(&none);
        d.score = scoring.combine(d, e, query, &idfs, average);
    }
    Ok(docs)
}

/// Each document's [`DocEvidence`] for `terms`, read from the postings of its key (its
/// passages) and of each term, seeking only to its passages.
fn evidence(
    searcher: &Searcher,
    fields: &Fields,
    keys: impl Iterator<Item = u64>,
    terms: &[Term],
) -> Result<KeyMap<DocEvidence>> {
    let keys: Vec<u64> = keys.collect();
    let mut out: KeyMap<DocEvidence> = KeyMap::default();
    let io = tantivy::TantivyError::from;
    for reader in searcher.segment_readers() {
        let by_key = reader.inverted_index(fields.doc_key)?;
        let alive = reader.alive_bitset();
        let norms = reader.get_fieldnorms_reader(fields.text)?;
        // Every live passage (and record) of the candidates here, in doc id order, with the
        // candidate it belongs to.
        let mut owned: Vec<(DocId, usize)> = Vec::new();
        for (i, &key) in keys.iter().enumerate() {
            let term = Term::from_field_u64(fields.doc_key, key);
            let Some(mut postings) = by_key
                .read_postings(&term, IndexRecordOption::Basic)
                .map_err(io)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    owned.push((doc, i));
                }
                doc = postings.advance();
            }
        }
        if owned.is_empty() {
            continue;
        }
        owned.sort_unstable();
        for &(doc, i) in &owned {
            let e = out.entry(keys[i]).or_insert_with(|| DocEvidence {
                frequencies: vec![0; terms.len()],
                length: 0,
            });
            e.length += u64::from(norms.fieldnorm(doc));
        }
        let text = reader.inverted_index(fields.text)?;
        for (t, term) in terms.iter().enumerate() {
            let Some(mut postings) = text
                .read_postings(term, IndexRecordOption::WithFreqs)
                .map_err(io)?
            else {
                continue;
            };
            for &(doc, i) in &owned {
                if postings.doc() == TERMINATED {
                    break;
                }
                if postings.doc() < doc && postings.seek(doc) == TERMINATED {
                    break;
                }
                if postings.doc() == doc {
                    if let Some(e) = out.get_mut(&keys[i]) {
                        e.frequencies[t] += postings.term_freq();
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::DocAddress;

    fn hit(best: f32) -> DocHit {
        DocHit::passage(1, best, DocAddress::new(0, 0))
    }

    fn doc(frequencies: &[u32], length: u64) -> DocEvidence {
        DocEvidence {
            frequencies: frequencies.to_vec(),
            length,
        }
    }

    #[test]
    fn a_long_document_gains_from_returning_to_the_query_not_from_one_passage() {
        let s = DocScoring::default();
        let idfs = [2.0, 3.0];
        let average = 1000.0;
        let mut q = DocQuery::default();
        q.add("a", TYPED);
        q.add("b", TYPED);
        // A 100-token entry wholly about the query.
        let short = s.combine(&hit(10.0), &doc(&[3, 2], 100), &q, &idfs, average);
        // A 12,000-token report with one passage a little stronger and nothing else.
        let one_strong = s.combine(&hit(11.0), &doc(&[4, 3], 12_000), &q, &idfs, average);
        // The same report returning to the query throughout.
        let many = s.combine(&hit(10.0), &doc(&[90, 70], 12_000), &q, &idfs, average);
        assert!(one_strong < short, "{one_strong} vs {short}");
        assert!(many > short, "{many} vs {short}");
        // Without the evidence, the best passage decides alone.
        let best = DocScoring::BEST_PASSAGE;
        assert_eq!(
            best.combine(&hit(10.0), &doc(&[90, 70], 12_000), &q, &idfs, average),
            10.0
        );
    }

    #[test]
    fn a_word_typed_twice_counts_once_and_expansion_words_count_their_weight() {
        let s = DocScoring::default();
        let mut q = DocQuery::default();
        q.add("debt", TYPED);
        q.add("debt", TYPED);
        q.add("kiln", 0.5);
        q.add("debt", 0.5);
        assert_eq!(q.terms, ["debt", "kiln"]);
        assert_eq!(q.weights, [1.0, 0.5]);
        let idfs = [2.0, 2.0];
        let typed = s.combine(&hit(10.0), &doc(&[3, 0], 1000), &q, &idfs, 1000.0);
        let shared = s.combine(&hit(10.0), &doc(&[0, 3], 1000), &q, &idfs, 1000.0);
        assert!(shared > 10.0 && shared < typed, "{shared} vs {typed}");
    }
}
