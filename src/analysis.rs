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

use std::collections::{HashMap, VecDeque};
use std::sync::{LazyLock, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// Tokens of this many bytes or more are dropped: they are base64, URLs or table debris, and
/// the limit matches the analyzer the index used before this module existed.
const MAX_TOKEN_BYTES: usize = 60;

/// Longest run of joined parts that still yields a concatenation. Longer runs are dotted
/// numbers, host names or file paths, whose concatenation nobody would type.
const MAX_JOINED_PARTS: usize = 6;

/// Characters that glue two parts into one written word when nothing else separates them.
/// U+2010/U+2011 are the typographic (non-breaking) hyphens of word processors; U+00AD is the
/// soft hyphen left in text extracted from hyphenated PDF lines.
const JOINERS: [char; 5] = ['.', '-', '\u{2010}', '\u{2011}', '\u{00AD}'];

/// Long forms and their acronyms as they are written; their analyzed forms are computed once
/// with the analyzer itself, so the table can never drift from the stemmer's output.
const LONG_FORMS: &[(&str, &str)] = &[
    ("tip", "trafficking in persons"),
    ("som", "smuggling of migrants"),
    ("som", "migrant smuggling"),
    ("thb", "trafficking in human beings"),
    (
        "untoc",
        "united nations convention against transnational organized crime",
    ),
    (
        "icat",
        "inter-agency coordination group against trafficking in persons",
    ),
    (
        "icat",
        "interagency coordination group against trafficking in persons",
    ),
    (
        "gloact",
        "global action against trafficking in persons and the smuggling of migrants",
    ),
    // The programme's official name; the shorter one above is how many reports cite it.
    (
        "gloact",
        "global action to prevent and address trafficking in persons and the smuggling of migrants",
    ),
    ("csec", "commercial sexual exploitation of children"),
    ("nrm", "national referral mechanism"),
];

/// Upper bound on the alternatives [`query_alternatives`] returns (and on each kind of
/// sequence [`query_term_sequences`] adds), so a pathological query cannot blow up the boolean
/// query built from them.
const MAX_ALTERNATIVES: usize = 16;

/// The analyzer used for passage text, titles and queries.
pub fn domain_analyzer() -> TextAnalyzer {
    analyzer(acronym_table())
}

/// Phrase expansions for a query: given the analyzed terms of a query (after
/// [`domain_analyzer`], one term per position as returned first by [`query_term_sequences`]),
/// return alternative term sequences that mean the same (e.g. `["traffick","in","person"]` ↔
/// `["tip"]`) so the query builder can OR them in.
///
/// Each alternative is the whole input with one long form replaced by its acronym or one
/// acronym replaced by one of its long forms; unrelated input yields no alternative.
pub fn query_alternatives(terms: &[String]) -> Vec<Vec<String>> {
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
pub fn query_term_sequences(text: &str) -> Vec<Vec<String>> {
    query_term_sequences_with(text, &Equivalents::default())
}

/// Pairs of wordings that mean the same beyond the built-in acronyms — acronyms the collection
/// defines, a team's own synonyms — in analyzed form, matched both ways at query time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Equivalents {
    pairs: Vec<(Vec<String>, Vec<String>)>,
}

impl Equivalents {
    /// Add `a` ≡ `b` (as written; analyzed here). Pairs that analyze to nothing or to the same
    /// terms, or whose short side is a built-in acronym, are left out (the built-in table
    /// already knows those).
    pub fn add(&mut self, a: &str, b: &str) {
        let a = analyzed_terms(a);
        let b = analyzed_terms(b);
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

    /// The analyzed terms of `text`, one per position: what a side of a pair matches.
    pub fn terms_of(text: &str) -> Vec<String> {
        analyzed_terms(text)
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when there is no pair.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
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
        out
    }
}

/// Where consecutive typed words (`typed`, one query word each) spell a long form of an acronym
/// or one side of an `extra` pair: the first such run of two or more words (the longest at that
/// start), as word indices `start..end`, with the other way of writing it (analyzed terms
/// joined by spaces). A word that analyzes to several terms (`GLO.ACT`) or none ends a run.
pub fn written_otherwise(typed: &[&str], extra: &Equivalents) -> Option<(usize, usize, String)> {
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
pub fn query_term_sequences_with(text: &str, extra: &Equivalents) -> Vec<Vec<String>> {
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
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(JoinParts)
        .filter(SpellAndStem)
        .filter(Acronyms { table })
        .build()
}

fn collect_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |t| tokens.push(t.clone()));
    tokens
}

/// The first token at each position: injected tokens always follow the token they share a
/// position with, so the first one is the word actually written.
fn primary_of(tokens: &[Token]) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for t in tokens {
        if out.last().is_none_or(|last| last.position != t.position) {
            out.push(t.clone());
        }
    }
    out
}

fn primary_positions(tokens: &[Token]) -> Vec<usize> {
    primary_of(tokens).iter().map(|t| t.position).collect()
}

/// Spare tokens kept per stream: enough for the lookahead of the longest long form.
const MAX_SPARE_TOKENS: usize = 64;

/// A copy of `src` in a recycled token, so buffering filters do not allocate per token.
fn copy_token(spare: &mut Vec<Token>, src: &Token) -> Token {
    let mut t = spare.pop().unwrap_or_default();
    t.offset_from = src.offset_from;
    t.offset_to = src.offset_to;
    t.position = src.position;
    t.position_length = src.position_length;
    t.text.clear();
    t.text.push_str(&src.text);
    t
}

/// Make the next queued token current, recycling the previous one; false when none is queued.
/// Shared by the filters that buffer tokens (joined parts, acronyms).
fn take_next(out: &mut VecDeque<Token>, current: &mut Token, spare: &mut Vec<Token>) -> bool {
    match out.pop_front() {
        Some(t) => {
            recycle(spare, std::mem::replace(current, t));
            true
        }
        None => false,
    }
}

