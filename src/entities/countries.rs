//! Countries and territories named in a text, from a gazetteer built once from the `keshvar`
//! crate's ISO 3166 data (names, official long names, unofficial English names, nationalities)
//! plus [`MORE_DEMONYMS`], the English adjective forms it lacks.
//!
//! Matching, by principle:
//! - names are matched as whole words, case and accents folded, but a word capitalised in the
//!   name must be capitalised in the text ("Chad", not "chad"; "Turkey", not "turkey");
//! - the longest name wins at each word, so "Papua New Guinea" and "Equatorial Guinea" are not
//!   "Guinea", "Nigeria" is not "Niger", "South Sudan" is not "Sudan";
//! - codes are never matched in running text ("IN", "US", "UK" are words or abbreviations
//!   there); they are only looked up when a user types one ([`Gazetteer::lookup`]);
//! - a demonym shared by several sovereign states ("Congolese", "Dominican") names none of
//!   them; one shared with territories ("French", "American") names the state;
//! - [`SHARED_NAMES`], names English also gives people or a US state, count only where they do
//!   not read as part of a longer proper name ("Chad Johnson", "Devante Jordan": a capitalised
//!   word next to it that names no country and, before it, does not start a sentence) or as a
//!   US place ("Atlanta, Georgia", "Virginia, Florida, Georgia");
//! - [`ALIASES`] add the common short forms the crate lacks (DPRK, UAE, DRC), and every
//!   "Saint" name is also matched as "St." or "St" ("St. Lucia").

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::text::Words;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One country's mentions in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryMentions {
    /// ISO 3166-1 alpha-2 code.
    pub code: String,
    /// How many times the text names it (names and demonyms).
    pub count: u32,
    /// Ordinals of the passages naming it, ascending.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passages: Vec<u32>,
}

/// A country named at a place of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// ISO 3166-1 alpha-2 code.
    pub code: &'static str,
    /// Where, in bytes.
    pub range: Range<usize>,
    /// Named by its demonym or adjective ("Nepali") rather than its name.
    pub demonym: bool,
}

/// English adjective and demonym forms the crate's one `nationality` per country lacks or gets
/// wrong (Niger's is given as "Nigerian", Nigeria's). Only forms in common English use.
pub const MORE_DEMONYMS: &[(&str, &str)] = &[
    ("AE", "Emirati"),
    ("AR", "Argentine"),
    ("AR", "Argentinian"),
    ("BA", "Bosnian"),
    ("CV", "Cabo Verdean"),
    ("CV", "Cape Verdean"),
    ("EC", "Ecuadorian"),
    ("KG", "Kyrgyz"),
    ("KZ", "Kazakh"),
    ("LA", "Lao"),
    ("MM", "Burmese"),
    ("MV", "Maldivian"),
    ("NE", "Nigerien"),
    ("NP", "Nepali"),
    ("PH", "Philippine"),
    ("SA", "Saudi"),
    ("SI", "Slovenian"),
    ("SK", "Slovakian"),
    ("SR", "Surinamese"),
    ("TJ", "Tajik"),
    ("TL", "Timorese"),
    ("TT", "Trinidadian"),
    ("UZ", "Uzbek"),
    ("VC", "Vincentian"),
];

/// Common English short forms and abbreviations of a name that the crate lacks or keeps only as
/// a code. Abbreviations (all capitals) are matched in running text only as written, in
/// capitals: they are unambiguous there, unlike two-letter codes ("IN", "US").
pub const ALIASES: &[(&str, &str)] = &[
    ("AE", "UAE"),
    ("BA", "BiH"),
    ("CD", "DRC"),
    ("CD", "DR Congo"),
    ("CN", "PRC"),
    ("KP", "DPRK"),
];

/// Country names that English also uses for people or a US state.
pub const SHARED_NAMES: &[&str] = &["Chad", "Georgia", "Jordan"];

