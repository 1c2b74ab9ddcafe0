//! A dense layer of the query model (`y = W x + b`): int8 weight rows times int16
//! activations, summed as exact integers per lane, on the calling thread.
//!
//! Why integers: a query is a handful of tokens, so a layer is bound by multiplies, not by
//! memory. With the weights converted to f32, an AVX2 FMA does 8 multiplies; kept as int16 on
//! both sides, AVX-512 VNNI's `vpdpwssd` does 32 with exact i32 sums (AVX2's `vpmaddwd` 16).
//! Because the integer sums do not depend on the order they are added in, every kernel
//! (AVX-512 VNNI, AVX2, the portable loop) gives the same bits, so a vector does not depend
//! on the machine that embedded the query. The activations are quantised per token and
//! [`BLOCK`] of inputs (scale = max |x| / 32767), 256 times finer than int8 activations (an
//! int8-activation kernel moved tip-dev's semantic nDCG@10 by 0.016 and was reverted): the
//! vectors stay within a cosine of 1 − 1e-8 of f32 activations (BENCHMARKS.md, issue 22).
//!
//! The weights are int8 with one f32 scale per [`BLOCK`] of a row (scale = max |w| / 127),
//! so a block's products must be summed before its scales apply: each of the 16 lanes sums
//! the inputs of one block (or of part of one). The rows are stored interleaved
//! ([`interleave`]) so that one load of 32 weights brings each lane two of its own, and the
//! activations are put in the same order when quantised. A group of lanes spans 512 inputs
//! (a block per lane) or, for the rest of a row, 256, 128, 64 or 32 (a half, quarter… block
//! per lane): a row of 384 is a group of 256 and one of 128.

use super::assist::Assist;
use crate::prefetch::{prefetch_item, Keep};
use std::ops::Range;
use std::sync::OnceLock;

/// Weights sharing one int8 scale: 32, as GGML's `Q8_0` (one scale per row lost the small
/// weights of rows with one large one: cosine 0.9985 on a one-letter query, 0.9997 here).
pub(super) const BLOCK: usize = 32;

/// Integer sums kept side by side: an AVX-512 register of i32 (two AVX2 registers).
const LANES: usize = 16;
/// The widest group: a block per lane.
const WIDEST: usize = LANES * BLOCK;
/// The largest int16 an activation is quantised to (not −32768, so that no pair of products
/// can overflow an i32 lane, whichever instruction sums it).
const ACTIVATION_MAX: f32 = 32767.0;

/// Rows of `inputs` f32 weights as int8, one scale per [`BLOCK`] of a row (max |w| / 127):
/// the rows (in input order) and the scales, as [`interleave`] or the word table reads them.
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

/// The groups of lanes of a row of `inputs` (a multiple of [`BLOCK`]): (first input, inputs
/// spanned), each span the widest power of two up to [`WIDEST`] that the rest holds. Every
/// group starts at a multiple of its span, so a lane's inputs never cross a block.
fn groups(inputs: usize) -> impl Iterator<Item = (usize, usize)> {
    assert!(inputs.is_multiple_of(BLOCK), "{inputs} inputs per row");
    let mut first = 0;
    std::iter::from_fn(move || {
        let rest = inputs - first;
        if rest == 0 {
            return None;
        }
        let mut span = WIDEST;
        while span > rest {
            span /= 2;
        }
        let group = (first, span);
        first += span;
        Some(group)
    })
}

/// Copy one row (or token) from input order into the lanes' order: within each group, step
/// by step, lane by lane, the lane's next two values.
fn to_lane_order<T: Copy>(natural: &[T], out: &mut [T]) {
    for (first, span) in groups(natural.len()) {
        let width = span / LANES;
        let mut at = first;
        for step in (0..width).step_by(2) {
            for lane in 0..LANES {
                let from = first + lane * width + step;
                out[at] = natural[from];
                out[at + 1] = natural[from + 1];
                at += 2;
            }
        }
    }
}

/// The scale of each lane of a group: the scale of the block its inputs belong to.
fn lane_scales(block_scales: &[f32], first: usize, span: usize) -> [f32; LANES] {
    let width = span / LANES;
    std::array::from_fn(|lane| block_scales[(first + lane * width) / BLOCK])
}

