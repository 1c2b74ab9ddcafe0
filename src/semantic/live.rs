//! The vectors a search may use: those whose documents are in the index as they were embedded.

use super::vectors::{fingerprint, signature, Group, VectorStore};
use crate::error::Result;
use crate::store::Store;
use std::collections::HashMap;
use std::path::Path;
use tantivy::Searcher;

/// Vectors of the documents a searcher sees, each matching the document's current text.
#[derive(Debug, Default)]
pub struct LiveVectors {
    /// By document key.
    pub groups: HashMap<u64, Group>,
    /// Documents in the index.
    pub documents: usize,
    /// The fingerprint of the searcher these were checked against.
    pub fingerprint: u64,
}

impl LiveVectors {
    /// Read and check `index_dir`'s vectors against what `searcher` sees. When the last
    /// embedding run was level with this very index state, no record is read; otherwise each
    /// group is checked against its document's record (a lexical run since then).
    pub fn load(index_dir: &Path, store: &Store, searcher: &Searcher) -> Result<LiveVectors> {
        let stored = VectorStore::load(index_dir)?;
        let print = fingerprint(searcher);
        let (documents, _) = store.counts(searcher)?;
        let mut groups = stored.groups;
        if VectorStore::synced(index_dir) != Some(print) {
            let current: HashMap<u64, u64> = store
                .all_summaries(searcher)?
                .into_iter()
                .map(|s| (s.key, signature(&s.hash, s.extractor)))
                .collect();
            groups.retain(|k, g| current.get(k) == Some(&g.signature));
        }
        Ok(LiveVectors {
            groups,
            documents: documents as usize,
            fingerprint: print,
        })
    }

    /// Every live document's best passage by dot product with `query`: (key, score, ordinal).
    pub fn best_per_document(&self, query: &[f32]) -> Vec<(u64, f32, u32)> {
        self.groups
            .values()
            .filter_map(|g| {
                g.passages
                    .iter()
                    .map(|p| (p.dot(query), p.ordinal))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(s, o)| (g.key, s, o))
            })
            .collect()
    }
}

/// How much of an index has vectors (for `tipdex status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Whether semantic search is turned on for the index.
    pub enabled: bool,
    /// Documents in the index.
    pub documents: usize,
    /// Of them, documents whose vectors match their current text.
    pub embedded_documents: usize,
    /// Passage vectors those documents have.
    pub embedded_passages: usize,
}

/// The coverage of `index_dir`'s vectors.
pub fn coverage(index_dir: &Path, store: &Store, searcher: &Searcher) -> Result<Coverage> {
    if !VectorStore::enabled(index_dir) {
        return Ok(Coverage::default());
    }
    let live = LiveVectors::load(index_dir, store, searcher)?;
    Ok(Coverage {
        enabled: true,
        documents: live.documents,
        embedded_documents: live.groups.len(),
        embedded_passages: live.groups.values().map(|g| g.passages.len()).sum(),
    })
}
