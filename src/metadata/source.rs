//! Who published a document: copyright lines, "originally published by",
//! contact addresses of well-known organisations, and the folder it sits in.

use std::sync::LazyLock;

use regex::Regex;

use super::gazetteer;
use super::text_cues::Line;
use super::{clean, Field};
use crate::text::collapse_whitespace;

/// Domains whose contact addresses identify the publishing organisation.
///
/// Kept small on purpose: an address of an unknown domain says nothing
/// reliable about who published the document.
const ORGANISATIONS: &[(&str, &str)] = &[
    ("unodc.org", "UNODC"),
    ("un.org", "United Nations"),
    ("iom.int", "IOM"),
    ("ilo.org", "ILO"),
    ("unicef.org", "UNICEF"),
    ("ohchr.org", "OHCHR"),
    ("unhcr.org", "UNHCR"),
    ("coe.int", "Council of Europe"),
    ("osce.org", "OSCE"),
    ("europa.eu", "European Union"),
    ("europol.europa.eu", "Europol"),
    ("interpol.int", "INTERPOL"),
    ("state.gov", "U.S. Department of State"),
    ("dhs.gov", "U.S. Department of Homeland Security"),
    ("justice.gov", "U.S. Department of Justice"),
    ("polarisproject.org", "Polaris"),
    ("opendemocracy.net", "OpenDemocracy"),
    ("antislavery.org", "Anti-Slavery International"),
    ("walkfree.org", "Walk Free"),
    ("hrw.org", "Human Rights Watch"),
    ("amnesty.org", "Amnesty International"),
];

/// The organisation owning a domain or one of its subdomains; the most specific entry wins.
pub(crate) fn organisation_for_domain(domain: &str) -> Option<&'static str> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    ORGANISATIONS
        .iter()
        .filter(|(d, _)| {
            domain == *d
                || (domain.len() > d.len()
                    && domain.ends_with(d)
                    && domain.as_bytes()[domain.len() - d.len() - 1] == b'.')
        })
        .max_by_key(|(d, _)| d.len())
        .map(|(_, org)| *org)
}

fn rx(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

static COPYRIGHT_MARK: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:\[\d+\]\s*)?(?i:copyright)\b(?:\s*(?:\([cC]\)|©))?|©|\(C\)"));
static ORIGINALLY: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"(?i)\b(?:originally|first)\s+(?:published|appeared|posted)\s+(?:by|in|on|at)\s+")
});
/// Phrases that name who issued the document; the name after them must be an organisation,
/// since "prepared by" is as often followed by the people who wrote it.
static ISSUED_BY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)^(?:published|prepared|produced|issued|compiled)\s+(?:and\s+\w+\s+)?by:?\s+(?:the\s+)?|\b(?:report|guide|document|publication|study|toolkit|brief|handbook|manual|resource)\s+(?:was\s+|is\s+|has\s+been\s+)?(?:published|prepared|produced|issued)\s+by\s+(?:the\s+)?|\b(?:data|information|findings|statistics)\s+(?:reported|published|presented|collected|compiled)\s+by\s+(?:the\s+)?|\bwithout\s+(?:the\s+)?(?:prior\s+)?(?:written\s+)?permission\s+(?:from|of)\s+(?:the\s+)?",
    )
});
/// What may sit between a copyright mark and the holder's name.
static LEAD: LazyLock<Regex> =
    LazyLock::new(|| rx(r"^(?:\s+|[,:]|\d{4}(?:\s*[-–]\s*\d{4})?|(?i:by)\b|\([cC]\)|©)*"));
/// What may follow the holder's name for the line to still be a plain copyright notice.
static TRAIL_OK: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:\s|,)*(?:\d{4}(?:\s*[-–]\s*\d{4})?(?:\s|,)*)*(?:$|[.;|–—\-(]|(?i:all\s+rights\s+reserved))",
    )
});
static TOKEN: LazyLock<Regex> = LazyLock::new(|| rx(r"\S+"));
static ABBREVIATION: LazyLock<Regex> = LazyLock::new(|| rx(r"^(?:\p{Lu}\.){2,}$"));

