//! A query's dense layer as integer dot products (AVX-512 VNNI, chosen at run time): the
//! activations quantised to int8 per call, each weight row multiplied with every token by
//! `vpdpbusd` (64 products summed into 16 lanes per instruction).
//!
//! Why: with int8 weights and f32 activations each 16 weights cost three conversions and a
//! multiply before the FMAs (the f32 kernel of `one_text.rs`, 26 % of an in-process hybrid
//! query's samples); here the weights are used as they are stored, and per token and 64
//! weights the work is one `vpdpbusd`, one conversion, a multiply of the two scales and one
//! FMA.
//!
//! Scales: the weights keep their scale per [`BLOCK`] of a row; the activations get one scale
//! per token and block of input dimensions (max |x| / 127), so a dimension with large values
//! (BERT's hidden states have a few) coarsens only its own block of its own token. One scale
//! shared by the query's tokens per block saved a multiply per token and 64 weights, but
//! lowered the cosine to the f32 model from 0.9995–0.9997 to 0.9983–0.9989 on the reference
//! sentences (0.9971 on a one-letter query).
//!
//! `vpdpbusd` multiplies unsigned by signed bytes: the weights are made unsigned by adding
//! 128 (flipping the sign bit, one instruction per 64 weights shared by a tile of tokens), which adds
//! 128 × the block's sum of quantised activations to each dot product; that sum depends on
//! the query only, so it is taken once per call and starts the accumulator at minus it.

use super::one_text::{Dense, BLOCK};

/// Weights per `vpdpbusd`: two blocks.
const CHUNK: usize = 64;
/// Tokens multiplied with a row in one pass.
const TILE: usize = 8;

/// Whether this CPU runs [`forward`] and `dense`'s rows fit it.
pub(super) fn fits(dense: &Dense<'_>) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        dense.inputs.is_multiple_of(CHUNK)
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = dense;
        false
    }
}

/// The query's activations in int8, as the kernel reads them.
struct Quantised {
    /// tokens × inputs.
    values: Vec<i8>,
    /// Per token and chunk of inputs, the two blocks' activation scales, each repeated over
    /// its block's 8 lanes.
    scales: Vec<f32>,
    /// Per token and chunk, 16 lanes: −128 × the block's sum of `values` in the block's
    /// first lane (lanes 0 and 8), zero elsewhere.
    starts: Vec<i32>,
}

fn quantise(x: &[f32], inputs: usize) -> Quantised {
    let tokens = x.len() / inputs;
    let blocks = inputs / BLOCK;
    let mut block_scales = vec![0f32; blocks * tokens];
    for (t, token) in x.chunks_exact(inputs).enumerate() {
        for (b, block) in token.chunks_exact(BLOCK).enumerate() {
            let max = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            block_scales[t * blocks + b] = max;
        }
    }
    for s in block_scales.iter_mut() {
        *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
    }
    let mut values = Vec::with_capacity(x.len());
    let mut starts = vec![0i32; tokens * inputs / 4];
    for (t, token) in x.chunks_exact(inputs).enumerate() {
        for (b, block) in token.chunks_exact(BLOCK).enumerate() {
            let inverse = 1.0 / block_scales[t * blocks + b];
            let mut sum = 0i32;
            for v in block {
                let q = v * inverse;
                // Half away from zero (as `quantise_rows`); `as` saturates at ±127 where
                // rounding of the largest value lands a hair above it.
                let q = (q + 0.5f32.copysign(q)) as i8;
                sum += i32::from(q);
                values.push(q);
            }
            // Lane 0 or 8 of the token's chunk: 16 lanes per chunk, 8 per block.
            starts[t * inputs / 4 + b * 8] = -128 * sum;
        }
    }
    let scales = block_scales
        .iter()
        .flat_map(|s| std::iter::repeat_n(*s, 8))
        .collect();
    Quantised {
        values,
        scales,
        starts,
    }
}

/// `x`: tokens × inputs, row-major → tokens × outputs, as [`Dense::forward`]. Only where
/// [`fits`] said so.
///
/// # Safety
/// The CPU must have AVX-512F and AVX-512 VNNI, and `dense.inputs` must be a multiple of 64
/// (both checked by [`fits`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vnni")]
pub(super) unsafe fn forward(dense: &Dense<'_>, x: &[f32]) -> Vec<f32> {
    let (n, m) = (dense.inputs, dense.outputs);
    let tokens = x.len() / n;
    let blocks = n / BLOCK;
    assert!(n.is_multiple_of(CHUNK) && x.len() == tokens * n);
    assert!(dense.rows.len() >= m * n && dense.scales.len() >= m * blocks);
    assert!(dense.bias.len() >= m);
    let q = quantise(x, n);
    let mut out = vec![0f32; tokens * m];
    for o in 0..m {
        let mut first = 0;
        while first < tokens {
            let tile = (tokens - first).min(TILE);
            // A tile's accumulators in registers: its size known when compiled.
            let mut dots = [0f32; TILE];
            match tile {
                1 => dots[..1].copy_from_slice(&row_dots::<1>(dense, &q, o, first)),
                2 => dots[..2].copy_from_slice(&row_dots::<2>(dense, &q, o, first)),
                3 => dots[..3].copy_from_slice(&row_dots::<3>(dense, &q, o, first)),
                4 => dots[..4].copy_from_slice(&row_dots::<4>(dense, &q, o, first)),
                5 => dots[..5].copy_from_slice(&row_dots::<5>(dense, &q, o, first)),
                6 => dots[..6].copy_from_slice(&row_dots::<6>(dense, &q, o, first)),
                7 => dots[..7].copy_from_slice(&row_dots::<7>(dense, &q, o, first)),
                _ => dots.copy_from_slice(&row_dots::<TILE>(dense, &q, o, first)),
            }
            for (t, d) in dots[..tile].iter().enumerate() {
                out[(first + t) * m + o] = d + dense.bias[o];
            }
            first += tile;
        }
    }
    out
}

