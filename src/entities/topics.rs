//! Organisations, legal instruments and forms of exploitation a text names, from gazetteers:
//! the organisations are the publisher gazetteer's ([`crate::metadata::organisations`]), the
//! instruments and forms are listed here ([`INSTRUMENTS`], [`FORMS`]), and the sections of
//! 18 U.S.C. chapter 77 (§§ 1581–1597) are read from their citations in any of their written
//! forms ("18 U.S.C. § 1591", "18 USC 1591", "section 1589 of title 18", "§ 1591(a)").
//!
//! Matching, by principle (one pass over the words of the text for all three kinds):
//! - whole words, so "ILO" is not inside "kILOmetre" and "forced labour" not in "unforced";
//! - a word written in capitals in the gazetteer (an acronym: "ILO", "TVPA") must be written so
//!   in the text; a capitalised word must be capitalised ("Polaris"); a lower-case word
//!   (the forms: "debt bondage") matches in any case;
//! - the words of a name may be separated by spaces, line breaks or hyphens, not by a sentence;
//! - British and American spellings are one ("labour"/"labor", "organisation"/"organization"),
//!   and a form's plural is the form ("child soldiers"/"child soldier");
//! - the longest name wins at each word: "United Nations Convention against Transnational
//!   Organized Crime" is UNTOC, not the United Nations.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use super::countries::words;
use crate::text::Words;
use serde::{Deserialize, Serialize};

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicKind {
    /// An organisation of the field (UNODC, IOM, Polaris).
    Org,
    /// A legal instrument (Palermo Protocol, TVPA, 18 U.S.C. § 1591).
    Instrument,
    /// A form of exploitation (forced labour, debt bondage).
    Exploitation,
}

impl TopicKind {
    /// Every kind, in display order.
    pub const ALL: [TopicKind; 3] = [
        TopicKind::Org,
        TopicKind::Instrument,
        TopicKind::Exploitation,
    ];

    /// Its name in flags, facets and JSON.
    pub fn name(self) -> &'static str {
        match self {
            TopicKind::Org => "org",
            TopicKind::Instrument => "instrument",
            TopicKind::Exploitation => "exploitation",
        }
    }
}

/// One topic's mentions in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMentions {
    /// Organisation, instrument or form.
    pub kind: TopicKind,
    /// Its one name ("UNODC", "Palermo Protocol", "18 U.S.C. § 1591", "forced labour").
    pub value: String,
    /// How many times the text names it.
    pub count: u32,
    /// Ordinals of the passages naming it, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passages: Vec<u32>,
}

/// (name, other ways of writing it). Reauthorisations of the TVPA are read with their year
/// ([`tvpra`]), sections of title 18 with their number ([`us_code`]).
pub const INSTRUMENTS: &[(&str, &[&str])] = &[
    (
        "Palermo Protocol",
        &[
            "Trafficking in Persons Protocol",
            "UN TIP Protocol",
            "Protocol to Prevent, Suppress and Punish Trafficking in Persons",
            "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children",
            "Trafficking Protocol",
        ],
    ),
    (
        "UNTOC",
        &[
            "United Nations Convention against Transnational Organized Crime",
            "UN Convention against Transnational Organized Crime",
            "Convention against Transnational Organized Crime",
            "Organized Crime Convention",
            "Palermo Convention",
        ],
    ),
    (
        "TVPA",
        &["Trafficking Victims Protection Act", "Victims of Trafficking and Violence Protection Act"],
    ),
    (
        "EU Directive 2011/36/EU",
        &[
            "Directive 2011/36/EU",
            "2011/36/EU",
            "EU Anti-Trafficking Directive",
            "Anti-Trafficking Directive",
        ],
    ),
    (
        "Council of Europe Convention on Action against Trafficking in Human Beings",
        &[
            "Council of Europe Convention against Trafficking in Human Beings",
            "CoE Convention on Action against Trafficking in Human Beings",
            "Convention on Action against Trafficking in Human Beings",
            "CETS No. 197",
        ],
    ),
    (
        "ILO C29",
        &[
            "Forced Labour Convention",
            "Forced Labour Convention, 1930",
            "ILO Convention No. 29",
            "ILO Convention 29",
            "C29",
            "C029",
        ],
    ),
    (
        "ILO P29",
        &[
            "Protocol of 2014 to the Forced Labour Convention",
            "Forced Labour Protocol",
            "P29",
            "P029",
        ],
    ),
    (
        "ILO C105",
        &["Abolition of Forced Labour Convention", "ILO Convention No. 105", "C105"],
    ),
    (
        "ILO C182",
        &[
            "Worst Forms of Child Labour Convention",
            "ILO Convention No. 182",
            "ILO Convention 182",
            "C182",
        ],
    ),
    (
        "ILO C189",
        &[
            "Domestic Workers Convention",
            "ILO Convention No. 189",
            "ILO Convention 189",
            "C189",
        ],
    ),
    (
        "UK Modern Slavery Act 2015",
        &["Modern Slavery Act 2015", "UK Modern Slavery Act", "MSA 2015"],
    ),
];

