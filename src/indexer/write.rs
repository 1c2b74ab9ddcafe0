//! Turning records and passages into tantivy documents, and writing them.
//!
//! Every write of a document deletes its key first, in the same writer, so a document is never
//! present twice whatever happened to earlier runs.

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{doc, IndexWriter, Searcher, TantivyDocument, Term};

use super::Prepared;
use crate::error::{Error, Result};
use crate::metadata::Metadata;
use crate::record::DocRecord;
use crate::schema::{filter_key, Fields, KIND_DOC, KIND_PASSAGE};

/// Write a prepared document, replacing any earlier version. Returns the passages written.
pub fn document(writer: &IndexWriter, fields: &Fields, prepared: &Prepared) -> Result<usize> {
    let record = &prepared.record;
    let facets = Facets::of(&record.metadata);
    writer.delete_term(Term::from_field_u64(fields.doc_key, record.key));
    writer.add_document(record_document(fields, record, &facets)?)?;
    for (ordinal, range) in prepared.passages.iter().enumerate() {
        let place = Place {
            ordinal: ordinal as u64,
            start: range.start,
            end: range.end,
            page: prepared.pages.get(ordinal).copied(),
        };
        writer.add_document(passage_document(
            fields,
            record,
            &facets,
            &place,
            &prepared.text[range.clone()],
        ))?;
    }
    Ok(prepared.passages.len())
}

/// Replace only the record (the file was touched but its bytes and sidecar are the same).
pub fn record_only(writer: &IndexWriter, fields: &Fields, record: &DocRecord) -> Result<()> {
    writer.delete_term(Term::from_field_u64(fields.record_key, record.key));
    writer.add_document(record_document(
        fields,
        record,
        &Facets::of(&record.metadata),
    )?)?;
    Ok(())
}

/// Re-key a moved document: copy its passages (as `searcher` sees them) under the new record
/// and delete the old key, without extracting anything again.
pub fn moved(
    writer: &IndexWriter,
    fields: &Fields,
    searcher: &Searcher,
    old: &DocRecord,
    new: &DocRecord,
) -> Result<usize> {
    let query = BooleanQuery::new(vec![
        (Occur::Must, term(fields.doc_key, old.key)),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.kind, KIND_PASSAGE),
                IndexRecordOption::Basic,
            )),
        ),
    ]);
    let mut passages = Vec::new();
    for addr in searcher.search(&query, &DocSetCollector)? {
        let d: TantivyDocument = searcher.doc(addr)?;
        let number = |f| d.get_first(f).and_then(|v| v.as_u64());
        let text = d
            .get_first(fields.text)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::CorruptRecord(format!("passage of {} without text", old.id)))?
            .to_string();
        let place = Place {
            ordinal: number(fields.ordinal).unwrap_or(0),
            start: number(fields.start).unwrap_or(0) as usize,
            end: number(fields.end).unwrap_or(0) as usize,
            page: number(fields.page).map(|p| p as u32),
        };
        passages.push((place, text));
    }
    writer.delete_term(Term::from_field_u64(fields.doc_key, old.key));
    writer.delete_term(Term::from_field_u64(fields.doc_key, new.key));
    let facets = Facets::of(&new.metadata);
    writer.add_document(record_document(fields, new, &facets)?)?;
    for (place, text) in &passages {
        writer.add_document(passage_document(fields, new, &facets, place, text))?;
    }
    Ok(passages.len())
}

/// Delete a document and its passages.
pub fn delete(writer: &IndexWriter, fields: &Fields, key: u64) {
    writer.delete_term(Term::from_field_u64(fields.doc_key, key));
}

fn term(field: tantivy::schema::Field, key: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, key),
        IndexRecordOption::Basic,
    ))
}

fn record_document(
    fields: &Fields,
    record: &DocRecord,
    facets: &Facets,
) -> Result<TantivyDocument> {
    let json = serde_json::to_string(record).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    let mut d = doc!(
        fields.kind => KIND_DOC,
        fields.doc_key => record.key,
        fields.record_key => record.key,
        fields.root => record.root.to_string_lossy().as_ref(),
        fields.rel_path => record.rel_path.as_str(),
        fields.hash => record.hash.as_str(),
        fields.record => json,
    );
    facets.add_to(&mut d, fields);
    Ok(d)
}

/// Where a passage sits in its document.
struct Place {
    ordinal: u64,
    start: usize,
    end: usize,
    page: Option<u32>,
}

fn passage_document(
    fields: &Fields,
    record: &DocRecord,
    facets: &Facets,
    place: &Place,
    text: &str,
) -> TantivyDocument {
    let mut d = doc!(
        fields.kind => KIND_PASSAGE,
        fields.doc_key => record.key,
        fields.text => text,
        fields.ordinal => place.ordinal,
        fields.start => place.start as u64,
        fields.end => place.end as u64,
    );
    if let Some(page) = place.page {
        d.add_u64(fields.page, u64::from(page));
    }
    if let Some(title) = &record.metadata.title {
        d.add_text(fields.title, &title.value);
    }
    if let Some(author) = &record.metadata.author {
        d.add_text(fields.author, &author.value);
    }
    facets.add_to(&mut d, fields);
    d
}

/// Facets, filter keys and date bounds of one document. They go on its record (for document
/// counts) and on every passage (for filtering), so they are computed once per document: filter
/// keys go through an analyzer, which is not free per passage.
struct Facets {
    facets: Vec<Facet>,
    filters: Vec<String>,
    dates: Option<(i64, i64)>,
}

impl Facets {
    fn of(m: &Metadata) -> Facets {
        let mut out = Facets {
            facets: Vec::new(),
            filters: Vec::new(),
            dates: None,
        };
        if let Some(source) = &m.source {
            out.facets
                .push(Facet::from_path(["source", source.value.as_str()]));
            out.filters.push(filter_key("source", &source.value));
        }
        if let Some(date) = &m.date {
            let year = date.value.year.to_string();
            out.facets.push(Facet::from_path(["year", year.as_str()]));
            out.dates = Some((date.value.lo(), date.value.hi()));
        }
        if let Some(tags) = &m.tags {
            for tag in &tags.value {
                out.facets.push(Facet::from_path(["tag", tag.as_str()]));
                out.filters.push(filter_key("tag", tag));
            }
        }
        if let Some(lang) = &m.language {
            out.facets
                .push(Facet::from_path(["lang", lang.value.as_str()]));
            out.filters.push(filter_key("lang", &lang.value));
        }
        out
    }

    fn add_to(&self, d: &mut TantivyDocument, fields: &Fields) {
        for facet in &self.facets {
            d.add_facet(fields.facets, facet.clone());
        }
        for key in &self.filters {
            d.add_text(fields.filter, key);
        }
        if let Some((lo, hi)) = self.dates {
            d.add_i64(fields.date_lo, lo);
            d.add_i64(fields.date_hi, hi);
        }
    }
}
