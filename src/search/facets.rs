//! Facet counts: how many documents (not passages) have each source, year, tag or language.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, Count, FacetCollector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentReader;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Facet;
use tantivy::{DocId, IndexReader, Score, SegmentOrdinal};

use super::bm25::Bm25;
use super::build;
use super::filters::Filters;
use super::group::{Admission, KeyMap, KeySet};
use super::query;
use crate::error::Result;
use crate::schema::{DOC_KEY, KIND_DOC};
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

    let counts = if parsed.is_unscored() && parsed.must_not.is_empty() {
        // Filters only: count the records themselves, one per document.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(store.kind_query(KIND_DOC)))];
        for f in build::filter_clauses(fields, &filters) {
            clauses.push((Occur::Must, f));
        }
        let mut collector = FacetCollector::for_field("facets");
        for d in dimensions {
            collector.add_facet(format!("/{}", d.name()).as_str());
        }
        let (total, counts) = searcher.search(&BooleanQuery::new(clauses), &(Count, collector))?;
        let by_value = dimensions
            .iter()
            .flat_map(|d| counts.get(&format!("/{}", d.name())))
            .map(|(facet, n)| (facet.clone(), n))
            .collect();
        DocumentFacets {
            documents: total as u64,
            by_value,
        }
    } else {
        // Documents with at least one matching passage, counted from those passages.
        // Facets count matches; scores do not matter, so default parameters do.
        let compiled = build::compile(fields, &parsed, &filters, Bm25::default());
        let resolved = super::per_document(store, &searcher, &compiled, &filters, None, true)?;
        match resolved.counts {
            Some(counts) => counts,
            None => super::collect(
                store,
                &searcher,
                resolved.query.as_ref(),
                DocumentFacetCollector { allowed: None },
                &searcher,
            )?,
        }
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

/// Counts the facets of each document with a matching passage once, straight from the passages
/// (they carry their document's facets). Building a set of the matching document keys and
/// running a second query over records cost 20 ms and more for common words on 20,000
/// documents; this is one pass over the matches.
pub(super) struct DocumentFacetCollector {
    /// Only these documents, when given.
    pub allowed: Option<Arc<KeySet>>,
}

/// One segment's matching documents (each with the facet ordinals of its first matching
/// passage), and the facets those ordinals stand for.
pub(super) struct SegmentFacets {
    /// Each document's facets: a range of `flat` (one allocation for all documents).
    docs: KeyMap<(u32, u32)>,
    /// Indices into `facets`.
    flat: Vec<u32>,
    facets: Vec<Facet>,
}

impl Collector for DocumentFacetCollector {
    type Fruit = DocumentFacets;
    type Child = DocumentFacetSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<DocumentFacetSegment> {
        let facets = reader.facet_reader("facets")?;
        Ok(DocumentFacetSegment {
            keys: reader.fast_fields().u64(DOC_KEY)?,
            ords: vec![UNSEEN; facets.num_facets()],
            admission: Admission::new(self.allowed.clone()),
            seen: Vec::new(),
            reader: facets,
            docs: KeyMap::default(),
            flat: Vec::new(),
            last: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    /// Documents outside `allowed` are left out here too, for segments collected before the
    /// allowed documents were known (see `super::required`).
    fn merge_fruits(&self, fruits: Vec<SegmentFacets>) -> tantivy::Result<DocumentFacets> {
        // A document's passages may sit in several segments: count it in the first only.
        let mut counted = KeySet::default();
        let mut by_value: HashMap<Facet, u64> = HashMap::new();
        for fruit in fruits {
            let mut local = vec![0u64; fruit.facets.len()];
            for (key, (start, end)) in fruit.docs {
                if self.allowed.as_ref().is_some_and(|a| !a.contains(&key)) {
                    continue;
                }
                if counted.insert(key) {
                    for &i in &fruit.flat[start as usize..end as usize] {
                        local[i as usize] += 1;
                    }
                }
            }
            for (facet, n) in fruit.facets.into_iter().zip(local) {
                if n > 0 {
                    *by_value.entry(facet).or_default() += n;
                }
            }
        }
        Ok(DocumentFacets {
            documents: counted.len() as u64,
            by_value,
        })
    }
}

/// Marks a facet ordinal not met yet in [`DocumentFacetSegment::ords`].
const UNSEEN: u32 = u32::MAX;

/// Per-segment half of [`DocumentFacetCollector`].
pub(super) struct DocumentFacetSegment {
    keys: Column<u64>,
    reader: FacetReader,
    /// Facet ordinal in this segment → index into the harvested facet list, or [`UNSEEN`]:
    /// indexed by ordinal, so no ordinal of any matching document is hashed.
    ords: Vec<u32>,
    /// The ordinals seen, in the order of their indices.
    seen: Vec<u64>,
    admission: Admission,
    docs: KeyMap<(u32, u32)>,
    flat: Vec<u32>,
    last: Option<u64>,
}

impl SegmentCollector for DocumentFacetSegment {
    type Fruit = SegmentFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(key) = self.keys.first(doc) {
            self.collect_key(doc, key);
        }
    }

    fn harvest(self) -> SegmentFacets {
        let mut facets = vec![Facet::root(); self.seen.len()];
        for (facet, &ord) in facets.iter_mut().zip(&self.seen) {
            // An ordinal read from this segment's column is always in its dictionary.
            let _ = self.reader.facet_from_ord(ord, facet);
        }
        SegmentFacets {
            docs: self.docs,
            flat: self.flat,
            facets,
        }
    }
}

impl DocumentFacetSegment {
    /// Count passage `doc` of document `key` (for a caller that has read the key already).
    pub(super) fn collect_key(&mut self, doc: DocId, key: u64) {
        // A document's passages arrive one after another: only the first of a run is new.
        if self.last == Some(key) || !self.admission.admits(key) {
            return;
        }
        self.last = Some(key);
        if let Entry::Vacant(slot) = self.docs.entry(key) {
            let start = self.flat.len() as u32;
            for ord in self.reader.facet_ords(doc) {
                // An ordinal from this segment's column is always below its facet count.
                let Some(slot) = self.ords.get_mut(ord as usize) else {
                    continue;
                };
                if *slot == UNSEEN {
                    *slot = self.seen.len() as u32;
                    self.seen.push(ord);
                }
                self.flat.push(*slot);
            }
            slot.insert((start, self.flat.len() as u32));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fruit(docs: &[(u64, &[u32])], facets: &[&str]) -> SegmentFacets {
        let mut flat = Vec::new();
        let mut ranges = KeyMap::default();
        for (key, indices) in docs {
            let start = flat.len() as u32;
            flat.extend_from_slice(indices);
            ranges.insert(*key, (start, flat.len() as u32));
        }
        SegmentFacets {
            docs: ranges,
            flat,
            facets: facets.iter().map(|f| Facet::from(*f)).collect(),
        }
    }

    #[test]
    fn a_document_split_across_segments_is_counted_once() {
        // Document 7's passages landed in both segments (indexing threads each fill their own).
        let merged = DocumentFacetCollector { allowed: None }
            .merge_fruits(vec![
                fruit(&[(7, &[0, 1]), (8, &[0])], &["/source/UNODC", "/year/2019"]),
                fruit(&[(7, &[1, 0]), (9, &[0])], &["/year/2019", "/source/UNODC"]),
            ])
            .unwrap();
        assert_eq!(merged.documents, 3);
        assert_eq!(merged.by_value[&Facet::from("/source/UNODC")], 2);
        assert_eq!(merged.by_value[&Facet::from("/year/2019")], 2);
    }
}
