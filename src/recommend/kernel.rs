//! The numeric kernels of ranking: one pass over the embedding matrix.
//!
//! The catalog scan reads int8 rows ([`Quantized`]) against the shopper's vector as int16 codes
//! and accumulates exactly in i32, so the SIMD128 build and the scalar build (for engines
//! without SIMD; the JS loader picks one) compute bit-identical scores. The SIMD kernel takes
//! four rows at a time, each with its own accumulator (a single running sum would serialise on
//! the add latency), then reduces the four in one transpose.

use crate::model::Quantized;

/// The shopper's (or the anchor's) vector as int16 codes, padded like the rows it meets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// `stride` codes; zeros past the vector's width.
    pub codes: Vec<i16>,
    /// The value of one code step.
    pub scale: f32,
}

impl Query {
    /// Codes for `u` against rows of `stride` codes (`u.len() <= stride`). The largest code is
    /// chosen so that no sum of `stride` products with int8 codes can overflow an i32.
    pub fn new(u: &[f32], stride: usize) -> Self {
        let mut codes = vec![0i16; stride];
        let max = u.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let top = (i32::MAX as usize / (127 * stride.max(1))).min(i16::MAX as usize) as f32;
        let scale = if max > 0.0 && max.is_finite() {
            max / top
        } else {
            0.0
        };
        if scale > 0.0 {
            for (c, x) in codes.iter_mut().zip(u) {
                *c = (x / scale).round().clamp(-top, top) as i16;
            }
        }
        Query { codes, scale }
    }
}

/// Exact integer dot product of a row's codes and a query's codes.
pub fn dot_codes(row: &[i8], q: &[i16]) -> i32 {
    row.iter()
        .zip(q)
        .fold(0i32, |acc, (&x, &y)| acc + i32::from(x) * i32::from(y))
}

/// The dot product of row `i` with the query, from its codes (what [`scan`] hands out for it).
pub fn dot_row(m: &Quantized, q: &Query, i: usize) -> f32 {
    dot_codes(m.row(i), &q.codes) as f32 * (m.scale(i) * q.scale)
}

/// Calls `f(i, dot(row_i, query))` for every row, in order. Does nothing when the query does
/// not match the rows' stride.
pub fn scan(m: &Quantized, q: &Query, mut f: impl FnMut(usize, f32)) {
    if q.codes.len() != m.stride || m.stride == 0 || m.codes.len() != m.len() * m.stride {
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = simd::scan4(m, q, &mut f);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    for i in done..m.len() {
        f(i, dot_row(m, q, i));
    }
}

/// A score that is a sum of per-item lookups plus the weighted dot product (`for_you`'s dense
/// part): `max(0, dot_i) · embedding + prior[i] + category_table[category[i]] +
/// brand_table[brand[i]] + band_table[band[i]]`, added in that order. Indexes past a table's end
/// read its last entry (tables end with the value of "none").
pub struct Terms<'a> {
    pub embedding: f32,
    pub prior: &'a [f32],
    pub category: &'a [u32],
    pub category_table: &'a [f32],
    pub brand: &'a [u32],
    pub brand_table: &'a [f32],
    pub band: &'a [u8],
    pub band_table: &'a [f32; 16],
}

impl Terms<'_> {
    /// How many items every per-item slice covers.
    fn len(&self) -> usize {
        self.prior
            .len()
            .min(self.category.len())
            .min(self.brand.len())
            .min(self.band.len())
    }

    #[inline(always)]
    fn lookups(&self, i: usize) -> (f32, f32, f32) {
        let pick = |table: &[f32], at: u32| {
            let last = table.len().saturating_sub(1);
            table.get((at as usize).min(last)).copied().unwrap_or(0.0)
        };
        (
            pick(
                self.category_table,
                self.category.get(i).copied().unwrap_or(u32::MAX),
            ),
            pick(
                self.brand_table,
                self.brand.get(i).copied().unwrap_or(u32::MAX),
            ),
            self.band_table[usize::from(self.band.get(i).copied().unwrap_or(15)) & 15],
        )
    }

    /// Item `i`'s score for a dot product `d`.
    #[inline(always)]
    pub fn at(&self, i: usize, d: f32) -> f32 {
        let relu = if d > 0.0 { d } else { 0.0 };
        let (c, b, p) = self.lookups(i);
        relu * self.embedding + self.prior.get(i).copied().unwrap_or(0.0) + c + b + p
    }
}

