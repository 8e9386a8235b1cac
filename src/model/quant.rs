//! Embeddings as int8 codes with one scale per row: what the dense scans read.
//!
//! A 64-dimensional row is 64 bytes instead of 256, so a scan over the catalog moves a quarter of
//! the memory. Rows are unit length, so each row's largest component sets its own scale
//! (`value ≈ code · scale`, codes in −127..=127): every row uses the full int8 range whatever its
//! spread. Rows are padded with zero codes to a multiple of 16 bytes, one SIMD vector. The f32
//! rows are kept beside (`Model::embedding`) for the few exact dot products of explanations and
//! diversity. Recall of int8 against the f32 scan is measured by `vitrine-bench recall` (see
//! docs/BENCHMARKS.md).

use super::Array;

/// Bytes per SIMD vector: row strides are a multiple of this.
pub const LANES: usize = 16;

/// Int8 rows with per-row scales.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quantized {
    /// Meaningful codes per row.
    pub dims: usize,
    /// Codes per row: `dims` rounded up to a multiple of [`LANES`], padded with zeros.
    pub stride: usize,
    /// `rows · stride` codes, row-major.
    pub codes: Array<i8>,
    /// Per row, the value of one code step.
    pub scales: Array<f32>,
    /// The largest length of a row as its codes say (`scale · ‖codes‖`): with the query's length
    /// it bounds every dot product, so a scan can skip rows that could not score high enough.
    pub max_norm: f32,
}

impl Quantized {
    /// Quantizes `dims`-wide rows (any length; an empty matrix or `dims == 0` gives no rows).
    pub fn new(rows: &[f32], dims: usize) -> Self {
        if dims == 0 || rows.is_empty() {
            return Quantized::default();
        }
        let stride = dims.div_ceil(LANES) * LANES;
        let n = rows.len() / dims;
        let mut codes = vec![0i8; n * stride];
        let mut scales = Vec::with_capacity(n);
        let mut max_norm = 0.0f64;
        for (row, out) in rows.chunks_exact(dims).zip(codes.chunks_exact_mut(stride)) {
            // Comparisons and round-half-to-even: both single wasm instructions, where f32::max
            // and f32::round are calls (this loop runs once per value of the catalog at load).
            let max = row
                .iter()
                .fold(0.0f32, |m, x| if x.abs() > m { x.abs() } else { m });
            let scale = max / 127.0;
            if scale > 0.0 {
                codes_of(row, 127.0 / max, out);
            }
            scales.push(scale);
            let squares: i64 = out.iter().map(|&c| i64::from(c) * i64::from(c)).sum();
            max_norm = max_norm.max(f64::from(scale) * (squares as f64).sqrt());
        }
        Quantized {
            dims,
            stride,
            codes: codes.into(),
            scales: scales.into(),
            max_norm: max_norm as f32,
        }
    }

    /// Checks stored codes (a model file's `EMBQ`, read with `max_norm` 0) and computes
    /// `max_norm`. With f32 rows, `maxes` holds each row's largest absolute value, and every scale
    /// must be what [`Quantized::new`] gives for its row; without them (`None`, a version-3 file)
    /// each row stands for its codes scaled to unit length, and every scale must be
    /// [`unit_scale`]'s. Either way every code is within ±127, every row with a scale has a code
    /// of ±127 and a row without one only zeros, and the padding is zero. `done` holds the rows
    /// checked already (while the file was copied in); the others are checked here.
    pub fn checked(
        mut self,
        maxes: Option<&[f32]>,
        mut done: CodeRows,
    ) -> Result<Self, &'static str> {
        if maxes.is_some_and(|m| m.len() != self.len())
            || self.stride != self.dims.div_ceil(LANES) * LANES
            || self.codes.len() != self.len() * self.stride
            || done.checked > self.len()
        {
            return Err("their shape does not match the embeddings");
        }
        let rows = self.codes.chunks_exact(self.stride).zip(&*self.scales);
        for (i, (row, &scale)) in rows.enumerate().skip(done.checked) {
            match maxes {
                Some(m) => done.check(row, self.dims, scale, m[i]),
                None => done.check_unit(row, self.dims, scale),
            }
        }
        if let Some(why) = done.error {
            return Err(why);
        }
        self.max_norm = match maxes {
            Some(_) => done.max_norm as f32,
            None => done.max_square.sqrt() as f32,
        };
        Ok(self)
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// The scale that makes each row of codes unit length ([`unit_scale`]): what a model file
    /// without f32 rows stores beside the codes.
    pub fn unit_scales(&self) -> Vec<f32> {
        self.codes
            .chunks_exact(self.stride)
            .map(|codes| unit_scale(full_and_squares(codes).1))
            .collect()
    }

