//! BM25 over one term of one field with tunable saturation (`k1`) and length normalisation
//! (`b`).
//!
//! tantivy's own term scorer fixes k1 = 1.2 and b = 0.75. Passages are short and of similar
//! length, where a lower b (less length normalisation) and a lower k1 (repeats saturate sooner)
//! are the usual tuned values (Anserini's BM25 uses 0.9 / 0.4). This query keeps tantivy's
//! statistics (from [`super::plan::PassageStats`]) and postings and only changes the formula.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Term, TERMINATED};

/// The two BM25 parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bm25 {
    /// Term-frequency saturation: how much a repeated word adds.
    pub k1: f32,
    /// Length normalisation: 0 ignores passage length, 1 divides fully by it.
    pub b: f32,
}

impl Default for Bm25 {
    /// Tuned on the SciFact train split; see `BENCHMARKS.md` (Relevance).
    fn default() -> Self {
        Bm25 { k1: 1.2, b: 0.75 }
    }
}

/// Inverse document frequency of a term found in `doc_freq` of `docs` passages: the same as
/// tantivy's (and Lucene's), never negative.
pub(crate) fn idf(docs: f32, doc_freq: f32) -> f32 {
    (1.0 + (docs - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
}

/// A term query scored with [`Bm25`].
#[derive(Clone, Debug)]
pub(crate) struct Bm25TermQuery {
    term: Term,
    params: Bm25,
}

impl Bm25TermQuery {
    /// Match `term`, scoring with `params`.
    pub(crate) fn new(term: Term, params: Bm25) -> Self {
        Bm25TermQuery { term, params }
    }
}

impl Query for Bm25TermQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let field = self.term.field();
        let (idf, avg_len) = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let docs = statistics_provider.total_num_docs()?.max(1) as f32;
                let freq = statistics_provider.doc_freq(&self.term)? as f32;
                let tokens = statistics_provider.total_num_tokens(field)? as f32;
                (idf(docs, freq), (tokens / docs).max(1.0))
            }
            EnableScoring::Disabled { .. } => (0.0, 1.0),
        };
        // Per fieldnorm id (tantivy stores lengths as one byte): k1 · (1 − b + b · len / avg).
        let mut norms = [0.0f32; 256];
        for (id, norm) in norms.iter_mut().enumerate() {
            let len = FieldNormReader::id_to_fieldnorm(id as u8) as f32;
            *norm = self.params.k1 * (1.0 - self.params.b + self.params.b * len / avg_len);
        }
        Ok(Box::new(Bm25Weight {
            term: self.term.clone(),
            weight: idf * (self.params.k1 + 1.0),
            norms,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

struct Bm25Weight {
    term: Term,
    /// idf · (k1 + 1).
    weight: f32,
    norms: [f32; 256],
}

impl Bm25Weight {
    fn term_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Bm25Scorer>> {
        let field = self.term.field();
        let postings = reader
            .inverted_index(field)?
            .read_postings(&self.term, IndexRecordOption::WithFreqs)?;
        Ok(match postings {
            None => None,
            Some(postings) => Some(Bm25Scorer {
                postings,
                lengths: reader.get_fieldnorms_reader(field)?,
                weight: self.weight * boost,
                norms: self.norms,
            }),
        })
    }
}

impl Weight for Bm25Weight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.term_scorer(reader, boost)? {
            Some(s) => Box::new(s),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if let Some(mut s) = self.term_scorer(reader, 1.0)? {
            if s.seek(doc) == doc {
                return Ok(Explanation::new("BM25 (tuned k1, b)", s.score()));
            }
        }
        Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )))
    }
}

struct Bm25Scorer {
    postings: SegmentPostings,
    lengths: FieldNormReader,
    weight: f32,
    norms: [f32; 256],
}

impl DocSet for Bm25Scorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for Bm25Scorer {
    fn score(&mut self) -> Score {
        let doc = self.postings.doc();
        if doc == TERMINATED {
            return 0.0;
        }
        let tf = self.postings.term_freq() as f32;
        let norm = self.norms[self.lengths.fieldnorm_id(doc) as usize];
        self.weight * tf / (tf + norm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    /// Scores of `query` per document, in document order.
    fn scores(index: &Index, query: &dyn Query) -> Vec<(u32, f32)> {
        let searcher = index.reader().unwrap().searcher();
        let mut hits: Vec<(u32, f32)> = searcher
            .search(query, &TopDocs::with_limit(100).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a.doc_id, s))
            .collect();
        hits.sort_by_key(|h| h.0);
        hits
    }

    fn index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer(15_000_000).unwrap();
        for body in [
            "forced labour",
            "forced labour in fishing fleets and forced labour on farms",
            "labour inspection reports from many sectors and many regions of the world over years",
            "nothing relevant here",
        ] {
            writer.add_document(doc!(text => body)).unwrap();
        }
        writer.commit().unwrap();
        (index, text)
    }

    #[test]
    fn default_parameters_score_exactly_like_tantivy() {
        let (index, text) = index();
        let term = Term::from_field_text(text, "labour");
        let theirs = scores(
            &index,
            &TermQuery::new(term.clone(), IndexRecordOption::WithFreqs),
        );
        let ours = scores(&index, &Bm25TermQuery::new(term, Bm25 { k1: 1.2, b: 0.75 }));
        assert_eq!(theirs.len(), 3);
        assert_eq!(ours.len(), 3);
        for ((d1, s1), (d2, s2)) in theirs.iter().zip(&ours) {
            assert_eq!(d1, d2);
            assert!((s1 - s2).abs() < 1e-5, "{theirs:?} vs {ours:?}");
        }
    }

    #[test]
    fn b_zero_ignores_length_and_k1_zero_ignores_repeats() {
        let (index, text) = index();
        let term = Term::from_field_text(text, "labour");
        // Documents 0 and 2 say "labour" once each, at very different lengths.
        let flat = scores(
            &index,
            &Bm25TermQuery::new(term.clone(), Bm25 { k1: 1.2, b: 0.0 }),
        );
        assert!((flat[0].1 - flat[2].1).abs() < 1e-6, "{flat:?}");
        assert!(flat[1].1 > flat[0].1, "two mentions score higher: {flat:?}");
        let binary = scores(&index, &Bm25TermQuery::new(term, Bm25 { k1: 0.0, b: 0.75 }));
        assert!((binary[0].1 - binary[1].1).abs() < 1e-6, "{binary:?}");
    }
}
