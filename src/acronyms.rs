//! Acronyms a collection defines for itself: "National Human Trafficking Hotline (NHTH)" or
//! "NHTH (National Human Trafficking Hotline)".
//!
//! A variant of the Schwartz–Hearst rule, stricter so that what is learned needs no review: an
//! acronym is a parenthesised (or parenthesising) word of 2–10 letters, mostly capitals; its
//! long form is the run of words right next to it whose initials spell it in order, function
//! words ("of", "and", "the") between them allowed and left in. Every letter must be a word's
//! initial, the long form must end right at the parenthesis, and the acronym may not be one of
//! the long form's own words, so "the victim (ID)" or "(see Annex II)" teach nothing.
//!
//! [`learn`] keeps the pairs that enough documents define; the indexer stores them with the
//! commit, and queries then match either form.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::text::collapse_whitespace;

/// One acronym with its long form, as a document wrote them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Definition {
    /// The acronym as written (`NHTH`, `IDPs`).
    pub acronym: String,
    /// The long form as written (`National Human Trafficking Hotline`).
    pub long_form: String,
}

/// A pair learned from the collection, with the number of documents defining it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnedAcronym {
    /// The acronym as most documents write it.
    pub acronym: String,
    /// The long form as most documents write it.
    pub long_form: String,
    /// Documents that define the pair.
    pub documents: u32,
}

/// Documents that must define a pair before it is learned. One suffices: the match rule above
/// already demands every letter be a word's initial right beside the parenthesis, and most
/// acronyms a report relies on are defined once in it (NHTH is defined in 2 documents of the
/// test corpora, HSI in 3).
pub(crate) const MIN_DOCUMENTS: u32 = 1;

/// Long forms kept per acronym (the most defined first), so an acronym used for several things
/// cannot make a query match all of them.
pub(crate) const MAX_LONG_FORMS: usize = 2;

/// Acronyms of more letters than this are rare and usually table debris.
const MAX_LETTERS: usize = 10;

/// Words a long form may carry between the words that give the acronym its letters.
const CONNECTORS: &[&str] = &[
    "of", "and", "the", "for", "on", "in", "to", "against", "at", "de", "&",
];

/// The definitions in `text`, each once, in order of first appearance.
pub(crate) fn definitions(text: &str) -> Vec<Definition> {
    let mut found: Vec<Definition> = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('(').map(|i| from + i) {
        from = open + 1;
        // A definition is short: look no further than this for the parenthesis' end or for the
        // long form before it, so a stray parenthesis costs nothing on a large text.
        let ahead = floor_boundary(text, (open + 1 + MAX_SPAN).min(text.len()));
        let Some(close) = text[open + 1..ahead].find(')').map(|i| open + 1 + i) else {
            continue;
        };
        let inside = text[open + 1..close].trim();
        // Only what stands in the same sentence before the parenthesis.
        let window = floor_boundary(text, open.saturating_sub(MAX_SPAN));
        let window = if window == 0 {
            0
        } else {
            ceil_boundary(text, window)
        };
        let before_start = text[window..open]
            .rfind(['.', ';', ':', '(', ')', '\n', '!', '?'])
            .map_or(window, |i| window + i + 1);
        let before = &text[before_start..open];
        let definition = if is_acronym(inside) {
            // "long form (ACR)"
            long_form(&words(before), inside, true).map(|long| Definition {
                acronym: inside.to_string(),
                long_form: long,
            })
        } else {
            // "ACR (long form)"
            let before_words = words(before);
            match before_words.last() {
                Some(acr) if is_acronym(acr) => {
                    long_form(&words(inside), acr, false).map(|long| Definition {
                        acronym: acr.to_string(),
                        long_form: long,
                    })
                }
                _ => None,
            }
        };
        if let Some(d) = definition {
            if !found.contains(&d) {
                found.push(d);
            }
        }
    }
    found
}