    /// Every row's `dims` codes times its scale, row-major.
    pub fn values(&self) -> Vec<f32> {
        let rows = self.codes.chunks_exact(self.stride).zip(&*self.scales);
        rows.flat_map(|(codes, &scale)| {
            codes[..self.dims]
                .iter()
                .map(move |&c| f32::from(c) * scale)
        })
        .collect()
    }

    /// Row `i`'s codes (`stride` of them; empty when out of range).
    pub fn row(&self, i: usize) -> &[i8] {
        let start = i * self.stride;
        self.codes.get(start..start + self.stride).unwrap_or(&[])
    }

    /// Row `i`'s scale (0 when out of range).
    pub fn scale(&self, i: usize) -> f32 {
        self.scales.get(i).copied().unwrap_or(0.0)
    }

    /// Bytes held (not counting codes read in place from a model file).
    pub fn memory_bytes(&self) -> usize {
        self.codes.heap_bytes() + self.scales.heap_bytes()
    }
}

/// The checks of stored code rows ([`Quantized::checked`]), made one row at a time and resumable
/// like `super::norms::Rows`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodeRows {
    /// Rows checked: the first `checked`.
    pub checked: usize,
    /// The largest `scale · ‖codes‖` of the rows checked with [`CodeRows::check`].
    pub max_norm: f64,
    /// The largest `(scale · ‖codes‖)²` of the rows checked with [`CodeRows::check_unit`].
    pub max_square: f64,
    /// What the first bad row had wrong.
    pub error: Option<&'static str>,
}

impl CodeRows {
    /// Checks the next row: its `stride` codes (`dims` of them meaningful), its scale, and its f32
    /// row's largest absolute value.
    pub fn check(&mut self, row: &[i8], dims: usize, scale: f32, max: f32) {
        self.checked += 1;
        if self.error.is_some() {
            return;
        }
        let (full, squares) = full_and_squares(row);
        if self.agrees(row, dims, scale, max / 127.0, full, squares) {
            // Compared, not `f64::max`: that is a call in wasm, once per row here.
            let norm = f64::from(scale) * (squares as f64).sqrt();
            if norm > self.max_norm {
                self.max_norm = norm;
            }
        }
    }

    /// Checks the next row of codes that come without f32 rows: the checks of
    /// [`CodeRows::check`], the scale against [`unit_scale`].
    pub fn check_unit(&mut self, row: &[i8], dims: usize, scale: f32) {
        self.checked += 1;
        if self.error.is_some() {
            return;
        }
        let (full, squares) = full_and_squares(row);
        if self.agrees(row, dims, scale, unit_scale(squares), full, squares) {
            // `(scale · ‖codes‖)²`: one square root at the end instead of one per row.
            let square = f64::from(scale) * f64::from(scale) * squares as f64;
            if square > self.max_square {
                self.max_square = square;
            }
        }
    }

    /// [`CodeRows::check_unit`] for consecutive rows: `codes` holds whole rows of `stride` codes
    /// (`dims` meaningful), `scales` their scales. In the SIMD build, rows without padding four at
    /// a time, their four scales compared at once with [`unit_scale`]'s (the same integer sums, the
    /// same f32 conversion, square root and division); a block with anything wrong is checked
    /// row by row, so that the count and the error are [`CodeRows::check_unit`]'s.
    pub fn check_units(&mut self, codes: &[i8], scales: &[f32], stride: usize, dims: usize) {
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let done = 0;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let mut done = 0;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if dims == stride && stride % LANES == 0 && stride > 0 && stride <= 1 << 16 {
            for (rows, four) in codes.chunks_exact(4 * stride).zip(scales.chunks_exact(4)) {
                match simd::unit_block(rows, four, stride) {
                    Some(square) if self.error.is_none() => {
                        self.checked += 4;
                        if square > self.max_square {
                            self.max_square = square;
                        }
                    }
                    _ => {
                        for (row, &scale) in rows.chunks_exact(stride).zip(four) {
                            self.check_unit(row, dims, scale);
                        }
                    }
                }
                done += 4;
            }
        }
        let rows = codes.chunks_exact(stride.max(1)).zip(scales).skip(done);
        for (row, &scale) in rows {
            self.check_unit(row, dims, scale);
        }
    }

