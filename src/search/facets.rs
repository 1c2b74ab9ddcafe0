//! Facet counts: how many documents (not passages) have each source, year, tag, language,
//! country or value of a user field.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, IndexReader, Searcher};

use super::bm25::Bm25;
use super::build;
use super::filters::Filters;
use super::group::{DocCollector, DocHit};
use super::plan::{self, Plan};
use crate::error::{Error, Result};
pub use crate::index_doc::FacetField;
use crate::reprints::Groups;
use crate::schema::{FACETS, KIND_DOC};

use crate::store::Store;

/// One facet value and its document count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCount {
    /// The value, as stored (e.g. `UNODC`, `2019`).
    pub value: String,
    /// Documents with it, every copy of a reprinted text counted.
    pub documents: u64,
    /// Distinct texts with it: a reprint group counts once (when any of its matching members
    /// has the value).
    pub distinct: u64,
}

/// Facet counts with what they count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetCounts {
    /// Documents counted, every copy of a reprinted text counted.
    pub documents: u64,
    /// Distinct texts among them: a reprint group counts once.
    pub distinct: u64,
    /// The tables asked for.
    pub tables: Vec<FacetTable>,
}

/// Counts for one dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FacetTable {
    /// Which dimension.
    pub field: FacetField,
    /// For [`FacetField::Field`]: the user field whose values are counted; `None`: the keys
    /// themselves, each with the documents having it.
    pub key: Option<String>,
    /// Values by descending count (years: newest first).
    pub counts: Vec<FacetCount>,
    /// Documents without a value (single-valued dimensions only).
    pub unknown: Option<u64>,
}

impl FacetTable {
    /// The table's name in JSON and text: the dimension's (`source`), `fields` for the list of
    /// user fields, `field:KEY` for one field's values.
    pub fn name(&self) -> String {
        match (self.field, &self.key) {
            (FacetField::Field, Some(key)) => format!("field:{key}"),
            (FacetField::Field, None) => "fields".to_string(),
            (field, _) => field.name().to_string(),
        }
    }
}

/// What to count: dimensions, and user fields by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FacetRequest {
    /// Dimensions ([`FacetField::Field`]: which user fields documents have).
    pub dimensions: Vec<FacetField>,
    /// User fields whose values to count (keys as stored).
    pub fields: Vec<String>,
}

impl FacetRequest {
    /// True when nothing is to be counted.
    pub fn is_empty(&self) -> bool {
        self.dimensions.is_empty() && self.fields.is_empty()
    }

    /// Only these dimensions.
    pub fn of(dimensions: &[FacetField]) -> FacetRequest {
        FacetRequest {
            dimensions: dimensions.to_vec(),
            fields: Vec::new(),
        }
    }

    /// Add what `name` names: a dimension (`source`, `year`, `tag`, `lang`, `country`),
    /// `fields` (which user fields documents have), `all` (every dimension and `fields`) or `field:KEY` (the values of the
    /// user field KEY, matched as `--field` matches keys). `what` names the flag or parameter
    /// in errors.
    pub fn add_name(&mut self, what: &'static str, name: &str) -> Result<()> {
        let name = name.trim();
        let mut add = |d: FacetField| {
            if !self.dimensions.contains(&d) {
                self.dimensions.push(d);
            }
        };
        if name == "all" {
            FacetField::ALL.into_iter().for_each(&mut add);
            add(FacetField::Field);
        } else if name == "fields" {
            add(FacetField::Field);
        } else if let Some(key) = FacetField::ALL.into_iter().find(|f| f.name() == name) {
            add(key);
        } else if let Some(key) = name
            .strip_prefix("field:")
            .and_then(crate::metadata::field_key)
        {
            if !self.fields.contains(&key) {
                self.fields.push(key);
            }
        } else {
            let known: Vec<&str> = FacetField::ALL.iter().map(|f| f.name()).collect();
            return Err(Error::InvalidArgument {
                what,
                value: name.to_string(),
                hint: format!(
                    "give {}, fields (which fields your sidecars declare), field:KEY (one \
                     field's values, e.g. field:state) or all",
                    known.join(", ")
                ),
            });
        }
        Ok(())
    }
}

