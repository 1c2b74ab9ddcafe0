//! The encoder's forward pass for one short text (a query), in plain Rust on the calling
//! thread: the same all-MiniLM-L6-v2, with each dense layer's weights in int8 rows read in
//! place from the mapped query model file (`query_model.rs`).
//!
//! Why not candle for this: a query is a handful of tokens, and candle's f32 matmul spent
//! about two thirds of a query's 8–10 ms packing the weight matrices for gemm (work that a
//! batch of passages shares over thousands of rows, a query over five), and its thread pool
//! waited at barriers for the other core. Here a dense layer converts each weight row to f32
//! in registers, 16 weights at a time, and multiplies them with up to six tokens at once (FMA
//! lanes, AVX2 chosen at run time), so the weights are read once per query, as int8 (a
//! quarter of the bytes), and converted once. Nothing is packed, no thread is woken. Weights are quantised in blocks of [`BLOCK`] (scale = max
//! |w| / 127); activations stay f32, so the only loss is the weights' rounding (checked
//! against the f32 model in `query_model.rs`'s tests: cosine ≥ 0.999).

use super::encoder::DIMENSIONS;

const HEADS: usize = 12;
const HEAD_DIM: usize = DIMENSIONS / HEADS;

/// Weights sharing one int8 scale: 32, as GGML's `Q8_0` (one scale per row lost the small
/// weights of rows with one large one: cosine 0.9985 on a one-letter query, 0.9997 here).
pub(super) const BLOCK: usize = 32;

/// Rows of `inputs` f32 weights as int8, one scale per [`BLOCK`] of a row (max |w| / 127):
/// the rows and the scales, as a [`Dense`] or the word table reads them.
pub(super) fn quantise_rows(inputs: usize, w: &[f32]) -> (Vec<i8>, Vec<f32>) {
    let mut rows = Vec::with_capacity(w.len());
    let mut scales = Vec::with_capacity(w.len() / inputs * inputs.div_ceil(BLOCK));
    for row in w.chunks_exact(inputs) {
        for block in row.chunks(BLOCK) {
            let max = block.iter().fold(0f32, |m, x| m.max(x.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            let inverse = 1.0 / scale;
            // Half away from zero, as `round` does, without its libm call per weight.
            rows.extend(block.iter().map(|x| {
                let q = x * inverse;
                (q + 0.5f32.copysign(q)) as i8
            }));
            scales.push(scale);
        }
    }
    (rows, scales)
}

/// A dense layer `y = W x + b`, `W` kept as int8 rows, one scale per [`BLOCK`] weights,
/// borrowed from the query model file.
pub(super) struct Dense<'a> {
    pub(super) inputs: usize,
    pub(super) outputs: usize,
    /// `outputs` rows of `inputs` weights.
    pub(super) rows: &'a [i8],
    pub(super) scales: &'a [f32],
    pub(super) bias: &'a [f32],
}

impl Dense<'_> {
    /// `x`: tokens × inputs, row-major → tokens × outputs.
    pub(super) fn forward(&self, x: &[f32]) -> Vec<f32> {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU was just checked to have AVX2 and FMA, the features this
                // copy uses.
                return unsafe { self.forward_avx2(x) };
            }
        }
        self.forward_with(x, Kernel::Portable)
    }

    /// [`Dense::forward`] compiled for AVX2, so the weights' conversion is vectorised too.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn forward_avx2(&self, x: &[f32]) -> Vec<f32> {
        self.forward_with(x, Kernel::Avx2)
    }

    #[inline(always)]
    fn forward_with(&self, x: &[f32], kernel: Kernel) -> Vec<f32> {
        let (n, m) = (self.inputs, self.outputs);
        let tokens = x.len() / n;
        let mut out = vec![0f32; tokens * m];
        let blocks = n.div_ceil(BLOCK);
        for o in 0..m {
            let row = &self.rows[o * n..(o + 1) * n];
            let scales = &self.scales[o * blocks..(o + 1) * blocks];
            // Every token against the row before the next row: the row is read from memory
            // once (later tiles of a long query find it in L1).
            let mut first = 0;
            while first < tokens {
                let tile = (tokens - first).min(TILE);
                let dots = kernel.dots(row, scales, &x[first * n..(first + tile) * n], tile);
                for (k, d) in dots[..tile].iter().enumerate() {
                    out[(first + k) * m + o] = d + self.bias[o];
                }
                first += tile;
            }
        }
        out
    }
}

/// Tokens multiplied with a weight row in one pass: two 8-lane sums each, 12 accumulators,
/// within AVX2's 16 registers beside the row's two converted vectors.
const TILE: usize = 6;

/// The dot products of one int8 weight row with up to [`TILE`] tokens (the row converted to
/// f32 in registers, 16 weights at a time, each conversion serving every token): AVX2 + FMA
/// with intrinsics, or the portable loop.
#[derive(Clone, Copy)]
enum Kernel {
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
}

