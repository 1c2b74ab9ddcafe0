//! The shown page of a fused ranking: the first `limit` documents, best first, with reprints
//! arranged as [`super::arrange_copies`] arranges a sorted list, sorting only what can reach
//! the page.
//!
//! Why: hybrid and semantic searches rank every lexical match and every document with
//! vectors (thousands for a common word), and sorting all of them, then collapsing reprint
//! groups over all of them, was most of fusion's ~1 ms per query (BENCHMARKS.md, issue 22,
//! sixth pass), for a page of ten.

use std::cmp::Ordering;

use super::group::DocHit;
use crate::reprints::Groups;

/// The ranking's order: score, best first, then key (keys are unique, so it is total).
fn ranked(a: &DocHit, b: &DocHit) -> Ordering {
    b.score.total_cmp(&a.score).then(a.key.cmp(&b.key))
}

/// The first `limit` of `docs` once sorted by score (then key) and arranged by
/// [`super::arrange_copies`], and the number of distinct texts among all of `docs`: the same
/// as sorting and arranging the whole list, then truncating it.
pub(super) fn first_page(
    mut docs: Vec<DocHit>,
    reprints: &Groups,
    all_copies: bool,
    limit: usize,
) -> (Vec<DocHit>, usize) {
    let distinct = distinct_texts(&docs, reprints);
    // The sorted list's first k documents hold its first reprint groups in order (a group's
    // place is its best member's), so the page is decided once k documents hold `limit`
    // groups; reprints can collapse many, so k doubles until then.
    let mut k = limit.max(1);
    let groups = loop {
        let whole = k >= docs.len();
        let mut prefix: Vec<DocHit> = if whole {
            docs.clone()
        } else {
            docs.select_nth_unstable_by(k - 1, ranked);
            docs[..k].to_vec()
        };
        prefix.sort_unstable_by(ranked);
        let groups = super::one_per_group(prefix, reprints);
        if whole || groups.len() >= limit {
            break groups;
        }
        k = k.saturating_mul(2);
    };
    let bests = groups.into_iter().take(limit).map(|(best, _)| best);
    if !all_copies || reprints.is_empty() {
        return (bests.collect(), distinct);
    }
    // Every copy right after its group's best, the copies ranked: copies can rank anywhere
    // below it, so they are gathered from the whole list (the first `limit` groups suffice,
    // each giving at least one document to the page).
    let bests: Vec<DocHit> = bests.collect();
    let mut copies: std::collections::HashMap<u32, Vec<DocHit>> = bests
        .iter()
        .filter_map(|b| reprints.group(b.key))
        .map(|g| (g, Vec::new()))
        .collect();
    for d in &docs {
        if let Some(members) = reprints.group(d.key).and_then(|g| copies.get_mut(&g)) {
            members.push(*d);
        }
    }
    let mut page = Vec::with_capacity(limit);
    for best in bests {
        let group = reprints.group(best.key).and_then(|g| copies.get_mut(&g));
        page.push(best);
        if let Some(members) = group {
            members.sort_unstable_by(ranked);
            page.extend(members.iter().filter(|d| d.key != best.key));
        }
        if page.len() >= limit {
            break;
        }
    }
    page.truncate(limit);
    (page, distinct)
}

/// Distinct texts among `docs`: each reprint group once, every other document once.
fn distinct_texts(docs: &[DocHit], reprints: &Groups) -> usize {
    if reprints.is_empty() {
        return docs.len();
    }
    let mut seen = std::collections::HashSet::new();
    docs.iter()
        .filter(|d| reprints.group(d.key).is_none_or(|g| seen.insert(g)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::DocAddress;

    /// A deterministic spread of numbers (no test should depend on a seed it cannot show).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below
        }
    }

    fn hit(key: u64, score: f32) -> DocHit {
        DocHit {
            key,
            score,
            best_score: score,
            best: DocAddress::new(0, key as u32),
            matches: 1,
        }
    }

    /// The whole list sorted and arranged, then cut: what the page must equal.
    fn reference(
        docs: &[DocHit],
        reprints: &Groups,
        all_copies: bool,
        limit: usize,
    ) -> (Vec<DocHit>, usize) {
        let mut sorted = docs.to_vec();
        sorted.sort_by(ranked);
        let (mut arranged, distinct) = super::super::arrange_copies(sorted, reprints, all_copies);
        arranged.truncate(limit);
        (arranged, distinct)
    }

    #[test]
    fn the_page_is_the_sorted_arranged_list_cut_at_the_limit() {
        let mut rng = Lcg(7);
        for round in 0..200 {
            let n = rng.next(300) as usize;
            // Few distinct scores, so ties (broken by key) are common.
            let docs: Vec<DocHit> = (0..n as u64)
                .map(|k| hit(k * 7 + 3, rng.next(40) as f32 / 4.0))
                .collect();
            // Groups of 2–30 members over a share of the documents, some members absent.
            let mut groups: Vec<Vec<u64>> = Vec::new();
            let mut key = 0u64;
            while key < n as u64 * 7 + 50 && round % 5 != 0 {
                let size = 2 + rng.next(if round % 3 == 0 { 30 } else { 4 });
                let members: Vec<u64> = (0..size).map(|i| key + i * 7 + 3).collect();
                key += size * 7 + rng.next(5) * 7;
                groups.push(members);
            }
            let reprints = Groups::new(groups);
            for all_copies in [false, true] {
                for limit in [0, 1, 2, 3, 10, 25, 400] {
                    let want = reference(&docs, &reprints, all_copies, limit);
                    let got = first_page(docs.clone(), &reprints, all_copies, limit);
                    assert_eq!(
                        got, want,
                        "round {round}, {n} documents, limit {limit}, all copies {all_copies}"
                    );
                }
            }
        }
    }
}
