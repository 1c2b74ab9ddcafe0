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
pub(crate) enum Pattern {
    /// One term.
    Term(String),
    /// Consecutive terms; the whole span is highlighted.
    Phrase(Vec<String>),
    /// A term starting with any of these prefixes.
    Prefix(Vec<String>),
}

/// One token of the passage: its byte range, indexed term and word position.
pub(crate) type Token = (Range<usize>, String, usize);

/// Function words, in analyzed form. Typed among other words (`trafficking in persons`), one
/// matches nearly every passage; lit everywhere it would mark nothing the reader looks for. It
/// is marked only where it joins two marked words, or inside a matched phrase or long form.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "that", "the", "their", "thi", "this", "to", "was", "were", "with",
];

/// Whether `term` (analyzed) is a function word (see [`STOP_WORDS`]).
pub(crate) fn is_stop_word(term: &str) -> bool {
    STOP_WORDS.contains(&term)
}

/// Byte ranges of `tokens` matching any pattern, sorted, with overlapping ranges merged.
/// `tokens` must be in stream order (positions never decrease).
///
/// A lone stop word ([`is_stop_word`]) is marked only between two marked words.
pub(crate) fn highlight(tokens: &[Token], patterns: &[Pattern]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    // Stop-word term matches, by position, settled once the words around them are known.
    let mut stops: Vec<(Range<usize>, usize)> = Vec::new();
    for (i, (range, term, position)) in tokens.iter().enumerate() {
        for pattern in patterns {
            match pattern {
                Pattern::Term(t) if t == term && is_stop_word(t) => {
                    stops.push((range.clone(), *position))
                }
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
    if !stops.is_empty() {
        let marked_at = |position: usize| {
            tokens.iter().any(|(r, _, p)| {
                *p == position && ranges.iter().any(|m| m.start <= r.start && r.end <= m.end)
            })
        };
        let joining: Vec<Range<usize>> = stops
            .into_iter()
            .filter(|(_, p)| *p > 0 && marked_at(p - 1) && marked_at(p + 1))
            .map(|(r, _)| r)
            .collect();
        ranges.extend(joining);
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
    fn a_lone_stop_word_is_not_marked() {
        let text = "trafficking in persons; victims in shelters";
        // (byte 12 is the first "in")
        let patterns = [
            Pattern::Term("trafficking".into()),
            Pattern::Term("in".into()),
            Pattern::Term("person".into()),
        ];
        let r = highlight(&toks(text), &patterns);
        // "in" joins two marked words in the first clause, stands alone in the second.
        assert_eq!(spans(text, &r), ["trafficking", "in", "persons"]);
        assert_eq!(r[1], 12..14);
        // Inside a matched phrase it is part of the phrase.
        let phrase = Pattern::Phrase(vec!["victim".into(), "in".into(), "shelter".into()]);
        assert_eq!(
            spans(text, &highlight(&toks(text), &[phrase])),
            ["victims in shelters"]
        );
    }

    #[test]
    fn ranges_are_on_char_boundaries_for_non_ascii() {
        let text = "Eurídice Márquez, Eurídice";
        let r = highlight(&toks(text), &[Pattern::Term("eurídice".into())]);
        assert_eq!(spans(text, &r), ["Eurídice", "Eurídice"]);
    }

    /// Properties over the real domain analyzer (folding, stemming, injected joined forms and
    /// acronyms), on text mixing ASCII, non-ASCII letters, CJK, punctuation and line breaks.
    mod properties {
        use super::*;
        use proptest::prelude::*;
        use proptest::sample::Index;

        fn real_tokens(text: &str) -> Vec<Token> {
            crate::schema::analyze(&mut crate::schema::analyzer(), text)
                .into_iter()
                .map(|t| (t.range, t.term, t.position))
                .collect()
        }

        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                4 => "[a-zA-Z]{1,10}",
                2 => prop::sample::select(vec![
                    "trafficking", "trafficked", "persons", "TIP", "GLO.ACT", "GLO-ACT",
                    "labour", "labor", "organised", "victims", "in", "of", "the", "U.N.",
                    "e-mail", "co-operation", "don’t", "“quoted”",
                ])
                .prop_map(String::from),
                3 => prop::sample::select(vec![
                    "é", "ł", "中文", "Straße", "Łódź", "Eurídice", "ﬁnance", "İstanbul", "ǅ",
                    "e\u{301}", "ÅNGSTRÖM", "日本語テキスト", "Ωμέγα", "ß", "ı", "\u{200b}",
                    "🙂", "x\u{0308}y",
                ])
                .prop_map(String::from),
                2 => "[.\\-’“”,;:()/]{1,3}",
                3 => "[ \\t]{1,3}",
                1 => "[\\n\\r]{1,2}",
                1 => "\\PC{1,4}",
            ]
        }

        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
        }

        /// How to turn a token choice into a pattern.
        #[derive(Clone, Debug)]
        enum Pick {
            Term(Index),
            Phrase(Index, usize),
            Prefix(Index, usize),
        }

        fn picks() -> impl Strategy<Value = Vec<Pick>> {
            prop::collection::vec(
                prop_oneof![
                    any::<Index>().prop_map(Pick::Term),
                    (any::<Index>(), 2usize..=3).prop_map(|(i, n)| Pick::Phrase(i, n)),
                    (any::<Index>(), 1usize..6).prop_map(|(i, n)| Pick::Prefix(i, n)),
                ],
                0..6,
            )
        }

        /// A term at each of `n` consecutive positions starting at token `i`'s, if the text has them.
        fn phrase_from(tokens: &[Token], i: usize, n: usize) -> Option<Vec<String>> {
            let start = tokens[i].2;
            let mut terms = vec![tokens[i].1.clone()];
            for k in 1..n {
                let next = tokens.iter().find(|t| t.2 == start + k)?;
                terms.push(next.1.clone());
            }
            Some(terms)
        }

        fn prefix_of(term: &str, chars: usize) -> String {
            term.chars().take(chars).collect()
        }

        /// Patterns from the picks, plus the token each should at least cover.
        fn patterns(tokens: &[Token], picks: &[Pick]) -> Vec<(Pattern, usize)> {
            if tokens.is_empty() {
                return Vec::new();
            }
            picks
                .iter()
                .filter_map(|p| match p {
                    Pick::Term(i) => {
                        let i = i.index(tokens.len());
                        Some((Pattern::Term(tokens[i].1.clone()), i))
                    }
                    Pick::Phrase(i, n) => {
                        let i = i.index(tokens.len());
                        phrase_from(tokens, i, *n).map(|ts| (Pattern::Phrase(ts), i))
                    }
                    Pick::Prefix(i, n) => {
                        let i = i.index(tokens.len());
                        let p = prefix_of(&tokens[i].1, *n);
                        Some((Pattern::Prefix(vec![p]), i))
                    }
                })
                .collect()
        }

        fn covered(ranges: &[Range<usize>], r: &Range<usize>) -> bool {
            ranges.iter().any(|h| h.start <= r.start && r.end <= h.end)
        }

        fn check(text: &str, tokens: &[Token], pats: &[(Pattern, usize)]) {
            let patterns: Vec<Pattern> = pats.iter().map(|(p, _)| p.clone()).collect();
            let ranges = highlight(tokens, &patterns);
            for r in &ranges {
                assert!(r.start < r.end, "empty range {r:?} in {text:?}");
                assert!(r.end <= text.len(), "range {r:?} past end of {text:?}");
                assert!(
                    text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                    "range {r:?} not on char boundaries of {text:?}"
                );
                // A highlight starts at some token's start and ends at some token's end.
                assert!(
                    tokens.iter().any(|t| t.0.start == r.start),
                    "{r:?} starts mid-token"
                );
                assert!(
                    tokens.iter().any(|t| t.0.end == r.end),
                    "{r:?} ends mid-token"
                );
            }
            for w in ranges.windows(2) {
                assert!(
                    w[0].end <= w[1].start,
                    "unsorted or overlapping: {ranges:?}"
                );
            }
            for (pattern, i) in pats {
                let token = &tokens[i.to_owned()];
                match pattern {
                    // Every token carrying the term or prefix lights up, not just the chosen one
                    // (a stop word only between marked words: not checked here).
                    Pattern::Term(t) if is_stop_word(t) => {}
                    Pattern::Term(t) => {
                        for tok in tokens.iter().filter(|tok| &tok.1 == t) {
                            assert!(
                                covered(&ranges, &tok.0),
                                "term {t:?} at {:?} not covered by {ranges:?} in {text:?}",
                                tok.0
                            );
                        }
                    }
                    Pattern::Prefix(ps) => {
                        for tok in tokens
                            .iter()
                            .filter(|tok| tok.1.starts_with(ps[0].as_str()))
                        {
                            assert!(
                                covered(&ranges, &tok.0),
                                "prefix {ps:?}: {:?} not covered by {ranges:?} in {text:?}",
                                tok.0
                            );
                        }
                    }
                    // A phrase made of the text's own consecutive terms matches where it came from.
                    Pattern::Phrase(ts) => assert!(
                        covered(&ranges, &token.0),
                        "phrase {ts:?} from {:?} not covered by {ranges:?} in {text:?}",
                        token.0
                    ),
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// The analyzer's own tokens are sane, or nothing below could be.
            #[test]
            fn analyzer_tokens_are_in_bounds(text in text()) {
                let tokens = real_tokens(&text);
                for (r, term, _) in &tokens {
                    prop_assert!(r.start <= r.end && r.end <= text.len(), "{r:?} {term:?} in {text:?}");
                    prop_assert!(
                        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                        "{r:?} {term:?} not on char boundaries of {text:?}"
                    );
                }
                for w in tokens.windows(2) {
                    prop_assert!(w[0].2 <= w[1].2, "positions decrease: {tokens:?}");
                }
            }

            #[test]
            fn highlights_of_real_tokens(text in text(), picks in picks()) {
                let tokens = real_tokens(&text);
                let pats = patterns(&tokens, &picks);
                check(&text, &tokens, &pats);
            }

            #[test]
            fn highlights_of_arbitrary_text(text in "(\\PC|\\s){0,120}", picks in picks()) {
                let tokens = real_tokens(&text);
                let pats = patterns(&tokens, &picks);
                check(&text, &tokens, &pats);
            }

            /// Patterns that do not occur never light anything up.
            #[test]
            fn absent_patterns_match_nothing(text in text()) {
                let tokens = real_tokens(&text);
                let absent = "\u{e000}absent";
                let r = highlight(&tokens, &[
                    Pattern::Term(absent.into()),
                    Pattern::Prefix(vec![absent.into()]),
                    Pattern::Phrase(vec![absent.into(), absent.into()]),
                ]);
                prop_assert!(r.is_empty());
            }
        }
    }
}