    /// Whether the row has the `expected` scale, zero padding, and a largest code of 127 (`full`;
    /// only zero codes, 0 `squares`, for a row without a scale); records what is wrong otherwise.
    fn agrees(
        &mut self,
        row: &[i8],
        dims: usize,
        scale: f32,
        expected: f32,
        full: bool,
        squares: u64,
    ) -> bool {
        if scale.to_bits() != expected.to_bits() {
            self.error = Some("a scale does not match its row");
            return false;
        }
        if row
            .get(dims..)
            .is_none_or(|pad| pad.iter().any(|&c| c != 0))
        {
            self.error = Some("a row's padding is not zero");
            return false;
        }
        let codes_fit = if scale > 0.0 { full } else { squares == 0 };
        if !codes_fit {
            self.error = Some("a row's codes are out of range or do not match its scale");
            return false;
        }
        true
    }
}

/// The scale of a row of codes in a model file without f32 rows: one over the codes' length (the
/// square root of `squares`, the sum of their squares), so that `codes · scale` is the unit-length
/// embedding; 0 for a row of zero codes. The builder writes these scales and loading checks them
/// with this same arithmetic (an exact sum, one f32 square root and one division).
pub fn unit_scale(squares: u64) -> f32 {
    if squares == 0 {
        return 0.0;
    }
    1.0 / (squares as f32).sqrt()
}

/// Whether the codes' largest absolute value is exactly 127 (a code of ±127 and none of −128),
/// and the sum of their squares.
#[inline]
pub(super) fn full_and_squares(row: &[i8]) -> (bool, u64) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if row.len() % LANES == 0 && row.len() <= 1 << 16 {
        use core::arch::wasm32::*;
        let (fits, sums) = simd::row(row);
        let total = (u32x4_extract_lane::<0>(sums) as u64)
            + (u32x4_extract_lane::<1>(sums) as u64)
            + (u32x4_extract_lane::<2>(sums) as u64)
            + (u32x4_extract_lane::<3>(sums) as u64);
        return (fits, total);
    }
    let peak = row.iter().map(|c| c.unsigned_abs()).max().unwrap_or(0);
    let squares = row
        .iter()
        .map(|&c| u64::from(c.unsigned_abs()).pow(2))
        .sum();
    (peak == 127, squares)
}