const NAME_CONNECTORS: &[&str] = &[
    "of", "the", "for", "and", "&", "on", "de", "du", "des", "la", "le", "in", "against", "to",
];
/// First words that show "Copyright X" is about copyright itself, not a holder.
const NOT_HOLDER: &[&str] = &[
    "act",
    "law",
    "laws",
    "notice",
    "policy",
    "information",
    "statement",
    "holder",
    "holders",
    "owner",
    "owners",
    "protection",
    "infringement",
    "office",
];
/// First words that show a title-cased sentence about copyright, not a holder's name
/// ("Copyright Also Means Copyright-like Laws…" in title case).
const NOT_NAME_START: &[&str] = &[
    "also", "means", "is", "are", "was", "applies", "apply", "shall", "may", "does", "do", "has",
    "have", "and", "or", "but", "that", "this", "these", "which", "will", "can", "not", "no",
];

/// Leading run of capitalised words (with inner connectors) and the byte offset where it ends.
fn name_run(s: &str) -> Option<(String, usize)> {
    let mut words: Vec<&str> = Vec::new();
    let mut end = 0;
    let mut committed = 0; // words up to the last capitalised one
    for tok in TOKEN.find_iter(s) {
        let raw = tok.as_str();
        if words.len() >= 10 {
            break;
        }
        let core = raw.trim_end_matches([',', ';', ':', '.', ')']);
        let stops = core.len() != raw.len();
        let capital = core.chars().next().is_some_and(char::is_uppercase)
            || (core == "&" && !words.is_empty());
        if ABBREVIATION.is_match(raw) {
            // "U.S." keeps its dots and does not end the name.
            words.push(raw);
            committed = words.len();
            end = tok.end();
            continue;
        }
        if capital && !core.is_empty() {
            words.push(core);
            committed = words.len();
            end = tok.start() + core.len();
            if stops {
                break;
            }
        } else if !words.is_empty() && !stops && NAME_CONNECTORS.contains(&core) {
            words.push(core);
        } else {
            break;
        }
    }
    words.truncate(committed);
    if words.is_empty() {
        return None;
    }
    Some((words.join(" "), end))
}

fn holder_after_mark(rest: &str) -> Option<String> {
    let lead = LEAD.find(rest).map_or(0, |m| m.end());
    let rest = &rest[lead..];
    let (name, end) = name_run(rest)?;
    if !TRAIL_OK.is_match(&rest[end..]) {
        return None;
    }
    let first = name.split_whitespace().next().unwrap_or("").to_lowercase();
    if NOT_HOLDER.contains(&first.as_str())
        || NOT_NAME_START.contains(&first.as_str())
        || name.contains('/')
    {
        return None;
    }
    clean(&name)
}

static CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"(?i)\b(?:photo\w*|image|picture|credit|illustration|cover|map|graphic|logo)s?\b")
});

fn copyright_line(l: &Line, labels: bool) -> Option<Field<String>> {
    // Photo credits ("Photo: © UNICEF/Smith") name the picture's owner, not the publisher.
    let credit = CREDIT.is_match(l.text);
    // In a text whose paragraphs are lettered "(A)", "(B)", a line opening "(C) Briefings" is
    // subparagraph C, not a copyright mark.
    let label = |m: &regex::Match| labels && m.start() == 0 && m.as_str() == "(C)";
    for m in COPYRIGHT_MARK
        .find_iter(l.text)
        .filter(|m| !credit && !label(m))
    {
        if let Some(name) = holder_after_mark(&l.text[m.end()..]) {
            let mark = m
                .as_str()
                .trim_start_matches(|c: char| c == '[' || c == ']' || c.is_ascii_digit());
            let mark = collapse_whitespace(mark);
            return Some(Field {
                value: name,
                from: format!("text: '{mark}' line {}", l.no),
            });
        }
    }
    if let Some(m) = ISSUED_BY.find(l.text) {
        if let Some((name, _)) = name_run(&l.text[m.end()..]) {
            if let Some(org) = organisation_name(&name) {
                let phrase = collapse_whitespace(m.as_str());
                return Some(Field {
                    value: org,
                    from: format!("text: '{phrase}' line {}", l.no),
                });
            }
        }
    }
    let m = ORIGINALLY.find(l.text)?;
    let (name, _) = name_run(&l.text[m.end()..])?;
    let phrase = collapse_whitespace(m.as_str());
    Some(Field {
        value: clean(&name)?,
        from: format!("text: '{phrase}' line {}", l.no),
    })
}