/// The nationality the crate gives a country where it is wrong, dropped before
/// [`MORE_DEMONYMS`] adds the right one.
const WRONG_DEMONYMS: &[(&str, &str)] = &[("NE", "Nigerian")];

struct Entry {
    /// Folded words of the name.
    words: Vec<String>,
    /// Which of them must be capitalised in the text.
    capital: Vec<bool>,
    code: &'static str,
    demonym: bool,
    shared: bool,
    /// An abbreviation, matched only as written ("DPRK", not "Dprk").
    exact: Option<String>,
}

/// The countries and territories of ISO 3166-1 with every form of their names.
pub struct Gazetteer {
    entries: Vec<Entry>,
    /// Entries by their first folded word, longest first.
    by_first: super::ByFirstWord,
    /// Folded name, demonym, alpha-2 or alpha-3 code → alpha-2 code.
    lookup: HashMap<String, &'static str>,
    /// Alpha-2 code → the name shown.
    display: HashMap<&'static str, &'static str>,
    /// Each country's wordings a query may use for it, the shown name first.
    wordings: Vec<(&'static str, Vec<String>)>,
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::build);

/// The gazetteer, built on first use (about 250 countries, a few milliseconds).
pub fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

/// Lower-case, accents removed: "Côte" → "cote".
fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words of `text` (runs of letters and digits) with their byte ranges; apostrophes and
/// hyphens separate words, so "d'Ivoire" and "Guinea-Bissau" are two words each. The topic
/// gazetteers split names the same way.
pub(super) fn words(text: &str) -> Vec<Range<usize>> {
    Words::new(text).ranges().to_vec()
}

/// Words of a name as the gazetteer keeps them, with whether each is capitalised.
fn name_words(name: &str) -> Vec<(String, bool)> {
    words(name)
        .into_iter()
        .map(|r| {
            let w = &name[r];
            (fold(w), w.chars().next().is_some_and(char::is_uppercase))
        })
        .collect()
}

/// A name form fit for matching in running text: Latin letters only, no catalogue form
/// ("Congo, Republic of", "Korea (North)"), no all-capital abbreviation ("UK", "USA").
fn matchable(name: &str) -> bool {
    let latin = name
        .nfd()
        .all(|c| c.is_ascii_alphanumeric() || " '’-.".contains(c) || is_combining_mark(c));
    let abbreviation = name.len() <= 4 && name.chars().all(|c| c.is_ascii_uppercase());
    latin && !abbreviation && !name.contains([',', '(', '[']) && !name.is_empty()
}

/// "The Gambia" → "Gambia": the article is lower-case in running text ("the Gambia").
fn without_article(name: &str) -> &str {
    name.strip_prefix("The ")
        .or_else(|| name.strip_prefix("the "))
        .unwrap_or(name)
}

/// A user's or a sidecar's country as the lookup keys it: folded words joined by one space,
/// a bracketed part dropped, a catalogue form turned round ("Korea, North" → "north korea",
/// "Gambia, The" → "gambia"), a leading article dropped.
fn lookup_key(name: &str) -> String {
    let mut name = name.trim().to_string();
    if let Some(open) = name.find(['(', '[']) {
        name.truncate(open);
    }
    let name = match name.split_once(',') {
        Some((head, tail)) => format!("{} {}", tail.trim(), head.trim()),
        None => name,
    };
    let words: Vec<String> = name_words(&name).into_iter().map(|(w, _)| w).collect();
    let words = match words.first().map(String::as_str) {
        Some("the") => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

impl Gazetteer {
    fn build() -> Gazetteer {
        struct Forms {
            code: &'static str,
            names: Vec<&'static str>,
            /// `names`' lookup keys, made once: making one folds and splits a name, and every
            /// name's key is asked for several times below.
            keys: Vec<String>,
            demonyms: Vec<&'static str>,
            un_member: bool,
            short: &'static str,
        }
        let mut all: Vec<Forms> = Vec::new();
        let mut codes: Vec<(String, &'static str)> = Vec::new();
        for country in keshvar::CountryIterator::new() {
            let code: &'static str = Box::leak(country.alpha2().to_string().into_boxed_str());
            codes.push((code.to_ascii_lowercase(), code));
            codes.push((country.alpha3().to_string().to_ascii_lowercase(), code));
            let mut names = vec![country.iso_short_name(), country.iso_long_name()];
            names.extend(country.unofficial_name_list().iter().copied());
            // "St. Lucia", "St Kitts and Nevis": English abbreviates Saint in every such name.
            let saints: Vec<&'static str> = names
                .iter()
                .filter_map(|n| without_article(n).strip_prefix("Saint "))
                .map(|rest| &*Box::leak(format!("St. {rest}").into_boxed_str()))
                .collect();
            names.extend(saints);
            let mut demonyms: Vec<&'static str> = country
                .maybe_nationality()
                .map(|n| n.split(", ").collect())
                .unwrap_or_default();
            demonyms.retain(|d| !WRONG_DEMONYMS.contains(&(code, *d)));
            demonyms.extend(
                MORE_DEMONYMS
                    .iter()
                    .filter(|(c, _)| *c == code)
                    .map(|(_, d)| *d),
            );
            let keys = names.iter().map(|n| lookup_key(n)).collect();
            all.push(Forms {
                code,
                names,
                keys,
                demonyms,
                un_member: country.un_member(),
                short: country.iso_short_name(),
            });
        }

        // A demonym of several entries: the one sovereign state's, else nobody's.
        let mut demonym_owners: HashMap<&str, Vec<(&'static str, bool)>> = HashMap::new();
        for f in &all {
            for d in &f.demonyms {
                demonym_owners
                    .entry(*d)
                    .or_default()
                    .push((f.code, f.un_member));
            }
        }
        let owner = |d: &str| -> Option<&'static str> {
            let owners = demonym_owners.get(d)?;
            if owners.len() == 1 {
                return Some(owners[0].0);
            }
            match owners.iter().filter(|(_, un)| *un).collect::<Vec<_>>()[..] {
                [(code, _)] => Some(*code),
                _ => None,
            }
        };

        let mut entries = Vec::new();
        let mut lookup: HashMap<String, &'static str> = HashMap::new();
        let mut display = HashMap::new();
        // A name two countries share ("Congo" in both Congos' lists) names neither of them.
        let mut name_owners: HashMap<String, Vec<&'static str>> = HashMap::new();
        for f in &all {
            for key in &f.keys {
                let owners = name_owners.entry(key.clone()).or_default();
                if !owners.contains(&f.code) {
                    owners.push(f.code);
                }
            }
        }
        let mut wordings = Vec::new();
        for f in &all {
            let shown = if matchable(f.short) && f.short.split(' ').count() <= 2 {
                f.short
            } else {
                // names: short, long, then the unofficial ones.
                f.names[2..]
                    .iter()
                    .find(|n| matchable(n))
                    .copied()
                    .unwrap_or(f.short)
            };
            display.insert(f.code, without_article(shown));
            // Each wording once, compared by key; the keys are kept beside them because
            // making a key folds and splits, and comparing against every earlier wording's
            // freshly made key was most of the gazetteer's build time (and of a search
            // process's start).
            let mut said: Vec<String> = Vec::new();
            let mut said_keys: Vec<String> = Vec::new();
            let mut say = |w: &str| {
                let key = lookup_key(w);
                if !said_keys.contains(&key) {
                    said_keys.push(key);
                    said.push(w.to_string());
                }
            };
            if name_owners
                .get(&lookup_key(shown))
                .is_some_and(|o| o.len() == 1)
            {
                say(without_article(shown));
            }
            for (name, key) in f.names.iter().zip(&f.keys) {
                if name_owners.get(key).is_some_and(|o| o.len() > 1) {
                    continue;
                }
                lookup.entry(key.clone()).or_insert(f.code);
                if matchable(name) {
                    let name = without_article(name);
                    entries.push(Entry::new(name, f.code, false));
                }
            }
            let names: Vec<&str> = f
                .names
                .iter()
                .zip(&f.keys)
                .filter(|(n, key)| matchable(n) && name_owners[*key].len() == 1)
                .map(|(n, _)| without_article(n))
                .collect();
            let aliases: Vec<&str> = ALIASES
                .iter()
                .filter(|(c, _)| *c == f.code)
                .map(|(_, a)| *a)
                .collect();
            for alias in &aliases {
                lookup.entry(lookup_key(alias)).or_insert(f.code);
                entries.push(Entry::new(alias, f.code, false));
            }
            for d in &f.demonyms {
                if owner(d) != Some(f.code) {
                    continue;
                }
                lookup.entry(lookup_key(d)).or_insert(f.code);
                say(d);
                if matchable(d) {
                    entries.push(Entry::new(d, f.code, true));
                    // The plural noun: "Afghans", "Nepalis", "Filipinos" (not "Chinese",
                    // "Swiss", "British").
                    if !d.ends_with(['s', 'h']) && !d.ends_with("ese") {
                        entries.push(Entry::new(&format!("{d}s"), f.code, true));
                    }
                }
            }
            aliases.iter().chain(&names).for_each(|w| say(w));
            wordings.push((f.code, said));
        }
        // Codes last: a name that reads like a code keeps its country.
        for (key, code) in codes {
            lookup.entry(key).or_insert(code);
        }
        entries.sort_by(|a, b| a.words.cmp(&b.words).then(a.code.cmp(b.code)));
        entries.dedup_by(|a, b| a.words == b.words && a.code == b.code);
        let by_first = super::ByFirstWord::new(entries.iter().map(|e| e.words.as_slice()));
        Gazetteer {
            entries,
            by_first,
            lookup,
            display,
            wordings,
        }
    }

    /// Each country's ways of being written that a query may use for it (its names, aliases
    /// and demonyms, never bare codes), the shown name first, then the demonyms: a query
    /// naming a country in one way finds the others.
    pub fn wordings(&self) -> impl Iterator<Item = (&'static str, &[String])> {
        self.wordings.iter().map(|(c, w)| (*c, w.as_slice()))
    }

    /// The alpha-2 code a user means: an alpha-2 or alpha-3 code, any of a country's names
    /// (short, official, unofficial, catalogue forms such as "Korea, North"), or its demonym;
    /// case and accents do not matter.
    pub fn lookup(&self, name: &str) -> Option<&'static str> {
        self.lookup.get(&lookup_key(name)).copied()
    }

    /// The name shown for an alpha-2 code ("NP" → "Nepal").
    pub fn name(&self, code: &str) -> Option<&'static str> {
        self.display.get(code).copied()
    }

    /// Every country named in `text`, in order.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        self.mentions_in(&Words::new(text))
    }

    /// [`Gazetteer::mentions`] of a text already split into words.
    fn mentions_in(&self, split: &Words) -> Vec<Mention> {
        let (text, words) = (split.text(), split.ranges());
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let first = &text[words[i].clone()];
            if !first.chars().next().is_some_and(char::is_uppercase) {
                i += 1;
                continue;
            }
            // ASCII words (nearly all) are read lower-cased from the split, not folded anew.
            let folded = if first.is_ascii() {
                self.by_first.get(&split.lower()[words[i].clone()])
            } else {
                self.by_first.get(&fold(first))
            };
            let found = folded.and_then(|candidates| {
                candidates
                    .iter()
                    .map(|&e| &self.entries[e])
                    .find(|e| e.matches(text, &words[i..]))
            });
            let fits = |e: &Entry| {
                (!e.shared || self.reads_as_country(text, words, i))
                    && (!e.demonym || !after_proper_name(text, words, i))
            };
            match found {
                Some(e) if fits(e) => {
                    let end = words[i + e.words.len() - 1].end;
                    // "the Democratic Republic of the Congo (DRC)": the abbreviation defined
                    // right after the name is the same mention, not a second one.
                    let defined = e.exact.is_some()
                        && out.last().is_some_and(|m: &Mention| {
                            m.code == e.code && text[m.range.end..words[i].start].trim() == "("
                        });
                    if defined {
                        i += 1;
                        continue;
                    }
                    out.push(Mention {
                        code: e.code,
                        range: words[i].start..end,
                        demonym: e.demonym,
                    });
                    i += e.words.len();
                }
                _ => i += 1,
            }
        }
        out
    }

