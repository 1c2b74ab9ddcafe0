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
    /// Bit `n` of the entry of a word's first two bytes ([`slot`]): some name's first word
    /// starts with them and is `n` bytes long. Most words of a text start no name; this
    /// passes them over without hashing them.
    may_start: Box<[u32; 4096]>,
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
        let mut may_start = Box::new([0u32; 4096]);
        for first in lists.keys() {
            if let Some((pair, len)) = slot(first) {
                may_start[pair] |= 1 << len;
            }
        }
        ByFirstWord { lists, may_start }
    }

    /// The names whose first word is `key` (as the gazetteer keeps words), longest first.
    fn get(&self, key: &str) -> Option<&[usize]> {
        if let Some((pair, len)) = slot(key) {
            if self.may_start[pair] & (1 << len) == 0 {
                return None;
            }
        }
        self.lists.get(key).map(Vec::as_slice)
    }
}

/// A word's place in [`ByFirstWord::may_start`]: its first two bytes (six bits of each; the
/// second is 0 for a one-byte word) and its length; none for a word it does not cover (empty,
/// non-ASCII in its first two bytes, 32 bytes or longer), which is always looked up.
fn slot(word: &str) -> Option<(usize, u32)> {
    let bytes = word.as_bytes();
    let first = *bytes.first()?;
    let second = bytes.get(1).copied().unwrap_or(0);
    let covered = first.is_ascii() && second.is_ascii() && bytes.len() < 32;
    covered.then_some((
        usize::from(first & 0x3f) << 6 | usize::from(second & 0x3f),
        bytes.len() as u32,
    ))
}