/// Int8 rows of `inputs` weights (as [`quantise_rows`] gives them) in the order a [`Dense`]
/// reads them.
pub(super) fn interleave(inputs: usize, rows: &[i8]) -> Vec<i8> {
    let mut out = vec![0i8; rows.len()];
    for (row, to) in rows.chunks_exact(inputs).zip(out.chunks_exact_mut(inputs)) {
        to_lane_order(row, to);
    }
    out
}

/// A dense layer `y = W x + b`, `W` kept as int8 rows in lane order ([`interleave`]), one
/// scale per [`BLOCK`] weights (in input order), borrowed from the query model file.
pub(super) struct Dense<'a> {
    pub(super) inputs: usize,
    pub(super) outputs: usize,
    /// `outputs` rows of `inputs` weights.
    pub(super) rows: &'a [i8],
    pub(super) scales: &'a [f32],
    pub(super) bias: &'a [f32],
}

/// How the dot products are computed; every kernel gives the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kernel {
    /// `vpdpwssd` on 512-bit registers.
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
    /// `vpmaddwd` on two 256-bit registers per 16 lanes.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
}

impl Kernel {
    /// The fastest kernel this CPU runs (checked once per process).
    pub(super) fn best() -> Kernel {
        static BEST: OnceLock<Kernel> = OnceLock::new();
        *BEST.get_or_init(|| {
            Kernel::available()
                .into_iter()
                .next()
                .unwrap_or(Kernel::Portable)
        })
    }

    /// Every kernel this CPU runs, fastest first.
    pub(super) fn available() -> Vec<Kernel> {
        let mut kernels = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f") && has!("avx512bw") && has!("avx512vnni") {
                kernels.push(Kernel::Avx512Vnni);
            }
            if has!("avx2") && has!("fma") {
                kernels.push(Kernel::Avx2);
            }
        }
        kernels.push(Kernel::Portable);
        kernels
    }
}