/// Row `o`'s dot products with tokens `first..first + T`.
///
/// # Safety
/// As [`forward`]; `q` quantised from `dense.inputs` values per token, `first + T` of them.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vnni")]
#[inline]
unsafe fn row_dots<const T: usize>(
    dense: &Dense<'_>,
    q: &Quantised,
    o: usize,
    first: usize,
) -> [f32; T] {
    use std::arch::x86_64::*;
    let n = dense.inputs;
    let row = dense.rows.as_ptr().add(o * n);
    let row_scales = dense.scales.as_ptr().add(o * (n / BLOCK));
    let sign = _mm512_set1_epi8(-128);
    // Lanes 0–7 take the chunk's first block scale, 8–15 its second.
    let halves = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    let mut acc = [_mm512_setzero_ps(); T];
    for c in 0..n / CHUNK {
        // The row after next, a line per chunk: rows are read once per query, from memory.
        if o + 2 < dense.outputs {
            _mm_prefetch::<_MM_HINT_T0>(row.add(2 * n + c * CHUNK).cast());
        }
        let unsigned = _mm512_xor_si512(_mm512_loadu_si512(row.add(c * CHUNK).cast()), sign);
        let two = _mm512_maskz_loadu_ps(0b11, row_scales.add(2 * c));
        let wscale = _mm512_permutexvar_ps(halves, two);
        for (t, a) in acc.iter_mut().enumerate() {
            let token = first + t;
            let lanes = token * n / 4 + c * 16;
            let start = _mm512_loadu_si512(q.starts.as_ptr().add(lanes).cast());
            let values = _mm512_loadu_si512(q.values.as_ptr().add(token * n + c * CHUNK).cast());
            let dots = _mm512_dpbusd_epi32(start, unsigned, values);
            let scale = _mm512_mul_ps(wscale, _mm512_loadu_ps(q.scales.as_ptr().add(lanes)));
            *a = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dots), scale, *a);
        }
    }
    let mut out = [0f32; T];
    for (o, a) in out.iter_mut().zip(acc) {
        *o = _mm512_reduce_add_ps(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::one_text::quantise_rows;
    use super::*;

    /// The integer kernel's products against the f32 product of the unquantised weights and
    /// activations, for token counts below, at and above a tile, with a dimension of large
    /// values (as BERT's hidden states have) in one block.
    #[test]
    fn integer_dots_match_the_float_product() {
        let (inputs, outputs) = (192, 5);
        let w: Vec<f32> = (0..inputs * outputs)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let bias: Vec<f32> = (0..outputs).map(|o| o as f32 - 2.0).collect();
        let (rows, scales) = quantise_rows(inputs, &w);
        let dense = Dense {
            inputs,
            outputs,
            rows: &rows,
            scales: &scales,
            bias: &bias,
        };
        if !fits(&dense) {
            eprintln!("skipped: this CPU has no AVX-512 VNNI");
            return;
        }
        for tokens in [1, 5, 16, 17, 33] {
            let x: Vec<f32> = (0..tokens * inputs)
                .map(|i| {
                    let v = ((i * 13 % 17) as f32 - 8.0) / 8.0;
                    if i % inputs == 70 {
                        v * 20.0
                    } else {
                        v
                    }
                })
                .collect();
            // SAFETY: `fits` checked the CPU and the row length.
            let y = unsafe { forward(&dense, &x) };
            for t in 0..tokens {
                for o in 0..outputs {
                    let products = (0..inputs).map(|i| w[o * inputs + i] * x[t * inputs + i]);
                    let exact = products.clone().sum::<f32>() + bias[o];
                    let magnitude: f32 = products.map(f32::abs).sum();
                    let got = y[t * outputs + o];
                    // Two int8 roundings: within a percent of the products' absolute sum.
                    assert!(
                        (got - exact).abs() < 0.01 * magnitude,
                        "{tokens} tokens, ({t}, {o}): {got} vs {exact} (|products| {magnitude})"
                    );
                }
            }
        }
    }
}