/// (name, other ways of writing it): the forms of exploitation of the Palermo Protocol's
/// definition and the US and ILO reporting, written as the field writes them.
pub const FORMS: &[(&str, &[&str])] = &[
    (
        "forced labour",
        &[
            "labour trafficking",
            "trafficking for forced labour",
            "compulsory labour",
        ],
    ),
    (
        "sexual exploitation",
        &[
            "sex trafficking",
            "forced prostitution",
            "commercial sexual exploitation",
            "trafficking for sexual exploitation",
        ],
    ),
    ("forced marriage", &["servile marriage", "forced marriages"]),
    (
        "organ removal",
        &[
            "removal of organs",
            "organ trafficking",
            "trafficking in organs",
            "organ harvesting",
            "trafficking for organ removal",
        ],
    ),
    ("domestic servitude", &["domestic slavery"]),
    (
        "child soldiers",
        &[
            "child soldier",
            "child soldiering",
            "recruitment of child soldiers",
        ],
    ),
    ("forced begging", &["begging"]),
    ("debt bondage", &["bonded labour", "debt servitude"]),
    (
        "forced criminality",
        &["forced criminal activity", "forced criminal activities"],
    ),
];

/// One name as matched: its words (lower-case, ASCII-folded) and how each must be written.
struct Name {
    words: Vec<String>,
    case: Vec<Case>,
    kind: TopicKind,
    value: &'static str,
}

#[derive(Clone, PartialEq, Eq)]
enum Case {
    /// Any case.
    Any,
    /// A capital first letter.
    Capital,
    /// As written (an acronym: "ILO", "CoE").
    Exact(String),
}

/// Every name of the three gazetteers, indexed by first word.
pub struct Topics {
    names: Vec<Name>,
    /// Names by their first word, longest first.
    by_first: super::ByFirstWord,
    /// Folded name → (kind, value), for what a user types.
    lookup: HashMap<(TopicKind, String), &'static str>,
}

static TOPICS: LazyLock<Topics> = LazyLock::new(Topics::build);

/// The gazetteers, built on first use.
pub fn topics() -> &'static Topics {
    &TOPICS
}

/// The American spelling of a word the field writes both ways, else the word.
fn american(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("our") {
        if ["lab", "fav", "behavi", "col", "hon", "neighb"].contains(&stem) {
            return format!("{stem}or");
        }
    }
    for (british, us) in [("isation", "ization"), ("ise", "ize"), ("ised", "ized")] {
        if let Some(stem) = word.strip_suffix(british) {
            if stem.len() >= 4 && !stem.ends_with("erc") && !stem.ends_with("adv") {
                return format!("{stem}{us}");
            }
        }
    }
    word.to_string()
}

/// The British spelling of a word the field writes both ways, if it has one.
fn british(word: &str) -> Option<String> {
    if let Some(stem) = word.strip_suffix("or") {
        if ["lab", "fav", "behavi", "col", "hon", "neighb"].contains(&stem) {
            return Some(format!("{stem}our"));
        }
    }
    [("ization", "isation"), ("ized", "ised"), ("ize", "ise")]
        .iter()
        .find_map(|(us, british)| word.strip_suffix(us).map(|stem| format!("{stem}{british}")))
}

/// A gazetteer word (lower-case) as a text may spell it: as written, American, British.
fn spellings(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    for other in [Some(american(word)), british(word)].into_iter().flatten() {
        if !out.contains(&other) {
            out.push(other);
        }
    }
    out
}

