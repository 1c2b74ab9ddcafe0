//! The domain-aware text analyzer.
//!
//! The literature on trafficking in persons is written in both British and American English and
//! leans heavily on acronyms (TIP, SOM, UNTOC, GLO.ACT…). Users must find "forced labour" when
//! they type "forced labor" and "trafficking in persons" when they type "TIP", so the analyzer
//! normalises both at index time and at query time:
//!
//! 1. word tokens (Unicode alphanumerics), tokens of 60 bytes or more dropped, lower-cased and
//!    folded to ASCII where possible (accents, curly quotes);
//! 2. parts joined by `.` or `-` without spaces (`GLO.ACT`, `anti-trafficking`, `e-mail`) also
//!    yield their concatenation, so the dotted, hyphenated and solid spellings meet;
//! 3. British spellings become American ones *before* stemming, because the stemmer does not
//!    reconcile them (`organis` vs `organiz`, `labour` vs `labor`);
//! 4. the English (Porter 2) stemmer;
//! 5. a known long form (`traffick in person`) also yields its acronym (`tip`).
//!
//! Injected tokens (joined forms, acronyms) share the position of the first token they stand
//! for and are emitted right after it, so phrase queries on the original wording keep working
//! and positions never decrease along the stream (tantivy's postings writer requires that per
//! term). Code that walks the tokens in order (highlighting, phrase matching) must treat tokens
//! sharing a position as alternatives: the first one at each position is the word as written.

mod acronyms;
mod joined;
mod spelling;
mod stem_memo;
mod stream;
#[cfg(test)]
mod tests;
mod wording_sets;
mod words;

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::tokenizer::TextAnalyzer;

use acronyms::{acronym_table, AcronymTable, Acronyms};
use joined::JoinParts;
use spelling::SpellAndStem;
use stream::{collect_tokens, primary_of, primary_positions};
pub(crate) use wording_sets::WordingSets;
use words::FoldedWords;

/// Tokens of this many bytes or more are dropped: they are base64, URLs or table debris, and
/// the limit matches the analyzer the index used before this module existed.
const MAX_TOKEN_BYTES: usize = 60;

/// Upper bound on the alternatives [`query_alternatives`] returns (and on each kind of
/// sequence [`query_term_sequences`] adds), so a pathological query cannot blow up the boolean
/// query built from them.
const MAX_ALTERNATIVES: usize = 16;

/// The built-in acronyms and their long forms, as written (lower case; `gloact` for GLO.ACT).
pub(crate) fn builtin_acronyms() -> &'static [(&'static str, &'static str)] {
    acronyms::LONG_FORMS
}

/// The analyzer used for passage text, titles and queries.
pub(crate) fn domain_analyzer() -> TextAnalyzer {
    analyzer(acronym_table())
}

/// Whether one analyzed term is a name with other wordings (an acronym of the built-in or
/// learned table, a user's synonym, a country's other names): "GLO-ACT" joins to such a name,
/// where "U.S.-Mexico" joins to nothing known.
pub(crate) fn has_other_wordings(term: &str, extra: &Equivalents) -> bool {
    let terms = [term.to_string()];
    !query_alternatives(&terms).is_empty() || !extra.alternatives(&terms).is_empty()
}

/// Phrase expansions for a query: given the analyzed terms of a query (after
/// [`domain_analyzer`], one term per position as returned first by [`query_term_sequences`]),
/// return alternative term sequences that mean the same (e.g. `["traffick","in","person"]` ↔
/// `["tip"]`) so the query builder can OR them in.
///
/// Each alternative is the whole input with one long form replaced by its acronym or one
/// acronym replaced by one of its long forms; unrelated input yields no alternative.
pub(crate) fn query_alternatives(terms: &[String]) -> Vec<Vec<String>> {
    let table = acronym_table();
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut push = |alt: Vec<String>| {
        if out.len() < MAX_ALTERNATIVES && alt.as_slice() != terms && !out.contains(&alt) {
            out.push(alt);
        }
    };
    for start in 0..terms.len() {
        for form in &table.forms {
            let end = start + form.stems.len();
            if end <= terms.len() && terms[start..end] == form.stems[..] {
                push(splice(
                    terms,
                    start..end,
                    std::slice::from_ref(&form.acronym),
                ));
            }
            if terms[start] == form.acronym {
                push(splice(terms, start..start + 1, &form.stems));
            }
        }
    }
    out
}

