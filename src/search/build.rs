//! From a parsed query and filters to a tantivy query over passages, plus highlight patterns.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::bm25::{Bm25, Bm25TermQuery};
use super::filters::{FieldBound, FieldFilter, FieldTest, Filters};
use super::query::{Clause, ParsedQuery, Target};
use crate::analysis::Equivalents;
use crate::highlight::Pattern;
use crate::index_doc::{field_filter_key, field_number_prefix, sortable_number, FacetField};
use crate::schema::{Fields, KIND_PASSAGE};

/// Weight of a title match relative to a passage-text match. Titles are repeated on every
/// passage, so a modest weight already lifts the whole document. Tuned on the SciFact train
/// split (0.25: nDCG@10 0.687, 0.4: 0.692, 0.5: 0.689, 1.0: 0.670, 2.0: 0.616).
const TITLE_BOOST: f32 = 0.4;

/// A query ready to run, and what to highlight.
pub(crate) struct Compiled {
    /// The tantivy query over passages.
    pub query: Box<dyn Query>,
    /// Patterns to highlight in passage text.
    pub patterns: Vec<Pattern>,
    /// False when the query has no scoring part (filters only): results then have equal scores.
    pub scored: bool,
    /// Passage queries for `-excluded` clauses. Exclusion is per document (a document that
    /// mentions an excluded term anywhere is out), so the caller resolves these to document
    /// keys with the plan ([`super::plan::PerDocument`]) rather than excluding passage by passage.
    pub excluded: Vec<Box<dyn Query>>,
    /// Passage queries for required groups, each of which some passage of a document must
    /// match (anywhere in it); resolved to documents by [`super::required::rank`].
    /// Empty when `query` already enforces them.
    pub required: Vec<Box<dyn Query>>,
    /// The optional groups, when there are `required` ones: with them they make up the scoring
    /// part of `query`, for the one-pass ranking of [`super::required`].
    pub optional: Vec<Box<dyn Query>>,
}

