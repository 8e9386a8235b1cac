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
///
/// A group is put in order as far as a scan reads it, no further ([`Groups::from`]): the first
/// read of a group picks its best few entries in one pass and puts them first, in order; reading
/// past them picks as many again from the rest, and so on. The scan stops most groups within
/// their first few items, so a session's first `for_you` no longer sorts the whole catalog
/// (sorting every group was more than half of that call at 100,000 items; docs/BENCHMARKS.md).
/// The order read is the full sort's: the order (prior descending, then index) is total.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    /// Group `g` is `entries[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    entries: Vec<(u32, Row)>,
    /// Per group: how many of its first entries are in order (the rest in no particular order).
    ordered: Vec<u32>,
    /// Per group: its best prior; `None` when it is empty.
    best: Vec<Option<f32>>,
    /// The groups by best prior descending (an empty one counts 0), ties by index.
    by_prior: Vec<u32>,
    /// The entries being picked ([`pick`]), kept between calls.
    picked: Vec<(u32, Row)>,
}

/// How many entries the first read of a group puts in order.
const FIRST_PICK: usize = 8;

/// Whether `a` comes before `b` in a group: by prior descending, then by index. Priors are
/// finite, so this is a total order (−0 and 0 tie, and the index decides, as in a stable sort of
/// the index order).
#[inline(always)]
fn before(a: &(u32, Row), b: &(u32, Row)) -> bool {
    a.1.prior > b.1.prior || (a.1.prior == b.1.prior && a.0 < b.0)
}

/// Puts the `take` first entries of `rest` in the order [`before`] (`0 < take ≤ rest.len()`): one
/// pass keeps the best `take` in `picked`, in order; a second moves them to the front, and they
/// are written there in order.
fn pick(rest: &mut [(u32, Row)], take: usize, picked: &mut Vec<(u32, Row)>) {
    if take >= rest.len() {
        crate::sort::sort_by(rest, &mut before);
        return;
    }
    picked.clear();
    for e in rest.iter() {
        if picked.len() == take {
            match picked.last() {
                Some(worst) if before(e, worst) => {
                    picked.pop();
                }
                _ => continue,
            }
        }
        let mut at = picked.len();
        while at > 0 && before(e, &picked[at - 1]) {
            at -= 1;
        }
        picked.insert(at, *e);
    }
    let Some(&worst) = picked.last() else {
        return;
    };
    // Exactly `take` entries come before the worst picked or are it: to the front.
    let mut front = 0;
    for at in 0..rest.len() {
        if !before(&worst, &rest[at]) {
            rest.swap(front, at);
            front += 1;
        }
    }
    rest[..take].copy_from_slice(picked);
}

