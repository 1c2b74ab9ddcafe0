//! Exact vector search over one contiguous layout: every live vector's int8 components in one
//! array (row `i` at `i × DIMENSIONS`), its scale and passage ordinal in parallel arrays, and
//! each document's rows as one range. Built once per index state; a scan is a straight walk
//! through memory, where one heap allocation per vector made it a pointer chase.
//!
//! Two dot-product kernels, measured by `cargo bench --bench semantic -- exact`: the query
//! quantised to int8 with i8×i8 products summed in i32 (half the bytes per lane of f32, the
//! default), and the stored components widened to f32 against the f32 query. On x86-64 each is
//! compiled a second time for AVX2 and chosen at run time, so a build for the baseline CPU
//! still scans in 256-bit lanes where the machine has them.

use super::encoder::DIMENSIONS;
use super::vectors::Group;
use std::collections::HashMap;

/// How a query is multiplied with the stored int8 components.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernel {
    /// Query quantised to int8, products summed in i32.
    #[default]
    Int8,
    /// Components widened to f32, against the f32 query.
    Float,
}

/// A query prepared for a kernel: the f32 vector, and its int8 quantisation with its scale.
#[derive(Clone, Debug)]
pub struct Query {
    float: Vec<f32>,
    quantised: Vec<i8>,
    scale: f32,
    kernel: Kernel,
}

impl Query {
    /// Prepare `v` (a unit vector of [`DIMENSIONS`]) for `kernel`.
    pub fn new(v: &[f32], kernel: Kernel) -> Query {
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        Query {
            float: v.to_vec(),
            quantised: v.iter().map(|x| (x / scale).round() as i8).collect(),
            scale,
            kernel,
        }
    }

    /// The unscaled dot product with one row of stored components.
    fn raw_dot(&self, row: &[i8]) -> f32 {
        match self.kernel {
            Kernel::Int8 => dot_i8(&self.quantised, row) as f32 * self.scale,
            Kernel::Float => dot_f32(&self.float, row),
        }
    }
}

/// Every live vector in one array, grouped by document.
#[derive(Debug, Default)]
pub struct Layout {
    components: Vec<i8>,
    scales: Vec<f32>,
    ordinals: Vec<u32>,
    /// (document key, first row, end row), rows of one document contiguous.
    documents: Vec<(u64, u32, u32)>,
    by_key: HashMap<u64, usize>,
}

impl Layout {
    /// Lay out `groups` (each document's vectors together, in the order given).
    pub fn build<'a>(groups: impl IntoIterator<Item = &'a Group>) -> Layout {
        let groups: Vec<&Group> = groups.into_iter().collect();
        let vectors: usize = groups.iter().map(|g| g.passages.len()).sum();
        // Sized once: growing a 100 MB array by doubling cost more than filling it.
        let mut layout = Layout {
            components: Vec::with_capacity(vectors * DIMENSIONS),
            scales: Vec::with_capacity(vectors),
            ordinals: Vec::with_capacity(vectors),
            documents: Vec::with_capacity(groups.len()),
            by_key: HashMap::with_capacity(groups.len()),
        };
        for g in groups {
            layout.push(g);
        }
        layout
    }

    fn push(&mut self, g: &Group) {
        let start = self.scales.len() as u32;
        for p in &g.passages {
            self.components.extend_from_slice(&p.components);
            self.scales.push(p.scale);
            self.ordinals.push(p.ordinal);
        }
        self.by_key.insert(g.key, self.documents.len());
        self.documents
            .push((g.key, start, self.scales.len() as u32));
    }

    /// Documents with vectors.
    pub fn documents(&self) -> usize {
        self.documents.len()
    }

    /// Vectors held.
    pub fn vectors(&self) -> usize {
        self.scales.len()
    }

    /// Whether the document `key` has vectors.
    pub fn contains(&self, key: u64) -> bool {
        self.by_key.contains_key(&key)
    }

    /// Every document's best passage by dot product with `query`: (key, score, ordinal).
    pub fn best_per_document(&self, query: &Query) -> Vec<(u64, f32, u32)> {
        let mut out = Vec::with_capacity(self.documents.len());
        for &(key, start, end) in &self.documents {
            let mut best = (f32::NEG_INFINITY, 0u32);
            for row in start as usize..end as usize {
                let s = self.score(query, row);
                if s > best.0 {
                    best = (s, self.ordinals[row]);
                }
            }
            if end > start {
                out.push((key, best.0, best.1));
            }
        }
        out
    }

    /// The document `key`'s passages scored against `query`: ordinal → similarity.
    pub fn passage_scores(&self, key: u64, query: &Query) -> HashMap<u32, f32> {
        let Some(&i) = self.by_key.get(&key) else {
            return HashMap::new();
        };
        let (_, start, end) = self.documents[i];
        (start as usize..end as usize)
            .map(|row| (self.ordinals[row], self.score(query, row)))
            .collect()
    }

    fn score(&self, query: &Query, row: usize) -> f32 {
        let at = row * DIMENSIONS;
        query.raw_dot(&self.components[at..at + DIMENSIONS]) * self.scales[row]
    }
}

