//! Query → ranked documents with their best passages and highlights.
//!
//! [`search`] follows ARCHITECTURE.md's "Search": the query's [`plan::Plan`] (parsed within the
//! limits, compiled, required and excluded groups resolved to documents); pass 1 ranks every
//! matching document by its best passage ([`group::DocCollector`]); the best of them get their
//! document score ([`doc_score`]), with `--expand` the words their best passages share counted
//! too ([`expand`]); facets are counted; pass 2
//! keeps the best passages of the shown documents ([`group::GroupCollector`]); [`fetch`] reads
//! only those passages from the store and highlights them.

pub mod batch;
pub(crate) mod bm25;
mod build;
pub(crate) mod context;
mod doc_freq;
pub(crate) mod doc_score;
mod embedding_text;
pub(crate) mod expand;
pub(crate) mod facets;
mod feedback;
mod fetch;
pub(crate) mod filters;
mod group;
pub mod hybrid;
pub(crate) mod limits;
mod newest;
mod page;
mod plan;
pub mod query;
mod required;
pub(crate) mod unmatched;
mod worker;

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::{IndexReader, Searcher, TantivyDocument, Term};

pub use bm25::Bm25;
pub(crate) use context::{passages_in_context, PassageWindow};
pub use doc_score::DocScoring;
pub use expand::Expansion;
pub use facets::{facet_counts, FacetCount, FacetCounts, FacetField, FacetRequest, FacetTable};
pub use feedback::Feedback;
pub use filters::{
    normalize_lang, parse_country_arg, parse_date_arg, parse_topic_arg, FieldBound, FieldFilter,
    FieldTest, Filters, Number, YearRange,
};
pub use group::KeySet;
pub use hybrid::{Mode, SemanticSearch};
pub use query::{parse, ParsedQuery};
pub(crate) use unmatched::Unmatched;

use plan::{collect, PassageStats, PerDocument, Plan};

use crate::error::Result;
use crate::index_doc::passage_text;
use crate::record::DocRecord;
use crate::store::{Beside, Store};

/// What to search for.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    /// The query, in the language described in [`query`].
    pub query: String,
    /// Facet and date filters.
    pub filters: Filters,
    /// Documents to return.
    pub limit: usize,
    /// Passages to return per document.
    pub passages: usize,
    /// Read the query as plain words, without operators (for claims and questions taken
    /// verbatim, as in evaluations, where a leading `-` or a quote is not syntax).
    pub plain: bool,
    /// BM25 parameters for words (phrases keep tantivy's k1 = 1.2, b = 0.75).
    pub bm25: Bm25,
    /// Facet counts to compute over all matching documents.
    pub facets: FacetRequest,
    /// Count the words the best documents' best passages share in the document scores (see
    /// [`expand`]).
    pub expand: Option<Expansion>,
    /// How a document's score combines its best passage with its other passages (see
    /// [`doc_score`]).
    pub doc_scoring: DocScoring,
    /// Only these documents (by key) may match, when given (a saved search's report: the
    /// documents added or changed since a moment).
    pub only: Option<Arc<KeySet>>,
    /// Rank by meaning too (see [`hybrid`]); `None`: lexical.
    pub semantic: Option<SemanticSearch>,
    /// Show every copy of a reprinted text as its own hit instead of one hit per reprint group
    /// (see [`crate::reprints`]).
    pub all_copies: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            filters: Filters::default(),
            limit: 10,
            passages: 2,
            plain: false,
            bm25: Bm25::default(),
            facets: FacetRequest::default(),
            expand: None,
            doc_scoring: DocScoring::default(),
            only: None,
            semantic: None,
            all_copies: false,
        }
    }
}

/// One passage of a hit.
#[derive(Clone, Debug)]
pub struct PassageHit {
    /// Passage number within its document.
    pub ordinal: u32,
    /// Byte offset of the passage in the document's text.
    pub start: usize,
    /// Byte offset of the passage's end in the document's text.
    pub end: usize,
    /// Page where the passage starts (PDF), if the format has pages.
    pub page: Option<u32>,
    /// The passage text.
    pub text: String,
    /// BM25 score of the passage.
    pub score: f32,
    /// Matched byte ranges within `text`.
    pub highlights: Vec<Range<usize>>,
}

