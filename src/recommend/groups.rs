//! The catalog in the order `for_you`'s dense scan meets it: by category, and within a category
//! by prior (the popularity and trending part of the score) best first.
//!
//! Every term of a `for_you` score is non-negative and the category term is the same for a whole
//! category, so the most an item can score is its prior plus its category's term plus the most
//! the brand, the price band and the embedding can add. In this order that bound falls along each
//! category: the scan stops a category at its first item that cannot reach the threshold, and
//! skips whole categories whose best item cannot. What it reads then depends on the shopper's
//! categories, not on the size of the catalog (docs/BENCHMARKS.md).

/// Items grouped by category, each group by prior descending (ties by index); the last group
/// holds the items without a known category. Built once per prior.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    /// Group `g` is `items[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    items: Vec<u32>,
    /// The prior of `items[k]`, at `k`: the scan's stopping test reads it in order.
    prior: Vec<f32>,
}

impl Groups {
    /// Groups items by `category` (values at or past `groups - 1` go to the last group), each
    /// group ordered by `prior` descending. `prior` must be non-negative and finite.
    pub fn new(prior: &[f32], category: &[u32], groups: usize) -> Self {
        let groups = groups.max(1);
        let group = |i: u32| {
            let c = category.get(i as usize).copied().unwrap_or(u32::MAX) as usize;
            c.min(groups - 1)
        };
        let mut starts = vec![0u32; groups + 1];
        for i in 0..prior.len() as u32 {
            starts[group(i) + 1] += 1;
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        // Placing the items in prior order, each at its group's next free slot, keeps that
        // order within every group.
        let mut next = starts.clone();
        let mut items = vec![0u32; prior.len()];
        let mut sorted = vec![0.0f32; prior.len()];
        for i in crate::model::order_by(prior) {
            let slot = &mut next[group(i)];
            items[*slot as usize] = i;
            sorted[*slot as usize] = prior[i as usize];
            *slot += 1;
        }
        Groups {
            starts,
            items,
            prior: sorted,
        }
    }

    /// How many groups there are (categories plus the one of items without a category).
    pub fn count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Group `g`'s items and their priors, best prior first.
    pub fn group(&self, g: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.starts[g] as usize, self.starts[g + 1] as usize);
        (&self.items[a..b], &self.prior[a..b])
    }

    /// The best prior in group `g`, or `None` when it is empty.
    pub fn best_prior(&self, g: usize) -> Option<f32> {
        self.group(g).1.first().copied()
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        (self.starts.capacity() + self.items.capacity() + self.prior.capacity()) * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_hold_every_item_once_by_category_then_prior() {
        let prior = [0.5, 0.9, 0.1, 0.9, 0.0, 0.3];
        let category = [1, 0, 1, u32::MAX, 0, 7];
        let g = Groups::new(&prior, &category, 3);
        assert_eq!(g.count(), 3);
        assert_eq!(g.group(0), (&[1, 4][..], &[0.9, 0.0][..]));
        assert_eq!(g.group(1), (&[0, 2][..], &[0.5, 0.1][..]));
        // No category, or one past the table: the last group, ties by index.
        assert_eq!(g.group(2), (&[3, 5][..], &[0.9, 0.3][..]));
        assert_eq!(g.best_prior(1), Some(0.5));
        let empty = Groups::new(&[], &[], 2);
        assert_eq!((empty.count(), empty.best_prior(0)), (2, None));
    }
}
