//! Splitting document text into passages, the unit that is indexed, ranked
//! and highlighted.
//!
//! A passage is a byte range into the text, so callers can show or highlight
//! it in the original without copying. The split is a single forward scan:
//! each paragraph (line) is examined once to collect its words, and only a
//! paragraph longer than the maximum is broken further, at sentence ends and
//! then at word boundaries.

use std::ops::Range;

use crate::text::char_at;

/// Bounds for a passage, in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PassageConfig {
    /// A passage keeps absorbing following paragraphs until it has at least
    /// this many words (the last passage of a text may be shorter).
    pub min_words: usize,
    /// A passage never has more words than this, unless it is a single word.
    pub max_words: usize,
}

impl Default for PassageConfig {
    fn default() -> Self {
        Self {
            min_words: 50,
            max_words: 250,
        }
    }
}

/// Split text into passages: byte ranges into `text`, in order and
/// non-overlapping, each starting and ending on a non-whitespace character
/// and never cutting a word (a word is a maximal run of non-whitespace).
///
/// Paragraphs (lines) are packed together until a passage reaches
/// `min_words`, never exceeding `max_words`, so a short heading joins the
/// paragraph after it. A paragraph longer than `max_words` is split at
/// sentence ends (`.`, `!` or `?` followed by whitespace; abbreviations are
/// accepted losses), and a sentence longer than `max_words` at word
/// boundaries. A short trailing remainder is merged into the previous passage
/// when the result stays within `max_words`.
///
/// Every non-whitespace byte of `text` lies in exactly one passage; text that
/// is empty or only whitespace gives no passages.
pub fn split(text: &str, config: PassageConfig) -> Vec<Range<usize>> {
    let mut packer = Packer::new(config);
    let mut words: Vec<Word> = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let (c, len) = char_at(text, at);
        if c.is_whitespace() {
            if is_line_break(c) && !words.is_empty() {
                packer.paragraph(&words);
                words.clear();
            }
            at += len;
            continue;
        }
        // A word: ASCII letters, digits and punctuation are skipped by the byte (nearly all
        // of an English text; a loop over chars was ~3 % of an index build's CPU), anything
        // else is decoded to see whether it is whitespace.
        let start = at;
        at += len;
        while at < bytes.len() {
            if is_ascii_in_word(bytes[at]) {
                at += 1;
                continue;
            }
            let (c, len) = char_at(text, at);
            if c.is_whitespace() {
                break;
            }
            at += len;
        }
        words.push(Word {
            start,
            end: at,
            ends_sentence: is_sentence_end(last_core(&text[start..at])),
        });
    }
    if !words.is_empty() {
        packer.paragraph(&words);
    }
    packer.finish()
}

/// An ASCII byte that is not whitespace (as `char::is_whitespace` has it).
fn is_ascii_in_word(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b' ' | 0x09..=0x0D)
}

/// The last character of a word that is not a closing quote or bracket, so `end."` and
/// `end.)` still count as sentence ends.
fn last_core(word: &str) -> char {
    word.chars().rev().find(|&c| !is_closer(c)).unwrap_or(' ')
}

/// Split each section of `text` on its own, so no passage crosses a section start. `starts`
/// are byte offsets into `text` where sections begin, in any order; only those after
/// whitespace count (a line start does), so no word is ever cut. A section of a single line
/// (a heading with nothing under it) joins the one after it. The ranges satisfy the
/// invariants of [`split`] (order, no overlap, no cut word, every word covered); the
/// `min_words` packing applies within a section.
pub fn split_sections(text: &str, starts: &[usize], config: PassageConfig) -> Vec<Range<usize>> {
    let mut bounds: Vec<usize> = starts
        .iter()
        .copied()
        .filter(|&s| s > 0 && s < text.len() && follows_whitespace(text, s))
        .collect();
    bounds.sort_unstable();
    bounds.dedup();
    bounds.push(text.len());
    // A section of one line is a heading with nothing under it (`# Report` right before
    // `## Summary`): alone it would be a one-word passage that BM25's length normalisation
    // ranks above real paragraphs, so it joins the section it introduces, as do any lone lines
    // that follow it.
    let mut kept: Vec<usize> = Vec::with_capacity(bounds.len());
    // Whether the sections gathered since the last kept start are all lone lines.
    let mut lone = false;
    let mut from = 0;
    for &to in &bounds {
        if from > 0 && !lone {
            kept.push(from);
        }
        lone = text[from..to].trim().lines().count() <= 1;
        from = to;
    }
    kept.push(text.len());
    let mut out = Vec::new();
    let mut from = 0;
    for to in kept {
        out.extend(
            split(&text[from..to], config)
                .into_iter()
                .map(|r| r.start + from..r.end + from),
        );
        from = to;
    }
    out
}

