//! Metadata cues read from the document text itself.
//!
//! Every rule here is deliberately narrow: a missing value is shown as
//! "unknown", but a wrong one silently misfiles the document in facets and
//! date filters.

use std::sync::LazyLock;

use regex::Regex;

use super::date::{Date, Precision};
use super::{clean, Field};
use crate::text::collapse_whitespace;

/// A non-empty line of the document, trimmed, with its 1-based line number.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    pub no: usize,
    pub text: &'a str,
}

/// Header cues (date lines, by-lines, titles) are only believed near the top.
const DATE_LINES: usize = 5;
const HEADER_LINES: usize = 10;
/// Label lines are short; skipping long paragraphs keeps huge texts cheap.
const MAX_LABEL_LINE: usize = 400;

pub(crate) fn non_empty_lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let t = l.trim();
            (!t.is_empty()).then_some(Line { no: i + 1, text: t })
        })
        .collect()
}

fn field<T>(value: T, from: String) -> Field<T> {
    Field { value, from }
}

fn rx(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

// ---------------------------------------------------------------- date

static DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)^(?:\[\d+\]\s*)?((?:date\s+of\s+publication|date\s+published|publication\s+date|published\s+on|published|posted\s+on|posted|dated|date|issued\s+on|issued)\b\s*:?)\s*(.+)$",
    )
});
/// Text that often trails a labelled date on the same line ("Posted on 3 May 2020 by admin").
static DATE_TAIL: LazyLock<Regex> = LazyLock::new(|| rx(r"(?i)\s+(?:by|at|\||·|-|–|—)\s+"));
static DASH: LazyLock<Regex> = LazyLock::new(|| rx(r"\s*[–—]\s*|\s+-{1,2}\s+"));

fn parse_labelled_date(rest: &str) -> Option<Date> {
    if let Some(d) = Date::parse(rest) {
        return Some(d);
    }
    let cut = DATE_TAIL.find(rest)?;
    Date::parse(&rest[..cut.start()])
}

/// A date that stands alone as a header line must say at least the month:
/// a bare "2019" near the top is as likely a report series as a date.
fn header_date(s: &str) -> Option<Date> {
    Date::parse(s).filter(|d| d.precision() >= Precision::Month)
}

pub(crate) fn labelled_date(lines: &[Line]) -> Option<Field<Date>> {
    lines
        .iter()
        .filter(|l| l.text.len() <= MAX_LABEL_LINE)
        .find_map(|l| {
            let (label, date) = labelled_date_line(l.text)?;
            Some(field(date, format!("text: '{label}' line {}", l.no)))
        })
}

/// A "Date: …"/"Posted on …" line and its date.
fn labelled_date_line(text: &str) -> Option<(String, Date)> {
    let c = DATE_LABEL.captures(text)?;
    let label = c.get(1)?.as_str();
    let date = parse_labelled_date(c.get(2)?.as_str())?;
    // "Published 2019 by Routledge" cites another work; a bare year needs a real "Label:".
    if date.precision() == Precision::Year && !label.ends_with(':') {
        return None;
    }
    Some((collapse_whitespace(label), date))
}

/// A parsed dateline: "Brussels, Belgium - 21 February 2019 - On 12 February …".
pub(crate) struct Dateline {
    pub date: Date,
    pub place: Option<String>,
    pub line: usize,
}

