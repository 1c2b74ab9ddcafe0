//! Which bytes of a passage matched the query: byte ranges only, never markup.
//!
//! The caller analyzes the passage with the index's analyzer and hands over its tokens, so a
//! highlight is exactly a match: `trafficked` lights up for the query `trafficking` because
//! both stem to `traffick`, and `GLO.ACT` lights up only as the two consecutive terms. Tokens
//! carry positions because the analyzer injects extra tokens (`gloact`, `tip`) at the position
//! of the words they stand for; a phrase steps from position to position, not token to token.

use std::ops::Range;

/// What to look for, in analyzed (indexed) form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// One term.
    Term(String),
    /// Consecutive terms; the whole span is highlighted.
    Phrase(Vec<String>),
    /// A term starting with any of these prefixes.
    Prefix(Vec<String>),
}

/// One token of the passage: its byte range, indexed term and word position.
pub type Token = (Range<usize>, String, usize);

/// Byte ranges of `tokens` matching any pattern, sorted, with overlapping ranges merged.
/// `tokens` must be in stream order (positions never decrease).
pub fn highlight(tokens: &[Token], patterns: &[Pattern]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (i, (range, term, position)) in tokens.iter().enumerate() {
        for pattern in patterns {
            match pattern {
                Pattern::Term(t) if t == term => ranges.push(range.clone()),
                Pattern::Prefix(ps) if ps.iter().any(|p| term.starts_with(p.as_str())) => {
                    ranges.push(range.clone())
                }
                Pattern::Phrase(terms) if terms.first() == Some(term) => {
                    if let Some(end) = phrase_end(&tokens[i + 1..], &terms[1..], *position) {
                        ranges.push(range.start..end.max(range.end));
                    }
                }
                _ => {}
            }
        }
    }
    merge(ranges)
}

/// Where a phrase whose first term sits at `position` ends, if `rest` continues it: each next
/// term must appear among the tokens at the next position.
fn phrase_end(rest: &[Token], terms: &[String], mut position: usize) -> Option<usize> {
    let mut end = None;
    let mut i = 0;
    for want in terms {
        position += 1;
        // Skip injected tokens still at earlier positions.
        while i < rest.len() && rest[i].2 < position {
            i += 1;
        }
        let mut found = None;
        while i < rest.len() && rest[i].2 == position {
            if &rest[i].1 == want {
                found = Some(rest[i].0.end);
            }
            i += 1;
        }
        end = Some(found?);
    }
    end.or(Some(0))
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in analyzer: lower-case words with a crude "s"/"ed" stemmer.
    fn toks(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    let w = text[s..i].to_lowercase();
                    let stem = w.trim_end_matches("ed").trim_end_matches('s').to_string();
                    let position = out.len();
                    out.push((s..i, stem, position));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    fn spans<'a>(text: &'a str, ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn terms_match_through_the_analyzer() {
        let text = "Victims were trafficked; victim support.";
        let r = highlight(&toks(text), &[Pattern::Term("victim".into())]);
        assert_eq!(spans(text, &r), ["Victims", "victim"]);
    }

    #[test]
    fn phrases_match_only_consecutively() {
        let text = "GLO.ACT works; act for GLO members. GLO.ACT again";
        let p = Pattern::Phrase(vec!["glo".into(), "act".into()]);
        let r = highlight(&toks(text), &[p]);
        assert_eq!(spans(text, &r), ["GLO.ACT", "GLO.ACT"]);
    }

    #[test]
    fn prefixes_and_overlaps_merge() {
        let text = "trafficking in persons, traffickers";
        let r = highlight(
            &toks(text),
            &[
                Pattern::Prefix(vec!["traffick".into()]),
                Pattern::Phrase(vec!["trafficking".into(), "in".into(), "person".into()]),
            ],
        );
        assert_eq!(spans(text, &r), ["trafficking in persons", "traffickers"]);
    }

    #[test]
    fn phrases_step_over_injected_tokens() {
        // As the domain analyzer emits "GLO.ACT": glo@0, gloact@0, act@1.
        let text = "GLO.ACT works";
        let tokens: Vec<Token> = vec![
            (0..3, "glo".into(), 0),
            (0..7, "gloact".into(), 0),
            (4..7, "act".into(), 1),
            (8..13, "work".into(), 2),
        ];
        let phrase = Pattern::Phrase(vec!["glo".into(), "act".into()]);
        assert_eq!(spans(text, &highlight(&tokens, &[phrase])), ["GLO.ACT"]);
        let joined = Pattern::Term("gloact".into());
        assert_eq!(spans(text, &highlight(&tokens, &[joined])), ["GLO.ACT"]);
        let broken = Pattern::Phrase(vec!["glo".into(), "work".into()]);
        assert!(highlight(&tokens, &[broken]).is_empty());
    }

    #[test]
    fn ranges_are_on_char_boundaries_for_non_ascii() {
        let text = "Eurídice Márquez, Eurídice";
        let r = highlight(&toks(text), &[Pattern::Term("eurídice".into())]);
        assert_eq!(spans(text, &r), ["Eurídice", "Eurídice"]);
    }
}