/// Compile `parsed` with `filters` into a passage query, matching `extra` equivalent wordings
/// (learned acronyms, synonyms) both ways.
pub(crate) fn compile(
    fields: &Fields,
    parsed: &ParsedQuery,
    filters: &Filters,
    bm25: Bm25,
    extra: &Equivalents,
) -> Compiled {
    let mut patterns = Vec::new();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();

    let mut should_groups = Vec::new();
    for group in &optional_runs(&parsed.should, extra) {
        let q = match group {
            OptionalRun::Group(i, group) => {
                group_query(fields, bm25, group, &mut patterns, extra).map(|q| {
                    // A group written n times scores as n copies would (their sum), run once.
                    let repeats = parsed.should_repeats.get(*i).copied().unwrap_or(1);
                    if repeats > 1 {
                        Box::new(BoostQuery::new(q, repeats as f32)) as Box<dyn Query>
                    } else {
                        q
                    }
                })
            }
            OptionalRun::Written { words, other } => {
                written_two_ways(fields, bm25, words, other, &mut patterns, extra)
            }
        };
        if let Some(q) = q {
            should_groups.push(q);
        }
    }
    let mut must_groups = Vec::new();
    for group in &parsed.must {
        match group_query(fields, bm25, group, &mut patterns, extra) {
            Some(q) => must_groups.push(q),
            // A required group that analyzes to nothing (only punctuation) cannot match.
            None => must_groups.push(Box::new(EmptyQuery) as Box<dyn Query>),
        }
    }
    let scored = !(should_groups.is_empty() && must_groups.is_empty());
    // Required words are required of the document, not of one passage: `+patents +sorted`
    // finds a report that says "patents" on page 2 and "sorted" on page 30, as a document search
    // engine (and FTS5, and a reader) would. Passages are then ranked by every word of the
    // query, so the best passages show whichever words they have. The one exception is a lone
    // required group, where the passage query already says the same.
    // No extra "all words" clause: BM25 already sums the words a passage has, a bonus clause
    // changed nothing on SciFact (boost 0, 0.3, 1 and 2 gave the same nDCG@10) and cost OR
    // queries a second pass over the intersection of their words.
    let mut required = Vec::new();
    let mut optional = Vec::new();
    if must_groups.len() == 1 && should_groups.is_empty() {
        clauses.extend(must_groups.into_iter().map(|q| (Occur::Must, q)));
    } else if scored {
        required = must_groups.iter().map(|q| q.box_clone()).collect();
        optional = should_groups.iter().map(|q| q.box_clone()).collect();
        let any: Vec<(Occur, Box<dyn Query>)> = should_groups
            .into_iter()
            .chain(must_groups)
            .map(|q| (Occur::Should, q))
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    let mut ignored = Vec::new();
    let excluded = parsed
        .must_not
        .iter()
        .filter_map(|clause| clause_query(fields, bm25, clause, &mut ignored, extra))
        .collect();
    if !scored {
        // Filters only: every passage, and only passages (records carry the filter fields too).
        clauses.push((Occur::Must, Box::new(AllQuery)));
        clauses.push((Occur::Must, filter(term_query(fields.kind, KIND_PASSAGE))));
    }
    // A scored query needs no kind clause: text, title and author terms exist only on passages,
    // and intersecting with a term that ~92% of documents carry cost every match a seek.
    for f in filter_clauses(fields, filters) {
        clauses.push((Occur::Must, filter(f)));
    }
    Compiled {
        query: Box::new(BooleanQuery::new(clauses)),
        patterns,
        scored,
        excluded,
        required,
        optional,
    }
}

/// Filters only, for counting documents: the same constraints the search applies.
pub(crate) fn filter_clauses(fields: &Fields, filters: &Filters) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    let any_of = |field: FacetField, values: &[String]| -> Option<Box<dyn Query>> {
        if values.is_empty() {
            return None;
        }
        let qs = values
            .iter()
            .map(|v| {
                (
                    Occur::Should,
                    term_query(fields.filter, &field.filter_key(v)),
                )
            })
            .collect();
        Some(Box::new(BooleanQuery::new(qs)))
    };
    // Sources are stored under the gazetteer's one name per organisation, so a filter by
    // any of its names ("UNODC", "United Nations Office on Drugs and Crime") finds them.
    let sources: Vec<String> = filters
        .sources
        .iter()
        .flat_map(|s| [s.clone(), crate::metadata::canonical_source(s)])
        .collect();
    out.extend(any_of(FacetField::Source, &sources));
    out.extend(any_of(FacetField::Tag, &filters.tags));
    out.extend(any_of(FacetField::Lang, &filters.langs));
    // Entities' values are the gazetteers' own (an ISO code, a topic's one name), so their
    // facet term is the filter: no folded key is written for them.
    let any_facet = |field: FacetField, values: &mut dyn Iterator<Item = &String>| {
        let qs: Vec<(Occur, Box<dyn Query>)> = values
            .map(|value| {
                let term = Term::from_facet(fields.facets, &field.facet(value));
                let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                (Occur::Should, q)
            })
            .collect();
        (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
    };
    out.extend(any_facet(
        FacetField::Country,
        &mut filters.countries.iter(),
    ));
    for kind in crate::entities::TopicKind::ALL {
        let mut values = filters
            .topics
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, v)| v);
        out.extend(any_facet(FacetField::of_topic(kind), &mut values));
    }
    out.extend(field_clauses(fields, &filters.fields));
    if !filters.years.is_empty() {
        let qs = filters
            .years
            .iter()
            .map(|y| (Occur::Should, overlap(fields, y.lo(), y.hi())))
            .collect();
        out.push(Box::new(BooleanQuery::new(qs)));
    }
    if filters.from.is_some() || filters.to.is_some() {
        let lo = filters.from.map_or(i64::MIN, |d| d.lo());
        let hi = filters.to.map_or(i64::MAX, |d| d.hi());
        out.push(overlap(fields, lo, hi));
    }
    out
}

/// The user-field filters: one clause per key (AND), each the OR of that key's tests.
fn field_clauses<'a>(
    fields: &'a Fields,
    filters: &'a [FieldFilter],
) -> impl Iterator<Item = Box<dyn Query>> + 'a {
    let mut by_key: std::collections::BTreeMap<&str, Vec<&FieldTest>> = Default::default();
    for f in filters {
        by_key.entry(f.key.as_str()).or_default().push(&f.test);
    }
    by_key.into_iter().map(move |(key, tests)| {
        let any: Vec<(Occur, Box<dyn Query>)> = tests
            .into_iter()
            .flat_map(|t| field_test(fields, key, t))
            .map(|q| (Occur::Should, q))
            .collect();
        Box::new(BooleanQuery::new(any)) as Box<dyn Query>
    })
}