/// Words that start a heading-like prefix but are not places ("Press Release - 3 May 2020 - …").
const NOT_PLACE: &[&str] = &[
    "press",
    "release",
    "news",
    "statement",
    "update",
    "updated",
    "posted",
    "published",
    "date",
    "dated",
    "article",
    "blog",
    "report",
    "story",
    "editorial",
    "opinion",
    "comment",
    "commentary",
    "feature",
    "speech",
    "interview",
    "briefing",
    "by",
    "issued",
    "media",
    "advisory",
    "event",
    "events",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const CONNECTORS: &[&str] = &[
    "of", "de", "del", "della", "la", "le", "and", "upon", "on", "am", "an", "der", "du", "da",
    "es", "el", "al", "en", "sur", "the",
];

/// Heading-like: a few capitalised words, maybe with lowercase connectors, no digits.
fn heading_like(s: &str) -> bool {
    if s.is_empty() || s.chars().count() > 60 || s.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    if !s
        .chars()
        .all(|c| c.is_alphabetic() || " ,.'’-()".contains(c))
    {
        return false;
    }
    let words: Vec<&str> = s
        .split([' ', ','])
        .map(|w| w.trim_matches(|c: char| "().".contains(c)))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 6 {
        return false;
    }
    words.iter().enumerate().all(|(i, w)| {
        let upper = w.chars().next().is_some_and(char::is_uppercase);
        upper || (i > 0 && CONNECTORS.contains(&w.to_lowercase().as_str()))
    })
}

fn place_from(s: &str) -> Option<String> {
    let is_label = s
        .split([' ', ','])
        .any(|w| NOT_PLACE.contains(&w.to_lowercase().as_str()));
    if is_label {
        None
    } else {
        clean(s.trim_end_matches([',', ' ']))
    }
}

fn parse_dateline(text: &str) -> Option<(Date, Option<String>)> {
    let mut parts = DASH.split(text);
    let head = parts.next()?.trim();
    // A dateline on a line of its own ("Vienna, 3 March 2021") has no dash: the date closes it.
    let Some(second) = parts.next().map(str::trim) else {
        let (place, date) = head.rsplit_once(',')?;
        let date = header_date(date.trim())?;
        let place = place.trim();
        return (heading_like(place) && !place.is_empty())
            .then(|| (date, place_from(place)))
            .filter(|(_, p)| p.is_some());
    };
    if let Some(date) = header_date(second) {
        if heading_like(head) {
            return Some((date, place_from(head)));
        }
        return None;
    }
    // "Vienna, Austria, 21 February 2019 - …": the date closes the head after a comma.
    for (i, _) in head.match_indices(',') {
        let (place, date) = (head[..i].trim(), head[i + 1..].trim());
        if let Some(date) = header_date(date) {
            if heading_like(place) {
                return Some((date, place_from(place)));
            }
            return None;
        }
    }
    None
}

pub(crate) fn dateline(lines: &[Line]) -> Option<Dateline> {
    lines.iter().take(DATE_LINES).find_map(|l| {
        let (date, place) = parse_dateline(l.text)?;
        Some(Dateline {
            date,
            place,
            line: l.no,
        })
    })
}

fn is_dateline(text: &str) -> bool {
    parse_dateline(text).is_some()
}

/// The document date from the text: a labelled line anywhere, else the first
/// header line that is a date or a dateline.
pub(crate) fn date(lines: &[Line], dateline: Option<&Dateline>) -> Option<Field<Date>> {
    if let Some(f) = labelled_date(lines) {
        return Some(f);
    }
    let alone = lines.iter().take(DATE_LINES).find_map(|l| {
        let d = header_date(l.text)?;
        Some((l.no, field(d, format!("text: date line {}", l.no))))
    });
    let dated = dateline.map(|dl| {
        (
            dl.line,
            field(dl.date, format!("text: dateline {}", dl.line)),
        )
    });
    // Whichever header cue comes first is the one written about this document.
    [alone, dated]
        .into_iter()
        .flatten()
        .min_by_key(|(no, _)| *no)
        .map(|(_, f)| f)
}

// ---------------------------------------------------------------- author

static BY_LINE: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:[Ww]ritten\s+)?[Bb][Yy]:?\s+(.+)$"));
static AUTHOR_LABEL: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)^(?:\[\d+\]\s*)?(authors?|written\s+by)\s*:\s*(.+)$"));
static AND_SPLIT: LazyLock<Regex> = LazyLock::new(|| rx(r"\s+(?:and|&)\s+"));
const NAME_PARTICLES: &[&str] = &[
    "van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "al", "bin",
    "ibn", "dos", "das", "y",
];
const PLACEHOLDER_AUTHORS: &[&str] = &[
    "unknown",
    "anonymous",
    "admin",
    "administrator",
    "user",
    "owner",
    "n/a",
    "na",
    "none",
    "author",
    "staff",
];