fn follows_whitespace(text: &str, at: usize) -> bool {
    text.is_char_boundary(at)
        && text[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
}

/// Byte offsets of the lines that follow a blank line: the section starts of a text whose
/// blank lines mark headings (see `ingest::Extracted::sections`).
pub fn blank_line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut offset = 0;
    let mut after_blank = false;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if after_blank && !blank {
            starts.push(offset);
        }
        after_blank = blank;
        offset += line.len();
    }
    starts
}

#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    end: usize,
    ends_sentence: bool,
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | '›' | ')' | ']' | '}' | '」' | '』' | '）'
    )
}

/// A finished passage under construction or already emitted.
#[derive(Clone, Debug)]
struct Passage {
    range: Range<usize>,
    words: usize,
}

/// Greedy packer over units (paragraphs, sentences or single words), each of
/// which fits within `max_words` on its own, except a lone word.
struct Packer {
    config: PassageConfig,
    done: Vec<Range<usize>>,
    /// Word count of the last emitted passage, for the trailing merge.
    last_words: usize,
    current: Option<Passage>,
}

impl Packer {
    fn new(config: PassageConfig) -> Self {
        Self {
            config,
            done: Vec::new(),
            last_words: 0,
            current: None,
        }
    }

    fn max(&self) -> usize {
        self.config.max_words.max(1)
    }

