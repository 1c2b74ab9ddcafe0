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
        let bytes = text.as_bytes();
        // About one word per six bytes of English prose.
        let mut ranges = Vec::with_capacity(text.len() / 6 + 1);
        // Whether the char at `i` is a letter or digit, and its length; ASCII bytes (nearly
        // all) are tested without decoding a char.
        let class = |i: usize| -> (bool, usize) {
            let b = bytes[i];
            if b.is_ascii() {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                (c.is_alphanumeric(), c.len_utf8())
            }
        };
        let mut i = 0;
        // Two tight loops, one over separators and one over a word's bytes, rather than one
        // loop deciding at every byte whether a word is open.
        while i < bytes.len() {
            let (alphanumeric, len) = class(i);
            if !alphanumeric {
                i += len;
                continue;
            }
            let start = i;
            i += len;
            while i < bytes.len() {
                if bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                    continue;
                }
                let (alphanumeric, len) = class(i);
                if !alphanumeric {
                    break;
                }
                i += len;
            }
            ranges.push(start..i);
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
