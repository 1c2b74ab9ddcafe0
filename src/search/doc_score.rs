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
//! The evidence counts what the passage ranking counts: each query word as the best of its
//! wordings (an acronym's long form, a country's other names, a user's synonym, at the factor
//! the passage ranking gives them), the title beside the text, and each word weighed by how
//! many documents (not passages) hold it ([`super::doc_freq`]). With only the typed words it
//! could not carry more weight than half the best passage: a document that says "Democratic
//! People's Republic of Korea" for a query's "DPRK" had no evidence at all.
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
use super::doc_freq::documents_with;
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
    /// The evidence three times the best passage: on a collection of mixed lengths (tip-dev)
    /// nDCG@10 rises with the weight up to 3-4, on abstracts of one size (SciFact train) it is
    /// flat from 0.5 to 4 (measured in BENCHMARKS.md, issue 14). `b` 0.4 is the usual
    /// whole-document setting: lengths here range from a paragraph to a 300-page report.
    fn default() -> Self {
        DocScoring {
            weight: 3.0,
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
    /// Occurrences of each query word in the title, counted once for the document (as BM25F
    /// counts a field of weight 1): the passage ranking weighs the title, so the
    /// document-level evidence does too, or a document named for the query loses to one that
    /// only mentions it once the evidence outweighs the best passage.
    pub title: Vec<u32>,
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
        let bm25 = |tf: u32, idf: f32| {
            let tf = tf as f32;
            idf * tf * (DOC_K1 + 1.0) / (tf + DOC_K1 * norm)
        };
        let doc_bm25: f32 = query
            .words
            .iter()
            .map(|word| {
                let best = word
                    .wordings
                    .iter()
                    .map(|wording| {
                        // A wording of several words occurs at most as often as its rarest
                        // word, and says as much as all of them.
                        let tf = wording
                            .terms
                            .iter()
                            .map(|&t| evidence.frequencies[t] + evidence.title[t])
                            .min()
                            .unwrap_or(0);
                        let idf: f32 = wording.terms.iter().map(|&t| idfs[t]).sum();
                        wording.factor * bm25(tf, idf)
                    })
                    .fold(0.0f32, f32::max);
                word.weight * best
            })
            .sum();
        hit.best_score + self.weight * doc_bm25
    }
}

/// The words the document-level evidence counts: the query's words and phrases, each counting
/// 1 as the best of its wordings (the typed form, and at a lower factor its acronym, long form,
/// synonym or country name, as the passage ranking counts them), and with `--expand` the
/// words the best documents share ([`super::expand`]), each counting its weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DocQuery {
    /// Passage-text terms, each once: what the evidence counts.
    pub terms: Vec<String>,
    /// What is scored, each word once.
    pub words: Vec<DocWord>,
}

/// One query word as the document-level evidence scores it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DocWord {
    /// What the word counts ([`TYPED`], or an expansion word's weight).
    pub weight: f32,
    /// Its ways of being written; the best one in a document counts.
    pub wordings: Vec<Wording>,
}

/// One way of writing a query word: its terms (indices into [`DocQuery::terms`]) and what it
/// counts against the typed form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Wording {
    pub terms: Vec<usize>,
    pub factor: f32,
}

/// What a term typed in the query counts.
pub(crate) const TYPED: f32 = 1.0;

impl DocQuery {
    /// Add `term` as a word of its own counting `weight` ([`TYPED`], or an expansion word's
    /// own), unless it is already a word: a word typed twice counts once, and an expansion word
    /// never counts again a word of the query.
    pub(crate) fn add(&mut self, term: &str, weight: f32) {
        self.add_wordings(&[(vec![term.to_string()], 1.0)], weight);
    }

    /// Add a word written in any of `wordings` (terms, factor), the first the typed one,
    /// counting `weight`, unless the same word is already there.
    pub(crate) fn add_wordings(&mut self, wordings: &[(Vec<String>, f32)], weight: f32) {
        let wordings: Vec<Wording> = wordings
            .iter()
            .filter(|(terms, _)| !terms.is_empty())
            .map(|(terms, factor)| Wording {
                terms: terms.iter().map(|t| self.term_index(t)).collect(),
                factor: *factor,
            })
            .collect();
        let Some(first) = wordings.first() else {
            return;
        };
        let known = self
            .words
            .iter()
            .any(|w| w.wordings.first().is_some_and(|f| f.terms == first.terms));
        if !known {
            self.words.push(DocWord { weight, wordings });
        }
    }

