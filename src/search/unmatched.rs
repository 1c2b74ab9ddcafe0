//! Query words that match no document, with the nearest word the index does hold, so a search
//! that silently ranks on the other words says what it could not find.

use tantivy::query::FuzzyTermQuery;
use tantivy::{Searcher, Term};

use super::query::{Clause, ParsedQuery};
use crate::error::Result;
use crate::schema::Fields;

/// A typed word or phrase of the query that no document contains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    /// As typed.
    pub word: String,
    /// The closest indexed word (analyzed form), when one is within two edits.
    pub suggestion: Option<String>,
}

/// Unmatched words that get a suggestion: each costs a walk of the term dictionary's words
/// within reach, so a query of many unknown words (within the query caps) stays cheap.
const MAX_SUGGESTIONS: usize = 5;

/// Edits allowed between a typed word and a suggestion.
const MAX_EDITS: usize = 2;

/// The words (and phrases) of `parsed` that match nothing: none of their ways of writing has
/// every term in some indexed passage text, title or author.
pub(crate) fn unmatched(
    searcher: &Searcher,
    fields: &Fields,
    parsed: &ParsedQuery,
    extra: &crate::analysis::Equivalents,
) -> Result<Vec<Unmatched>> {
    let mut out = Vec::new();
    for clause in parsed.positive_clauses() {
        let (Clause::Word(text, _) | Clause::Phrase(text, _)) = clause else {
            continue;
        };
        let sequences = crate::analysis::query_term_sequences_with(text, extra);
        let Some(typed) = sequences.first().cloned() else {
            continue;
        };
        let indexed = |term: &str| -> Result<bool> {
            for field in [fields.text, fields.title, fields.author] {
                if searcher.doc_freq(&Term::from_field_text(field, term))? > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        let mut found = false;
        'ways: for seq in &sequences {
            for term in seq {
                if !indexed(term)? {
                    continue 'ways;
                }
            }
            found = true;
            break;
        }
        if found {
            continue;
        }
        // Suggest for the first missing term of the words as typed.
        let mut missing = None;
        for term in &typed {
            if !indexed(term)? {
                missing = Some(term.clone());
                break;
            }
        }
        let suggestion = match missing {
            Some(term) if out.len() < MAX_SUGGESTIONS => nearest(searcher, fields, &term)?,
            _ => None,
        };
        out.push(Unmatched {
            word: text.clone(),
            suggestion,
        });
    }
    Ok(out)
}

/// The indexed passage-text term closest to `term` (fewest edits, then most passages), within
/// [`MAX_EDITS`].
fn nearest(searcher: &Searcher, fields: &Fields, term: &str) -> Result<Option<String>> {
    let want: Vec<char> = term.chars().collect();
    let mut best: Option<(usize, u64, String)> = None;
    // The terms within MAX_EDITS, walked by a Levenshtein automaton over the term dictionary
    // (tantivy's fuzzy query's): a walk of every term cost a search with an unknown word
    // ~a quarter of its process at 20k documents. Their exact distance is counted below.
    let fuzzy = FuzzyTermQuery::new(
        Term::from_field_text(fields.text, term),
        MAX_EDITS as u8,
        false,
    );
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(fields.text)?;
        let mut stream = index
            .terms()
            .search(fuzzy.automaton()?)
            .into_stream()
            .map_err(tantivy::TantivyError::from)?;
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            let len = candidate.chars().count();
            if len.abs_diff(want.len()) > MAX_EDITS {
                continue;
            }
            let Some(edits) = edit_distance(&want, candidate, MAX_EDITS) else {
                continue;
            };
            let passages = u64::from(stream.value().doc_freq);
            let better = best.as_ref().is_none_or(|(e, n, t)| {
                edits < *e
                    || (edits == *e
                        && (passages > *n || (passages == *n && candidate < t.as_str())))
            });
            if better {
                best = Some((edits, passages, candidate.to_string()));
            }
        }
    }
    Ok(best.map(|(_, _, t)| t))
}

/// Levenshtein distance between `a` and `b` when at most `limit`, else `None`.
fn edit_distance(a: &[char], b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        if current.iter().min().is_some_and(|&m| m > limit) {
            return None;
        }
        previous = current;
    }
    let d = previous[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> Option<usize> {
        edit_distance(&a.chars().collect::<Vec<_>>(), b, 2)
    }

    #[test]
    fn edit_distance_within_the_limit() {
        assert_eq!(distance("kafala", "kafala"), Some(0));
        assert_eq!(distance("kafala", "kafal"), Some(1));
        assert_eq!(distance("kafala", "cafale"), Some(2));
        assert_eq!(distance("kafala", "sponsor"), None);
        assert_eq!(distance("", "ab"), Some(2));
    }
}