fn name_word(w: &str) -> bool {
    let mut chars = w.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    first_upper && w.chars().all(|c| c.is_alphabetic() || ".'’-".contains(c))
}

/// Words that make a capitalised phrase an organisation, whose ALL-CAPS acronyms must stay as written.
const ORG_WORDS: &[&str] = &[
    "team",
    "office",
    "unit",
    "section",
    "secretariat",
    "group",
    "department",
    "division",
    "staff",
    "project",
    "foundation",
    "organisation",
    "organization",
    "institute",
    "international",
    "network",
    "coalition",
    "council",
    "commission",
    "committee",
    "agency",
    "ministry",
    "centre",
    "center",
    "association",
    "society",
    "editors",
    "board",
    "news",
    "press",
    "service",
    "programme",
    "program",
    "nations",
    "union",
];

pub(crate) fn organisation_name(s: &str) -> Option<String> {
    let s = s.trim_end_matches(['.', ',', ';', ':']);
    let words: Vec<&str> = s.split_whitespace().collect();
    let org = words
        .iter()
        .any(|w| ORG_WORDS.contains(&w.to_lowercase().as_str()));
    let shaped = (2..=6).contains(&words.len())
        && words
            .iter()
            .enumerate()
            .all(|(i, w)| name_word(w) || (i > 0 && ["of", "and", "for", "on", "&"].contains(w)));
    (org && shaped).then(|| words.join(" "))
}

/// One personal name: 2–4 capitalised (or all-caps) words, lowercase particles allowed inside.
fn person_name(s: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words
        .iter()
        .any(|w| ORG_WORDS.contains(&w.to_lowercase().as_str()))
    {
        return None;
    }
    // Up to two particles ("van der") may join the 2–4 name words.
    if !(2..=6).contains(&words.len()) {
        return None;
    }
    let mut name_words = 0;
    for (i, w) in words.iter().enumerate() {
        if name_word(w) {
            name_words += 1;
        } else if i == 0 || i == words.len() - 1 || !NAME_PARTICLES.contains(w) {
            return None;
        }
    }
    (2..=4).contains(&name_words).then_some(words)
}

fn title_case_word(w: &str) -> String {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    if !all_caps {
        return w.to_string();
    }
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        // "JEAN-PIERRE" → "Jean-Pierre", "O'NEILL" → "O'Neill".
        start = "-'’".contains(c);
    }
    out
}

/// Names joined by "and"/"&", each a person name; ALL-CAPS words become title case.
fn person_names(s: &str) -> Option<String> {
    let s = s.trim_end_matches(['.', ',', ';', ':']);
    if s.contains(',') {
        // Commas usually introduce an affiliation or role, which a name check cannot tell apart.
        return None;
    }
    let mut names = Vec::new();
    for part in AND_SPLIT.split(s) {
        let words = person_name(part.trim())?;
        let name: Vec<String> = words.iter().map(|w| title_case_word(w)).collect();
        names.push(name.join(" "));
    }
    (!names.is_empty()).then(|| names.join("; "))
}

pub(crate) fn author(lines: &[Line]) -> Option<Field<String>> {
    let by = lines.iter().take(HEADER_LINES).find_map(|l| {
        let c = BY_LINE.captures(l.text)?;
        let raw = c.get(1)?.as_str();
        let name = person_names(raw).or_else(|| organisation_name(raw))?;
        Some(field(name, format!("text: 'by' line {}", l.no)))
    });
    if by.is_some() {
        return by;
    }
    lines
        .iter()
        .filter(|l| l.text.len() <= MAX_LABEL_LINE)
        .find_map(|l| {
            let c = AUTHOR_LABEL.captures(l.text)?;
            let raw = c.get(2)?.as_str();
            let value = match person_names(raw) {
                Some(n) => n,
                None => {
                    let v = clean(raw.trim_end_matches(['.', ',', ';']))?;
                    let plausible = v.chars().count() <= 100
                        && v.split_whitespace().count() <= 12
                        && !PLACEHOLDER_AUTHORS.contains(&v.to_lowercase().as_str());
                    if !plausible {
                        return None;
                    }
                    v
                }
            };
            let label = format!("{}:", c.get(1)?.as_str());
            Some(field(value, format!("text: '{label}' line {}", l.no)))
        })
}