/// Documents and distinct texts counted, and the tables `wanted`.
pub fn facet_counts(
    store: &Store,
    reader: &IndexReader,
    query_text: &str,
    filters: &Filters,
    wanted: &FacetRequest,
) -> Result<FacetCounts> {
    let searcher = reader.searcher();
    let fields = &store.fields;
    let mut filters = filters.clone();
    let parsed = plan::parse_checked(store, &searcher, query_text, false, &mut filters)?;
    let key_list = wanted.dimensions.contains(&FacetField::Field);
    let reprints = store.reprints(&searcher)?;

    let counts = if parsed.is_unscored() && parsed.must_not.is_empty() {
        // Filters only: count the records themselves, one per document.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(store.kind_query(KIND_DOC)))];
        for f in build::filter_clauses(fields, &filters) {
            clauses.push((Occur::Must, f));
        }
        let records = searcher.search(&BooleanQuery::new(clauses), &DocSetCollector)?;
        let mut keyed = Vec::with_capacity(records.len());
        let segments = searcher.segment_readers();
        for address in records {
            let Some(reader) = segments.get(address.segment_ord as usize) else {
                continue;
            };
            let keys = reader.fast_fields().u64(crate::schema::DOC_KEY)?;
            if let Some(key) = keys.first(address.doc_id) {
                keyed.push((address, key));
            }
        }
        count_documents(&searcher, keyed.into_iter(), key_list, &reprints)?
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
                plan.beside,
                resolved.query.as_ref(),
                DocCollector {
                    scored: false,
                    allowed: None,
                },
                &searcher,
            )?,
        };
        count_hits(&searcher, &docs, key_list, &reprints)?
    };
    Ok(FacetCounts {
        documents: counts.documents,
        distinct: counts.distinct,
        tables: tables(&counts, wanted),
    })
}

/// The tables `wanted` from collected counts.
pub(super) fn tables(counts: &DocumentFacets, wanted: &FacetRequest) -> Vec<FacetTable> {
    let total = counts.documents;
    let table = |field: FacetField, key: Option<&str>| {
        let mut values: Vec<FacetCount> = match (field, key) {
            (FacetField::Field, None) => counts
                .field_keys
                .iter()
                .map(|(k, &n)| FacetCount {
                    value: k.clone(),
                    documents: n,
                    // Which keys exist is a count of documents only.
                    distinct: n,
                })
                .collect(),
            _ => counts
                .by_value
                .iter()
                .filter_map(|(facet, &n)| {
                    let path = facet.to_path();
                    let value = match (key, &path[..]) {
                        (None, [dimension, value]) if *dimension == field.name() => value,
                        (Some(key), [dimension, k, value])
                            if *dimension == field.name() && k == &key =>
                        {
                            value
                        }
                        _ => return None,
                    };
                    Some(FacetCount {
                        value: value.to_string(),
                        documents: n,
                        distinct: counts.distinct_of(facet, n),
                    })
                })
                .collect(),
        };
        if field == FacetField::Year {
            values.sort_by(|a, b| b.value.cmp(&a.value));
        } else {
            values.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.value.cmp(&b.value)));
        }
        let known: u64 = values.iter().map(|v| v.documents).sum();
        FacetTable {
            field,
            key: key.map(str::to_string),
            counts: values,
            unknown: field.single_valued().then(|| total.saturating_sub(known)),
        }
    };
    wanted
        .dimensions
        .iter()
        .map(|&field| table(field, None))
        .chain(
            wanted
                .fields
                .iter()
                .map(|key| table(FacetField::Field, Some(key))),
        )
        .collect()
}

/// Matching documents and how many of them have each facet value.
pub(super) struct DocumentFacets {
    documents: u64,
    /// Distinct texts among the documents.
    distinct: u64,
    by_value: HashMap<Facet, u64>,
    /// Per facet value, how many fewer distinct texts than documents have it: the members of
    /// a reprint group with the value beyond the first.
    repeats: HashMap<Facet, u64>,
    /// Documents having each user field (when asked for).
    field_keys: HashMap<String, u64>,
}

impl DocumentFacets {
    /// Distinct texts having `facet`, which `documents` documents have.
    fn distinct_of(&self, facet: &Facet, documents: u64) -> u64 {
        documents - self.repeats.get(facet).copied().unwrap_or(0)
    }
}

/// Facet counts of `docs` (one hit per document, as the ranking pass leaves them), read from
/// each document's best passage: passages carry their document's facets, so one passage per
/// document is enough, and the ranking pass has already merged a document's passages across
/// segments. Counting while ranking instead kept a hash entry per matching document, and for
/// queries with required words counted documents that were then dropped.
pub(super) fn count_hits(
    searcher: &Searcher,
    docs: &[DocHit],
    key_list: bool,
    reprints: &Groups,
) -> tantivy::Result<DocumentFacets> {
    count_documents(
        searcher,
        docs.iter().map(|d| (d.best, d.key)),
        key_list,
        reprints,
    )
}

