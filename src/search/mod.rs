//! Query → ranked documents with their best passages and highlights.
//!
//! BM25 runs over passages; passages are grouped by document while collecting
//! ([`group::GroupCollector`]); only the passages shown are fetched from the store and
//! highlighted.

pub mod batch;
pub mod bm25;
mod build;
pub mod doc_score;
pub mod expand;
pub mod facets;
pub mod filters;
mod group;
pub mod limits;
pub mod query;
mod required;
pub mod unmatched;

use std::ops::Range;
use std::time::{Duration, Instant};

use std::sync::Arc;

use tantivy::collector::Collector;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, EmptyQuery, EnableScoring, Occur, Query,
    TermSetQuery,
};
use tantivy::{IndexReader, Searcher, TantivyDocument, Term};

pub use bm25::Bm25;
pub use doc_score::DocScoring;
pub use expand::Expansion;
pub use facets::{facet_counts, FacetCount, FacetField, FacetTable};
pub use filters::{normalize_lang, parse_date_arg, Filters, YearRange};
pub use query::{parse, ParsedQuery};
pub use unmatched::Unmatched;

use group::KeySet;

use crate::error::{Error, Result};
use crate::highlight::highlight;
use crate::index_doc::{passage_text, read_passage, StoredPassage};
use crate::record::DocRecord;
use crate::schema::{self, analyze};
use crate::store::Store;

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
    pub facets: Vec<FacetField>,
    /// Re-rank with words from the first ranking's best passages (see [`expand`]).
    pub expand: Option<Expansion>,
    /// How a document's score combines its best passage with its other passages (see
    /// [`doc_score`]).
    pub doc_scoring: DocScoring,
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
            facets: Vec::new(),
            expand: None,
            doc_scoring: DocScoring::default(),
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
}

/// The answer to a [`SearchRequest`].
#[derive(Clone, Debug)]
pub struct SearchResults {
    /// Documents matching.
    pub total_documents: usize,
    /// Passages matching.
    pub total_passages: u64,
    /// The best `limit` documents, best first.
    pub hits: Vec<SearchHit>,
    /// Document counts per facet value over all matching documents, for the requested facets.
    pub facets: Vec<FacetTable>,
    /// Typed words (or phrases) that match no document, with a suggestion from the index.
    pub unmatched: Vec<Unmatched>,
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

/// BM25 statistics over passages only. Document records share the index but carry no text; left
/// in the counts they would halve the average passage length and inflate every IDF.
struct PassageStats<'a> {
    searcher: &'a Searcher,
    passages: u64,
}

impl<'a> PassageStats<'a> {
    fn new(store: &Store, searcher: &'a Searcher) -> Result<Self> {
        let kind = Term::from_field_text(store.fields.kind, schema::KIND_PASSAGE);
        Ok(PassageStats {
            searcher,
            passages: searcher.doc_freq(&kind)?.max(1),
        })
    }
}

impl Bm25StatisticsProvider for PassageStats<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.passages)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// Keys of the documents having a passage that matches `query`.
fn matching_keys(store: &Store, searcher: &Searcher, query: &dyn Query) -> Result<KeySet> {
    collect(store, searcher, query, group::KeyCollector, searcher)
}

/// Run `collector` over the passages matching `query` on the store's search executor.
fn collect<C>(
    store: &Store,
    searcher: &Searcher,
    query: &dyn Query,
    collector: C,
    stats: &dyn Bm25StatisticsProvider,
) -> Result<C::Fruit>
where
    C: Collector,
{
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_statistics_provider(stats, searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let executor = store.search_executor(searcher.segment_readers().len());
    Ok(searcher.search_with_executor(query, &collector, executor, scoring)?)
}

/// The documents that match any of `excluded` anywhere, as a query on their keys; `None` when
/// nothing is excluded.
fn excluded_documents(
    store: &Store,
    searcher: &Searcher,
    excluded: &[Box<dyn Query>],
) -> Result<Option<TermSetQuery>> {
    if excluded.is_empty() {
        return Ok(None);
    }
    let any: Vec<(Occur, Box<dyn Query>)> = excluded
        .iter()
        .map(|q| (Occur::Should, q.box_clone()))
        .collect();
    let keys = matching_keys(store, searcher, &BooleanQuery::new(any))?;
    let terms = keys
        .into_iter()
        .map(|k| Term::from_field_u64(store.fields.doc_key, k));
    Ok(Some(TermSetQuery::new(terms)))
}

/// `query` minus the passages of the `excluded` documents.
fn without(query: Box<dyn Query>, excluded: Option<&TermSetQuery>) -> Box<dyn Query> {
    match excluded {
        None => query,
        Some(keys) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::MustNot, Box::new(keys.clone())),
        ])),
    }
}

