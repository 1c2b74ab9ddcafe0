//! What a query means for the index, shared by search and facet counts: the text parsed within
//! the limits, its filters, the tantivy query over passages ([`Plan`]), and the per-document
//! parts (required and excluded groups) resolved to documents ([`PerDocument`]).

use std::sync::Arc;

use tantivy::collector::Collector;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, EmptyQuery, EnableScoring, Occur, Query,
    TermSetQuery,
};
use tantivy::{Searcher, Term};

use super::bm25::Bm25;
use super::filters::Filters;
use super::group::{self, KeySet};
use super::query::{self, ParsedQuery};
use super::{build, limits, required};
use crate::analysis::Equivalents;
use crate::error::{Error, Result};
use crate::schema;
use crate::store::{Beside, Store};

/// A query ready to run: parsed, with the filters written in it joined to the request's, and
/// compiled with the index's equivalent wordings.
pub(super) struct Plan {
    /// The query as parsed.
    pub(super) parsed: ParsedQuery,
    /// The request's filters and the query's own.
    pub(super) filters: Filters,
    /// The learned acronyms and synonyms of the commit searched.
    pub(super) equivalents: Arc<Equivalents>,
    /// The tantivy query over passages, its parts and highlight patterns.
    pub(super) compiled: build::Compiled,
    /// What runs beside this query's passes (see [`Store::search_executor`]).
    pub(super) beside: Beside,
}

impl Plan {
    /// Parse `text` (see [`parse_checked`]) and compile it.
    pub(super) fn new(
        store: &Store,
        searcher: &Searcher,
        text: &str,
        plain: bool,
        filters: &Filters,
        bm25: Bm25,
    ) -> Result<Plan> {
        let mut filters = filters.clone();
        let parsed = parse_checked(store, searcher, text, plain, &mut filters)?;
        Plan::compile(store, searcher, parsed, filters, bm25)
    }

    /// Compile a query already parsed by [`parse_checked`].
    pub(super) fn compile(
        store: &Store,
        searcher: &Searcher,
        parsed: ParsedQuery,
        filters: Filters,
        bm25: Bm25,
    ) -> Result<Plan> {
        let equivalents = store.equivalents(searcher)?;
        let compiled = build::compile(&store.fields, &parsed, &filters, bm25, &equivalents);
        Ok(Plan {
            parsed,
            filters,
            equivalents,
            compiled,
            beside: Beside::Nothing,
        })
    }

    /// Resolve the required and excluded groups to documents, scoring with `stats` (none:
    /// counting only).
    pub(super) fn per_document(
        &self,
        store: &Store,
        searcher: &Searcher,
        stats: Option<&dyn Bm25StatisticsProvider>,
    ) -> Result<PerDocument> {
        per_document(
            store,
            searcher,
            self.beside,
            &self.compiled,
            &self.filters,
            stats,
        )
    }
}

impl Plan {
    /// Keys of the documents the filters admit and no excluded group removes, for rankings
    /// that do not go through the passage query (semantic); `None` when the query has neither.
    pub(super) fn admitted_keys(
        &self,
        store: &Store,
        searcher: &Searcher,
    ) -> Result<Option<KeySet>> {
        let filters = build::filter_clauses(&store.fields, &self.filters);
        if filters.is_empty() && self.compiled.excluded.is_empty() {
            return Ok(None);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            filters.into_iter().map(|f| (Occur::Must, f)).collect();
        clauses.push((
            Occur::Must,
            Box::new(store.kind_query(schema::KIND_PASSAGE)),
        ));
        if let Some(keys) =
            excluded_documents(store, searcher, self.beside, &self.compiled.excluded)?
        {
            clauses.push((Occur::MustNot, Box::new(keys)));
        }
        matching_keys(store, searcher, self.beside, &BooleanQuery::new(clauses)).map(Some)
    }
}

/// BM25 statistics over passages only. Document records share the index but carry no text; left
/// in the counts they would halve the average passage length and inflate every IDF.
pub(super) struct PassageStats<'a> {
    searcher: &'a Searcher,
    /// Passages in the index.
    pub(super) passages: u64,
}

impl<'a> PassageStats<'a> {
    pub(super) fn new(store: &Store, searcher: &'a Searcher) -> Result<Self> {
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
fn matching_keys(
    store: &Store,
    searcher: &Searcher,
    beside: Beside,
    query: &dyn Query,
) -> Result<KeySet> {
    collect(
        store,
        searcher,
        beside,
        query,
        group::KeyCollector,
        searcher,
    )
}

/// Run `collector` over the passages matching `query` on the store's search executor for
/// what runs `beside` it.
pub(super) fn collect<C>(
    store: &Store,
    searcher: &Searcher,
    beside: Beside,
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
    let executor = store.search_executor(searcher.segment_readers().len(), beside);
    Ok(searcher.search_with_executor(query, &collector, executor, scoring)?)
}

/// The documents that match any of `excluded` anywhere, as a query on their keys; `None` when
/// nothing is excluded.
fn excluded_documents(
    store: &Store,
    searcher: &Searcher,
    beside: Beside,
    excluded: &[Box<dyn Query>],
) -> Result<Option<TermSetQuery>> {
    if excluded.is_empty() {
        return Ok(None);
    }
    let any: Vec<(Occur, Box<dyn Query>)> = excluded
        .iter()
        .map(|q| (Occur::Should, q.box_clone()))
        .collect();
    let keys = matching_keys(store, searcher, beside, &BooleanQuery::new(any))?;
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
pub(super) struct PerDocument {
    /// The passage query without the documents that match an excluded group; empty when no
    /// document has every required word (nothing to rank or count).
    pub(super) query: Box<dyn Query>,
    /// With required groups, the documents having them all, ranked (resolving them ranks them,
    /// see [`required`]).
    pub(super) ranked: Option<Vec<group::DocHit>>,
}

/// Resolve `compiled`'s required and excluded groups to documents, scoring with `stats` (none:
/// counting only).
fn per_document(
    store: &Store,
    searcher: &Searcher,
    beside: Beside,
    compiled: &build::Compiled,
    filters: &Filters,
    stats: Option<&dyn Bm25StatisticsProvider>,
) -> Result<PerDocument> {
    let excluded = excluded_documents(store, searcher, beside, &compiled.excluded)?;
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
        store.search_executor(searcher.segment_readers().len(), beside),
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

/// Parse `text` within the caps of [`limits`] and add the filters written in it to `filters`:
/// every query, from the command line, a batch or a server, goes through here.
pub(super) fn parse_checked(
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
