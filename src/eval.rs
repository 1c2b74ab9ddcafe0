//! Retrieval metrics with BEIR's conventions, so scores on public test collections can be
//! compared with published numbers.
//!
//! BEIR computes its metrics with `pytrec_eval`: nDCG uses the raw grade as gain and
//! `log2(rank + 1)` as discount, the ideal ranking comes from the judgments, and a run is a
//! mapping from document to score, so a document can be ranked only once. Ranked lists here
//! are plain vectors, so later occurrences of a document are ignored to keep those semantics.
//! Collections judged on a graded scale (0/1/2) usually score nDCG with an exponential gain
//! (`2^grade - 1`, as `trec_eval -m ndcg` with gains and the tip-dev checker do): [`Gain`] picks.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Relevance judgments: query id → document id → grade (0 = not relevant).
pub type Qrels = HashMap<String, HashMap<String, u32>>;

/// The first `k` distinct documents of a ranking, with their 1-based ranks.
fn top_k_distinct(ranked: &[String], k: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut seen = HashSet::new();
    ranked
        .iter()
        .map(String::as_str)
        .filter(move |d| seen.insert(*d))
        .take(k)
        .enumerate()
        .map(|(i, d)| (i + 1, d))
}

/// How a grade becomes a gain in nDCG.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Gain {
    /// The grade itself (BEIR / `pytrec_eval`).
    #[default]
    Grade,
    /// `2^grade - 1`, which rewards a highly relevant document more than two partial ones.
    Exponential,
}

impl Gain {
    fn of(self, grade: u32) -> f64 {
        match self {
            Gain::Grade => f64::from(grade),
            Gain::Exponential => 2f64.powi(grade.min(60) as i32) - 1.0,
        }
    }
}

fn discount(rank: usize) -> f64 {
    ((rank + 1) as f64).log2()
}

/// nDCG@k for one ranked list, the grades turned into gains by `gain` (log2(rank+1) discount;
/// ideal from the judgments; queries with no relevant document are skipped by the caller).
///
/// Returns 0 when the judgments hold no relevant document or `k` is 0.
pub(crate) fn ndcg_at_k_with(
    ranked: &[String],
    judged: &HashMap<String, u32>,
    k: usize,
    gain: Gain,
) -> f64 {
    let dcg: f64 = top_k_distinct(ranked, k)
        .map(|(rank, d)| gain.of(judged.get(d).copied().unwrap_or(0)) / discount(rank))
        .sum();
    let mut grades: Vec<u32> = judged.values().copied().filter(|&g| g > 0).collect();
    grades.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = grades
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &g)| gain.of(g) / discount(i + 1))
        .sum();
    if idcg > 0.0 {
        dcg / idcg
    } else {
        0.0
    }
}

/// Recall@k: the fraction of relevant (grade > 0) documents found in the top `k`.
///
/// Returns 0 when the judgments hold no relevant document.
pub(crate) fn recall_at_k(ranked: &[String], judged: &HashMap<String, u32>, k: usize) -> f64 {
    let relevant = judged.values().filter(|&&g| g > 0).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = top_k_distinct(ranked, k)
        .filter(|(_, d)| judged.get(*d).is_some_and(|&g| g > 0))
        .count();
    found as f64 / relevant as f64
}

/// Judged@k: the share of the top `k` documents that were judged at all (grade 0 included), so a
/// drop in nDCG can be told from a ranking that meets documents nobody read.
///
/// Returns 0 for an empty ranking.
pub(crate) fn judged_at_k(ranked: &[String], judged: &HashMap<String, u32>, k: usize) -> f64 {
    let (mut shown, mut known) = (0usize, 0usize);
    for (_, d) in top_k_distinct(ranked, k) {
        shown += 1;
        known += usize::from(judged.contains_key(d));
    }
    if shown == 0 {
        0.0
    } else {
        known as f64 / shown as f64
    }
}