/// The pairs defined by at least [`MIN_DOCUMENTS`] of the documents whose definitions are
/// given, at most [`MAX_LONG_FORMS`] per acronym, sorted by acronym. Spellings of one pair that
/// differ only in case or spacing count together.
pub(crate) fn learn<'a>(
    documents: impl IntoIterator<Item = &'a [Definition]>,
) -> Vec<LearnedAcronym> {
    // (folded acronym, folded long form) → (documents, spellings seen with their counts)
    let mut pairs: BTreeMap<Pair, (u32, BTreeMap<Pair, u32>)> = BTreeMap::new();
    for defs in documents {
        let mut seen = std::collections::HashSet::new();
        for d in defs {
            let key = (fold(&d.acronym), fold(&d.long_form));
            let entry = pairs.entry(key.clone()).or_default();
            if seen.insert(key) {
                entry.0 += 1;
            }
            *entry
                .1
                .entry((d.acronym.clone(), d.long_form.clone()))
                .or_default() += 1;
        }
    }
    let mut by_acronym: BTreeMap<String, Vec<LearnedAcronym>> = BTreeMap::new();
    for ((acronym, _), (documents, spellings)) in pairs {
        if documents < MIN_DOCUMENTS {
            continue;
        }
        let Some(((written, long_form), _)) = spellings
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            continue;
        };
        by_acronym.entry(acronym).or_default().push(LearnedAcronym {
            acronym: written,
            long_form,
            documents,
        });
    }
    by_acronym
        .into_values()
        .flat_map(|mut forms| {
            forms.sort_by(|a, b| {
                b.documents
                    .cmp(&a.documents)
                    .then(a.long_form.cmp(&b.long_form))
            });
            forms.truncate(MAX_LONG_FORMS);
            forms
        })
        .collect()
}

/// Bytes looked at on each side of a parenthesis.
const MAX_SPAN: usize = 240;

/// The largest char boundary of `text` at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or after `at`.
fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// An acronym and a long form.
type Pair = (String, String);

/// Lower case with single spaces, so spellings of one pair meet.
fn fold(s: &str) -> String {
    collapse_whitespace(s).to_lowercase()
}

/// Words of `text`: whitespace-separated, punctuation around them removed; hyphenated words
/// split, since each part can give a letter ("Anti-Slavery").
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// A word written like an acronym: 2–10 letters (a plural `s` aside), at least two capitals and
/// mostly capitals, starting with a letter, no spaces.
fn is_acronym(word: &str) -> bool {
    if word.is_empty() || word.contains(char::is_whitespace) {
        return false;
    }
    if !word.chars().next().is_some_and(|c| c.is_alphabetic()) {
        return false;
    }
    if !word
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '&' | '-'))
    {
        return false;
    }
    let letters = acronym_letters(word);
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    let alphabetic = word.chars().filter(|c| c.is_alphabetic()).count();
    (2..=MAX_LETTERS).contains(&letters.len()) && capitals >= 2 && capitals * 3 >= alphabetic * 2
        // Roman numerals are section numbers, not acronyms.
        && !word.chars().all(|c| "IVXLC".contains(c))
}

/// The letters an acronym's long form must give, lower-cased: its capitals (so a plural `s` or
/// a lower-case joining letter, as in "IDPs", gives none).
fn acronym_letters(acronym: &str) -> Vec<char> {
    acronym
        .chars()
        .filter(|c| c.is_uppercase())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The long form of `acronym` among `candidates`: the shortest run of words whose initials spell
/// the acronym, with connectors allowed between them. With `at_end`, the run must end at the
/// last word (the parenthesis follows it); otherwise it must be all of `candidates`.
fn long_form(candidates: &[&str], acronym: &str, at_end: bool) -> Option<String> {
    let letters = acronym_letters(acronym);
    if letters.is_empty() || candidates.is_empty() {
        return None;
    }
    let initial = |w: &str| w.chars().next().and_then(|c| c.to_lowercase().next());
    let is_connector = |w: &str| CONNECTORS.contains(&w.to_lowercase().as_str());
    // Right to left: each letter from the end takes the nearest word with that initial;
    // connectors may be passed over, anything else ends the search.
    let mut i = candidates.len();
    let mut j = letters.len();
    while j > 0 {
        if i == 0 {
            return None;
        }
        let word = candidates[i - 1];
        if initial(word) == Some(letters[j - 1]) {
            i -= 1;
            j -= 1;
        } else if j < letters.len() && is_connector(word) {
            i -= 1;
        } else {
            return None;
        }
    }
    if !at_end && i != 0 {
        return None;
    }
    let run = &candidates[i..];
    // The acronym itself in its long form is a label, not a definition ("HHS (HHS grants)").
    let folded = acronym.to_lowercase();
    if run.iter().any(|w| w.to_lowercase() == folded) || run.len() < 2 {
        return None;
    }
    Some(run.join(" "))
}

/// One long form per acronym, as written, for a reader that may not know the acronym: the
/// query's embedding model, which learned general English, not this field's abbreviations
/// ("IDPs", "DRC", "HHS" are near-noise to it, their long forms are not).
///
/// Its sources, the first that knows an acronym winning: the collection's learned pairs (the
/// long form most documents use), the built-in table, and the countries' abbreviations
/// ("DPRK", "UAE"), spelled out by the country's official name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Glossary {
    /// Folded acronym (lower case, letters and digits only) → long form as written.
    long_forms: HashMap<String, String>,
}

