//! CSV: one row per (query, document), with the best passage, for spreadsheets.

use std::io::{self, Write};
use std::path::Path;

use super::{display_path, safe};
use crate::entities::TopicKind;
use crate::record::DocRecord;
use crate::search::SearchResults;
use crate::text::collapse_whitespace;

/// Column names, in order. The last two are the query's totals, repeated on each of its rows:
/// documents matching (every copy of a reprinted text) and distinct texts (a group once).
pub(crate) const HEADER: [&str; 19] = [
    "query_id",
    "query",
    "rank",
    "id",
    "path",
    "title",
    "date",
    "source",
    "score",
    "page",
    "passage",
    "copies",
    "original",
    "countries",
    "org",
    "instrument",
    "exploitation",
    "total_documents",
    "total_distinct",
];

/// Write the header row.
pub fn header(out: &mut dyn Write) -> io::Result<()> {
    row(out, HEADER.iter().map(|s| s.to_string()))
}

/// Write one row per hit of `results`.
pub fn search_rows(
    out: &mut dyn Write,
    query_id: &str,
    query: &str,
    results: &SearchResults,
    cwd: Option<&Path>,
) -> io::Result<()> {
    for (i, hit) in results.hits.iter().enumerate() {
        let m = &hit.record.metadata;
        let best = hit.passages.first();
        row(
            out,
            [
                query_id.to_string(),
                query.to_string(),
                (i + 1).to_string(),
                hit.record.id.clone(),
                display_path(&hit.record, cwd),
                hit.record.display_title().to_string(),
                m.date
                    .as_ref()
                    .map(|d| d.value.to_string())
                    .unwrap_or_default(),
                m.source
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default(),
                format!("{:.4}", hit.score),
                best.and_then(|p| p.page)
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                best.map(|p| collapse_whitespace(&p.text))
                    .unwrap_or_default(),
                // The reprint group's other paths, one cell, `; `-separated.
                hit.copies
                    .iter()
                    .map(|r| display_path(r, cwd))
                    .collect::<Vec<_>>()
                    .join("; "),
                hit.original().map(|r| r.id.clone()).unwrap_or_default(),
                // What the text names, most-mentioned first, one cell per facet, `; `-separated.
                hit.record
                    .countries
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                topic_cell(&hit.record, TopicKind::Org),
                topic_cell(&hit.record, TopicKind::Instrument),
                topic_cell(&hit.record, TopicKind::Exploitation),
                results.total_documents.to_string(),
                results.total_distinct.to_string(),
            ]
            .into_iter(),
        )?;
    }
    Ok(())
}

/// The topics of one kind a record names, `; `-separated.
fn topic_cell(record: &DocRecord, kind: TopicKind) -> String {
    record
        .topics
        .iter()
        .filter(|t| t.kind == kind)
        .map(|t| t.value.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn row(out: &mut dyn Write, fields: impl Iterator<Item = String>) -> io::Result<()> {
    let cells: Vec<String> = fields.map(|f| escape(&f)).collect();
    writeln!(out, "{}", cells.join(","))
}

/// A cell a spreadsheet shows as text: formula-leading cells neutralised (see
/// [`safe::csv_cell`]), then RFC 4180 quoting: fields with commas, quotes or line breaks are
/// quoted, quotes doubled.
fn escape(field: &str) -> String {
    let field = safe::csv_cell(field);
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn quoting() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a, b"), "\"a, b\"");
        assert_eq!(escape("say \"TIP\""), "\"say \"\"TIP\"\"\"");
        assert_eq!(escape("two\nlines"), "\"two\nlines\"");
    }
}