impl Dense<'_> {
    /// `x`: tokens × inputs, row-major → tokens × outputs; the rows shared with a helper
    /// when `assist` is given (the same bits either way: a row is computed whole by one
    /// thread).
    pub(super) fn forward(&self, x: &[f32], assist: Option<&Assist>) -> Vec<f32> {
        self.forward_by(x, Kernel::best(), assist)
    }

    /// [`Dense::forward`] by a given kernel (one of [`Kernel::available`]).
    pub(super) fn forward_by(
        &self,
        x: &[f32],
        kernel: Kernel,
        assist: Option<&Assist>,
    ) -> Vec<f32> {
        assert!(self.rows.len() == self.inputs * self.outputs);
        assert!(self.scales.len() == self.outputs * self.inputs / BLOCK);
        let q = Activations::of(x, self.inputs);
        let mut out = vec![0f32; q.tokens * self.outputs];
        let to = Out {
            ptr: out.as_mut_ptr(),
            len: out.len(),
        };
        let work = |rows: Range<usize>| self.rows_by(&q, kernel, rows, &to);
        match assist {
            Some(assist) => assist.split(self.outputs, super::assist::ROWS, &work),
            None => work(0..self.outputs),
        }
        out
    }

    fn rows_by(&self, q: &Activations, kernel: Kernel, rows: Range<usize>, out: &Out) {
        match kernel {
            // SAFETY: `Kernel::Avx512Vnni` and `Kernel::Avx2` come from `Kernel::available`,
            // which checked the CPU for the features these copies use.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512Vnni => unsafe { self.rows_avx512(q, rows, out) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { self.rows_avx2(q, rows, out) },
            Kernel::Portable => self.rows_portable(q, rows, out),
        }
    }

    /// The outputs of `rows` for every token, [`TILE_512`] tokens per pass over a row: the
    /// row is read from memory once (later tiles of a long query find it in L1).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn rows_avx512(&self, q: &Activations, rows: Range<usize>, out: &Out) {
        // SAFETY (each call): this CPU has the features (see `rows_by`); `x` and `xs` hold
        // `tile` tokens of the row's length and lanes, `scales` a scale per block of the row,
        // the only bounds the kernel reads within.
        self.rows_tiled::<TILE_512>(q, rows, out, |row, scales, x, xs, tile| unsafe {
            let mut dots = [0f32; TILE_512];
            match tile {
                1 => dots[..1].copy_from_slice(&dots_avx512::<1>(row, scales, x, xs)),
                2 => dots[..2].copy_from_slice(&dots_avx512::<2>(row, scales, x, xs)),
                3 => dots[..3].copy_from_slice(&dots_avx512::<3>(row, scales, x, xs)),
                4 => dots[..4].copy_from_slice(&dots_avx512::<4>(row, scales, x, xs)),
                5 => dots[..5].copy_from_slice(&dots_avx512::<5>(row, scales, x, xs)),
                6 => dots[..6].copy_from_slice(&dots_avx512::<6>(row, scales, x, xs)),
                7 => dots[..7].copy_from_slice(&dots_avx512::<7>(row, scales, x, xs)),
                _ => dots.copy_from_slice(&dots_avx512::<TILE_512>(row, scales, x, xs)),
            }
            dots
        })
    }

    /// As [`Dense::rows_avx512`], [`TILE_256`] tokens per pass.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn rows_avx2(&self, q: &Activations, rows: Range<usize>, out: &Out) {
        // SAFETY: as in `rows_avx512`.
        self.rows_tiled::<TILE_256>(q, rows, out, |row, scales, x, xs, tile| unsafe {
            let mut dots = [0f32; TILE_256];
            match tile {
                1 => dots[..1].copy_from_slice(&dots_avx2::<1>(row, scales, x, xs)),
                2 => dots[..2].copy_from_slice(&dots_avx2::<2>(row, scales, x, xs)),
                _ => dots.copy_from_slice(&dots_avx2::<TILE_256>(row, scales, x, xs)),
            }
            dots
        })
    }

    /// Each row of `rows` against the tokens, `TILE` at a time, by `dots` (row, its block
    /// scales, the tile's values and lane scales, the tile's length → the dot products).
    #[inline(always)]
    fn rows_tiled<const TILE: usize>(
        &self,
        q: &Activations,
        rows: Range<usize>,
        out: &Out,
        dots: impl Fn(&[i8], &[f32], &[i16], &[f32], usize) -> [f32; TILE],
    ) {
        let (n, m) = (self.inputs, self.outputs);
        let per_row = n / BLOCK;
        for o in rows {
            let row = &self.rows[o * n..(o + 1) * n];
            let scales = &self.scales[o * per_row..(o + 1) * per_row];
            // A row is read once per query.
            prefetch_item(
                bytemuck::cast_slice(self.rows),
                o + ROWS_AHEAD,
                n,
                Keep::Once,
            );
            let mut first = 0;
            while first < q.tokens {
                let tile = (q.tokens - first).min(TILE);
                let x = &q.values[first * n..(first + tile) * n];
                let xs = &q.scales[first * q.lanes..(first + tile) * q.lanes];
                for (k, d) in dots(row, scales, x, xs, tile)[..tile].iter().enumerate() {
                    out.write((first + k) * m + o, d + self.bias[o]);
                }
                first += tile;
            }
        }
    }

    fn rows_portable(&self, q: &Activations, rows: Range<usize>, out: &Out) {
        let (n, m) = (self.inputs, self.outputs);
        let per_row = n / BLOCK;
        for o in rows {
            let row = &self.rows[o * n..(o + 1) * n];
            let scales = &self.scales[o * per_row..(o + 1) * per_row];
            for t in 0..q.tokens {
                let x = &q.values[t * n..(t + 1) * n];
                let xs = &q.scales[t * q.lanes..(t + 1) * q.lanes];
                out.write(t * m + o, dot_portable(row, scales, x, xs) + self.bias[o]);
            }
        }
    }
}

/// A layer's output (tokens × outputs), written a row of outputs at a time by whichever
/// thread took the row.
struct Out {
    ptr: *mut f32,
    len: usize,
}

// SAFETY: `Out` only writes, each element by the one thread that took its row (`Assist`'s
// counter hands each row out once), and the owner reads the vector only after every row is
// done (`Assist::split` returns after its helpers leave, under its lock).
unsafe impl Sync for Out {}