static UNIVERSITY: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?:(?:[A-Z][\w.'’&-]*\s+){1,4}University|University\s+of\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:at\s+)?[A-Z][\w'’-]*){0,3})\b",
    )
});

/// Title case for a name printed in capitals ("ARIZONA STATE UNIVERSITY"); acronyms of up to
/// five letters stay as they are, since a capitals-only line is more often a name than an
/// acronym string.
fn uncapitalise(name: &str) -> String {
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 8 || letters.iter().any(|c| c.is_lowercase()) {
        return name.to_string();
    }
    name.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            if ["of", "and", "for", "the", "on", "at", "in"].contains(&lower.as_str()) {
                return lower;
            }
            let mut cs = lower.chars();
            cs.next()
                .map(|c| c.to_uppercase().chain(cs).collect())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The organisation a name denotes: one the gazetteer knows, a university, or a capitalised
/// name with an organisation word ("… Foundation", "Ministry of …").
pub(crate) fn organisation_name(name: &str) -> Option<String> {
    let name = uncapitalise(name.trim().trim_end_matches(['.', ',', ';', ':']));
    if let Some(org) = gazetteer::organisation(&name) {
        return Some(org.to_string());
    }
    if let Some(m) = UNIVERSITY.find(&name) {
        return Some(m.as_str().to_string());
    }
    super::text_cues::organisation_name(&name)
}

/// A PDF's Author field when it names an organisation: "Blue Campaign - Department of Homeland
/// Security" names two, the first being the more specific.
pub(crate) fn from_author_hints(hints: &[super::Hint]) -> Option<Field<String>> {
    hints
        .iter()
        .filter(|h| super::hints::classify(&h.key) == super::hints::Key::Author)
        .find_map(|h| {
            h.values.iter().find_map(|v| {
                let org = std::iter::once(v.as_str())
                    .chain(
                        v.split([';', ','])
                            .chain(v.split(" - "))
                            .chain(v.split(" – ")),
                    )
                    .find_map(organisation_name)?;
                Some(Field {
                    value: org,
                    from: format!("{} (an organisation)", h.from),
                })
            })
        })
}

/// An organisation printed on a line of its own on the first two pages (cover, title page).
pub(crate) fn from_cover(cover: &[super::SizedLine]) -> Option<Field<String>> {
    cover
        .iter()
        .filter(|l| l.page <= 2 && l.text.split_whitespace().count() <= 12)
        .find_map(|l| {
            let text = uncapitalise(l.text.trim());
            let org = gazetteer::organisation(&text)
                .map(str::to_string)
                .or_else(|| UNIVERSITY.find(&text).map(|m| m.as_str().to_string()))?;
            Some(Field {
                value: org,
                from: format!("pdf cover: organisation line, page {}", l.page),
            })
        })
}

static DOMAIN_LINE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)^(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)*([a-z0-9-]+)\.(?:org|com|net|gov|int|edu|info|eu|ngo|mil|ca|uk|au))/?$",
    )
});

