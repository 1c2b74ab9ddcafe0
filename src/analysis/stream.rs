//! Token-stream plumbing shared by the filters: collecting a stream, the word as written at each
//! position, and recycled tokens for the filters that buffer (joined parts, acronyms).

use std::collections::VecDeque;

use tantivy::tokenizer::{TextAnalyzer, Token};

pub(super) fn collect_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |t| tokens.push(t.clone()));
    tokens
}

/// The first token at each position: injected tokens always follow the token they share a
/// position with, so the first one is the word actually written.
pub(super) fn primary_of(tokens: &[Token]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for t in tokens {
        if out.last().is_none_or(|last| last.position != t.position) {
            out.push(t.clone());
        }
    }
    out
}

pub(super) fn primary_positions(tokens: &[Token]) -> Vec<usize> {
    primary_of(tokens).iter().map(|t| t.position).collect()
}

/// Spare tokens kept per stream: enough for the lookahead of the longest long form.
const MAX_SPARE_TOKENS: usize = 64;

/// A copy of `src` in a recycled token, so buffering filters do not allocate per token.
pub(super) fn copy_token(spare: &mut Vec<Token>, src: &Token) -> Token {
    let mut t = spare.pop().unwrap_or_default();
    t.offset_from = src.offset_from;
    t.offset_to = src.offset_to;
    t.position = src.position;
    t.position_length = src.position_length;
    t.text.clear();
    t.text.push_str(&src.text);
    t
}

/// Make the next queued token current, recycling the previous one; false when none is queued.
/// Shared by the filters that buffer tokens (joined parts, acronyms).
pub(super) fn take_next(
    out: &mut VecDeque<Token>,
    current: &mut Token,
    spare: &mut Vec<Token>,
) -> bool {
    match out.pop_front() {
        Some(t) => {
            recycle(spare, std::mem::replace(current, t));
            true
        }
        None => false,
    }
}

pub(super) fn recycle(spare: &mut Vec<Token>, token: Token) {
    if spare.len() < MAX_SPARE_TOKENS {
        spare.push(token);
    }
}