/// Whether a declared author value is really a program or a placeholder (PDF "Creator" fields).
pub(crate) fn junk_author(v: &str) -> bool {
    static SOFTWARE: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?i)\b(?:microsoft|word|adobe|acrobat|pdf\w*|latex|tex|writer|indesign|libreoffice|openoffice|quark\w*|distiller|ghostscript|scanner|printer|illustrator|powerpoint|excel|pages|canon|xerox)\b|®|™",
        )
    });
    PLACEHOLDER_AUTHORS.contains(&v.to_lowercase().as_str()) || SOFTWARE.is_match(v)
}

// ---------------------------------------------------------------- tags

static TAGS_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"(?i)^((?:tags?|keywords?|topics?|categories|filed\s+under)\s*:)\s*(.+)$")
});

/// Splits a tag list on commas/semicolons, dropping empties and repeats.
pub(crate) fn split_tags<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        for t in v.split([',', ';']) {
            if let Some(t) = clean(t) {
                if !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
                    out.push(t);
                }
            }
        }
    }
    out
}

pub(crate) fn tags(lines: &[Line]) -> Option<Field<Vec<String>>> {
    lines
        .iter()
        .filter(|l| l.text.len() <= MAX_LABEL_LINE)
        .find_map(|l| {
            let c = TAGS_LABEL.captures(l.text)?;
            let tags = split_tags([c.get(2)?.as_str()]);
            if tags.is_empty() || tags.iter().any(|t| t.chars().count() > 80) {
                return None;
            }
            let label = collapse_whitespace(c.get(1)?.as_str());
            Some(field(tags, format!("text: '{label}' line {}", l.no)))
        })
}

// ---------------------------------------------------------------- url

static URL_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)^(?:\[\d+\]\s*)?(url|link|permalink|canonical(?:\s+url)?|originally\s+published\s+at|original(?:ly)?\s+(?:at|posted\s+at)|read\s+(?:more|the\s+original)\s+at|source)\s*:?\s*(https?://\S+)$",
    )
});

/// The address in a declared `url` value. Archives often annotate it ("https://www.cia.gov/…
/// (edition 2023, via github.com/…)"), and a citation or a link needs the address alone: the
/// first word that starts like an address, else the whole value as written.
pub(crate) fn url_in_value(value: &str) -> &str {
    let value = value.trim();
    value
        .split_whitespace()
        .find(|w| {
            let w = w.trim_start_matches(['(', '<', '[', '"', '\'']);
            ["http://", "https://", "www."]
                .iter()
                .any(|p| w.len() > p.len() && w[..p.len()].eq_ignore_ascii_case(p))
        })
        .map(|w| w.trim_start_matches(['(', '<', '[', '"', '\'']))
        .unwrap_or(value)
}

pub(crate) fn strip_url_punct(url: &str) -> &str {
    let mut u = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', '”', '’', '>', ']']);
    // A closing parenthesis belongs to the URL only when it opened one.
    while u.ends_with(')') && !u.contains('(') {
        u = &u[..u.len() - 1];
        u = u.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', '”', '’', '>', ']']);
    }
    u
}