/// The capitalised name in `text` whose letters spell `label` ("eyesupappalachia" is "Eyes Up
/// Appalachia"), so a web domain can name its owner as the owner writes itself.
fn name_spelling(text: &str, label: &str) -> Option<String> {
    let label = label.replace('-', "");
    if label.len() < 4 {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    for start in 0..words.len() {
        let mut spelled = String::new();
        for end in start..words.len().min(start + 6) {
            let w = words[end].trim_matches(|c: char| !c.is_alphanumeric());
            if !w.starts_with(char::is_uppercase) {
                break;
            }
            spelled.extend(
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase),
            );
            if spelled == label {
                let name: Vec<&str> = words[start..=end]
                    .iter()
                    .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                    .collect();
                return Some(name.join(" "));
            }
            if !label.starts_with(&spelled) {
                break;
            }
        }
    }
    None
}

/// A line at the top or bottom of most pages that is an organisation or its web address:
/// a running footer names who issued the document.
pub(crate) fn from_running_lines(pages: &[String], text: &str) -> Option<Field<String>> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for page in pages {
        let lines: Vec<&str> = page
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let edge = lines.len().min(3);
        let mut seen: Vec<&str> = lines[..edge]
            .iter()
            .chain(&lines[lines.len() - edge..])
            .copied()
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for l in seen {
            match counts.iter_mut().find(|c| c.0 == l) {
                Some(c) => c.1 += 1,
                None => counts.push((l, 1)),
            }
        }
    }
    let needed = (pages.len() / 2).max(3);
    counts
        .iter()
        .filter(|(_, n)| *n >= needed)
        .find_map(|(line, n)| {
            let org = match DOMAIN_LINE.captures(line) {
                Some(c) => organisation_for_domain(c.get(1)?.as_str())
                    .map(str::to_string)
                    .or_else(|| name_spelling(text, c.get(2)?.as_str()))?,
                None => gazetteer::organisation(line)?.to_string(),
            };
            Some(Field {
                value: org,
                from: format!("text: running footer '{line}' on {n} pages"),
            })
        })
}

/// The organisation the text names far more often than any other (by any of its names), when
/// it is named often: a report mentions its publisher throughout.
pub(crate) fn dominant_organisation(text: &str) -> Option<Field<String>> {
    let mut counts = gazetteer::mentions(text);
    // Umbrella bodies are named in any text about international law, by whoever wrote it.
    counts.retain(|c| !UMBRELLA.contains(&c.0));
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let (org, n) = *counts.first()?;
    let runner_up = counts.get(1).map_or(0, |c| c.1);
    (n >= DOMINANT_MENTIONS && n >= 2 * runner_up.max(1)).then(|| Field {
        value: org.to_string(),
        from: format!("text: named {n} times (next organisation {runner_up})"),
    })
}

const UMBRELLA: &[&str] = &["United Nations", "European Union"];

static FIGURE_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"^(?i:sources?):\s+(?:the\s+)?(.{2,80}?)\s+(?i:elaboration|calculations?|analysis|estimates|compilation)\b",
    )
});

/// The organisation credited as the maker of the document's figures ("Source: UNODC
/// elaboration of national data") on two lines or more: whoever analysed the data published it.
pub(crate) fn from_figure_sources(lines: &[Line]) -> Option<Field<String>> {
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    for l in lines.iter().filter(|l| l.text.len() <= 400) {
        let Some(c) = FIGURE_SOURCE.captures(l.text) else {
            continue;
        };
        let Some(org) = organisation_name(c.get(1)?.as_str()) else {
            continue;
        };
        match counts.iter_mut().find(|c| c.0 == org) {
            Some(c) => c.1 += 1,
            None => counts.push((org, 1, l.no)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let (org, n, first) = counts.into_iter().next().filter(|c| c.1 >= 2)?;
    Some(Field {
        value: org,
        from: format!("text: 'Source: … elaboration' on {n} figures (first line {first})"),
    })
}

/// How often an organisation must be named to be taken as the publisher by mentions alone.
const DOMINANT_MENTIONS: usize = 8;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    rx(r"(?i)\b[a-z0-9._%+\-]+@((?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,})\b")
});
static CONTACT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)\b(?:contact\w*|e-?mail\w*|write\s+to|reach\w*|enquir\w*|inquir\w*|send\w*|questions?)\b",
    )
});

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The sentence around `start..end`, bounded by the line and a window so huge lines stay cheap.
fn sentence_around(text: &str, start: usize, end: usize) -> (&str, &str) {
    let lo = floor_boundary(text, start.saturating_sub(200));
    let hi = ceil_boundary(text, end + 120);
    let lo = text[lo..start].rfind('\n').map_or(lo, |i| lo + i + 1);
    let hi = text[end..hi].find('\n').map_or(hi, |i| end + i);
    let before = &text[lo..start];
    let after = &text[end..hi];
    let before = before
        .rfind([';', '!', '?'])
        .into_iter()
        .chain(before.rfind(". "))
        .max()
        .map_or(before, |i| &before[i + 1..]);
    let after = after.find(". ").map_or(after, |i| &after[..i]);
    (before, after)
}

