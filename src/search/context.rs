//! A document's passages in reading order, with a query's matches: the document view of a
//! search result (a window of passages around the one that matched, and the ordinals of every
//! passage that matches, to step from match to match).

use std::collections::HashSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, IndexReader, TantivyDocument, Term};

use super::plan::parse_checked;
use super::query::{Clause, Target};
use super::{build, Filters, ParsedQuery, PassageHit};
use crate::error::{Error, Result};
use crate::highlight::highlight;
use crate::record::DocRecord;
use crate::schema::{self, analyze};
use crate::store::Store;

/// At most this many passages in one window, so one request reads a bounded part of a
/// 20,000-passage report.
pub(crate) const MAX_WINDOW: usize = 200;

/// What [`passages_in_context`] returns.
#[derive(Clone, Debug)]
pub(crate) struct PassageWindow {
    /// The document's record.
    pub record: DocRecord,
    /// Passages the index holds for it.
    pub total_passages: u32,
    /// Ordinals of the passages matching the query, in reading order (empty without a query).
    pub matches: Vec<u32>,
    /// The window's passages in reading order, highlighted for the query (scores are 0).
    pub passages: Vec<PassageHit>,
}

/// The passages `first .. first + count` (at most [`MAX_WINDOW`]) of the document with `key`,
/// highlighted for `query` ("" for none), with the ordinals of all its passages that match it.
/// The query goes through the same parser and cost caps as a search.
pub(crate) fn passages_in_context(
    store: &Store,
    reader: &IndexReader,
    key: u64,
    query: &str,
    first: u32,
    count: usize,
) -> Result<PassageWindow> {
    let searcher = reader.searcher();
    let record = store
        .record_by_key(&searcher, key)?
        .ok_or_else(|| Error::DocumentNotFound(format!("{key:016x}")))?;
    let own = || -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_u64(store.fields.doc_key, key),
            IndexRecordOption::Basic,
        ))
    };
    let passages_only = BooleanQuery::new(vec![
        (Occur::Must, own()),
        (
            Occur::Must,
            Box::new(store.kind_query(schema::KIND_PASSAGE)),
        ),
    ]);
    let addresses: Vec<DocAddress> = searcher
        .search(&passages_only, &DocSetCollector)?
        .into_iter()
        .collect();
    // Ordinals are stored, not indexed, and a document's passages need not sit in address
    // order (indexing threads), so each passage's ordinal is read: at most 20,000 per file.
    let mut by_ordinal: Vec<(u32, DocAddress)> = Vec::with_capacity(addresses.len());
    for address in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let ordinal = doc
            .get_first(store.fields.ordinal)
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as u32;
        by_ordinal.push((ordinal, address));
    }
    by_ordinal.sort_unstable();

    let mut filters = Filters::default();
    let parsed = in_text(parse_checked(store, &searcher, query, false, &mut filters)?);
    let equivalents = store.equivalents(&searcher)?;
    // Filters are the document's own for every passage of it: only the words matter here.
    let compiled = build::compile(
        &store.fields,
        &parsed,
        &Filters::default(),
        super::Bm25::default(),
        &equivalents,
    );
    let matches: Vec<u32> = if compiled.patterns.is_empty() {
        Vec::new()
    } else {
        let in_document = BooleanQuery::new(vec![
            (Occur::Must, compiled.query.box_clone()),
            (Occur::Must, own()),
        ]);
        let hits: HashSet<DocAddress> = searcher.search(&in_document, &DocSetCollector)?;
        by_ordinal
            .iter()
            .filter(|(_, a)| hits.contains(a))
            .map(|(ordinal, _)| *ordinal)
            .collect()
    };

    let mut analyzer = schema::analyzer();
    let count = count.min(MAX_WINDOW);
    let mut passages = Vec::with_capacity(count);
    let window = by_ordinal
        .iter()
        .skip_while(|(ordinal, _)| *ordinal < first)
        .take(count);
    for (_, address) in window {
        let doc: TantivyDocument = searcher.doc(*address)?;
        let text = doc
            .get_first(store.fields.text)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::CorruptRecord(format!("passage of {} without text", record.id)))?
            .to_string();
        let number = |f| doc.get_first(f).and_then(|v| v.as_u64());
        let tokens: Vec<_> = analyze(&mut analyzer, &text)
            .into_iter()
            .map(|t| (t.range, t.term, t.position))
            .collect();
        passages.push(PassageHit {
            ordinal: number(store.fields.ordinal).unwrap_or(0) as u32,
            start: number(store.fields.start).unwrap_or(0) as usize,
            end: number(store.fields.end).unwrap_or(0) as usize,
            page: number(store.fields.page).map(|p| p as u32),
            score: 0.0,
            highlights: highlight(&tokens, &compiled.patterns),
            text,
        });
    }
    Ok(PassageWindow {
        record,
        total_passages: by_ordinal.len() as u32,
        matches,
        passages,
    })
}