impl Out {
    fn write(&self, i: usize, v: f32) {
        assert!(i < self.len);
        // SAFETY: in bounds (asserted), the vector outlives the layer's work, and no other
        // thread writes or reads element `i` meanwhile (see `Sync` above).
        unsafe { self.ptr.add(i).write(v) }
    }
}

/// Weight rows fetched ahead of the one being multiplied: the rows stream from memory once per
/// query (10 MB for all layers), and asking for them early took a short query's embedding
/// from ~2.7 to ~2.5 ms on the 2-core bench machine (BENCHMARKS.md, issue 22).
const ROWS_AHEAD: usize = 4;

/// Tokens multiplied with a weight row in one pass: an i32 and an f32 accumulator each, 16
/// of AVX-512's 32 registers.
const TILE_512: usize = 8;
/// The same on AVX2: two i32 and two f32 accumulators each, 12 of its 16 registers.
const TILE_256: usize = 3;

/// A layer's input quantised: per token, int16 values in lane order and, per group, each
/// lane's scale (its block's max |x| / 32767).
struct Activations {
    tokens: usize,
    /// Lane scales per token: [`LANES`] per group.
    lanes: usize,
    values: Vec<i16>,
    scales: Vec<f32>,
}

impl Activations {
    fn of(x: &[f32], inputs: usize) -> Activations {
        assert!(x.len().is_multiple_of(inputs));
        let tokens = x.len() / inputs;
        let lanes = groups(inputs).count() * LANES;
        let mut values = vec![0i16; x.len()];
        let mut scales = Vec::with_capacity(tokens * lanes);
        let mut natural = vec![0i16; inputs];
        let mut block_scales = vec![0f32; inputs / BLOCK];
        for (token, to) in x.chunks_exact(inputs).zip(values.chunks_exact_mut(inputs)) {
            for ((block, q), scale) in token
                .chunks_exact(BLOCK)
                .zip(natural.chunks_exact_mut(BLOCK))
                .zip(block_scales.iter_mut())
            {
                let max = block.iter().fold(0f32, |m, v| m.max(v.abs()));
                *scale = if max > 0.0 { max / ACTIVATION_MAX } else { 1.0 };
                let inverse = if max > 0.0 { ACTIVATION_MAX / max } else { 0.0 };
                for (q, v) in q.iter_mut().zip(block) {
                    let v = v * inverse;
                    // Half away from zero; `as` saturates, so a value a rounding above the
                    // max stays 32767.
                    *q = ((v + 0.5f32.copysign(v)) as i16).max(-ACTIVATION_MAX as i16);
                }
            }
            to_lane_order(&natural, to);
            for (first, span) in groups(inputs) {
                scales.extend(lane_scales(&block_scales, first, span));
            }
        }
        Activations {
            tokens,
            lanes,
            values,
            scales,
        }
    }
}

/// One token's dot product with one row, as the vector kernels compute it, lane by lane:
/// the exact integer sum of each lane's products in a group, times the lane's weight and
/// activation scales, fused-added to the lane's f32 sum; the lanes added as [`sum_lanes`].
fn dot_portable(row: &[i8], scales: &[f32], x: &[i16], xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    for (g, (first, span)) in groups(row.len()).enumerate() {
        let mut sums = [0i32; LANES];
        for at in (first..first + span).step_by(2 * LANES) {
            for (lane, sum) in sums.iter_mut().enumerate() {
                let i = at + 2 * lane;
                *sum += i32::from(row[i]) * i32::from(x[i])
                    + i32::from(row[i + 1]) * i32::from(x[i + 1]);
            }
        }
        let ws = lane_scales(scales, first, span);
        for lane in 0..LANES {
            let scale = ws[lane] * xs[g * LANES + lane];
            acc[lane] = (sums[lane] as f32).mul_add(scale, acc[lane]);
        }
    }
    sum_lanes(acc)
}

