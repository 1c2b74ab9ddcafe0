//! Pseudo-relevance feedback as document-level evidence (`--expand`): what a query is about,
//! read from the documents that answer it best.
//!
//! A user's words are one way of saying what they need; the documents that are about it say it
//! in the field's own words as well (a country entry on forced labour speaks of "recruitment
//! fees" and "passports"; the law of a "civil action" and "restitution"). After the document
//! scores of the typed words ([`super::doc_score`]), the best passages of the best documents
//! are read, and the words most of them share are added to the words the document-level
//! evidence counts, each weighted by its share of those passages and its rarity. A document that
//! keeps returning to those words rises, even where it does not use the user's. Only the words
//! found in most of the passages read count ([`majority`]): the topic, not one document's
//! subject, so a first ranking whose best documents disagree adds little.
//!
//! Expansion only *reorders* the documents rescored for the page (the best 2 × limit by
//! passage): no document is added, counts and facets stay the query's, passages keep their
//! own scores, and the added words are never highlighted (the reader sees why a passage matched
//! in the words they typed). It costs one more read of the candidates' postings for the added
//! words, not a second ranking pass.

use std::collections::{HashMap, HashSet};

use crate::highlight::Pattern;
use crate::schema;

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
    /// The SciFact train split's choice among 5, 7 and 9 documents × 10 and 20 words × 0.5 and
    /// 0.8 (BENCHMARKS.md, issue 14): nDCG@10 0.6962 → 0.6979 there; tip-dev 0.7069 → 0.7229.
    fn default() -> Self {
        Expansion {
            docs: 7,
            terms: 20,
            weight: 0.5,
        }
    }
}

/// In how many of the `passages` read a word must be found to count: most of them.
pub(crate) fn majority(passages: usize) -> usize {
    passages / 2 + 1
}

/// The expansion words of `passages` (the first ranking's best passages, best first) with
/// their weights, best first. A word scores by how much of each passage it makes up, summed
/// over the passages, times its inverse document frequency `idf`; words of the query (in
/// `patterns`), numbers, words under three letters and words found in fewer than `agreement`
/// of the passages are left out.
pub(crate) fn feedback_terms(
    passages: &[String],
    patterns: &[Pattern],
    idf: impl Fn(&str) -> f32,
    expansion: Expansion,
    agreement: usize,
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
    // In how many passages each word is found.
    let mut found_in: HashMap<String, usize> = HashMap::new();
    for text in passages {
        let mut here: HashSet<String> = HashSet::new();
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
                if agreement > 1 && here.insert(t.term.clone()) {
                    *found_in.entry(t.term.clone()).or_default() += 1;
                }
                *mass.entry(t.term).or_default() += share;
            }
        }
    }
    if agreement > 1 {
        mass.retain(|term, _| found_in.get(term).copied().unwrap_or(0) >= agreement);
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
        let terms = feedback_terms(&passages, &typed, idf, Expansion::default(), 1);
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
    fn a_majority_is_more_than_half() {
        assert_eq!(majority(7), 4);
        assert_eq!(majority(6), 4);
        assert_eq!(majority(2), 2);
        assert_eq!(majority(1), 1);
    }

    #[test]
    fn with_an_agreement_only_words_most_passages_share_are_kept() {
        let passages = vec![
            "Fishing crews held in debt bondage at sea.".to_string(),
            "Debt bondage of fishing crews on distant vessels.".to_string(),
            "Orchestra tours and debt at sea.".to_string(),
        ];
        let words = |agreement| -> Vec<String> {
            feedback_terms(&passages, &[], |_| 1.0, Expansion::default(), agreement)
                .into_iter()
                .map(|(t, _)| t)
                .collect()
        };
        let any = words(1);
        assert!(any.iter().any(|w| w == "orchestra"), "{any:?}");
        let most = words(2);
        assert!(most.iter().any(|w| w == "fish"), "{most:?}");
        assert!(most.iter().any(|w| w == "bondag"), "{most:?}");
        assert!(!most.iter().any(|w| w == "orchestra"), "{most:?}");
        assert!(!most.iter().any(|w| w == "vessel"), "{most:?}");
    }

    #[test]
    fn an_acronym_the_analyzer_injects_is_not_a_second_feedback_word() {
        // The analyzer injects `tip` over "trafficking in persons"; the words as written count.
        let passages = vec![
            "Trafficking in persons along the border corridor.".to_string(),
            "Border corridor shelters saw trafficking in persons.".to_string(),
        ];
        let terms = feedback_terms(&passages, &[], |_| 1.0, Expansion::default(), 1);
        let words: Vec<&str> = terms.iter().map(|(t, _)| t.as_str()).collect();
        assert!(words.contains(&"traffick"), "{words:?}");
        assert!(!words.contains(&"tip"), "{words:?}");
    }

    #[test]
    fn no_passages_no_words() {
        assert!(feedback_terms(&[], &[], |_| 1.0, Expansion::default(), 1).is_empty());
    }
}
