//! The fetch step: the shown documents' records and passages read from the store, and the
//! passages highlighted. Nothing else of a search reads stored text.

use std::time::Instant;

use tantivy::{Searcher, TantivyDocument};

use super::group::{DocHit, Group, KeyMap};
use super::{PassageHit, Phases, SearchHit};
use crate::error::Result;
use crate::highlight::{highlight, Pattern};
use crate::index_doc::{read_passage, StoredPassage};
use crate::schema::{self, analyze};
use crate::store::Store;

/// The hits for the `ranked` documents: each document's record and its best `passages` (from
/// `shown` when pass 2 ran, else the best passage pass 1 kept), highlighted with `patterns`.
/// Unscored queries show scores of 0. Returns the time spent fetching and highlighting.
pub(super) fn hits(
    store: &Store,
    searcher: &Searcher,
    ranked: Vec<DocHit>,
    shown: &KeyMap<Group>,
    passages: usize,
    patterns: &[Pattern],
    scored: bool,
) -> Result<(Vec<SearchHit>, Phases)> {
    let mut analyzer = schema::analyzer();
    let mut phases = Phases::default();
    let mut hits = Vec::with_capacity(ranked.len());
    for doc in ranked {
        let fetch_started = Instant::now();
        let Some(record) = store.record_by_key(searcher, doc.key)? else {
            continue;
        };
        let best = match shown.get(&doc.key) {
            Some(group) => group.best.clone(),
            None => vec![(doc.best_score, doc.best)],
        };
        let mut shown_passages = Vec::with_capacity(passages);
        for (score, addr) in best.iter().take(passages) {
            let stored: TantivyDocument = searcher.doc(*addr)?;
            let StoredPassage { place, text } = read_passage(&store.fields, &stored, &record.id)?;
            let highlight_started = Instant::now();
            let tokens: Vec<_> = analyze(&mut analyzer, &text)
                .into_iter()
                .map(|t| (t.range, t.term, t.position))
                .collect();
            let highlights = highlight(&tokens, patterns);
            phases.highlighting += highlight_started.elapsed();
            shown_passages.push(PassageHit {
                ordinal: place.ordinal as u32,
                start: place.start,
                page: place.page,
                end: place.end,
                highlights,
                score: if scored { *score } else { 0.0 },
                text,
            });
        }
        phases.fetching += fetch_started.elapsed();
        hits.push(SearchHit {
            record,
            score: if scored { doc.score } else { 0.0 },
            matching_passages: doc.matches,
            passages: shown_passages,
            copies: Vec::new(),
        });
    }
    phases.fetching = phases.fetching.saturating_sub(phases.highlighting);
    Ok((hits, phases))
}