/// Facet counts of `docs` (address, document key), each address one tantivy document
/// standing for one indexed document (a record, or a passage carrying its document's facets);
/// distinct texts by `reprints`; with `key_list`, also how many documents have each user field.
fn count_documents(
    searcher: &Searcher,
    docs: impl Iterator<Item = (DocAddress, u64)>,
    key_list: bool,
    reprints: &Groups,
) -> tantivy::Result<DocumentFacets> {
    let segments = searcher.segment_readers();
    // (doc id, its reprint group) per segment.
    let mut per_segment: Vec<Vec<(DocId, Option<u32>)>> = vec![Vec::new(); segments.len()];
    let mut documents = 0;
    let mut groups_seen: std::collections::HashSet<u32> = Default::default();
    let mut repeated_documents = 0;
    for (d, key) in docs {
        if let Some(ids) = per_segment.get_mut(d.segment_ord as usize) {
            let group = reprints.group(key);
            if let Some(g) = group {
                if !groups_seen.insert(g) {
                    repeated_documents += 1;
                }
            }
            ids.push((d.doc_id, group));
            documents += 1;
        }
    }
    // (facet, group) pairs of grouped documents: a group counts once per value.
    let mut grouped: std::collections::HashSet<(Facet, u32)> = Default::default();
    let mut repeats: HashMap<Facet, u64> = HashMap::new();
    let mut by_value: HashMap<Facet, u64> = HashMap::new();
    let mut field_keys: HashMap<String, u64> = HashMap::new();
    for (reader, mut ids) in segments.iter().zip(per_segment) {
        if ids.is_empty() {
            continue;
        }
        // In document order, so the column is read front to back.
        ids.sort_unstable_by_key(|(id, _)| *id);
        let facets = reader.facet_reader(FACETS)?;
        let mut counts = vec![0u64; facets.num_facets()];
        // The user field of each facet ordinal met, when the keys are counted.
        let mut key_of: HashMap<u64, Option<String>> = HashMap::new();
        let mut facet = Facet::root();
        for (id, group) in ids {
            let mut previous_key: Option<String> = None;
            for ord in facets.facet_ords(id) {
                // An ordinal from this segment's column is always below its facet count.
                if let Some(n) = counts.get_mut(ord as usize) {
                    *n += 1;
                }
                if let Some(g) = group {
                    facets.facet_from_ord(ord, &mut facet)?;
                    if !grouped.insert((facet.clone(), g)) {
                        *repeats.entry(facet.clone()).or_default() += 1;
                    }
                }
                if !key_list {
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(slot) = key_of.entry(ord) {
                    facets.facet_from_ord(ord, &mut facet)?;
                    slot.insert(match &facet.to_path()[..] {
                        [dimension, key, _] if *dimension == FacetField::Field.name() => {
                            Some(key.to_string())
                        }
                        _ => None,
                    });
                }
                // A document's values of one key are next to each other (ordinals follow
                // the paths' order), so a key is counted once per document.
                if let Some(Some(key)) = key_of.get(&ord) {
                    if previous_key.as_ref() != Some(key) {
                        *field_keys.entry(key.clone()).or_default() += 1;
                        previous_key = Some(key.clone());
                    }
                }
            }
        }
        for (ord, n) in counts.into_iter().enumerate() {
            if n > 0 {
                facets.facet_from_ord(ord as u64, &mut facet)?;
                *by_value.entry(facet.clone()).or_default() += n;
            }
        }
    }
    Ok(DocumentFacets {
        documents,
        distinct: documents - repeated_documents,
        by_value,
        repeats,
        field_keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::{doc, Index};

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
        let counts = count_hits(&searcher, &docs, false, &Groups::default()).unwrap();
        assert_eq!(counts.documents, 3);
        let n = |f: &str| counts.by_value.get(&Facet::from(f)).copied().unwrap_or(0);
        assert_eq!(n("/source/UNODC"), 2);
        assert_eq!(n("/source/ILO"), 1);
        assert_eq!(n("/tag/fishing"), 2);
        assert_eq!(n("/tag/asia"), 1);
        assert_eq!(n("/year/2019"), 1);
    }
}
