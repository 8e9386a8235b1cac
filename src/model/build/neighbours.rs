//! From pair counts to the top-M neighbours of every item.
//!
//! Similarity: cosine with shrinkage,
//! `sim(a, b) = c(a, b) / (sqrt(n(a) · n(b)) + λ)`, where `c` is the pair count (orders holding
//! both, or proximity-weighted co-views), `n` the item's own count (orders, or sessions) and `λ`
//! the shrinkage (default 10). Plain cosine lets two items seen once together score 1; λ pulls
//! weak evidence down while leaving well-supported pairs near their cosine. Pairs whose count is
//! below the minimum support (default 2) are dropped: a neighbour never rests on one basket.

use super::pairs::PairCounter;
use super::BuildError;
use crate::model::Neighbours;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A candidate neighbour; "greater" means worse, so a heap's top is the one to drop first.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Cand(f32, u32);

impl Eq for Cand {}

impl Ord for Cand {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Cand {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The similarity of a pair seen `c` times, between items seen `na` and `nb` times.
pub fn similarity(c: u32, na: u32, nb: u32, shrink: f64) -> f32 {
    let denom = (f64::from(na) * f64::from(nb)).sqrt() + shrink;
    if denom <= 0.0 {
        return 0.0;
    }
    (f64::from(c) / denom) as f32
}

/// Keeps the best `m` neighbours of each of `n` items from a pair stream. Ties are broken by
/// the lower index, so the result does not depend on the order pairs arrive in.
pub fn top_m(
    pairs: PairCounter,
    n: usize,
    counts: &[u32],
    m: usize,
    min_support: u32,
    shrink: f64,
) -> Result<(Neighbours, u64), BuildError> {
    let mut heaps: Vec<BinaryHeap<Cand>> = (0..n).map(|_| BinaryHeap::new()).collect();
    let mut kept = 0u64;
    let push = |heap: &mut BinaryHeap<Cand>, c: Cand| {
        if heap.len() < m {
            heap.push(c);
        } else if heap.peek().is_some_and(|worst| c < *worst) {
            heap.pop();
            heap.push(c);
        }
    };
    if m > 0 {
        pairs.merge(|a, b, c| {
            if c < min_support {
                return Ok(());
            }
            let (na, nb) = (
                counts.get(a as usize).copied().unwrap_or(0),
                counts.get(b as usize).copied().unwrap_or(0),
            );
            let s = similarity(c, na, nb, shrink);
            if s > 0.0 && (a as usize) < n && (b as usize) < n {
                kept += 1;
                push(&mut heaps[a as usize], Cand(s, b));
                push(&mut heaps[b as usize], Cand(s, a));
            }
            Ok(())
        })?;
    }
    let rows = heaps
        .into_iter()
        .map(|h| {
            let mut v = h.into_vec();
            v.sort_unstable();
            v.into_iter().map(|Cand(s, t)| (t, s)).collect()
        })
        .collect();
    Ok((Neighbours::from_rows(rows), kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinkage_prefers_support_and_ties_are_stable() {
        // Seen together once out of one each vs 40 times out of 50 each.
        assert!(similarity(1, 1, 1, 10.0) < similarity(40, 50, 50, 10.0));
        assert!((similarity(40, 50, 50, 0.0) - 0.8).abs() < 1e-6);
        let dir = std::env::temp_dir().join(format!("vitrine-nb-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut p = PairCounter::new(&dir, "t", 1 << 20);
        for (a, b, w) in [(0, 1, 5), (0, 2, 5), (0, 3, 1), (2, 3, 4)] {
            p.add(a, b, w).unwrap();
        }
        let (nb, kept) = top_m(p, 4, &[10, 10, 10, 10], 2, 2, 0.0).unwrap();
        assert_eq!(kept, 3, "the pair seen once is below the support");
        assert_eq!(nb.of(0).0, &[1, 2], "equal weights: lower index first");
        assert_eq!(nb.of(3).0, &[2]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