/// The lanes' sums added in the order the vector kernels add them: the halves, the
/// quarters, then pairs.
fn sum_lanes(a: [f32; LANES]) -> f32 {
    let b: [f32; 8] = std::array::from_fn(|i| a[i] + a[i + 8]);
    let c = [b[0] + b[4], b[1] + b[5], b[2] + b[6], b[3] + b[7]];
    (c[0] + c[2]) + (c[1] + c[3])
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn dots_avx512<const T: usize>(
    row: &[i8],
    scales: &[f32],
    x: &[i16],
    xs: &[f32],
) -> [f32; T] {
    use std::arch::x86_64::*;
    let n = row.len();
    let lanes = xs.len() / T;
    let mut acc = [_mm512_setzero_ps(); T];
    let iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (g, (first, span)) in groups(n).enumerate() {
        // Each lane's block scale: the group's blocks loaded, then spread to the lanes
        // (lane × width / BLOCK), so a half-block group uses each scale twice.
        let width = span / LANES;
        let blocks = span / BLOCK;
        let present = ((1u32 << blocks) - 1) as u16;
        let raw = _mm512_maskz_loadu_ps(present, scales.as_ptr().add(first / BLOCK));
        let which =
            _mm512_srli_epi32::<5>(_mm512_mullo_epi32(iota, _mm512_set1_epi32(width as i32)));
        let row_scales = _mm512_permutexvar_ps(which, raw);
        let mut sums = [_mm512_setzero_si512(); T];
        let mut at = first;
        while at < first + span {
            let w = _mm512_cvtepi8_epi16(_mm256_loadu_si256(row.as_ptr().add(at).cast()));
            for (t, sum) in sums.iter_mut().enumerate() {
                let v = _mm512_loadu_si512(x.as_ptr().add(t * n + at).cast());
                *sum = _mm512_dpwssd_epi32(*sum, w, v);
            }
            at += 2 * LANES;
        }
        for (t, a) in acc.iter_mut().enumerate() {
            let scale = _mm512_mul_ps(
                row_scales,
                _mm512_loadu_ps(xs.as_ptr().add(t * lanes + g * LANES)),
            );
            *a = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums[t]), scale, *a);
        }
    }
    let mut out = [0f32; T];
    for (o, a) in out.iter_mut().zip(acc) {
        // `sum_lanes`: halves, quarters, pairs.
        let low = _mm512_castps512_ps256(a);
        let high = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(a)));
        *o = sum_eight(_mm256_add_ps(low, high));
    }
    out
}