/// `out[j] = round_half_even(row[j] · inv)`, clamped to ±127.
fn codes_of(row: &[f32], inv: f32, out: &mut [i8]) {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let mut done = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let (scale, lo, hi) = (f32x4_splat(inv), i32x4_splat(-127), i32x4_splat(127));
        for (x, c) in row.chunks_exact(4).zip(out.chunks_exact_mut(4)) {
            // SAFETY: a chunk of exactly four f32.
            let v = unsafe { v128_load(x.as_ptr() as *const v128) };
            // The scalar steps: multiply, round half to even, saturate, clamp.
            let q = i32x4_trunc_sat_f32x4(f32x4_nearest(f32x4_mul(v, scale)));
            let q = i32x4_min(i32x4_max(q, lo), hi);
            c[0] = i32x4_extract_lane::<0>(q) as i8;
            c[1] = i32x4_extract_lane::<1>(q) as i8;
            c[2] = i32x4_extract_lane::<2>(q) as i8;
            c[3] = i32x4_extract_lane::<3>(q) as i8;
            done += 4;
        }
    }
    for (c, x) in out.iter_mut().zip(row).skip(done) {
        *c = (x * inv).round_ties_even().clamp(-127.0, 127.0) as i8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_within_half_a_step_and_pad_to_lanes() {
        let rows = [0.6, -0.8, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        let q = Quantized::new(&rows, 3);
        assert_eq!((q.len(), q.stride, q.dims), (3, 16, 3));
        assert_eq!(q.row(0).len(), 16);
        assert_eq!(&q.row(0)[..3], &[95, -127, 0]);
        assert!(q.row(0)[3..].iter().all(|&c| c == 0));
        for (i, row) in rows.chunks(3).enumerate() {
            for (c, x) in q.row(i).iter().zip(row) {
                assert!((f32::from(*c) * q.scale(i) - x).abs() <= q.scale(i) / 2.0 + 1e-7);
            }
        }
        assert_eq!(q.scale(2), 0.0, "an all-zero row has no scale");
        assert_eq!(q.row(3), &[] as &[i8]);
        assert!(Quantized::new(&[], 4).is_empty());
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd {
    use super::LANES;
    use core::arch::wasm32::*;

    /// [`super::full_and_squares`] of a row of whole SIMD vectors, at most 2^16 codes, before the
    /// sum's four lanes are added: whether its largest absolute code is 127, and four partial sums
    /// of squares (each below 2^31).
    #[inline(always)]
    pub fn row(row: &[i8]) -> (bool, v128) {
        let (mut full, mut over, mut sums) = (i8x16_splat(0), i8x16_splat(0), i32x4_splat(0));
        let (top, bottom) = (i8x16_splat(127), i8x16_splat(-128));
        for c in row.chunks_exact(LANES) {
            // SAFETY: a chunk of exactly 16 bytes; v128_load allows any alignment.
            let v = unsafe { v128_load(c.as_ptr().cast::<v128>()) };
            // |−128| wraps to −128 in i8x16_abs: never equal to 127.
            full = v128_or(full, i8x16_eq(i8x16_abs(v), top));
            over = v128_or(over, i8x16_eq(v, bottom));
            let lo = i16x8_extmul_low_i8x16(v, v);
            let hi = i16x8_extmul_high_i8x16(v, v);
            sums = i32x4_add(sums, i32x4_extadd_pairwise_u16x8(lo));
            sums = i32x4_add(sums, i32x4_extadd_pairwise_u16x8(hi));
        }
        (v128_any_true(full) && !v128_any_true(over), sums)
    }

    /// Lane `r`: the total of the four lanes of `a[r]` (a transpose, then adds).
    #[inline(always)]
    pub fn lane_totals(a: [v128; 4]) -> v128 {
        let t0 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(a[0], a[1]),
            i32x4_shuffle::<2, 6, 3, 7>(a[0], a[1]),
        );
        let t1 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(a[2], a[3]),
            i32x4_shuffle::<2, 6, 3, 7>(a[2], a[3]),
        );
        i32x4_add(
            i32x4_shuffle::<0, 1, 4, 5>(t0, t1),
            i32x4_shuffle::<2, 3, 6, 7>(t0, t1),
        )
    }

    /// Four rows of `stride` codes without padding and their scales: the largest
    /// `(scale · ‖codes‖)²` when every row passes [`super::CodeRows::check_unit`]'s checks (its
    /// scale is [`super::unit_scale`]'s, and a row with a scale has a code of ±127 and none of
    /// −128), else `None`.
    pub fn unit_block(rows: &[i8], scales: &[f32], stride: usize) -> Option<f64> {
        let mut sums = [i32x4_splat(0); 4];
        let mut fits = [true; 4];
        for (r, row) in rows.chunks_exact(stride).enumerate().take(4) {
            (fits[r], sums[r]) = self::row(row);
        }
        // Lane r: the sum of squares of row r.
        let squares = lane_totals(sums);
        // `unit_scale`: 0 for no squares, else one over the f32 square root of their f32 sum.
        let zero = i32x4_eq(squares, i32x4_splat(0));
        let root = f32x4_sqrt(f32x4_convert_i32x4(squares));
        let expected = v128_andnot(f32x4_div(f32x4_splat(1.0), root), zero);
        if scales.len() < 4 {
            return None;
        }
        // SAFETY: four f32 (checked just above); v128_load allows any alignment.
        let given = unsafe { v128_load(scales.as_ptr().cast::<v128>()) };
        if !i32x4_all_true(i32x4_eq(given, expected)) {
            return None;
        }
        let squares = [
            i32x4_extract_lane::<0>(squares),
            i32x4_extract_lane::<1>(squares),
            i32x4_extract_lane::<2>(squares),
            i32x4_extract_lane::<3>(squares),
        ];
        let mut most = 0.0f64;
        for ((&sq, &fit), &scale) in squares.iter().zip(&fits).zip(scales) {
            // A row with no squares has scale 0 (checked above); one with squares needs ±127.
            if sq != 0 && !fit {
                return None;
            }
            let square = f64::from(scale) * f64::from(scale) * sq as f64;
            if square > most {
                most = square;
            }
        }
        Some(most)
    }
}
