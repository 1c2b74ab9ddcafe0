//! Which bytes of a passage matched the query: byte ranges only, never markup.
//!
//! The caller analyzes the passage with the index's analyzer and hands over its tokens, so a
//! highlight is exactly a match: `trafficked` lights up for the query `trafficking` because
//! both stem to `traffick`, and `GLO.ACT` lights up only as the two consecutive terms.

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

/// One token of the passage: its byte range and indexed term.
pub type Token = (Range<usize>, String);

/// Byte ranges of `tokens` matching any pattern, sorted, with overlapping ranges merged.
pub fn highlight(tokens: &[Token], patterns: &[Pattern]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (i, (range, term)) in tokens.iter().enumerate() {
        for pattern in patterns {
            match pattern {
                Pattern::Term(t) if t == term => ranges.push(range.clone()),
                Pattern::Prefix(ps) if ps.iter().any(|p| term.starts_with(p.as_str())) => {
                    ranges.push(range.clone())
                }
                Pattern::Phrase(terms) if !terms.is_empty() && tokens.len() - i >= terms.len() => {
                    let window = &tokens[i..i + terms.len()];
                    if window.iter().zip(terms).all(|((_, t), want)| t == want) {
                        ranges.push(range.start..window[window.len() - 1].0.end);
                    }
                }
                _ => {}
            }
        }
    }
    merge(ranges)
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
                    out.push((s..i, stem));
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
    fn ranges_are_on_char_boundaries_for_non_ascii() {
        let text = "Eurídice Márquez, Eurídice";
        let r = highlight(&toks(text), &[Pattern::Term("eurídice".into())]);
        assert_eq!(spans(text, &r), ["Eurídice", "Eurídice"]);
    }
}
