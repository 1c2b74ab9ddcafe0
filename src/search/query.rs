//! The query language, parsed leniently: whatever a person types yields a query, never an error.
//!
//! ```text
//! forced labour          words: documents with all words rank first, any word matches
//! "forced labour"        phrase (a stray, unclosed quote runs to the end of the query)
//! fishing OR seafood     either word (one group)
//! +fishing / a AND b     required
//! -smuggling / NOT x     excluded
//! traffick*              prefix (at least 2 characters before the *)
//! title:strategy         a word or "phrase" in the title only (text: body, author: author)
//! source:UNODC tag:Europe lang:en year:2019 year:2015..2020
//!                        filters, the same as --source/--tag/--lang/--year
//! GLO.ACT anti-trafficking
//!                        a word that splits into several terms is matched as a phrase
//! ```
//! Unknown `field:` prefixes are searched as plain words, and stray punctuation is ignored.

use std::collections::HashSet;

/// Where a clause is searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Passage text and document title.
    Any,
    /// Title only.
    Title,
    /// Passage text only.
    Text,
    /// Author only.
    Author,
}

/// One searchable unit of the query.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Clause {
    /// A single typed word (it may still analyze into several terms, e.g. `GLO.ACT`).
    Word(String, Target),
    /// A quoted phrase.
    Phrase(String, Target),
    /// A word ending in `*`, without the star.
    Prefix(String, Target),
}

/// Facet filters that can be written inside the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterField {
    /// `source:`
    Source,
    /// `tag:`
    Tag,
    /// `lang:`
    Lang,
    /// `year:`
    Year,
}

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Optional groups: each is an OR of clauses; matching more groups ranks higher.
    pub should: Vec<Vec<Clause>>,
    /// How many times each optional group was written, when some was written more than once
    /// (empty: once each). A repeated word is one clause to run but keeps its weight, as BM25's
    /// sum over the query's words gives it.
    pub should_repeats: Vec<u32>,
    /// Required groups.
    pub must: Vec<Vec<Clause>>,
    /// Excluded clauses.
    pub must_not: Vec<Clause>,
    /// Filters written in the query.
    pub filters: Vec<(FilterField, String)>,
}

impl ParsedQuery {
    /// True when the query has nothing to score (only filters or exclusions).
    pub(crate) fn is_unscored(&self) -> bool {
        self.should.is_empty() && self.must.is_empty()
    }

    /// Clauses whose matches should be highlighted.
    pub(crate) fn positive_clauses(&self) -> impl Iterator<Item = &Clause> {
        self.should.iter().chain(&self.must).flatten()
    }

    /// Merge repeated parts, keeping the first of each: a clause repeated in a group, a group
    /// repeated (an optional group that is also required is required; an optional group's
    /// copies are counted in `should_repeats`), an exclusion or a filter repeated. Repeating a word adds nothing to what matches, so it must add nothing to the
    /// cost (`traffick* ` × 10,000 was 10,000 prefix expansions).
    pub(crate) fn dedup(&mut self) {
        fn first_of_each<T: Clone + Eq + std::hash::Hash>(
            items: &mut Vec<T>,
            seen: &mut HashSet<T>,
        ) {
            items.retain(|item| seen.insert(item.clone()));
        }
        let mut seen_clauses = HashSet::new();
        for group in self.must.iter_mut().chain(self.should.iter_mut()) {
            seen_clauses.clear();
            first_of_each(group, &mut seen_clauses);
        }
        let mut seen_groups = HashSet::new();
        first_of_each(&mut self.must, &mut seen_groups);
        // Optional groups keep a count of their copies (see `should_repeats`).
        let mut kept: Vec<Vec<Clause>> = Vec::with_capacity(self.should.len());
        let mut repeats: Vec<u32> = Vec::with_capacity(self.should.len());
        let mut index: std::collections::HashMap<Vec<Clause>, usize> = Default::default();
        for group in std::mem::take(&mut self.should) {
            if seen_groups.contains(&group) {
                continue;
            }
            match index.get(&group) {
                Some(&i) => repeats[i] += 1,
                None => {
                    index.insert(group.clone(), kept.len());
                    kept.push(group);
                    repeats.push(1);
                }
            }
        }
        self.should = kept;
        self.should_repeats = if repeats.iter().all(|&n| n == 1) {
            Vec::new()
        } else {
            repeats
        };
        first_of_each(&mut self.must_not, &mut HashSet::new());
        first_of_each(&mut self.filters, &mut HashSet::new());
    }
}