/// MRR@k for one query: 1/rank of the first relevant (grade > 0) document within the top `k`,
/// else 0.
pub(crate) fn mrr_at_k(ranked: &[String], judged: &HashMap<String, u32>, k: usize) -> f64 {
    top_k_distinct(ranked, k)
        .find(|(_, d)| judged.get(*d).is_some_and(|&g| g > 0))
        .map_or(0.0, |(rank, _)| 1.0 / rank as f64)
}

/// Mean of each metric over the queries that have at least one relevant document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Mean nDCG@10.
    pub ndcg_at_10: f64,
    /// Mean recall@100.
    pub recall_at_100: f64,
    /// Mean MRR@10.
    pub mrr_at_10: f64,
    /// Mean judged@10 (see [`judged_at_k`]).
    pub judged_at_10: f64,
    /// Number of queries averaged over.
    pub queries: usize,
}

/// Scores a set of runs (query id → ranked document ids) against judgments, with nDCG's
/// grade-to-gain mapping `gain`.
///
/// A judged query missing from `runs` counts as 0 on every metric, so a search that returns
/// nothing cannot raise the mean (`pytrec_eval`, and hence BEIR, would leave it out instead).
/// Runs for queries without any relevant judgment are ignored. All zeros when no query
/// qualifies.
pub fn evaluate_with(runs: &HashMap<String, Vec<String>>, qrels: &Qrels, gain: Gain) -> Scores {
    let mut sum = Scores::default();
    for (query, judged) in qrels {
        if !judged.values().any(|&g| g > 0) {
            continue;
        }
        let ranked = runs.get(query).map_or(&[][..], Vec::as_slice);
        sum.ndcg_at_10 += ndcg_at_k_with(ranked, judged, 10, gain);
        sum.recall_at_100 += recall_at_k(ranked, judged, 100);
        sum.mrr_at_10 += mrr_at_k(ranked, judged, 10);
        sum.judged_at_10 += judged_at_k(ranked, judged, 10);
        sum.queries += 1;
    }
    if sum.queries == 0 {
        return Scores::default();
    }
    let n = sum.queries as f64;
    Scores {
        ndcg_at_10: sum.ndcg_at_10 / n,
        recall_at_100: sum.recall_at_100 / n,
        mrr_at_10: sum.mrr_at_10 / n,
        judged_at_10: sum.judged_at_10 / n,
        queries: sum.queries,
    }
}

/// Parse a BEIR qrels TSV (header line "query-id\tcorpus-id\tscore" optional), Err(line-numbered
/// message) on malformed lines.
///
/// Blank lines are skipped and a byte-order mark or CRLF line ends are tolerated. Negative
/// grades mean "not relevant" as in trec_eval and are stored as 0; when a pair is judged
/// twice, the higher grade wins.
pub fn parse_qrels(tsv: &str) -> Result<Qrels, String> {
    let tsv = tsv.strip_prefix('\u{feff}').unwrap_or(tsv);
    let mut qrels = Qrels::new();
    let mut first_content = true;
    for (i, raw) in tsv.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let is_first = std::mem::replace(&mut first_content, false);
        if is_first
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("query-id"))
        {
            continue;
        }
        let [query, doc, grade] = fields.as_slice() else {
            return Err(format!(
                "line {line_no}: expected 3 tab-separated fields (query-id, corpus-id, score), \
                 found {}",
                fields.len()
            ));
        };
        if query.is_empty() || doc.is_empty() {
            return Err(format!("line {line_no}: empty query or corpus id"));
        }
        let grade = parse_grade(grade)
            .ok_or_else(|| format!("line {line_no}: score {grade:?} is not an integer"))?;
        let slot = qrels
            .entry((*query).to_string())
            .or_default()
            .entry((*doc).to_string())
            .or_insert(0);
        *slot = (*slot).max(grade);
    }
    Ok(qrels)
}

