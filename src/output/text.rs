//! Terminal text: titles, metadata lines and passages with highlights, coloured when asked.

use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use super::{display_path, safe};
use crate::metadata::short_source;
use crate::metadata::Field;
use crate::record::DocRecord;
use crate::search::{FacetCounts, FacetField, FacetTable, SearchHit, SearchResults};

/// Terminal styling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn title(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn mark(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
}

/// Bytes of passage text shown per passage in the terminal; JSON always has the whole passage.
const SNIPPET_BYTES: usize = 420;

/// Facet values listed per dimension under search results (`tipdex facets` lists them all).
const FACET_VALUES_SHOWN: usize = 8;

/// Render search results for a person.
pub fn search(
    out: &mut dyn Write,
    query: &str,
    results: &SearchResults,
    style: Style,
    cwd: Option<&Path>,
) -> io::Result<()> {
    // Said first, so a ranking on the other words is not mistaken for an answer to all of them.
    for u in &results.unmatched {
        let line = match &u.suggestion {
            Some(s) => format!(
                "{}: no document; did you mean {}?",
                safe::line(&u.word),
                safe::line(s)
            ),
            None => format!("{}: no document", safe::line(&u.word)),
        };
        writeln!(out, "{}", style.dim(&line))?;
    }
    if let Some(read_as) = &results.read_as {
        writeln!(
            out,
            "{}",
            style.dim(&format!("meaning read as: {}", safe::line(read_as)))
        )?;
    }
    // With `--limit 0` nothing is listed, but the count line still answers "how many".
    if results.total_documents == 0 {
        writeln!(out, "No documents match {:?}.", safe::line(query))?;
        return Ok(());
    }
    for (i, hit) in results.hits.iter().enumerate() {
        let r = &hit.record;
        writeln!(
            out,
            "{:>2}. {}",
            i + 1,
            style.title(&safe::line(r.display_title()))
        )?;
        if let Some(c) = &r.metadata.context {
            writeln!(out, "    {}", style.dim(&safe::line(&c.value)))?;
        }
        let mut meta = Vec::new();
        if let Some(d) = &r.metadata.date {
            meta.push(d.value.to_string());
        }
        if let Some(s) = &r.metadata.source {
            meta.push(safe::line(&short_source(&s.value)).into_owned());
        }
        meta.push(safe::line(&display_path(r, cwd)).into_owned());
        meta.push(format!("id {}", safe::line(short_id(r))));
        let matches = match hit.matching_passages {
            1 => "1 passage matches".to_string(),
            n => format!("{n} passages match"),
        };
        meta.push(matches);
        writeln!(out, "    {}", style.dim(&meta.join(" · ")))?;
        for p in &hit.passages {
            let highlights = usable_marks(&p.text, &p.highlights);
            let (window, marks) = snippet(&p.text, &highlights, SNIPPET_BYTES);
            let mut line = String::new();
            if window.start > 0 {
                line.push('…');
            }
            let mut at = window.start;
            for m in &marks {
                line.push_str(&flatten(&p.text[at..m.start]));
                line.push_str(&style.mark(&flatten(&p.text[m.clone()])));
                at = m.end;
            }
            line.push_str(&flatten(&p.text[at..window.end]));
            if window.end < p.text.len() {
                line.push('…');
            }
            writeln!(
                out,
                "    {} {line}",
                style.dim(&match p.page {
                    Some(page) => format!("p. {page}"),
                    None => format!("¶{}", p.ordinal + 1),
                })
            )?;
        }
        if !hit.copies.is_empty() {
            writeln!(out, "    {}", style.dim(&copies_line(hit, cwd)))?;
        }
        writeln!(out)?;
    }
    let shown = results.hits.len();
    writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{shown} of {} ({} passages) in {:.1} ms",
            match results.total_distinct {
                n if n == results.total_documents => format!("{n} matching documents"),
                n => format!(
                    "{n} distinct texts in {} matching documents",
                    results.total_documents
                ),
            },
            results.total_passages,
            results.elapsed.as_secs_f64() * 1000.0
        ))
    )?;
    if !results.facets.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", style.dim("matching documents by"))?;
        for t in &results.facets {
            let mut values: Vec<String> = t
                .counts
                .iter()
                .take(FACET_VALUES_SHOWN)
                .map(|c| {
                    format!(
                        "{} {}",
                        safe::line(&facet_label(t, &c.value)),
                        documents_and_texts(c.documents, c.distinct)
                    )
                })
                .collect();
            if t.counts.len() > FACET_VALUES_SHOWN {
                values.push(format!("… {} more", t.counts.len() - FACET_VALUES_SHOWN));
            }
            if let Some(n) = t.unknown.filter(|&n| n > 0) {
                values.push(format!("(unknown) {n}"));
            }
            if values.is_empty() {
                values.push("(none)".into());
            }
            writeln!(
                out,
                "  {}: {}",
                style.title(&safe::line(&t.name())),
                values.join(" · ")
            )?;
        }
    }
    Ok(())
}

