//! Metadata from the printed layout of a PDF's first pages: the title a reader would cite is
//! the largest text of the cover, not its first line.

/// One printed line of a PDF's first pages, with the size it is set in.
#[derive(Clone, Debug, PartialEq)]
pub struct SizedLine {
    /// 1-based page number.
    pub page: u32,
    /// Font size in points as drawn (text matrix applied).
    pub size: f32,
    /// Baseline, in points from the top of the page.
    pub top: f32,
    /// The line's text, words separated by single spaces.
    pub text: String,
}

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::date::{Date, Precision};
use super::{clean, Field};

/// Display type is set at least this much larger than the body text around it.
const DISPLAY_RATIO: f32 = 1.2;
/// Lines within this fraction of the largest size belong to the main title.
const MAIN_RATIO: f32 = 0.8;
/// A subtitle is set clearly larger than the body, not just a lead paragraph in bigger type.
const SUBTITLE_RATIO: f32 = 1.4;
/// A title a reader cites is a few lines; more is running text set large.
const MAX_TITLE_WORDS: usize = 30;

fn rx(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

/// The size most of the characters on the first pages are set in.
fn body_size(lines: &[SizedLine]) -> Option<f32> {
    let mut sizes: Vec<(f32, usize)> = lines
        .iter()
        .map(|l| {
            (
                l.size,
                l.text.chars().filter(|c| c.is_alphanumeric()).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: usize = sizes.iter().map(|s| s.1).sum();
    let mut seen = 0;
    for (size, n) in sizes {
        seen += n;
        if seen * 2 >= total {
            return Some(size);
        }
    }
    None
}

/// A line reduced for comparing across pages: letters only, lowercase (page numbers and dates
/// in running headers differ from page to page).
fn furniture_key(line: &str) -> String {
    line.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Lines printed at the top or bottom of many pages: running headers and footers.
pub(crate) fn running_lines(pages: &[String]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        let edge = lines.len().min(3);
        let mut keys: Vec<String> = lines[..edge]
            .iter()
            .chain(&lines[lines.len() - edge..])
            .map(|l| furniture_key(l))
            .filter(|k| k.len() >= 3)
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let needed = (pages.len() / 3).max(3);
    counts.retain(|_, n| *n >= needed);
    counts
}

/// How letters and e-mails open and close.
static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)^(?:dear\b|hello\b|hi\b|greetings\b|good (?:morning|afternoon|evening)\b|to whom it may concern|to:|from:|subject:|re:|memorandum\b|sincerely\b|best regards\b|kind regards\b|thanks,|thank you,|yours (?:sincerely|faithfully|truly)\b)",
    )
});
/// Address words printed on covers ("To", "From", "For"), which are never a title alone.
static ADDRESS_WORD: LazyLock<Regex> = LazyLock::new(|| rx(r"(?i)^(?:to|from|for|by|and|of)$"));
/// Words of the banners stamped on covers and pages; a line made only of them (with page
/// numbers and separators) is a banner.
static BANNER: LazyLock<Regex> = LazyLock::new(|| {
    rx(
        r"(?i)\b(?:strictly|confidential|draft|final|for|official|use|only|restricted|internal|not|public|distribution|embargoed|until|sensitive|unclassified|classified|sample|preview|advance|unedited|copy|version|page|p)\b",
    )
});

/// Whether a line is a banner: nothing left once banner words, numbers and separators go.
fn banner(text: &str) -> bool {
    BANNER.is_match(text)
        && !BANNER
            .replace_all(text, "")
            .chars()
            .any(char::is_alphabetic)
}

static PAGE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)^(?:page\s*)?[\divxlc]{1,6}(?:\s*(?:of|/)\s*\d+)?$"));
static URLISH: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)(?:https?://|www\.|\S+@\S+\.\w+|\.(?:org|com|gov|net|int|edu)\b)"));
static COPYRIGHT: LazyLock<Regex> =
    LazyLock::new(|| rx(r"(?i)©|\bcopyright\b|\ball rights reserved\b"));

/// Whether a page reads as a letter or an e-mail: its opening lines greet someone.
fn letter_page(lines: &[&SizedLine]) -> bool {
    lines
        .iter()
        .take(12)
        .any(|l| SALUTATION.is_match(l.text.trim()))
}

/// Whether a display line can be part of a title: banners, page numbers, dates, salutations,
/// addresses and notices are printed large too, and are never one.
fn title_line(text: &str, running: &HashMap<String, usize>) -> bool {
    let t = text.trim();
    t.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && !banner(t)
        && !PAGE_NUMBER.is_match(t)
        && !SALUTATION.is_match(t)
        && !ADDRESS_WORD.is_match(t)
        && !URLISH.is_match(t)
        && !COPYRIGHT.is_match(t)
        && Date::parse(t).is_none()
        && !running.contains_key(&furniture_key(t))
}

/// Join title lines: a line that starts in lowercase or follows one ending in a connector
/// continues the sentence; a new capitalised line after a complete main title is a subtitle.
fn join_lines(main: &[&SizedLine], sub: &[&SizedLine]) -> String {
    let mut title = main
        .iter()
        .map(|l| l.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let sub = sub
        .iter()
        .map(|l| l.text.trim())
        .collect::<Vec<_>>()
        .join(" ");
    if !sub.is_empty() {
        let continues = sub.starts_with(|c: char| c.is_lowercase())
            || title.ends_with([':', '-', '–', '—', ','])
            || title.rsplit(' ').next().is_some_and(|w| {
                ["of", "for", "and", "the", "in", "on", "to", "a", "an"]
                    .contains(&w.to_lowercase().as_str())
            });
        title.push_str(if continues { " " } else { ": " });
        title.push_str(&sub);
    }
    title
}

/// The title printed on the cover: the largest text of the first page that has display text
/// and is not a letter, its lines joined, with a subtitle set large just below it.
pub(crate) fn title(cover: &[SizedLine], pages: &[String]) -> Option<Field<String>> {
    let body = body_size(cover)?;
    let running = running_lines(pages);
    let last_page = cover.iter().map(|l| l.page).max()?;
    for page in 1..=last_page {
        let on_page: Vec<&SizedLine> = cover.iter().filter(|l| l.page == page).collect();
        if on_page.is_empty() || letter_page(&on_page) {
            continue;
        }
        // Display lines top to bottom; body text beside them (a second column, a contents
        // list) is not part of the title and does not interrupt it.
        let mut lines: Vec<&SizedLine> = on_page
            .into_iter()
            .filter(|l| l.size >= body * DISPLAY_RATIO && title_line(&l.text, &running))
            .collect();
        lines.sort_by(|a, b| a.top.total_cmp(&b.top));
        let Some(largest) = lines.iter().map(|l| l.size).max_by(f32::total_cmp) else {
            continue;
        };
        // The main title: the first largest line and the lines of about its size next to it.
        let first = lines.iter().position(|l| l.size >= largest * 0.95)?;
        let close = |a: &SizedLine, b: &SizedLine, sizes: f32| {
            (b.top - a.top).abs() <= sizes * a.size.max(b.size)
        };
        let main = |l: &SizedLine| l.size >= largest * MAIN_RATIO;
        let mut start = first;
        while start > 0 && main(lines[start - 1]) && close(lines[start - 1], lines[start], 2.2) {
            start -= 1;
        }
        let mut end = first + 1;
        while end < lines.len() && main(lines[end]) && close(lines[end - 1], lines[end], 2.2) {
            end += 1;
        }
        // A subtitle: the lines just below in one smaller size that is still display type.
        let mut sub_end = end;
        let sub_size = lines.get(end).map_or(0.0, |l| l.size);
        while sub_end < lines.len()
            && !main(lines[sub_end])
            && lines[sub_end].size >= body * SUBTITLE_RATIO
            && (lines[sub_end].size - sub_size).abs() <= 0.1 * sub_size
            && close(lines[sub_end - 1], lines[sub_end], 4.0)
        {
            sub_end += 1;
        }
        let mut title = join_lines(&lines[start..end], &lines[end..sub_end]);
        if title.split_whitespace().count() > MAX_TITLE_WORDS {
            title = join_lines(&lines[start..end], &[]);
        }
        if title.split_whitespace().count() > MAX_TITLE_WORDS {
            continue;
        }
        return clean(&title).map(|value| Field {
            value,
            from: format!("pdf cover: largest text, page {page}"),
        });
    }
    None
}

/// A date printed on its own line of the first two pages, at least to the month ("October 2021").
pub(crate) fn date(cover: &[SizedLine]) -> Option<Field<Date>> {
    cover.iter().filter(|l| l.page <= 2).find_map(|l| {
        let d = Date::parse(l.text.trim()).filter(|d| d.precision() >= Precision::Month)?;
        Some(Field {
            value: d,
            from: format!("pdf cover: date line, page {}", l.page),
        })
    })
}