/// Scores every item with `terms` in one pass over the rows (dot products of zero without a
/// query), skipping items whose bit is set in `marks`, and hands `candidate(i, score)` every item
/// whose score reaches the threshold `candidate` last returned (−∞ to begin with). The SIMD and
/// scalar builds compute the same scores bit for bit.
pub fn scan_terms(
    m: &Quantized,
    q: Option<&Query>,
    terms: &Terms<'_>,
    marks: &[u32],
    mut candidate: impl FnMut(u32, f32) -> f32,
) {
    let q = q.filter(|q| {
        q.codes.len() == m.stride && m.stride > 0 && m.codes.len() == m.len() * m.stride
    });
    let n = match q {
        Some(_) => terms.len().min(m.len()),
        None => terms.len(),
    };
    let marked = |i: usize| marks.get(i / 32).is_some_and(|w| w & (1 << (i % 32)) != 0);
    let mut thr = f32::NEG_INFINITY;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = simd::scan_terms4(m, q, terms, marks, n, &mut thr, &mut candidate);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    for i in done..n {
        if marked(i) {
            continue;
        }
        let d = q.map_or(0.0, |q| dot_row(m, q, i));
        let score = terms.at(i, d);
        if score >= thr {
            thr = candidate(i as u32, score);
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{Quantized, Query};
    use core::arch::wasm32::*;

    /// Scans rows four at a time; returns how many rows it covered (a multiple of four).
    pub fn scan4(m: &Quantized, q: &Query, f: &mut impl FnMut(usize, f32)) -> usize {
        let full = m.len() / 4 * 4;
        let mut i = 0;
        while i < full {
            let d = dots4(m, q, i);
            f(i, f32x4_extract_lane::<0>(d));
            f(i + 1, f32x4_extract_lane::<1>(d));
            f(i + 2, f32x4_extract_lane::<2>(d));
            f(i + 3, f32x4_extract_lane::<3>(d));
            i += 4;
        }
        full
    }

    /// [`super::scan_terms`] four items at a time; returns how many items it covered.
    pub fn scan_terms4(
        m: &Quantized,
        q: Option<&Query>,
        t: &super::Terms<'_>,
        marks: &[u32],
        n: usize,
        thr: &mut f32,
        candidate: &mut impl FnMut(u32, f32) -> f32,
    ) -> usize {
        let full = n / 4 * 4;
        let zero = f32x4_splat(0.0);
        let we = f32x4_splat(t.embedding);
        let pp = t.prior.as_ptr();
        let mut limit = f32x4_splat(*thr);
        let mut i = 0;
        while i < full {
            let d = match q {
                Some(q) => dots4(m, q, i),
                None => zero,
            };
            let (c0, b0, p0) = t.lookups(i);
            let (c1, b1, p1) = t.lookups(i + 1);
            let (c2, b2, p2) = t.lookups(i + 2);
            let (c3, b3, p3) = t.lookups(i + 3);
            // SAFETY: i + 4 ≤ full ≤ n ≤ prior.len() (`Terms::len`).
            let prior = unsafe { v128_load(pp.add(i) as *const v128) };
            // The scalar order: relu · embedding + prior + category + brand + band.
            let mut s = f32x4_add(f32x4_mul(f32x4_max(d, zero), we), prior);
            s = f32x4_add(s, f32x4(c0, c1, c2, c3));
            s = f32x4_add(s, f32x4(b0, b1, b2, b3));
            s = f32x4_add(s, f32x4(p0, p1, p2, p3));
            let word = marks.get(i / 32).copied().unwrap_or(0) >> (i % 32);
            let mut hits = i32x4_bitmask(f32x4_ge(s, limit)) as u32 & !word & 0xF;
            if hits != 0 {
                let lanes = [
                    f32x4_extract_lane::<0>(s),
                    f32x4_extract_lane::<1>(s),
                    f32x4_extract_lane::<2>(s),
                    f32x4_extract_lane::<3>(s),
                ];
                while hits != 0 {
                    let l = hits.trailing_zeros() as usize;
                    hits &= hits - 1;
                    if lanes[l] >= *thr {
                        *thr = candidate((i + l) as u32, lanes[l]);
                    }
                }
                limit = f32x4_splat(*thr);
            }
            i += 4;
        }
        full
    }

    /// Dot products of rows i..i+4 with the query.
    #[inline(always)]
    fn dots4(m: &Quantized, q: &Query, i: usize) -> v128 {
        let stride = m.stride;
        let codes = m.codes.as_ptr();
        let qp = q.codes.as_ptr();
        let (mut a0, mut a1, mut a2, mut a3) = (
            i32x4_splat(0),
            i32x4_splat(0),
            i32x4_splat(0),
            i32x4_splat(0),
        );
        let mut k = 0;
        while k < stride {
            // SAFETY: the caller checked codes.len() == rows·stride, q.codes.len() == stride (a
            // multiple of 16) and i + 4 ≤ rows; k + 16 ≤ stride.
            unsafe {
                let ql = v128_load(qp.add(k) as *const v128);
                let qh = v128_load(qp.add(k + 8) as *const v128);
                let row = codes.add(i * stride + k);
                a0 = i32x4_add(a0, dot16(v128_load(row as *const v128), ql, qh));
                a1 = i32x4_add(a1, dot16(v128_load(row.add(stride) as *const v128), ql, qh));
                a2 = i32x4_add(
                    a2,
                    dot16(v128_load(row.add(2 * stride) as *const v128), ql, qh),
                );
                a3 = i32x4_add(
                    a3,
                    dot16(v128_load(row.add(3 * stride) as *const v128), ql, qh),
                );
            }
            k += 16;
        }
        // Transpose-reduce: lane r is the total of accumulator r.
        let t0 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(a0, a1),
            i32x4_shuffle::<2, 6, 3, 7>(a0, a1),
        );
        let t1 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(a2, a3),
            i32x4_shuffle::<2, 6, 3, 7>(a2, a3),
        );
        let sums = i32x4_add(
            i32x4_shuffle::<0, 1, 4, 5>(t0, t1),
            i32x4_shuffle::<2, 3, 6, 7>(t0, t1),
        );
        // SAFETY: i + 4 ≤ rows = scales.len().
        let scales = unsafe { v128_load(m.scales.as_ptr().add(i) as *const v128) };
        f32x4_mul(
            f32x4_convert_i32x4(sums),
            f32x4_mul(scales, f32x4_splat(q.scale)),
        )
    }

    /// Sixteen int8 codes against sixteen int16 codes, as four partial i32 sums.
    #[inline(always)]
    fn dot16(x: v128, ql: v128, qh: v128) -> v128 {
        i32x4_add(
            i32x4_dot_i16x8(i16x8_extend_low_i8x16(x), ql),
            i32x4_dot_i16x8(i16x8_extend_high_i8x16(x), qh),
        )
    }
}