fn recycle(spare: &mut Vec<Token>, token: Token) {
    if spare.len() < MAX_SPARE_TOKENS {
        spare.push(token);
    }
}

// ---------------------------------------------------------------------------------------------
// Joined parts: GLO.ACT, anti-trafficking, e-mail.

/// Emits the concatenation of parts written with a joiner and no space between them.
#[derive(Clone)]
struct JoinParts;

impl TokenFilter for JoinParts {
    type Tokenizer<T: Tokenizer> = JoinPartsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> JoinPartsFilter<T> {
        JoinPartsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct JoinPartsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for JoinPartsFilter<T> {
    type TokenStream<'a> = JoinPartsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        JoinPartsStream {
            text,
            tail: self.inner.token_stream(text),
            lookahead: None,
            run: Vec::new(),
            out: VecDeque::new(),
            current: Token::default(),
            spare: Vec::new(),
            last_end: None,
        }
    }
}

struct JoinPartsStream<'a, T> {
    /// The original text: only it tells whether two tokens were written without a space.
    text: &'a str,
    tail: T,
    lookahead: Option<Token>,
    run: Vec<Token>,
    out: VecDeque<Token>,
    current: Token,
    spare: Vec<Token>,
    /// End offset of the last token taken from upstream into a run, to recognise the
    /// continuation of an over-long run (which must not start a new, partial join).
    last_end: Option<usize>,
}

impl<T: TokenStream> JoinPartsStream<'_, T> {
    fn pull(&mut self) -> Option<Token> {
        if let Some(t) = self.lookahead.take() {
            return Some(t);
        }
        if self.tail.advance() {
            Some(copy_token(&mut self.spare, self.tail.token()))
        } else {
            None
        }
    }

    fn fill(&mut self) {
        let Some(first) = self.pull() else {
            return;
        };
        let continues = self
            .last_end
            .is_some_and(|end| is_joined(self.text, end, first.offset_from));
        self.last_end = Some(first.offset_to);
        if continues {
            self.out.push_back(first);
            return;
        }
        self.run.clear();
        self.run.push(first);
        while self.run.len() <= MAX_JOINED_PARTS {
            let Some(next) = self.pull() else {
                break;
            };
            let prev_end = self.run.last().map_or(0, |t| t.offset_to);
            if is_joined(self.text, prev_end, next.offset_from) {
                self.last_end = Some(next.offset_to);
                self.run.push(next);
            } else {
                self.lookahead = Some(next);
                break;
            }
        }
        let joined = if self.run.len() >= 2 && self.run.len() <= MAX_JOINED_PARTS {
            joined_token(&self.run)
        } else {
            None
        };
        let mut parts = self.run.drain(..);
        if let Some(first) = parts.next() {
            self.out.push_back(first);
        }
        if let Some(joined) = joined {
            self.out.push_back(joined);
        }
        self.out.extend(parts);
    }
}

/// Whether the text between two tokens is exactly one joiner character.
fn is_joined(text: &str, prev_end: usize, next_start: usize) -> bool {
    if next_start <= prev_end {
        return false;
    }
    let Some(between) = text.get(prev_end..next_start) else {
        return false;
    };
    let mut chars = between.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if JOINERS.contains(&c))
}

fn joined_token(parts: &[Token]) -> Option<Token> {
    let (first, last) = (parts.first()?, parts.last()?);
    // `3.5` or `2010-2015` joined would match unrelated numbers; `covid-19` is worth joining.
    if parts
        .iter()
        .all(|p| p.text.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let text: String = parts.iter().map(|p| p.text.as_str()).collect();
    if text.len() >= MAX_TOKEN_BYTES {
        return None;
    }
    Some(Token {
        offset_from: first.offset_from,
        offset_to: last.offset_to,
        position: first.position,
        position_length: last.position.saturating_sub(first.position) + 1,
        text,
    })
}

impl<T: TokenStream> TokenStream for JoinPartsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if self.out.is_empty() {
            self.fill();
        }
        take_next(&mut self.out, &mut self.current, &mut self.spare)
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

// ---------------------------------------------------------------------------------------------
// British → American spelling.

/// British spellings to American, then Snowball stemming, memoised per thread: the two were a
/// quarter of indexing time, and a corpus repeats a small vocabulary millions of times.
#[derive(Clone)]
struct SpellAndStem;

impl TokenFilter for SpellAndStem {
    type Tokenizer<T: Tokenizer> = SpellAndStemFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SpellAndStemFilter<T> {
        SpellAndStemFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
struct SpellAndStemFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for SpellAndStemFilter<T> {
    type TokenStream<'a> = SpellAndStemStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SpellAndStemStream {
            tail: self.inner.token_stream(text),
        }
    }
}

struct SpellAndStemStream<T> {
    tail: T,
}

/// Entries kept per thread before the memo starts over; bounds memory on huge vocabularies.
const STEM_MEMO_LIMIT: usize = 200_000;

thread_local! {
    // FxHash: SipHash on these short words was ~2% of indexing CPU; the keys are the user's own
    // text, not attacker-chosen, and the memo is bounded anyway.
    static STEM_MEMO: std::cell::RefCell<(frostem::Stemmer, FxHashMap<String, String>)> =
        std::cell::RefCell::new((frostem::Stemmer::new(frostem::Algorithm::English), FxHashMap::default()));
}

/// Replace a folded word by its indexed form: American spelling, then its English stem. Written
/// in place, so a word seen before costs one lookup and no allocation.
fn spell_and_stem(word: &mut String) {
    STEM_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let (stemmer, map) = &mut *memo;
        if let Some(done) = map.get(word.as_str()) {
            if done != word {
                word.clear();
                word.push_str(done);
            }
            return;
        }
        let us = americanize(word);
        let stemmed = stemmer.stem(us.as_deref().unwrap_or(word)).into_owned();
        if map.len() >= STEM_MEMO_LIMIT {
            map.clear();
        }
        let folded = std::mem::replace(word, stemmed);
        map.insert(folded, word.clone());
    })
}

