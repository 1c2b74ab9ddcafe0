//! Entities found in a document's text from gazetteers, no model: the countries and
//! territories it names ([`countries`]), and the organisations, legal instruments and forms of
//! exploitation ([`topics`]). Found at extraction with the passages they occur in, kept in the
//! record, and stored as facets (`/country/NP`, `/org/UNODC`, `/instrument/Palermo Protocol`,
//! `/exploitation/debt bondage`).

pub mod countries;
pub mod topics;

use rustc_hash::FxHashMap;

pub use countries::{CountryMentions, Gazetteer};
pub use topics::{TopicKind, TopicMentions};

/// The names' positions by their first word, the longest name first in each list: a scan of a
/// text tries the longest name starting at a word before its shorter prefixes
/// ("Guinea-Bissau" before "Guinea"). Both gazetteers index their names so.
pub(crate) struct ByFirstWord {
    lists: FxHashMap<String, Vec<usize>>,
    /// Bit `n` of entry `b`: some name's first word starts with ASCII byte `b` and is `n`
    /// bytes long (`n` < 32). Most words of a text start no name; this passes them over
    /// without hashing them.
    may_start: [u32; 128],
}

impl ByFirstWord {
    fn new<'a>(names: impl IntoIterator<Item = &'a [String]>) -> ByFirstWord {
        let mut lengths = Vec::new();
        let mut lists: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (i, words) in names.into_iter().enumerate() {
            lengths.push(words.len());
            lists.entry(words[0].clone()).or_default().push(i);
        }
        for list in lists.values_mut() {
            list.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
        }
        let mut may_start = [0u32; 128];
        for first in lists.keys() {
            if let Some((byte, len)) = slot(first) {
                may_start[byte] |= 1 << len;
            }
        }
        ByFirstWord { lists, may_start }
    }

    /// The names whose first word is `key` (as the gazetteer keeps words), longest first.
    fn get(&self, key: &str) -> Option<&[usize]> {
        if let Some((byte, len)) = slot(key) {
            if self.may_start[byte] & (1 << len) == 0 {
                return None;
            }
        }
        self.lists.get(key).map(Vec::as_slice)
    }
}

/// A word's place in [`ByFirstWord::may_start`]; none for a word it does not cover (empty,
/// a first byte past ASCII, 32 bytes or longer), which is always looked up.
fn slot(word: &str) -> Option<(usize, u32)> {
    let first = *word.as_bytes().first()?;
    (first < 128 && word.len() < 32).then_some((usize::from(first), word.len() as u32))
}