/// How many documents a hit's text is also in (its reprint group), where, when, and which of
/// them is the earliest.
fn copies_line(hit: &SearchHit, cwd: Option<&Path>) -> String {
    const LISTED: usize = 5;
    let original = hit.original().map(|r| r.key);
    let name = |r: &DocRecord| {
        let mut s = safe::line(&display_path(r, cwd)).into_owned();
        if let Some(d) = &r.metadata.date {
            s.push_str(&format!(" ({})", d.value));
        }
        if original == Some(r.key) {
            s.push_str(" earliest");
        }
        s
    };
    let n = hit.copies.len();
    let mut listed: Vec<String> = hit.copies.iter().take(LISTED).map(name).collect();
    if n > LISTED {
        listed.push(format!("… {} more", n - LISTED));
    }
    let mut line = format!(
        "also in {n} {}: {}",
        if n == 1 { "document" } else { "documents" },
        listed.join(", ")
    );
    if original == Some(hit.record.key) {
        line.push_str("; this one is the earliest");
    }
    line
}

/// The first 8 characters of an id are plenty to tell documents apart, and `show` takes them.
fn short_id(r: &DocRecord) -> &str {
    match r.item {
        // A collection's own ids are shown whole.
        Some(_) => &r.id,
        None => r.id.get(..8).unwrap_or(&r.id),
    }
}

/// Highlights that can be cut out of `text`: in bounds, on character boundaries, in order and
/// not overlapping. The search makes only such ranges; the renderer still never trusts them
/// with a slice that could panic.
fn usable_marks(text: &str, marks: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::with_capacity(marks.len());
    for m in marks {
        let fits = m.start < m.end
            && m.end <= text.len()
            && text.is_char_boundary(m.start)
            && text.is_char_boundary(m.end);
        if fits && out.last().is_none_or(|last| last.end <= m.start) {
            out.push(m.clone());
        }
    }
    out
}

/// Newlines and runs of spaces inside a passage become single spaces, so each passage stays one
/// block in the terminal; a space at either end is kept so segments join correctly. Control and
/// bidi characters are escaped (see [`safe`]).
fn flatten(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    safe::line(&out).into_owned()
}

/// Where the window with the most different matched words starts: the best match of a long
/// passage, not a stray first word ("national …" before "national referral mechanism").
fn densest_window(text: &str, marks: &[Range<usize>], span: usize) -> usize {
    let word = |m: &Range<usize>| text.get(m.clone()).map(str::to_lowercase);
    let mut best = (0, marks.first().map_or(0, |m| m.start));
    for (i, m) in marks.iter().enumerate() {
        let mut words: Vec<Option<String>> = marks[i..]
            .iter()
            .take_while(|n| n.end <= m.start + span)
            .map(word)
            .collect();
        words.sort();
        words.dedup();
        if words.len() > best.0 {
            best = (words.len(), m.start);
        }
    }
    best.1
}