impl<T: TokenStream> TokenStream for SpellAndStemStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        spell_and_stem(&mut token.text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Whole words whose American spelling no general rule produces, sorted for binary search.
/// `analyses` is absent on purpose: it is also the plural of `analysis` in both spellings.
const SPELLING_WORDS: &[(&str, &str)] = &[
    ("acknowledgement", "acknowledgment"),
    ("acknowledgements", "acknowledgments"),
    ("aeroplane", "airplane"),
    ("aeroplanes", "airplanes"),
    ("ageing", "aging"),
    ("aluminium", "aluminum"),
    ("anaemia", "anemia"),
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("analyser", "analyzer"),
    ("analysers", "analyzers"),
    ("analysing", "analyzing"),
    ("calibre", "caliber"),
    ("catalogue", "catalog"),
    ("catalogued", "cataloged"),
    ("catalogues", "catalogs"),
    ("cataloguing", "cataloging"),
    ("catalyse", "catalyze"),
    ("catalysed", "catalyzed"),
    ("catalysing", "catalyzing"),
    ("centre", "center"),
    ("centred", "centered"),
    ("centres", "centers"),
    ("centring", "centering"),
    ("defence", "defense"),
    ("defences", "defenses"),
    ("diarrhoea", "diarrhea"),
    ("encyclopaedia", "encyclopedia"),
    ("enquire", "inquire"),
    ("enquired", "inquired"),
    ("enquiries", "inquiries"),
    ("enquiry", "inquiry"),
    ("enrol", "enroll"),
    ("enrolment", "enrollment"),
    ("enrolments", "enrollments"),
    ("enrols", "enrolls"),
    ("epicentre", "epicenter"),
    ("fibre", "fiber"),
    ("fibres", "fibers"),
    ("foetal", "fetal"),
    ("foetus", "fetus"),
    ("fulfil", "fulfill"),
    ("fulfilment", "fulfillment"),
    ("fulfils", "fulfills"),
    ("grey", "gray"),
    ("gynaecology", "gynecology"),
    ("instalment", "installment"),
    ("instalments", "installments"),
    ("jewellery", "jewelry"),
    ("judgement", "judgment"),
    ("judgements", "judgments"),
    ("kilometre", "kilometer"),
    ("kilometres", "kilometers"),
    ("licence", "license"),
    ("licences", "licenses"),
    ("litre", "liter"),
    ("litres", "liters"),
    ("lustre", "luster"),
    ("manoeuvre", "maneuver"),
    ("manoeuvred", "maneuvered"),
    ("manoeuvres", "maneuvers"),
    ("manoeuvring", "maneuvering"),
    ("meagre", "meager"),
    ("metre", "meter"),
    ("metres", "meters"),
    ("offence", "offense"),
    ("offences", "offenses"),
    ("paediatric", "pediatric"),
    ("paediatrician", "pediatrician"),
    ("paediatricians", "pediatricians"),
    ("paralyse", "paralyze"),
    ("paralysed", "paralyzed"),
    ("paralysing", "paralyzing"),
    ("practise", "practice"),
    ("practised", "practiced"),
    ("practises", "practices"),
    ("practising", "practicing"),
    ("pretence", "pretense"),
    ("programme", "program"),
    ("programmes", "programs"),
    ("sceptic", "skeptic"),
    ("sceptical", "skeptical"),
    ("scepticism", "skepticism"),
    ("sceptics", "skeptics"),
    ("skilful", "skillful"),
    ("skilfully", "skillfully"),
    ("sombre", "somber"),
    ("spectre", "specter"),
    ("theatre", "theater"),
    ("theatres", "theaters"),
    ("wilful", "willful"),
    ("wilfully", "willfully"),
];

/// `-our` stems; replaced wherever they occur, which also covers their derivatives
/// (`labourers`, `unfavourable`, `neighbourhood`, `behavioural`).
const OUR_STEMS: &[(&str, &str)] = &[
    ("labour", "labor"),
    ("favour", "favor"),
    ("behaviour", "behavior"),
    ("neighbour", "neighbor"),
    ("honour", "honor"),
    ("rumour", "rumor"),
    ("colour", "color"),
    ("endeavour", "endeavor"),
    ("harbour", "harbor"),
    ("humour", "humor"),
    ("vigour", "vigor"),
    ("savour", "savor"),
    ("flavour", "flavor"),
    ("odour", "odor"),
    ("armour", "armor"),
    ("saviour", "savior"),
    ("candour", "candor"),
    ("rigour", "rigor"),
    ("tumour", "tumor"),
    ("vapour", "vapor"),
    ("clamour", "clamor"),
    ("parlour", "parlor"),
    ("splendour", "splendor"),
    ("fervour", "fervor"),
    ("valour", "valor"),
    ("ardour", "ardor"),
    ("demeanour", "demeanor"),
];

/// Stems that double their final `l` before a suffix in British spelling only.
const LL_STEMS: &[&str] = &[
    "travel", "counsel", "model", "label", "cancel", "signal", "fuel", "channel", "level", "total",
    "marshal", "dial", "duel", "jewel", "quarrel", "rival", "tunnel", "pedal", "panel", "shovel",
    "funnel", "marvel", "pencil", "libel", "unravel", "initial", "equal",
];

/// What may follow the doubled `l` (`travell|ed`, `counsell|or`, `panell|ist`).
const LL_SUFFIXES: &[&str] = &[
    "ed", "ing", "ings", "er", "ers", "or", "ors", "ous", "ist", "ists",
];

/// British `-is-` endings and their American forms, longest first so `isations` is not read
/// as `ise` + `…`.
const ISE_SUFFIXES: &[(&str, &str)] = &[
    ("isational", "izational"),
    ("isations", "izations"),
    ("isation", "ization"),
    ("isable", "izable"),
    ("ising", "izing"),
    ("isers", "izers"),
    ("iser", "izer"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
];

/// Endings of `-ise` base forms that are spelled `-ise` in American English too. They are
/// matched as suffixes of the base form, so `unsupervised`, `disenfranchise` and `otherwise`
/// are covered; only endings with no `-ize` word sharing them belong here (`rise` does not:
/// `authorise`, `summarise`).
const ISE_KEEP_SUFFIXES: &[&str] = &[
    "advise",
    "advertise",
    "chastise",
    "chemise",
    "comprise",
    "compromise",
    "demise",
    "despise",
    "devise",
    "enterprise",
    "exercise",
    "expertise",
    "franchise",
    "improvise",
    "merchandise",
    "mortise",
    "paradise",
    "premise",
    "promise",
    "revise",
    "supervise",
    "surmise",
    "surprise",
    "televise",
    "treatise",
    // Whole families without an -ize member:
    "aise",  // raise, praise, appraise, fundraise, malaise, liaise
    "cise",  // precise, concise, excise, incise, exercise, circumcise
    "oise",  // noise, poise, tortoise, porpoise, turquoise
    "prise", // apprise, comprise, enterprise, reprise, surprise
    "uise",  // cruise, bruise, guise, disguise, marquise
    "vise",  // advise, devise, revise, supervise, improvise, televise, vise
    "wise",  // wise, otherwise, likewise, clockwise
];

/// Base forms kept only as whole words, because their ending is shared with `-ize` words
/// (`arise` vs `summarise`, `mise` vs `minimise`).
const ISE_KEEP_WORDS: &[&str] = &[
    "rise", "arise", "uprise", "sunrise", "moonrise", "cerise", "anise", "valise", "mise",
    "remise", "crise", "irise",
];

/// The American spelling of a lower-cased, folded word, or `None` when it has no other one.
fn americanize(word: &str) -> Option<String> {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    if let Ok(i) = SPELLING_WORDS.binary_search_by(|(uk, _)| uk.cmp(&word)) {
        return Some(SPELLING_WORDS[i].1.to_string());
    }
    // Cheap screens first: this runs on every token of every passage.
    if word.contains("our") {
        for &(uk, us) in OUR_STEMS {
            if word.contains(uk) {
                return Some(word.replacen(uk, us, 1));
            }
        }
    }
    if !word.contains("ll") && !word.contains("is") {
        return None;
    }
    for stem in LL_STEMS {
        if let Some(rest) = word.strip_prefix(stem) {
            if let Some(suffix) = rest.strip_prefix('l') {
                if LL_SUFFIXES.contains(&suffix) {
                    return Some(format!("{stem}{suffix}"));
                }
            }
        }
    }
    ise_to_ize(word)
}

fn ise_to_ize(word: &str) -> Option<String> {
    let (uk, us) = ISE_SUFFIXES.iter().find(|(uk, _)| word.ends_with(uk))?;
    let root = &word[..word.len() - uk.len()];
    let base = format!("{root}ise");
    // Three letters before "ise" at least: every real -ize verb has them, while the short
    // words (rise, wise, noise, raise, crises) are not verbs of this family.
    if root.len() < 3
        || ISE_KEEP_WORDS.contains(&base.as_str())
        || ISE_KEEP_SUFFIXES.iter().any(|keep| base.ends_with(keep))
    {
        return None;
    }
    Some(format!("{root}{us}"))
}

// ---------------------------------------------------------------------------------------------
// Acronyms.

struct LongForm {
    /// The acronym's analyzed form.
    acronym: String,
    /// The long form's analyzed terms, one per position.
    stems: Vec<String>,
}

struct AcronymTable {
    forms: Vec<LongForm>,
    /// Terms in the longest long form: the lookahead the filter needs.
    max_len: usize,
    /// Every acronym and every long form's first term, so the common case (a token that is
    /// neither) costs one hash lookup instead of a comparison per form: those comparisons were
    /// ~9% of indexing CPU in a profile at 20,000 documents.
    acronyms: FxHashSet<String>,
    first_stems: FxHashSet<String>,
}

static NO_ACRONYMS: LazyLock<AcronymTable> = LazyLock::new(|| AcronymTable::new(Vec::new()));

impl AcronymTable {
    fn new(forms: Vec<LongForm>) -> AcronymTable {
        AcronymTable {
            max_len: forms.iter().map(|f| f.stems.len()).max().unwrap_or(0),
            acronyms: forms.iter().map(|f| f.acronym.clone()).collect(),
            first_stems: forms
                .iter()
                .filter_map(|f| f.stems.first().cloned())
                .collect(),
            forms,
        }
    }
}

fn acronym_table() -> &'static AcronymTable {
    static TABLE: OnceLock<AcronymTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut base = analyzer(&NO_ACRONYMS);
        let mut forms = Vec::new();
        for &(acronym, long) in LONG_FORMS {
            let acronym: Vec<String> = primary_of(&collect_tokens(&mut base, acronym))
                .into_iter()
                .map(|t| t.text)
                .collect();
            let stems: Vec<String> = primary_of(&collect_tokens(&mut base, long))
                .into_iter()
                .map(|t| t.text)
                .collect();
            if let ([acronym], true) = (acronym.as_slice(), stems.len() >= 2) {
                forms.push(LongForm {
                    acronym: acronym.clone(),
                    stems,
                });
            }
        }
        AcronymTable::new(forms)
    })
}

