//! Acronyms: a known long form (`trafficking in persons`) also yields its acronym (`tip`).

use std::collections::VecDeque;
use std::sync::{LazyLock, OnceLock};

use rustc_hash::FxHashSet;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::analyzer;
use super::stream::{collect_tokens, primary_of, Buffered, Fill, Filled, Queue};

/// Long forms and their acronyms as they are written; their analyzed forms are computed once
/// with the analyzer itself, so the table can never drift from the stemmer's output.
pub(super) const LONG_FORMS: &[(&str, &str)] = &[
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

pub(super) struct LongForm {
    /// The acronym's analyzed form.
    pub(super) acronym: String,
    /// The long form's analyzed terms, one per position.
    pub(super) stems: Vec<String>,
}

pub(super) struct AcronymTable {
    pub(super) forms: Vec<LongForm>,
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

pub(super) fn acronym_table() -> &'static AcronymTable {
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
pub(super) struct Acronyms {
    pub(super) table: &'static AcronymTable,
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
pub(super) struct AcronymsFilter<T> {
    table: &'static AcronymTable,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for AcronymsFilter<T> {
    type TokenStream<'a> = Buffered<T::TokenStream<'a>, AcronymsFill>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        let fill = AcronymsFill {
            table: self.table,
            window: VecDeque::new(),
            exhausted: false,
        };
        Buffered::new(self.inner.token_stream(text), fill)
    }
}

/// The acronym filter's own state.
pub(super) struct AcronymsFill {
    table: &'static AcronymTable,
    /// Upstream tokens read ahead; at most the tokens of `max_len + 1` positions.
    window: VecDeque<Token>,
    exhausted: bool,
}

impl AcronymsFill {
    fn pull<T: TokenStream>(&mut self, upstream: &mut T, queue: &mut Queue) -> bool {
        if self.exhausted {
            return false;
        }
        if !upstream.advance() {
            self.exhausted = true;
            return false;
        }
        let mut token = queue.copy(upstream.token());
        self.fold_plural(&mut token);
        self.window.push_back(token);
        true
    }

    /// An acronym's plural (`nrms`, which the stemmer leaves alone) becomes the acronym.
    fn fold_plural(&self, token: &mut Token) {
        if let Some(stripped) = token.text.strip_suffix('s') {
            if self.table.acronyms.contains(stripped) {
                token.text.truncate(stripped.len());
            }
        }
    }

    fn back_position_is(&self, pred: impl Fn(usize) -> bool) -> bool {
        self.window.back().is_some_and(|t| pred(t.position))
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

impl<T: TokenStream> Fill<T> for AcronymsFill {
    fn fill(&mut self, upstream: &mut T, queue: &mut Queue) -> Filled {
        if self.window.is_empty() {
            if self.exhausted || !upstream.advance() {
                self.exhausted = true;
                return Filled::Queued;
            }
            let token = upstream.token_mut();
            self.fold_plural(token);
            // A word that starts no long form goes out at once. A later word at its position
            // (a joined form) may still start one: the window then begins with that word, and
            // the acronym still follows every word of the position, as it would have.
            if !self.table.first_stems.contains(&token.text) {
                return Filled::Upstream;
            }
            let token = queue.copy(token);
            self.window.push_back(token);
        }
        let Some(p) = self.window.front().map(|t| t.position) else {
            return Filled::Queued;
        };
        // Read the whole group of tokens at position `p` (the word and its injected siblings).
        while self.back_position_is(|q| q == p) && self.pull(upstream, queue) {}
        let group = self.window.iter().take_while(|t| t.position == p).count();
        let starts = self
            .window
            .iter()
            .take(group)
            .any(|t| self.table.first_stems.contains(&t.text));
        let mut found: Vec<Token> = Vec::new();
        if starts {
            let horizon = p.saturating_add(self.table.max_len);
            while self.back_position_is(|q| q < horizon) && self.pull(upstream, queue) {}
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
                queue.push(t);
            }
        }
        for t in found {
            queue.push(t);
        }
        // Words read ahead that start no long form go out now, so the window empties and the
        // words after them pass through again. A later word at the same position as the last
        // of them (a joined form) is read into the window if it starts a long form, whose
        // acronym then still follows every word of that position.
        while self
            .window
            .front()
            .is_some_and(|t| !self.table.first_stems.contains(&t.text))
        {
            if let Some(t) = self.window.pop_front() {
                queue.push(t);
            }
        }
        Filled::Queued
    }
}
