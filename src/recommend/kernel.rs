//! The numeric kernels of ranking: one pass over the embedding matrix.
//!
//! The catalog scan reads int8 rows ([`Quantized`]) against the shopper's vector as int16 codes
//! and accumulates exactly in i32, so the SIMD128 build and the scalar build (for engines
//! without SIMD; the JS loader picks one) compute bit-identical scores. The SIMD kernel takes
//! four rows at a time, each with its own accumulator (a single running sum would serialise on
//! the add latency), then reduces the four in one transpose.

use super::groups::Groups;
use crate::model::{Embedding, Quantized};

/// The shopper's (or the anchor's) vector as int16 codes, padded like the rows it meets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    /// `stride` codes; zeros past the vector's width.
    pub codes: Vec<i16>,
    /// The value of one code step.
    pub scale: f32,
    /// The length of the vector the codes stand for (`scale · ‖codes‖`).
    pub norm: f32,
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
                *c = (x / scale).round_ties_even().clamp(-top, top) as i16;
            }
        }
        let squares: i64 = codes.iter().map(|&c| i64::from(c) * i64::from(c)).sum();
        let norm = (f64::from(scale) * (squares as f64).sqrt()) as f32;
        Query { codes, scale, norm }
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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::dot1(m, q, i);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    return dot_codes(m.row(i), &q.codes) as f32 * (m.scale(i) * q.scale);
}

/// How many rows [`scan_groups`] collects before it scores them.
const BATCH: usize = 4;