/// Adds the acronym after the first token of each known long form, and folds an acronym's
/// plural (`nrms`, which the stemmer leaves alone) onto the acronym.
#[derive(Clone)]
struct Acronyms {
    table: &'static AcronymTable,
}

impl TokenFilter for Acronyms {
    type Tokenizer<T: Tokenizer> = AcronymsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> AcronymsFilter<T> {
        AcronymsFilter {
            table: self.table,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
struct AcronymsFilter<T> {
    table: &'static AcronymTable,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for AcronymsFilter<T> {
    type TokenStream<'a> = AcronymsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        AcronymsStream {
            table: self.table,
            tail: self.inner.token_stream(text),
            window: VecDeque::new(),
            out: VecDeque::new(),
            current: Token::default(),
            spare: Vec::new(),
            exhausted: false,
        }
    }
}

struct AcronymsStream<T> {
    table: &'static AcronymTable,
    tail: T,
    /// Upstream tokens read ahead; at most the tokens of `max_len + 1` positions.
    window: VecDeque<Token>,
    out: VecDeque<Token>,
    current: Token,
    spare: Vec<Token>,
    exhausted: bool,
}

impl<T: TokenStream> AcronymsStream<T> {
    fn pull(&mut self) -> bool {
        if self.exhausted {
            return false;
        }
        if !self.tail.advance() {
            self.exhausted = true;
            return false;
        }
        let mut token = copy_token(&mut self.spare, self.tail.token());
        if let Some(stripped) = token.text.strip_suffix('s') {
            if self.table.acronyms.contains(stripped) {
                token.text.truncate(stripped.len());
            }
        }
        self.window.push_back(token);
        true
    }