pub(crate) fn url(lines: &[Line]) -> Option<Field<String>> {
    let labelled = lines
        .iter()
        .filter(|l| l.text.len() <= MAX_LABEL_LINE)
        .filter_map(|l| {
            let c = URL_LABEL.captures(l.text)?;
            let url = strip_url_punct(c.get(2)?.as_str());
            if url.len() <= "https://".len() {
                return None;
            }
            let label = collapse_whitespace(c.get(1)?.as_str());
            Some((label, url.to_string(), l.no))
        });
    // "Source:" often cites another work, so any other label is preferred.
    let mut source_label = None;
    for (label, url, no) in labelled {
        let f = field(url, format!("text: '{label}:' line {no}"));
        if label.eq_ignore_ascii_case("source") {
            source_label.get_or_insert(f);
        } else {
            return Some(f);
        }
    }
    source_label
}

// ---------------------------------------------------------------- license

static CC: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)\b(?:creative\s+commons\s+)?\(?cc\)?[\s-]+(by(?:[\s-]+(?:nc|sa|nd)\b){0,2})(?:[\s-]+(\d\.\d))?(\s+igo\b)?",
    )
});
static CC0: LazyLock<Regex> = LazyLock::new(|| rx(r"(?i)\bcc0(?:\s+(\d\.\d))?\b"));
static CC_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)\bcreative\s+commons\s+attribution((?:[\s-]+(?:non-?commercial|no-?derivs|no-?derivatives|no-?derivative\s+works|share-?alike))*)(?:\s+(\d\.\d))?(\s+igo\b)?",
    )
});
static LICENSE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)^(?:\[\d+\]\s*)?(licen[sc]e|rights)\s*:\s*(.+)$"));
static LICENSED_UNDER: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)\blicen[sc]ed\s+under\s+(?:the\s+(?:terms\s+of\s+(?:the\s+)?)?|an?\s+)?(.+?)(?:[.;]\s|[.;]?$)",
    )
});

/// Normalises a Creative Commons mention to its short form ("CC BY-ND 4.0"), if there is one.
pub(crate) fn creative_commons(s: &str) -> Option<String> {
    if let Some(c) = CC_ATTRIBUTION.captures(s) {
        let mut parts = vec!["BY".to_string()];
        let mods = c.get(1).map_or("", |m| m.as_str()).to_lowercase();
        if mods.contains("commercial") {
            parts.push("NC".into());
        }
        if mods.contains("deriv") {
            parts.push("ND".into());
        }
        if mods.contains("share") {
            parts.push("SA".into());
        }
        return Some(cc_string(&parts.join("-"), c.get(2), c.get(3)));
    }
    if let Some(c) = CC.captures(s) {
        let kind: Vec<String> = c
            .get(1)?
            .as_str()
            .split([' ', '-', '\t'])
            .filter(|p| !p.is_empty())
            .map(str::to_uppercase)
            .collect();
        return Some(cc_string(&kind.join("-"), c.get(2), c.get(3)));
    }
    if let Some(c) = CC0.captures(s) {
        return Some(match c.get(1) {
            Some(v) => format!("CC0 {}", v.as_str()),
            None => "CC0".to_string(),
        });
    }
    None
}

fn cc_string(kind: &str, version: Option<regex::Match>, igo: Option<regex::Match>) -> String {
    let mut s = format!("CC {kind}");
    if let Some(v) = version {
        s.push(' ');
        s.push_str(v.as_str());
    }
    if igo.is_some() {
        s.push_str(" IGO");
    }
    s
}

/// A license value as written, or its CC short form.
pub(crate) fn license_value(raw: &str) -> Option<String> {
    if let Some(cc) = creative_commons(raw) {
        return Some(cc);
    }
    let v = clean(raw.trim_end_matches(['.', ',', ';', ':']))?;
    (v.chars().count() <= 100 && v.split_whitespace().count() <= 12).then_some(v)
}

pub(crate) fn license(lines: &[Line]) -> Option<Field<String>> {
    lines
        .iter()
        .filter(|l| l.text.len() <= MAX_LABEL_LINE)
        .find_map(|l| {
            if let Some(cc) = creative_commons(l.text) {
                return Some(field(
                    cc,
                    format!("text: Creative Commons licence line {}", l.no),
                ));
            }
            if let Some(c) = LICENSE_LABEL.captures(l.text) {
                if let Some(v) = license_value(c.get(2)?.as_str()) {
                    let label = format!("{}:", c.get(1)?.as_str());
                    return Some(field(v, format!("text: '{label}' line {}", l.no)));
                }
            }
            let c = LICENSED_UNDER.captures(l.text)?;
            let v = clean(c.get(1)?.as_str())?;
            (v.chars().count() <= 80 && v.split_whitespace().count() <= 10)
                .then(|| field(v, format!("text: 'licensed under' line {}", l.no)))
        })
}