/// One matching document.
#[derive(Clone, Debug)]
pub struct SearchHit {
    /// The document's record (path, metadata, provenance).
    pub record: DocRecord,
    /// Document score, from its best passages.
    pub score: f32,
    /// Number of its passages that matched.
    pub matching_passages: u32,
    /// Its best passages, best first.
    pub passages: Vec<PassageHit>,
    /// The other documents of its reprint group (same or nearly the same text), earliest
    /// first, whether they matched or not; empty when it has none.
    pub copies: Vec<DocRecord>,
}

impl SearchHit {
    /// The earliest dated of this document and its copies (the original of a reprinted text),
    /// when it has copies and any of them is dated.
    pub fn original(&self) -> Option<&DocRecord> {
        if self.copies.is_empty() {
            return None;
        }
        std::iter::once(&self.record)
            .chain(&self.copies)
            .filter_map(|r| r.metadata.date.as_ref().map(|d| (d.value.lo(), r)))
            .min_by_key(|(lo, r)| (*lo, r.key))
            .map(|(_, r)| r)
    }
}

/// The answer to a [`SearchRequest`].
#[derive(Clone, Debug)]
pub struct SearchResults {
    /// Documents matching, every copy of a reprinted text counted.
    pub total_documents: usize,
    /// Distinct texts matching: each reprint group counted once (the number of hits there are
    /// to page through, unless `all_copies`).
    pub total_distinct: usize,
    /// Passages matching.
    pub total_passages: u64,
    /// The best `limit` documents, best first.
    pub hits: Vec<SearchHit>,
    /// Document counts per facet value over all matching documents, for the requested facets.
    pub facets: Vec<FacetTable>,
    /// Typed words (or phrases) that match no document, with a suggestion from the index.
    pub unmatched: Vec<Unmatched>,
    /// What the embedding model read, when it says more than the query typed: a semantic or
    /// hybrid search's query with its acronyms spelled out ("DRC (Democratic Republic of the
    /// Congo) child labor").
    pub read_as: Option<String>,
    /// Time spent searching, in all.
    pub elapsed: Duration,
    /// Where that time went.
    pub phases: Phases,
}

/// The parts of a search's time, so each cost stays visible (benchmarks report them).
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    /// Matching, scoring and grouping passages into documents.
    pub matching: Duration,
    /// Reading the shown documents' records and passages from the store.
    pub fetching: Duration,
    /// Analysing the shown passages and placing highlights.
    pub highlighting: Duration,
}

/// Expansion words from the best passages of the `expansion.docs` best of `docs`, each found
/// in most of them.
fn feedback_terms(
    store: &Store,
    searcher: &Searcher,
    stats: &PassageStats<'_>,
    docs: &[group::DocHit],
    patterns: &[crate::highlight::Pattern],
    expansion: Expansion,
) -> Result<Vec<(String, f32)>> {
    let best = group::top(docs.to_vec(), expansion.docs);
    let mut texts = Vec::with_capacity(best.len());
    for d in &best {
        let doc: TantivyDocument = searcher.doc(d.best)?;
        if let Some(text) = passage_text(&store.fields, &doc) {
            texts.push(text.to_string());
        }
    }
    let passages = stats.passages as f32;
    let idf = |term: &str| {
        let term = Term::from_field_text(store.fields.text, term);
        bm25::idf(passages, searcher.doc_freq(&term).unwrap_or(0) as f32)
    };
    let agreement = expand::majority(texts.len());
    Ok(expand::feedback_terms(
        &texts, patterns, idf, expansion, agreement,
    ))
}

/// What gives documents their document scores ([`doc_score`]) in one search.
struct DocumentScores<'a> {
    store: &'a Store,
    searcher: &'a Searcher,
    stats: &'a PassageStats<'a>,
    /// The query's words as the evidence counts them.
    words: doc_score::DocQuery,
    /// The query's own terms, which the shared words leave out.
    patterns: &'a [crate::highlight::Pattern],
    scoring: DocScoring,
    /// `--expand`: the words the best documents share, counted too.
    expansion: Option<Expansion>,
    limit: usize,
}