    fn back_position_is(&self, pred: impl Fn(usize) -> bool) -> bool {
        self.window.back().is_some_and(|t| pred(t.position))
    }

    fn fill(&mut self) {
        if self.window.is_empty() && !self.pull() {
            return;
        }
        let Some(p) = self.window.front().map(|t| t.position) else {
            return;
        };
        // Read the whole group of tokens at position `p` (the word and its injected siblings).
        while self.back_position_is(|q| q == p) && self.pull() {}
        let group = self.window.iter().take_while(|t| t.position == p).count();
        let starts = self
            .window
            .iter()
            .take(group)
            .any(|t| self.table.first_stems.contains(&t.text));
        let mut found: Vec<Token> = Vec::new();
        if starts {
            let horizon = p.saturating_add(self.table.max_len);
            while self.back_position_is(|q| q < horizon) && self.pull() {}
            for form in &self.table.forms {
                if found.iter().any(|t| t.text == form.acronym) {
                    continue;
                }
                if let Some(acronym) = self.match_at(p, form) {
                    found.push(acronym);
                }
            }
        }
        for _ in 0..group {
            if let Some(t) = self.window.pop_front() {
                self.out.push_back(t);
            }
        }
        self.out.extend(found);
    }

    /// The acronym token if `form` is written from position `p` on, each of its terms being
    /// any token at its position (so a joined form's sibling does not hide a part).
    fn match_at(&self, p: usize, form: &LongForm) -> Option<Token> {
        let mut first: Option<&Token> = None;
        let mut last: Option<&Token> = None;
        for (i, stem) in form.stems.iter().enumerate() {
            let pos = p.checked_add(i)?;
            let t = self
                .window
                .iter()
                .find(|t| t.position == pos && &t.text == stem)?;
            first = first.or(Some(t));
            last = Some(t);
        }
        let (first, last) = (first?, last?);
        Some(Token {
            offset_from: first.offset_from,
            offset_to: last.offset_to.max(first.offset_from),
            position: p,
            position_length: form.stems.len(),
            text: form.acronym.clone(),
        })
    }
}

impl<T: TokenStream> TokenStream for AcronymsStream<T> {
    fn advance(&mut self) -> bool {
        if self.out.is_empty() {
            self.fill();
        }
        take_next(&mut self.out, &mut self.current, &mut self.spare)
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
    use tantivy::schema::{
        IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED,
    };
    use tantivy::{doc, Index, TantivyDocument, Term};

    fn tokens(text: &str) -> Vec<Token> {
        collect_tokens(&mut domain_analyzer(), text)
    }

    fn terms(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.text).collect()
    }