#[derive(Debug, PartialEq)]
enum Tok {
    Or,
    And,
    Not,
    Item {
        text: String,
        quoted: bool,
        sign: Sign,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Sign {
    None,
    Plus,
    Minus,
}

/// Parse a query string. Never fails.
pub fn parse(input: &str) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    let mut pending_or = false;
    let mut pending_and = false;
    let mut pending_not = false;
    // Index of the group the last item went to, and whether it was a `must` group.
    let mut last: Option<(bool, usize)> = None;
    for tok in lex(input) {
        let (text, quoted, mut sign) = match tok {
            Tok::Or => {
                pending_or = last.is_some();
                continue;
            }
            Tok::And => {
                pending_and = last.is_some();
                continue;
            }
            Tok::Not => {
                pending_not = true;
                continue;
            }
            Tok::Item { text, quoted, sign } => (text, quoted, sign),
        };
        if pending_not {
            sign = Sign::Minus;
            pending_not = false;
        }
        let clause = match classify(&text, quoted) {
            Classified::Filter(field, value) => {
                if sign != Sign::Minus {
                    out.filters.push((field, value));
                }
                pending_or = false;
                pending_and = false;
                continue;
            }
            Classified::Clause(c) => c,
            Classified::Nothing => continue,
        };
        if sign == Sign::Minus {
            out.must_not.push(clause);
            pending_or = false;
            pending_and = false;
            continue;
        }
        if let (true, Some((is_must, i))) = (pending_or, last) {
            let groups = if is_must {
                &mut out.must
            } else {
                &mut out.should
            };
            groups[i].push(clause);
            pending_or = false;
            pending_and = false;
            continue;
        }
        if pending_and {
            // `a AND b`: the group before becomes required, and so does this one.
            if let Some((false, i)) = last {
                let group = out.should.remove(i);
                out.must.push(group);
            }
            sign = Sign::Plus;
        }
        let is_must = sign == Sign::Plus;
        let groups = if is_must {
            &mut out.must
        } else {
            &mut out.should
        };
        groups.push(vec![clause]);
        last = Some((is_must, groups.len() - 1));
        pending_or = false;
        pending_and = false;
    }
    out.dedup();
    out
}

/// The words and phrases of a query that say what it is about, in the order written: no
/// operators, filters (`year:2019`), exclusions (`-smuggling`) or field names (`title:`).
pub(crate) fn written_words(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending_not = false;
    for tok in lex(input) {
        let Tok::Item { text, quoted, sign } = tok else {
            pending_not = tok == Tok::Not;
            continue;
        };
        let excluded = sign == Sign::Minus || pending_not;
        pending_not = false;
        if let (false, Classified::Clause(clause)) = (excluded, classify(&text, quoted)) {
            let (Clause::Word(words, _) | Clause::Phrase(words, _) | Clause::Prefix(words, _)) =
                clause;
            out.push(words);
        }
    }
    out
}

/// Every run of letters and digits as an optional clause: no operators, fields or phrases.
/// Splitting `IL-6` or `0-dimensional` into separate words (rather than a phrase) is how a
/// verbatim question should match; on SciFact train it raised nDCG@10 0.692 -> 0.699 and
/// Recall@100 0.924 -> 0.930 (test: 0.691 -> 0.690, 0.911 -> 0.912).
pub fn parse_plain(input: &str) -> ParsedQuery {
    let mut out = ParsedQuery {
        should: input
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| has_word_char(w))
            .map(|w| vec![Clause::Word(w.to_string(), Target::Any)])
            .collect(),
        ..ParsedQuery::default()
    };
    out.dedup();
    out
}