impl DocumentScores<'_> {
    /// `docs` scored for the query's words, then, with an expansion, for those words and the
    /// words the best of them share ([`expand`]).
    fn apply(&self, docs: Vec<group::DocHit>) -> Result<Vec<group::DocHit>> {
        let docs = self.rescore(docs, &self.words)?;
        let Some(expansion) = self.expansion else {
            return Ok(docs);
        };
        if self.scoring.weight == 0.0 || self.words.terms.is_empty() {
            return Ok(docs);
        }
        let found = feedback_terms(
            self.store,
            self.searcher,
            self.stats,
            &docs,
            self.patterns,
            expansion,
        )?;
        if found.is_empty() {
            return Ok(docs);
        }
        let mut words = self.words.clone();
        for (term, weight) in &found {
            words.add(term, *weight);
        }
        self.rescore(docs, &words)
    }

    fn rescore(
        &self,
        docs: Vec<group::DocHit>,
        words: &doc_score::DocQuery,
    ) -> Result<Vec<group::DocHit>> {
        doc_score::rescore(
            self.searcher,
            &self.store.fields,
            self.stats,
            docs,
            words,
            self.scoring,
            self.limit,
        )
    }
}

/// The passage-text terms of the query's words and phrases as typed, each once: what the
/// document-level evidence of [`doc_score`] counts.
fn typed_terms(parsed: &ParsedQuery, extra: &crate::analysis::Equivalents) -> doc_score::DocQuery {
    let mut out = doc_score::DocQuery::default();
    for clause in parsed.positive_clauses() {
        let (query::Clause::Word(text, target) | query::Clause::Phrase(text, target)) = clause
        else {
            continue;
        };
        if !matches!(target, query::Target::Any | query::Target::Text) {
            continue;
        }
        let sequences = crate::analysis::query_term_sequences_with(text, extra);
        match sequences.as_slice() {
            [] => {}
            // Written one way: each of its words counts on its own, as BM25 counts them.
            [typed] => {
                for term in typed {
                    out.add(term, doc_score::TYPED);
                }
            }
            // Written several ways (an acronym and its long form, a country's names): one
            // word, the best of its wordings, each other wording at what the passage ranking
            // gives it.
            [typed, others @ ..] => {
                let wordings: Vec<(Vec<String>, f32)> = std::iter::once((typed.clone(), 1.0))
                    .chain(others.iter().map(|o| (o.clone(), build::ALT_WEIGHT)))
                    .collect();
                out.add_wordings(&wordings, doc_score::TYPED);
            }
        }
    }
    out
}

/// What `query` would cost to run against the last commit visible to `reader`, estimated without
/// running it (see [`limits::QueryCost`]); a query over a cap is the error [`search`] gives.
pub fn query_cost(
    store: &Store,
    reader: &IndexReader,
    query: &str,
    plain: bool,
) -> Result<limits::QueryCost> {
    limits::check_length(query)?;
    let parsed = if plain {
        query::parse_plain(query)
    } else {
        query::parse(query)
    };
    limits::cost(&reader.searcher(), &parsed, |c| {
        build::prefix_expansions(&store.fields, c)
    })
}