    /// Whether word `i`, a [`SHARED_NAMES`] name, reads as the country here.
    fn reads_as_country(&self, text: &str, words: &[Range<usize>], i: usize) -> bool {
        let capital = |r: &Range<usize>| text[r.clone()].starts_with(|c: char| c.is_uppercase());
        let names_country = |r: &Range<usize>| self.by_first.get(&fold(&text[r.clone()])).is_some();
        // "Chad Johnson", "Jordan Teehee": a longer proper name.
        if let Some(next) = words.get(i + 1) {
            if &text[words[i].end..next.start] == " " && capital(next) && !names_country(next) {
                return false;
            }
        }
        // "Devante Jordan", "Michael Chad": a capitalised word that does not start a sentence
        // and names no country makes the name a person's.
        if after_proper_name(text, words, i) && !names_country(&words[i - 1]) {
            return false;
        }
        // "Atlanta, Georgia", "Virginia, Florida, Georgia": a place in a US state, or a
        // list of states; a list of countries ("Pakistan, Georgia, Jordan") is fine.
        if let Some(prev) = i.checked_sub(1).map(|p| &words[p]) {
            if &text[prev.end..words[i].start] == ", " && capital(prev) && !names_country(prev) {
                return false;
            }
        }
        true
    }

    /// Each country named in `text` with its count and the passages (byte ranges, in order)
    /// naming it, most-mentioned first (ties: the first named first).
    pub fn count(&self, text: &str, passages: &[Range<usize>]) -> Vec<CountryMentions> {
        self.count_in(&Words::new(text), passages)
    }