// ---------------------------------------------------------------- title

static TITLE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)^(?:\[\d+\]\s*)?title\s*:\s*(.+)$"));
static LABEL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)^(?:\[\d+\]\s*)?(?:tags?|keywords?|topics?|categories|category|filed\s+under|date|dated|published|posted|updated|last\s+updated|issued|url|link|source|permalink|canonical|author|authors|written\s+by|licen[sc]e|rights|copyright|subject|language|place|location)\s*:",
    )
});
static LIST_MARKER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:\(\w{1,3}\)\s|\d{1,3}[.)]\s|[•*·▪◦–—-]\s)"));
static FOOTNOTE_TAIL: LazyLock<Regex> = LazyLock::new(|| rx(r"\s*\[\d{1,3}\]$"));
static COPYRIGHT_HINT: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)©|\(c\)|\bcopyright\b|\b(?:originally|first)\s+(?:published|appeared|posted)\b|\ball\s+rights\s+reserved\b",
    )
});
static URLISH: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)^(?:https?://|gopher://|www\.)|\S+@\S+\.\w+"));

/// The cleaned title if a header line can be one; `None` for dates, labels, by-lines, notices and rules.
fn title_candidate(text: &str) -> Option<String> {
    let t = FOOTNOTE_TAIL.replace(text, "");
    let t = t.trim();
    if t.chars().filter(|c| c.is_alphabetic()).count() < 2
        || t.len() > 800
        || t.chars().count() > 200
        || t.split_whitespace().count() > 25
        || t.ends_with(['.', ',', ';', ':', '|'])
        || (t.starts_with('[') && t.ends_with(']'))
        || Date::parse(t).is_some()
        || labelled_date_line(t).is_some()
        || is_dateline(t)
        || BY_LINE.is_match(t)
        || LABEL_LINE.is_match(t)
        || COPYRIGHT_HINT.is_match(t)
        || LIST_MARKER.is_match(t)
        || URLISH.is_match(t)
    {
        return None;
    }
    // A title starts like a heading, not mid-sentence.
    let first_letter = t.chars().find(|c| c.is_alphabetic());
    if first_letter.is_some_and(char::is_lowercase) {
        return None;
    }
    clean(t)
}

pub(crate) fn title(lines: &[Line]) -> Option<Field<String>> {
    let header = &lines[..lines.len().min(HEADER_LINES)];
    let labelled = header.iter().find_map(|l| {
        let c = TITLE_LABEL.captures(l.text)?;
        let v = clean(FOOTNOTE_TAIL.replace(c.get(1)?.as_str(), "").as_ref())?;
        Some(field(v, format!("text: 'Title:' line {}", l.no)))
    });
    if labelled.is_some() {
        return labelled;
    }
    header
        .iter()
        .find_map(|l| title_candidate(l.text).map(|t| field(t, format!("text: line {}", l.no))))
}

/// Whether a file name is an identifier rather than words: a hash, a number, a code
/// ("004_4e25dece879ac80b.txt", "IMG_2031.pdf").
pub(crate) fn identifier_like(file_name: &str) -> bool {
    let stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let parts: Vec<&str> = stem
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    // A word is three letters or more with no digit; a hash is eight or more hex characters.
    let words = parts
        .iter()
        .filter(|p| p.chars().count() >= 3 && p.chars().all(char::is_alphabetic))
        .count();
    let hash = parts.iter().any(|p| {
        p.len() >= 8
            && p.chars().all(|c| c.is_ascii_hexdigit())
            && p.chars().any(|c| c.is_ascii_digit())
    });
    words == 0 || hash
}

/// The document's first sentence, cut at a word, as a title a reader can use when the text
/// has no title line and its file name is an identifier.
pub(crate) fn first_sentence(lines: &[Line]) -> Option<Field<String>> {
    const MAX_CHARS: usize = 80;
    let l = lines
        .iter()
        .find(|l| l.text.chars().filter(|c| c.is_alphabetic()).count() >= 10)?;
    let sentence = l
        .text
        .split_inclusive(". ")
        .next()
        .unwrap_or(l.text)
        .trim()
        .trim_end_matches('.');
    let mut title = String::new();
    for word in sentence.split_whitespace() {
        if title.chars().count() + word.chars().count() + 1 > MAX_CHARS {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    let title = title.trim_end_matches([',', ';', ':']).to_string();
    clean(&title).map(|value| {
        field(
            value,
            format!("{}, line {}", super::FROM_FIRST_SENTENCE, l.no),
        )
    })
}

/// Whether an embedded title is the producing program's placeholder rather than a title.
pub(crate) fn junk_title(v: &str) -> bool {
    static JUNK: LazyLock<Regex> = LazyLock::new(|| {
        rx(
            r"(?i)^(?:untitled(?:\s+document)?|no\s+title|title|document\d*|slide\s*\d*|microsoft\s+(?:word|powerpoint)\s+-.*|.*\.(?:docx?|pdf|pptx?|indd|rtf|odt|txt))$",
        )
    });
    JUNK.is_match(v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line<'_>> {
        non_empty_lines(text)
    }

    #[test]
    fn labelled_dates() {
        let f = date(&lines("x\n\nDate: 2025-06\n"), None).unwrap();
        assert_eq!(f.value.to_string(), "2025-06");
        assert_eq!(f.from, "text: 'Date:' line 3");
        let f = date(&lines("Published: 28 January 2020"), None).unwrap();
        assert_eq!(f.value.to_string(), "2020-01-28");
        let f = date(&lines("Posted on January 28, 2020 by admin"), None).unwrap();
        assert_eq!(f.value.to_string(), "2020-01-28");
        assert_eq!(f.from, "text: 'Posted on' line 1");
        let f = date(&lines("Dated 3 May 2021"), None).unwrap();
        assert_eq!(f.value.to_string(), "2021-05-03");
        let f = date(&lines("Date: 2019"), None).unwrap();
        assert_eq!(f.value.to_string(), "2019");
        assert!(date(&lines("Published 2019 by Routledge"), None).is_none());
        assert!(date(&lines("Date accessed: 3 May 2020"), None).is_none());
        assert!(date(&lines("Dated 12 March 2018, the letter said"), None).is_none());
    }

    #[test]
    fn body_years_are_not_dates() {
        let text = "Title\n2019\nThe programme (2011-2013) ran in December 2012.\nSince 2014 things changed.\nPublished by the ILO in 2017.";
        let ls = lines(text);
        assert!(date(&ls, dateline(&ls).as_ref()).is_none());
    }

    #[test]
    fn datelines() {
        let ls = lines("Title\nBrussels, Belgium - 21 February 2019 - On 12 February 2019, …");
        let dl = dateline(&ls).unwrap();
        assert_eq!(dl.date.to_string(), "2019-02-21");
        assert_eq!(dl.place.as_deref(), Some("Brussels, Belgium"));
        assert_eq!(dl.line, 2);
        let ls = lines("NEW YORK – 3 March 2020");
        assert_eq!(dateline(&ls).unwrap().place.as_deref(), Some("NEW YORK"));
        let ls = lines("Vienna, Austria, 21 February 2019 — Today UNODC said");
        let dl = dateline(&ls).unwrap();
        assert_eq!(dl.place.as_deref(), Some("Vienna, Austria"));
        let ls = lines("Press Release - 21 February 2019 - The office");
        let dl = dateline(&ls).unwrap();
        assert_eq!(dl.place, None);
        assert!(dateline(&lines("The meeting - 21 February 2019 - was held")).is_none());
        assert!(dateline(&lines("Vienna - 2019 - a year")).is_none());
    }

    #[test]
    fn authors() {
        let f = author(&lines("28 January 2020\nby Vera NYGARD\n")).unwrap();
        assert_eq!(f.value, "Vera Nygard");
        assert_eq!(f.from, "text: 'by' line 2");
        let f = author(&lines("By JEAN-PIERRE O'NEILL and Ann van Dyke")).unwrap();
        assert_eq!(f.value, "Jean-Pierre O'Neill; Ann van Dyke");
        assert!(author(&lines("by OpenDemocracy and is unaltered")).is_none());
        assert!(author(&lines("This story was published by Vera Nygard")).is_none());
        assert!(author(&lines("by Vera Nygard, Research Fellow")).is_none());
        let f = author(&lines("a\nb\nAuthor: UNODC Research Team")).unwrap();
        assert_eq!(f.value, "UNODC Research Team");
        assert_eq!(f.from, "text: 'Author:' line 3");
        assert!(author(&lines("Author: unknown")).is_none());
        let f = author(&lines("By the way\nby UNODC Research Team")).unwrap();
        assert_eq!(f.value, "UNODC Research Team");
        assert!(author(&lines("by United Nations and its partners")).is_none());
    }

    #[test]
    fn tags_urls_licenses() {
        let f = tags(&lines("x\nTags: Europe, Forced labour; ; europe")).unwrap();
        assert_eq!(f.value, vec!["Europe", "Forced labour"]);
        assert_eq!(f.from, "text: 'Tags:' line 2");

        let f = url(&lines("[1] Url: https://example.org/a/b/.")).unwrap();
        assert_eq!(f.value, "https://example.org/a/b/");
        let f = url(&lines(
            "Source: https://a.org/x\nOriginally published at https://b.org/y)",
        ))
        .unwrap();
        assert_eq!(f.value, "https://b.org/y");
        assert!(url(&lines("Source: https://a.org/x, p. 12")).is_none());

        for (text, want) in [
            ("Creative Commons CC BY-ND 4.0.", "CC BY-ND 4.0"),
            ("licensed under CC-BY-NC-SA 3.0 IGO", "CC BY-NC-SA 3.0 IGO"),
            ("Released as CC0", "CC0"),
            (
                "This work is licensed under a Creative Commons Attribution-NonCommercial 4.0 International License.",
                "CC BY-NC 4.0",
            ),
            ("License: MIT License.", "MIT License"),
            ("Content is licensed under the Open Government Licence v3.0.", "Open Government Licence v3.0"),
        ] {
            assert_eq!(license(&lines(text)).map(|f| f.value).as_deref(), Some(want), "{text}");
        }
        assert!(license(&lines("The accountant and the CCTV")).is_none());
    }

    #[test]
    fn titles() {
        let text = "(C) OpenDemocracy\nThis story was originally published by OpenDemocracy and is unaltered.\n. . . .\n\nThe UN’s missed chance [1]\n";
        let f = title(&lines(text)).unwrap();
        assert_eq!(f.value, "The UN’s missed chance");
        assert_eq!(f.from, "text: line 5");
        assert!(title(&lines(
            "(1) research and awareness raising;\nResearch |\n[]\n___"
        ))
        .is_none());
        for t in [
            "Rights of Trafficking Victims",
            "Source Countries and Destinations",
            "Language Barriers in Victim Support",
        ] {
            assert_eq!(title(&lines(t)).map(|f| f.value).as_deref(), Some(t));
        }
        assert!(title(&lines("Posted on 3 May 2020\nSource: UNODC")).is_none());
        let f = title(&lines("Title: A Report [2]\nOther")).unwrap();
        assert_eq!(f.value, "A Report");
        assert!(junk_title("Microsoft Word - report.docx"));
        assert!(!junk_title("Global Report on Trafficking in Persons"));
        assert!(junk_author("Microsoft® Word 2016"));
        assert!(!junk_author("Vera Nygard"));
    }
}