/// Choose about `max` bytes of `text` around its best highlights (the window with the most
/// different matched words), on word boundaries, and the highlights that fall inside.
pub(crate) fn snippet(
    text: &str,
    marks: &[Range<usize>],
    max: usize,
) -> (Range<usize>, Vec<Range<usize>>) {
    if text.len() <= max {
        return (0..text.len(), marks.to_vec());
    }
    let first = densest_window(text, marks, max - max / 4);
    // Some context before the best match, then fill forward.
    let mut start = first.saturating_sub(max / 4);
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    if start > 0 {
        // Begin at a word start.
        // A whitespace character can be several bytes (U+00A0, U+202F in `§ 1597`): step over
        // the whole character, never one byte into it.
        start = text[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(start, |(i, c)| start + i + c.len_utf8())
            .min(first);
    }
    let mut end = (start + max).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    if end < text.len() {
        end = text[..end]
            .rfind(char::is_whitespace)
            .filter(|&e| e > start)
            .unwrap_or(end);
    }
    // Never cut a highlight in half.
    if let Some(m) = marks.iter().find(|m| m.start < end && m.end > end) {
        end = m.end;
    }
    let inside = marks
        .iter()
        .filter(|m| m.start >= start && m.end <= end)
        .cloned()
        .collect();
    (start..end, inside)
}

/// How a facet value is shown: a long source by its short form (JSON keeps the full one).
fn facet_label(table: &FacetTable, value: &str) -> String {
    match table.field {
        FacetField::Source => short_source(value),
        _ => value.to_string(),
    }
}

/// A count of documents, with its distinct texts when reprints make them fewer.
fn documents_and_texts(documents: u64, distinct: u64) -> String {
    if distinct == documents {
        documents.to_string()
    } else {
        format!("{documents} ({distinct} texts)")
    }
}

/// Render facet tables: documents per value, and distinct texts where reprints make them
/// fewer.
pub fn facets(out: &mut dyn Write, counts: &FacetCounts, style: Style) -> io::Result<()> {
    let head = match (counts.documents, counts.distinct) {
        (d, t) if d == t => format!("{d} documents"),
        (d, t) => format!("{d} documents, {t} distinct texts (reprints counted once)"),
    };
    writeln!(out, "{}", style.dim(&head))?;
    for t in &counts.tables {
        writeln!(out, "{}", style.title(&safe::line(&t.name())))?;
        let values: Vec<String> = t
            .counts
            .iter()
            .map(|c| safe::line(&facet_label(t, &c.value)).into_owned())
            .collect();
        let width = values
            .iter()
            .map(|v| v.chars().count())
            .max()
            .unwrap_or(0)
            .max(9);
        for (v, c) in values.iter().zip(&t.counts) {
            writeln!(
                out,
                "  {:<width$}  {:>6}",
                v,
                documents_and_texts(c.documents, c.distinct)
            )?;
        }
        if let Some(n) = t.unknown.filter(|&n| n > 0) {
            writeln!(out, "  {:<width$}  {:>6}", "(unknown)", n)?;
        }
    }
    Ok(())
}

/// Render one document's record with provenance.
pub fn show(
    out: &mut dyn Write,
    record: &DocRecord,
    style: Style,
    cwd: Option<&Path>,
) -> io::Result<()> {
    writeln!(out, "{}", style.title(&safe::line(record.display_title())))?;
    let m = &record.metadata;
    let row = |out: &mut dyn Write, name: &str, value: Option<(String, &str)>| -> io::Result<()> {
        let name = safe::line(name);
        match value {
            Some((v, from)) => writeln!(
                out,
                "  {name:<9} {}  {}",
                safe::line(&v),
                style.dim(&format!("[{}]", safe::line(from)))
            ),
            None => writeln!(out, "  {name:<9} {}", style.dim("unknown")),
        }
    };
    writeln!(out, "  {:<9} {}", "id", safe::line(&record.id))?;
    writeln!(
        out,
        "  {:<9} {}",
        "path",
        safe::line(&display_path(record, cwd))
    )?;
    row(out, "title", pair(&m.title))?;
    let date = m.date.as_ref().map(|d| {
        let precision = format!("{:?}", d.value.precision()).to_lowercase();
        (format!("{} ({precision})", d.value), d.from.as_str())
    });
    row(out, "date", date)?;
    row(out, "source", pair(&m.source))?;
    row(out, "author", pair(&m.author))?;
    row(out, "url", pair(&m.url))?;
    row(out, "license", pair(&m.license))?;
    row(out, "place", pair(&m.place))?;
    row(out, "context", pair(&m.context))?;
    row(
        out,
        "tags",
        m.tags
            .as_ref()
            .map(|t| (t.value.join(", "), t.from.as_str())),
    )?;
    row(out, "language", pair(&m.language))?;
    for (k, v) in &m.fields {
        row(out, k, Some((v.value.join(", "), v.from.as_str())))?;
    }
    for (k, v) in &m.extra {
        row(out, k, Some((v.value.clone(), v.from.as_str())))?;
    }
    writeln!(
        out,
        "  {:<9} {} ({} bytes of text)",
        "passages", record.passages, record.text_bytes
    )?;
    if let Some(note) = &record.truncated {
        writeln!(out, "  {:<9} {}", "truncated", safe::line(note))?;
    }
    // Each country the text names, with the passages (numbered from 1) that name it.
    for c in super::json::countries_json(record) {
        let passages: Vec<String> = c.passages.iter().map(|p| (p + 1).to_string()).collect();
        writeln!(
            out,
            "  {:<9} {} ({}) {}×, passage{} {}",
            "country",
            safe::line(&c.name),
            c.code,
            c.count,
            if passages.len() == 1 { "" } else { "s" },
            passages.join(", ")
        )?;
    }
    // Then each organisation, instrument and form of exploitation, the same way.
    for t in &record.topics {
        let passages: Vec<String> = t.passages.iter().map(|p| (p + 1).to_string()).collect();
        writeln!(
            out,
            "  {:<9} {} {}×, passage{} {}",
            t.kind.name(),
            safe::line(&t.value),
            t.count,
            if passages.len() == 1 { "" } else { "s" },
            passages.join(", ")
        )?;
    }
    writeln!(out)?;
    let head: String = record.head.chars().take(400).collect();
    let more =
        if record.head.chars().count() > 400 || record.text_bytes as usize > record.head.len() {
            " …"
        } else {
            ""
        };
    writeln!(out, "{}{more}", safe::block(head.trim_end()))
}

fn pair<T: ToString>(f: &Option<Field<T>>) -> Option<(String, &str)> {
    f.as_ref().map(|f| (f.value.to_string(), f.from.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_keeps_short_text_whole() {
        let marks = vec![Range { start: 0, end: 5 }];
        let (w, m) = snippet("short text", &marks, 100);
        assert_eq!((w, m), (0..10, marks));
    }

    #[test]
    fn snippet_centres_on_first_match_at_word_boundaries() {
        let text = format!(
            "{} needle {}",
            "lorem ipsum ".repeat(50),
            "dolor sit ".repeat(50)
        );
        let at = text.find("needle").unwrap();
        let needle = vec![Range {
            start: at,
            end: at + 6,
        }];
        let (w, marks) = snippet(&text, &needle, 120);
        assert!(w.start <= at && w.end >= at + 6);
        assert!(w.end - w.start <= 130);
        assert_eq!(marks, needle);
        assert!(text[w.clone()].starts_with(|c: char| c.is_alphanumeric()));
        assert!(text[..w.start].ends_with(' '));
    }

    /// Regression: `search "passport confiscation"` on US Code sections panicked ("start byte
    /// index is not a char boundary; it is inside '\u{202f}'") when the window began just before
    /// a multi-byte space.
    #[test]
    fn snippet_steps_over_multibyte_spaces() {
        for space in ['\u{a0}', '\u{202f}', '\u{3000}'] {
            for lead in 0..8 {
                let text = format!(
                    "{}§{space}1597 {} passport confiscation {}",
                    "x".repeat(lead),
                    format!("word{space}").repeat(30),
                    "tail ".repeat(40)
                );
                let at = text.find("passport").unwrap();
                let mark = Range {
                    start: at,
                    end: at + "passport".len(),
                };
                let marks = std::slice::from_ref(&mark);
                for max in [40, 60, 80, 101, 140] {
                    let (w, inside) = snippet(&text, marks, max);
                    assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
                    assert!(w.start <= at && inside.contains(&mark));
                }
            }
        }
    }

    proptest::proptest! {
        /// Any text, any highlights on character boundaries, any window size: the window and
        /// its marks lie on character boundaries, so rendering can never slice inside one.
        #[test]
        fn snippet_never_cuts_a_character(
            text in "\\PC{0,300}",
            cuts in proptest::collection::vec(0usize..400, 0..8),
            max in 1usize..200,
        ) {
            let mut bounds: Vec<usize> = cuts
                .into_iter()
                .map(|c| c.min(text.len()))
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            bounds.sort_unstable();
            bounds.dedup();
            let marks: Vec<Range<usize>> = bounds.chunks_exact(2).map(|p| p[0]..p[1]).collect();
            let (w, inside) = snippet(&text, &marks, max);
            proptest::prop_assert!(w.start <= w.end && w.end <= text.len());
            proptest::prop_assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
            for m in &inside {
                proptest::prop_assert!(m.start >= w.start && m.end <= w.end);
            }
        }
    }

    #[test]
    fn snippet_respects_char_boundaries() {
        let text = "é".repeat(400);
        let (w, _) = snippet(&text, &[], 101);
        assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
    }

    #[test]
    fn snippet_shows_the_window_with_most_matched_words() {
        let text = format!(
            "national {} the national referral mechanism works {}",
            "filler words here ".repeat(40),
            "tail ".repeat(40)
        );
        let mark = |w: &str, from: usize| {
            let at = from + text[from..].find(w).unwrap();
            at..at + w.len()
        };
        let second = text.find("the national").unwrap();
        let marks = vec![
            mark("national", 0),
            mark("national", second),
            mark("referral", second),
            mark("mechanism", second),
        ];
        let (w, shown) = snippet(&text, &marks, 200);
        assert!(text[w].contains("national referral mechanism"));
        assert_eq!(shown.len(), 3);
    }
}
