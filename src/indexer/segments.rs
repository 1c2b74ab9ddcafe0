//! The segments of a build from an empty index: none merged while it runs, then one merge per
//! core at the end, side by side.
//!
//! Every commit flushes a segment per indexing thread, and tantivy's default policy merges them
//! as they pile up: a large build rewrites the same postings several times, and a small one ends
//! with every segment merged into one on a single thread while the other cores wait (2.5 s of a
//! 20,000-document build). A build from empty knows all its segments are its own, so it merges
//! nothing until its last commit and then merges them into one segment per core, all at once.
//! Searches give each segment a thread (`Store::search_executor`), so one segment per core is
//! also what a query wants. An incremental run keeps tantivy's policy: it adds few segments.

use std::num::NonZeroUsize;

use tantivy::indexer::NoMergePolicy;
use tantivy::IndexWriter;

use crate::error::Result;
use crate::store::Store;

/// No merges while the build runs (explicit ones, [`merge_per_core`], still happen).
pub(super) fn hold_merges(writer: &IndexWriter) {
    writer.set_merge_policy(Box::new(NoMergePolicy));
}

/// Merge the committed segments into one per core, the merges running at once, and wait for
/// them. Each merge commits itself (the last commit's payload kept), so a run killed meanwhile
/// leaves the last commit as it was.
pub(super) fn merge_per_core(store: &Store, writer: &mut IndexWriter) -> Result<()> {
    let segments: Vec<_> = store
        .index
        .searchable_segment_metas()?
        .iter()
        .map(|meta| (meta.id(), meta.num_docs()))
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let merges: Vec<_> = groups(&segments, cores)
        .into_iter()
        .filter(|group| group.len() > 1)
        .map(|group| writer.merge(&group))
        .collect();
    for merge in merges {
        merge.wait()?;
    }
    Ok(())
}

/// `segments` (id, documents) in at most `parts` groups of about equal documents, so merges
/// running side by side finish together: the largest segment first, each into the lightest group.
fn groups<T: Copy>(segments: &[(T, u32)], parts: usize) -> Vec<Vec<T>> {
    let mut by_size: Vec<(T, u32)> = segments.to_vec();
    by_size.sort_by_key(|&(_, docs)| std::cmp::Reverse(docs));
    let mut groups: Vec<(u64, Vec<T>)> =
        vec![(0, Vec::new()); parts.clamp(1, segments.len().max(1))];
    for (id, docs) in by_size {
        let lightest = groups
            .iter_mut()
            .min_by_key(|(total, _)| *total)
            .expect("at least one group");
        lightest.0 += u64::from(docs);
        lightest.1.push(id);
    }
    groups
        .into_iter()
        .map(|(_, ids)| ids)
        .filter(|ids| !ids.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::groups;

    #[test]
    fn segments_are_shared_out_by_documents() {
        let segments = [(1, 900), (2, 500), (3, 400), (4, 300), (5, 100)];
        let mut got = groups(&segments, 2);
        got.iter_mut().for_each(|g| g.sort_unstable());
        got.sort();
        // 900 + 300 = 1200 beside 500 + 400 + 100 = 1000.
        assert_eq!(got, vec![vec![1, 4], vec![2, 3, 5]]);
    }

    #[test]
    fn fewer_segments_than_cores_stay_apart() {
        assert_eq!(groups(&[(7, 10), (8, 20)], 4).len(), 2);
        assert_eq!(groups(&[(7, 10)], 2), vec![vec![7]]);
        assert!(groups::<u8>(&[], 2).is_empty());
        assert_eq!(groups(&[(1, 5), (2, 5), (3, 5)], 1), vec![vec![1, 2, 3]]);
    }
}