/// An integer grade, also written as `1.0`; negatives become 0.
fn parse_grade(s: &str) -> Option<u32> {
    let value = match s.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            let f = s.parse::<f64>().ok()?;
            if !f.is_finite() || f.fract() != 0.0 || f.abs() > 1e15 {
                return None;
            }
            f as i64
        }
    };
    Some(u32::try_from(value.max(0)).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// nDCG@k with graded gains (gain = grade), the form most checks below use.
    fn ndcg_at_k(ranked: &[String], judged: &HashMap<String, u32>, k: usize) -> f64 {
        ndcg_at_k_with(ranked, judged, k, Gain::Grade)
    }

    fn ranked(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ndcg_binary() {
        // DCG = 1/log2(2) + 0 + 1/log2(4) = 1 + 0.5 = 1.5
        // IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.6309298 = 1.6309298
        // nDCG = 1.5 / 1.6309298 = 0.9197207
        let r = ranked(&["d1", "d2", "d3"]);
        let j = judged(&[("d1", 1), ("d3", 1)]);
        let expected = 1.5 / (1.0 + 1.0 / 3f64.log2());
        assert!(close(ndcg_at_k(&r, &j, 10), expected));
        assert!((ndcg_at_k(&r, &j, 10) - 0.91972).abs() < 1e-5);
        // Perfect ranking.
        assert!(close(ndcg_at_k(&ranked(&["d1", "d3", "d2"]), &j, 10), 1.0));
    }

    #[test]
    fn ndcg_graded() {
        // ranked [a, b, c], grades a:1, b:2, c:0, d:3 (d not retrieved)
        // DCG = 1/1 + 2/log2(3) + 0 = 1 + 1.2618595 = 2.2618595   (raw grades, not 2^g - 1)
        // ideal order d:3, b:2, a:1: IDCG = 3/1 + 2/log2(3) + 1/log2(4) = 3 + 1.2618595 + 0.5
        //   = 4.7618595
        let r = ranked(&["a", "b", "c"]);
        let j = judged(&[("a", 1), ("b", 2), ("c", 0), ("d", 3)]);
        let dcg = 1.0 + 2.0 / 3f64.log2();
        let idcg = 3.0 + 2.0 / 3f64.log2() + 0.5;
        assert!(close(ndcg_at_k(&r, &j, 10), dcg / idcg));
        // k = 2: DCG = 1 + 2/log2(3); IDCG = 3 + 2/log2(3) (ideal also cut at 2).
        let idcg2 = 3.0 + 2.0 / 3f64.log2();
        assert!(close(ndcg_at_k(&r, &j, 2), dcg / idcg2));
        // k = 1: DCG = 1; IDCG = 3.
        assert!(close(ndcg_at_k(&r, &j, 1), 1.0 / 3.0));
    }

    #[test]
    fn ndcg_exponential_gain() {
        // ranked [a, b], grades a:1, b:2, c:2 (not retrieved); gains 2^g - 1: a 1, b 3, c 3.
        // DCG = 1/1 + 3/log2(3); IDCG = 3/1 + 3/log2(3) + 1/log2(4).
        let r = ranked(&["a", "b"]);
        let j = judged(&[("a", 1), ("b", 2), ("c", 2)]);
        let dcg = 1.0 + 3.0 / 3f64.log2();
        let idcg = 3.0 + 3.0 / 3f64.log2() + 0.5;
        assert!(close(
            ndcg_at_k_with(&r, &j, 10, Gain::Exponential),
            dcg / idcg
        ));
        // Binary grades: both gains agree.
        let b = judged(&[("a", 1), ("c", 1)]);
        assert!(close(
            ndcg_at_k_with(&r, &b, 10, Gain::Exponential),
            ndcg_at_k(&r, &b, 10)
        ));
    }

    #[test]
    fn judged_share_of_the_top() {
        let j = judged(&[("a", 1), ("z", 0)]);
        // a and z were judged, x and y not: 2 of 4.
        assert!(close(
            judged_at_k(&ranked(&["a", "x", "z", "y"]), &j, 10),
            0.5
        ));
        assert!(close(judged_at_k(&ranked(&["a", "x", "z"]), &j, 1), 1.0));
        assert!(close(judged_at_k(&[], &j, 10), 0.0));
    }

    #[test]
    fn ndcg_cutoff_and_edges() {
        let j = judged(&[("d1", 1)]);
        // Relevant document at rank 3: DCG = 1/log2(4) = 0.5, IDCG = 1.
        let r = ranked(&["x", "y", "d1"]);
        assert!(close(ndcg_at_k(&r, &j, 3), 0.5));
        // Outside the cut-off.
        assert!(close(ndcg_at_k(&r, &j, 2), 0.0));
        assert!(close(ndcg_at_k(&r, &j, 0), 0.0));
        assert!(close(ndcg_at_k(&[], &j, 10), 0.0));
        // No relevant judgment at all.
        assert!(close(ndcg_at_k(&r, &judged(&[("x", 0)]), 10), 0.0));
        assert!(close(ndcg_at_k(&r, &HashMap::new(), 10), 0.0));
        // All retrieved documents irrelevant.
        assert!(close(ndcg_at_k(&ranked(&["x", "y"]), &j, 10), 0.0));
    }

    #[test]
    fn duplicates_count_once() {
        // [d1, d1, d3]: the second d1 is dropped, so d3 is at rank 2.
        // DCG = 1 + 1/log2(3) = IDCG → 1.0. Counting d1 twice would exceed 1.
        let j = judged(&[("d1", 1), ("d3", 1)]);
        let r = ranked(&["d1", "d1", "d3"]);
        assert!(close(ndcg_at_k(&r, &j, 10), 1.0));
        // The duplicate does not use up a slot of the cut-off either.
        assert!(close(recall_at_k(&r, &j, 2), 1.0));
        assert!(close(mrr_at_k(&ranked(&["x", "x", "d3"]), &j, 2), 0.5));
    }

    #[test]
    fn recall_cases() {
        let j = judged(&[("a", 1), ("b", 2), ("c", 1), ("z", 0)]);
        // 3 relevant; top 2 of [a, z, b] = {a, z} → 1 of 3.
        assert!(close(
            recall_at_k(&ranked(&["a", "z", "b"]), &j, 2),
            1.0 / 3.0
        ));
        // top 3 → {a, z, b} → 2 of 3.
        assert!(close(
            recall_at_k(&ranked(&["a", "z", "b"]), &j, 3),
            2.0 / 3.0
        ));
        assert!(close(recall_at_k(&ranked(&["c", "b", "a"]), &j, 100), 1.0));
        assert!(close(recall_at_k(&[], &j, 100), 0.0));
        assert!(close(recall_at_k(&ranked(&["a"]), &j, 0), 0.0));
        assert!(close(
            recall_at_k(&ranked(&["a"]), &judged(&[("a", 0)]), 10),
            0.0
        ));
    }

    #[test]
    fn mrr_cases() {
        let j = judged(&[("a", 1), ("b", 0)]);
        assert!(close(mrr_at_k(&ranked(&["a", "b"]), &j, 10), 1.0));
        // First relevant at rank 3 → 1/3.
        assert!(close(
            mrr_at_k(&ranked(&["b", "x", "a"]), &j, 10),
            1.0 / 3.0
        ));
        // Beyond k.
        assert!(close(mrr_at_k(&ranked(&["b", "x", "a"]), &j, 2), 0.0));
        // Grade 0 is not relevant.
        assert!(close(mrr_at_k(&ranked(&["b"]), &j, 10), 0.0));
        assert!(close(mrr_at_k(&[], &j, 10), 0.0));
    }

    #[test]
    fn evaluate_averages_with_missing_run() {
        let qrels: Qrels = [
            ("q1".to_string(), judged(&[("d1", 1), ("d3", 1)])),
            ("q2".to_string(), judged(&[("d9", 2)])),
            // No relevant document: skipped entirely.
            ("q3".to_string(), judged(&[("d5", 0)])),
        ]
        .into_iter()
        .collect();
        let runs: HashMap<String, Vec<String>> = [
            ("q1".to_string(), ranked(&["d1", "d2", "d3"])),
            ("q3".to_string(), ranked(&["d5"])),
            // A run for an unjudged query is ignored.
            ("q4".to_string(), ranked(&["d1"])),
        ]
        .into_iter()
        .collect();
        // q1: nDCG = 0.9197207 (see ndcg_binary), recall = 1, MRR = 1; q2 missing: all 0.
        let s = evaluate_with(&runs, &qrels, Gain::Grade);
        assert_eq!(s.queries, 2);
        let ndcg_q1 = 1.5 / (1.0 + 1.0 / 3f64.log2());
        assert!(close(s.ndcg_at_10, ndcg_q1 / 2.0));
        assert!(close(s.recall_at_100, 0.5));
        assert!(close(s.mrr_at_10, 0.5));
        // q1's three documents: d1 and d3 judged, d2 not; q2 has no run.
        assert!(close(s.judged_at_10, (2.0 / 3.0) / 2.0));
        assert_eq!(
            evaluate_with(&HashMap::new(), &Qrels::new(), Gain::Grade),
            Scores::default()
        );
    }

    #[test]
    fn parse_qrels_valid() {
        let q = parse_qrels("query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\nq1\td2\t0\n\nq2\td1\t2\n")
            .expect("valid");
        assert_eq!(q.len(), 2);
        assert_eq!(q["q1"]["d1"], 1);
        assert_eq!(q["q1"]["d2"], 0);
        assert_eq!(q["q2"]["d1"], 2);
        // Headerless, BOM, float and negative grades, duplicate pair keeps the maximum.
        let q = parse_qrels("\u{feff}q1\td1\t1.0\nq1\td2\t-1\nq1\td1\t3\nq1\td1\t2").expect("ok");
        assert_eq!(q["q1"]["d1"], 3);
        assert_eq!(q["q1"]["d2"], 0);
        assert!(parse_qrels("").expect("empty").is_empty());
    }

    #[test]
    fn parse_qrels_malformed() {
        let err = parse_qrels("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1 d2 1\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        let err = parse_qrels("q1\td1\tyes").unwrap_err();
        assert!(err.starts_with("line 1:") && err.contains("yes"), "{err}");
        assert!(parse_qrels("q1\td1\t1\t7")
            .unwrap_err()
            .starts_with("line 1:"));
        assert!(parse_qrels("q1\t\t1").unwrap_err().starts_with("line 1:"));
        assert!(parse_qrels("q1\td1\t1.5").is_err());
        assert!(parse_qrels("q1\td1\tNaN").is_err());
        // A header is only a header on the first line.
        assert!(parse_qrels("q1\td1\t1\nquery-id\tcorpus-id\tscore").is_err());
    }

    #[test]
    fn parse_real_scifact_qrels() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/eval/scifact/qrels.tsv"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!(
                "skipped: {path} is not here (the shared evaluation sets sit beside the project)"
            );
            return;
        };
        let qrels = parse_qrels(&text).expect("scifact qrels parse");
        assert_eq!(qrels.len(), 300);
        // A perfect run scores 1 everywhere.
        let runs: HashMap<String, Vec<String>> = qrels
            .iter()
            .map(|(q, j)| {
                let mut docs: Vec<(&String, &u32)> = j.iter().collect();
                docs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                (
                    q.clone(),
                    docs.into_iter().map(|(d, _)| d.clone()).collect(),
                )
            })
            .collect();
        let s = evaluate_with(&runs, &qrels, Gain::Grade);
        assert_eq!(s.queries, 300);
        assert!(close(s.ndcg_at_10, 1.0) && close(s.recall_at_100, 1.0) && close(s.mrr_at_10, 1.0));
    }
}