    /// [`Gazetteer::count`] of a text already split into words.
    pub(crate) fn count_in(&self, text: &Words, passages: &[Range<usize>]) -> Vec<CountryMentions> {
        let mut by_code: HashMap<&str, (u32, usize, Vec<u32>)> = HashMap::new();
        for m in self.mentions_in(text) {
            let passage = passages.partition_point(|p| p.end <= m.range.start);
            let slot = by_code
                .entry(m.code)
                .or_insert((0, m.range.start, Vec::new()));
            slot.0 += 1;
            if passage < passages.len() && slot.2.last() != Some(&(passage as u32)) {
                slot.2.push(passage as u32);
            }
        }
        let mut out: Vec<(usize, CountryMentions)> = by_code
            .into_iter()
            .map(|(code, (count, first, passages))| {
                let m = CountryMentions {
                    code: code.to_string(),
                    count,
                    passages,
                };
                (first, m)
            })
            .collect();
        out.sort_by(|(fa, a), (fb, b)| b.count.cmp(&a.count).then(fa.cmp(fb)));
        out.into_iter().map(|(_, m)| m).collect()
    }
}

/// Whether word `i` follows a capitalised word that does not start a sentence: a demonym there
/// is part of a longer name ("Latin American", "Central American" migrants).
fn after_proper_name(text: &str, words: &[Range<usize>], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).map(|p| &words[p]) else {
        return false;
    };
    if &text[prev.end..words[i].start] != " " || !text[prev.clone()].starts_with(char::is_uppercase)
    {
        return false;
    }
    let before = text[..prev.start].trim_end();
    !(before.is_empty() || before.ends_with(['.', '!', '?', ':', ';', '|', '-', '"']))
}