impl Groups {
    /// Groups `items` items (item `i`'s values are `row(i)`) by category (values at or past
    /// `groups - 1` go to the last group). The priors must be non-negative and finite.
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
        // Into the groups in index order, each group a sequential stream of writes.
        let mut next = starts.clone();
        let mut entries = vec![(0u32, Row::default()); items];
        let mut best: Vec<Option<f32>> = vec![None; groups];
        for i in 0..items {
            let r = row(i);
            let g = group(&r);
            let slot = &mut next[g];
            entries[*slot as usize] = (i as u32, r);
            *slot += 1;
            if best[g].is_none_or(|b| r.prior > b) {
                best[g] = Some(r.prior);
            }
        }
        let tops: Vec<f32> = best.iter().map(|b| b.unwrap_or(0.0)).collect();
        Groups {
            starts,
            entries,
            ordered: vec![0; groups],
            best,
            by_prior: crate::model::order_by(&tops),
            picked: Vec::new(),
        }
    }

    /// How many groups there are (categories plus the one of items without a category).
    pub fn count(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Group `g`'s entries (item and values) in order from entry `k` on, as far as the group is
    /// in order — at least entry `k`, putting the group in order that far; empty past its end.
    #[inline]
    pub fn from(&mut self, g: usize, k: usize) -> &[(u32, Row)] {
        let (Some(&start), Some(&end), Some(done)) = (
            self.starts.get(g),
            self.starts.get(g + 1),
            self.ordered.get_mut(g),
        ) else {
            return &[];
        };
        let Some(part) = self.entries.get_mut(start as usize..end as usize) else {
            return &[];
        };
        // Each pick doubles the ordered part, so reading a whole group costs a few passes.
        while (*done as usize) <= k && (*done as usize) < part.len() {
            let at = *done as usize;
            let take = at.max(FIRST_PICK).min(part.len() - at);
            pick(&mut part[at..], take, &mut self.picked);
            *done += take as u32;
        }
        part.get(k..*done as usize).unwrap_or(&[])
    }

    /// Group `g`'s items with their values, best prior first (the whole group put in order).
    #[cfg(test)]
    pub fn group(&mut self, g: usize) -> Vec<(u32, Row)> {
        let mut all = Vec::new();
        loop {
            let more = self.from(g, all.len());
            if more.is_empty() {
                return all;
            }
            all.extend_from_slice(more);
        }
    }

    /// The best prior in group `g`, or `None` when it is empty.
    pub fn best_prior(&self, g: usize) -> Option<f32> {
        self.best.get(g).copied().flatten()
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
            + self.ordered.capacity() * 4
            + self.picked.capacity() * core::mem::size_of::<(u32, Row)>()
            + self.best.capacity() * core::mem::size_of::<Option<f32>>()
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
        let mut g = Groups::new(prior.len(), row, 3);
        let mut items = |k: usize| g.group(k).iter().map(|e| e.0).collect::<Vec<_>>();
        assert_eq!(items(0), [1, 4]);
        assert_eq!(items(1), [0, 2]);
        // No category, or one past the table: the last group, ties by index.
        assert_eq!(items(2), [3, 5]);
        assert_eq!(g.count(), 3);
        for k in 0..3 {
            for (i, r) in g.group(k) {
                assert_eq!(r, row(i as usize));
            }
        }
        assert_eq!(g.from(0, 2), [], "past the group's end");
        assert_eq!(g.from(3, 0), [], "past the last group");
        assert_eq!(g.best_prior(1), Some(0.5));
        let empty = Groups::new(0, row, 2);
        assert_eq!((empty.count(), empty.best_prior(0)), (2, None));
    }

    #[test]
    fn a_group_read_in_part_then_in_full_is_in_the_full_sort_s_order() {
        let mut rng = crate::rng::Rng::new(11);
        for round in 0..60 {
            let (n, groups) = (rng.below(400), 1 + rng.below(8));
            // Few distinct priors, −0 among them: ties decided by index.
            let prior: Vec<f32> = (0..n)
                .map(|_| match rng.below(6) {
                    0 => -0.0,
                    x => x as f32 / 4.0,
                })
                .collect();
            let category: Vec<u32> = (0..n).map(|_| rng.below(groups + 1) as u32).collect();
            let (brand, band) = (vec![0u32; n], vec![0u8; n]);
            let row = |i| Row::of(&prior, &category, &brand, &band, i);
            let mut g = Groups::new(n, row, groups);
            for k in 0..g.count() {
                // The full sort: the group's items by prior descending, ties by index.
                let mut expect: Vec<u32> = (0..n as u32)
                    .filter(|&i| (category[i as usize] as usize).min(groups - 1) == k)
                    .collect();
                expect.sort_by(|&a, &b| {
                    let (x, y) = (prior[a as usize] + 0.0, prior[b as usize] + 0.0);
                    y.total_cmp(&x).then(a.cmp(&b))
                });
                assert_eq!(
                    g.best_prior(k),
                    expect.first().map(|&i| prior[i as usize] + 0.0),
                    "round {round}"
                );
                // Read a few entries (as a scan that stops early), then the whole group.
                let first = rng.below(expect.len() + 1);
                for (j, &want) in expect.iter().enumerate().take(first) {
                    let got = g.from(k, j).first().map(|e| e.0);
                    assert_eq!(got, Some(want), "round {round}");
                }
                let all: Vec<u32> = g.group(k).iter().map(|e| e.0).collect();
                assert_eq!(all, expect, "round {round}, group {k}");
            }
        }
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