/// The last three steps of [`sum_lanes`] on 8 lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_eight(b: std::arch::x86_64::__m256) -> f32 {
    use std::arch::x86_64::*;
    let c = _mm_add_ps(_mm256_castps256_ps128(b), _mm256_extractf128_ps::<1>(b));
    let d = _mm_add_ps(c, _mm_movehl_ps(c, c));
    _mm_cvtss_f32(_mm_add_ss(d, _mm_shuffle_ps::<1>(d, d)))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots_avx2<const T: usize>(row: &[i8], scales: &[f32], x: &[i16], xs: &[f32]) -> [f32; T] {
    use std::arch::x86_64::*;
    let n = row.len();
    let lanes = xs.len() / T;
    let mut low_acc = [_mm256_setzero_ps(); T];
    let mut high_acc = [_mm256_setzero_ps(); T];
    for (g, (first, span)) in groups(n).enumerate() {
        let ws = lane_scales(scales, first, span);
        let (ws_low, ws_high) = (
            _mm256_loadu_ps(ws.as_ptr()),
            _mm256_loadu_ps(ws.as_ptr().add(8)),
        );
        let mut low = [_mm256_setzero_si256(); T];
        let mut high = [_mm256_setzero_si256(); T];
        let mut at = first;
        while at < first + span {
            let w_low = _mm256_cvtepi8_epi16(_mm_loadu_si128(row.as_ptr().add(at).cast()));
            let w_high = _mm256_cvtepi8_epi16(_mm_loadu_si128(row.as_ptr().add(at + 16).cast()));
            for t in 0..T {
                let p = x.as_ptr().add(t * n + at);
                low[t] = _mm256_add_epi32(
                    low[t],
                    _mm256_madd_epi16(w_low, _mm256_loadu_si256(p.cast())),
                );
                high[t] = _mm256_add_epi32(
                    high[t],
                    _mm256_madd_epi16(w_high, _mm256_loadu_si256(p.add(16).cast())),
                );
            }
            at += 2 * LANES;
        }
        for t in 0..T {
            let s = xs.as_ptr().add(t * lanes + g * LANES);
            let (s_low, s_high) = (
                _mm256_mul_ps(ws_low, _mm256_loadu_ps(s)),
                _mm256_mul_ps(ws_high, _mm256_loadu_ps(s.add(8))),
            );
            low_acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(low[t]), s_low, low_acc[t]);
            high_acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(high[t]), s_high, high_acc[t]);
        }
    }
    let mut out = [0f32; T];
    for t in 0..T {
        out[t] = sum_eight(_mm256_add_ps(low_acc[t], high_acc[t]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random values in (−scale, scale), with a few ten times larger (as a model's
    /// activations have).
    fn values(len: usize, seed: u64, scale: f32) -> Vec<f32> {
        let mut s = seed;
        (0..len)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let v = ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale;
                if i % 97 == 13 {
                    v * 10.0
                } else {
                    v
                }
            })
            .collect()
    }

    /// A layer of random weights: natural rows, interleaved rows, scales, bias.
    fn layer(inputs: usize, outputs: usize, seed: u64) -> (Vec<f32>, Vec<i8>, Vec<f32>, Vec<f32>) {
        let w = values(inputs * outputs, seed, 0.1);
        let (rows, scales) = quantise_rows(inputs, &w);
        let bias = values(outputs, seed + 1, 0.5);
        (w, interleave(inputs, &rows), scales, bias)
    }

    #[test]
    fn groups_cover_a_row_without_crossing_a_block() {
        assert_eq!(groups(384).collect::<Vec<_>>(), [(0, 256), (256, 128)]);
        assert_eq!(
            groups(1536).collect::<Vec<_>>(),
            [(0, 512), (512, 512), (1024, 512)]
        );
        assert_eq!(groups(96).collect::<Vec<_>>(), [(0, 64), (64, 32)]);
        // Every input in exactly one lane's run, each run inside one block.
        let natural: Vec<u32> = (0..384).collect();
        let mut laned = vec![0; 384];
        to_lane_order(&natural, &mut laned);
        let mut sorted = laned.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, natural);
        for (first, span) in groups(384) {
            let width = span / LANES;
            for lane in 0..LANES {
                let start = first + lane * width;
                assert_eq!(start / BLOCK, (start + width - 1) / BLOCK);
            }
        }
    }

    #[test]
    fn dense_rows_match_the_float_product() {
        for (inputs, outputs) in [(384, 7), (1536, 5), (96, 3)] {
            let (w, rows, scales, bias) = layer(inputs, outputs, 7);
            let dense = Dense {
                inputs,
                outputs,
                rows: &rows,
                scales: &scales,
                bias: &bias,
            };
            for tokens in [1, 4, 9, 11] {
                let x = values(tokens * inputs, 99 + tokens as u64, 1.0);
                let y = dense.forward(&x, None);
                for t in 0..tokens {
                    for o in 0..outputs {
                        let exact: f32 = (0..inputs)
                            .map(|i| w[o * inputs + i] * x[t * inputs + i])
                            .sum::<f32>()
                            + bias[o];
                        let magnitude: f32 = (0..inputs)
                            .map(|i| (w[o * inputs + i] * x[t * inputs + i]).abs())
                            .sum();
                        // int8 weights: within a percent of the products' magnitude.
                        assert!(
                            (y[t * outputs + o] - exact).abs() <= 0.01 * magnitude,
                            "{inputs}×{outputs}, {tokens} tokens, ({t}, {o}): {} vs {exact}",
                            y[t * outputs + o]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_kernel_gives_the_same_bits() {
        let kernels = Kernel::available();
        for (inputs, outputs) in [(384, 33), (1536, 9)] {
            let (_, rows, scales, bias) = layer(inputs, outputs, 3);
            let dense = Dense {
                inputs,
                outputs,
                rows: &rows,
                scales: &scales,
                bias: &bias,
            };
            for tokens in [1, 3, 8, 13] {
                let x = values(tokens * inputs, tokens as u64, 2.0);
                let portable = dense.forward_by(&x, Kernel::Portable, None);
                for &kernel in &kernels {
                    let y = dense.forward_by(&x, kernel, None);
                    assert!(
                        y.iter().zip(&portable).all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{kernel:?} differs from the portable loop ({inputs} inputs, {tokens} tokens)"
                    );
                }
            }
        }
    }
}
