//! The checks loading makes of every embedding row: finite, unit length or not (rows that are
//! not are scaled to it), and the largest absolute value (what the row's int8 scale must be).
//!
//! The reference is [`squares_and_max`]: the sum of the squares in f64, which does not vanish or
//! overflow for any finite f32, and a row counts as unit length when that sum is within 1e-6 of 1.
//! The SIMD build first sums in f32 (a third of the instructions: no conversions to f64) with a
//! bound on that sum's rounding error, and falls back to the f64 sum only when the bound cannot
//! tell: the decision is the f64 one either way. This pass over the rows (25.6 MB for 100,000
//! items of 64 dimensions) was the largest part of `open` after the checksum and the copy into
//! wasm memory.

/// Largest distance of the sum of squares from 1 for a row that is unit length.
const UNIT: f64 = 1e-6;

/// The checks of a matrix's rows, made one row at a time and resumable: loading makes them on the
/// rows of a model file as they are copied in (each piece still in cache,
/// `super::file::Incoming`), then on the rows not seen there.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Rows checked: the first `checked` rows of the matrix.
    pub checked: usize,
    /// Each checked row's largest absolute value (what its int8 scale must be).
    pub maxes: Vec<f32>,
    /// Checked rows that are not unit length, with their norms (0 for a zero row: left as it is).
    pub uneven: Vec<(usize, f64)>,
    /// Some checked row holds a value that is not finite.
    pub not_finite: bool,
}

impl Rows {
    /// Checks the next row.
    pub fn check(&mut self, row: &[f32]) {
        // In f64: squares of f32 values below 1e-19 vanish and above 1e19 overflow in f32,
        // leaving such rows far from unit length (or zero). A value that is not finite makes the
        // sum not finite (the square of a finite f32 is far below f64's range).
        let (unit, max) = unit_and_max(row).unwrap_or_else(|| {
            self.not_finite = true;
            (true, 0.0)
        });
        self.maxes.push(max);
        // Rows of a model file are unit length already, up to f32 rounding (the builder and
        // `to_bytes` write them so): dividing again would move only the last bits (the norm stays
        // within 5e-7 of 1), and costs a division per value at load.
        if !unit {
            // The sum in order, as before the four-way sum was used for the test.
            let squares = row.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
            let norm = squares.sqrt();
            if norm > 0.0 {
                self.uneven.push((self.checked, norm));
            }
        }
        self.checked += 1;
    }
}

/// Whether `row` is unit length, and its largest absolute value; `None` when a value is not finite.
pub(super) fn unit_and_max(row: &[f32]) -> Option<(bool, f32)> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if let Some(decided) = simd::screen(row) {
        return decided;
    }
    let (squares, max) = squares_and_max(row);
    squares
        .is_finite()
        .then(|| ((squares - 1.0).abs() <= UNIT, max))
}

/// The f32 sum's decision when its error bound allows one: `Some(None)` when a value is not
/// finite, `Some(Some(..))` the decision, `None` when the f64 sum must decide.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    pub(super) fn screen(row: &[f32]) -> Option<Option<(bool, f32)>> {
        if row.is_empty() || row.len() % 16 != 0 {
            return None;
        }
        let zero = f32x4_splat(0.0);
        let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
        let (mut m0, mut m1) = (u32x4_splat(0), u32x4_splat(0));
        let abs = u32x4_splat(0x7FFF_FFFF);
        for c in row.chunks_exact(16) {
            // SAFETY: a chunk of exactly sixteen f32 (64 bytes); v128_load allows any alignment.
            let (v0, v1, v2, v3) = unsafe {
                let p = c.as_ptr().cast::<v128>();
                (
                    v128_load(p),
                    v128_load(p.add(1)),
                    v128_load(p.add(2)),
                    v128_load(p.add(3)),
                )
            };
            a0 = f32x4_add(a0, f32x4_mul(v0, v0));
            a1 = f32x4_add(a1, f32x4_mul(v1, v1));
            a2 = f32x4_add(a2, f32x4_mul(v2, v2));
            a3 = f32x4_add(a3, f32x4_mul(v3, v3));
            // Absolute values by their bits: for those, the integer order is the float order, and
            // NaN and the infinities are above every finite value.
            m0 = u32x4_max(m0, u32x4_max(v128_and(v0, abs), v128_and(v1, abs)));
            m1 = u32x4_max(m1, u32x4_max(v128_and(v2, abs), v128_and(v3, abs)));
        }
        let m = u32x4_max(m0, m1);
        let top = [
            u32x4_extract_lane::<0>(m),
            u32x4_extract_lane::<1>(m),
            u32x4_extract_lane::<2>(m),
            u32x4_extract_lane::<3>(m),
        ]
        .into_iter()
        .fold(0, u32::max);
        if top >= f32::INFINITY.to_bits() {
            return Some(None);
        }
        let t = f32x4_add(f32x4_add(a0, a1), f32x4_add(a2, a3));
        let sum = (f32x4_extract_lane::<0>(t) + f32x4_extract_lane::<1>(t))
            + (f32x4_extract_lane::<2>(t) + f32x4_extract_lane::<3>(t));
        super::decide(f64::from(sum), row.len()).map(|unit| Some((unit, f32::from_bits(top))))
    }
}

/// Rows longer than this are left to the f64 sum.
const SCREENED: usize = 1024;

