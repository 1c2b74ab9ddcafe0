//! What one query may cost, checked before it runs: the same caps for the command line, a
//! batch and any server, so no query text can take minutes or gigabytes.
//!
//! Without them `traffick* ` × 10,000 (100 KB, it fits in argv) took 23 s and 4 GB, and 26
//! two-letter prefixes × 40 (4 KB) took 17 s. Each cap is a usage error saying the limit and how
//! to narrow the query. Repeated clauses are merged by the parser first ([`ParsedQuery::dedup`]),
//! so repeating a word costs nothing and never trips a cap.

use tantivy::schema::Field;
use tantivy::Searcher;

use super::query::{Clause, ParsedQuery};
use crate::error::{Error, Result};

/// Longest query text, in bytes. Questions pasted whole are a few hundred bytes.
pub(crate) const MAX_QUERY_BYTES: usize = 8 * 1024;

/// Most distinct words, phrases and prefixes in one query (optional, required and excluded).
/// Each clause is a scorer over three fields; a long pasted paragraph has about 100 words.
pub(crate) const MAX_CLAUSES: usize = 128;

/// Most index terms the query's prefixes (`traffick*`) may expand to, summed over fields and
/// segments. Each expanded term's postings are read for every search; a 2-letter prefix in a
/// large collection can reach thousands, `traffick*` a few dozen.
pub(crate) const MAX_PREFIX_TERMS: usize = 10_000;

/// The query text is within [`MAX_QUERY_BYTES`]. Checked before parsing, so an over-long query
/// costs nothing.
pub(crate) fn check_length(query: &str) -> Result<()> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Error::QueryLimit {
            found: format!("{} bytes", query.len()),
            limit: format!("{MAX_QUERY_BYTES} bytes"),
            hint: "shorten it to the words that matter (repeated words count once)",
        });
    }
    Ok(())
}

/// Distinct clauses of the parsed (and merged) query: every wording of every required or
/// optional word, phrase and prefix, and every excluded one.
fn clause_count(parsed: &ParsedQuery) -> usize {
    parsed
        .should
        .iter()
        .chain(&parsed.must)
        .map(Vec::len)
        .sum::<usize>()
        + parsed.must_not.len()
}

/// The parsed (and merged) query has at most [`MAX_CLAUSES`] distinct clauses.
pub(crate) fn check_clauses(parsed: &ParsedQuery) -> Result<()> {
    let n = clause_count(parsed);
    if n > MAX_CLAUSES {
        return Err(Error::QueryLimit {
            found: format!("{n} distinct words, phrases and prefixes"),
            limit: format!("{MAX_CLAUSES}"),
            hint: "keep the words that matter, or split it into several searches",
        });
    }
    Ok(())
}

/// The query's prefixes expand to at most [`MAX_PREFIX_TERMS`] terms in the index. Counting
/// stops at the limit, so the check itself is bounded too.
pub(crate) fn check_prefixes(
    searcher: &Searcher,
    parsed: &ParsedQuery,
    expansions: impl Fn(&Clause) -> Vec<(Field, String)>,
) -> Result<()> {
    prefix_terms(searcher, parsed, expansions).map(|_| ())
}

/// How many index terms the query's prefixes expand to, summed over fields and segments; an
/// error past [`MAX_PREFIX_TERMS`], where counting stops.
fn prefix_terms(
    searcher: &Searcher,
    parsed: &ParsedQuery,
    expansions: impl Fn(&Clause) -> Vec<(Field, String)>,
) -> Result<usize> {
    let mut visited = 0usize;
    let clauses = parsed
        .should
        .iter()
        .chain(&parsed.must)
        .flatten()
        .chain(&parsed.must_not);
    for clause in clauses {
        let Clause::Prefix(typed, _) = clause else {
            continue;
        };
        for (field, prefix) in expansions(clause) {
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let mut terms = index
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()
                    .map_err(|e| Error::Engine(e.into()))?;
                while terms.advance() {
                    if !terms.key().starts_with(prefix.as_bytes()) {
                        break;
                    }
                    visited += 1;
                    if visited > MAX_PREFIX_TERMS {
                        return Err(Error::QueryLimit {
                            found: format!("prefixes expanding to more than {MAX_PREFIX_TERMS} index terms (at `{typed}*`)"),
                            limit: format!("{MAX_PREFIX_TERMS} terms"),
                            hint: "use longer prefixes (more letters before the *) or fewer of them",
                        });
                    }
                }
            }
        }
    }
    Ok(visited)
}

/// What a query within the caps will cost to run, read from its parse and the term dictionary
/// before any posting list is: enough for a server to tell a costly query from an everyday one
/// and keep the costly ones from taking every worker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryCost {
    /// Distinct words, phrases and prefixes, counted as [`check_clauses`] counts them: each is
    /// a scorer, and each unmatched one a dictionary walk for a suggestion.
    pub clauses: usize,
    /// Index terms the prefixes expand to, summed over fields and segments: each is a posting
    /// list read.
    pub prefix_terms: usize,
    /// Terms in the longest phrase (or word that splits into several terms): a phrase's
    /// positions are intersected term by term.
    pub longest_phrase: usize,
}

