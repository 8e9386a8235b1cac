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

/// The indexes `0..keys.len()` ordered by `keys` ascending, ties by index ([`sort_by_high`] of
/// each key above its index). The standard library's sort of the same keys took a tenth of
/// opening a 100,000-item model; this module's heapsort, ordering the first `for_you`'s
/// categories of a few hundred items each, two fifths of that call.
pub fn order_by_key(keys: &[u32]) -> Vec<u32> {
    let mut order: Vec<u64> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (u64::from(k) << 32) | i as u64)
        .collect();
    sort_by_high(&mut order);
    order.into_iter().map(|e| e as u32).collect()
}

/// Sorts `v` by the upper 32 bits of each entry, ascending; equal ones keep their order. A
/// least-significant digit first radix sort (one pass to count every digit, then a pass per digit
/// to move, skipped when all entries share that digit), with digits sized to the length; short
/// slices take the insertion sort.
pub fn sort_by_high(v: &mut Vec<u64>) {
    if v.len() < RADIX_FROM {
        sort_by(v, &mut |a, b| a >> 32 < b >> 32);
    } else if v.len() < WIDE_FROM {
        radix::<256, 4>(v);
    } else {
        radix::<2048, 3>(v);
    }
}

/// [`sort_by_high`] in `P` digits of `log2(B)` bits (the counts on the stack, the digit loops
/// unrolled).
fn radix<const B: usize, const P: usize>(v: &mut Vec<u64>) {
    let (n, bits) = (v.len(), B.trailing_zeros());
    let mut counts = [[0u32; B]; P];
    for &e in v.iter() {
        let k = (e >> 32) as u32;
        for (p, c) in counts.iter_mut().enumerate() {
            c[(k >> (bits * p as u32)) as usize & (B - 1)] += 1;
        }
    }
    let mut spare = vec![0u64; n];
    for (p, c) in counts.iter_mut().enumerate() {
        // Every entry has the same digit here: the pass would move nothing.
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
        for &e in v.iter() {
            let slot = &mut c[(e >> shift) as usize & (B - 1)];
            if let Some(to) = spare.get_mut(*slot as usize) {
                *to = e;
            }
            *slot += 1;
        }
        core::mem::swap(v, &mut spare);
    }
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
    fn sort_by_high_is_a_stable_sort_by_the_upper_half() {
        let mut rng = Rng::new(11);
        for (n, spread) in [
            (0, 1),
            (3, 2),
            (63, 5),
            (64, 5),
            (700, 1 << 12),
            (700, u32::MAX),
            (20_000, 300),
        ] {
            let v: Vec<u64> = (0..n)
                .map(|_| (u64::from((rng.next_u64() as u32) % spread) << 32) | rng.next_u64() >> 40)
                .collect();
            let mut expected = v.clone();
            expected.sort_by_key(|e| e >> 32);
            let mut got = v.clone();
            sort_by_high(&mut got);
            assert_eq!(got, expected, "n {n}, spread {spread}");
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