/// A word as a user's name for a topic is compared: lower-case, American spelling.
fn key_word(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.ends_with("our")
        || lower.ends_with("ise")
        || lower.ends_with("ised")
        || lower.ends_with("isation")
    {
        american(&lower)
    } else {
        lower
    }
}

/// A name as a user or a gazetteer writes it, for lookups: its words' keys.
fn lookup_key(name: &str) -> String {
    words(name)
        .into_iter()
        .map(|r| key_word(&name[r]))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Topics {
    fn build() -> Topics {
        let mut names = Vec::new();
        let mut lookup = HashMap::new();
        let mut add = |kind: TopicKind, value: &'static str, written: &str, plural: bool| {
            lookup.insert((kind, lookup_key(written)), value);
            // Every spelling of every word, so the text's words are compared as they are
            // (lower-cased), with no per-word normalising at index time.
            let name = Name::new(written, kind, value);
            let mut forms: Vec<Vec<String>> = vec![Vec::new()];
            for w in &name.words {
                forms = forms
                    .iter()
                    .flat_map(|f| {
                        spellings(w).into_iter().map(move |s| {
                            let mut f = f.clone();
                            f.push(s);
                            f
                        })
                    })
                    .collect();
            }
            if plural {
                let plurals: Vec<Vec<String>> = forms
                    .iter()
                    .filter(|f| f.last().is_some_and(|w| !w.ends_with('s')))
                    .map(|f| {
                        let mut p = f.clone();
                        if let Some(last) = p.last_mut() {
                            last.push('s');
                        }
                        p
                    })
                    .collect();
                forms.extend(plurals);
            }
            for words in forms {
                names.push(Name {
                    words,
                    case: name.case.clone(),
                    kind,
                    value,
                });
            }
        };
        for (org, others) in crate::metadata::organisations() {
            add(TopicKind::Org, org, org, false);
            for o in others {
                add(TopicKind::Org, org, o, false);
            }
        }
        for (value, others) in INSTRUMENTS {
            add(TopicKind::Instrument, value, value, false);
            for o in *others {
                add(TopicKind::Instrument, value, o, false);
            }
        }
        for (value, others) in FORMS {
            add(TopicKind::Exploitation, value, value, true);
            for o in *others {
                add(TopicKind::Exploitation, value, o, true);
            }
        }
        names.retain(|n| !n.words.is_empty());
        let by_first = super::ByFirstWord::new(names.iter().map(|n| n.words.as_slice()));
        Topics {
            names,
            by_first,
            lookup,
        }
    }

    /// The one name of what a user means by `name` in `kind`: any of its names, in any case
    /// and spelling; a section of title 18 by its number in any written form ("1591",
    /// "18 USC 1591", "§ 1591"); a reauthorisation of the TVPA with its year ("TVPRA 2008").
    pub fn lookup(&self, kind: TopicKind, name: &str) -> Option<String> {
        if let Some(v) = self.lookup.get(&(kind, lookup_key(name))) {
            return Some(v.to_string());
        }
        if kind != TopicKind::Instrument {
            return None;
        }
        if let [(TopicKind::Instrument, value, _)] = &self.mentions(name)[..] {
            return Some(value.clone());
        }
        let number: u32 = name.trim().trim_start_matches('§').trim().parse().ok()?;
        SECTIONS.contains(&number).then(|| section_value(number))
    }

    /// Every name of the three gazetteers in `text`, in order: kind, value and byte range.
    pub fn mentions(&self, text: &str) -> Vec<(TopicKind, String, Range<usize>)> {
        self.mentions_in(&Words::new(text))
    }

    /// [`Topics::mentions`] of a text already split into words.
    fn mentions_in(&self, split: &Words) -> Vec<(TopicKind, String, Range<usize>)> {
        let (text, words) = (split.text(), split.ranges());
        // The text's words lower-cased, each key a slice of the lower-cased copy of the text.
        let lower = split.lower();
        let keys: Vec<&str> = words.iter().map(|r| &lower[r.clone()]).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            if let Some((value, len)) = tvpra(text, words, &keys, i) {
                out.push((
                    TopicKind::Instrument,
                    value,
                    words[i].start..words[i + len - 1].end,
                ));
                i += len;
                continue;
            }
            if let Some((numbers, len)) = us_code(text, words, &keys, i) {
                let range = words[i].start..words[i + len - 1].end;
                for n in numbers {
                    out.push((TopicKind::Instrument, section_value(n), range.clone()));
                }
                i += len;
                continue;
            }
            let found = self.by_first.get(keys[i]).and_then(|candidates| {
                candidates
                    .iter()
                    .map(|&n| &self.names[n])
                    .find(|n| n.matches(text, &words[i..], &keys[i..]))
            });
            match found {
                Some(n) => {
                    let end = words[i + n.words.len() - 1].end;
                    out.push((n.kind, n.value.to_string(), words[i].start..end));
                    i += n.words.len();
                }
                None => i += 1,
            }
        }
        out
    }

    /// Each topic named in `headings` (a title, the headings above it: counted, in no
    /// passage) or in `text`, with its count and the passages (byte ranges of `text`, in
    /// order) naming it; by kind, then most-mentioned first (ties: the first named first).
    pub fn count(
        &self,
        headings: &[&str],
        text: &str,
        passages: &[Range<usize>],
    ) -> Vec<TopicMentions> {
        self.count_in(headings, &Words::new(text), passages)
    }

    /// [`Topics::count`] of a text already split into words.
    pub(crate) fn count_in(
        &self,
        headings: &[&str],
        text: &Words,
        passages: &[Range<usize>],
    ) -> Vec<TopicMentions> {
        let mut by_value: HashMap<(TopicKind, String), (u32, usize, Vec<u32>)> = HashMap::new();
        for (kind, value) in headings
            .iter()
            .flat_map(|h| self.mentions(h))
            .map(|(k, v, _)| (k, v))
        {
            by_value
                .entry((kind, value))
                .or_insert((0, 0, Vec::new()))
                .0 += 1;
        }
        for (kind, value, range) in self.mentions_in(text) {
            let passage = passages.partition_point(|p| p.end <= range.start);
            let slot = by_value
                .entry((kind, value))
                .or_insert((0, range.start, Vec::new()));
            slot.0 += 1;
            if passage < passages.len() && slot.2.last() != Some(&(passage as u32)) {
                slot.2.push(passage as u32);
            }
        }
        let mut out: Vec<(usize, TopicMentions)> = by_value
            .into_iter()
            .map(|((kind, value), (count, first, passages))| {
                let m = TopicMentions {
                    kind,
                    value,
                    count,
                    passages,
                };
                (first, m)
            })
            .collect();
        // The name breaks the last ties (names seen only in headings share first = 0), so the
        // order never follows the hash map's random seed.
        out.sort_by(|(fa, a), (fb, b)| {
            a.kind
                .cmp(&b.kind)
                .then(b.count.cmp(&a.count))
                .then(fa.cmp(fb))
                .then_with(|| a.value.cmp(&b.value))
        });
        out.into_iter().map(|(_, m)| m).collect()
    }
}

