//! The vectors a search may use: those whose documents are in the index as they were embedded.

use super::scan::Layout;
use super::vectors::{fingerprint, signature, VectorStore};
use crate::error::Result;
use crate::record::KeyMap;
use crate::store::Store;
use std::path::Path;
use tantivy::Searcher;

/// Vectors of the documents a searcher sees, each matching the document's current text.
#[derive(Debug, Default)]
pub struct LiveVectors {
    /// Their vectors, laid out for scanning.
    pub layout: Layout,
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
        let print = fingerprint(searcher);
        let (documents, _) = store.counts(searcher)?;
        let current: Option<KeyMap<u64>> = if VectorStore::synced(index_dir) != Some(print) {
            Some(
                store
                    .all_summaries(searcher)?
                    .into_iter()
                    .map(|s| (s.key, signature(&s.hash, s.extractor)))
                    .collect(),
            )
        } else {
            None
        };
        let layout = Layout::open(index_dir, |key, signature| {
            current
                .as_ref()
                .is_none_or(|c| c.get(&key) == Some(&signature))
        })?;
        Ok(LiveVectors {
            layout,
            documents: documents as usize,
            fingerprint: print,
        })
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
        embedded_documents: live.layout.documents(),
        embedded_passages: live.layout.vectors(),
    })
}