/// Run `request` against the last commit visible to `reader`.
pub fn search(
    store: &Store,
    reader: &IndexReader,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let started = Instant::now();
    let searcher = reader.searcher();
    // Semantic or hybrid: what the model reads (the typed words, acronyms spelled out from the
    // commit's glossary); its embedding runs beside the lexical passes.
    let model_text = match &request.semantic {
        Some(s) if s.mode != hybrid::Mode::Lexical => Some(embedding_text::embedding_text(
            &request.query,
            request.plain,
            &*store.glossary(&searcher)?,
        )),
        _ => None,
    };
    let embedding_of = |semantic: &SemanticSearch| {
        let text = model_text.as_ref().map_or("", |m| m.text.as_str());
        // The vectors are read first (a cache lookup once a process has them) so the
        // embedding's thread can make the sketch pass too; an index without vectors is
        // reported by the ranking, after the word passes, as before.
        hybrid::PendingEmbedding::start(semantic, text, semantic.vectors(store, &searcher).ok())
    };
    let embedding = request
        .semantic
        .as_ref()
        .filter(|_| !request.query.trim().is_empty())
        .filter(|_| model_text.is_some())
        .map(embedding_of);
    let mut plan = Plan::new(
        store,
        &searcher,
        &request.query,
        request.plain,
        &request.filters,
        request.bm25,
    )?;
    if embedding.is_some() {
        plan.beside = Beside::Embedding;
    }
    let scored = plan.compiled.scored;
    let stats = PassageStats::new(store, &searcher)?;
    let PerDocument { query, ranked } = plan.per_document(store, &searcher, Some(&stats))?;
    let ranking = group::DocCollector {
        scored,
        allowed: request.only.clone(),
    };
    // Pass 1: every matching document once, by its best passage (with required groups, done
    // while resolving them). Facet counts come from each document's best passage.
    let mut docs = match ranked {
        Some(docs) => docs,
        None => collect(
            store,
            &searcher,
            plan.beside,
            query.as_ref(),
            ranking,
            &stats,
        )?,
    };
    // The one-pass ranking of required groups takes no key set; restrict its documents here.
    if let Some(only) = &request.only {
        docs.retain(|d| only.contains(&d.key));
    }
    let scoring = if scored {
        request.doc_scoring
    } else {
        DocScoring::BEST_PASSAGE
    };
    let semantic = request
        .semantic
        .as_ref()
        // A query of filters alone has no meaning to embed.
        .filter(|s| s.mode != hybrid::Mode::Lexical && scored);
    let scores = DocumentScores {
        store,
        searcher: &searcher,
        stats: &stats,
        words: if scoring.weight == 0.0 {
            doc_score::DocQuery::default()
        } else {
            typed_terms(&plan.parsed, &plan.equivalents)
        },
        patterns: &plan.compiled.patterns,
        scoring,
        // Semantic and hybrid rankings have their own widening (`Feedback`).
        expansion: request.expand.filter(|_| semantic.is_none()),
        limit: request.limit,
    };
    let docs = scores.apply(docs)?;
    let facets = if request.facets.is_empty() {
        Vec::new()
    } else {
        let key_list = request.facets.dimensions.contains(&FacetField::Field);
        facets::tables(
            &facets::count_hits(
                &searcher,
                &docs,
                key_list,
                store.reprints(&searcher)?.as_ref(),
            )?,
            &request.facets,
        )
    };
    let total_passages = docs.iter().map(|d| u64::from(d.matches)).sum();
    let reprints = store.reprints(&searcher)?;
    let (total_documents, total_distinct, ranked, shown) = if let Some(semantic) = semantic {
        // Semantic or hybrid: every shown passage is chosen by the fused score, from all of
        // the document's passages and the lexical scores of those matching.
        let admitted = plan.admitted_keys(store, &searcher)?;
        let embedding = embedding.unwrap_or_else(|| embedding_of(semantic));
        let lexical = hybrid::Lexical {
            limit: request.limit,
            passages: request.passages,
            docs,
            admitted: admitted.as_ref(),
            required_only: !plan.compiled.required.is_empty(),
            reprints: &reprints,
            all_copies: request.all_copies,
        };
        let fused = hybrid::rank(store, &searcher, semantic, embedding, lexical, |keys| {
            best_passages(
                store,
                &searcher,
                &stats,
                query.as_ref(),
                keys,
                usize::MAX,
                scored,
            )
        })?;
        let mut docs = fused.docs;
        docs.truncate(request.limit);
        (fused.total, fused.distinct, docs, fused.shown)
    } else {
        let total_documents = docs.len();
        let (docs, total_distinct) = arrange_copies(docs, &reprints, request.all_copies);
        // Without query words every score is equal: list newest first instead.
        let ranked = if scored {
            group::top(docs, request.limit)
        } else {
            newest::newest_first(store, &searcher, docs, request.limit)?
        };
        // Pass 2, only for the shown documents and only when more than one passage is wanted:
        // their best few passages (the same query and statistics, so the same scores).
        let shown = if request.passages > 1 && !ranked.is_empty() {
            let keys: Vec<u64> = ranked.iter().map(|d| d.key).collect();
            best_passages(
                store,
                &searcher,
                &stats,
                query.as_ref(),
                &keys,
                request.passages,
                scored,
            )?
        } else {
            group::KeyMap::default()
        };
        (total_documents, total_distinct, ranked, shown)
    };
    let matching = started.elapsed();
    let (hits, fetched) = fetch::hits(
        store,
        &searcher,
        ranked,
        &shown,
        request.passages,
        &plan.compiled.patterns,
        scored || semantic.is_some(),
    )?;
    let hits = with_copies(store, &searcher, hits, &reprints)?;
    let unmatched =
        unmatched::unmatched(&searcher, &store.fields, &plan.parsed, &plan.equivalents)?;
    Ok(SearchResults {
        total_documents,
        total_distinct,
        total_passages,
        hits,
        unmatched,
        read_as: model_text.filter(|m| m.spelled_out).map(|m| m.text),
        facets,
        elapsed: started.elapsed(),
        phases: Phases {
            matching,
            ..fetched
        },
    })
}