impl Name {
    fn new(written: &str, kind: TopicKind, value: &'static str) -> Name {
        let mut keys = Vec::new();
        let mut case = Vec::new();
        for r in words(written) {
            let w = &written[r];
            keys.push(w.to_ascii_lowercase());
            let capitals = w.chars().filter(|c| c.is_uppercase()).count();
            case.push(
                if capitals >= 2 || (capitals == 1 && w.chars().count() == 1) {
                    Case::Exact(w.to_string())
                } else if w.starts_with(char::is_uppercase) {
                    Case::Capital
                } else {
                    Case::Any
                },
            );
        }
        Name {
            words: keys,
            case,
            kind,
            value,
        }
    }

    /// Whether the text's words starting at `at[0]` (with their `keys`) are this name.
    fn matches(&self, text: &str, at: &[Range<usize>], keys: &[&str]) -> bool {
        if at.len() < self.words.len() {
            return false;
        }
        let words_match = self
            .words
            .iter()
            .zip(&self.case)
            .zip(at.iter().zip(keys))
            .all(|((w, case), (r, k))| {
                let t = &text[r.clone()];
                *k == w.as_str()
                    && match case {
                        Case::Any => true,
                        Case::Capital => t.starts_with(char::is_uppercase),
                        Case::Exact(written) => t == written,
                    }
            });
        words_match
            && at
                .windows(2)
                .take(self.words.len().saturating_sub(1))
                .all(|p| {
                    // Spaces, line breaks, hyphens, slashes, apostrophes and the commas of a
                    // long title ("Prevent, Suppress"); a full stop only after an abbreviation
                    // ("No. 29", "U.S."), never a sentence's end.
                    let gap = &text[p[0].end..p[1].start];
                    let abbreviation = p[0].len() <= 3;
                    gap.len() <= 4
                        && gap
                            .chars()
                            .all(|c| " \n\t\r-/,&'’".contains(c) || (c == '.' && abbreviation))
                })
    }
}

