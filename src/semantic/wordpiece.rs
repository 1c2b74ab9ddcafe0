//! BERT's tokenizer for a query, over the vocabulary table of the query model file
//! (`query_model.rs`): the same ids as the `tokenizers` crate gives with the model's
//! `tokenizer.json` (BertNormalizer with lowercase and accent stripping, BertPreTokenizer,
//! WordPiece with `##` continuations, `[CLS]`/`[SEP]` around, special tokens matched in the raw
//! text), checked against it in this module's tests.
//!
//! Why not the `tokenizers` crate for a search: building its tokenizer parses 466 kB of JSON
//! into maps of 30,522 strings, about a tenth of a CLI search's start-up before this; the table
//! here is laid out in the mapped file and needs no building.

use unicode_categories::UnicodeCategories;
use unicode_normalization::UnicodeNormalization;
use xxhash_rust::xxh3::xxh3_64;

/// Words longer than this many characters are `[UNK]` (WordPiece's `max_input_chars_per_word`).
const MAX_WORD_CHARS: usize = 100;

/// The vocabulary as the file lays it out: token `i` is `bytes[offsets[i]..offsets[i + 1]]`;
/// `slots` an open-addressing table of `id + 1` (0 = empty) by the token's xxh3.
#[derive(Clone, Copy)]
pub(super) struct Vocab<'a> {
    pub(super) offsets: &'a [u32],
    pub(super) bytes: &'a [u8],
    pub(super) slots: &'a [u32],
}

impl<'a> Vocab<'a> {
    fn token(&self, id: usize) -> &'a [u8] {
        &self.bytes[self.offsets[id] as usize..self.offsets[id + 1] as usize]
    }

    /// The id of a token, if the vocabulary has it.
    pub(super) fn id(&self, token: &[u8]) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut slot = xxh3_64(token) as usize & mask;
        // The table is at most half full (see `slot_table`), so an empty slot ends every probe.
        loop {
            let entry = self.slots[slot];
            if entry == 0 {
                return None;
            }
            if self.token(entry as usize - 1) == token {
                return Some(entry - 1);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// The open-addressing table of [`Vocab::id`] for `tokens` (in id order): a power of two at
/// least twice their number of slots.
pub(super) fn slot_table(tokens: &[&str]) -> Vec<u32> {
    let size = (tokens.len() * 2).next_power_of_two().max(2);
    let mut slots = vec![0u32; size];
    for (id, token) in tokens.iter().enumerate() {
        let mut slot = xxh3_64(token.as_bytes()) as usize & (size - 1);
        while slots[slot] != 0 {
            slot = (slot + 1) & (size - 1);
        }
        slots[slot] = id as u32 + 1;
    }
    slots
}

/// The special tokens and the ids the model's template puts around a text.
pub(super) struct Specials<'a> {
    /// Tokens matched in the raw text before normalisation (`[CLS]`, `[MASK]`, …) with their ids.
    pub(super) added: Vec<(&'a str, u32)>,
    pub(super) cls: u32,
    pub(super) sep: u32,
    pub(super) unk: u32,
}

/// Token ids of `text` with `[CLS]` and `[SEP]`, at most `max_tokens` in all.
pub(super) fn token_ids(
    vocab: &Vocab,
    specials: &Specials,
    text: &str,
    max_tokens: usize,
) -> Vec<u32> {
    let mut ids = vec![specials.cls];
    let mut rest = text;
    while !rest.is_empty() {
        // The leftmost special token, the longest of those starting there.
        let found = specials
            .added
            .iter()
            .filter_map(|&(token, id)| rest.find(token).map(|at| (at, token.len(), id)))
            .min_by_key(|&(at, len, _)| (at, std::cmp::Reverse(len)));
        let (plain, special) = match found {
            Some((at, len, id)) => {
                let plain = &rest[..at];
                rest = &rest[at + len..];
                (plain, Some(id))
            }
            None => (std::mem::take(&mut rest), None),
        };
        for word in normalized(plain).split(char::is_whitespace) {
            for piece in split_punctuation(word) {
                word_pieces(vocab, specials.unk, piece, &mut ids);
            }
        }
        ids.extend(special);
    }
    ids.truncate(max_tokens.saturating_sub(1).max(1));
    ids.push(specials.sep);
    ids
}

/// BertNormalizer: control characters dropped, whitespace made a space, CJK ideographs set
/// apart, accents stripped (NFD, non-spacing marks dropped), lower case.
fn normalized(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_chinese(c) {
            cleaned.extend([' ', c, ' ']);
        } else {
            cleaned.push(c);
        }
    }
    cleaned
        .nfd()
        .filter(|c| !c.is_mark_nonspacing())
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

fn is_chinese(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

/// BertPreTokenizer's second split: every punctuation character a word of its own.
fn split_punctuation(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let end = if is_punctuation(first) {
            first.len_utf8()
        } else {
            rest.find(is_punctuation).unwrap_or(rest.len())
        };
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

/// WordPiece: the longest vocabulary entry from the start, then `##`-prefixed continuations;
/// a word with a part no entry covers is one `[UNK]`.
fn word_pieces(vocab: &Vocab, unk: u32, word: &str, ids: &mut Vec<u32>) {
    if word.chars().count() > MAX_WORD_CHARS {
        ids.push(unk);
        return;
    }
    let first = ids.len();
    let mut key = Vec::with_capacity(word.len() + 2);
    let mut start = 0;
    while start < word.len() {
        let mut end = word.len();
        let mut found = None;
        while start < end {
            key.clear();
            if start > 0 {
                key.extend_from_slice(b"##");
            }
            key.extend_from_slice(&word.as_bytes()[start..end]);
            if let Some(id) = vocab.id(&key) {
                found = Some(id);
                break;
            }
            end = word[..end]
                .char_indices()
                .next_back()
                .map_or(start, |(i, _)| i);
        }
        match found {
            Some(id) => ids.push(id),
            None => {
                ids.truncate(first);
                ids.push(unk);
                return;
            }
        }
        start = end;
    }
}