impl Kernel {
    /// `x`: `tile` tokens of `row.len()` values each; the first `tile` results are theirs.
    #[inline(always)]
    fn dots(self, row: &[i8], scales: &[f32], x: &[f32], tile: usize) -> [f32; TILE] {
        assert!(tile <= TILE && x.len() == tile * row.len());
        assert!(scales.len() == row.len().div_ceil(BLOCK));
        let mut out = [0f32; TILE];
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => {
                // SAFETY: chosen only by `forward_avx2`, on a CPU with AVX2 and FMA; `x` holds
                // `tile` tokens of the row's length and `scales` a scale per block of it
                // (asserted above), the only bounds the kernel reads within.
                unsafe {
                    match tile {
                        1 => out[..1].copy_from_slice(&dots_avx2::<1>(row, scales, x)),
                        2 => out[..2].copy_from_slice(&dots_avx2::<2>(row, scales, x)),
                        3 => out[..3].copy_from_slice(&dots_avx2::<3>(row, scales, x)),
                        4 => out[..4].copy_from_slice(&dots_avx2::<4>(row, scales, x)),
                        5 => out[..5].copy_from_slice(&dots_avx2::<5>(row, scales, x)),
                        _ => out.copy_from_slice(&dots_avx2::<TILE>(row, scales, x)),
                    }
                }
            }
            Kernel::Portable => {
                for (t, token) in x.chunks_exact(row.len()).enumerate() {
                    out[t] = row
                        .iter()
                        .zip(token)
                        .enumerate()
                        .map(|(i, (w, v))| f32::from(*w) * scales[i / BLOCK] * v)
                        .sum();
                }
            }
        }
        out
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots_avx2<const T: usize>(row: &[i8], scales: &[f32], x: &[f32]) -> [f32; T] {
    use std::arch::x86_64::*;
    let n = row.len();
    let mut low = [_mm256_setzero_ps(); T];
    let mut high = [_mm256_setzero_ps(); T];
    let whole = n / BLOCK * BLOCK;
    let mut i = 0;
    while i < whole {
        let scale = _mm256_set1_ps(*scales.get_unchecked(i / BLOCK));
        for half in [0, 16] {
            let raw = _mm_loadu_si128(row.as_ptr().add(i + half).cast());
            let w0 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(raw)), scale);
            let w1 = _mm256_mul_ps(
                _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128::<8>(raw))),
                scale,
            );
            for t in 0..T {
                let p = x.as_ptr().add(t * n + i + half);
                low[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(p), low[t]);
                high[t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(p.add(8)), high[t]);
            }
        }
        i += BLOCK;
    }
    let mut out = [0f32; T];
    for t in 0..T {
        let mut lanes = [0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_add_ps(low[t], high[t]));
        // A row whose length is not a multiple of the block (none of this model's) ends in
        // plain arithmetic.
        let tail: f32 = (whole..n)
            .map(|j| f32::from(row[j]) * scales[j / BLOCK] * x[t * n + j])
            .sum();
        out[t] = lanes.iter().sum::<f32>() + tail;
    }
    out
}

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
    fn forward(&self, x: &mut Vec<f32>, tokens: usize) {
        let qkv = self.qkv.forward(x);
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
        let mut attended = self.attention_out.forward(&context);
        for (a, r) in attended.iter_mut().zip(x.iter()) {
            *a += r;
        }
        self.attention_norm.apply(&mut attended);
        let mut hidden = self.intermediate.forward(&attended);
        for v in hidden.iter_mut() {
            *v = gelu(*v);
        }
        let mut out = self.output.forward(&hidden);
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
    /// model's positions long, every id below the vocabulary's size).
    pub(super) fn embed(&self, ids: &[u32]) -> Vec<f32> {
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
            layer.forward(&mut x, tokens);
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

    #[test]
    fn dense_rows_match_the_float_product_for_any_token_count() {
        let (inputs, outputs) = (40, 3);
        let w: Vec<f32> = (0..inputs * outputs)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let bias = vec![0.5, -1.0, 0.0];
        let (rows, scales) = quantise_rows(inputs, &w);
        let dense = Dense {
            inputs,
            outputs,
            rows: &rows,
            scales: &scales,
            bias: &bias,
        };
        for tokens in [1, 4, 5, 9] {
            let x: Vec<f32> = (0..tokens * inputs)
                .map(|i| ((i * 13 % 17) as f32 - 8.0) / 8.0)
                .collect();
            let y = dense.forward(&x);
            for t in 0..tokens {
                for o in 0..outputs {
                    let exact: f32 = (0..inputs)
                        .map(|i| w[o * inputs + i] * x[t * inputs + i])
                        .sum::<f32>()
                        + bias[o];
                    // int8 rows: within a percent of the row's largest product sum.
                    assert!(
                        (y[t * outputs + o] - exact).abs() < 0.05,
                        "{tokens} tokens, ({t}, {o}): {} vs {exact}",
                        y[t * outputs + o]
                    );
                }
            }
        }
    }
}