/// A compiled query with what holds per document rather than per passage applied.
struct PerDocument {
    /// The passage query without the documents that match an excluded group; empty when no
    /// document has every required word (nothing to rank or count).
    query: Box<dyn Query>,
    /// With required groups, the documents having them all, ranked (resolving them ranks them,
    /// see [`required`]).
    ranked: Option<Vec<group::DocHit>>,
}

/// Resolve `compiled`'s required and excluded groups to documents, scoring with `stats` (none:
/// counting only).
fn per_document(
    store: &Store,
    searcher: &Searcher,
    compiled: &build::Compiled,
    filters: &Filters,
    stats: Option<&dyn Bm25StatisticsProvider>,
) -> Result<PerDocument> {
    let excluded = excluded_documents(store, searcher, &compiled.excluded)?;
    if compiled.required.is_empty() {
        return Ok(PerDocument {
            query: without(compiled.query.box_clone(), excluded.as_ref()),
            ranked: None,
        });
    }
    if compiled.required.len() > required::MAX_REQUIRED {
        return Err(Error::InvalidArgument {
            what: "query",
            value: format!("{} required groups", compiled.required.len()),
            hint: format!(
                "at most {} words or phrases can be required (+word, AND)",
                required::MAX_REQUIRED
            ),
        });
    }
    // Filters and excluded documents constrain the passages that count.
    let mut constraint: Vec<(Occur, Box<dyn Query>)> =
        build::filter_clauses(&store.fields, filters)
            .into_iter()
            .map(|f| (Occur::Must, f))
            .collect();
    if let Some(keys) = &excluded {
        if constraint.is_empty() {
            constraint.push((Occur::Must, Box::new(AllQuery)));
        }
        constraint.push((Occur::MustNot, Box::new(keys.clone())));
    }
    let constraint = (!constraint.is_empty()).then(|| BooleanQuery::new(constraint));
    let ranked = required::rank(
        searcher,
        store.search_executor(searcher.segment_readers().len()),
        stats,
        &compiled.required,
        &compiled.optional,
        constraint.as_ref().map(|q| q as &dyn Query),
    )?;
    let base: Box<dyn Query> = if ranked.is_empty() {
        Box::new(EmptyQuery)
    } else {
        compiled.query.box_clone()
    };
    Ok(PerDocument {
        query: without(base, excluded.as_ref()),
        ranked: Some(ranked),
    })
}

/// Expansion words from the best passages of the `expansion.docs` best of `docs`.
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
    Ok(expand::feedback_terms(&texts, patterns, idf, expansion))
}

/// Parse `text` within the caps of [`limits`] and add the filters written in it to `filters`:
/// every query, from the command line, a batch or a server, goes through here.
fn parse_checked(
    store: &Store,
    searcher: &Searcher,
    text: &str,
    plain: bool,
    filters: &mut Filters,
) -> Result<ParsedQuery> {
    limits::check_length(text)?;
    let parsed = if plain {
        query::parse_plain(text)
    } else {
        query::parse(text)
    };
    limits::check_clauses(&parsed)?;
    limits::check_prefixes(searcher, &parsed, |c| {
        build::prefix_expansions(&store.fields, c)
    })?;
    filters.absorb(&parsed)?;
    Ok(parsed)
}

/// The passage-text terms of the query's words and phrases as typed, each once: what the
/// document-level evidence of [`doc_score`] counts.
fn typed_terms(parsed: &ParsedQuery, extra: &crate::analysis::Equivalents) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for clause in parsed.positive_clauses() {
        let (query::Clause::Word(text, target) | query::Clause::Phrase(text, target)) = clause
        else {
            continue;
        };
        if !matches!(target, query::Target::Any | query::Target::Text) {
            continue;
        }
        let sequences = crate::analysis::query_term_sequences_with(text, extra);
        for term in sequences.into_iter().next().unwrap_or_default() {
            if !out.contains(&term) {
                out.push(term);
            }
        }
    }
    out
}

