//! Pseudo-relevance feedback: the words the best passages of a first ranking share, added to the
//! query so that relevant documents saying the same thing in other words rank higher.
//!
//! Expansion only *reorders* what the query matches: the added words are optional clauses next
//! to the query as a required whole, so no document is added, counts and facets are unchanged,
//! and the added words are never highlighted (the reader sees why a passage matched in the words
//! they typed). The expanded ranking is then fused with the typed query's (`fuse`), so the
//! first results stay mostly the typed query's.

use std::collections::{HashMap, HashSet};

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};
use tantivy::Term;

use super::bm25::{Bm25, Bm25TermQuery};
use super::group::{top_by, DocHit, KeyMap};
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
    /// A recall setting chosen on the SciFact train split (BENCHMARKS.md, "Relevance"): fused
    /// with the typed ranking, Recall@100 0.930 → 0.934 for nDCG@10 0.699 → 0.693 (unfused it
    /// was 0.683). No setting tried kept nDCG@10, which is why expansion is an option and not
    /// the default.
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
pub(crate) fn feedback_terms(
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
        // Only the words as written: an injected joined form or acronym shares its words'
        // position, and counting it too would weigh one written word twice (`tip` beside
        // `traffick` and `person`).
        let mut last_position = None;
        let tokens: Vec<_> = tokens
            .into_iter()
            .filter(|t| last_position.replace(t.position) != Some(t.position))
            .collect();
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

/// Ranks below this in both rankings add nothing to a fused score (see [`fuse`]).
const FUSION_DEPTH: usize = 1000;

/// Reciprocal rank fusion's constant, as published: how flat the credit for rank is. On the
/// SciFact train split 10 and 60, and depths of 100, 300 and 1000, gave the same figures.
const FUSION_K: f32 = 60.0;

/// Fuse the ranking of the query as typed (`typed`) with the expanded one (`expanded`, the same
/// documents) by reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): a document
/// scores 1 / (K + rank) in each ranking, summed. The expanded ranking alone finds more relevant
/// documents but pushes some of the typed query's best ones down; fused, a document ranked high
/// in either stays high, so the first results stay mostly the typed query's and the expansion's
/// finds fill the ranks below. Returns `expanded`'s documents (with its best passages) scored so.
///
/// Only the best `max(limit, FUSION_DEPTH)` of each ranking are fused; the others score 0.
pub(super) fn fuse(typed: Vec<DocHit>, mut expanded: Vec<DocHit>, limit: usize) -> Vec<DocHit> {
    let depth = limit.max(FUSION_DEPTH);
    let first = rank_credit(typed.iter().map(|d| (d.score, d.key)).collect(), depth);
    let second = rank_credit(expanded.iter().map(|d| (d.score, d.key)).collect(), depth);
    for d in &mut expanded {
        d.score =
            first.get(&d.key).copied().unwrap_or(0.0) + second.get(&d.key).copied().unwrap_or(0.0);
    }
    expanded
}

/// 1 / (K + rank) for the best `depth` of `(score, key)` pairs, ranked as documents are.
fn rank_credit(ranking: Vec<(f32, u64)>, depth: usize) -> KeyMap<f32> {
    top_by(ranking, depth, |&pair| pair)
        .into_iter()
        .enumerate()
        .map(|(rank, (_, key))| (key, 1.0 / (FUSION_K + rank as f32 + 1.0)))
        .collect()
}

/// `query` as a required whole, with each expansion word as an optional, weighted clause on
/// passage text.
pub(crate) fn expanded(
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
    use super::super::group::top;
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
    fn an_acronym_the_analyzer_injects_is_not_a_second_feedback_word() {
        // The analyzer injects `tip` over "trafficking in persons"; the words as written count.
        let passages = vec![
            "Trafficking in persons along the border corridor.".to_string(),
            "Border corridor shelters saw trafficking in persons.".to_string(),
        ];
        let terms = feedback_terms(&passages, &[], |_| 1.0, Expansion::default());
        let words: Vec<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        assert!(words.contains(&"traffick"), "{words:?}");
        assert!(!words.contains(&"tip"), "{words:?}");
    }

    fn hit(key: u64, score: f32, doc: u32) -> DocHit {
        DocHit::passage(key, score, tantivy::DocAddress::new(0, doc))
    }

    #[test]
    fn fusion_keeps_the_typed_query_s_best_high_and_the_expanded_passages() {
        // Typed: 1 > 2 > 3 > 4. Expanded: 4 > 3 > 1 > 2 (its best passages are other ones).
        let typed = vec![
            hit(1, 9.0, 0),
            hit(2, 8.0, 1),
            hit(3, 7.0, 2),
            hit(4, 1.0, 3),
        ];
        let expanded = vec![
            hit(1, 5.0, 10),
            hit(2, 4.0, 11),
            hit(3, 8.0, 12),
            hit(4, 9.0, 13),
        ];
        let fused = top(fuse(typed, expanded, 10), 10);
        let keys: Vec<u64> = fused.iter().map(|d| d.key).collect();
        // 1: 1/61 + 1/63 = 0.03227, 4: 1/64 + 1/61 = 0.03202, 3: 1/63 + 1/62 = 0.03200,
        // 2: 1/62 + 1/64 = 0.03175. The typed query's first stays first.
        assert_eq!(keys, [1, 4, 3, 2]);
        // The passages shown are the expanded ranking's.
        assert_eq!(fused[0].best, tantivy::DocAddress::new(0, 10));
        let expected = 1.0 / 61.0 + 1.0 / 63.0;
        assert!(
            (fused[0].score - expected).abs() < 1e-6,
            "{}",
            fused[0].score
        );
    }

    #[test]
    fn fusion_scores_documents_beyond_the_depth_zero_and_ranks_every_shown_one() {
        let n = FUSION_DEPTH as u64 + 50;
        let typed: Vec<DocHit> = (0..n).map(|k| hit(k, (n - k) as f32, k as u32)).collect();
        let fused = fuse(typed.clone(), typed.clone(), 10);
        assert_eq!(fused.len(), typed.len(), "no document is added or lost");
        let zero = fused.iter().filter(|d| d.score == 0.0).count();
        assert_eq!(zero, 50);
        // A limit beyond the depth deepens the fusion, so every shown document is ranked.
        let deep = fuse(typed.clone(), typed, n as usize);
        assert!(deep.iter().all(|d| d.score > 0.0));
    }

    #[test]
    fn no_passages_no_words() {
        assert!(feedback_terms(&[], &[], |_| 1.0, Expansion::default()).is_empty());
    }
}