/// Rows whose dot product a scan computed, with `--features scan-stats` (`vitrine-bench time`
/// prints it per call: how much of the catalog a shelf reads). Not in the shipped module.
#[cfg(feature = "scan-stats")]
pub static ROWS_SCORED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[cfg(test)]
thread_local! {
    /// The same count in tests, per test thread.
    pub static TEST_ROWS: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

#[inline(always)]
fn count_rows(_n: usize) {
    #[cfg(feature = "scan-stats")]
    ROWS_SCORED.fetch_add(_n as u64, std::sync::atomic::Ordering::Relaxed);
    #[cfg(test)]
    TEST_ROWS.set(TEST_ROWS.get() + _n as u64);
}

/// Calls `f(i, dot(row_i, query))` for every row, in order. Does nothing when the query does
/// not match the rows' stride.
pub fn scan(m: &Quantized, q: &Query, mut f: impl FnMut(usize, f32)) {
    if q.codes.len() != m.stride || m.stride == 0 || m.codes.len() != m.len() * m.stride {
        return;
    }
    count_rows(m.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = simd::scan4(m, q, &mut f);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    for i in done..m.len() {
        f(i, dot_row(m, q, i));
    }
}

/// The most a row can score from its dot `d`: `max(0, d) · weight + rest` ([`scan_above`]).
#[derive(Clone, Copy, Debug)]
pub struct Floor {
    pub weight: f32,
    pub rest: f32,
}

impl Floor {
    /// `max(0, d) · weight + rest`, as the SIMD build computes it lane by lane.
    #[inline(always)]
    pub fn upper(&self, d: f32) -> f32 {
        // `f32::max` is a call in wasm (for NaN); a NaN dot counts as 0 either way.
        (if d > 0.0 { d } else { 0.0 }) * self.weight + self.rest
    }
}

/// [`scan`] for a caller that keeps a threshold: calls `f(i, d)` only for the rows whose
/// `floor.upper(d)` is not below it (`start`, then what `f` last returned; it never falls), in
/// order. The SIMD build compares four rows at once and calls back only for the rows that pass,
/// the same calls as the row-by-row test: a row below the threshold of its block of four is below
/// every later one.
pub fn scan_above(
    m: &Quantized,
    q: &Query,
    floor: Floor,
    start: f32,
    mut f: impl FnMut(usize, f32) -> f32,
) {
    if q.codes.len() != m.stride || m.stride == 0 || m.codes.len() != m.len() * m.stride {
        return;
    }
    let mut thr = start;
    count_rows(m.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let done = simd::scan4_above(m, q, floor, &mut thr, &mut f);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let done = 0;
    for i in done..m.len() {
        let d = dot_row(m, q, i);
        if floor.upper(d) >= thr {
            thr = f(i, d);
        }
    }
}

/// A score that is a sum of per-item lookups plus the weighted dot product (`for_you`'s dense
/// part): `max(0, dot_i) · embedding + base_i`, where `base_i = prior[i] +
/// category_table[category[i]] + brand_table[brand[i]] + band_table[band[i]]` is added up first,
/// in that order ([`Terms::base_of`]). Indexes past a table's end read its last entry (tables end
/// with the value of "none").
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

/// One item's values as [`Terms`] reads them (defaults past the end of a slice: no prior, no
/// category, no brand, no price band).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Row {
    pub prior: f32,
    pub category: u32,
    pub brand: u32,
    pub band: u8,
}

impl Row {
    /// An item past the end of the slices: no prior, no category, no brand, no price band.
    pub const NONE: Row = Row {
        prior: 0.0,
        category: u32::MAX,
        brand: u32::MAX,
        band: 15,
    };

    /// Item `i`'s values in the per-item slices.
    #[inline(always)]
    pub fn of(prior: &[f32], category: &[u32], brand: &[u32], band: &[u8], i: usize) -> Self {
        let none = Row::NONE;
        Row {
            prior: prior.get(i).copied().unwrap_or(none.prior),
            category: category.get(i).copied().unwrap_or(none.category),
            brand: brand.get(i).copied().unwrap_or(none.brand),
            band: band.get(i).copied().unwrap_or(none.band),
        }
    }
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

    /// Item `i`'s values (read once for [`Terms::base_of`] and [`Terms::score_of`]).
    #[inline(always)]
    pub fn row(&self, i: usize) -> Row {
        Row::of(self.prior, self.category, self.brand, self.band, i)
    }

    /// The category, brand and band terms of a row.
    #[inline(always)]
    fn lookups(&self, r: &Row) -> (f32, f32, f32) {
        let pick = |table: &[f32], at: u32| {
            let last = table.len().saturating_sub(1);
            table.get((at as usize).min(last)).copied().unwrap_or(0.0)
        };
        (
            pick(self.category_table, r.category),
            pick(self.brand_table, r.brand),
            self.band_table[usize::from(r.band) & 15],
        )
    }

    /// Everything but the dot product, summed (for the bound that lets a scan skip a row).
    #[inline(always)]
    pub fn base_of(&self, r: &Row) -> f32 {
        let (c, b, p) = self.lookups(r);
        r.prior + c + b + p
    }

    /// A row's score for a dot product `d`.
    #[inline(always)]
    pub fn score_of(&self, r: &Row, d: f32) -> f32 {
        self.score_with(self.base_of(r), d)
    }

    /// The score of a row whose [`Terms::base_of`] is `base`, for a dot product `d` (a scan that
    /// bounded the row by its base already has it).
    #[inline(always)]
    pub fn score_with(&self, base: f32, d: f32) -> f32 {
        let relu = if d > 0.0 { d } else { 0.0 };
        relu * self.embedding + base
    }

    /// Item `i`'s score for a dot product `d`.
    #[inline(always)]
    pub fn at(&self, i: usize, d: f32) -> f32 {
        self.score_of(&self.row(i), d)
    }
}

/// Scores the items of `groups` with `terms` (dot products of zero without a query), skipping
/// items whose bit is set in `marks`, and hands `candidate(i, score)` every item whose score
/// reaches the threshold: `start` at first, then what `candidate` last returned (it never
/// falls). The SIMD and scalar builds compute the same scores bit for bit.
///
/// An item scores at most its prior + its category's term + the largest brand and band terms +
/// `embedding · max_norm · ‖query‖` (Cauchy–Schwarz; `Quantized::max_norm` bounds every row).
/// Groups are visited by that bound of their best item, highest first, so the threshold rises
/// early; within a group the bound falls item by item ([`Groups`] orders them by prior), so a
/// group ends at its first item that cannot reach the threshold, and a group whose best item
/// cannot is skipped. An item that passes is checked again with its own brand and band before
/// its row is read. Every term is non-negative (weights are clamped to 0..10, affinities and
/// popularity to 0..1), so the relative slack of [`BOUND_SLACK`] covers the rounding of the
/// sums: skipping never changes the result, only how many items are read.
#[inline(never)]
pub fn scan_groups(
    m: &Quantized,
    q: Option<&Query>,
    terms: &Terms<'_>,
    groups: &mut Groups,
    marks: &[u32],
    start: f32,
    mut candidate: impl FnMut(u32, f32) -> f32,
) {
    let q = q.filter(|q| {
        q.codes.len() == m.stride && m.stride > 0 && m.codes.len() == m.len() * m.stride
    });
    let n = match q {
        Some(_) => terms.len().min(m.len()),
        None => terms.len(),
    };
    let bound = dot_bound(m, q, terms);
    let largest = |t: &[f32]| crate::model::max_or_zero(t.iter().copied());
    let rest = largest(terms.brand_table) + largest(terms.band_table) + bound;
    let table = terms.category_table;
    let count = groups.count();
    // A group's category term, or the largest there is when the groups are not the table's
    // categories (then it is only a bound, never wrong).
    let category = |g: usize| {
        if count == table.len() {
            table.get(g).copied().unwrap_or(0.0)
        } else {
            largest(table)
        }
    };
    let marked = |i: usize| marks.get(i / 32).is_some_and(|w| w & (1 << (i % 32)) != 0);
    let mut thr = start;
    // Best bound first, so that the threshold rises early (the order does not change what is
    // found: each group's own bound decides where its scan stops).
    for g in groups.by_bound(category) {
        let g = g as usize;
        let c = category(g);
        // A group whose best item cannot reach the threshold is not read (nor put in order).
        if groups
            .best_prior(g)
            .is_none_or(|best| !reachable(best + c + rest, thr))
        {
            continue;
        }
        // The group's values are stored in this order (put in it as far as read): the reads are
        // sequential, all but the rows of items that could make it. Those are collected
        // [`BATCH`] at a time and their rows scored together (four dot products share the
        // query's loads and run side by side: a broad shopper's `for_you` −7 %). An item
        // collected under a threshold that has risen since is scored for nothing, never missed.
        let mut batch = [(0usize, 0.0f32); BATCH];
        let mut len = 0;
        let mut k = 0;
        'group: loop {
            let part = groups.from(g, k);
            if part.is_empty() {
                break;
            }
            k += part.len();
            for &(i, row) in part {
                if !reachable(row.prior + c + rest, thr) {
                    break 'group;
                }
                let i = i as usize;
                if i >= n || marked(i) {
                    continue;
                }
                let base = terms.base_of(&row);
                if !reachable(base + bound, thr) {
                    continue;
                }
                batch[len] = (i, base);
                len += 1;
                if len == BATCH {
                    score_batch(&batch, m, q, terms, &mut thr, &mut candidate);
                    len = 0;
                }
            }
        }
        score_batch(&batch[..len], m, q, terms, &mut thr, &mut candidate);
    }
}

/// Scores the collected items of [`scan_groups`] in order, handing on those that reach the
/// threshold.
#[inline(always)]
fn score_batch(
    batch: &[(usize, f32)],
    m: &Quantized,
    q: Option<&Query>,
    terms: &Terms<'_>,
    thr: &mut f32,
    candidate: &mut impl FnMut(u32, f32) -> f32,
) {
    let mut dots = [0.0f32; BATCH];
    if let Some(q) = q {
        count_rows(batch.len());
        match batch {
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            &[(a, _), (b, _), (c, _), (d, _)] => dots = simd::dots_at(m, q, [a, b, c, d]),
            _ => {
                for (d, &(i, _)) in dots.iter_mut().zip(batch) {
                    *d = dot_row(m, q, i);
                }
            }
        }
    }
    for (&(i, base), &d) in batch.iter().zip(&dots) {
        let score = terms.score_with(base, d);
        if score >= *thr {
            *thr = candidate(i as u32, score);
        }
    }
}

/// The most `max(0, dot) · embedding` can be for any row: `embedding · max_norm · ‖query‖`.
pub fn dot_bound(m: &Quantized, q: Option<&Query>, terms: &Terms<'_>) -> f32 {
    q.map_or(0.0, |q| terms.embedding * m.max_norm * q.norm)
}

/// Relative slack of the bound test (float sums of at most six non-negative terms are off by
/// less than 1e-6 relative).
pub const BOUND_SLACK: f32 = 1e-5;

/// Whether an item whose score is at most `upper` could reach `thr`.
#[inline(always)]
pub fn reachable(upper: f32, thr: f32) -> bool {
    upper * (1.0 + BOUND_SLACK) >= thr
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{Floor, Quantized, Query};
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

    /// [`super::scan_above`]'s four rows at a time; returns how many rows it covered.
    pub fn scan4_above(
        m: &Quantized,
        q: &Query,
        floor: Floor,
        thr: &mut f32,
        f: &mut impl FnMut(usize, f32) -> f32,
    ) -> usize {
        let full = m.len() / 4 * 4;
        let (zero, weight, rest) = (
            f32x4_splat(0.0),
            f32x4_splat(floor.weight),
            f32x4_splat(floor.rest),
        );
        let mut i = 0;
        while i < full {
            let d = dots4(m, q, i);
            // `floor.upper` lane by lane: the same operations in the same order.
            let e = v128_bitselect(d, zero, f32x4_gt(d, zero));
            let upper = f32x4_add(f32x4_mul(e, weight), rest);
            if !i32x4_all_true(f32x4_lt(upper, f32x4_splat(*thr))) {
                for (j, dj) in [
                    f32x4_extract_lane::<0>(d),
                    f32x4_extract_lane::<1>(d),
                    f32x4_extract_lane::<2>(d),
                    f32x4_extract_lane::<3>(d),
                ]
                .into_iter()
                .enumerate()
                {
                    if floor.upper(dj) >= *thr {
                        *thr = f(i + j, dj);
                    }
                }
            }
            i += 4;
        }
        full
    }

    /// [`super::dot`]: one f32x4 accumulator, lane `j` summing the products at `4k + j` (a multiply
    /// then an add, no fused multiply-add), then the lanes and the tail in the scalar order.
    pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let mut acc = f32x4_splat(0.0);
        let mut ca = a.chunks_exact(4);
        let mut cb = b.chunks_exact(4);
        for (x, y) in (&mut ca).zip(&mut cb) {
            // SAFETY: chunks of exactly four f32.
            let (x, y) = unsafe {
                (
                    v128_load(x.as_ptr() as *const v128),
                    v128_load(y.as_ptr() as *const v128),
                )
            };
            acc = f32x4_add(acc, f32x4_mul(x, y));
        }
        let tail = super::tail_dot(ca.remainder(), cb.remainder());
        (f32x4_extract_lane::<0>(acc) + f32x4_extract_lane::<1>(acc))
            + (f32x4_extract_lane::<2>(acc) + f32x4_extract_lane::<3>(acc))
            + tail
    }

    /// [`super::dot_i8_f32`]'s four lanes over the whole groups of 16 codes; returns the lanes
    /// and how many codes they cover.
    pub fn dot_i8_f32(c: &[i8], u: &[f32]) -> ([f32; 4], usize) {
        let mut acc = f32x4_splat(0.0);
        let mut k = 0;
        while k + 16 <= c.len() {
            // SAFETY: k + 16 ≤ c.len() ≤ u.len() (the caller cut both to one length); v128_load
            // allows any alignment.
            unsafe {
                let v = v128_load(c.as_ptr().add(k) as *const v128);
                let (lo, hi) = (i16x8_extend_low_i8x16(v), i16x8_extend_high_i8x16(v));
                let x = u.as_ptr().add(k) as *const v128;
                for (q, w) in [
                    (i32x4_extend_low_i16x8(lo), x),
                    (i32x4_extend_high_i16x8(lo), x.add(1)),
                    (i32x4_extend_low_i16x8(hi), x.add(2)),
                    (i32x4_extend_high_i16x8(hi), x.add(3)),
                ] {
                    acc = f32x4_add(acc, f32x4_mul(f32x4_convert_i32x4(q), v128_load(w)));
                }
            }
            k += 16;
        }
        let lanes = [
            f32x4_extract_lane::<0>(acc),
            f32x4_extract_lane::<1>(acc),
            f32x4_extract_lane::<2>(acc),
            f32x4_extract_lane::<3>(acc),
        ];
        (lanes, k)
    }

    /// [`super::dot_i8`] over the whole groups of 16 codes; returns the sum and how many codes it
    /// covers (`a` and `b` of one length).
    pub fn dot_i8(a: &[i8], b: &[i8]) -> (i32, usize) {
        let mut acc = i32x4_splat(0);
        let mut k = 0;
        while k + 16 <= a.len().min(b.len()) {
            // SAFETY: k + 16 ≤ both lengths; v128_load allows any alignment.
            let (x, y) = unsafe {
                (
                    v128_load(a.as_ptr().add(k) as *const v128),
                    v128_load(b.as_ptr().add(k) as *const v128),
                )
            };
            // |products| ≤ 128², within i16; pairs of them within i32.
            let lo = i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(x, y));
            let hi = i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(x, y));
            acc = i32x4_add(acc, i32x4_add(lo, hi));
            k += 16;
        }
        let sum = i32x4_extract_lane::<0>(acc)
            .wrapping_add(i32x4_extract_lane::<1>(acc))
            .wrapping_add(i32x4_extract_lane::<2>(acc))
            .wrapping_add(i32x4_extract_lane::<3>(acc));
        (sum, k)
    }

    /// One row's dot product with the query (the same integer sum as the scalar one).
    pub fn dot1(m: &Quantized, q: &Query, i: usize) -> f32 {
        let row = m.row(i);
        if row.len() != q.codes.len() {
            return 0.0;
        }
        let mut acc = i32x4_splat(0);
        // Index arithmetic rather than zipped chunk iterators, which the size-optimised build
        // left as calls (a fifth of a row's cost on a 16-wide catalog).
        let (x, y) = (row.as_ptr(), q.codes.as_ptr());
        let mut k = 0;
        while k + 16 <= row.len() {
            // SAFETY: k + 16 ≤ row.len() = q.codes.len().
            unsafe {
                let ql = v128_load(y.add(k) as *const v128);
                let qh = v128_load(y.add(k + 8) as *const v128);
                acc = i32x4_add(acc, dot16(x.add(k), ql, qh));
            }
            k += 16;
        }
        let sum = i32x4_extract_lane::<0>(acc)
            .wrapping_add(i32x4_extract_lane::<1>(acc))
            .wrapping_add(i32x4_extract_lane::<2>(acc))
            .wrapping_add(i32x4_extract_lane::<3>(acc));
        sum as f32 * (m.scale(i) * q.scale)
    }

    /// [`dot1`] of four rows anywhere in the matrix, side by side (the same integer sums and
    /// scaling, so the same values); a row out of range gives 0.
    pub fn dots_at(m: &Quantized, q: &Query, rows: [usize; 4]) -> [f32; 4] {
        let stride = m.stride;
        let past = |i: usize| {
            (i + 1)
                .checked_mul(stride)
                .is_none_or(|end| end > m.codes.len())
        };
        if q.codes.len() != stride || rows.iter().any(|&i| past(i)) {
            return rows.map(|i| dot1(m, q, i));
        }
        // SAFETY: each row ends within the codes (checked above), and the query is as wide.
        let sums = unsafe { sums4(m, q, rows.map(|i| i * stride)) };
        let scales = f32x4(
            m.scale(rows[0]),
            m.scale(rows[1]),
            m.scale(rows[2]),
            m.scale(rows[3]),
        );
        let d = f32x4_mul(
            f32x4_convert_i32x4(sums),
            f32x4_mul(scales, f32x4_splat(q.scale)),
        );
        [
            f32x4_extract_lane::<0>(d),
            f32x4_extract_lane::<1>(d),
            f32x4_extract_lane::<2>(d),
            f32x4_extract_lane::<3>(d),
        ]
    }

    /// How far ahead of the rows it scores [`dots4`] reads one byte of every 64: 4 KB, about
    /// 64 rows of a 64-wide catalog.
    const AHEAD: usize = 4096;

    /// Dot products of rows i..i+4 with the query.
    #[inline(always)]
    fn dots4(m: &Quantized, q: &Query, i: usize) -> v128 {
        let stride = m.stride;
        let codes = m.codes.as_ptr();
        // WebAssembly has no prefetch instruction; a load of a byte of each cache line [`AHEAD`]
        // bytes on, whose value is not used, brings the line in while the rows here are scored.
        // A million-row `similar` read its 64 MB at 5.7 GB/s against the bandwidth probe's 14.8
        // (presumably few lines in flight: the kernel runs many instructions per byte); 11.9 →
        // 5.7–9.3 ms with it (docs/BENCHMARKS.md). Volatile, so that it is not dropped as unused.
        let ahead = (i + 4) * stride + AHEAD;
        if ahead + 4 * stride <= m.codes.len() {
            let mut k = 0;
            while k < 4 * stride {
                // SAFETY: ahead + k < ahead + 4·stride ≤ codes.len().
                unsafe { core::ptr::read_volatile(codes.add(ahead + k)) };
                k += 64;
            }
        }
        // SAFETY: the caller checked codes.len() == rows·stride, q.codes.len() == stride and
        // i + 4 ≤ rows.
        let first = i * stride;
        let sums = unsafe {
            sums4(
                m,
                q,
                [
                    first,
                    first + stride,
                    first + 2 * stride,
                    first + 3 * stride,
                ],
            )
        };
        // SAFETY: i + 4 ≤ rows = scales.len().
        let scales = unsafe { v128_load(m.scales.as_ptr().add(i) as *const v128) };
        f32x4_mul(
            f32x4_convert_i32x4(sums),
            f32x4_mul(scales, f32x4_splat(q.scale)),
        )
    }

    /// Lane `r`: the integer dot product with the query of the row whose codes start at offset
    /// `rows[r]`. Four accumulators, one per row, so that the rows' sums run side by side.
    ///
    /// # Safety
    /// `q.codes.len() == m.stride` and each `rows[r] + m.stride ≤ m.codes.len()`.
    #[inline(always)]
    unsafe fn sums4(m: &Quantized, q: &Query, rows: [usize; 4]) -> v128 {
        let (codes, qp, stride) = (m.codes.as_ptr(), q.codes.as_ptr(), m.stride);
        let [r0, r1, r2, r3] = rows;
        let (mut a0, mut a1, mut a2, mut a3) = (
            i32x4_splat(0),
            i32x4_splat(0),
            i32x4_splat(0),
            i32x4_splat(0),
        );
        let mut k = 0;
        while k + 16 <= stride {
            // SAFETY: k + 16 ≤ stride, and the caller's bounds.
            unsafe {
                let ql = v128_load(qp.add(k) as *const v128);
                let qh = v128_load(qp.add(k + 8) as *const v128);
                a0 = i32x4_add(a0, dot16(codes.add(r0 + k), ql, qh));
                a1 = i32x4_add(a1, dot16(codes.add(r1 + k), ql, qh));
                a2 = i32x4_add(a2, dot16(codes.add(r2 + k), ql, qh));
                a3 = i32x4_add(a3, dot16(codes.add(r3 + k), ql, qh));
            }
            k += 16;
        }
        // Lane r: the total of accumulator r.
        crate::model::lane_totals([a0, a1, a2, a3])
    }

    /// Sixteen int8 codes at `x` against sixteen int16 codes, as four partial i32 sums. Loading
    /// eight codes at a time already sign-extended to int16 (one `pmovsxbw` on x86) costs less
    /// than loading sixteen and extending both halves.
    ///
    /// # Safety
    /// `x` must be valid to read 16 bytes from.
    #[inline(always)]
    unsafe fn dot16(x: *const i8, ql: v128, qh: v128) -> v128 {
        i32x4_add(
            i32x4_dot_i16x8(i16x8_load_extend_i8x8(x), ql),
            i32x4_dot_i16x8(i16x8_load_extend_i8x8(x.add(8)), qh),
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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::dot_f32(a, b);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    return dot_scalar(a, b);
}

/// The dot product of an item's embedding with `u`.
pub fn dot_embedding(e: Embedding<'_>, u: &[f32]) -> f32 {
    match e {
        Embedding::F32(r) => dot(r, u),
        Embedding::Codes(c, scale) => dot_i8_f32(c, u) * scale,
    }
}

/// The dot product of two items' embeddings.
pub fn dot_embeddings(a: Embedding<'_>, b: Embedding<'_>) -> f32 {
    match (a, b) {
        (Embedding::F32(x), _) => dot_embedding(b, x),
        (_, Embedding::F32(y)) => dot_embedding(a, y),
        (Embedding::Codes(x, sx), Embedding::Codes(y, sy)) => dot_i8(x, y) as f32 * (sx * sy),
    }
}

/// `Σ c_j · u_j`, each code widened to f32, summed as [`dot`] sums (lane `j` of four takes the
/// products at `4k + j`), so both builds give the same value.
fn dot_i8_f32(c: &[i8], u: &[f32]) -> f32 {
    let n = c.len().min(u.len());
    let (c, u) = (&c[..n], &u[..n]);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (mut acc, done) = simd::dot_i8_f32(c, u);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (mut acc, done) = ([0.0f32; 4], 0);
    let whole = n / 4 * 4;
    for k in (done..whole).step_by(4) {
        for j in 0..4 {
            acc[j] += f32::from(c[k + j]) * u[k + j];
        }
    }
    let tail: f32 = c[whole..]
        .iter()
        .zip(&u[whole..])
        .map(|(&x, y)| f32::from(x) * y)
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// `Σ a_j · b_j` of two rows of codes, exact in integers.
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let n = a.len().min(b.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let (sum, done) = simd::dot_i8(&a[..n], &b[..n]);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let (sum, done) = (0, 0);
    a[done..n]
        .iter()
        .zip(&b[done..n])
        .fold(sum, |acc, (&x, &y)| acc + i32::from(x) * i32::from(y))
}

/// [`dot`] without SIMD: lane `j` of the four accumulators sums the products at `4k + j`, as the
/// SIMD version's four lanes do, so both round the same way.
#[cfg_attr(
    all(target_arch = "wasm32", target_feature = "simd128"),
    allow(dead_code)
)]
fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
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
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail_dot(ca.remainder(), cb.remainder())
}