impl Glossary {
    /// The glossary of `learned` (the collection's pairs in use), the built-in table and the
    /// countries' abbreviations.
    pub(crate) fn new<'a>(learned: impl IntoIterator<Item = &'a LearnedAcronym>) -> Glossary {
        let mut best: HashMap<String, &LearnedAcronym> = HashMap::new();
        for pair in learned {
            let slot = best.entry(fold_acronym(&pair.acronym)).or_insert(pair);
            if pair.documents > slot.documents {
                *slot = pair;
            }
        }
        let mut long_forms: HashMap<String, String> = HashMap::new();
        for (key, pair) in &best {
            long_forms.insert(key.clone(), pair.long_form.clone());
        }
        // A plural defined ("IDPs") spells out its singular too, unless that has its own.
        for pair in best.values() {
            if let Some(singular) = pair.acronym.strip_suffix('s') {
                long_forms
                    .entry(fold_acronym(singular))
                    .or_insert_with(|| pair.long_form.clone());
            }
        }
        for &(acronym, long_form) in crate::analysis::builtin_acronyms() {
            long_forms
                .entry(fold_acronym(acronym))
                .or_insert_with(|| long_form.to_string());
        }
        for &(code, alias) in crate::entities::countries::ALIASES {
            if alias.contains(' ') {
                continue;
            }
            if let Ok(country) = keshvar::Alpha2::try_from(code).map(|c| c.to_country()) {
                let name = country.iso_long_name();
                let name = name.strip_prefix("The ").unwrap_or(name);
                long_forms
                    .entry(fold_acronym(alias))
                    .or_insert_with(|| name.to_string());
            }
        }
        Glossary { long_forms }
    }

    /// The long form of `word` when it is written as an acronym (two capitals or more, no
    /// more small letters than capitals: "IDPs", "BiH", "GLO.ACT", not "Tip" or "tip") and
    /// the glossary knows it, or knows its singular.
    pub(crate) fn long_form(&self, word: &str) -> Option<&str> {
        let capitals = word.chars().filter(|c| c.is_uppercase()).count();
        let small = word.chars().filter(|c| c.is_lowercase()).count();
        if capitals < 2 || small > capitals {
            return None;
        }
        let key = fold_acronym(word);
        self.long_forms
            .get(&key)
            .or_else(|| key.strip_suffix('s').and_then(|k| self.long_forms.get(k)))
            .map(String::as_str)
    }
}