impl Entry {
    fn new(name: &str, code: &'static str, demonym: bool) -> Entry {
        let (words, capital) = name_words(name).into_iter().unzip();
        let shared = !demonym && SHARED_NAMES.contains(&name);
        let abbreviation = name.len() <= 5
            && name.chars().all(|c| c.is_ascii_alphabetic())
            && name.chars().filter(char::is_ascii_uppercase).count() >= 2;
        Entry {
            words,
            capital,
            code,
            demonym,
            shared,
            exact: abbreviation.then(|| name.to_string()),
        }
    }

    /// Whether the text's words starting at `at[0]` are this name.
    fn matches(&self, text: &str, at: &[Range<usize>]) -> bool {
        if at.len() < self.words.len() {
            return false;
        }
        if let Some(exact) = &self.exact {
            return text[at[0].clone()] == *exact;
        }
        self.words
            .iter()
            .zip(&self.capital)
            .zip(at)
            .all(|((w, cap), r)| {
                let t = &text[r.clone()];
                (!cap || t.starts_with(|c: char| c.is_uppercase())) && fold(t) == *w
            })
            && at
                .windows(2)
                .take(self.words.len().saturating_sub(1))
                // The words of one name are separated by spaces or a hyphen, not by a sentence.
                .all(|p| {
                    // "St. Lucia": the abbreviation's full stop.
                    let dot = fold(&text[p[0].clone()]) == "st";
                    text[p[0].end..p[1].start]
                        .chars()
                        .all(|c| " -'’\n".contains(c) || (dot && c == '.'))
                })
    }
}

