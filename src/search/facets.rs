//! Facet counts: how many documents (not passages) have each source, year, tag or language.

use std::collections::HashMap;

use tantivy::collector::{Count, FacetCollector};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Facet;
use tantivy::{DocId, IndexReader, Searcher};

use super::bm25::Bm25;
use super::build;
use super::filters::Filters;
use super::group::{DocCollector, DocHit};
use super::plan::{self, Plan};
use crate::error::Result;
pub use crate::index_doc::FacetField;
use crate::schema::{FACETS, KIND_DOC};
use crate::store::Store;

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
    let mut filters = filters.clone();
    let parsed = plan::parse_checked(store, &searcher, query_text, false, &mut filters)?;

    let counts = if parsed.is_unscored() && parsed.must_not.is_empty() {
        // Filters only: count the records themselves, one per document.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(store.kind_query(KIND_DOC)))];
        for f in build::filter_clauses(fields, &filters) {
            clauses.push((Occur::Must, f));
        }
        let mut collector = FacetCollector::for_field(FACETS);
        for d in dimensions {
            collector.add_facet(d.facet_root().as_str());
        }
        let (total, counts) = searcher.search(&BooleanQuery::new(clauses), &(Count, collector))?;
        let by_value = dimensions
            .iter()
            .flat_map(|d| counts.get(&d.facet_root()))
            .map(|(facet, n)| (facet.clone(), n))
            .collect();
        DocumentFacets {
            documents: total as u64,
            by_value,
        }
    } else {
        // Documents with at least one matching passage, counted from one passage each. Scores
        // do not matter, so nothing is scored.
        let plan = Plan::compile(store, &searcher, parsed, filters, Bm25::default())?;
        let resolved = plan.per_document(store, &searcher, None)?;
        let docs = match resolved.ranked {
            Some(docs) => docs,
            None => plan::collect(
                store,
                &searcher,
                resolved.query.as_ref(),
                DocCollector {
                    scored: false,
                    allowed: None,
                },
                &searcher,
            )?,
        };
        count_hits(&searcher, &docs)?
    };
    let total = counts.documents;
    Ok((total, tables(&counts, dimensions)))
}

/// The tables for `dimensions` from collected counts.
pub(super) fn tables(counts: &DocumentFacets, dimensions: &[FacetField]) -> Vec<FacetTable> {
    let total = counts.documents;
    dimensions
        .iter()
        .map(|&field| {
            let mut values: Vec<FacetCount> = counts
                .by_value
                .iter()
                .filter_map(|(facet, &n)| match facet.to_path()[..] {
                    [dimension, value] if dimension == field.name() => Some(FacetCount {
                        value: value.to_string(),
                        documents: n,
                    }),
                    _ => None,
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
        .collect()
}

/// Matching documents and how many of them have each facet value.
pub(super) struct DocumentFacets {
    documents: u64,
    by_value: HashMap<Facet, u64>,
}

/// Facet counts of `docs` (one hit per document, as the ranking pass leaves them), read from
/// each document's best passage: passages carry their document's facets, so one passage per
/// document is enough, and the ranking pass has already merged a document's passages across
/// segments. Counting while ranking instead kept a hash entry per matching document, and for
/// queries with required words counted documents that were then dropped.
pub(super) fn count_hits(searcher: &Searcher, docs: &[DocHit]) -> tantivy::Result<DocumentFacets> {
    let segments = searcher.segment_readers();
    let mut per_segment: Vec<Vec<DocId>> = vec![Vec::new(); segments.len()];
    for d in docs {
        if let Some(ids) = per_segment.get_mut(d.best.segment_ord as usize) {
            ids.push(d.best.doc_id);
        }
    }
    let mut by_value: HashMap<Facet, u64> = HashMap::new();
    for (reader, mut ids) in segments.iter().zip(per_segment) {
        if ids.is_empty() {
            continue;
        }
        // In document order, so the column is read front to back.
        ids.sort_unstable();
        let facets = reader.facet_reader(FACETS)?;
        let mut counts = vec![0u64; facets.num_facets()];
        for id in ids {
            for ord in facets.facet_ords(id) {
                // An ordinal from this segment's column is always below its facet count.
                if let Some(n) = counts.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
        let mut facet = Facet::root();
        for (ord, n) in counts.into_iter().enumerate() {
            if n > 0 {
                facets.facet_from_ord(ord as u64, &mut facet)?;
                *by_value.entry(facet.clone()).or_default() += n;
            }
        }
    }
    Ok(DocumentFacets {
        documents: docs.len() as u64,
        by_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::{doc, DocAddress, Index};

    #[test]
    fn hits_in_several_segments_count_each_document_once_by_its_facets() {
        let (schema, fields) = crate::schema::build();
        let index = Index::create_in_ram(schema);
        crate::schema::register_analyzer(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let passage = |key: u64, facets: &[&str]| {
            let mut d = doc!(fields.doc_key => key, fields.text => "debt bondage");
            for f in facets {
                d.add_facet(fields.facets, Facet::from(*f));
            }
            d
        };
        // Two commits, two segments; document 2 has a passage in each.
        writer
            .add_document(passage(1, &["/source/UNODC", "/year/2019"]))
            .unwrap();
        writer
            .add_document(passage(2, &["/source/ILO", "/tag/fishing"]))
            .unwrap();
        writer.commit().unwrap();
        writer
            .add_document(passage(2, &["/source/ILO", "/tag/fishing"]))
            .unwrap();
        writer
            .add_document(passage(3, &["/source/UNODC", "/tag/fishing", "/tag/asia"]))
            .unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        // One hit per document, as the ranking pass leaves them (document 2 by its passage in the
        // second segment).
        let hit = |key: u64, segment: u32, doc: u32| {
            DocHit::passage(key, 1.0, DocAddress::new(segment, doc))
        };
        // Segment order is not commit order: find each segment by its size and first key.
        let first_key = |s: usize| {
            let keys = searcher
                .segment_reader(s as u32)
                .fast_fields()
                .u64(crate::schema::DOC_KEY);
            keys.unwrap().first(0).unwrap()
        };
        let (a, b) = if first_key(0) == 1 { (0, 1) } else { (1, 0) };
        let docs = [hit(1, a, 0), hit(2, b, 0), hit(3, b, 1)];
        let counts = count_hits(&searcher, &docs).unwrap();
        assert_eq!(counts.documents, 3);
        let n = |f: &str| counts.by_value.get(&Facet::from(f)).copied().unwrap_or(0);
        assert_eq!(n("/source/UNODC"), 2);
        assert_eq!(n("/source/ILO"), 1);
        assert_eq!(n("/tag/fishing"), 2);
        assert_eq!(n("/tag/asia"), 1);
        assert_eq!(n("/year/2019"), 1);
    }
}