    fn paragraph(&mut self, words: &[Word]) {
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            return;
        };
        let total = words.len();
        let max = self.max();
        if total <= max {
            self.push(first.start..last.end, total, self.config.min_words);
            return;
        }
        // Aim for equal chunks rather than max-sized ones followed by a stub.
        let chunks = total.div_ceil(max);
        let target = total.div_ceil(chunks).max(self.config.min_words);
        let mut sentence_start = 0;
        for (i, w) in words.iter().enumerate() {
            if w.ends_sentence || i + 1 == total {
                self.sentence(&words[sentence_start..=i], target);
                sentence_start = i + 1;
            }
        }
    }

    fn sentence(&mut self, words: &[Word], target: usize) {
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            return;
        };
        if words.len() <= self.max() {
            self.push(first.start..last.end, words.len(), target);
        } else {
            for w in words {
                self.push(w.start..w.end, 1, target);
            }
        }
    }

    /// Adds a unit, first closing the current passage if the unit would push
    /// it past `max_words`, then closing it once it reaches `flush_at`.
    fn push(&mut self, range: Range<usize>, words: usize, flush_at: usize) {
        let max = self.max();
        if let Some(cur) = &self.current {
            if cur.words + words > max {
                self.flush();
            }
        }
        let cur = self.current.get_or_insert(Passage {
            range: range.start..range.start,
            words: 0,
        });
        cur.range.end = range.end;
        cur.words += words;
        if cur.words >= flush_at {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if let Some(p) = self.current.take() {
            self.last_words = p.words;
            self.done.push(p.range);
        }
    }

    fn finish(mut self) -> Vec<Range<usize>> {
        if let Some(p) = self.current.take() {
            let mergeable =
                p.words < self.config.min_words && self.last_words + p.words <= self.max();
            match self.done.last_mut() {
                Some(prev) if mergeable => {
                    prev.end = p.range.end;
                }
                _ => self.done.push(p.range),
            }
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEEDS: [&str; 5] = [
        include_str!("../data/000_2856f766485e6e1f.txt"),
        include_str!("../data/001_94b517cd202b1d25.txt"),
        include_str!("../data/002_2f2a5334aabe2614.txt"),
        include_str!("../data/003_bd84540aa3d9ccf3.txt"),
        include_str!("../data/004_4e25dece879ac80b.txt"),
    ];

    fn words_in(text: &str, r: &Range<usize>) -> usize {
        text[r.clone()].split_whitespace().count()
    }

    fn non_ws(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// The invariants every split must satisfy, whatever the input.
    fn check_invariants(text: &str, config: PassageConfig, ranges: &[Range<usize>]) {
        let mut prev_end = 0;
        for (i, r) in ranges.iter().enumerate() {
            assert!(r.start < r.end, "empty range {r:?}");
            assert!(r.end <= text.len());
            assert!(i == 0 || r.start > prev_end, "overlap or disorder at {r:?}");
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            let s = &text[r.clone()];
            assert_eq!(s.trim(), s, "untrimmed passage {s:?}");
            let n = words_in(text, r);
            assert!(n >= 1);
            assert!(n <= config.max_words || n == 1, "{n} words in {r:?}");
            // Cutting inside a word would leave non-whitespace on both sides.
            let before = text[..r.start].chars().next_back();
            let after = text[r.end..].chars().next();
            assert!(before.is_none_or(char::is_whitespace));
            assert!(after.is_none_or(char::is_whitespace));
            prev_end = r.end;
        }
        let joined: String = ranges.iter().map(|r| non_ws(&text[r.clone()])).collect();
        assert_eq!(joined, non_ws(text));
    }

    fn run(text: &str, config: PassageConfig) -> Vec<Range<usize>> {
        let ranges = split(text, config);
        check_invariants(text, config, &ranges);
        ranges
    }

    #[test]
    fn seeds_respect_bounds_and_cover() {
        let config = PassageConfig::default();
        for text in SEEDS {
            let ranges = run(text, config);
            assert!(!ranges.is_empty());
            for r in &ranges {
                let n = words_in(text, r);
                assert!((1..=250).contains(&n));
            }
        }
    }

    #[test]
    fn seed_002_passages_mostly_reach_min() {
        let text = SEEDS[2];
        let ranges = run(text, PassageConfig::default());
        let big = ranges.iter().filter(|r| words_in(text, r) >= 50).count();
        assert!(ranges.len() >= 10);
        assert!(big * 10 >= ranges.len() * 9, "{big} of {}", ranges.len());
    }

    #[test]
    fn a_heading_section_starts_a_passage_however_short_the_one_before() {
        // DOCX and Markdown text: a blank line before each heading and nowhere else.
        let text = "Intro line.\nSecond line.\n\nFindings\nWorkers were recruited.\nWages were withheld.\n\nMethod\nInterviews.";
        let starts = blank_line_starts(text);
        assert_eq!(
            starts.iter().map(|&s| &text[s..s + 6]).collect::<Vec<_>>(),
            ["Findin", "Method"]
        );
        let got: Vec<&str> = split_sections(text, &starts, PassageConfig::default())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(
            got,
            [
                "Intro line.\nSecond line.",
                "Findings\nWorkers were recruited.\nWages were withheld.",
                "Method\nInterviews."
            ]
        );
        // Headings with nothing under them join the section they introduce.
        let text = "Report\n\nSummary\n\nScope\nForced labour in fishing.\n\nEnd\nDone.";
        let got: Vec<&str> =
            split_sections(text, &blank_line_starts(text), PassageConfig::default())
                .into_iter()
                .map(|r| &text[r])
                .collect();
        assert_eq!(
            got,
            [
                "Report\n\nSummary\n\nScope\nForced labour in fishing.",
                "End\nDone."
            ]
        );
        // Without sections the same text is one passage (50 words are wanted).
        assert_eq!(split(text, PassageConfig::default()).len(), 1);
    }

    #[test]
    fn heading_joins_following_paragraph() {
        let text = SEEDS[2];
        let ranges = run(text, PassageConfig::default());
        let heading = "Challenges in Enforcing International Laws against Human Trafficking";
        let r = ranges
            .iter()
            .find(|r| text[(*r).clone()].starts_with(heading))
            .expect("heading opens a passage");
        assert!(text[r.clone()]
            .contains("Enforcing international laws against human trafficking presents"));
    }

    #[test]
    fn empty_and_whitespace() {
        let config = PassageConfig::default();
        assert!(split("", config).is_empty());
        assert!(split(" \n\t\r\n\u{a0}\u{3000} ", config).is_empty());
    }

    #[test]
    fn single_word() {
        let text = "  hello\n";
        assert_eq!(run(text, PassageConfig::default()), vec![2..7]);
    }

    #[test]
    fn long_line_without_punctuation() {
        let text = vec!["word"; 1000].join(" ");
        let ranges = run(&text, PassageConfig::default());
        assert_eq!(ranges.len(), 4);
        for r in &ranges {
            assert_eq!(words_in(&text, r), 250);
        }
        let text = vec!["word"; 1001].join(" ");
        let ranges = run(&text, PassageConfig::default());
        assert_eq!(ranges.len(), 5);
        assert!(ranges.iter().all(|r| words_in(&text, r) >= 190));
    }

    #[test]
    fn long_paragraph_splits_at_sentences() {
        let sentence = "Victims were moved across the border at night by the network.";
        let text = vec![sentence; 40].join(" ");
        let ranges = run(&text, PassageConfig::default());
        assert!(ranges.len() >= 2);
        for r in &ranges {
            assert!(text[r.clone()].ends_with("network."));
            assert!(text[r.clone()].starts_with("Victims"));
        }
    }

    #[test]
    fn cjk_run_stays_whole() {
        let text: String = "人口贩运是严重的犯罪。"
            .chars()
            .cycle()
            .take(3000)
            .collect();
        let ranges = run(&text, PassageConfig::default());
        assert_eq!(ranges, vec![0..text.len()]);
        let mixed = format!("Intro line.\n{text}\nOutro line.");
        run(&mixed, PassageConfig::default());
    }

    #[test]
    fn crlf_line_endings() {
        let para = ["alpha beta gamma delta epsilon."; 4].join(" ");
        let lf = format!("Heading\n\n{para}\n\n{para}\n{para}\n");
        let crlf = lf.replace('\n', "\r\n");
        let a = run(&lf, PassageConfig::default());
        let b = run(&crlf, PassageConfig::default());
        let ta: Vec<&str> = a.iter().map(|r| &lf[r.clone()]).collect();
        let tb: Vec<String> = b
            .iter()
            .map(|r| crlf[r.clone()].replace('\r', ""))
            .collect();
        assert_eq!(ta, tb);
        assert!(b.iter().all(|r| !crlf[r.clone()].ends_with('\r')));
    }

    #[test]
    fn short_paragraphs_pack_to_min() {
        let line = "one two three four five six seven eight nine ten";
        let text = [line; 12].join("\n");
        let ranges = run(&text, PassageConfig::default());
        // 120 words: 50 + 50, then a 20-word tail merged into the second.
        assert_eq!(ranges.len(), 2);
        assert_eq!(words_in(&text, &ranges[0]), 50);
        assert_eq!(words_in(&text, &ranges[1]), 70);
    }

    #[test]
    fn short_tail_kept_alone_when_merge_too_big() {
        let big = vec!["w"; 248].join(" ");
        let text = format!("{big}\nsmall tail here");
        let ranges = run(&text, PassageConfig::default());
        assert_eq!(ranges.len(), 2);
        assert_eq!(&text[ranges[1].clone()], "small tail here");
    }

    #[test]
    fn degenerate_configs() {
        let text = "a b c. d e f.\ng h";
        for (min_words, max_words) in [(0, 0), (0, 1), (5, 1), (100, 2), (1, 1000)] {
            run(
                text,
                PassageConfig {
                    min_words,
                    max_words,
                },
            );
        }
    }

    mod props {
        use super::super::*;
        use super::check_invariants;
        use proptest::prelude::*;

        /// The split as it was written before the byte-wise scan: a loop over every char.
        fn split_by_chars(text: &str, config: PassageConfig) -> Vec<Range<usize>> {
            let mut packer = Packer::new(config);
            let mut words: Vec<Word> = Vec::new();
            let mut word_start: Option<usize> = None;
            let mut last_core = ' ';
            for (i, c) in text.char_indices() {
                if c.is_whitespace() {
                    if let Some(start) = word_start.take() {
                        words.push(Word {
                            start,
                            end: i,
                            ends_sentence: is_sentence_end(last_core),
                        });
                    }
                    if is_line_break(c) && !words.is_empty() {
                        packer.paragraph(&words);
                        words.clear();
                    }
                } else {
                    if word_start.is_none() {
                        word_start = Some(i);
                        last_core = ' ';
                    }
                    if !is_closer(c) {
                        last_core = c;
                    }
                }
            }
            if let Some(start) = word_start {
                words.push(Word {
                    start,
                    end: text.len(),
                    ends_sentence: is_sentence_end(last_core),
                });
            }
            if !words.is_empty() {
                packer.paragraph(&words);
            }
            packer.finish()
        }

        fn config() -> impl Strategy<Value = PassageConfig> {
            (0usize..12, 0usize..20).prop_map(|(min_words, max_words)| PassageConfig {
                min_words,
                max_words,
            })
        }

        fn texty() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    4 => "[a-zA-Zé]{1,8}",
                    2 => "[ ]{1,5}",
                    1 => "[.!?]",
                    1 => "[\\n\\r]{1,3}",
                    1 => "[\\t\\u{a0}\\u{3000}\\u{2029}]",
                    1 => "\\PC{1,4}",
                    1 => "[人口贩运]{1,6}",
                ],
                0..300,
            )
            .prop_map(|parts| parts.concat())
        }

        #[test]
        fn the_seed_documents_split_as_the_char_loop_did() {
            for text in super::SEEDS {
                for config in [
                    PassageConfig::default(),
                    PassageConfig {
                        min_words: 5,
                        max_words: 12,
                    },
                ] {
                    assert_eq!(split(text, config), split_by_chars(text, config));
                }
            }
        }

        proptest! {
            #[test]
            fn arbitrary_strings(text in "\\PC*|(\\PC|\\s){0,200}", config in config()) {
                let ranges = split(&text, config);
                check_invariants(&text, config, &ranges);
            }

            #[test]
            fn wordy_strings(text in texty(), config in config()) {
                let ranges = split(&text, config);
                check_invariants(&text, config, &ranges);
            }

            #[test]
            fn sections_are_crossed_only_after_a_lone_line(
                text in texty(),
                starts in prop::collection::vec(0usize..2000, 0..6),
                config in config(),
            ) {
                let ranges = split_sections(&text, &starts, config);
                check_invariants(&text, config, &ranges);
                let mut valid: Vec<usize> = starts
                    .iter()
                    .copied()
                    .filter(|&s| s > 0 && s < text.len() && follows_whitespace(&text, s))
                    .collect();
                valid.sort_unstable();
                valid.dedup();
                for (i, &s) in valid.iter().enumerate() {
                    if ranges.iter().any(|r| r.start < s && s < r.end) {
                        // Only a one-line section (a bare heading) joins the next one.
                        let prev = if i == 0 { 0 } else { valid[i - 1] };
                        prop_assert!(
                            text[prev..s].trim().lines().count() <= 1,
                            "{ranges:?} crosses {s} after {:?}",
                            &text[prev..s]
                        );
                    }
                }
            }

            #[test]
            fn the_byte_scan_splits_as_the_char_loop_did(
                text in prop_oneof![texty(), "(\\PC|\\s|[\"')\\]»”’.!?。…]){0,300}"],
                config in config(),
            ) {
                prop_assert_eq!(split(&text, config), split_by_chars(&text, config));
            }

            #[test]
            fn wordy_strings_default(text in texty()) {
                let config = PassageConfig::default();
                let ranges = split(&text, config);
                check_invariants(&text, config, &ranges);
            }
        }
    }
}
