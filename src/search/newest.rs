//! The order of a list without query words (filters only): newest first, undated last, then by
//! path, as a faceted catalogue page lists what it holds. The scores of such a list are all
//! equal, so ranking by them would give an order by key, which means nothing to a reader.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, TERMINATED};

use super::group::DocHit;
use crate::error::Result;
use crate::schema::{Fields, DOC_KEY};
use crate::store::Store;

/// A document's place in the list: its date period (from its best passage, which carries the
/// document's bounds) and, where two share a date, its path.
struct Place {
    /// `(date_lo, date_hi)` as YYYYMMDD; `None` when undated.
    date: Option<(i64, i64)>,
    key: u64,
}

/// The first `limit` of `docs`, newest first: by the start of the date period, a longer period
/// (a year) after a day that starts with it, undated documents last; the same date by path
/// (relative to its root), then by key.
pub(super) fn newest_first(
    store: &Store,
    searcher: &Searcher,
    docs: Vec<DocHit>,
    limit: usize,
) -> Result<Vec<DocHit>> {
    let fields = &store.fields;
    let places = dates(searcher, fields, &docs)?;
    let by_date = |a: &Place, b: &Place| match (a.date, b.date) {
        (Some((alo, ahi)), Some((blo, bhi))) => blo.cmp(&alo).then(ahi.cmp(&bhi)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        by_date(&places[a], &places[b]).then(places[a].key.cmp(&places[b].key))
    });
    let shown = limit.min(order.len());
    // Only the dates that reach the page need paths: its own, and every document sharing the
    // last shown date (which of them make the page depends on their paths).
    let needed: HashSet<u64> = match shown.checked_sub(1).map(|last| places[order[last]].date) {
        None => HashSet::new(),
        Some(boundary) => order
            .iter()
            .enumerate()
            .take_while(|&(i, &d)| i < shown || places[d].date == boundary)
            .map(|(_, &d)| places[d].key)
            .collect(),
    };
    let paths = if needed.len() <= RECORDS_READ {
        paths_from_records(store, searcher, &needed)?
    } else {
        paths_of(searcher, fields, &needed)?
    };
    let path = |i: usize| paths.get(&places[i].key).map(String::as_str).unwrap_or("");
    let mut candidates: Vec<usize> = order
        .into_iter()
        .filter(|&d| needed.contains(&places[d].key))
        .collect();
    candidates.sort_by(|&a, &b| {
        by_date(&places[a], &places[b])
            .then_with(|| path(a).cmp(path(b)))
            .then(places[a].key.cmp(&places[b].key))
    });
    candidates.truncate(shown);
    let mut docs: Vec<Option<DocHit>> = docs.into_iter().map(Some).collect();
    Ok(candidates
        .into_iter()
        .filter_map(|i| docs[i].take())
        .collect())
}

/// Each document's date period, read from its best passage's fast fields.
fn dates(searcher: &Searcher, fields: &Fields, docs: &[DocHit]) -> Result<Vec<Place>> {
    let name = |f| searcher.schema().get_field_name(f).to_string();
    let (lo_name, hi_name) = (name(fields.date_lo), name(fields.date_hi));
    let mut columns = Vec::with_capacity(searcher.segment_readers().len());
    for reader in searcher.segment_readers() {
        let fast = reader.fast_fields();
        columns.push((fast.i64(&lo_name)?, fast.i64(&hi_name)?));
    }
    Ok(docs
        .iter()
        .map(|d| {
            let date = columns
                .get(d.best.segment_ord as usize)
                .and_then(|(lo, hi)| Some((lo.first(d.best.doc_id)?, hi.first(d.best.doc_id)?)));
            Place { date, key: d.key }
        })
        .collect())
}

/// Up to this many paths are read from the documents' stored records; more, from one walk of
/// the path terms. A record costs a store block read, the walk a postings read per indexed
/// document, and a page of day-dated documents needs only a dozen paths.
const RECORDS_READ: usize = 64;

/// The relative paths of the documents `keys`, read from their stored records.
fn paths_from_records(
    store: &Store,
    searcher: &Searcher,
    keys: &HashSet<u64>,
) -> Result<HashMap<u64, String>> {
    let mut out = HashMap::with_capacity(keys.len());
    if keys.len() < 2 {
        return Ok(out);
    }
    for &key in keys {
        if let Some(record) = store.record_by_key(searcher, key)? {
            out.insert(key, record.rel_path);
        }
    }
    Ok(out)
}

/// The relative paths of the documents `keys`, read from the records' path terms (one walk of
/// the term dictionary, no stored record read).
fn paths_of(
    searcher: &Searcher,
    fields: &Fields,
    keys: &HashSet<u64>,
) -> Result<HashMap<u64, String>> {
    let mut out = HashMap::with_capacity(keys.len());
    if keys.len() < 2 {
        return Ok(out);
    }
    let io = tantivy::TantivyError::from;
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(fields.rel_path)?;
        let doc_keys = reader.fast_fields().u64(DOC_KEY)?;
        let alive = reader.alive_bitset();
        let mut terms = index.terms().stream().map_err(io)?;
        while terms.advance() {
            let mut postings = index
                .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                .map_err(io)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                let live = alive.is_none_or(|a| a.is_alive(doc));
                if let Some(key) = doc_keys.first(doc).filter(|k| live && keys.contains(k)) {
                    out.insert(key, String::from_utf8_lossy(terms.key()).into_owned());
                }
                doc = postings.advance();
            }
        }
    }
    Ok(out)
}