/// The sections of 18 U.S.C. chapter 77 (peonage, slavery and trafficking in persons).
const SECTIONS: std::ops::RangeInclusive<u32> = 1581..=1597;

fn section_value(n: u32) -> String {
    format!("18 U.S.C. § {n}")
}

/// A citation of sections of title 18 starting at word `i`: "18 U.S.C. § 1591(a)",
/// "18 USC 1589 and 1590", "18 U.S.C. §§ 1581–1597" (the two ends), "section 1589 of title 18",
/// "§ 1591" alone (the § sign and a chapter-77 number are citation enough, unless another
/// title is cited). The sections and the words the citation spans.
fn us_code(
    text: &str,
    words: &[Range<usize>],
    keys: &[&str],
    i: usize,
) -> Option<(Vec<u32>, usize)> {
    let number = |j: usize| -> Option<u32> {
        let k = keys.get(j)?;
        (k.len() == 4).then(|| k.parse().ok()).flatten()
    };
    let section = |j: usize| number(j).filter(|n| SECTIONS.contains(n));
    // Where the section numbers start, and whether the title is known to be 18.
    let first = if keys[i] == "18" {
        // "18 U.S.C." / "18 USC" / "18 U.S. Code", then "§", "§§", "Sec." or nothing.
        let mut j = i + 1;
        match keys.get(j).copied() {
            Some("usc") => j += 1,
            Some("u") if keys.get(j + 1).copied() == Some("s") => {
                j += 2;
                if matches!(keys.get(j).copied(), Some("c" | "code")) {
                    j += 1;
                } else {
                    return None;
                }
            }
            _ => return None,
        }
        if matches!(keys.get(j).copied(), Some("sec" | "section" | "sections")) {
            j += 1;
        }
        j
    } else if matches!(keys[i], "section" | "sections") && section(i + 1).is_some() {
        // "section 1589 of title 18".
        let n = section(i + 1)?;
        let tail: Vec<&str> = (i + 2..i + 5)
            .filter_map(|j| keys.get(j).copied())
            .collect();
        return (tail == ["of", "title", "18"]).then(|| (vec![n], 5));
    } else if section(i).is_some() {
        // "§ 1591(a)": the sign right before, and no other title ("22 U.S.C. § 1591").
        let before = text[..words[i].start].trim_end();
        if !before.ends_with('§') {
            return None;
        }
        let cited_title = i >= 3 && keys[i - 1] == "c" && keys[i - 2] == "s" && keys[i - 3] == "u"
            || i >= 1 && keys[i - 1] == "usc";
        if cited_title {
            return None;
        }
        i
    } else {
        return None;
    };
    let mut numbers = Vec::new();
    let mut j = first;
    let mut end = first;
    while let Some(n) = section(j) {
        numbers.push(n);
        j += 1;
        // A subsection: "1591(a)(1)", short words right after a bracket.
        while j < words.len()
            && text[words[j - 1].end..words[j].start].contains('(')
            && keys[j].len() <= 2
        {
            j += 1;
        }
        end = j;
        // A list or a range goes on: ", 1590", "and 1590", "–1597", "through 1594".
        let Some(next) = words.get(j) else { break };
        let gap = text[words[j - 1].end..next.start]
            .trim_matches(|c: char| c.is_whitespace() || c == ')');
        if matches!(gap, "," | "-" | "–" | "—") {
            continue;
        }
        if gap.is_empty() && matches!(keys[j], "and" | "or" | "through" | "to") {
            j += 1;
            continue;
        }
        break;
    }
    (!numbers.is_empty()).then(|| (numbers, end - i))
}