/// The queries any of which admits a document passing `test` on `key`.
fn field_test(fields: &Fields, key: &str, test: &FieldTest) -> Vec<Box<dyn Query>> {
    let number_term = |n: f64| {
        Term::from_field_text(
            fields.filter,
            &(field_number_prefix(key) + &sortable_number(n)),
        )
    };
    match test {
        FieldTest::Is(value) => {
            let mut out = vec![term_query(fields.filter, &field_filter_key(key, value))];
            if let Some(n) = crate::metadata::number(value) {
                out.push(Box::new(TermQuery::new(
                    number_term(n),
                    IndexRecordOption::Basic,
                )));
            }
            out
        }
        FieldTest::Range(lo, hi) => {
            // Open ends stop at the key's first and last possible number, never past its terms.
            let bound = |b: &FieldBound, open: f64| match b {
                FieldBound::Open => Bound::Included(number_term(open)),
                FieldBound::Inclusive(n) => Bound::Included(number_term(n.value())),
                FieldBound::Exclusive(n) => Bound::Excluded(number_term(n.value())),
            };
            vec![Box::new(tantivy::query::RangeQuery::new(
                bound(lo, f64::NEG_INFINITY),
                bound(hi, f64::INFINITY),
            ))]
        }
    }
}

/// Documents whose date period overlaps [lo, hi] (YYYYMMDD). Undated documents never match,
/// because they have no date values at all.
fn overlap(fields: &Fields, lo: i64, hi: i64) -> Box<dyn Query> {
    let starts_before_end = tantivy::query::RangeQuery::new(
        Bound::Included(Term::from_field_i64(fields.date_lo, i64::MIN)),
        Bound::Included(Term::from_field_i64(fields.date_lo, hi)),
    );
    let ends_after_start = tantivy::query::RangeQuery::new(
        Bound::Included(Term::from_field_i64(fields.date_hi, lo)),
        Bound::Included(Term::from_field_i64(fields.date_hi, i64::MAX)),
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(starts_before_end) as Box<dyn Query>),
        (Occur::Must, Box::new(ends_after_start)),
    ]))
}

fn filter(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn term_query(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The optional groups of a query, with each run of single words that spells a long form or a
/// synonym taken together.
enum OptionalRun<'a> {
    /// A group as parsed, with its index among the optional groups.
    Group(usize, &'a [Clause]),
    /// Consecutive typed words, and the other way of writing them (an acronym, a synonym).
    Written { words: Vec<Clause>, other: Clause },
}

/// Group the optional `groups` into [`OptionalRun`]s: typed one word at a time, "national human
/// trafficking hotline" is still the long form of NHTH.
fn optional_runs<'a>(groups: &'a [Vec<Clause>], extra: &Equivalents) -> Vec<OptionalRun<'a>> {
    // The typed words, where a group is one plain word searched everywhere.
    let words: Vec<Option<&str>> = groups
        .iter()
        .map(|g| match g.as_slice() {
            [Clause::Word(w, Target::Any)] => Some(w.as_str()),
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(groups.len());
    let mut i = 0;
    while i < groups.len() {
        let run_end = (i..groups.len())
            .find(|&j| words[j].is_none())
            .unwrap_or(groups.len());
        let found = (run_end - i >= 2)
            .then(|| {
                let typed: Vec<&str> = words[i..run_end].iter().flatten().copied().collect();
                crate::analysis::written_otherwise(&typed, extra)
            })
            .flatten();
        match found {
            Some((start, end, other)) => {
                for (j, g) in groups.iter().enumerate().take(i + start).skip(i) {
                    out.push(OptionalRun::Group(j, g));
                }
                let words = groups[i + start..i + end]
                    .iter()
                    .flat_map(|g| g.iter().cloned())
                    .collect();
                out.push(OptionalRun::Written {
                    words,
                    other: Clause::Phrase(other, Target::Any),
                });
                i += end;
            }
            None => {
                out.push(OptionalRun::Group(i, &groups[i]));
                i += 1;
            }
        }
    }
    out
}

/// Words typed one by one that are another way of writing `other`: the best of the two counts,
/// not their sum, as for the ways of writing one clause (an expansion never weighs more than
/// what it expands).
fn written_two_ways(
    fields: &Fields,
    bm25: Bm25,
    words: &[Clause],
    other: &Clause,
    patterns: &mut Vec<Pattern>,
    extra: &Equivalents,
) -> Option<Box<dyn Query>> {
    let typed: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .filter_map(|c| clause_query(fields, bm25, c, patterns, extra))
        .map(|q| (Occur::Should, q))
        .collect();
    if typed.is_empty() {
        return None;
    }
    let typed: Box<dyn Query> = Box::new(BooleanQuery::new(typed));
    match clause_query(fields, bm25, other, patterns, extra) {
        None => Some(typed),
        Some(other) => Some(Box::new(DisjunctionMaxQuery::new(vec![typed, other]))),
    }
}

fn group_query(
    fields: &Fields,
    bm25: Bm25,
    group: &[Clause],
    patterns: &mut Vec<Pattern>,
    extra: &Equivalents,
) -> Option<Box<dyn Query>> {
    let mut qs: Vec<(Occur, Box<dyn Query>)> = group
        .iter()
        .filter_map(|c| clause_query(fields, bm25, c, patterns, extra))
        .map(|q| (Occur::Should, q))
        .collect();
    match qs.len() {
        0 => None,
        1 => qs.pop().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(qs))),
    }
}

