//! How segments are merged while a build from empty writes them.
//!
//! tantivy's default policy merges 8 segments of one size level into one, so at 20,000 documents
//! the build ended with every segment merged into one on a single thread, and at 100,000 a
//! merge of eight large segments could run at the end. A build from empty merges in levels of
//! four instead, as segments appear (the merges overlap the writing of later ones), and leaves
//! a segment alone once it holds [`MAX_DOCS_MERGED`] entries: no merge reads more than four such
//! segments, so its memory and the free disk it needs (its output) stay bounded whatever the
//! collection's size. An incremental run keeps tantivy's policy.

use tantivy::indexer::LogMergePolicy;

/// Segments merged at once, within one size level.
const SEGMENTS_PER_MERGE: usize = 4;

/// Entries (records and passages) past which a segment is not merged again: about 230 MB of
/// index, so a merge writes at most ~0.9 GB.
const MAX_DOCS_MERGED: usize = 300_000;

/// The merge policy of a build into an empty index.
pub(crate) fn building_from_empty() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_min_num_segments(SEGMENTS_PER_MERGE);
    policy.set_max_docs_before_merge(MAX_DOCS_MERGED);
    policy
}