    fn with_positions(text: &str) -> Vec<(String, usize)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.text, t.position))
            .collect()
    }

    /// The analyzer the crate used before this module, for "nothing changed" comparisons.
    fn plain_terms(text: &str) -> Vec<String> {
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(tantivy::tokenizer::Stemmer::default())
            .build();
        collect_tokens(&mut plain, text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn british_and_american_spellings_meet() {
        let pairs = [
            ("forced labour", "forced labor"),
            ("organised crime", "organized crime"),
            ("programme", "program"),
            ("programmes", "programs"),
            ("criminalisation", "criminalization"),
            ("criminalise", "criminalize"),
            ("criminalised", "criminalized"),
            ("favour", "favor"),
            ("labours", "labors"),
            ("organisation", "organization"),
            ("organisations", "organizations"),
            ("organising", "organizing"),
            ("behaviour", "behavior"),
            ("behavioural", "behavioral"),
            ("centre", "center"),
            ("defence", "defense"),
            ("offences", "offenses"),
            ("licence", "license"),
            ("travelling", "traveling"),
            ("counselling", "counseling"),
            ("counsellors", "counselors"),
            ("recognise", "recognize"),
            ("prioritise", "prioritize"),
            ("mobilise", "mobilize"),
            ("harmonise", "harmonize"),
            ("emphasise", "emphasize"),
            ("analyse", "analyze"),
            ("analysed", "analyzed"),
            ("catalogue", "catalog"),
            ("neighbours", "neighbors"),
            ("neighbourhood", "neighborhood"),
            ("honour", "honor"),
            ("rumours", "rumors"),
            ("colour", "color"),
            ("endeavour", "endeavor"),
            ("judgement", "judgment"),
            ("labourers", "laborers"),
            ("unfavourable", "unfavorable"),
            ("victimisation", "victimization"),
            ("stigmatised", "stigmatized"),
            ("decriminalisation", "decriminalization"),
            ("re-victimised", "re-victimized"),
        ];
        for (uk, us) in pairs {
            assert_eq!(terms(uk), terms(us), "{uk} vs {us}");
            assert_eq!(terms(&uk.to_uppercase()), terms(us), "{uk} upper-cased");
        }
        // Both ways: American input is left as the plain analyzer had it.
        assert_eq!(terms("forced labor"), plain_terms("forced labor"));
        assert_eq!(terms("organized crime"), plain_terms("organized crime"));
    }

    #[test]
    fn exception_words_are_unchanged() {
        let words = [
            "advise",
            "advised",
            "adviser",
            "advertise",
            "advertising",
            "comprise",
            "compromise",
            "despise",
            "devise",
            "enterprise",
            "enterprises",
            "exercise",
            "exercised",
            "franchise",
            "disenfranchised",
            "improvise",
            "improvisation",
            "merchandise",
            "premise",
            "premises",
            "promise",
            "promising",
            "unpromising",
            "revise",
            "revised",
            "supervise",
            "unsupervised",
            "surprise",
            "surprising",
            "televise",
            "expertise",
            "precise",
            "concise",
            "paradise",
            "wise",
            "wiser",
            "rise",
            "rising",
            "arise",
            "arising",
            "uprising",
            "noise",
            "raise",
            "raised",
            "fundraising",
            "praise",
            "cruise",
            "bruise",
            "demise",
            "disguise",
            "excise",
            "incise",
            "chastise",
            "apprise",
            "treatise",
            "otherwise",
            "likewise",
            "clockwise",
            "vise",
            "crises",
            "analyses",
            "four",
            "hour",
            "tour",
            "pour",
            "contour",
            "glamour",
            "cancellation",
            "compelled",
            "controlled",
            "totality",
        ];
        for w in words {
            assert_eq!(americanize(w), None, "{w}");
            assert_eq!(terms(w), plain_terms(w), "{w}");
        }
    }

    #[test]
    fn ise_rule_on_real_words() {
        let changed = [
            ("organise", "organize"),
            ("realised", "realized"),
            ("recognises", "recognizes"),
            ("criminalising", "criminalizing"),
            ("victimise", "victimize"),
            ("stigmatisation", "stigmatization"),
            ("traumatised", "traumatized"),
            ("prioritisation", "prioritization"),
            ("minimise", "minimize"),
            ("maximise", "maximize"),
            ("optimise", "optimize"),
            ("authorised", "authorized"),
            ("unauthorised", "unauthorized"),
            ("categorise", "categorize"),
            ("summarised", "summarized"),
            ("characterise", "characterize"),
            ("familiarise", "familiarize"),
            ("standardised", "standardized"),
            ("jeopardise", "jeopardize"),
            ("subsidised", "subsidized"),
            ("mobilisation", "mobilization"),
            ("legalisation", "legalization"),
            ("globalisation", "globalization"),
            ("marginalised", "marginalized"),
            ("apologise", "apologize"),
            ("specialised", "specialized"),
            ("utilise", "utilize"),
            ("finalised", "finalized"),
            ("sensitisation", "sensitization"),
            ("privatisation", "privatization"),
            ("legitimise", "legitimize"),
            ("harmonisation", "harmonization"),
            ("colonise", "colonize"),
            ("modernise", "modernize"),
            ("scrutinise", "scrutinize"),
            ("penalised", "penalized"),
            ("hospitalised", "hospitalized"),
            ("institutionalised", "institutionalized"),
            ("internationalisation", "internationalization"),
            ("organisational", "organizational"),
            ("organiser", "organizer"),
            ("organisers", "organizers"),
            ("itemise", "itemize"),
            ("ionise", "ionize"),
            ("sanitised", "sanitized"),
            ("democratise", "democratize"),
            ("patronising", "patronizing"),
            ("theorise", "theorize"),
            ("memorise", "memorize"),
            ("terrorised", "terrorized"),
            ("computerised", "computerized"),
            ("recognisable", "recognizable"),
        ];
        for (uk, us) in changed {
            assert_eq!(americanize(uk).as_deref(), Some(us), "{uk}");
            assert_eq!(terms(uk), plain_terms(us), "{uk}");
        }
    }

    #[test]
    fn spelling_table_is_sorted_for_binary_search() {
        assert!(SPELLING_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn other_spelling_rules() {
        for (uk, us) in [
            ("travelled", "traveled"),
            ("traveller", "traveler"),
            ("counsellor", "counselor"),
            ("modelling", "modeling"),
            ("labelled", "labeled"),
            ("cancelled", "canceled"),
            ("panellist", "panelist"),
            ("marvellous", "marvelous"),
            ("labour", "labor"),
            ("behavioural", "behavioral"),
            ("neighbourhoods", "neighborhoods"),
            ("dishonourable", "dishonorable"),
            ("programme", "program"),
            ("offence", "offense"),
            ("fulfilment", "fulfillment"),
            ("enquiries", "inquiries"),
        ] {
            assert_eq!(americanize(uk).as_deref(), Some(us), "{uk}");
        }
        for word in ["programs", "labor", "organize", "x", "", "naïve", "über"] {
            assert_eq!(americanize(word), None, "{word}");
        }
    }

    #[test]
    fn long_form_yields_acronym_at_first_position() {
        assert_eq!(
            with_positions("trafficking in persons"),
            vec![
                ("traffick".to_string(), 0),
                ("tip".to_string(), 0),
                ("in".to_string(), 1),
                ("person".to_string(), 2),
            ]
        );
        let tip = tokens("Victims of trafficking in persons")
            .into_iter()
            .find(|t| t.text == "tip")
            .expect("tip injected");
        assert_eq!((tip.position, tip.position_length), (2, 3));
        assert_eq!((tip.offset_from, tip.offset_to), (11, 33));
    }

    #[test]
    fn acronyms_and_long_forms_share_a_term() {
        let cases = [
            ("TIP", "trafficking in persons"),
            ("SOM", "smuggling of migrants"),
            ("SOM", "migrant smuggling"),
            ("THB", "trafficking in human beings"),
            (
                "UNTOC",
                "United Nations Convention against Transnational Organized Crime",
            ),
            (
                "UNTOC",
                "United Nations Convention against Transnational Organised Crime",
            ),
            (
                "ICAT",
                "Inter-Agency Coordination Group against Trafficking in Persons",
            ),
            (
                "ICAT",
                "Inter\u{2011}agency Coordination Group against Trafficking in Persons",
            ),
            (
                "ICAT",
                "Interagency Coordination Group against Trafficking in Persons",
            ),
            (
                "GLO.ACT",
                "Global Action against Trafficking in Persons and the Smuggling of Migrants",
            ),
            (
                "GLOACT",
                "Global Action to Prevent and Address Trafficking in Persons and the Smuggling \
                 of Migrants",
            ),
            ("CSEC", "commercial sexual exploitation of children"),
            ("NRM", "National Referral Mechanism"),
            ("NRMs", "national referral mechanisms"),
        ];
        for (acronym, long) in cases {
            // The longest term is the joined form of a dotted acronym (`glo`, `gloact`, `act`).
            let acronym_terms = terms(acronym);
            let joined = acronym_terms
                .iter()
                .max_by_key(|t| t.len())
                .expect("acronym has a term")
                .clone();
            let long_tokens = tokens(long);
            let injected = long_tokens
                .iter()
                .find(|t| t.text == joined)
                .unwrap_or_else(|| panic!("{long}: no {joined} in {long_tokens:?}"));
            assert_eq!(injected.position, 0, "{long}");
        }
        for acronym in [
            "tip", "som", "thb", "untoc", "icat", "csec", "nrm", "gloact",
        ] {
            assert_eq!(terms(&acronym.to_uppercase()), vec![acronym.to_string()]);
        }
        // Nested long forms each get their acronym.
        let all =
            terms("global action against trafficking in persons and the smuggling of migrants");
        for acronym in ["gloact", "tip", "som"] {
            assert!(all.contains(&acronym.to_string()), "{acronym} in {all:?}");
        }
        // A gap (a dropped over-long token) breaks the long form.
        let gap = format!("trafficking {} in persons", "x".repeat(80));
        assert!(!terms(&gap).contains(&"tip".to_string()));
    }

    #[test]
    fn case_and_typography_fold() {
        assert_eq!(
            terms("Trafficking In Persons’ rights"),
            terms("trafficking in persons' rights")
        );
        assert_eq!(terms("“TIP” report"), terms("\"tip\" report"));
        assert_eq!(terms("Côte d’Ivoire"), terms("cote d'ivoire"));
        assert_eq!(terms("ORGANISED"), terms("organized"));
    }

    #[test]
    fn joined_parts_meet_their_solid_spelling() {
        let dotted = with_positions("GLO.ACT");
        assert_eq!(
            dotted,
            vec![
                ("glo".to_string(), 0),
                ("gloact".to_string(), 0),
                ("act".to_string(), 1),
            ]
        );
        for text in ["GLO.ACT", "glo-act", "GLOACT", "Glo\u{2011}Act"] {
            assert!(terms(text).contains(&"gloact".to_string()), "{text}");
        }
        let solid = terms("antitrafficking");
        assert_eq!(solid.len(), 1);
        assert!(terms("anti-trafficking").contains(&solid[0]));
        assert!(!terms("anti trafficking").contains(&solid[0]));
        assert_eq!(terms("anti trafficking"), plain_terms("anti trafficking"));
        assert!(terms("e-mail").contains(&"email".to_string()));
        assert_eq!(terms("e - mail"), vec!["e".to_string(), "mail".to_string()]);
        // Numbers alone are not joined; a word with a number is.
        assert_eq!(terms("3.5"), vec!["3".to_string(), "5".to_string()]);
        assert!(terms("COVID-19").contains(&"covid19".to_string()));
        // A joined British spelling is americanized like the solid one.
        assert_eq!(terms("re-organised"), terms("re-organized"));
        // Too many parts: nothing joined, not even a tail of them.
        let long_run = "a.b.c.d.e.f.g.h.i";
        assert_eq!(terms(long_run), plain_terms(long_run));
        // A run of exactly the maximum is joined.
        assert!(terms("a.b.c.d.e.f").contains(&"abcdef".to_string()));
    }

    #[test]
    fn query_alternatives_swap_long_forms_and_acronyms() {
        let tip = query_alternatives(&strings(&["traffick", "in", "person"]));
        assert!(tip.contains(&strings(&["tip"])), "{tip:?}");
        let long = query_alternatives(&strings(&["tip"]));
        assert!(
            long.contains(&strings(&["traffick", "in", "person"])),
            "{long:?}"
        );
        let inside = query_alternatives(&strings(&["child", "traffick", "in", "person", "law"]));
        assert!(
            inside.contains(&strings(&["child", "tip", "law"])),
            "{inside:?}"
        );
        assert!(query_alternatives(&strings(&["forc", "labor"])).is_empty());
        assert!(query_alternatives(&[]).is_empty());
        let icat = query_alternatives(&strings(&["icat"]));
        assert!(icat.len() >= 2, "{icat:?}");
        // The long forms offered are what the analyzer makes of the written long form.
        let untoc = query_alternatives(&strings(&["untoc"]));
        let analyzed = terms("united nations convention against transnational organized crime")
            .into_iter()
            .filter(|t| t != "untoc")
            .collect::<Vec<_>>();
        assert!(untoc.contains(&analyzed), "{untoc:?}");
    }

    #[test]
    fn query_term_sequences_cover_joined_and_acronym_forms() {
        let seqs = query_term_sequences("GLO.ACT");
        assert_eq!(seqs[0], strings(&["glo", "act"]));
        assert!(seqs.contains(&strings(&["gloact"])));
        assert!(seqs.iter().any(|s| s.len() > 5), "{seqs:?}");
        let seqs = query_term_sequences("trafficking in persons in Europe");
        assert_eq!(
            seqs[0],
            strings(&["traffick", "in", "person", "in", "europ"])
        );
        assert!(seqs.contains(&strings(&["tip", "in", "europ"])));
        assert!(query_term_sequences("").is_empty());
        assert!(query_term_sequences("?!").is_empty());
        assert_eq!(
            query_term_sequences("forced labour"),
            vec![strings(&["forc", "labor"])]
        );
    }

    /// Small deterministic generator, to avoid a dev-dependency for a fuzz-style test.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    #[test]
    fn weird_input_does_not_panic_and_positions_never_decrease() {
        let mut inputs: Vec<String> = vec![
            String::new(),
            " ".into(),
            "...---...".into(),
            "‑‑‑".into(),
            "\u{00AD}".into(),
            "x".repeat(10_000),
            format!("a-{}-b", "y".repeat(10_000)),
            "Трафик людей 人口贩卖 الاتجار بالبشر trafficking in persons".into(),
            "ﬁnance ǅ İstanbul ß ΣΑΣ".into(),
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p".into(),
            "trafficking in".into(),
            "in persons trafficking".into(),
            "TIP. TIP- -TIP .TIP".into(),
            "1.2.3 2010-2015 covid-19".into(),
            "\u{0}\u{1}\t\n\r".into(),
        ];
        let alphabet: Vec<char> = "ab.- ’é人\u{2011}TIPtraffickingpersons".chars().collect();
        let mut rng = Lcg(42);
        for _ in 0..500 {
            let len = (rng.next() % 40) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
                .collect();
            inputs.push(s);
        }
        let words = [
            "trafficking",
            "in",
            "persons",
            "glo",
            ".",
            "-",
            "act",
            " ",
            "the",
        ];
        for _ in 0..500 {
            let len = (rng.next() % 12) as usize;
            let s: String = (0..len)
                .map(|_| words[(rng.next() as usize) % words.len()])
                .collect();
            inputs.push(s);
        }
        for input in &inputs {
            let toks = tokens(input);
            for pair in toks.windows(2) {
                assert!(pair[0].position <= pair[1].position, "{input:?}: {toks:?}");
            }
            for t in &toks {
                assert!(
                    !t.text.is_empty() && t.text.len() < MAX_TOKEN_BYTES,
                    "{input:?}"
                );
                assert!(t.position_length >= 1);
                assert!(input.get(t.offset_from..t.offset_to).is_some(), "{input:?}");
            }
            let primary: Vec<String> = primary_of(&toks).into_iter().map(|t| t.text).collect();
            let _ = query_alternatives(&primary);
            let _ = query_term_sequences(input);
        }
    }

    #[test]
    fn index_finds_either_variant() {
        const NAME: &str = "test_domain";
        let mut builder = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let text = builder.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(indexing)
                .set_stored(),
        );
        let id = builder.add_u64_field("id", STORED);
        let index = Index::create_in_ram(builder.build());
        index.tokenizers().register(NAME, domain_analyzer());
        let docs = [
            "Forced labour and trafficking in persons in supply chains.",
            "The TIP report on organised crime.",
            "GLO.ACT supports anti-trafficking programmes.",
            "National referral mechanisms (NRMs) identify victims.",
            "Criminalisation of smuggling of migrants under the UNTOC.",
            "Contact us by e-mail about the GLOACT project.",
        ];
        let mut writer = index.writer(15_000_000).expect("writer");
        for (i, body) in docs.iter().enumerate() {
            writer
                .add_document(doc!(text => *body, id => i as u64))
                .expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();

        let search = |query: &dyn Query| -> Vec<u64> {
            let mut ids: Vec<u64> = searcher
                .search(query, &TopDocs::with_limit(10).order_by_score())
                .expect("search")
                .into_iter()
                .filter_map(|(_, addr)| {
                    let d: TantivyDocument = searcher.doc(addr).ok()?;
                    d.get_first(id).and_then(|v| v.as_u64())
                })
                .collect();
            ids.sort_unstable();
            ids
        };
        // The query side as a query builder would do it: each term sequence becomes a term
        // query or a phrase, ORed together.
        let query_for = |q: &str| -> BooleanQuery {
            let clauses = query_term_sequences(q)
                .into_iter()
                .map(|seq| -> (Occur, Box<dyn Query>) {
                    let terms: Vec<Term> =
                        seq.iter().map(|t| Term::from_field_text(text, t)).collect();
                    if terms.len() == 1 {
                        let term = terms.into_iter().next().expect("one term");
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                        )
                    } else {
                        (Occur::Should, Box::new(PhraseQuery::new(terms)))
                    }
                })
                .collect();
            BooleanQuery::new(clauses)
        };
        let phrase = |q: &str| -> PhraseQuery {
            let seq = query_term_sequences(q).into_iter().next().expect("terms");
            PhraseQuery::new(seq.iter().map(|t| Term::from_field_text(text, t)).collect())
        };
        let term = |q: &str| -> TermQuery {
            let t = terms(q).into_iter().next().expect("a term");
            TermQuery::new(
                Term::from_field_text(text, &t),
                IndexRecordOption::WithFreqs,
            )
        };

        assert_eq!(search(&phrase("forced labor")), vec![0]);
        assert_eq!(search(&term("TIP")), vec![0, 1]);
        assert_eq!(search(&phrase("trafficking in persons")), vec![0]);
        assert_eq!(search(&query_for("trafficking in persons")), vec![0, 1]);
        assert_eq!(search(&phrase("organized crime")), vec![1]);
        assert_eq!(search(&term("GLOACT")), vec![2, 5]);
        assert_eq!(search(&phrase("glo act")), vec![2]);
        assert_eq!(search(&query_for("glo-act")), vec![2, 5]);
        assert_eq!(search(&term("antitrafficking")), vec![2]);
        assert_eq!(search(&phrase("anti trafficking programs")), vec![2]);
        assert_eq!(search(&term("NRM")), vec![3]);
        assert_eq!(search(&phrase("national referral mechanism")), vec![3]);
        assert_eq!(search(&term("criminalization")), vec![4]);
        assert_eq!(search(&term("SOM")), vec![4]);
        assert_eq!(
            search(&query_for(
                "United Nations Convention against Transnational Organized Crime"
            )),
            vec![4]
        );
        assert_eq!(search(&term("email")), vec![5]);
    }
}
