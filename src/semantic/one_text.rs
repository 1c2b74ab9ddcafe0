//! The encoder's forward pass for one short text (a query), in plain Rust on the calling
//! thread: the same all-MiniLM-L6-v2, with each dense layer's weights in int8 rows read in
//! place from the mapped query model file (`query_model.rs`).
//!
//! Why not candle for this: a query is a handful of tokens, and candle's f32 matmul spent
//! about two thirds of a query's 8–10 ms packing the weight matrices for gemm (work that a
//! batch of passages shares over thousands of rows, a query over five), and its thread pool
//! waited at barriers for the other core. Here each dense layer (`dense.rs`) reads its int8
//! rows once per query and multiplies them with up to eight tokens at once as integers;
//! nothing is packed, no thread is woken. Attention, the norms and GELU stay f32. The losses
//! are the weights' int8 rounding and the activations' int16 rounding (checked against the
//! f32 model in `query_model.rs`'s tests: cosine ≥ 0.999).

use super::assist::Assist;
use super::dense::{Dense, BLOCK};
use super::encoder::DIMENSIONS;

const HEADS: usize = 12;
const HEAD_DIM: usize = DIMENSIONS / HEADS;

/// Layer normalisation's learned scale and shift.
pub(super) struct Norm<'a> {
    pub(super) weight: &'a [f32],
    pub(super) bias: &'a [f32],
    pub(super) eps: f32,
}

impl Norm<'_> {
    /// Normalise each row of `x` in place.
    fn apply(&self, x: &mut [f32]) {
        for row in x.chunks_exact_mut(self.weight.len()) {
            let n = row.len() as f32;
            let mean = row.iter().sum::<f32>() / n;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(self.weight).zip(self.bias) {
                *v = (*v - mean) * inv * w + b;
            }
        }
    }
}

/// One transformer layer.
pub(super) struct Layer<'a> {
    pub(super) qkv: Dense<'a>,
    pub(super) attention_out: Dense<'a>,
    pub(super) attention_norm: Norm<'a>,
    pub(super) intermediate: Dense<'a>,
    pub(super) output: Dense<'a>,
    pub(super) output_norm: Norm<'a>,
}

impl Layer<'_> {
    fn forward(&self, x: &mut Vec<f32>, tokens: usize, assist: Option<&Assist>) {
        let qkv = self.qkv.forward(x, assist);
        let width = 3 * DIMENSIONS;
        let mut context = vec![0f32; tokens * DIMENSIONS];
        let scale = 1.0 / (HEAD_DIM as f32).sqrt();
        let mut weights = vec![0f32; tokens];
        for h in 0..HEADS {
            let head = h * HEAD_DIM;
            for i in 0..tokens {
                let q = &qkv[i * width + head..i * width + head + HEAD_DIM];
                for (j, w) in weights.iter_mut().enumerate() {
                    let k = &qkv[j * width + DIMENSIONS + head..][..HEAD_DIM];
                    *w = q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>() * scale;
                }
                let max = weights.iter().fold(f32::NEG_INFINITY, |m, w| m.max(*w));
                let mut sum = 0.0;
                for w in weights.iter_mut() {
                    *w = (*w - max).exp();
                    sum += *w;
                }
                let c = &mut context[i * DIMENSIONS + head..][..HEAD_DIM];
                for (j, w) in weights.iter().enumerate() {
                    let v = &qkv[j * width + 2 * DIMENSIONS + head..][..HEAD_DIM];
                    for (cv, vv) in c.iter_mut().zip(v) {
                        *cv += w / sum * vv;
                    }
                }
            }
        }
        let mut attended = self.attention_out.forward(&context, assist);
        for (a, r) in attended.iter_mut().zip(x.iter()) {
            *a += r;
        }
        self.attention_norm.apply(&mut attended);
        let mut hidden = self.intermediate.forward(&attended, assist);
        for v in hidden.iter_mut() {
            *v = gelu(*v);
        }
        let mut out = self.output.forward(&hidden, assist);
        for (o, r) in out.iter_mut().zip(&attended) {
            *o += r;
        }
        self.output_norm.apply(&mut out);
        *x = out;
    }
}

/// The model for one text, borrowed from the query model file.
pub(super) struct OneText<'a> {
    /// The word table: a row of [`DIMENSIONS`] int8 weights per token id, blocks of [`BLOCK`].
    pub(super) words: &'a [i8],
    pub(super) word_scales: &'a [f32],
    pub(super) positions: &'a [f32],
    pub(super) token_type: &'a [f32],
    pub(super) embeddings_norm: Norm<'a>,
    pub(super) layers: Vec<Layer<'a>>,
}

impl OneText<'_> {
    /// The unit vector of the token sequence `ids` (with `[CLS]`/`[SEP]`, at most the
    /// model's positions long, every id below the vocabulary's size). A helper may take a
    /// share of each dense layer's rows (`assist`; the same bits).
    pub(super) fn embed(&self, ids: &[u32], assist: Option<&Assist>) -> Vec<f32> {
        let tokens = ids.len().max(1);
        let blocks = DIMENSIONS / BLOCK;
        let mut x = vec![0f32; tokens * DIMENSIONS];
        for (t, &id) in ids.iter().enumerate() {
            let id = id as usize;
            let word = &self.words[id * DIMENSIONS..][..DIMENSIONS];
            let scales = &self.word_scales[id * blocks..][..blocks];
            let position = &self.positions[t * DIMENSIONS..][..DIMENSIONS];
            let row = &mut x[t * DIMENSIONS..][..DIMENSIONS];
            for (i, v) in row.iter_mut().enumerate() {
                *v = f32::from(word[i]) * scales[i / BLOCK] + position[i] + self.token_type[i];
            }
        }
        self.embeddings_norm.apply(&mut x);
        for layer in &self.layers {
            layer.forward(&mut x, tokens, assist);
        }
        // Mean over the tokens, then unit length (sentence-transformers' pooling + Normalize).
        let mut mean = vec![0f32; DIMENSIONS];
        for row in x.chunks_exact(DIMENSIONS) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / tokens as f32;
            }
        }
        let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            mean.iter_mut().for_each(|v| *v /= norm);
        }
        mean
    }
}

/// GELU with the exact error function, as BERT was trained.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// The error function (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7, under f32's
/// own rounding at GELU's scale).
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * (-x * x).exp();
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
        ] {
            assert!((erf(x) - want).abs() < 1e-6, "erf({x}) = {}", erf(x));
        }
    }
}