/// A reauthorisation of the TVPA at word `i`: "TVPRA of 2008", "2008 TVPRA", "Trafficking
/// Victims Protection Reauthorization Act of 2005", "William Wilberforce Trafficking Victims
/// Protection Reauthorization Act" (2008); its value ("TVPRA 2008", "TVPRA" without a year)
/// and the words it spans.
fn tvpra(text: &str, words: &[Range<usize>], keys: &[&str], i: usize) -> Option<(String, usize)> {
    const LONG: [&str; 5] = [
        "trafficking",
        "victims",
        "protection",
        "reauthorization",
        "act",
    ];
    let year = |j: usize| -> Option<&str> {
        let k = keys.get(j)?;
        (k.len() == 4 && (k.starts_with("20") || k.starts_with("19"))).then_some(*k)
    };
    let mut j = i;
    let mut fixed_year = None;
    if keys[i] == "william" && keys.get(i + 1).copied() == Some("wilberforce") {
        j += 2;
        fixed_year = Some("2008");
    }
    let written = |j: usize| words.get(j).map(|r| &text[r.clone()]);
    let name_len = if written(j) == Some("TVPRA") {
        1
    } else if j + LONG.len() <= keys.len()
        && keys[j..j + LONG.len()]
            .iter()
            .zip(LONG)
            .all(|(k, l)| *k == l)
    {
        LONG.len()
    } else if j == i && year(i).is_some() && written(i + 1) == Some("TVPRA") {
        // "2008 TVPRA".
        return Some((format!("TVPRA {}", keys[i]), 2));
    } else {
        return None;
    };
    let mut end = j + name_len;
    let mut found_year = None;
    if keys.get(end).copied() == Some("of") && year(end + 1).is_some() {
        found_year = year(end + 1);
        end += 2;
    } else if year(end).is_some() && &text[words[end - 1].end..words[end].start] == " " {
        found_year = year(end);
        end += 1;
    }
    let value = match found_year.or(fixed_year) {
        Some(y) => format!("TVPRA {y}"),
        None => "TVPRA".to_string(),
    };
    Some((value, end - i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(TopicKind, String)> {
        topics()
            .mentions(text)
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect()
    }

    fn values(text: &str) -> Vec<String> {
        found(text).into_iter().map(|(_, v)| v).collect()
    }

    #[test]
    fn each_kind_is_found_in_a_text() {
        let got = found(
            "UNODC and the International Labour Organisation report forced labor under the \
             Palermo Protocol.",
        );
        assert_eq!(
            got,
            [
                (TopicKind::Org, "UNODC".to_string()),
                (TopicKind::Org, "ILO".to_string()),
                (TopicKind::Exploitation, "forced labour".to_string()),
                (TopicKind::Instrument, "Palermo Protocol".to_string()),
            ]
        );
    }

    #[test]
    fn variant_spellings_map_to_one_value() {
        for text in [
            "forced labour",
            "Forced Labor",
            "forced-labour",
            "labor trafficking",
            "forced\nlabour",
        ] {
            assert_eq!(values(text), ["forced labour"], "{text}");
        }
        for text in [
            "the United Nations Convention against Transnational Organized Crime",
            "UNTOC",
            "the Organised Crime Convention",
        ] {
            assert_eq!(values(text), ["UNTOC"], "{text}");
        }
        for text in ["Directive 2011/36/EU", "the EU Anti-Trafficking Directive"] {
            assert_eq!(values(text), ["EU Directive 2011/36/EU"], "{text}");
        }
        assert_eq!(
            values("child soldiers and a child soldier"),
            ["child soldiers"; 2]
        );
        assert_eq!(
            values("bonded labour and debt bondage"),
            ["debt bondage"; 2]
        );
        assert_eq!(
            values("ILO Convention No. 29, C189 and the Forced Labour Protocol"),
            ["ILO C29", "ILO C189", "ILO P29"]
        );
        assert_eq!(
            values(
                "the Council of Europe Convention on Action against Trafficking in Human Beings"
            ),
            ["Council of Europe Convention on Action against Trafficking in Human Beings"]
        );
        assert_eq!(
            values("the UK Modern Slavery Act"),
            ["UK Modern Slavery Act 2015"]
        );
    }

    #[test]
    fn tvpa_and_its_reauthorisations() {
        assert_eq!(values("the TVPA"), ["TVPA"]);
        assert_eq!(
            values("the Trafficking Victims Protection Act of 2000"),
            ["TVPA"]
        );
        assert_eq!(
            values(
                "the TVPRA of 2003, the Trafficking Victims Protection Reauthorization Act of \
                 2005, the William Wilberforce Trafficking Victims Protection Reauthorization \
                 Act, TVPRA 2013 and the 2013 TVPRA"
            ),
            [
                "TVPRA 2003",
                "TVPRA 2005",
                "TVPRA 2008",
                "TVPRA 2013",
                "TVPRA 2013"
            ]
        );
        assert_eq!(values("the TVPRA requires"), ["TVPRA"]);
    }

    #[test]
    fn sections_of_title_18_in_their_written_forms() {
        let s = |n: u32| section_value(n);
        assert_eq!(values("18 U.S.C. § 1591"), [s(1591)]);
        assert_eq!(values("18 USC 1591"), [s(1591)]);
        assert_eq!(values("under 18 U.S.C. 1589(a)(1) and"), [s(1589)]);
        assert_eq!(values("section 1589 of title 18"), [s(1589)]);
        assert_eq!(values("in violation of § 1591(a)"), [s(1591)]);
        assert_eq!(
            values("18 U.S.C. §§ 1589, 1590 and 1591"),
            [s(1589), s(1590), s(1591)]
        );
        assert_eq!(values("18 U.S.C. §§ 1581–1597"), [s(1581), s(1597)]);
        // Other titles, other chapters, bare numbers: nothing.
        assert!(values("22 U.S.C. § 1591").is_empty());
        assert!(values("18 U.S.C. § 2421 and 1591 people").is_empty());
        assert!(values("in 1591 the ship sailed").is_empty());
    }

    #[test]
    fn whole_words_and_case_rules() {
        // Inside a word, lower-case acronyms, other senses: nothing.
        assert!(values("kilometres, the ilo office, polaris stars").is_empty());
        // The longest name wins.
        assert_eq!(
            values("the United Nations Office on Drugs and Crime"),
            ["UNODC"]
        );
    }

    #[test]
    fn names_seen_only_in_headings_come_in_a_fixed_order() {
        let heading = "UNODC, IOM, ILO and UNICEF on the Palermo Protocol and the TVPA";
        let c = topics().count(&[heading], "", &[]);
        let names: Vec<(TopicKind, &str)> = c.iter().map(|m| (m.kind, m.value.as_str())).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "kind, then name: {names:?}");
        assert!(names.len() >= 5, "{names:?}");
    }

    #[test]
    fn counts_by_kind_with_passages() {
        let text = "IOM found debt bondage. Debt bondage again. IOM.";
        let passages = [0..23, 23..text.len()];
        let c = topics().count(&["Debt bondage in brick kilns"], text, &passages);
        assert_eq!(c[0].kind, TopicKind::Org);
        assert_eq!(c[0].value, "IOM");
        assert_eq!(c[0].count, 2);
        assert_eq!(c[0].passages, [0, 1]);
        assert_eq!(c[1].value, "debt bondage");
        assert_eq!(c[1].count, 3, "the title's mention counts, in no passage");
        assert_eq!(c[1].passages, [0, 1]);
    }

    #[test]
    fn lookup_by_any_name_or_citation() {
        let t = topics();
        assert_eq!(t.lookup(TopicKind::Org, "unodc").as_deref(), Some("UNODC"));
        assert_eq!(
            t.lookup(TopicKind::Org, "United Nations Office on Drugs and Crime")
                .as_deref(),
            Some("UNODC")
        );
        assert_eq!(
            t.lookup(TopicKind::Exploitation, "Forced Labor").as_deref(),
            Some("forced labour")
        );
        assert_eq!(
            t.lookup(TopicKind::Instrument, "palermo protocol")
                .as_deref(),
            Some("Palermo Protocol")
        );
        for typed in ["1591", "18 USC 1591", "§ 1591", "18 U.S.C. § 1591"] {
            assert_eq!(
                t.lookup(TopicKind::Instrument, typed).as_deref(),
                Some("18 U.S.C. § 1591"),
                "{typed}"
            );
        }
        assert_eq!(
            t.lookup(TopicKind::Instrument, "TVPRA 2008").as_deref(),
            Some("TVPRA 2008")
        );
        assert_eq!(t.lookup(TopicKind::Org, "Atlantis Bureau"), None);
    }
}