/// One clause over the fields its target names; records its highlight pattern.
fn clause_query(
    fields: &Fields,
    bm25: Bm25,
    clause: &Clause,
    patterns: &mut Vec<Pattern>,
    extra: &Equivalents,
) -> Option<Box<dyn Query>> {
    let (text, target, prefix) = match clause {
        Clause::Word(t, target) | Clause::Phrase(t, target) => (t, *target, false),
        Clause::Prefix(t, target) => (t, *target, true),
    };
    // The query's own terms first, then the same meaning written other ways (GLO.ACT / GLOACT,
    // TIP / trafficking in persons), so typing either finds both.
    let sequences = crate::analysis::query_term_sequences_with(text, extra);
    let terms = sequences.first()?.clone();
    let targets: Vec<(Field, f32)> = match target {
        Target::Any => vec![
            (fields.text, 1.0),
            (fields.title, TITLE_BOOST),
            (fields.author, TITLE_BOOST),
        ],
        Target::Text => vec![(fields.text, 1.0)],
        Target::Title => vec![(fields.title, 1.0)],
        Target::Author => vec![(fields.author, 1.0)],
    };
    // A hyphenated word also counts as its parts, below the parts side by side: "U.S.-Mexico"
    // finds "between the United States and Mexico", as plain BM25 and a reader would.
    // A compound that joins to a known name ("glo-act" is GLO.ACT) stays one name. Only a
    // word that splits pays for analysing its parts and looking up its joined form.
    let split = match clause {
        Clause::Word(..) => hyphenated_parts(text),
        _ => Vec::new(),
    };
    let names_something = || {
        sequences.iter().skip(1).any(
            |seq| matches!(seq.as_slice(), [one] if crate::analysis::has_other_wordings(one, extra)),
        )
    };
    let parts: Vec<Vec<Vec<String>>> = if split.len() > 1 && !names_something() {
        split
            .into_iter()
            .map(|part| crate::analysis::query_term_sequences_with(part, extra))
            .filter(|seqs| !seqs.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    let function_word = !prefix
        && sequences.len() == 1
        && terms.len() == 1
        && crate::highlight::is_stop_word(&terms[0]);
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (field, boost) in targets {
        // A function word in a title is rare among titles, so BM25 would give it a title
        // word's weight; it says nothing of what the document is about ("of the" in "Congo,
        // Democratic Republic of the").
        if function_word && matches!(target, Target::Any) && field != fields.text {
            continue;
        }
        let q: Box<dyn Query> = if prefix {
            prefix_query(field, text, &terms)?
        } else if parts.len() > 1 {
            let loose: Vec<(Occur, Box<dyn Query>)> = parts
                .iter()
                .map(|seqs| (Occur::Should, wordings_query(field, seqs, bm25)))
                .collect();
            Box::new(DisjunctionMaxQuery::new(vec![
                wordings_query(field, &sequences, bm25),
                Box::new(BoostQuery::new(
                    Box::new(BooleanQuery::new(loose)),
                    PARTS_WEIGHT,
                )),
            ]))
        } else {
            wordings_query(field, &sequences, bm25)
        };
        let q = if boost == 1.0 {
            q
        } else {
            Box::new(BoostQuery::new(q, boost))
        };
        per_field.push((Occur::Should, q));
    }
    // Title and author matches are not in the passage text, so there is nothing to mark.
    if matches!(target, Target::Any | Target::Text) {
        if prefix {
            patterns.push(Pattern::Prefix(prefix_forms(text, &terms)));
        } else {
            patterns.extend(
                sequences
                    .into_iter()
                    .chain(parts.into_iter().flatten())
                    .map(|seq| match seq.len() {
                        1 => Pattern::Term(seq.into_iter().next().unwrap_or_default()),
                        _ => Pattern::Phrase(seq),
                    }),
            );
        }
    }
    Some(Box::new(BooleanQuery::new(per_field)))
}

/// The ways of writing one query word, each a term or phrase: the first is the user's own and
/// counts in full, the others [`ALT_WEIGHT`]; the best-matching one counts, not their sum (a
/// passage saying "trafficking in persons" also carries the injected "tip" and must not score
/// twice).
fn wordings_query(field: Field, sequences: &[Vec<String>], bm25: Bm25) -> Box<dyn Query> {
    let mut alternatives: Vec<Box<dyn Query>> = sequences
        .iter()
        .enumerate()
        .map(|(i, seq)| {
            let q = sequence_query(field, seq, bm25);
            if i == 0 {
                q
            } else {
                Box::new(BoostQuery::new(q, ALT_WEIGHT)) as Box<dyn Query>
            }
        })
        .collect();
    if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Box::new(DisjunctionMaxQuery::new(alternatives))
    }
}

/// The parts of a word typed with hyphens or a slash ("U.S.-Mexico", "trauma-informed",
/// "HIV/AIDS"), each with a letter or digit; one part (or none) when there is nothing to split.
/// Dots stay inside a part: they join an acronym's letters.
fn hyphenated_parts(word: &str) -> Vec<&str> {
    word.split(['-', '\u{2010}', '\u{2011}', '/'])
        .filter(|part| part.chars().any(char::is_alphanumeric))
        .collect()
}

/// What a hyphenated word's parts count when they are not side by side, against 1 for the
/// word as typed: the parts apart are weaker evidence than the compound, and below the other
/// wordings ([`ALT_WEIGHT`]). tip-dev: 0.3, 0.5 and 0.8 gave 0.7053, 0.7056 and 0.7057
/// nDCG@10 (0.7024 without); SciFact's plain questions already split every word.
const PARTS_WEIGHT: f32 = 0.5;

/// What a way of writing the query's words other than the user's own counts, against 1 for
/// the typed form (acronym and long form, a learned or user synonym, a country's other names
/// and demonyms): the user's own wording is the stronger evidence of what they mean, so
/// "Cuban" finds Cuba but ranks what says "Cuban" first. 0.8 keeps an alternative well above
/// the other query words' single matches; measured in BENCHMARKS.md (issue 14).
pub(crate) const ALT_WEIGHT: f32 = 0.8;

/// One term, or a phrase of several.
fn sequence_query(field: Field, terms: &[String], bm25: Bm25) -> Box<dyn Query> {
    if let [term] = terms {
        Box::new(Bm25TermQuery::new(Term::from_field_text(field, term), bm25))
    } else {
        Box::new(PhraseQuery::new(
            terms
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))
    }
}

/// A prefix matches indexed (stemmed) terms starting with either the typed prefix or its stem:
/// `trafficker*` must find `traffick`, the stem of "traffickers".
fn prefix_forms(typed: &str, analyzed: &[String]) -> Vec<String> {
    let last = analyzed.last().cloned().unwrap_or_default();
    let raw: String = typed
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|s| !s.is_empty())
        .map(str::to_lowercase)
        .unwrap_or_default();
    let mut forms = vec![last];
    let folded = crate::schema::fold_plain(&raw);
    if !folded.is_empty() && !forms.contains(&folded) {
        forms.push(folded);
    }
    forms
}