/// The [`QueryCost`] of `parsed` in `searcher`'s commit; a query over a cap is the error the
/// search would give.
pub fn cost(
    searcher: &Searcher,
    parsed: &ParsedQuery,
    expansions: impl Fn(&Clause) -> Vec<(Field, String)>,
) -> Result<QueryCost> {
    check_clauses(parsed)?;
    let clauses = clause_count(parsed);
    let longest_phrase = parsed
        .positive_clauses()
        .chain(&parsed.must_not)
        .filter_map(|clause| match clause {
            Clause::Word(text, _) | Clause::Phrase(text, _) => Some(text),
            Clause::Prefix(..) => None,
        })
        .map(|text| {
            crate::analysis::query_term_sequences(text)
                .first()
                .map_or(0, Vec::len)
        })
        .max()
        .unwrap_or(0);
    Ok(QueryCost {
        clauses,
        prefix_terms: prefix_terms(searcher, parsed, expansions)?,
        longest_phrase,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::{doc, Index};

    /// A passage of `n` distinct words, all starting with "ab".
    fn searcher_with_words(n: usize) -> (Searcher, crate::schema::Fields) {
        let (schema, fields) = crate::schema::build();
        let index = Index::create_in_ram(schema);
        crate::schema::register_analyzer(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let word = |mut i: usize| {
            let mut w = String::from("ab");
            for _ in 0..4 {
                w.push((b'a' + (i % 26) as u8) as char);
                i /= 26;
            }
            w
        };
        let text: Vec<String> = (0..n).map(word).collect();
        writer
            .add_document(doc!(fields.doc_key => 1u64, fields.text => text.join(" ")))
            .unwrap();
        writer.commit().unwrap();
        (index.reader().unwrap().searcher(), fields)
    }

    fn check(searcher: &Searcher, fields: &crate::schema::Fields, query: &str) -> Result<()> {
        let parsed = super::super::query::parse(query);
        check_prefixes(searcher, &parsed, |c| {
            super::super::build::prefix_expansions(fields, c)
        })
    }

    #[test]
    fn prefixes_expanding_past_the_cap_are_a_usage_error() {
        let (searcher, fields) = searcher_with_words(MAX_PREFIX_TERMS + 2_000);
        let err = check(&searcher, &fields, "labour ab*").unwrap_err();
        assert!(err.is_usage());
        assert!(
            err.to_string().contains("(at `ab*`)")
                && err.to_string().contains("use longer prefixes"),
            "{err}"
        );
        // A longer prefix narrows it: 1/26 of the words.
        check(&searcher, &fields, "abb*").unwrap();
    }

    #[test]
    fn cost_counts_clauses_prefix_terms_and_the_longest_phrase() {
        let (searcher, fields) = searcher_with_words(500);
        let cost_of = |q: &str| {
            cost(&searcher, &super::super::query::parse(q), |c| {
                super::super::build::prefix_expansions(&fields, c)
            })
            .unwrap()
        };
        let everyday = cost_of("forced labour fishing");
        assert_eq!(
            everyday,
            QueryCost {
                clauses: 3,
                prefix_terms: 0,
                longest_phrase: 1
            }
        );
        let costly = cost_of("\"forced labour fishing boats ports\" -smuggling ab* +abb*");
        assert_eq!(costly.clauses, 4);
        assert_eq!(costly.longest_phrase, 5);
        // Every word starts with "ab"; one in 26 with "abb".
        assert_eq!(costly.prefix_terms, 500 + 20);
        let over = cost(
            &searcher,
            &super::super::query::parse(
                &(0..=MAX_CLAUSES)
                    .map(|i| format!("w{i} "))
                    .collect::<String>(),
            ),
            |_| Vec::new(),
        );
        assert!(over.unwrap_err().is_usage());
    }

    #[test]
    fn length_and_clause_caps_say_the_limit() {
        assert!(check_length(&"x".repeat(MAX_QUERY_BYTES)).is_ok());
        let err = check_length(&"x".repeat(MAX_QUERY_BYTES + 1)).unwrap_err();
        assert!(
            err.is_usage() && err.to_string().contains("8192 bytes"),
            "{err}"
        );
        let words: String = (0..=MAX_CLAUSES).map(|i| format!("w{i} ")).collect();
        let err = check_clauses(&super::super::query::parse(&words)).unwrap_err();
        assert!(err.to_string().contains("129 distinct"), "{err}");
        let repeated = "w1 ".repeat(MAX_CLAUSES * 4);
        check_clauses(&super::super::query::parse(&repeated)).unwrap();
    }
}
