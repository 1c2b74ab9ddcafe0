//! Pseudo-relevance feedback: the words the best passages of a first ranking share, added to the
//! query so that relevant documents saying the same thing in other words rank higher.
//!
//! Expansion only *reorders* what the query matches: the added words are optional clauses next
//! to the query as a required whole, so no document is added, counts and facets are unchanged,
//! and the added words are never highlighted (the reader sees why a passage matched in the words
//! they typed).

use std::collections::{HashMap, HashSet};

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};
use tantivy::Term;

use super::bm25::{Bm25, Bm25TermQuery};
use crate::highlight::Pattern;
use crate::schema::{self, Fields};

/// How to expand a query from its first ranking.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expansion {
    /// Documents of the first ranking whose best passage is read.
    pub docs: usize,
    /// Words added.
    pub terms: usize,
    /// Weight of the best added word relative to a typed one (the others in proportion).
    pub weight: f32,
}

impl Default for Expansion {
    /// A recall setting chosen on the SciFact train split (BENCHMARKS.md, "Relevance"): Recall@100
    /// 0.930 → 0.934 for nDCG@10 0.699 → 0.683. No setting tried kept nDCG@10, which is why
    /// expansion is an option and not the default.
    fn default() -> Self {
        Expansion {
            docs: 5,
            terms: 10,
            weight: 0.2,
        }
    }
}

/// The expansion words of `passages` (the first ranking's best passages, best first) with
/// their weights, best first. A word scores by how much of each passage it makes up, summed
/// over the passages, times its inverse document frequency `idf`; words of the query (in
/// `patterns`), numbers and words under three letters are left out.
pub fn feedback_terms(
    passages: &[String],
    patterns: &[Pattern],
    idf: impl Fn(&str) -> f32,
    expansion: Expansion,
) -> Vec<(String, f32)> {
    let typed: HashSet<&str> = patterns
        .iter()
        .flat_map(|p| match p {
            Pattern::Term(t) => std::slice::from_ref(t),
            Pattern::Phrase(ts) | Pattern::Prefix(ts) => ts.as_slice(),
        })
        .map(String::as_str)
        .collect();
    let mut analyzer = schema::analyzer();
    let mut mass: HashMap<String, f32> = HashMap::new();
    for text in passages {
        let tokens = schema::analyze(&mut analyzer, text);
        if tokens.is_empty() {
            continue;
        }
        let share = 1.0 / tokens.len() as f32;
        for t in tokens {
            let useful = t.term.chars().count() >= 3
                && !t.term.chars().all(|c| c.is_ascii_digit())
                && !typed.contains(t.term.as_str());
            if useful {
                *mass.entry(t.term).or_default() += share;
            }
        }
    }
    let mut scored: Vec<(String, f32)> = mass
        .into_iter()
        .map(|(term, m)| {
            let w = m * idf(&term);
            (term, w)
        })
        .filter(|(_, w)| *w > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(expansion.terms);
    let best = scored.first().map_or(1.0, |(_, w)| *w);
    scored
        .into_iter()
        .map(|(t, w)| (t, expansion.weight * w / best))
        .collect()
}

/// `query` as a required whole, with each expansion word as an optional, weighted clause on
/// passage text.
pub fn expanded(
    fields: &Fields,
    query: Box<dyn Query>,
    terms: &[(String, f32)],
    bm25: Bm25,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, query)];
    for (term, weight) in terms {
        let q = Bm25TermQuery::new(Term::from_field_text(fields.text, term), bm25);
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(q), *weight)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_rare_words_win_typed_and_short_words_are_left_out() {
        let passages = vec![
            "Crews reported debt bondage aboard trawlers in 2019.".to_string(),
            "Debt bondage on trawlers: crews could not leave the vessel.".to_string(),
            "A survey of shelters.".to_string(),
        ];
        // The user typed "debt"; "trawler" is in two passages and rare, "crew" in two and common.
        let idf = |t: &str| match t {
            "trawler" => 3.0,
            "crew" => 0.5,
            _ => 1.0,
        };
        let typed = [Pattern::Term("debt".into())];
        let terms = feedback_terms(&passages, &typed, idf, Expansion::default());
        let words: Vec<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(words[0], "trawler", "{terms:?}");
        assert!(
            !words.contains(&"debt"),
            "typed words are not added: {words:?}"
        );
        assert!(
            !words.contains(&"2019") && !words.contains(&"in"),
            "{words:?}"
        );
        // The best word gets the full weight, the others less.
        assert_eq!(terms[0].1, Expansion::default().weight);
        assert!(terms.iter().skip(1).all(|(_, w)| *w < terms[0].1));
        assert!(terms.len() <= Expansion::default().terms);
    }

    #[test]
    fn no_passages_no_words() {
        assert!(feedback_terms(&[], &[], |_| 1.0, Expansion::default()).is_empty());
    }
}