/// The (field, prefix) pairs whose index terms a prefix clause expands to, for
/// [`super::limits::check_prefixes`]. A prefix after other terms (`GLO.ACT*`) is a phrase
/// prefix, which tantivy already caps at 50 expansions, so it has none to count.
pub(super) fn prefix_expansions(fields: &Fields, clause: &Clause) -> Vec<(Field, String)> {
    let Clause::Prefix(typed, target) = clause else {
        return Vec::new();
    };
    let sequences = crate::analysis::query_term_sequences(typed);
    let Some(terms) = sequences.first().filter(|t| t.len() == 1) else {
        return Vec::new();
    };
    let targets = match target {
        Target::Any => vec![fields.text, fields.title, fields.author],
        Target::Text => vec![fields.text],
        Target::Title => vec![fields.title],
        Target::Author => vec![fields.author],
    };
    let forms = prefix_forms(typed, terms);
    targets
        .into_iter()
        .flat_map(|f| forms.iter().map(move |p| (f, p.clone())))
        .collect()
}

fn prefix_query(field: Field, typed: &str, terms: &[String]) -> Option<Box<dyn Query>> {
    if terms.len() > 1 {
        let ts = terms
            .iter()
            .map(|t| Term::from_field_text(field, t))
            .collect();
        return Some(Box::new(PhrasePrefixQuery::new(ts)));
    }
    let alternatives: Vec<(Occur, Box<dyn Query>)> = prefix_forms(typed, terms)
        .into_iter()
        .filter_map(|p| RegexQuery::from_pattern(&format!("{}.*", regex_escape(&p)), field).ok())
        .map(|q| (Occur::Should, Box::new(q) as Box<dyn Query>))
        .collect();
    (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
