//! Entities found in a document's text from gazetteers, no model: the countries and
//! territories it names ([`countries`]), and the organisations, legal instruments and forms of
//! exploitation ([`topics`]). Found at extraction with the passages they occur in, kept in the
//! record, and stored as facets (`/country/NP`, `/org/UNODC`, `/instrument/Palermo Protocol`,
//! `/exploitation/debt bondage`).

pub mod countries;
pub mod topics;

pub use countries::{CountryMentions, Gazetteer};
pub use topics::{TopicKind, TopicMentions};

/// The names' positions by their first word, the longest name first in each list: a scan of a
/// text tries the longest name starting at a word before its shorter prefixes
/// ("Guinea-Bissau" before "Guinea"). Both gazetteers index their names so.
fn by_first_word<'a>(
    names: impl IntoIterator<Item = &'a [String]>,
) -> std::collections::HashMap<String, Vec<usize>> {
    let mut lengths = Vec::new();
    let mut by_first: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (i, words) in names.into_iter().enumerate() {
        lengths.push(words.len());
        by_first.entry(words[0].clone()).or_default().push(i);
    }
    for list in by_first.values_mut() {
        list.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    }
    by_first
}