    /// The index of `term` in [`DocQuery::terms`], added if new.
    fn term_index(&mut self, term: &str) -> usize {
        match self.terms.iter().position(|t| t == term) {
            Some(i) => i,
            None => {
                self.terms.push(term.to_string());
                self.terms.len() - 1
            }
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
    let in_field = |field| -> Vec<Term> {
        query
            .terms
            .iter()
            .map(|t| Term::from_field_text(field, t))
            .collect()
    };
    let terms = in_field(fields.text);
    let evidence = evidence(
        searcher,
        fields,
        docs[..candidates].iter().map(|d| d.key),
        &terms,
        &in_field(fields.title),
    )?;
    let records = searcher
        .doc_freq(&Term::from_field_text(fields.kind, KIND_DOC))?
        .max(1);
    // A document-level BM25 weighs its words by how many documents hold them.
    let idfs: Vec<f32> = terms
        .iter()
        .map(|t| Ok(idf(records as f32, documents_with(searcher, t)? as f32)))
        .collect::<Result<_>>()?;
    let average = stats.total_num_tokens(fields.text)? as f32 / records as f32;
    let none = DocEvidence {
        frequencies: vec![0; terms.len()],
        length: 0,
        title: vec![0; terms.len()],
    };
    for d in &mut docs[..candidates] {
        let e = evidence.get(&d.key).unwrap_or(&none);
        d.score = scoring.combine(d, e, query, &idfs, average);
    }
    Ok(docs)
}

/// Each document's [`DocEvidence`] for `terms` (and the same words as `title_terms`), read
/// from the postings of its key (its passages) and of each term, seeking only to its passages.
fn evidence(
    searcher: &Searcher,
    fields: &Fields,
    keys: impl Iterator<Item = u64>,
    terms: &[Term],
    title_terms: &[Term],
) -> Result<KeyMap<DocEvidence>> {
    let keys: Vec<u64> = keys.collect();
    let mut out: KeyMap<DocEvidence> = KeyMap::default();
    let io = tantivy::TantivyError::from;
    for reader in searcher.segment_readers() {
        let by_key = reader.inverted_index(fields.doc_key)?;
        let alive = reader.alive_bitset();
        let norms = reader.get_fieldnorms_reader(fields.text)?;
        let title_norms = reader.get_fieldnorms_reader(fields.title)?;
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
                title: vec![0; terms.len()],
            });
            e.length += u64::from(norms.fieldnorm(doc));
        }
        // The title is on every passage (not on the record): read it on each document's first.
        let mut seen = vec![false; keys.len()];
        let firsts: Vec<(DocId, usize)> = owned
            .iter()
            .filter(|&&(doc, i)| {
                let first = title_norms.fieldnorm(doc) > 0 && !seen[i];
                seen[i] |= first;
                first
            })
            .copied()
            .collect();
        let titles = reader.inverted_index(fields.title)?;
        for (t, term) in title_terms.iter().enumerate() {
            each_frequency(&titles, term, &firsts, |i, tf| {
                if let Some(e) = out.get_mut(&keys[i]) {
                    e.title[t] = tf;
                }
            })?;
        }
        let text = reader.inverted_index(fields.text)?;
        for (t, term) in terms.iter().enumerate() {
            each_frequency(&text, term, &owned, |i, tf| {
                if let Some(e) = out.get_mut(&keys[i]) {
                    e.frequencies[t] += tf;
                }
            })?;
        }
    }
    Ok(out)
}

/// Call `found(candidate, frequency)` for each of `docs` (ids in order, with their candidate)
/// that holds `term`, seeking along its postings only to them.
fn each_frequency(
    index: &tantivy::InvertedIndexReader,
    term: &Term,
    docs: &[(DocId, usize)],
    mut found: impl FnMut(usize, u32),
) -> Result<()> {
    let Some(mut postings) = index
        .read_postings(term, IndexRecordOption::WithFreqs)
        .map_err(tantivy::TantivyError::from)?
    else {
        return Ok(());
    };
    for &(doc, i) in docs {
        if postings.doc() == TERMINATED {
            break;
        }
        if postings.doc() < doc && postings.seek(doc) == TERMINATED {
            break;
        }
        if postings.doc() == doc {
            found(i, postings.term_freq());
        }
    }
    Ok(())
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
            title: vec![0; frequencies.len()],
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
    fn a_word_counts_as_the_best_of_its_wordings_once() {
        let s = DocScoring::default();
        let mut q = DocQuery::default();
        // "DPRK", also written "north korea" (counting 0.8), and "workers".
        q.add_wordings(
            &[
                (vec!["dprk".to_string()], 1.0),
                (vec!["north".to_string(), "korea".to_string()], 0.8),
            ],
            TYPED,
        );
        q.add("workers", TYPED);
        assert_eq!(q.terms, ["dprk", "north", "korea", "workers"]);
        let idfs = [3.0, 1.5, 2.0, 1.0];
        let score = |f: &[u32]| s.combine(&hit(0.0), &doc(f, 1000), &q, &idfs, 1000.0);
        // A document that only names the country in full has evidence for the word.
        let long_form = score(&[0, 4, 4, 2]);
        let workers_only = score(&[0, 0, 0, 2]);
        assert!(long_form > workers_only, "{long_form} vs {workers_only}");
        // The typed form counts more than the other wording...
        let typed = score(&[4, 0, 0, 2]);
        assert!(typed > long_form, "{typed} vs {long_form}");
        // ... and both together count as the better one, not as two words.
        let both = score(&[4, 4, 4, 2]);
        assert!((both - typed).abs() < 1e-4, "{both} vs {typed}");
        // "north" alone is not "north korea": a wording occurs as often as its rarest word.
        assert_eq!(score(&[0, 9, 0, 2]), workers_only);
    }

    #[test]
    fn the_title_counts_beside_the_text() {
        let s = DocScoring::default();
        let mut q = DocQuery::default();
        q.add("kiln", TYPED);
        let mut titled = doc(&[1], 1000);
        titled.title = vec![1];
        let plain = s.combine(&hit(5.0), &doc(&[1], 1000), &q, &[2.0], 1000.0);
        let named = s.combine(&hit(5.0), &titled, &q, &[2.0], 1000.0);
        assert!(named > plain, "{named} vs {plain}");
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
        let weights: Vec<f32> = q.words.iter().map(|w| w.weight).collect();
        assert_eq!(weights, [1.0, 0.5]);
        let idfs = [2.0, 2.0];
        let typed = s.combine(&hit(10.0), &doc(&[3, 0], 1000), &q, &idfs, 1000.0);
        let shared = s.combine(&hit(10.0), &doc(&[0, 3], 1000), &q, &idfs, 1000.0);
        assert!(shared > 10.0 && shared < typed, "{shared} vs {typed}");
    }
}
