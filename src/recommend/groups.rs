//! The catalog in the order `for_you`'s dense scan meets it: by category, and within a category
//! by prior (the popularity and trending part of the score) best first.
//!
//! Every term of a `for_you` score is non-negative and the category term is the same for a whole
//! category, so the most an item can score is its prior plus its category's term plus the most
//! the brand, the price band and the embedding can add. In this order that bound falls along each
//! category: the scan stops a category at its first item that cannot reach the threshold, and
//! skips whole categories whose best item cannot. What it reads then depends on the shopper's
//! categories, not on the size of the catalog (docs/BENCHMARKS.md).

use super::kernel::Row;

/// Items grouped by category, each group by prior descending (ties by index); the last group
/// holds the items without a known category. Each item is stored with its values ([`Row`]), so
/// the scan reads a group in one sequential pass. Built once per prior.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    /// Group `g` is `entries[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    entries: Vec<(u32, Row)>,
    /// The groups by best prior descending (an empty one counts 0), ties by index.
    by_prior: Vec<u32>,
}

impl Groups {
    /// Groups `items` items (item `i`'s values are `row(i)`) by category (values at or past
    /// `groups - 1` go to the last group), each group by prior descending. The priors must be
    /// non-negative and finite.
    pub fn new(items: usize, row: impl Fn(usize) -> Row, groups: usize) -> Self {
        let groups = groups.max(1);
        let group = |r: &Row| (r.category as usize).min(groups - 1);
        let mut starts = vec![0u32; groups + 1];
        for i in 0..items {
            starts[group(&row(i)) + 1] += 1;
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        // Into the groups in index order (each group a sequential stream of writes), then each
        // group, small enough to stay in cache, by prior: a sort of the whole catalog followed by
        // one scattered placement took three times as long at a million items.
        let mut next = starts.clone();
        let mut entries = vec![(0u32, Row::default()); items];
        for i in 0..items {
            let r = row(i);
            let slot = &mut next[group(&r)];
            entries[*slot as usize] = (i as u32, r);
            *slot += 1;
        }
        for g in 0..groups {
            let part = &mut entries[starts[g] as usize..starts[g + 1] as usize];
            let priors: Vec<f32> = part.iter().map(|e| e.1.prior).collect();
            // By prior descending, ties by position: by index, as the group is in index order.
            let sorted: Vec<(u32, Row)> = crate::model::order_by(&priors)
                .into_iter()
                .map(|k| part[k as usize])
                .collect();
            part.copy_from_slice(&sorted);
        }
        let mut groups = Groups {
            starts,
            entries,
            by_prior: Vec::new(),
        };
        let best: Vec<f32> = (0..groups.count())
            .map(|g| groups.best_prior(g).unwrap_or(0.0))
            .collect();
        groups.by_prior = crate::model::order_by(&best);
        groups
    }

    /// How many groups there are (categories plus the one of items without a category).
    pub fn count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Group `g`'s items with their values, best prior first.
    pub fn group(&self, g: usize) -> &[(u32, Row)] {
        &self.entries[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    /// The best prior in group `g`, or `None` when it is empty.
    pub fn best_prior(&self, g: usize) -> Option<f32> {
        self.group(g).first().map(|e| e.1.prior)
    }

    /// The groups by `best_prior(g) + term(g)` descending (an empty group counts 0), ties by
    /// index: the order `for_you`'s scan meets the groups in, where `term` is the shopper's
    /// affinity for the category — zero for all but a few. The order by prior is kept from the
    /// start; only the groups with a term are sorted, then merged in (sorting every group per
    /// call was a twentieth of a `for_you` call).
    pub fn by_bound(&self, term: impl Fn(usize) -> f32) -> Vec<u32> {
        let lifted = |g: usize| term(g) != 0.0 && self.best_prior(g).is_some();
        let bound: Vec<f32> = (0..self.count())
            .map(|g| self.best_prior(g).map_or(0.0, |p| p + term(g)))
            .collect();
        let before = |a: u32, b: u32| {
            let (x, y) = (bound[a as usize], bound[b as usize]);
            x > y || (x == y && a < b)
        };
        let mut first: Vec<u32> = (0..self.count() as u32)
            .filter(|&g| lifted(g as usize))
            .collect();
        crate::sort::sort_by(&mut first, &mut |&a, &b| before(a, b));
        let mut order = Vec::with_capacity(self.count());
        let mut k = 0;
        for &g in &self.by_prior {
            if lifted(g as usize) {
                continue;
            }
            while k < first.len() && before(first[k], g) {
                order.push(first[k]);
                k += 1;
            }
            order.push(g);
        }
        order.extend_from_slice(&first[k..]);
        order
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.starts.capacity() * 4
            + self.entries.capacity() * core::mem::size_of::<(u32, Row)>()
            + self.by_prior.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_hold_every_item_once_by_category_then_prior_with_its_values() {
        let prior = [0.5, 0.9, 0.1, 0.9, 0.0, 0.3];
        let category = [1, 0, 1, u32::MAX, 0, 7];
        let brand = [3, 4, 5, 6, 7, 8];
        let band = [0, 1, 2, 3, 4, 5];
        let row = |i| Row::of(&prior, &category, &brand, &band, i);
        let g = Groups::new(prior.len(), row, 3);
        let items = |k: usize| g.group(k).iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(g.count(), 3);
        assert_eq!(items(0), [1, 4]);
        assert_eq!(items(1), [0, 2]);
        // No category, or one past the table: the last group, ties by index.
        assert_eq!(items(2), [3, 5]);
        for k in 0..3 {
            for &(i, r) in g.group(k) {
                assert_eq!(r, row(i as usize));
            }
        }
        assert_eq!(g.best_prior(1), Some(0.5));
        let empty = Groups::new(0, row, 2);
        assert_eq!((empty.count(), empty.best_prior(0)), (2, None));
    }

    #[test]
    fn groups_by_bound_are_the_groups_sorted_by_best_prior_plus_term() {
        let mut rng = crate::rng::Rng::new(3);
        for round in 0..50 {
            let (n, groups) = (1 + rng.below(300), 1 + rng.below(40));
            // Eighths: every sum below is exact, so ties are real ties.
            let eighths = |rng: &mut crate::rng::Rng, top: usize| rng.below(top) as f32 / 8.0;
            let prior: Vec<f32> = (0..n).map(|_| eighths(&mut rng, 40)).collect();
            let category: Vec<u32> = (0..n).map(|_| rng.below(groups + 2) as u32).collect();
            let (brand, band) = (vec![0u32; n], vec![0u8; n]);
            let g = Groups::new(n, |i| Row::of(&prior, &category, &brand, &band, i), groups);
            // Most groups without a term (a shopper likes a few categories), some with.
            let term: Vec<f32> = (0..g.count())
                .map(|_| {
                    if rng.below(4) == 0 {
                        eighths(&mut rng, 30)
                    } else {
                        0.0
                    }
                })
                .collect();
            let bound = |k: usize| g.best_prior(k).map_or(0.0, |p| p + term[k]);
            let mut expect: Vec<u32> = (0..g.count() as u32).collect();
            expect.sort_by(|&a, &b| {
                bound(b as usize)
                    .total_cmp(&bound(a as usize))
                    .then(a.cmp(&b))
            });
            assert_eq!(g.by_bound(|k| term[k]), expect, "round {round}");
        }
    }
}