/// Every term sequence a query should match, for a query builder that ORs phrases: first the
/// query's own terms (one per position, i.e. without injected tokens), then each sequence in
/// which an injected joined form or acronym replaces the terms it stands for (`glo.act` →
/// `["gloact"]`), then the [`query_alternatives`] of all of these. Empty for a query without
/// terms.
///
/// The joined form matters here because a document spelling `GLOACT` holds only `gloact`,
/// which the phrase `glo act` alone would miss.
pub(crate) fn query_term_sequences(text: &str) -> Vec<Vec<String>> {
    query_term_sequences_with(text, &Equivalents::default())
}

/// Pairs of wordings that mean the same beyond the built-in acronyms — acronyms the collection
/// defines, a team's own synonyms — in analyzed form, matched both ways at query time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Equivalents {
    pairs: Vec<(Vec<String>, Vec<String>)>,
    /// Sets of wordings of one thing (a country's names, aliases and demonyms), any of which
    /// stands for any other; shared, since every query of a process is given the same ones.
    sets: Arc<WordingSets>,
}

impl Equivalents {
    /// Add `a` ≡ `b` (as written; analyzed here). Pairs that analyze to nothing or to the same
    /// terms, or whose short side is a built-in acronym, are left out (the built-in table
    /// already knows those).
    pub(crate) fn add(&mut self, a: &str, b: &str) {
        self.add_analyzed(analyzed_terms(a), analyzed_terms(b));
    }

    /// [`Equivalents::add`] for both sides already analyzed ([`Equivalents::terms_of`]).
    pub(crate) fn add_analyzed(&mut self, a: Vec<String>, b: Vec<String>) {
        if a.is_empty() || b.is_empty() || a == b {
            return;
        }
        let builtin =
            |t: &[String]| t.len() == 1 && acronym_table().forms.iter().any(|f| f.acronym == t[0]);
        if builtin(&a) || builtin(&b) {
            return;
        }
        if !self.pairs.contains(&(a.clone(), b.clone())) {
            self.pairs.push((a, b));
        }
    }

    /// No pairs yet, and `sets` as the sets of equivalent wordings.
    pub(crate) fn with_sets(sets: Arc<WordingSets>) -> Self {
        Self {
            pairs: Vec::new(),
            sets,
        }
    }

    /// Add wordings that all mean one thing (as written; analyzed here), the preferred first.
    /// A wording already in a set stays in its first set: a wording two things share is
    /// given once, so the caller leaves such wordings out. (Queries get the countries' sets
    /// already analyzed, from `store::country_wordings`; this makes them.)
    #[cfg(test)]
    pub(crate) fn add_set<'a>(&mut self, wordings: impl IntoIterator<Item = &'a str>) {
        Arc::make_mut(&mut self.sets).add_set(wordings.into_iter().map(analyzed_terms));
    }

    /// The sets of equivalent wordings.
    #[cfg(test)]
    pub(crate) fn sets(&self) -> &WordingSets {
        &self.sets
    }

    /// The analyzed terms of `text`, one per position: what a side of a pair matches.
    pub(crate) fn terms_of(text: &str) -> Vec<String> {
        analyzed_terms(text)
    }

    /// `terms` with one side of a pair replaced by the other, for each place a side occurs.
    fn alternatives(&self, terms: &[String]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for start in 0..terms.len() {
            for (a, b) in &self.pairs {
                for (from, to) in [(a, b), (b, a)] {
                    let end = start + from.len();
                    if end <= terms.len() && terms[start..end] == from[..] {
                        out.push(splice(terms, start..end, to));
                    }
                }
            }
        }
        // A set's other wordings after the pairs: a country's name, then its demonyms.
        let typed: Vec<Option<&str>> = terms.iter().map(|t| Some(t.as_str())).collect();
        for start in 0..terms.len() {
            if let Some((end, set)) = self.sets.set_at(&typed, start) {
                for other in set.iter().filter(|w| w[..] != terms[start..end]) {
                    out.push(splice(terms, start..end, other));
                }
            }
        }
        out
    }
}