/// The country a document is about: its most-mentioned one (see [`Gazetteer::count`]), when
/// it names any.
pub fn subject(countries: &[CountryMentions]) -> Option<&str> {
    countries.first().map(|c| c.code.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        gazetteer()
            .mentions(text)
            .into_iter()
            .map(|m| m.code)
            .collect()
    }

    #[test]
    fn longest_name_wins() {
        assert_eq!(
            codes("Papua New Guinea, Equatorial Guinea, Guinea-Bissau and Guinea"),
            ["PG", "GQ", "GW", "GN"]
        );
        assert_eq!(
            codes("Niger and Nigeria; South Sudan and Sudan"),
            ["NE", "NG", "SS", "SD"]
        );
    }

    #[test]
    fn case_accents_and_codes() {
        assert_eq!(codes("Côte d'Ivoire and Cote D’Ivoire"), ["CI", "CI"]);
        assert_eq!(codes("NEPAL"), ["NP"]);
        // Common words and codes in running text name nothing.
        assert!(codes("a turkey, a chad, china plates, IN and US and UK").is_empty());
    }

    #[test]
    fn demonyms_including_added_forms() {
        let g = gazetteer();
        let m = g.mentions("Nepali and Nepalese women, Filipino and Philippine workers, Afghans");
        let got: Vec<(&str, bool)> = m.iter().map(|m| (m.code, m.demonym)).collect();
        assert_eq!(
            got,
            [
                ("NP", true),
                ("NP", true),
                ("PH", true),
                ("PH", true),
                ("AF", true)
            ]
        );
        // Shared by two states: neither.
        assert!(codes("Congolese and Dominican migrants").is_empty());
        // Shared with territories: the state.
        assert_eq!(codes("French and American nationals"), ["FR", "US"]);
        assert_eq!(codes("Nigerian and Nigerien"), ["NG", "NE"]);
        // Part of a region's name, not the country's.
        assert_eq!(
            codes("Some Latin American and South African women. American men"),
            ["ZA", "US"]
        );
    }

    #[test]
    fn shared_names_read_as_countries_only_where_they_are_one() {
        assert_eq!(codes("Jordan is a destination country"), ["JO"]);
        assert_eq!(
            codes("Pakistan, Georgia, Jordan, and Uganda"),
            ["PK", "GE", "JO", "UG"]
        );
        assert!(codes("Chad Johnson met Jordan Teehee").is_empty());
        assert!(codes("hotels in Atlanta, Georgia and Virginia, Georgia").is_empty());
        assert!(codes("the victim told Devante Jordan and Michael Chad").is_empty());
        assert_eq!(
            codes("He met Devante Jordan. Jordan is one; in Southern Jordan, Jordanian"),
            ["JO", "JO"],
            "a sentence start counts, a capitalised region word makes a name"
        );
        assert_eq!(codes("King Abdullah of Jordan"), ["JO"]);
    }

    #[test]
    fn aliases_and_saint_forms() {
        assert_eq!(
            codes("DPRK, UAE, DRC and DR Congo; St. Lucia, St Kitts and Nevis"),
            ["KP", "AE", "CD", "CD", "LC", "KN"]
        );
        assert_eq!(
            codes("St. Vincent and the Grenadines is a source country"),
            ["VC"]
        );
        // Abbreviations count only as written, in capitals.
        assert!(codes("Dprk and Uae").is_empty());
        // Defined in brackets after the name: one mention.
        assert_eq!(
            codes("the Democratic Republic of the Congo (DRC), and the DRC"),
            ["CD", "CD"]
        );
        let g = gazetteer();
        assert_eq!(g.lookup("DPRK"), Some("KP"));
        assert_eq!(g.lookup("uae"), Some("AE"));
        assert_eq!(g.lookup("St. Lucia"), Some("LC"));
        assert_eq!(g.lookup("Burma"), Some("MM"));
        assert_eq!(g.lookup("Ivory Coast"), Some("CI"));
    }

    #[test]
    fn wordings_for_queries_start_with_the_name_then_demonyms() {
        let forms = |code: &str| -> Vec<String> {
            gazetteer()
                .wordings()
                .find(|(c, _)| *c == code)
                .map(|(_, w)| w.to_vec())
                .unwrap_or_default()
        };
        let np = forms("NP");
        assert_eq!(np[..3], ["Nepal", "Nepalese", "Nepali"]);
        let kp = forms("KP");
        for w in ["North Korea", "North Korean", "DPRK"] {
            assert!(kp.iter().any(|k| k == w), "{w} in {kp:?}");
        }
        assert!(forms("MM").iter().any(|k| k == "Burma"));
        // Never a bare code, never a name two countries share.
        assert!(!forms("US").iter().any(|k| k == "US"));
        assert!(!forms("CG").iter().any(|k| k == "Congo"));
    }

    #[test]
    fn lookup_by_code_name_catalogue_form_and_demonym() {
        let g = gazetteer();
        for name in [
            "NP",
            "npl",
            "Nepal",
            "nepali",
            "Nepalese",
            "Federal Democratic Republic of Nepal",
        ] {
            assert_eq!(g.lookup(name), Some("NP"), "{name}");
        }
        assert_eq!(g.lookup("Korea, North"), Some("KP"));
        assert_eq!(g.lookup("Congo, Democratic Republic of the"), Some("CD"));
        assert_eq!(g.lookup("Gambia, The"), Some("GM"));
        assert_eq!(g.lookup("Burma (Myanmar)"), Some("MM"));
        assert_eq!(g.lookup("Curacao"), Some("CW"));
        assert_eq!(g.lookup("Atlantis"), None);
        assert_eq!(g.name("NP"), Some("Nepal"));
        assert_eq!(g.name("US"), Some("United States"));
        assert_eq!(g.name("KP"), Some("North Korea"));
    }

    #[test]
    fn counts_order_and_passages() {
        let text = "Qatar hires workers from Nepal. Nepal sends them. Qatar. Qatar again.";
        let passages = [0..31, 31..49, 49..text.len()];
        let c = gazetteer().count(text, &passages);
        assert_eq!(c[0].code, "QA");
        assert_eq!(c[0].count, 3);
        assert_eq!(c[0].passages, [0, 2]);
        assert_eq!(c[1].code, "NP");
        assert_eq!(c[1].passages, [0, 1]);
        assert_eq!(subject(&c), Some("QA"));
    }
}