/// Run `request` against the last commit visible to `reader`.
pub fn search(
    store: &Store,
    reader: &IndexReader,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let started = Instant::now();
    let searcher = reader.searcher();
    let mut filters = request.filters.clone();
    let parsed = parse_checked(
        store,
        &searcher,
        &request.query,
        request.plain,
        &mut filters,
    )?;
    let mut analyzer = schema::analyzer();
    let equivalents = store.equivalents(&searcher)?;
    let compiled = build::compile(&store.fields, &parsed, &filters, request.bm25, &equivalents);
    let stats = PassageStats::new(store, &searcher)?;
    let PerDocument { query, ranked } =
        per_document(store, &searcher, &compiled, &filters, Some(&stats))?;
    // Only the documents having every required group may be ranked again (by expansion).
    let allowed: Option<Arc<KeySet>> = match (&ranked, request.expand) {
        (Some(docs), Some(_)) => Some(Arc::new(docs.iter().map(|d| d.key).collect())),
        _ => None,
    };
    let ranking = group::DocCollector {
        scored: compiled.scored,
        allowed,
    };
    let rank = |query: &dyn Query| collect(store, &searcher, query, ranking.clone(), &stats);
    // Pass 1: every matching document once, by its best passage (with required groups, done
    // while resolving them). Facet counts come from each document's best passage.
    let docs = match ranked {
        Some(docs) => docs,
        None => rank(query.as_ref())?,
    };
    let scoring = if compiled.scored {
        request.doc_scoring
    } else {
        DocScoring::BEST_PASSAGE
    };
    let words = if scoring.weight == 0.0 {
        Vec::new()
    } else {
        typed_terms(&parsed, &equivalents)
    };
    let rescore = |docs| {
        doc_score::rescore(
            &searcher,
            &store.fields,
            &stats,
            docs,
            &words,
            scoring,
            request.limit,
        )
    };
    let docs = rescore(docs)?;
    let facets = if request.facets.is_empty() {
        Vec::new()
    } else {
        facets::tables(&facets::count_hits(&searcher, &docs)?, &request.facets)
    };
    // With expansion, rank again with the words the best passages share, and fuse the two
    // rankings (see [`expand::fuse`]). The expanded query requires the query as it was, so the
    // matches (and the counts and facets above) stay its.
    let feedback = match request.expand {
        Some(expansion) if compiled.scored => feedback_terms(
            store,
            &searcher,
            &stats,
            &docs,
            &compiled.patterns,
            expansion,
        )?,
        _ => Vec::new(),
    };
    let (docs, query) = if feedback.is_empty() {
        (docs, query)
    } else {
        let query = expand::expanded(&store.fields, query, &feedback, request.bm25);
        let again = rescore(rank(query.as_ref())?)?;
        (expand::fuse(docs, again, request.limit), query)
    };
    let total_documents = docs.len();
    let total_passages = docs.iter().map(|d| u64::from(d.matches)).sum();
    let ranked = group::top(docs, request.limit);
    // Pass 2, only for the shown documents and only when more than one passage is wanted: their
    // best few passages (the same query and statistics, so the same scores).
    let mut shown: group::KeyMap<group::Group> = group::KeyMap::default();
    // With expansion the documents' scores are fusion scores, so their passages' BM25 scores
    // come from this pass even when one passage is shown.
    if (request.passages > 1 || !feedback.is_empty()) && !ranked.is_empty() {
        let keys = ranked
            .iter()
            .map(|d| Term::from_field_u64(store.fields.doc_key, d.key));
        // The key set scores 0: as a plain clause it added its constant 1.0 to every passage
        // shown, so a passage showed more than the document ranking had given it.
        let restricted = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (
                Occur::Must,
                Box::new(tantivy::query::ConstScoreQuery::new(
                    Box::new(TermSetQuery::new(keys)),
                    0.0,
                )),
            ),
        ]);
        let collector = group::GroupCollector {
            keep: request.passages,
            scored: compiled.scored,
        };
        shown = searcher.search_with_statistics_provider(&restricted, &collector, &stats)?;
    }
    let mut phases = Phases {
        matching: started.elapsed(),
        ..Phases::default()
    };

    let mut hits = Vec::with_capacity(ranked.len());
    for doc in ranked {
        let fetch_started = Instant::now();
        let Some(record) = store.record_by_key(&searcher, doc.key)? else {
            continue;
        };
        let best = match shown.get(&doc.key) {
            Some(group) => group.best.clone(),
            None => vec![(doc.best_score, doc.best)],
        };
        let mut passages = Vec::with_capacity(request.passages);
        for (score, addr) in best.iter().take(request.passages) {
            let doc: TantivyDocument = searcher.doc(*addr)?;
            let StoredPassage { place, text } = read_passage(&store.fields, &doc, &record.id)?;
            let highlight_started = Instant::now();
            let tokens: Vec<_> = analyze(&mut analyzer, &text)
                .into_iter()
                .map(|t| (t.range, t.term, t.position))
                .collect();
            let highlights = highlight(&tokens, &compiled.patterns);
            phases.highlighting += highlight_started.elapsed();
            passages.push(PassageHit {
                ordinal: place.ordinal as u32,
                start: place.start,
                page: place.page,
                end: place.end,
                highlights,
                score: if compiled.scored { *score } else { 0.0 },
                text,
            });
        }
        phases.fetching += fetch_started.elapsed();
        hits.push(SearchHit {
            record,
            score: if compiled.scored { doc.score } else { 0.0 },
            matching_passages: doc.matches,
            passages,
        });
    }
    let unmatched = unmatched::unmatched(&searcher, &store.fields, &parsed, &equivalents)?;
    Ok(SearchResults {
        total_documents,
        total_passages,
        hits,
        unmatched,
        facets,
        elapsed: started.elapsed(),
        phases: Phases {
            fetching: phases.fetching.saturating_sub(phases.highlighting),
            ..phases
        },
    })
}
