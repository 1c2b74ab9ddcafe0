//! How many documents, not passages, hold a term: the document frequency that the
//! document-level evidence ([`super::doc_score`]) weighs its words by.
//!
//! tantivy counts passages. A word a long report repeats on 300 of its pages then looks as
//! common as one that 300 short entries each use once, so the report's own vocabulary is
//! undervalued exactly where the document-level BM25 should tell it apart. A document's
//! passages are written one after another, so within a segment they have consecutive ids and
//! the documents holding a term are the changes of key along its postings.
//!
//! Counting reads a term's postings, which for the commonest words of a large index is most
//! of a search's time, so past [`COUNTED`] postings in a segment the count is extrapolated
//! from the share of the segment read: a word that common has an IDF near zero, where a few
//! percent of its count move nothing (and documents are spread evenly over ids).
//!
//! Segments never change once written (deletes aside, which tantivy's own statistics also
//! keep counting until a merge), so a term's count in a segment is remembered for the process:
//! a batch, a server or the benches pay for a word once.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Searcher, Term, TERMINATED};

use crate::error::Result;
use crate::schema::DOC_KEY;

/// Postings read per segment before the count is extrapolated.
const COUNTED: u32 = 1 << 13;

/// Counts kept before the memo starts again (a few words per query; the memo is a cache).
const REMEMBERED: usize = 100_000;

type Memo = HashMap<(SegmentId, Term), u32>;

static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Documents having a passage with `term`, over every segment of `searcher`.
pub(crate) fn documents_with(searcher: &Searcher, term: &Term) -> Result<u64> {
    let mut total = 0u64;
    for reader in searcher.segment_readers() {
        let key = (reader.segment_id(), term.clone());
        let known = MEMO.lock().ok().and_then(|m| m.get(&key).copied());
        let count = match known {
            Some(count) => count,
            None => {
                let count = count_with_budget(reader, term, COUNTED)?;
                if let Ok(mut memo) = MEMO.lock() {
                    if memo.len() >= REMEMBERED {
                        memo.clear();
                    }
                    memo.insert(key, count);
                }
                count
            }
        };
        total += u64::from(count);
    }
    Ok(total)
}

/// The changes of document key along `term`'s postings in one segment, extrapolated past
/// `budget` postings ([`COUNTED`]).
fn count_with_budget(reader: &tantivy::SegmentReader, term: &Term, budget: u32) -> Result<u32> {
    let keys = reader.fast_fields().u64(DOC_KEY)?;
    let Some(mut postings) = reader
        .inverted_index(term.field())?
        .read_postings(term, IndexRecordOption::Basic)
        .map_err(tantivy::TantivyError::from)?
    else {
        return Ok(0);
    };
    let mut count = 0u32;
    let mut read = 0u32;
    let mut last = None;
    let mut doc = postings.doc();
    while doc != TERMINATED {
        if read == budget {
            // `doc` is the first id not read: the count so far covers ids below it.
            let share = f64::from(doc) / f64::from(reader.max_doc().max(1));
            return Ok((f64::from(count) / share.max(f64::EPSILON)).round() as u32);
        }
        let key = keys.first(doc);
        if key != last {
            count += 1;
            last = key;
        }
        read += 1;
        doc = postings.advance();
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;
    use tantivy::{doc, Index};

    #[test]
    fn a_word_on_many_pages_of_one_document_counts_once() {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        schema::register_analyzer(&index);
        let mut writer = index.writer(15_000_000).unwrap();
        // Document 1: three passages, all with "kiln". Documents 2 and 3: one passage each.
        for (key, text) in [
            (1u64, "kiln debt in the brick kiln"),
            (1, "the kiln owners"),
            (1, "kiln workers"),
            (2, "debt bondage"),
            (3, "a kiln and debt"),
        ] {
            writer
                .add_document(doc!(fields.doc_key => key, fields.text => text))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| Term::from_field_text(fields.text, w);
        assert_eq!(searcher.doc_freq(&term("kiln")).unwrap(), 4);
        assert_eq!(documents_with(&searcher, &term("kiln")).unwrap(), 2);
        assert_eq!(documents_with(&searcher, &term("debt")).unwrap(), 3);
        assert_eq!(documents_with(&searcher, &term("absent")).unwrap(), 0);
        // Asked again, the remembered count.
        assert_eq!(documents_with(&searcher, &term("kiln")).unwrap(), 2);
    }

    #[test]
    fn a_common_word_is_counted_on_a_share_of_its_postings() {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        schema::register_analyzer(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // 400 documents of two passages each, every passage with "brick".
        for key in 0..400u64 {
            for text in ["brick kilns", "brick makers"] {
                writer
                    .add_document(doc!(fields.doc_key => key, fields.text => text))
                    .unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let reader = &searcher.segment_readers()[0];
        let term = Term::from_field_text(fields.text, "brick");
        assert_eq!(count_with_budget(reader, &term, u32::MAX).unwrap(), 400);
        // 100 postings read (50 documents) of 800: extrapolated to the whole segment.
        assert_eq!(count_with_budget(reader, &term, 100).unwrap(), 400);
    }
}
