//! Writing documents: a prepared file's record and passages, a touched file's record, a moved
//! file re-keyed, a gone file deleted (what the documents hold is [`crate::index_doc`]'s).
//!
//! Every write of a document deletes its key first, in the same writer, so a document is never
//! present twice whatever happened to earlier runs.

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use super::Prepared;
use crate::error::Result;
use crate::index_doc::{passage_document, read_passage, record_document, DocFacets, Place};
use crate::record::DocRecord;
use crate::schema::{Fields, KIND_PASSAGE};

/// Write a prepared document, replacing any earlier version. Returns the passages written.
pub(crate) fn document(
    writer: &IndexWriter,
    fields: &Fields,
    prepared: &Prepared,
) -> Result<usize> {
    let record = &prepared.record;
    let facets = DocFacets::of(&record.metadata, &record.countries, &record.topics);
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
pub(crate) fn record_only(writer: &IndexWriter, fields: &Fields, record: &DocRecord) -> Result<()> {
    writer.delete_term(Term::from_field_u64(fields.record_key, record.key));
    writer.add_document(record_document(
        fields,
        record,
        &DocFacets::of(&record.metadata, &record.countries, &record.topics),
    )?)?;
    Ok(())
}

/// Re-key a moved document: copy its passages (as `searcher` sees them) under the new record
/// and delete the old key, without extracting anything again.
pub(crate) fn moved(
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
        passages.push(read_passage(fields, &d, &old.id)?);
    }
    writer.delete_term(Term::from_field_u64(fields.doc_key, old.key));
    writer.delete_term(Term::from_field_u64(fields.doc_key, new.key));
    let facets = DocFacets::of(&new.metadata, &new.countries, &new.topics);
    writer.add_document(record_document(fields, new, &facets)?)?;
    for passage in &passages {
        writer.add_document(passage_document(
            fields,
            new,
            &facets,
            &passage.place,
            &passage.text,
        ))?;
    }
    Ok(passages.len())
}

/// Delete a document and its passages.
pub(crate) fn delete(writer: &IndexWriter, fields: &Fields, key: u64) {
    writer.delete_term(Term::from_field_u64(fields.doc_key, key));
}

fn term(field: tantivy::schema::Field, key: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, key),
        IndexRecordOption::Basic,
    ))
}