/// The ranked `docs` with reprints as the request asks: each group once (its best-ranked
/// member) or, with `all_copies`, every member beside its best; and the number of distinct
/// texts among them.
fn arrange_copies(
    docs: Vec<group::DocHit>,
    reprints: &crate::reprints::Groups,
    all_copies: bool,
) -> (Vec<group::DocHit>, usize) {
    let docs = one_per_group(docs, reprints);
    let distinct = docs.len();
    let docs = if all_copies {
        docs.into_iter()
            .flat_map(|(best, others)| std::iter::once(best).chain(others))
            .collect()
    } else {
        docs.into_iter().map(|(best, _)| best).collect()
    };
    (docs, distinct)
}

/// `docs` with each reprint group's best-ranked member first, the group's other matching
/// members beside it (ranked as [`group::top`] ranks).
fn one_per_group(
    docs: Vec<group::DocHit>,
    reprints: &crate::reprints::Groups,
) -> Vec<(group::DocHit, Vec<group::DocHit>)> {
    if reprints.is_empty() {
        return docs.into_iter().map(|d| (d, Vec::new())).collect();
    }
    let better = |a: &group::DocHit, b: &group::DocHit| {
        a.score.total_cmp(&b.score).then(b.key.cmp(&a.key)) == std::cmp::Ordering::Greater
    };
    let mut out: Vec<(group::DocHit, Vec<group::DocHit>)> = Vec::with_capacity(docs.len());
    let mut slot: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for d in docs {
        let Some(g) = reprints.group(d.key) else {
            out.push((d, Vec::new()));
            continue;
        };
        match slot.get(&g) {
            None => {
                slot.insert(g, out.len());
                out.push((d, Vec::new()));
            }
            Some(&i) => {
                let (best, others) = &mut out[i];
                if better(&d, best) {
                    others.push(std::mem::replace(best, d));
                } else {
                    others.push(d);
                }
            }
        }
    }
    out
}

/// `hits` with the records of their reprints, earliest first.
fn with_copies(
    store: &Store,
    searcher: &Searcher,
    mut hits: Vec<SearchHit>,
    reprints: &crate::reprints::Groups,
) -> Result<Vec<SearchHit>> {
    for hit in &mut hits {
        for &key in reprints.members(hit.record.key) {
            if key == hit.record.key {
                continue;
            }
            if let Some(record) = store.record_by_key(searcher, key)? {
                hit.copies.push(record);
            }
        }
        hit.copies.sort_by_key(|r| {
            (
                r.metadata.date.as_ref().map_or(i64::MAX, |d| d.value.lo()),
                r.key,
            )
        });
    }
    Ok(hits)
}

/// The passages (and records) of the documents `keys`: a term query per key, not a
/// `TermSetQuery`, which walks the key field's whole term dictionary (one term per document of
/// the index; 0.3–0.4 ms a query at 20,000 documents) where a page's few keys are a few lookups.
pub(crate) fn any_of_keys(fields: &crate::schema::Fields, keys: &[u64]) -> Box<dyn Query> {
    let keys: Vec<(Occur, Box<dyn Query>)> = keys
        .iter()
        .map(|k| {
            let term = Term::from_field_u64(fields.doc_key, *k);
            let query: Box<dyn Query> = Box::new(tantivy::query::TermQuery::new(
                term,
                tantivy::schema::IndexRecordOption::Basic,
            ));
            (Occur::Should, query)
        })
        .collect();
    Box::new(BooleanQuery::new(keys))
}

/// The best `keep` passages of each of the documents `keys`: `query` restricted to them.
fn best_passages(
    store: &Store,
    searcher: &Searcher,
    stats: &PassageStats<'_>,
    query: &dyn Query,
    keys: &[u64],
    keep: usize,
    scored: bool,
) -> Result<group::KeyMap<group::Group>> {
    // The key set scores 0: as a plain clause it added its constant 1.0 to every passage
    // shown, so a passage showed more than the document ranking had given it.
    let restricted = BooleanQuery::new(vec![
        (Occur::Must, query.box_clone()),
        (
            Occur::Must,
            Box::new(tantivy::query::ConstScoreQuery::new(
                any_of_keys(&store.fields, keys),
                0.0,
            )),
        ),
    ]);
    let collector = group::GroupCollector { keep, scored };
    Ok(searcher.search_with_statistics_provider(&restricted, &collector, stats)?)
}
