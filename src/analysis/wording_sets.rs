//! Sets of equivalent wordings (a country's names, aliases and demonyms), analyzed, held as
//! the text they are stored in with a sorted index of their wordings.
//!
//! Why text and an index rather than owned terms in a hash map: every `tipdex search` is a
//! fresh process, and turning the countries' 1,200 wordings into strings and hash-map keys
//! took ~1 ms of a 15 ms search (BENCHMARKS.md, issue 21) while a query looks up a handful.
//! The index is a few offsets per wording; a set's terms are made only when a query names it.

use std::borrow::Cow;

/// Sets in the text format of `store/country_wordings.txt`: one set per line, its wordings
/// separated by [`WordingSets::SEPARATOR`], each wording's analyzed terms by a space.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct WordingSets {
    text: Cow<'static, str>,
    /// Every wording with the line of its set, sorted by the wording's text.
    index: Vec<Entry>,
    /// The most terms of a wording.
    longest: usize,
}

/// A wording's first bytes as a number (see [`prefix_of`]) and byte offsets into
/// [`WordingSets::text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    prefix: u64,
    wording: (u32, u32),
    line: (u32, u32),
}

/// The first eight bytes of `wording`, big-endian, zero-padded: numbers that order as the
/// wordings do, so sorting and searching compare strings only where these are equal.
fn prefix_of(wording: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = wording.len().min(8);
    bytes[..n].copy_from_slice(&wording.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

impl WordingSets {
    pub(crate) const SEPARATOR: &'static str = " | ";

    /// Sets from their text. Each line must already be a set as [`WordingSets::add_set`]
    /// leaves them (two or more wordings, none empty, none repeated in this or an earlier
    /// set); the generated file is, and its test checks it equals what `add_set` makes.
    pub(crate) fn from_text(text: &'static str) -> Self {
        Self::indexed(Cow::Borrowed(text))
    }

    fn indexed(text: Cow<'static, str>) -> Self {
        let mut index = Vec::new();
        let mut longest = 0;
        let offset = |s: &str| u32::try_from(s.as_ptr() as usize - text.as_ptr() as usize);
        for line in text.lines() {
            let (Ok(line_start), Ok(line_len)) = (offset(line), u32::try_from(line.len())) else {
                break;
            };
            for wording in line.split(Self::SEPARATOR) {
                let (Ok(start), Ok(len)) = (offset(wording), u32::try_from(wording.len())) else {
                    break;
                };
                longest = longest.max(wording.split(' ').count());
                index.push(Entry {
                    prefix: prefix_of(wording),
                    wording: (start, start + len),
                    line: (line_start, line_start + line_len),
                });
            }
        }
        let slice = |range: (u32, u32)| &text[range.0 as usize..range.1 as usize];
        // No wording is in two sets (see `from_text`), so the order of equal ones is moot.
        index.sort_unstable_by(|a, b| {
            (a.prefix.cmp(&b.prefix)).then_with(|| slice(a.wording).cmp(slice(b.wording)))
        });
        Self {
            text,
            index,
            longest,
        }
    }

    fn slice(&self, range: (u32, u32)) -> &str {
        &self.text[range.0 as usize..range.1 as usize]
    }

    /// The line of the set holding `wording` (terms joined by a space).
    fn line_of(&self, wording: &str) -> Option<&str> {
        let prefix = prefix_of(wording);
        let at = self
            .index
            .binary_search_by(|e| {
                (e.prefix.cmp(&prefix)).then_with(|| self.slice(e.wording).cmp(wording))
            })
            .ok()?;
        Some(self.slice(self.index[at].line))
    }

    fn parse(line: &str) -> Vec<Vec<String>> {
        line.split(Self::SEPARATOR)
            .map(|w| w.split(' ').map(str::to_string).collect())
            .collect()
    }

    /// The longest wording of a set at `terms[start..]`: its end and its set.
    pub(crate) fn set_at(
        &self,
        terms: &[Option<&str>],
        start: usize,
    ) -> Option<(usize, Vec<Vec<String>>)> {
        let most = self.longest.min(terms.len() - start);
        let mut key = String::new();
        (1..=most).rev().find_map(|len| {
            key.clear();
            for (i, term) in terms[start..start + len].iter().enumerate() {
                if i > 0 {
                    key.push(' ');
                }
                key.push_str((*term)?);
            }
            Some((start + len, Self::parse(self.line_of(&key)?)))
        })
    }

    /// Add wordings (analyzed) that all mean one thing, the preferred first. A wording
    /// already in a set stays in its first set; a set left with fewer than two is not added.
    #[cfg(test)]
    pub(crate) fn add_set(&mut self, wordings: impl IntoIterator<Item = Vec<String>>) {
        let mut set: Vec<String> = Vec::new();
        for terms in wordings {
            let wording = terms.join(" ");
            assert!(
                !wording.contains(Self::SEPARATOR.trim()) && !wording.contains('\n'),
                "a wording the text format cannot hold: {wording:?}"
            );
            if !terms.is_empty() && !set.contains(&wording) && self.line_of(&wording).is_none() {
                set.push(wording);
            }
        }
        if set.len() < 2 {
            return;
        }
        let mut text = std::mem::take(&mut self.text).into_owned();
        text.push_str(&set.join(Self::SEPARATOR));
        text.push('\n');
        *self = Self::indexed(Cow::Owned(text));
    }

    /// Every set, analyzed, in the order added.
    #[cfg(test)]
    pub(crate) fn sets(&self) -> Vec<Vec<Vec<String>>> {
        self.text.lines().map(Self::parse).collect()
    }

    /// The sets as text (see [`WordingSets`] for the format).
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}
