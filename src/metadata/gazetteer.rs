//! The organisations of the field, each with its short and long names, so one publisher is one
//! source value however a document writes it: `--source UNODC` and `--source "United Nations
//! Office on Drugs and Crime"` are the same filter, and facets show one name per organisation.
//! Sources are put in canonical form at index time and filter values at query time, through
//! [`canonical_source`].

use std::collections::HashMap;
use std::sync::LazyLock;

/// (canonical name, other names). Names compare case-, accent-insensitively, ignoring
/// punctuation and a leading "the".
const ORGANISATIONS: &[(&str, &[&str])] = &[
    (
        "UNODC",
        &[
            "United Nations Office on Drugs and Crime",
            "UN Office on Drugs and Crime",
        ],
    ),
    (
        "IOM",
        &[
            "International Organization for Migration",
            "International Organisation for Migration",
            "UN Migration",
        ],
    ),
    (
        "ILO",
        &[
            "International Labour Organization",
            "International Labour Organisation",
            "International Labour Office",
        ],
    ),
    (
        "UNICEF",
        &[
            "United Nations Children's Fund",
            "United Nations International Children's Emergency Fund",
        ],
    ),
    (
        "UNHCR",
        &[
            "United Nations High Commissioner for Refugees",
            "UN Refugee Agency",
            "Office of the United Nations High Commissioner for Refugees",
        ],
    ),
    (
        "OHCHR",
        &[
            "Office of the United Nations High Commissioner for Human Rights",
            "Office of the High Commissioner for Human Rights",
            "UN Human Rights",
        ],
    ),
    (
        "UN Women",
        &["United Nations Entity for Gender Equality and the Empowerment of Women"],
    ),
    ("UNDP", &["United Nations Development Programme"]),
    ("United Nations", &["UN", "U.N."]),
    (
        "OSCE",
        &[
            "Organization for Security and Co-operation in Europe",
            "Organisation for Security and Co-operation in Europe",
            "Organization for Security and Cooperation in Europe",
        ],
    ),
    (
        "GRETA",
        &["Group of Experts on Action against Trafficking in Human Beings"],
    ),
    ("Council of Europe", &["CoE"]),
    (
        "Europol",
        &[
            "European Union Agency for Law Enforcement Cooperation",
            "European Police Office",
        ],
    ),
    (
        "Eurojust",
        &["European Union Agency for Criminal Justice Cooperation"],
    ),
    ("European Union", &["EU"]),
    ("European Commission", &["EU Commission"]),
    ("INTERPOL", &["International Criminal Police Organization"]),
    (
        "ICAT",
        &["Inter-Agency Coordination Group against Trafficking in Persons"],
    ),
    (
        "U.S. Department of State",
        &[
            "US Department of State",
            "United States Department of State",
            "Department of State",
            "State Department",
            "US State Dept",
            "State Dept",
        ],
    ),
    (
        "DHS Blue Campaign",
        &[
            "Blue Campaign",
            "DHS Blue Campaign",
            "Department of Homeland Security Blue Campaign",
        ],
    ),
    (
        "U.S. Department of Homeland Security",
        &[
            "US Department of Homeland Security",
            "United States Department of Homeland Security",
            "Department of Homeland Security",
            "DHS",
        ],
    ),
    (
        "U.S. Department of Justice",
        &[
            "US Department of Justice",
            "United States Department of Justice",
            "Department of Justice",
            "DOJ",
        ],
    ),
    (
        "U.S. Department of Defense",
        &[
            "US Department of Defense",
            "United States Department of Defense",
            "Department of Defense",
            "DoD",
        ],
    ),
    (
        "U.S. Department of Health and Human Services",
        &[
            "US Department of Health and Human Services",
            "Department of Health and Human Services",
            "HHS",
        ],
    ),
    (
        "U.S. Department of Labor",
        &["US Department of Labor", "Department of Labor", "DOL"],
    ),
    ("FBI", &["Federal Bureau of Investigation"]),
    ("IACP", &["International Association of Chiefs of Police"]),
    (
        "NCMEC",
        &[
            "National Center for Missing & Exploited Children",
            "National Center for Missing and Exploited Children",
        ],
    ),
    ("Polaris", &["Polaris Project"]),
    ("Walk Free", &["Walk Free Foundation"]),
    ("Anti-Slavery International", &[]),
    ("Human Rights Watch", &["HRW"]),
    ("Amnesty International", &[]),
    ("La Strada International", &[]),
    ("ECPAT International", &["ECPAT"]),
    ("Freedom Fund", &["The Freedom Fund"]),
    ("International Justice Mission", &["IJM"]),
    ("Shared Hope International", &["Shared Hope"]),
    ("Thorn", &[]),
    ("OpenDemocracy", &["openDemocracy", "Open Democracy"]),
];

/// A name reduced for comparison: lowercase letters and digits, "&" as "and", no leading "the".
fn key(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in name
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
    {
        let w: String = if word == "&" {
            "and".into()
        } else {
            word.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        if !w.is_empty() {
            words.push(w);
        }
    }
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.join(" ")
}

/// Every organisation with its other names (the entity gazetteer matches them in texts).
pub(crate) fn organisations() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    ORGANISATIONS.iter().copied()
}

/// The organisation `name` is a name of, in canonical form.
pub(crate) fn organisation(name: &str) -> Option<&'static str> {
    let k = key(name);
    if k.is_empty() {
        return None;
    }
    BY_KEY.get(&k).copied()
}

/// Every name's [`key`] and the organisation it names, made once: each file's source goes
/// through [`organisation`] several times, and keying the whole gazetteer per call was ~4 % of
/// an index build's instructions. A key two organisations share names the first listed.
static BY_KEY: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    let mut by_key = HashMap::new();
    for (canonical, others) in ORGANISATIONS {
        for name in std::iter::once(canonical).chain(others.iter()) {
            by_key.entry(key(name)).or_insert(*canonical);
        }
    }
    by_key
});