pub(crate) fn contact_email(text: &str) -> Option<Field<String>> {
    for c in EMAIL.captures_iter(text) {
        let (Some(all), Some(domain)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let Some(org) = organisation_for_domain(domain.as_str()) else {
            continue;
        };
        let (before, after) = sentence_around(text, all.start(), all.end());
        if !CONTACT_WORDS.is_match(before) && !CONTACT_WORDS.is_match(after) {
            continue;
        }
        let line = text[..all.start()].matches('\n').count() + 1;
        return Some(Field {
            value: org.to_string(),
            from: format!(
                "text: contact e-mail domain {} (line {line})",
                domain.as_str().to_ascii_lowercase()
            ),
        });
    }
    None
}

/// The publisher named in the text: a copyright, "originally published by", "published by",
/// "data reported by" or "without permission from" line.
pub(crate) fn from_text(lines: &[Line]) -> Option<Field<String>> {
    let labels = lines
        .iter()
        .any(|l| l.text.starts_with("(A)") || l.text.starts_with("(B)"));
    lines
        .iter()
        .filter(|l| l.text.len() <= 400)
        .filter(|l| {
            let lower = l.text.to_ascii_lowercase();
            l.text.contains('©')
                || l.text.contains("(C)")
                || [
                    "copyright",
                    "published",
                    "appeared",
                    "posted",
                    "prepared",
                    "produced",
                    "issued",
                    "compiled",
                    "permission",
                    "reported",
                    "presented",
                    "collected",
                ]
                .iter()
                .any(|w| lower.contains(w))
        })
        .find_map(|l| copyright_line(l, labels))
}

/// The first folder under the root as a source, when it names a known organisation however it
/// is cased or joined (`unodc`, `eu-commission`, `State_Dept`), or reads like a name ("Walk
/// Free"): a year, a number or an identifier such as `title-22-ch78` or `pdf-reports` is how
/// someone filed the files, not who published them.
pub(crate) fn from_folder(folder: Option<&str>) -> Option<Field<String>> {
    let name = clean(folder?)?;
    if let Some(known) = gazetteer::organisation(&name.replace('_', " ")) {
        return Some(Field {
            value: known.to_string(),
            from: super::FROM_FOLDER.to_string(),
        });
    }
    let capital = name.chars().any(char::is_uppercase);
    let slug = !name.contains(' ')
        && name.contains(['-', '_'])
        && name
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_lowercase);
    let coded = name.split([' ', '-', '_']).any(|part| {
        part.chars().any(|c| c.is_ascii_digit()) && part.chars().any(char::is_alphabetic)
    });
    if !name.chars().any(char::is_alphabetic) || slug || coded || !capital {
        return None;
    }
    Some(Field {
        value: name,
        from: super::FROM_FOLDER.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::text_cues::non_empty_lines;
    use super::*;

    fn src(text: &str) -> Option<(String, String)> {
        from_text(&non_empty_lines(text))
            .or_else(|| contact_email(text))
            .map(|f| (f.value, f.from))
    }

    #[test]
    fn copyright_forms() {
        for (text, want, from) in [
            ("(C) OpenDemocracy", "OpenDemocracy", "text: '(C)' line 1"),
            (
                "x\n© 2021 Polaris. All rights reserved.",
                "Polaris",
                "text: '©' line 2",
            ),
            ("Copyright 2020 UNODC", "UNODC", "text: 'Copyright' line 1"),
            (
                "Copyright © 2019-2021 by Walk Free Foundation",
                "Walk Free Foundation",
                "text: 'Copyright ©' line 1",
            ),
            (
                "Published and (C) by OpenDemocracy",
                "OpenDemocracy",
                "text: '(C)' line 1",
            ),
            (
                "This story was originally published by OpenDemocracy and is unaltered.",
                "OpenDemocracy",
                "text: 'originally published by' line 1",
            ),
            ("© UNODC 2020", "UNODC", "text: '©' line 1"),
            (
                "© U.S. Department of State, 2020",
                "U.S. Department of State",
                "text: '©' line 1",
            ),
            (
                "Copyright (c) United Nations Office on Drugs and Crime",
                "United Nations Office on Drugs and Crime",
                "text: 'Copyright (c)' line 1",
            ),
        ] {
            assert_eq!(
                src(text),
                Some((want.to_string(), from.to_string())),
                "{text}"
            );
        }
    }

    #[test]
    fn not_copyright() {
        for text in [
            "(C) The Committee shall consider the report",
            "(c) the strengthening of partnerships",
            "The Copyright Act 1976 protects works",
            "Copyright law differs",
            "Copyright Also Means Copyright-like Laws That Apply to Other Kinds",
            "Copyright Is Not Transferred",
            "Copyright Notice.",
            "via Magical.Fish Gopher News Feeds:",
            "It was originally published on 12 March 2020.",
            "Write to info@example.org for details",
            "The report by ahtmsu@unodc.org was good",
            "Photo: © UNICEF/Smith",
            "© UNICEF/Smith",
            "Cover image (C) ILO",
        ] {
            assert_eq!(src(text), None, "{text}");
        }
    }

    #[test]
    fn contact_emails() {
        let text = "Intro.\nFor more, please email ahtmsu@unodc.org or telephone +43.";
        assert_eq!(
            src(text),
            Some((
                "UNODC".into(),
                "text: contact e-mail domain unodc.org (line 2)".into()
            ))
        );
        let text = "Contact: press@europol.europa.eu";
        assert_eq!(src(text).map(|s| s.0).as_deref(), Some("Europol"));
        let text = "Contact: someone@ec.europa.eu";
        assert_eq!(src(text).map(|s| s.0).as_deref(), Some("European Union"));
        let text = "E-mail: x@www.unodc.org";
        assert_eq!(src(text).map(|s| s.0).as_deref(), Some("UNODC"));
        assert_eq!(organisation_for_domain("notun.org"), None);
        assert_eq!(organisation_for_domain("un.org"), Some("United Nations"));
    }

    #[test]
    fn folders() {
        assert_eq!(from_folder(Some("2019")), None);
        assert_eq!(from_folder(Some("2019-2020")), None);
        assert_eq!(from_folder(Some("  ")), None);
        assert_eq!(from_folder(None), None);
        let f = from_folder(Some("UNODC")).unwrap();
        assert_eq!((f.value.as_str(), f.from.as_str()), ("UNODC", "folder"));
        // Folders named after a known organisation, the way people name folders.
        for (folder, source) in [
            ("unodc", "UNODC"),
            ("ilo", "ILO"),
            ("eu-commission", "European Commission"),
            ("us_state_dept", "U.S. Department of State"),
            ("opendemocracy", "OpenDemocracy"),
        ] {
            assert_eq!(from_folder(Some(folder)).unwrap().value, source, "{folder}");
        }
        // An unknown lower-case slug is still a filing label, not a publisher.
        assert_eq!(from_folder(Some("newswire")), None);
        assert_eq!(from_folder(Some("pdf-reports")), None);
    }
}
