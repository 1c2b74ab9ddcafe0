//! Query files for batch search: one query per line, plain text or JSON.
//!
//! A query file may come from anywhere, so reading it is bounded: a line longer than
//! [`MAX_LINE_BYTES`] is skipped (and reported by number) without ever being held in memory,
//! and a line that is not a query is reported without stopping the others.

use std::io::{self, BufRead, Read};

use super::limits::MAX_QUERY_BYTES;

/// Longest line of a query file: room for the longest query plus a JSON id around it.
pub(crate) const MAX_LINE_BYTES: usize = MAX_QUERY_BYTES + 1024;

/// One query of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchQuery {
    /// Its id: the JSON `id`/`_id`, else the line number.
    pub id: String,
    /// The query text.
    pub text: String,
    /// Its line in the file (1-based), for reporting.
    pub line: usize,
}

/// A line of a query file that holds no usable query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// Its line number (1-based).
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// Read a query file line by line: blank lines and `#` comments are skipped; a line holding a
/// JSON object takes `id`/`_id` and `text`/`query` from it; a `kind<TAB>query` line (the
/// benchmark query sets) uses the part after the tab; any other line is the query itself, its id
/// the line number. Lines that cannot be read as a query (too long, not UTF-8, bad JSON) come
/// back as [`BadLine`]s in file order, so one bad line costs only itself. Err only when reading
/// fails.
pub fn read_queries(mut input: impl BufRead) -> io::Result<Vec<Result<BatchQuery, BadLine>>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = (&mut input)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            // Skip the rest of the line without keeping it.
            input.skip_until(b'\n')?;
            out.push(Err(BadLine {
                line: line_no,
                reason: format!(
                    "longer than {MAX_LINE_BYTES} bytes; skipped (a query is at most {MAX_QUERY_BYTES} bytes)"
                ),
            }));
            continue;
        }
        match std::str::from_utf8(&buf) {
            Ok(text) => {
                if let Some(parsed) = parse_line(text, line_no) {
                    out.push(parsed);
                }
            }
            Err(_) => out.push(Err(BadLine {
                line: line_no,
                reason: "not UTF-8 text; skipped".into(),
            })),
        }
    }
    Ok(out)
}

/// One line: None when blank or a comment.
fn parse_line(raw: &str, line_no: usize) -> Option<Result<BatchQuery, BadLine>> {
    let line = raw.trim_start_matches('\u{feff}').trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let bad = |reason: String| {
        Some(Err(BadLine {
            line: line_no,
            reason,
        }))
    };
    if line.starts_with('{') {
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => return bad(format!("not valid JSON: {e}")),
        };
        let id = match value.get("id").or_else(|| value.get("_id")) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => line_no.to_string(),
        };
        let Some(text) = value
            .get("text")
            .or_else(|| value.get("query"))
            .and_then(|v| v.as_str())
        else {
            return bad("no \"text\" (or \"query\") string".into());
        };
        return Some(Ok(BatchQuery {
            id,
            text: text.to_string(),
            line: line_no,
        }));
    }
    let text = line.split_once('\t').map_or(line, |(_, q)| q.trim());
    Some(Ok(BatchQuery {
        id: line_no.to_string(),
        text: text.to_string(),
        line: line_no,
    }))
}

/// Read a whole query file held in memory, failing on its first bad line (for tools such as
/// the evaluation, where a query set with a bad line is a mistake to fix first).
pub fn parse_queries(text: &str) -> Result<Vec<BatchQuery>, String> {
    read_queries(text.as_bytes())
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|q| q.map_err(|bad| format!("line {}: {}", bad.line, bad.reason)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_and_tab_lines() {
        let q = parse_queries("# names\nforced labour\n\n{\"_id\": 7, \"text\": \"GLO.ACT\"}\nphrase\t\"debt bondage\"\n").unwrap();
        assert_eq!(
            q,
            [
                BatchQuery {
                    id: "2".into(),
                    text: "forced labour".into(),
                    line: 2,
                },
                BatchQuery {
                    id: "7".into(),
                    text: "GLO.ACT".into(),
                    line: 4,
                },
                BatchQuery {
                    id: "5".into(),
                    text: "\"debt bondage\"".into(),
                    line: 5,
                },
            ]
        );
    }

    #[test]
    fn bad_json_names_its_line() {
        assert_eq!(
            parse_queries("ok\n{\"id\": 1}\n").unwrap_err(),
            "line 2: no \"text\" (or \"query\") string"
        );
        assert!(parse_queries("{oops")
            .unwrap_err()
            .starts_with("line 1: not valid JSON"));
    }

    #[test]
    fn an_over_long_line_is_skipped_by_number_and_the_others_are_read() {
        // 12 MB on one line, between two good ones.
        let file = format!("first\n{}\nlast\n", "traffick* ".repeat(1_200_000));
        let read = read_queries(file.as_bytes()).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].as_ref().unwrap().text, "first");
        let bad = read[1].as_ref().unwrap_err();
        assert_eq!(bad.line, 2);
        assert!(
            bad.reason
                .starts_with(&format!("longer than {MAX_LINE_BYTES} bytes")),
            "{}",
            bad.reason
        );
        let last = read[2].as_ref().unwrap();
        assert_eq!((last.text.as_str(), last.line), ("last", 3));
    }

    #[test]
    fn bad_lines_come_back_in_place() {
        let read = read_queries(&b"ok\n\xff\xfe\n{\"id\": 1}\nfine"[..]).unwrap();
        let lines: Vec<_> = read
            .iter()
            .map(|r| match r {
                Ok(q) => (q.line, true),
                Err(b) => (b.line, false),
            })
            .collect();
        assert_eq!(lines, [(1, true), (2, false), (3, false), (4, true)]);
    }
}