enum Classified {
    Clause(Clause),
    Filter(FilterField, String),
    Nothing,
}

fn classify(text: &str, quoted: bool) -> Classified {
    if quoted {
        return if has_word_char(text) {
            Classified::Clause(Clause::Phrase(text.to_string(), Target::Any))
        } else {
            Classified::Nothing
        };
    }
    let (target, body, body_quoted) = match text.split_once(':') {
        Some((field, value)) => {
            let (value, vq) = match value.strip_prefix('"') {
                Some(v) => (v.strip_suffix('"').unwrap_or(v), true),
                None => (value, false),
            };
            let value = value.trim();
            match field.to_ascii_lowercase().as_str() {
                "source" | "publisher" if !value.is_empty() => {
                    return Classified::Filter(FilterField::Source, value.to_string())
                }
                "tag" | "tags" if !value.is_empty() => {
                    return Classified::Filter(FilterField::Tag, value.to_string())
                }
                "lang" | "language" if !value.is_empty() => {
                    return Classified::Filter(FilterField::Lang, value.to_string())
                }
                "year" | "date" if !value.is_empty() => {
                    return Classified::Filter(FilterField::Year, value.to_string())
                }
                "title" => (Target::Title, value, vq),
                "author" | "by" => (Target::Author, value, vq),
                "text" | "body" => (Target::Text, value, vq),
                _ => (Target::Any, text, false),
            }
        }
        None => (Target::Any, text, false),
    };
    let body = body.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '{' | '}'));
    if !has_word_char(body) {
        return Classified::Nothing;
    }
    if body_quoted {
        return Classified::Clause(Clause::Phrase(body.to_string(), target));
    }
    if let Some(prefix) = body.strip_suffix('*') {
        let prefix = prefix.trim_end_matches('*');
        if prefix.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
            return Classified::Clause(Clause::Prefix(prefix.to_string(), target));
        }
    }
    Classified::Clause(Clause::Word(body.trim_end_matches('*').to_string(), target))
}