/// An acronym's lookup key: lower case, letters and digits only ("GLO.ACT" → "gloact").
fn fold_acronym(acronym: &str) -> String {
    acronym
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        definitions(text)
            .into_iter()
            .map(|d| (d.acronym, d.long_form))
            .collect()
    }

    fn pair(a: &str, l: &str) -> (String, String) {
        (a.to_string(), l.to_string())
    }

    #[test]
    fn long_form_then_acronym() {
        assert_eq!(
            pairs("Call the National Human Trafficking Hotline (NHTH) today."),
            [pair("NHTH", "National Human Trafficking Hotline")]
        );
        // Connectors between the initials stay in the long form; words before it do not.
        assert_eq!(
            pairs("The U.S. Department of Health and Human Services (HHS) certifies victims."),
            [pair("HHS", "Health and Human Services")]
        );
        assert_eq!(
            pairs("in the Democratic Republic of the Congo (DRC), children"),
            [pair("DRC", "Democratic Republic of the Congo")]
        );
        // A plural acronym: its capitals are its letters.
        assert_eq!(
            pairs("camps for internally displaced persons (IDPs) were"),
            [pair("IDPs", "internally displaced persons")]
        );
    }

    #[test]
    fn acronym_then_long_form() {
        assert_eq!(
            pairs("agents of HSI (Homeland Security Investigations) arrested"),
            [pair("HSI", "Homeland Security Investigations")]
        );
    }

    #[test]
    fn near_misses_teach_nothing() {
        // Letters that are not initials, numerals, a lower-case word, a page reference.
        assert!(pairs("the victim identification (ID) form").is_empty());
        assert!(pairs("as set out in Annex (II) below").is_empty());
        assert!(pairs("forced labour (see below)").is_empty());
        assert!(pairs("Table 3 (page 12)").is_empty());
        // The initials must reach the parenthesis.
        assert!(pairs("National Human Trafficking Hotline data (NHTH)").is_empty());
        // An unclosed parenthesis ends the search without a panic, even amid multi-byte text.
        assert!(pairs("Hotline (NHTH").is_empty());
        let far = format!(
            "Hotline (é{}) and Safe Harbor Hotline (SHH)",
            "é".repeat(300)
        );
        assert_eq!(pairs(&far), [pair("SHH", "Safe Harbor Hotline")]);
    }

    #[test]
    fn each_definition_once_per_document() {
        let text = "Health and Human Services (HHS) ... Health and Human Services (HHS).";
        assert_eq!(pairs(text).len(), 1);
    }

    #[test]
    fn learned_pairs_count_documents_and_keep_the_usual_spelling() {
        let d = |a: &str, l: &str| Definition {
            acronym: a.into(),
            long_form: l.into(),
        };
        let docs = [
            vec![d("NHTH", "National Human Trafficking Hotline")],
            vec![d("NHTH", "national human trafficking hotline")],
            vec![d("NHTH", "National Human Trafficking Hotline")],
            vec![d("HSI", "Homeland Security Investigations")],
        ];
        let learned = learn(docs.iter().map(Vec::as_slice));
        assert_eq!(
            learned,
            [
                LearnedAcronym {
                    acronym: "HSI".into(),
                    long_form: "Homeland Security Investigations".into(),
                    documents: 1,
                },
                LearnedAcronym {
                    acronym: "NHTH".into(),
                    long_form: "National Human Trafficking Hotline".into(),
                    documents: 3,
                },
            ]
        );
    }

    #[test]
    fn glossary_spells_out_learned_builtin_and_country_acronyms() {
        let learned = [
            LearnedAcronym {
                acronym: "DRC".into(),
                long_form: "Democratic Republic of Congo".into(),
                documents: 1,
            },
            LearnedAcronym {
                acronym: "DRC".into(),
                long_form: "Democratic Republic of the Congo".into(),
                documents: 6,
            },
            LearnedAcronym {
                acronym: "HSI".into(),
                long_form: "Homeland Security Investigations".into(),
                documents: 3,
            },
        ];
        let g = Glossary::new(&learned);
        // The long form most documents use; the collection's before the countries' table.
        assert_eq!(g.long_form("DRC"), Some("Democratic Republic of the Congo"));
        assert_eq!(g.long_form("HSI"), Some("Homeland Security Investigations"));
        // A plural finds its singular; the built-in table answers in its own (lower) case.
        assert_eq!(
            g.long_form("HSIs"),
            Some("Homeland Security Investigations")
        );
        assert_eq!(
            g.long_form("GLO.ACT")
                .map(|l| l.starts_with("global action")),
            Some(true)
        );
        // The countries' abbreviations, by the country's official name.
        assert_eq!(g.long_form("UAE"), Some("United Arab Emirates"));
        assert_eq!(g.long_form("BiH"), Some("Bosnia and Herzegovina"));
        // Words written as words, and acronyms nobody defined, have none.
        assert_eq!(g.long_form("tip"), None);
        assert_eq!(g.long_form("Hsi"), None);
        assert_eq!(g.long_form("NHTH"), None);
    }
}
