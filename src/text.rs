//! Small text helpers every stage shares; a leaf, importing nothing of the crate.

use std::ops::Range;

/// `s` on one line: runs of whitespace (line breaks included) as one space, none at the ends.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The character at byte `at` (a character boundary) and its length in bytes; an ASCII byte
/// (nearly every byte of English text) without decoding.
#[inline]
pub(crate) fn char_at(text: &str, at: usize) -> (char, usize) {
    let b = text.as_bytes()[at];
    if b.is_ascii() {
        return (char::from(b), 1);
    }
    let c = text[at..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// A word: a run of letters and digits (`char::is_alphanumeric`).
pub(crate) struct Word {
    /// Its bytes in the text.
    pub range: Range<usize>,
    /// Whether every character is ASCII.
    pub ascii: bool,
}

/// The first word of `text` at or after byte `from` (a character boundary). Two tight loops,
/// one over separators and one over a word's bytes, rather than one loop deciding at every
/// byte whether a word is open; ASCII bytes are tested without decoding a char. Shared by
/// [`Words`] and the analyzer's tokenizer, so both split words the same way.
#[inline]
pub(crate) fn next_word(text: &str, from: usize) -> Option<Word> {
    let bytes = text.as_bytes();
    let mut at = from;
    let start = loop {
        let &b = bytes.get(at)?;
        if b.is_ascii_alphanumeric() {
            break at;
        }
        let (c, len) = char_at(text, at);
        if c.is_alphanumeric() {
            break at;
        }
        at += len;
    };
    let mut end = start;
    let mut ascii = true;
    while let Some(&b) = bytes.get(end) {
        if b.is_ascii_alphanumeric() {
            end += 1;
            continue;
        }
        let (c, len) = char_at(text, end);
        if !c.is_alphanumeric() {
            break;
        }
        ascii = false;
        end += len;
    }
    Some(Word {
        range: start..end,
        ascii,
    })
}

/// A text's words (runs of letters and digits; apostrophes, hyphens and every other sign
/// separate them) as byte ranges, with the text lower-cased in ASCII beside it. Split once per
/// document for every reader of words (the reprint signature, the country and topic
/// gazetteers): splitting was a third of their cost when each split the text itself.
pub(crate) struct Words<'t> {
    text: &'t str,
    ranges: Vec<Range<usize>>,
    /// `text` with ASCII letters lower-cased: the same byte offsets, so a word's range reads
    /// its lower-case form here without a new string.
    lower: String,
}

impl<'t> Words<'t> {
    pub(crate) fn new(text: &'t str) -> Words<'t> {
        // About one word per six bytes of English prose.
        let mut ranges = Vec::with_capacity(text.len() / 6 + 1);
        let mut from = 0;
        while let Some(word) = next_word(text, from) {
            from = word.range.end;
            ranges.push(word.range);
        }
        Words {
            text,
            ranges,
            lower: text.to_ascii_lowercase(),
        }
    }

    /// The text the words are of.
    pub(crate) fn text(&self) -> &'t str {
        self.text
    }

    /// The words' byte ranges, in order.
    pub(crate) fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }

    /// The text lower-cased in ASCII (non-ASCII letters as written), same byte offsets.
    pub(crate) fn lower(&self) -> &str {
        &self.lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits_split_as_chars_are() {
        let texts = [
            "",
            "  ",
            "Côte d'Ivoire, Guinea-Bissau; 18 U.S.C. § 1591(a).",
            "ÉCPAT's naïve Straße — 2024年 報告 Ωmega",
            "tail",
        ];
        for text in texts {
            let by_chars: Vec<&str> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            let words = Words::new(text);
            let split: Vec<&str> = words.ranges().iter().map(|r| &text[r.clone()]).collect();
            assert_eq!(split, by_chars, "{text:?}");
            assert_eq!(words.lower(), text.to_ascii_lowercase());
        }
    }

    #[test]
    fn whitespace_collapses_to_single_spaces() {
        let table = [
            ("", ""),
            (" \t\n ", ""),
            ("one", "one"),
            (
                "  Trafficking \r\n in\u{a0}persons\t",
                "Trafficking in persons",
            ),
            ("a\u{2003}\u{2028}b", "a b"),
        ];
        for (raw, one_line) in table {
            assert_eq!(collapse_whitespace(raw), one_line, "{raw:?}");
        }
    }
}