/// The query as a passage sees it in the document view: any of its words or phrases, in the
/// passage's own text. Title and author matches would mark every passage of the document, and
/// required and excluded words are about the document, which is already chosen.
fn in_text(mut parsed: ParsedQuery) -> ParsedQuery {
    let text_only = |clauses: Vec<Clause>| -> Vec<Clause> {
        clauses
            .into_iter()
            .filter_map(|c| match c {
                Clause::Word(w, Target::Any | Target::Text) => Some(Clause::Word(w, Target::Text)),
                Clause::Phrase(w, Target::Any | Target::Text) => {
                    Some(Clause::Phrase(w, Target::Text))
                }
                Clause::Prefix(w, Target::Any | Target::Text) => {
                    Some(Clause::Prefix(w, Target::Text))
                }
                _ => None,
            })
            .collect()
    };
    let groups: Vec<Vec<Clause>> = std::mem::take(&mut parsed.should)
        .into_iter()
        .chain(std::mem::take(&mut parsed.must))
        .map(text_only)
        .filter(|g| !g.is_empty())
        .collect();
    ParsedQuery {
        should: groups,
        ..ParsedQuery::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indexer::{index_roots, IndexOptions};

    /// A document of many short paragraphs, so it makes several passages.
    fn indexed() -> (tempfile::TempDir, Store, u64) {
        let docs = tempfile::tempdir().unwrap();
        let mut text = String::from("Committee minutes on labour\n\n");
        for i in 0..40 {
            let topic = if i % 10 == 3 {
                "Victims of forced labour were found on fishing vessels."
            } else {
                "The committee met to review budgets and staffing plans for the year."
            };
            text.push_str(&format!(
                "Paragraph {i}. {topic} {}\n\n",
                "Members discussed the agenda at length and agreed on next steps. ".repeat(6)
            ));
        }
        std::fs::write(docs.path().join("report.txt"), text).unwrap();
        let index = tempfile::tempdir().unwrap();
        index_roots(
            index.path(),
            &[docs.path().to_path_buf()],
            &IndexOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        let store = Store::open(index.path()).unwrap();
        let reader = store.reader().unwrap();
        let key = store.all_records(&reader.searcher()).unwrap()[0].key;
        drop(docs);
        (index, store, key)
    }

    #[test]
    fn window_is_in_reading_order_and_matches_are_the_passages_with_the_words() {
        let (_dir, store, key) = indexed();
        let reader = store.reader().unwrap();
        let all = passages_in_context(&store, &reader, key, "", 0, MAX_WINDOW).unwrap();
        assert!(all.total_passages > 4, "{}", all.total_passages);
        assert_eq!(all.passages.len() as u32, all.total_passages);
        let ordinals: Vec<u32> = all.passages.iter().map(|p| p.ordinal).collect();
        assert_eq!(ordinals, (0..all.total_passages).collect::<Vec<_>>());
        assert!(all.matches.is_empty());

        let found = passages_in_context(&store, &reader, key, "forced labour", 2, 3).unwrap();
        assert_eq!(
            found.passages.iter().map(|p| p.ordinal).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        // Every passage with either word in its own text is a match, and only those: the
        // title's "labour" lights the first passage (its text starts with the title line),
        // not the others, although titles are searched on every passage.
        let expected: Vec<u32> = all
            .passages
            .iter()
            .filter(|p| p.text.contains("forced") || p.text.contains("labour"))
            .map(|p| p.ordinal)
            .collect();
        assert!(expected.len() > 2 && expected[0] == 0, "{expected:?}");
        assert_eq!(found.matches, expected);
        for p in &found.passages {
            let lit: Vec<&str> = p.highlights.iter().map(|r| &p.text[r.clone()]).collect();
            if p.text.contains("forced labour") {
                assert!(
                    lit.contains(&"forced") && lit.contains(&"labour"),
                    "{lit:?}"
                );
            } else {
                assert!(lit.is_empty(), "{lit:?}");
            }
        }
    }

    #[test]
    fn unknown_key_and_costly_query_are_errors() {
        let (_dir, store, key) = indexed();
        let reader = store.reader().unwrap();
        assert!(matches!(
            passages_in_context(&store, &reader, key ^ 1, "", 0, 5),
            Err(Error::DocumentNotFound(_))
        ));
        let long = "word ".repeat(3000);
        assert!(matches!(
            passages_in_context(&store, &reader, key, &long, 0, 5),
            Err(Error::QueryLimit { .. })
        ));
    }
}