/// The products past the last whole group of four, summed in order (both versions of [`dot`]).
fn tail_dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
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

    #[test]
    fn embeddings_held_as_codes_dot_like_their_values() {
        let mut rng = Rng::new(11);
        for d in [3, 16, 37, 64] {
            let codes: Vec<i8> = (0..d)
                .map(|_| (rng.below(255) as i32 - 127) as i8)
                .collect();
            let other: Vec<i8> = (0..d)
                .map(|_| (rng.below(255) as i32 - 127) as i8)
                .collect();
            let u: Vec<f32> = (0..d).map(|_| rng.unit() as f32 - 0.5).collect();
            let (a, b) = (
                Embedding::Codes(&codes, 0.01),
                Embedding::Codes(&other, 0.02),
            );
            let values = |c: &[i8], s: f32| c.iter().map(|&x| f32::from(x) * s).collect::<Vec<_>>();
            let (va, vb) = (values(&codes, 0.01), values(&other, 0.02));
            let exact: i32 = codes
                .iter()
                .zip(&other)
                .map(|(&x, &y)| i32::from(x) * i32::from(y))
                .sum();
            assert_eq!(dot_embeddings(a, b), exact as f32 * (0.01 * 0.02), "{d}");
            assert!((dot_embeddings(a, b) - dot(&va, &vb)).abs() < 1e-4, "{d}");
            assert!((dot_embedding(a, &u) - dot(&va, &u)).abs() < 1e-4, "{d}");
            assert_eq!(dot_embeddings(a, Embedding::F32(&u)), dot_embedding(a, &u));
            assert_eq!(
                dot_embeddings(Embedding::F32(&va), Embedding::F32(&u)),
                dot(&u, &va)
            );
        }
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
                assert!(
                    x.abs() <= m.max_norm * q.norm * (1.0 + 1e-6),
                    "the bound holds"
                );
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
    fn scan_groups_scores_every_unmarked_item_and_finds_the_exact_top() {
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
        let mut groups = Groups::new(n, |i| Row::of(&prior, &category, &brand, &band, i), 6);
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
        let skipped = [0usize, 7, 64, 202];
        let mut marks = vec![0u32; n.div_ceil(32)];
        for i in skipped {
            marks[i / 32] |= 1 << (i % 32);
        }
        for query in [Some(&q), None] {
            let mut expect: Vec<(u32, f32)> = (0..n)
                .filter(|i| !skipped.contains(i))
                .map(|i| {
                    let dot = query.map_or(0.0, |q| dot_row(&m, q, i));
                    (i as u32, terms.at(i, dot))
                })
                .collect();
            // A threshold that never rises sees every unmarked item once, with its exact score.
            let mut scan = |f: &mut dyn FnMut(u32, f32) -> f32| {
                scan_groups(&m, query, &terms, &mut groups, &marks, f32::NEG_INFINITY, f)
            };
            let mut seen = Vec::new();
            scan(&mut |i, s| {
                seen.push((i, s));
                f32::NEG_INFINITY
            });
            seen.sort_by_key(|x| x.0);
            assert_eq!(seen, expect);
            assert_eq!(
                terms.at(9, 0.0),
                prior[9] + 0.0 + 0.5 + 0.1,
                "no category reads the last entry"
            );
            // A rising threshold (the best 10 so far) still meets every item of the exact top 10,
            // and reads fewer items than there are.
            expect.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut top: Vec<(u32, f32)> = Vec::new();
            scan(&mut |i, s| {
                top.push((i, s));
                top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                top.truncate(10);
                if top.len() < 10 {
                    f32::NEG_INFINITY
                } else {
                    top[9].1
                }
            });
            assert_eq!(top, expect[..10]);
        }
    }
}
