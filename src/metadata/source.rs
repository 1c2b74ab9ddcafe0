//! Who published a document: copyright lines, "originally published by",
//! contact addresses of well-known organisations, and the folder it sits in.

use std::sync::LazyLock;

use regex::Regex;

use super::text_cues::Line;
use super::{clean, Field};

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

fn copyright_line(l: &Line) -> Option<Field<String>> {
    // Photo credits ("Photo: © UNICEF/Smith") name the picture's owner, not the publisher.
    let credit = CREDIT.is_match(l.text);
    for m in COPYRIGHT_MARK.find_iter(l.text).filter(|_| !credit) {
        if let Some(name) = holder_after_mark(&l.text[m.end()..]) {
            let mark = m
                .as_str()
                .trim_start_matches(|c: char| c == '[' || c == ']' || c.is_ascii_digit());
            let mark = mark.split_whitespace().collect::<Vec<_>>().join(" ");
            return Some(Field {
                value: name,
                from: format!("text: '{mark}' line {}", l.no),
            });
        }
    }
    let m = ORIGINALLY.find(l.text)?;
    let (name, _) = name_run(&l.text[m.end()..])?;
    let phrase = m.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Field {
        value: clean(&name)?,
        from: format!("text: '{phrase}' line {}", l.no),
    })
}

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

fn contact_email(text: &str) -> Option<Field<String>> {
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

/// The publisher named in the text: a copyright or "originally published by"
/// line, else the organisation behind a contact e-mail address.
pub(crate) fn from_text(text: &str, lines: &[Line]) -> Option<Field<String>> {
    lines
        .iter()
        .filter(|l| l.text.len() <= 400)
        .filter(|l| {
            l.text.contains('©')
                || l.text.contains("(C)")
                || l.text.to_ascii_lowercase().contains("copyright")
                || l.text.to_ascii_lowercase().contains("published")
                || l.text.to_ascii_lowercase().contains("appeared")
                || l.text.to_ascii_lowercase().contains("posted")
        })
        .find_map(copyright_line)
        .or_else(|| contact_email(text))
}

/// The first folder under the root as a source, unless it is only a year or number.
pub(crate) fn from_folder(folder: Option<&str>) -> Option<Field<String>> {
    let name = clean(folder?)?;
    if !name.chars().any(char::is_alphabetic) {
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
        from_text(text, &non_empty_lines(text)).map(|f| (f.value, f.from))
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
    }
}
