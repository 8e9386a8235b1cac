//! One small sort for the shipped module.
//!
//! The standard library's sorts are fast but large: every element type and comparator
//! instantiates 3–6 KB of WebAssembly (quicksort, small-sort networks, merges, a heapsort
//! fallback), about 60 KB across the crate's call sites, a third of the size budget. The sorts
//! vitrine runs per call are short (a profile's items, a shelf's candidates, a cart), so this one
//! is an insertion sort up to [`SHORT`] elements — stable — and a heapsort above — not stable,
//! so callers that sort long slices give a total order. The comparator is passed as `dyn`, so
//! each element type instantiates the code once whatever the comparator.
//!
//! The one long sort on a hot path (popularity and trending order at load, `model::order_by`)
//! is [`order_by_key`], a radix sort of integer keys: linear, and no comparison sort behind it.

use core::cmp::Ordering;

/// Up to this many elements the sort is an insertion sort, and stable.
pub const SHORT: usize = 64;

/// Sorts `v` so that `less(a, b)` holds for no pair `b` before `a`.
pub fn sort_by<T>(v: &mut [T], less: &mut dyn FnMut(&T, &T) -> bool) {
    if v.len() <= SHORT {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && less(&v[j], &v[j - 1]) {
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift_down(v, root, n, less);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, less);
    }
}

fn sift_down<T>(v: &mut [T], mut root: usize, end: usize, less: &mut dyn FnMut(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

/// Sorts by a comparison function.
pub fn sort_by_cmp<T>(v: &mut [T], cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    sort_by(v, &mut |a, b| cmp(a, b) == Ordering::Less);
}

/// Sorts in ascending order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, &mut |a, b| a < b);
}

/// Fewer keys than this are ordered by [`sort`].
const RADIX_FROM: usize = 64;

/// From this many keys on, [`order_by_key`] takes 11 bits per pass (three passes over 2,048
/// buckets) instead of 8 (four over 256): fewer passes pay for the larger tables.
const WIDE_FROM: usize = 1 << 14;

/// The indexes `0..keys.len()` ordered by `keys` ascending, ties by index: a least-significant
/// digit first radix sort (one pass to count, then a pass per digit to move), with digits sized to
/// the number of keys. The standard library's sort of the same keys took a tenth of opening a
/// 100,000-item model; this module's heapsort, ordering the first `for_you`'s categories of a few
/// hundred items each, two fifths of that call.
pub fn order_by_key(keys: &[u32]) -> Vec<u32> {
    let n = keys.len();
    // Key above, index below: a pass moves both, and the index breaks no tie (passes are stable).
    let mut order: Vec<u64> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (u64::from(k) << 32) | i as u64)
        .collect();
    if n < RADIX_FROM {
        sort(&mut order);
        return order.into_iter().map(|e| e as u32).collect();
    }
    let bits: u32 = if n < WIDE_FROM { 8 } else { 11 };
    let (buckets, passes) = (1usize << bits, 32u32.div_ceil(bits));
    let mut counts = vec![0u32; buckets * passes as usize];
    for &k in keys {
        for (p, c) in counts.chunks_exact_mut(buckets).enumerate() {
            c[(k >> (bits * p as u32)) as usize & (buckets - 1)] += 1;
        }
    }
    let mut spare = vec![0u64; n];
    for (p, c) in counts.chunks_exact_mut(buckets).enumerate() {
        // Every key has the same digit here (or there are none): the pass would move nothing.
        if c.iter().any(|&x| x as usize == n) {
            continue;
        }
        let mut start = 0;
        for x in c.iter_mut() {
            let here = *x;
            *x = start;
            start += here;
        }
        let shift = 32 + bits * p as u32;
        for &e in &order {
            let slot = &mut c[(e >> shift) as usize & (buckets - 1)];
            spare[*slot as usize] = e;
            *slot += 1;
        }
        core::mem::swap(&mut order, &mut spare);
    }
    order.into_iter().map(|e| e as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn order_by_key_is_a_stable_sort_of_the_indexes() {
        let mut rng = Rng::new(9);
        for (n, spread) in [
            (0, 1),
            (1, 1),
            (5, 3),
            (200, 1 << 30),
            (1000, 7),
            (5000, 1 << 30),
            (3000, u32::MAX),
            (64, 1 << 20),
            (20_000, 1 << 30),
            (20_000, u32::MAX),
        ] {
            let keys: Vec<u32> = (0..n)
                .map(|_| (rng.next_u64() as u32) % spread.max(1))
                .map(|k| {
                    if spread == u32::MAX {
                        k | 0xFFF0_0000
                    } else {
                        k
                    }
                })
                .collect();
            let mut expected: Vec<u32> = (0..n as u32).collect();
            expected.sort_by_key(|&i| (keys[i as usize], i));
            assert_eq!(order_by_key(&keys), expected, "n {n}, spread {spread}");
        }
    }

    #[test]
    fn sorts_like_the_standard_library_and_is_stable_when_short() {
        let mut rng = Rng::new(4);
        for n in [0, 1, 2, 5, 63, 64, 65, 100, 1000] {
            let v: Vec<u32> = (0..n).map(|_| rng.below(50) as u32).collect();
            let mut a = v.clone();
            sort(&mut a);
            let mut b = v.clone();
            b.sort();
            assert_eq!(a, b, "{n}");
            // Descending by key with ties by position: equal to the standard stable sort.
            let mut pairs: Vec<(u32, usize)> = v.iter().map(|&x| (x / 8, 0)).collect();
            for (i, p) in pairs.iter_mut().enumerate() {
                p.1 = i;
            }
            let mut x = pairs.clone();
            sort_by_cmp(&mut x, &mut |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut y = pairs.clone();
            y.sort_by_key(|a| std::cmp::Reverse(a.0));
            assert_eq!(x, y, "{n}");
            if n <= SHORT {
                let mut z = pairs.clone();
                sort_by_cmp(&mut z, &mut |a, b| b.0.cmp(&a.0));
                assert_eq!(z, y, "stable up to {SHORT}");
            }
        }
    }
}
