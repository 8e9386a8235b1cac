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
//! The one long sort on a hot path (popularity order at load, `model::order_by`) sorts plain
//! `u64` keys with the standard sort and keeps its speed.

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

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