/// The names of several words, as [`key`]s with their organisation, longest first: the order
/// [`mentions`] matches them in.
static LONG_NAMES: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    let mut names: Vec<(String, &'static str)> = ORGANISATIONS
        .iter()
        .flat_map(|(canonical, others)| {
            std::iter::once(*canonical)
                .chain(others.iter().copied())
                .map(move |n| (n, *canonical))
        })
        .filter_map(|(n, c)| {
            let k = key(n);
            (k.split(' ').count() >= 2).then_some((k, c))
        })
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.0.len()));
    names
});

/// The one name a source is stored and filtered under: the gazetteer's canonical name when it
/// knows the organisation, else the value as written.
pub(crate) fn canonical_source(name: &str) -> String {
    organisation(name).map_or_else(|| name.trim().to_string(), str::to_string)
}

/// Sources longer than this many characters are shown by their short form.
const LONG_SOURCE: usize = 40;

/// The short form of a long source, for display (text output, facet labels) and as a second
/// name `--source` matches; JSON keeps the source as stored. A source of more than
/// [`LONG_SOURCE`] characters is cut before its first aside — a parenthesis, a comma, a
/// semicolon, a dash or "via" (`Human Trafficking Data Institute (humantraffickingdata.org),
/// via github.com/…` → `Human Trafficking Data Institute`) — and an organisation the gazetteer
/// knows is named by its canonical name. Short sources, and long ones without an aside or
/// whose first part is under three characters, are shown as they are.
pub(crate) fn short_source(name: &str) -> String {
    let name = name.trim();
    if name.chars().count() <= LONG_SOURCE {
        return name.to_string();
    }
    let cut = [" (", ", ", "; ", " - ", " – ", " — ", " via "]
        .iter()
        .filter_map(|sep| name.find(sep))
        .min()
        .unwrap_or(name.len());
    let head = name[..cut].trim();
    if head.chars().count() < 3 {
        return name.to_string();
    }
    canonical_source(head)
}

/// How often each organisation is named in `text`, by any of its names: names of several words
/// in any case (the longest first, so "United Nations" inside a longer name is not counted
/// again), one-word names and acronyms only as written ("Polaris", "UNODC").
pub(crate) fn mentions(text: &str) -> Vec<(&'static str, usize)> {
    let mut hay = key(text);
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut add = |org: &'static str, n: usize| {
        if n == 0 {
            return;
        }
        match counts.iter_mut().find(|c| c.0 == org) {
            Some(c) => c.1 += n,
            None => counts.push((org, n)),
        }
    };
    for (name, org) in LONG_NAMES.iter() {
        let mut n = 0;
        while let Some(at) = find_words(&hay, name) {
            hay.replace_range(at..at + name.len(), &"#".repeat(name.len()));
            n += 1;
        }
        add(org, n);
    }
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    for (canonical, others) in ORGANISATIONS {
        for name in std::iter::once(canonical).chain(others.iter()) {
            if name.contains(' ') || !name.chars().all(|c| c.is_alphanumeric() || c == '-') {
                continue;
            }
            add(canonical, words.iter().filter(|w| *w == name).count());
        }
    }
    counts
}

/// Byte offset of `needle` in `hay` at word boundaries (both are [`key`]s).
fn find_words(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let starts = at == 0 || hay.as_bytes()[at - 1] == b' ';
        let ends = end == hay.len() || hay.as_bytes()[end] == b' ';
        if starts && ends {
            return Some(at);
        }
        from = at + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_forms_are_one_organisation() {
        assert_eq!(
            canonical_source("United Nations Office on Drugs and Crime"),
            "UNODC"
        );
        assert_eq!(canonical_source("unodc"), "UNODC");
        assert_eq!(
            canonical_source("the International Association of Chiefs of Police"),
            "IACP"
        );
        assert_eq!(
            canonical_source("National Center for Missing & Exploited Children"),
            "NCMEC"
        );
        assert_eq!(canonical_source("Blue Campaign"), "DHS Blue Campaign");
        assert_eq!(canonical_source("Some Local Shelter"), "Some Local Shelter");
        assert_eq!(organisation(""), None);
    }

    #[test]
    fn mentions_count_each_organisation_once_per_naming() {
        let text = "The United Nations Office on Drugs and Crime (UNODC) and the United Nations. \
                    UNODC said so; Polaris agreed; polaris is a star.";
        let mut counts = mentions(text);
        counts.sort();
        assert_eq!(
            counts,
            [("Polaris", 1), ("UNODC", 3), ("United Nations", 1)]
        );
    }

    #[test]
    fn long_sources_are_shown_by_their_first_part_short_ones_as_they_are() {
        assert_eq!(
            short_source(
                "Human Trafficking Data Institute (humantraffickingdata.org), via \
                 github.com/cassiecorey/HumanTraffickingData"
            ),
            "Human Trafficking Data Institute"
        );
        assert_eq!(
            short_source("United Nations Office on Drugs and Crime, Vienna, Austria (2019)"),
            "UNODC"
        );
        assert_eq!(short_source("CIA World Factbook"), "CIA World Factbook");
        assert_eq!(
            short_source("Ministry of Labour, Nepal"),
            "Ministry of Labour, Nepal"
        );
        let plain = "A very long publisher name without any aside at all in it";
        assert_eq!(short_source(plain), plain);
        assert_eq!(
            short_source("UN (a long aside that makes the whole name longer than forty)"),
            "UN (a long aside that makes the whole name longer than forty)"
        );
    }
}
