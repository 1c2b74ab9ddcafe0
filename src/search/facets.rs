//! Facet counts: how many documents (not passages) have each source, year, tag or language.

use tantivy::collector::{Count, FacetCollector};
use tantivy::query::{BooleanQuery, Occur, Query, TermSetQuery};
use tantivy::{IndexReader, Term};

use super::build;
use super::filters::Filters;
use super::query;
use crate::error::Result;
use crate::schema::KIND_DOC;
use crate::store::Store;

/// A facet dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FacetField {
    /// Publisher.
    Source,
    /// Year of the document's date.
    Year,
    /// Tags.
    Tag,
    /// Language.
    Lang,
}

impl FacetField {
    /// All dimensions, in display order.
    pub const ALL: [FacetField; 4] = [
        FacetField::Source,
        FacetField::Year,
        FacetField::Tag,
        FacetField::Lang,
    ];

    /// Name used in facet paths, flags and JSON.
    pub fn name(self) -> &'static str {
        match self {
            FacetField::Source => "source",
            FacetField::Year => "year",
            FacetField::Tag => "tag",
            FacetField::Lang => "lang",
        }
    }

    /// True when a document has at most one value, so "unknown" is meaningful.
    fn single_valued(self) -> bool {
        !matches!(self, FacetField::Tag)
    }
}

/// One facet value and its document count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    /// The value, as stored (e.g. `UNODC`, `2019`).
    pub value: String,
    /// Documents with it.
    pub documents: u64,
}

/// Counts for one dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetTable {
    /// Which dimension.
    pub field: FacetField,
    /// Values by descending count (years: newest first).
    pub counts: Vec<FacetCount>,
    /// Documents without a value (single-valued dimensions only).
    pub unknown: Option<u64>,
}

/// Documents counted, and the tables for `dimensions`.
pub fn facet_counts(
    store: &Store,
    reader: &IndexReader,
    query_text: &str,
    filters: &Filters,
    dimensions: &[FacetField],
) -> Result<(u64, Vec<FacetTable>)> {
    let searcher = reader.searcher();
    let fields = &store.fields;
    let parsed = query::parse(query_text);
    let mut filters = filters.clone();
    filters.absorb(&parsed);

    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(store.kind_query(KIND_DOC)))];
    if !(parsed.is_unscored() && parsed.must_not.is_empty()) {
        // Documents with at least one matching passage.
        let compiled = build::compile(fields, &parsed, &filters);
        let query = super::exclude_documents(store, &searcher, compiled.query, &compiled.excluded)?;
        let keys = super::matching_keys(&searcher, query.as_ref())?;
        let terms = keys
            .into_iter()
            .map(|k| Term::from_field_u64(fields.doc_key, k));
        clauses.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
    }
    for f in build::filter_clauses(fields, &filters) {
        clauses.push((Occur::Must, f));
    }
    let doc_query = BooleanQuery::new(clauses);

    let mut collector = FacetCollector::for_field("facets");
    for d in dimensions {
        collector.add_facet(format!("/{}", d.name()).as_str());
    }
    let (total, counts) = searcher.search(&doc_query, &(Count, collector))?;
    let total = total as u64;
    let tables = dimensions
        .iter()
        .map(|&field| {
            let mut values: Vec<FacetCount> = counts
                .get(&format!("/{}", field.name()))
                .map(|(facet, n)| FacetCount {
                    value: facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    documents: n,
                })
                .collect();
            if field == FacetField::Year {
                values.sort_by(|a, b| b.value.cmp(&a.value));
            } else {
                values.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.value.cmp(&b.value)));
            }
            let known: u64 = values.iter().map(|v| v.documents).sum();
            FacetTable {
                field,
                counts: values,
                unknown: field.single_valued().then(|| total.saturating_sub(known)),
            }
        })
        .collect();
    Ok((total, tables))
}
