//! Saved searches ("watches"): a named query with its filters, kept in the index's commit
//! payload like the synonyms (so they move with the index and change atomically with it), and
//! the documents added or changed since a moment, read from each record's own stamps
//! ([`DocRecord::added_ms`], [`DocRecord::changed_ms`]): a renamed file keeps its stamps, a
//! deleted one is simply gone.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::IndexReader;

use crate::error::{Error, Result};
use crate::metadata::Date;
use crate::record::DocRecord;
use crate::search::{
    search, FieldFilter, Filters, KeySet, SearchRequest, SearchResults, YearRange,
};
use crate::store::Store;
pub use crate::store::{SavedFilters, Watch};

impl SavedFilters {
    /// Keep `f`.
    pub fn from_filters(f: &Filters) -> SavedFilters {
        SavedFilters {
            sources: f.sources.clone(),
            tags: f.tags.clone(),
            langs: f.langs.clone(),
            countries: f.countries.clone(),
            fields: f.fields.iter().map(ToString::to_string).collect(),
            topics: f.topics.clone(),
            years: f.years.iter().map(|y| [y.from, y.to]).collect(),
            from: f.from.map(|d| d.to_string()),
            to: f.to.map(|d| d.to_string()),
        }
    }

    /// The filters again (a date or field filter that no longer parses is dropped rather than
    /// failing every later run; it was valid when saved, in the form it is read back in).
    pub fn to_filters(&self) -> Filters {
        Filters {
            sources: self.sources.clone(),
            tags: self.tags.clone(),
            langs: self.langs.clone(),
            countries: self.countries.clone(),
            fields: self
                .fields
                .iter()
                .filter_map(|f| FieldFilter::parse("--field", f).ok())
                .collect(),
            topics: self.topics.clone(),
            years: self
                .years
                .iter()
                .map(|&[from, to]| YearRange { from, to })
                .collect(),
            from: self.from.as_deref().and_then(Date::parse),
            to: self.to.as_deref().and_then(Date::parse),
        }
    }
}

/// Save a search. Its name must be new; the query must run (so a typo fails now, not at the
/// next report). Its "since last" starts now.
pub fn add(store: &Store, name: &str, query: &str, filters: &Filters, now_ms: i64) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(Error::InvalidArgument {
            what: "watch name",
            value: name.to_string(),
            hint: "give a short name without control characters".into(),
        });
    }
    if query.trim().is_empty() && filters.is_empty() {
        return Err(Error::NothingToSearch {
            hint: "give the saved search query words or a filter (`tipdex watch add NAME \
                   --source UNODC`; also --tag, --lang, --country, --year, --from, --to)"
                .into(),
        });
    }
    let reader = store.reader()?;
    search(
        store,
        &reader,
        &SearchRequest {
            query: query.to_string(),
            filters: filters.clone(),
            limit: 1,
            passages: 1,
            ..SearchRequest::default()
        },
    )?;
    let mut info = store.info()?;
    if info.watches.iter().any(|w| w.name == name) {
        return Err(Error::InvalidArgument {
            what: "watch name",
            value: name.to_string(),
            hint: "a saved search has this name already; remove it first (`tipdex watch rm`)"
                .into(),
        });
    }
    info.watches.push(Watch {
        name: name.to_string(),
        query: query.to_string(),
        filters: SavedFilters::from_filters(filters),
        created_ms: now_ms,
        seen_ms: now_ms,
    });
    store.commit_info(&info)
}

/// Remove a saved search; false when there is none of that name.
pub fn remove(store: &Store, name: &str) -> Result<bool> {
    let mut info = store.info()?;
    let before = info.watches.len();
    info.watches.retain(|w| w.name != name.trim());
    if info.watches.len() == before {
        return Ok(false);
    }
    store.commit_info(&info)?;
    Ok(true)
}

/// The saved searches, in the order they were added.
pub fn list(store: &Store) -> Result<Vec<Watch>> {
    Ok(store.info()?.watches)
}

/// The saved search of this name.
pub fn get(store: &Store, name: &str) -> Result<Watch> {
    list(store)?
        .into_iter()
        .find(|w| w.name == name.trim())
        .ok_or_else(|| Error::UnknownWatch(name.trim().to_string()))
}