/// Whether a row is unit length, from `sum`, the f32 sum of the squares of its `len` values in
/// the SIMD build's order: each product rounded once, at most `len / 16 - 1` additions in its lane
/// and four in the reduction, so its distance from the exact sum is at most `(len / 16 + 4) · 2⁻²⁴`
/// of the exact sum (plus what products below f32's normal range lose, far below 1e-30); one more
/// unit of 2⁻²⁴ covers the second-order terms. The f64 sum is within 1e-13 of the exact one for
/// rows of at most [`SCREENED`] values. `None` when the bound cannot tell.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
fn decide(sum: f64, len: usize) -> Option<bool> {
    if !sum.is_finite() || len > SCREENED {
        return None;
    }
    let per_lane = len.div_ceil(16);
    let bound = (per_lane as f64 + 5.0) * (1.0 / 16_777_216.0) * sum + 1e-30;
    let off = (sum - 1.0).abs();
    if off + bound <= UNIT - 1e-12 {
        Some(true)
    } else if off - bound > UNIT + 1e-12 {
        Some(false)
    } else {
        None
    }
}

/// The sum of the squares of `row` in f64, four partial sums at a time (one dependent addition
/// per value was a tenth of `open`), and its largest absolute value.
pub(super) fn squares_and_max(row: &[f32]) -> (f64, f32) {
    #[inline(always)]
    fn add(sum: &mut f64, max: &mut f32, x: f32) {
        *sum += f64::from(x) * f64::from(x);
        let a = x.abs();
        if a > *max {
            *max = a;
        }
    }
    // Unrolled by hand: the shipped build's opt-level "s" does not unroll loops.
    let (mut s0, mut s1, mut s2, mut s3) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let (mut m0, mut m1, mut m2, mut m3) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut chunks = row.chunks_exact(4);
    // The same four sums and maxima with SIMD (lanes 0 and 1 in one f64 pair, 2 and 3 in the
    // other): the same additions in the same order, so the result is bit for bit the scalar one.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let (mut lo, mut hi, mut mx) = (f64x2_splat(0.0), f64x2_splat(0.0), f32x4_splat(0.0));
        for c in &mut chunks {
            // SAFETY: a chunk of exactly four f32 (16 bytes); v128_load allows any alignment.
            let v = unsafe { v128_load(c.as_ptr().cast::<v128>()) };
            let l = f64x2_promote_low_f32x4(v);
            let h = f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 0, 1>(v, v));
            lo = f64x2_add(lo, f64x2_mul(l, l));
            hi = f64x2_add(hi, f64x2_mul(h, h));
            let a = f32x4_abs(v);
            // `a > m ? a : m`, lane by lane, as the scalar code.
            mx = v128_bitselect(a, mx, f32x4_gt(a, mx));
        }
        // From zero: adding to 0 and taking the larger of 0 and a non-negative value change
        // nothing.
        s0 += f64x2_extract_lane::<0>(lo);
        s1 += f64x2_extract_lane::<1>(lo);
        s2 += f64x2_extract_lane::<0>(hi);
        s3 += f64x2_extract_lane::<1>(hi);
        // `f32::max` is a call in wasm (it differs from the instruction on NaN): compare.
        let larger = |m: f32, x: f32| if x > m { x } else { m };
        m0 = larger(m0, f32x4_extract_lane::<0>(mx));
        m1 = larger(m1, f32x4_extract_lane::<1>(mx));
        m2 = larger(m2, f32x4_extract_lane::<2>(mx));
        m3 = larger(m3, f32x4_extract_lane::<3>(mx));
    }
    for c in &mut chunks {
        add(&mut s0, &mut m0, c[0]);
        add(&mut s1, &mut m1, c[1]);
        add(&mut s2, &mut m2, c[2]);
        add(&mut s3, &mut m3, c[3]);
    }
    for &x in chunks.remainder() {
        add(&mut s0, &mut m0, x);
    }
    let m = [m1, m2, m3]
        .into_iter()
        .fold(m0, |m, x| if x > m { x } else { m });
    ((s0 + s1) + (s2 + s3), m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The f32 sum of squares in the SIMD build's order (four vectors of four lanes, then a tree).
    fn simd_order_sum(row: &[f32]) -> f32 {
        let mut acc = [[0.0f32; 4]; 4];
        for c in row.chunks_exact(16) {
            for (j, a) in acc.iter_mut().enumerate() {
                for (l, x) in a.iter_mut().enumerate() {
                    let v = c[4 * j + l];
                    *x += v * v;
                }
            }
        }
        let t: Vec<f32> = (0..4)
            .map(|l| (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]))
            .collect();
        (t[0] + t[1]) + (t[2] + t[3])
    }

    #[test]
    fn the_f32_screen_never_contradicts_the_f64_sum() {
        let mut rng = Rng::new(11);
        let mut decided = 0;
        for case in 0..20_000 {
            let d = [16, 32, 64, 128, 1024][case % 5];
            let mut row: Vec<f64> = (0..d).map(|_| rng.unit() - 0.5).collect();
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            // Around the threshold: unit rows, and rows off by up to a few 1e-6.
            let target = 1.0 + (rng.unit() - 0.5) * 6e-6 * (case % 3) as f64;
            row.iter_mut().for_each(|x| *x *= target.sqrt() / norm);
            let row: Vec<f32> = row.iter().map(|&x| x as f32).collect();
            let (squares, _) = squares_and_max(&row);
            let exact = (squares - 1.0).abs() <= UNIT;
            if let Some(unit) = decide(f64::from(simd_order_sum(&row)), d) {
                assert_eq!(unit, exact, "d {d}, sum of squares {squares}");
                decided += 1;
            }
        }
        assert!(decided > 12_000, "the screen decides most rows ({decided})");
        assert_eq!(decide(f64::INFINITY, 64), None);
        assert_eq!(decide(1.0, 64), Some(true));
        assert_eq!(decide(0.0, 64), Some(false));
        assert_eq!(decide(1.0, 2048), None, "long rows are left to the f64 sum");
    }
}
