//! Writing documents: a prepared file's record and passages, a touched file's record, a moved
//! file re-keyed, a gone file deleted (what the documents hold is [`crate::index_doc`]'s).
//!
//! Every write of a document deletes its key first, in the same writer, so a document is never
//! present twice whatever happened to earlier runs; a build into an index that held nothing
//! when the run began ([`Earlier::None`]) has nothing to delete and skips it. A document's record and passages go to the
//! writer as one batch: tantivy puts a batch in one segment, in order, so a document's passages
//! sit side by side in ordinal order whichever indexing thread took them. The search collectors
//! keep the first of equally scored passages, so the passage shown for a tie is the earliest one
//! in every build of the same files (with documents handed over one by one, two indexing
//! threads split them between segments and the shown passage changed from build to build).

use tantivy::collector::DocSetCollector;
use tantivy::indexer::UserOperation;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use super::Prepared;
use crate::error::Result;
use crate::index_doc::{passage_document, read_passage, record_document, DocFacets, Place};
use crate::record::DocRecord;
use crate::schema::{Fields, KIND_PASSAGE};

/// Whether a document written now may have an earlier version in the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Earlier {
    /// The index may hold one (from an earlier run, or a commit of a killed one): delete first.
    Possible,
    /// The index held no document when the run began and the run writes each key once (paths
    /// are deduplicated, a collection's ids are unique): a delete would find nothing. Each
    /// delete costs a term lookup in every segment at every flush and commit.
    None,
}

/// Write a prepared document, replacing any earlier version. Returns the passages written.
pub(crate) fn document(
    writer: &IndexWriter,
    fields: &Fields,
    prepared: &Prepared,
    earlier: Earlier,
) -> Result<usize> {
    let record = &prepared.record;
    let facets = DocFacets::of(&record.metadata, &record.countries, &record.topics);
    let mut batch = Vec::with_capacity(prepared.passages.len() + 2);
    if earlier == Earlier::Possible {
        batch.push(UserOperation::Delete(Term::from_field_u64(
            fields.doc_key,
            record.key,
        )));
    }
    batch.push(UserOperation::Add(record_document(
        fields, record, &facets,
    )?));
    for (ordinal, range) in prepared.passages.iter().enumerate() {
        let place = Place {
            ordinal: ordinal as u64,
            start: range.start,
            end: range.end,
            page: prepared.pages.get(ordinal).copied(),
        };
        batch.push(UserOperation::Add(passage_document(
            fields,
            record,
            &facets,
            &place,
            &prepared.text[range.clone()],
        )));
    }
    writer.run(batch)?;
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
    // The collector's set has no order; written back in reading order (see the module note).
    passages.sort_by_key(|p| p.place.ordinal);
    let facets = DocFacets::of(&new.metadata, &new.countries, &new.topics);
    let mut batch = Vec::with_capacity(passages.len() + 3);
    batch.push(UserOperation::Delete(Term::from_field_u64(
        fields.doc_key,
        old.key,
    )));
    batch.push(UserOperation::Delete(Term::from_field_u64(
        fields.doc_key,
        new.key,
    )));
    batch.push(UserOperation::Add(record_document(fields, new, &facets)?));
    for passage in &passages {
        batch.push(UserOperation::Add(passage_document(
            fields,
            new,
            &facets,
            &passage.place,
            &passage.text,
        )));
    }
    writer.run(batch)?;
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::schema::Value;
    use tantivy::DocAddress;

    use crate::indexer::{index_roots, IndexOptions};
    use crate::store::Store;

    /// Enough documents, each of several passages, that both indexing threads take some.
    fn write_reports(dir: &std::path::Path) {
        for i in 0..240 {
            let paragraphs: Vec<String> = (0..4)
                .map(|p| {
                    let sentence = format!(
                        "Section {p} of report {i} describes labour inspections in the fishing \
                         and garment sectors, the referral of identified victims to shelters, \
                         and the prosecution of recruiters who charged workers unlawful fees. "
                    );
                    sentence.repeat(5)
                })
                .collect();
            std::fs::write(dir.join(format!("r{i:03}.txt")), paragraphs.join("\n\n")).unwrap();
        }
    }

    #[test]
    fn a_first_index_without_deletes_is_replaced_once_by_the_next_run() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir(&data).unwrap();
        write_reports(&data);
        let index = tmp.path().join("index");
        let first = index_roots(
            &index,
            std::slice::from_ref(&data),
            &IndexOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!((first.added, first.documents_total), (240, 240));
        // Every file changes: the second run starts from a full index and must replace each
        // document the first run wrote without a delete.
        for i in 0..240 {
            let path = data.join(format!("r{i:03}.txt"));
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("{text}\n\nA closing note on shelters.")).unwrap();
        }
        let second = index_roots(&index, &[data], &IndexOptions::default(), &mut |_| {}).unwrap();
        assert_eq!((second.updated, second.added), (240, 0));
        assert_eq!(second.documents_total, 240);
        // Only the passages this run wrote are left: none of the first run's survived beside them.
        assert_eq!(second.passages_total, second.passages_written as u64);
        assert_eq!(first.passages_total, first.passages_written as u64);
    }

    #[test]
    fn a_documents_passages_sit_side_by_side_in_reading_order() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir(&data).unwrap();
        write_reports(&data);
        let index = tmp.path().join("index");
        index_roots(&index, &[data], &IndexOptions::default(), &mut |_| {}).unwrap();
        let store = Store::open(&index).unwrap();
        let searcher = store.reader().unwrap().searcher();
        let fields = &store.fields;
        // Per document: the (segment, doc id, ordinal) of each passage, in index order.
        let mut placed: HashMap<u64, Vec<(u32, u32, u64)>> = HashMap::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..reader.max_doc() {
                if reader.is_deleted(doc) {
                    continue;
                }
                let stored: tantivy::TantivyDocument =
                    searcher.doc(DocAddress::new(segment as u32, doc)).unwrap();
                let Some(ordinal) = stored.get_first(fields.ordinal).and_then(|v| v.as_u64())
                else {
                    continue; // a record
                };
                let key = stored.get_first(fields.doc_key).unwrap().as_u64().unwrap();
                placed
                    .entry(key)
                    .or_default()
                    .push((segment as u32, doc, ordinal));
            }
        }
        assert_eq!(placed.len(), 240);
        for (key, passages) in placed {
            assert!(passages.len() > 1, "{key}: {passages:?}");
            for (n, pair) in passages.windows(2).enumerate() {
                let ((s0, d0, o0), (s1, d1, o1)) = (pair[0], pair[1]);
                assert!(
                    s0 == s1 && d1 == d0 + 1 && o0 == n as u64 && o1 == o0 + 1,
                    "document {key}: passages {passages:?}"
                );
            }
        }
    }
}
