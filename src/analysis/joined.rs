//! Joined parts: GLO.ACT, anti-trafficking, e-mail also yield their concatenation.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::stream::{Buffered, Fill, Filled, Queue};
use super::MAX_TOKEN_BYTES;

/// Longest run of joined parts that still yields a concatenation. Longer runs are dotted
/// numbers, host names or file paths, whose concatenation nobody would type.
const MAX_JOINED_PARTS: usize = 6;

/// Characters that glue two parts into one written word when nothing else separates them.
/// U+2010/U+2011 are the typographic (non-breaking) hyphens of word processors; U+00AD is the
/// soft hyphen left in text extracted from hyphenated PDF lines.
const JOINERS: [char; 5] = ['.', '-', '\u{2010}', '\u{2011}', '\u{00AD}'];

/// Emits the concatenation of parts written with a joiner and no space between them.
#[derive(Clone)]
pub(super) struct JoinParts;

impl TokenFilter for JoinParts {
    type Tokenizer<T: Tokenizer> = JoinPartsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> JoinPartsFilter<T> {
        JoinPartsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub(super) struct JoinPartsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for JoinPartsFilter<T> {
    type TokenStream<'a> = Buffered<T::TokenStream<'a>, JoinPartsFill<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let fill = JoinPartsFill {
            text,
            lookahead: None,
            run: Vec::new(),
            last_end: None,
        };
        Buffered::new(self.inner.token_stream(text), fill)
    }
}

/// The joined-parts filter's own state.
pub(super) struct JoinPartsFill<'a> {
    /// The original text: only it tells whether two tokens were written without a space.
    text: &'a str,
    lookahead: Option<Token>,
    run: Vec<Token>,
    /// End offset of the last token taken from upstream into a run, to recognise the
    /// continuation of an over-long run (which must not start a new, partial join).
    last_end: Option<usize>,
}

impl JoinPartsFill<'_> {
    fn pull<T: TokenStream>(&mut self, upstream: &mut T, queue: &mut Queue) -> Option<Token> {
        if let Some(t) = self.lookahead.take() {
            return Some(t);
        }
        if upstream.advance() {
            Some(queue.copy(upstream.token()))
        } else {
            None
        }
    }
}

impl<T: TokenStream> Fill<T> for JoinPartsFill<'_> {
    fn fill(&mut self, upstream: &mut T, queue: &mut Queue) -> Filled {
        if self.lookahead.is_none() {
            if !upstream.advance() {
                return Filled::Queued;
            }
            let token = upstream.token();
            let continues = self
                .last_end
                .is_some_and(|end| is_joined(self.text, end, token.offset_from));
            // A word followed by anything but a joiner starts no run (the next word cannot be
            // joined to it), so it goes out as it is, without reading the next word.
            if !continues && !joiner_at(self.text, token.offset_to) {
                // No joiner follows it, so the next word cannot continue a run from it.
                self.last_end = None;
                return Filled::Upstream;
            }
            self.lookahead = Some(queue.copy(token));
        }
        let Some(first) = self.pull(upstream, queue) else {
            return Filled::Queued;
        };
        let continues = self
            .last_end
            .is_some_and(|end| is_joined(self.text, end, first.offset_from));
        self.last_end = Some(first.offset_to);
        if continues {
            queue.push(first);
            return Filled::Queued;
        }
        self.run.clear();
        self.run.push(first);
        while self.run.len() <= MAX_JOINED_PARTS {
            let Some(next) = self.pull(upstream, queue) else {
                break;
            };
            let prev_end = self.run.last().map_or(0, |t| t.offset_to);
            if is_joined(self.text, prev_end, next.offset_from) {
                self.last_end = Some(next.offset_to);
                self.run.push(next);
            } else {
                self.lookahead = Some(next);
                break;
            }
        }
        let joined = if self.run.len() >= 2 && self.run.len() <= MAX_JOINED_PARTS {
            joined_token(&self.run)
        } else {
            None
        };
        let mut parts = self.run.drain(..);
        if let Some(first) = parts.next() {
            queue.push(first);
        }
        if let Some(joined) = joined {
            queue.push(joined);
        }
        for part in parts {
            queue.push(part);
        }
        Filled::Queued
    }
}

/// Whether a joiner character starts at byte `at` of `text` (false off a character boundary,
/// as [`is_joined`] is there).
fn joiner_at(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| JOINERS.contains(&c))
}

/// Whether the text between two tokens is exactly one joiner character.
pub(super) fn is_joined(text: &str, prev_end: usize, next_start: usize) -> bool {
    if next_start <= prev_end {
        return false;
    }
    let Some(between) = text.get(prev_end..next_start) else {
        return false;
    };
    let mut chars = between.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if JOINERS.contains(&c))
}

pub(super) fn joined_token(parts: &[Token]) -> Option<Token> {
    let (first, last) = (parts.first()?, parts.last()?);
    // `3.5` or `2010-2015` joined would match unrelated numbers; `covid-19` is worth joining.
    if parts
        .iter()
        .all(|p| p.text.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let text: String = parts.iter().map(|p| p.text.as_str()).collect();
    if text.len() >= MAX_TOKEN_BYTES {
        return None;
    }
    Some(Token {
        offset_from: first.offset_from,
        offset_to: last.offset_to,
        position: first.position,
        position_length: last.position.saturating_sub(first.position) + 1,
        text,
    })
}
