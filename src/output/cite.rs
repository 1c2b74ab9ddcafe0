//! Citations for reference managers: CSL-JSON (Zotero, Mendeley, pandoc) and RIS (EndNote,
//! Zotero, most library tools). One item per document: title, authors, publisher, the date with
//! only the parts that are known, URL, the file's path, and the shown passages quoted with their
//! pages; the best passage's page is the item's page, the place to cite.

use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::display_path;
use crate::ingest::Format;
use crate::metadata::Date;
use crate::record::DocRecord;
use crate::search::PassageHit;
use crate::text::collapse_whitespace;

/// One CSL-JSON item (the fields of the CSL data schema that tipdex knows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CslItem {
    /// The document id (as `tipdex show` takes it).
    pub id: String,
    /// CSL item type: `report`, or `webpage` for a page known by its URL.
    #[serde(rename = "type")]
    pub kind: String,
    /// Title (the file name when none is known).
    pub title: String,
    /// Authors, each as a literal name (tipdex does not split given and family names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<CslName>,
    /// Publishing organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Publication date with only the known parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<CslDate>,
    /// Canonical URL.
    #[serde(rename = "URL", default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Language code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Tags, comma-separated (CSL's keyword is one string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// Page of the best shown passage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Where the file is, then each shown passage quoted with its page.
    pub note: String,
}

/// A CSL name given as one literal string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CslName {
    /// The name as the document gives it.
    pub literal: String,
}

/// A CSL date: one `date-parts` entry of year, then month and day only when known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CslDate {
    /// `[[year]]`, `[[year, month]]` or `[[year, month, day]]`.
    #[serde(rename = "date-parts")]
    pub date_parts: Vec<Vec<i32>>,
}

impl CslDate {
    fn from_date(d: &Date) -> CslDate {
        let mut parts = vec![d.year];
        if let Some(m) = d.month {
            parts.push(i32::from(m));
            if let Some(day) = d.day {
                parts.push(i32::from(day));
            }
        }
        CslDate {
            date_parts: vec![parts],
        }
    }
}

/// A web page when it came as HTML and has a URL; everything else is a report (grey
/// literature: what this collection mostly holds).
fn is_webpage(record: &DocRecord) -> bool {
    record.format == Format::Html && record.metadata.url.is_some()
}

fn authors(record: &DocRecord) -> Vec<String> {
    record
        .metadata
        .author
        .as_ref()
        .map(|a| {
            a.value
                .split("; ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A passage on one line, as a quotation: reference managers keep fields single-line.
fn quote(p: &PassageHit) -> String {
    let words = collapse_whitespace(&p.text);
    match p.page {
        Some(page) => format!("“{words}” (p. {page})"),
        None => format!("“{words}”"),
    }
}

fn best_page(passages: &[PassageHit]) -> Option<u32> {
    passages.first().and_then(|p| p.page)
}

/// The CSL-JSON item of a document with the passages shown for it (best first).
pub fn csl_item(record: &DocRecord, passages: &[PassageHit], cwd: Option<&Path>) -> CslItem {
    let m = &record.metadata;
    let mut note = format!("file: {}", display_path(record, cwd));
    for p in passages {
        note.push('\n');
        note.push_str(&quote(p));
    }
    CslItem {
        id: record.id.clone(),
        kind: if is_webpage(record) {
            "webpage"
        } else {
            "report"
        }
        .to_string(),
        title: record.display_title().to_string(),
        author: authors(record)
            .into_iter()
            .map(|literal| CslName { literal })
            .collect(),
        publisher: m.source.as_ref().map(|s| s.value.clone()),
        issued: m.date.as_ref().map(|d| CslDate::from_date(&d.value)),
        url: m.url.as_ref().map(|u| u.value.clone()),
        language: m.language.as_ref().map(|l| l.value.clone()),
        keyword: m
            .tags
            .as_ref()
            .filter(|t| !t.value.is_empty())
            .map(|t| t.value.join(", ")),
        page: best_page(passages).map(|p| p.to_string()),
        note,
    }
}

/// Write CSL-JSON: one array of items, as reference managers import it.
pub fn write_csljson(out: &mut dyn Write, items: &[CslItem]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, items).map_err(io::Error::other)?;
    writeln!(out)
}

/// RIS values are one line each; a value's own line breaks would start bogus tags.
fn ris_value(s: &str) -> String {
    collapse_whitespace(s)
}

fn ris_tag(out: &mut dyn Write, tag: &str, value: &str) -> io::Result<()> {
    let value = ris_value(value);
    if value.is_empty() {
        return Ok(());
    }
    write!(out, "{tag}  - {value}\r\n")
}

/// RIS `DA`: `YYYY/MM/DD/` with unknown parts left empty, so the precision survives.
fn ris_date(d: &Date) -> String {
    let two = |v: Option<u8>| v.map(|v| format!("{v:02}")).unwrap_or_default();
    format!("{:04}/{}/{}/", d.year, two(d.month), two(d.day))
}

/// Write one document as a RIS record (tags in the order the RIS specification lists them;
/// CRLF line ends as it prescribes, which every reader accepts).
pub fn write_ris(
    out: &mut dyn Write,
    record: &DocRecord,
    passages: &[PassageHit],
    cwd: Option<&Path>,
) -> io::Result<()> {
    let m = &record.metadata;
    ris_tag(out, "TY", if is_webpage(record) { "ELEC" } else { "RPRT" })?;
    ris_tag(out, "ID", &record.id)?;
    ris_tag(out, "TI", record.display_title())?;
    for a in authors(record) {
        ris_tag(out, "AU", &a)?;
    }
    if let Some(s) = &m.source {
        ris_tag(out, "PB", &s.value)?;
    }
    if let Some(d) = &m.date {
        ris_tag(out, "PY", &format!("{:04}", d.value.year))?;
        ris_tag(out, "DA", &ris_date(&d.value))?;
    }
    if let Some(page) = best_page(passages) {
        ris_tag(out, "SP", &page.to_string())?;
    }
    if let Some(u) = &m.url {
        ris_tag(out, "UR", &u.value)?;
    }
    ris_tag(out, "L1", &display_path(record, cwd))?;
    if let Some(l) = &m.language {
        ris_tag(out, "LA", &l.value)?;
    }
    for t in m.tags.iter().flat_map(|t| &t.value) {
        ris_tag(out, "KW", t)?;
    }
    for p in passages {
        ris_tag(out, "N1", &quote(p))?;
    }
    write!(out, "ER  - \r\n\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_only_their_known_parts() {
        let year = Date::new(2019, None, None).unwrap();
        let month = Date::new(2019, Some(6), None).unwrap();
        let day = Date::new(2019, Some(6), Some(3)).unwrap();
        assert_eq!(CslDate::from_date(&year).date_parts, vec![vec![2019]]);
        assert_eq!(CslDate::from_date(&month).date_parts, vec![vec![2019, 6]]);
        assert_eq!(CslDate::from_date(&day).date_parts, vec![vec![2019, 6, 3]]);
        assert_eq!(ris_date(&year), "2019///");
        assert_eq!(ris_date(&month), "2019/06//");
        assert_eq!(ris_date(&day), "2019/06/03/");
    }

    #[test]
    fn ris_values_never_break_a_line() {
        let mut out = Vec::new();
        ris_tag(&mut out, "N1", "one\ntwo\r\n  three").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "N1  - one two three\r\n");
    }
}