/// Remember that `name` was reported up to `until_ms` (its next `--since last` starts there).
pub fn mark_seen(store: &Store, name: &str, until_ms: i64) -> Result<()> {
    let mut info = store.info()?;
    let Some(w) = info.watches.iter_mut().find(|w| w.name == name) else {
        return Err(Error::UnknownWatch(name.to_string()));
    };
    w.seen_ms = until_ms;
    store.commit_info(&info)
}

/// Whether a document is new or changed since a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Novelty {
    /// Added to the index after the moment (a renamed file is not).
    New,
    /// Indexed before, its content changed after the moment.
    Changed,
}

impl Novelty {
    /// What `record`'s stamps say about it since `since_ms`, or `None` when it is older.
    pub fn of(record: &DocRecord, since_ms: i64) -> Option<Novelty> {
        if record.added_ms > since_ms {
            Some(Novelty::New)
        } else if record.changed_ms > since_ms {
            Some(Novelty::Changed)
        } else {
            None
        }
    }
}

/// The documents of a saved search that are new or changed since a moment, ranked.
#[derive(Debug)]
pub struct WatchReport {
    /// The saved search.
    pub watch: Watch,
    /// Unix milliseconds the report starts after.
    pub since_ms: i64,
    /// How many of the matching documents are new (the others changed).
    pub new_documents: usize,
    /// The search over the new and changed documents only.
    pub results: SearchResults,
    /// What each shown hit is, in the order of `results.hits`.
    pub novelty: Vec<Novelty>,
}

/// Run `watch` over the documents added or changed after `since_ms`.
pub fn report(
    store: &Store,
    reader: &IndexReader,
    watch: &Watch,
    since_ms: i64,
    limit: usize,
    passages: usize,
) -> Result<WatchReport> {
    let searcher = reader.searcher();
    // Records are one per document and read by their own query, so the documents touched since
    // the moment are known before the search, which then admits only them.
    let mut fresh = KeySet::default();
    let mut new = KeySet::default();
    for r in store.all_summaries(&searcher)? {
        if r.added_ms > since_ms {
            new.insert(r.key);
            fresh.insert(r.key);
        } else if r.changed_ms > since_ms {
            fresh.insert(r.key);
        }
    }
    let request = |only: KeySet, limit: usize, passages: usize| SearchRequest {
        query: watch.query.clone(),
        filters: watch.filters.to_filters(),
        limit,
        passages,
        only: Some(Arc::new(only)),
        ..SearchRequest::default()
    };
    let new_documents = if new.is_empty() {
        0
    } else {
        search(store, reader, &request(new, 1, 1))?.total_documents
    };
    let results = search(store, reader, &request(fresh, limit, passages))?;
    let novelty = results
        .hits
        .iter()
        .map(|h| Novelty::of(&h.record, since_ms).unwrap_or(Novelty::Changed))
        .collect();
    Ok(WatchReport {
        watch: watch.clone(),
        since_ms,
        new_documents,
        results,
        novelty,
    })
}

/// The moment a `--since DATE` report starts after: the last millisecond before the date's
/// first day (UTC), so documents indexed on that day count.
pub fn since_date_ms(date: &Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year),
        i64::from(date.month.unwrap_or(1)),
        i64::from(date.day.unwrap_or(1)),
    );
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400_000 - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_starts_at_its_first_utc_millisecond() {
        let day = Date::new(2000, Some(2), Some(29)).unwrap();
        assert_eq!(since_date_ms(&day), 951_782_400_000 - 1);
        let year = Date::new(1970, None, None).unwrap();
        assert_eq!(since_date_ms(&year), -1);
    }

    #[test]
    fn stamps_after_the_moment_make_a_document_new_or_changed() {
        let mut r: DocRecord = serde_json::from_value(serde_json::json!({
            "id": "00", "key": 0, "root": "/", "rel_path": "a.txt", "format": "text",
            "stamp": {"size": 1, "mtime_ns": 0}, "sidecar": null, "hash": "h",
            "metadata": serde_json::to_value(crate::metadata::Metadata::default()).unwrap(),
            "passages": 1, "text_bytes": 1, "head": "", "indexed_at": 0,
            "added_ms": 100, "changed_ms": 100
        }))
        .unwrap();
        assert_eq!(Novelty::of(&r, 99), Some(Novelty::New));
        assert_eq!(Novelty::of(&r, 100), None);
        r.changed_ms = 200;
        assert_eq!(Novelty::of(&r, 150), Some(Novelty::Changed));
    }
}
