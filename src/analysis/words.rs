//! The front of the chain: words, lower-cased and folded to ASCII, in one pass.
//!
//! It makes exactly the tokens tantivy's `SimpleTokenizer`, `RemoveLongFilter`, `LowerCaser`
//! and `AsciiFoldingFilter` made one after the other (a test holds it to them): runs of
//! alphanumeric characters, a run of [`MAX_TOKEN_BYTES`] bytes or more dropped but still
//! counted as a position, lower-cased, then folded to ASCII. Those four walked every word four
//! times (decoding each character, then checking the word for non-ASCII twice); English text
//! is nearly all ASCII, so here a word is found by bytes and lower-cased as it is copied, and
//! only a word with a non-ASCII character takes tantivy's own lower-casing and folding.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

use super::stem_memo::ROOM;
use super::{spelling, MAX_TOKEN_BYTES};
use crate::text::next_word;

/// Tokenizer of lower-cased, ASCII-folded words (see the module note).
#[derive(Clone)]
pub(super) struct FoldedWords {
    token: Token,
    /// Lower-casing and folding of words with a non-ASCII character, as tantivy does them.
    unicode: TextAnalyzer,
}

impl Default for FoldedWords {
    fn default() -> Self {
        FoldedWords {
            token: Token::default(),
            unicode: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

impl Tokenizer for FoldedWords {
    type TokenStream<'a> = FoldedWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldedWordStream<'a> {
        self.token.reset();
        FoldedWordStream {
            text,
            at: 0,
            ahead: None,
            token: &mut self.token,
            unicode: &mut self.unicode,
        }
    }
}

pub(super) struct FoldedWordStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    at: usize,
    /// The word after the current one, found a token early so that its stem memo slot can be
    /// asked for ([`spelling::prefetch_stem`]) while the current token goes through the rest of
    /// the chain and into the index: the memo's lookup of a word out of cache was ~7 % of an
    /// index build's CPU, nearly all of it waiting for that one slot.
    ahead: Option<(usize, usize, bool)>,
    token: &'a mut Token,
    unicode: &'a mut TextAnalyzer,
}

impl FoldedWordStream<'_> {
    /// Ask for the memo slot of the ASCII word at `from..to`, folded as [`Self::advance`] will
    /// fold it (a word too long for a slot, or for the index, has none).
    fn prefetch_stem(&self, from: usize, to: usize) {
        let mut folded = [0u8; ROOM];
        let Some(word) = self
            .text
            .as_bytes()
            .get(from..to)
            .filter(|w| w.len() <= ROOM)
        else {
            return;
        };
        let folded = &mut folded[..word.len()];
        folded.copy_from_slice(word);
        folded.make_ascii_lowercase();
        spelling::prefetch_stem(folded);
    }

    /// The next word and whether it is all ASCII.
    fn next_word(&mut self) -> Option<(usize, usize, bool)> {
        let word = next_word(self.text, self.at)?;
        self.at = word.range.end;
        Some((word.range.start, word.range.end, word.ascii))
    }
}

impl TokenStream for FoldedWordStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some((start, end, ascii)) = self.ahead.take().or_else(|| self.next_word()) else {
                return false;
            };
            self.ahead = self.next_word();
            if let Some((from, to, true)) = self.ahead {
                self.prefetch_stem(from, to);
            }
            // A dropped word still takes a position, as it did behind RemoveLongFilter.
            self.token.position = self.token.position.wrapping_add(1);
            if end - start >= MAX_TOKEN_BYTES {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.text.clear();
            let word = &self.text[start..end];
            if ascii {
                self.token.text.push_str(word);
                self.token.text.make_ascii_lowercase();
            } else {
                let mut folded = self.unicode.token_stream(word);
                if folded.advance() {
                    self.token.text.push_str(&folded.token().text);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};

    use super::*;

    fn tantivy_front() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| out.push(t.clone()));
        out
    }

    fn assert_same_as_tantivy(text: &str) {
        let mut ours = TextAnalyzer::from(FoldedWords::default());
        assert_eq!(
            tokens(&mut ours, text),
            tokens(&mut tantivy_front(), text),
            "{text:?}"
        );
    }

    #[test]
    fn words_are_the_words_of_tantivys_four_filters() {
        let long = "x".repeat(MAX_TOKEN_BYTES);
        let just_short = "y".repeat(MAX_TOKEN_BYTES - 1);
        let long_accented = "é".repeat(MAX_TOKEN_BYTES / 2);
        for text in [
            "",
            "   ",
            "Forced LABOUR in fishing: 2019–2021, GLO.ACT Pakistan",
            "Eurídice Muñoz, Škoda, Ærøskøbing, straße, ﬁnancial",
            "İstanbul ΣΊΣΥΦΟΣ Ǆemal café\u{301} naïve",
            "tab\tnew\nline\r\nend—dash “quoted” ‘single’ l’homme",
            "日本語のテキスト and العربية and русский текст",
            "①②③ ²³ Ⅻ x²",
            &format!("before {long} after {just_short} then {long_accented} ok"),
            &long,
            "a",
            "9",
            "emoji 🙂 between 🙂words",
        ] {
            assert_same_as_tantivy(text);
        }
    }

    #[test]
    fn real_documents_make_the_same_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        if !root.is_dir() {
            eprintln!("skipped: {} is absent", root.display());
            return;
        }
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                e.path()
                    .extension()
                    .is_some_and(|x| x == "md" || x == "txt" || x == "html")
            })
        {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                assert_same_as_tantivy(&text);
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} documents read");
    }

    proptest::proptest! {
        #[test]
        fn any_text_makes_the_same_words(
            text in "[a-zA-Z0-9 .,'\\-éÉßİıΣςﬁ①²Ǆ\u{301}\u{2019}日😀\t\n]{0,120}"
        ) {
            assert_same_as_tantivy(&text);
        }
    }
}