/// i8 × i8 summed in i32 lanes; AVX2 when the CPU has it.
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU was just checked to have AVX2, the only feature this copy uses.
            return unsafe { dot_i8_avx2(a, b) };
        }
    }
    dot_i8_lanes(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_i8_avx2(a: &[i8], b: &[i8]) -> i32 {
    dot_i8_lanes(a, b)
}

#[inline(always)]
fn dot_i8_lanes(a: &[i8], b: &[i8]) -> i32 {
    // Independent running sums so the compiler can fill a vector register (one chain of
    // additions it may not reorder would stay scalar); i16 products of i8 never overflow
    // an i32 over 384 components.
    const LANES: usize = 32;
    let mut lanes = [0i32; LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: i32 = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .map(|(x, y)| i32::from(*x) * i32::from(*y))
        .sum();
    for (x, y) in ac.zip(bc) {
        for i in 0..LANES {
            lanes[i] += i32::from(x[i]) * i32::from(y[i]);
        }
    }
    lanes.iter().sum::<i32>() + tail
}

/// f32 query × widened i8 components; AVX2 + FMA when the CPU has them.
fn dot_f32(q: &[f32], c: &[i8]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU was just checked to have AVX2 and FMA, the features this copy uses.
            return unsafe { dot_f32_avx2(q, c) };
        }
    }
    dot_f32_lanes(q, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_f32_avx2(q: &[f32], c: &[i8]) -> f32 {
    dot_f32_lanes(q, c)
}

#[inline(always)]
fn dot_f32_lanes(q: &[f32], c: &[i8]) -> f32 {
    const LANES: usize = 16;
    let mut lanes = [0f32; LANES];
    let (qc, cc) = (q.chunks_exact(LANES), c.chunks_exact(LANES));
    let tail: f32 = qc
        .remainder()
        .iter()
        .zip(cc.remainder())
        .map(|(x, y)| x * f32::from(*y))
        .sum();
    for (x, y) in qc.zip(cc) {
        for i in 0..LANES {
            lanes[i] += x[i] * f32::from(y[i]);
        }
    }
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::vectors::PassageVector;

    fn unit(seed: u32) -> Vec<f32> {
        let v: Vec<f32> = (0..DIMENSIONS)
            .map(|i| (((i as u32 * 7 + seed * 13) % 29) as f32) - 14.0 + (seed % 5) as f32)
            .collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    fn group(key: u64, seeds: &[u32]) -> Group {
        Group {
            key,
            signature: 0,
            passages: seeds
                .iter()
                .enumerate()
                .map(|(o, s)| PassageVector::quantise(o as u32, u64::from(*s) + 1, &unit(*s)))
                .collect(),
        }
    }

    #[test]
    fn both_kernels_stay_within_a_percent_of_the_cosine() {
        let groups = [group(1, &[1, 2, 3]), group(2, &[4])];
        let layout = Layout::build(&groups);
        let q = unit(9);
        for kernel in [Kernel::Int8, Kernel::Float] {
            let query = Query::new(&q, kernel);
            let scores = layout.passage_scores(1, &query);
            for (o, seed) in [(0u32, 1u32), (1, 2), (2, 3)] {
                let exact = cosine(&q, &unit(seed));
                assert!(
                    (scores[&o] - exact).abs() < 0.01,
                    "{kernel:?}: {} vs {exact}",
                    scores[&o]
                );
            }
        }
    }

    #[test]
    fn each_document_gets_its_best_passage() {
        let groups = [group(1, &[1, 2, 3]), group(2, &[4]), group(3, &[])];
        let layout = Layout::build(&groups);
        assert_eq!((layout.documents(), layout.vectors()), (3, 4));
        let q = unit(2);
        let best = layout.best_per_document(&Query::new(&q, Kernel::Int8));
        // Document 3 has no vectors, so no score; document 1's best is its passage 1.
        assert_eq!(best.len(), 2);
        let one = best.iter().find(|b| b.0 == 1).unwrap();
        assert_eq!(one.2, 1);
        assert!((one.1 - 1.0).abs() < 0.01, "{}", one.1);
        assert!(layout
            .passage_scores(9, &Query::new(&q, Kernel::Int8))
            .is_empty());
    }
}