fn has_word_char(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn lex(input: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut sign = Sign::None;
        if (c == '-' || c == '+') && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
            sign = if c == '-' { Sign::Minus } else { Sign::Plus };
            i += 1;
        }
        if is_quote(chars[i]) {
            // A stray, unclosed quote makes the rest of the query one phrase.
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && !is_quote(chars[end]) {
                end += 1;
            }
            toks.push(Tok::Item {
                text: chars[start..end].iter().collect(),
                quoted: true,
                sign,
            });
            i = end + 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() {
            // `field:"a phrase"` keeps its quoted value in one token.
            if is_quote(chars[i]) && i > start && chars[i - 1] == ':' {
                i += 1;
                while i < chars.len() && !is_quote(chars[i]) {
                    i += 1;
                }
            }
            i += 1;
        }
        let word: String = chars[start..i.min(chars.len())]
            .iter()
            .map(|&c| if is_quote(c) { '"' } else { c })
            .collect();
        match (word.as_str(), sign) {
            ("OR" | "||" | "|", Sign::None) => toks.push(Tok::Or),
            ("AND" | "&&" | "&", Sign::None) => toks.push(Tok::And),
            ("NOT", Sign::None) => toks.push(Tok::Not),
            _ => toks.push(Tok::Item {
                text: word,
                quoted: false,
                sign,
            }),
        }
    }
    toks
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Clause {
        Clause::Word(s.into(), Target::Any)
    }

    #[test]
    fn words_are_separate_optional_groups() {
        let q = parse("forced labour");
        assert_eq!(q.should, vec![vec![w("forced")], vec![w("labour")]]);
        assert!(q.must.is_empty() && q.must_not.is_empty());
    }

    #[test]
    fn phrases_or_and_exclusion() {
        let q = parse(r#""forced labour" fishing OR seafood -smuggling"#);
        assert_eq!(
            q.should,
            vec![
                vec![Clause::Phrase("forced labour".into(), Target::Any)],
                vec![w("fishing"), w("seafood")]
            ]
        );
        assert_eq!(q.must_not, vec![w("smuggling")]);
    }

    #[test]
    fn and_makes_both_sides_required() {
        let q = parse("victims AND identification europe");
        assert_eq!(q.must, vec![vec![w("victims")], vec![w("identification")]]);
        assert_eq!(q.should, vec![vec![w("europe")]]);
        let q = parse("+GLO.ACT NOT pakistan");
        assert_eq!(q.must, vec![vec![w("GLO.ACT")]]);
        assert_eq!(q.must_not, vec![w("pakistan")]);
    }

    #[test]
    fn fields_prefixes_and_filters() {
        let q = parse(
            r#"title:"united nations" traffick* source:UNODC year:2015..2020 tag:"Forced labour""#,
        );
        assert_eq!(
            q.should,
            vec![
                vec![Clause::Phrase("united nations".into(), Target::Title)],
                vec![Clause::Prefix("traffick".into(), Target::Any)]
            ]
        );
        assert_eq!(
            q.filters,
            vec![
                (FilterField::Source, "UNODC".into()),
                (FilterField::Year, "2015..2020".into()),
                (FilterField::Tag, "Forced labour".into())
            ]
        );
    }

    #[test]
    fn lenient_on_stray_syntax() {
        let q = parse(r#"victim "identification"#);
        assert_eq!(
            q.should[1],
            vec![Clause::Phrase("identification".into(), Target::Any)]
        );
        // Operators between junk tokens still join what is left on either side.
        let q = parse("foo: : ( ) OR - * weird:thing");
        assert_eq!(q.should, vec![vec![w("foo:"), w("weird:thing")]]);
        let q = parse("a: b");
        assert_eq!(q.should, vec![vec![w("a:")], vec![w("b")]]);
        assert!(parse("").is_unscored());
        assert!(parse("\"").is_unscored());
        assert!(parse("-x").is_unscored());
    }

    #[test]
    fn plain_queries_are_bags_of_words() {
        let q = parse_plain("IL-6 \"raises\" -risk OR x");
        let words: Vec<_> = q.should.iter().map(|g| g[0].clone()).collect();
        assert_eq!(words, ["IL", "6", "raises", "risk", "OR", "x"].map(w));
        assert!(q.must_not.is_empty() && q.filters.is_empty());
    }

    #[test]
    fn repeated_parts_are_merged() {
        let q = parse(&"traffick* ".repeat(10_000));
        assert_eq!(
            q.should,
            vec![vec![Clause::Prefix("traffick".into(), Target::Any)]]
        );
        assert_eq!(q.should_repeats, [10_000]);
        let q = parse("a b a +b c OR c OR d -x -x year:2019 year:2019");
        assert_eq!(q.must, vec![vec![w("b")]]);
        assert_eq!(q.should, vec![vec![w("a")], vec![w("c"), w("d")]]);
        assert_eq!(q.must_not, vec![w("x")]);
        assert_eq!(q.filters.len(), 1);
        let q = parse_plain("victims of victims");
        assert_eq!(q.should, vec![vec![w("victims")], vec![w("of")]]);
        assert_eq!(q.should_repeats, [2, 1]);
        assert!(parse("victims of").should_repeats.is_empty());
    }

    #[test]
    fn curly_quotes_are_quotes() {
        let q = parse("“trafficking in persons”");
        assert_eq!(
            q.should,
            vec![vec![Clause::Phrase(
                "trafficking in persons".into(),
                Target::Any
            )]]
        );
    }
}