/// `out[i] = max(0, dot(row_i, u)) · scale` for every `dims`-wide f32 row of `matrix` (the exact
/// scan, kept to measure the int8 scan against).
pub fn dot_rows(matrix: &[f32], dims: usize, u: &[f32], scale: f32, out: &mut [f32]) {
    if dims == 0 || u.len() != dims {
        out.iter_mut().for_each(|x| *x = 0.0);
        return;
    }
    for (row, o) in matrix.chunks_exact(dims).zip(out.iter_mut()) {
        *o = dot(row, u).max(0.0) * scale;
    }
}

/// Dot product of two equal-length slices (the shorter length when they differ).
///
/// Four independent accumulators let the compiler keep four multiply-adds in flight.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn matches_the_naive_sum() {
        let a: Vec<f32> = (0..13).map(|i| i as f32 * 0.5 - 2.0).collect();
        let b: Vec<f32> = (0..13).map(|i| 1.0 - i as f32 * 0.25).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-4);
        let mut out = [0.0; 2];
        dot_rows(&[1.0, 0.0, -1.0, 0.0], 2, &[1.0, 0.0], 2.0, &mut out);
        assert_eq!(out, [2.0, 0.0]);
    }

    fn unit_rows(rng: &mut Rng, n: usize, d: usize) -> Vec<f32> {
        let mut v: Vec<f32> = (0..n * d).map(|_| rng.unit() as f32 - 0.5).collect();
        for row in v.chunks_exact_mut(d) {
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            row.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }

    #[test]
    fn the_int8_scan_visits_every_row_in_order_close_to_the_f32_dot() {
        let mut rng = Rng::new(3);
        for (n, d) in [(1, 3), (7, 16), (33, 64), (10, 100)] {
            let rows = unit_rows(&mut rng, n, d);
            let u = unit_rows(&mut rng, 1, d);
            let m = Quantized::new(&rows, d);
            let q = Query::new(&u, m.stride);
            let mut seen = Vec::new();
            scan(&m, &q, |i, x| seen.push((i, x)));
            assert_eq!(seen.len(), n);
            for (k, &(i, x)) in seen.iter().enumerate() {
                assert_eq!(i, k);
                assert_eq!(x, dot_row(&m, &q, i));
                let exact = dot(&rows[i * d..(i + 1) * d], &u);
                // Each code is within half a step of its value: the error is a few steps.
                assert!((x - exact).abs() < 0.02, "{n}×{d} row {i}: {x} vs {exact}");
            }
        }
    }

    #[test]
    fn query_codes_cannot_overflow_and_a_mismatched_query_scans_nothing() {
        let wide = 1024;
        let q = Query::new(&vec![1.0; wide], wide);
        let worst: i64 = q.codes.iter().map(|&c| 127 * i64::from(c)).sum();
        assert!(worst <= i64::from(i32::MAX));
        assert_eq!(Query::new(&[0.0, 0.0], 16).scale, 0.0);
        assert_eq!(Query::new(&[f32::NAN], 16).scale, 0.0);
        let m = Quantized::new(&[1.0, 0.0], 2);
        let mut calls = 0;
        scan(&m, &Query::new(&[1.0], 32), |_, _| calls += 1);
        assert_eq!(calls, 0);
    }

    #[test]
    fn scan_terms_scores_every_unmarked_item_and_follows_the_threshold() {
        let mut rng = Rng::new(5);
        let (n, d) = (203, 40);
        let rows = unit_rows(&mut rng, n, d);
        let m = Quantized::new(&rows, d);
        let q = Query::new(&unit_rows(&mut rng, 1, d), m.stride);
        let prior: Vec<f32> = (0..n).map(|_| rng.unit() as f32).collect();
        let category: Vec<u32> = (0..n as u32)
            .map(|i| if i % 9 == 0 { u32::MAX } else { i % 5 })
            .collect();
        let brand: Vec<u32> = (0..n as u32).map(|i| i % 3).collect();
        let band: Vec<u8> = (0..n).map(|i| (i % 14) as u8).collect();
        let band_table = [0.1; 16];
        let terms = Terms {
            embedding: 0.5,
            prior: &prior,
            category: &category,
            category_table: &[1.0, 2.0, 3.0, 4.0, 5.0, 0.0],
            brand: &brand,
            brand_table: &[0.5, 0.25, 0.0, 0.0],
            band: &band,
            band_table: &band_table,
        };
        let mut marks = vec![0u32; n.div_ceil(32)];
        for i in [0usize, 7, 64, 202] {
            marks[i / 32] |= 1 << (i % 32);
        }
        for query in [Some(&q), None] {
            // A threshold that never rises sees every unmarked item once, in order.
            let mut seen = Vec::new();
            scan_terms(&m, query, &terms, &marks, |i, s| {
                seen.push((i, s));
                f32::NEG_INFINITY
            });
            let expect: Vec<(u32, f32)> = (0..n)
                .filter(|i| ![0, 7, 64, 202].contains(i))
                .map(|i| {
                    let dot = query.map_or(0.0, |q| dot_row(&m, q, i));
                    (i as u32, terms.at(i, dot))
                })
                .collect();
            assert_eq!(seen, expect);
            assert_eq!(
                terms.at(9, 0.0),
                prior[9] + 0.0 + 0.5 + 0.1,
                "no category reads the last entry"
            );
            // A threshold at the best score lets nothing else through.
            let best = expect.iter().map(|x| x.1).fold(f32::MIN, f32::max);
            let mut calls = 0;
            scan_terms(&m, query, &terms, &marks, |_, s| {
                calls += 1;
                assert!(calls == 1 || s >= best);
                best
            });
            assert!(calls <= 1 + expect.iter().filter(|x| x.1 >= best).count());
        }
    }
}