/// Where consecutive typed words (`typed`, one query word each) spell a long form of an acronym
/// or one side of an `extra` pair: the first such run of two or more words (the longest at that
/// start), as word indices `start..end`, with the other way of writing it (analyzed terms
/// joined by spaces). A word that analyzes to several terms (`GLO.ACT`) or none ends a run.
pub(crate) fn written_otherwise(
    typed: &[&str],
    extra: &Equivalents,
) -> Option<(usize, usize, String)> {
    let terms: Vec<Option<String>> = typed
        .iter()
        .map(|w| match analyzed_terms(w).as_slice() {
            [t] => Some(t.clone()),
            _ => None,
        })
        .collect();
    let table = acronym_table();
    let sides = table
        .forms
        .iter()
        .map(|f| (&f.stems[..], std::slice::from_ref(&f.acronym)))
        .chain(
            extra
                .pairs
                .iter()
                .flat_map(|(a, b)| [(&a[..], &b[..]), (&b[..], &a[..])]),
        );
    let mut best: Option<(usize, usize, &[String])> = None;
    for (long, other) in sides {
        if long.len() < 2 {
            continue;
        }
        for start in 0..terms.len() {
            let end = start + long.len();
            if end > terms.len() {
                break;
            }
            let spelled = terms[start..end]
                .iter()
                .zip(long)
                .all(|(t, l)| t.as_deref() == Some(l.as_str()));
            let better = best.is_none_or(|(s, e, _)| start < s || (start == s && end > e));
            if spelled && better {
                best = Some((start, end, other));
            }
        }
    }
    // A set's wording of several words typed one by one ("north korea") is searched as that
    // wording, whose clause then brings the set's other wordings.
    let typed_terms: Vec<Option<&str>> = terms.iter().map(Option::as_deref).collect();
    for start in 0..terms.len() {
        if best.is_some_and(|(s, _, _)| s <= start) {
            break;
        }
        if let Some((end, set)) = extra.sets.set_at(&typed_terms, start) {
            if end - start >= 2 {
                let wording = set.iter().find(|w| {
                    w.iter()
                        .map(String::as_str)
                        .eq(typed_terms[start..end].iter().flatten().copied())
                });
                if let Some(wording) = wording {
                    return Some((start, end, wording.join(" ")));
                }
            }
        }
    }
    best.map(|(start, end, other)| (start, end, other.join(" ")))
}

/// The words of `text` as the index holds them, one per position. One analyzer per thread:
/// building one per call was most of the cost of reading a learned table of a thousand pairs.
fn analyzed_terms(text: &str) -> Vec<String> {
    thread_local! {
        static ANALYZER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(domain_analyzer());
    }
    let tokens = ANALYZER.with(|a| collect_tokens(&mut a.borrow_mut(), text));
    primary_of(&tokens).into_iter().map(|t| t.text).collect()
}

/// [`query_term_sequences`] with `extra` equivalent wordings besides the built-in acronyms.
pub(crate) fn query_term_sequences_with(text: &str, extra: &Equivalents) -> Vec<Vec<String>> {
    let mut analyzer = domain_analyzer();
    let tokens = collect_tokens(&mut analyzer, text);
    let primary = primary_of(&tokens);
    if primary.is_empty() {
        return Vec::new();
    }
    // Map positions to indices in `primary`, since removed long tokens leave position gaps.
    let index_of: HashMap<usize, usize> = primary_positions(&tokens)
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, i))
        .collect();
    let terms: Vec<String> = primary.into_iter().map(|t| t.text).collect();
    let mut seqs = vec![terms.clone()];
    let mut seen_first = std::collections::HashSet::new();
    for token in &tokens {
        // The first token at each position is a primary term, not an injected one.
        if seen_first.insert(token.position) {
            continue;
        }
        let Some(&start) = index_of.get(&token.position) else {
            continue;
        };
        let last = token
            .position
            .saturating_add(token.position_length.saturating_sub(1));
        let Some(&end) = index_of.get(&last) else {
            continue;
        };
        let alt = splice(&terms, start..end + 1, std::slice::from_ref(&token.text));
        if seqs.len() <= MAX_ALTERNATIVES && !seqs.contains(&alt) {
            seqs.push(alt);
        }
    }
    let base = seqs.len();
    for i in 0..base {
        let extra_alternatives = extra.alternatives(&seqs[i]);
        for alt in query_alternatives(&seqs[i])
            .into_iter()
            .chain(extra_alternatives)
        {
            if seqs.len() >= base + MAX_ALTERNATIVES {
                break;
            }
            if !seqs.contains(&alt) {
                seqs.push(alt);
            }
        }
    }
    seqs
}

/// `terms` with `range` replaced by `with`.
fn splice(terms: &[String], range: std::ops::Range<usize>, with: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(terms.len() + with.len());
    out.extend_from_slice(&terms[..range.start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&terms[range.end..]);
    out
}

/// The full chain with a given acronym table; an empty table gives the chain the acronym table
/// itself is computed with.
fn analyzer(table: &'static AcronymTable) -> TextAnalyzer {
    TextAnalyzer::builder(FoldedWords::default())
        .filter(JoinParts)
        .filter(SpellAndStem)
        .filter(Acronyms { table })
        .build()
}
