//! Renderers: one result type, several formats. Nothing here decides what matched; it only
//! presents [`crate::search`] results, facet tables and records.

pub mod cite;
pub mod csv;
pub mod json;
pub mod safe;
pub mod text;
pub mod watch;

use std::path::Path;

use crate::record::DocRecord;

/// The path to show for a document: relative to `cwd` when under it (what a user can paste
/// back into a shell), absolute otherwise.
pub(crate) fn display_path(record: &DocRecord, cwd: Option<&Path>) -> String {
    let path = record.path();
    cwd.and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(&path)
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use std::ops::Range;
    use std::path::PathBuf;
    use std::time::Duration;

    use proptest::prelude::*;

    use super::{csv, json, safe, text};
    use crate::ingest::FileStamp;
    use crate::ingest::Format;
    use crate::metadata::{Field, Metadata};
    use crate::record::DocRecord;
    use crate::search::{Filters, PassageHit, SearchHit, SearchResults};

    fn field(value: &str) -> Option<Field<String>> {
        Some(Field {
            value: value.to_string(),
            from: format!("rule {value}"),
        })
    }

    fn results(title: &str, text: &str, highlights: Vec<Range<usize>>) -> SearchResults {
        let record = DocRecord {
            id: "0123456789abcdef".into(),
            key: 7,
            item: None,
            root: PathBuf::from("/corpus"),
            rel_path: format!("{title}/{title}.txt"),
            rel_path_raw: None,
            format: Format::Text,
            stamp: FileStamp {
                size: 1,
                mtime_ns: 0,
            },
            sidecar: None,
            hash: String::new(),
            metadata: Metadata {
                title: field(title),
                source: field(title),
                ..Metadata::default()
            },
            passages: 1,
            text_bytes: text.len() as u64,
            head: text.to_string(),
            indexed_at: 0,
            extractor: 0,
            truncated: Some(format!("cut {title}")),
            acronyms: Vec::new(),
            added_ms: 0,
            changed_ms: 0,
            signature: None,
            countries: Vec::new(),
            topics: Vec::new(),
        };
        SearchResults {
            unmatched: Vec::new(),
            read_as: None,
            total_documents: 1,
            total_distinct: 1,
            total_passages: 1,
            hits: vec![SearchHit {
                record,
                score: 1.0,
                matching_passages: 1,
                passages: vec![PassageHit {
                    ordinal: 0,
                    start: 0,
                    end: text.len(),
                    page: None,
                    text: text.to_string(),
                    score: 1.0,
                    highlights,
                }],
                copies: Vec::new(),
            }],
            facets: Vec::new(),
            elapsed: Duration::ZERO,
            phases: Default::default(),
        }
    }

    /// Every renderer, as `tipdex search` calls them.
    fn render_all(query: &str, r: &SearchResults) -> (String, String, String, String) {
        let style = text::Style { color: true };
        let mut t = Vec::new();
        text::search(&mut t, query, r, style, None).unwrap();
        text::show(&mut t, &r.hits[0].record, style, None).unwrap();
        let wire = json::search_json(query, &Filters::default(), r, None);
        let mut j = Vec::new();
        json::write(&mut j, &wire).unwrap();
        let mut n = Vec::new();
        json::write_line(&mut n, &wire).unwrap();
        let mut c = Vec::new();
        csv::header(&mut c).unwrap();
        csv::search_rows(&mut c, "1", query, r, None).unwrap();
        let s = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (s(t), s(j), s(n), s(c))
    }

    proptest! {
        /// Any Unicode passage, title and query, with any highlight ranges (even ones off
        /// character boundaries, reversed or out of bounds): every format renders without
        /// panicking, text output carries no control or bidi character but layout (newlines,
        /// tabs in `show`'s text) and its own colour codes, and JSON keeps the passage exactly.
        #[test]
        fn every_format_renders_any_passage(
            text in "\\PC{0,600}|[\\x00-\\x7f\u{a0}\u{202f}\u{202e}\u{1b}\u{7}é§ ]{0,600}",
            title in "[\\x00-\\x7f\u{202e}\u{9b}é]{1,30}",
            query in "\\PC{0,40}",
            cuts in proptest::collection::vec((0usize..700, 0usize..40), 0..10),
        ) {
            let highlights = cuts.into_iter().map(|(s, len)| s..s + len).collect();
            let r = results(&title, &text, highlights);
            let (t, j, n, c) = render_all(&query, &r);
            let terminal: String = t.replace("\x1b[0m", "").replace("\x1b[1m", "")
                .replace("\x1b[2m", "").replace("\x1b[1;31m", "");
            prop_assert!(
                !terminal.chars().any(|ch| safe::is_unsafe(ch) && ch != '\n' && ch != '\t'),
                "{terminal:?}"
            );
            let back: json::SearchJson = serde_json::from_str(&j).unwrap();
            prop_assert_eq!(&back.hits[0].passages[0].text, &text);
            prop_assert_eq!(&back.hits[0].title, &title);
            let line: json::SearchJson = serde_json::from_str(n.trim_end()).unwrap();
            prop_assert_eq!(line, back);
            prop_assert!(c.lines().count() >= 2);
        }
    }
}
