//! Which items are in each category, by each brand and carry each tag: the inverse of the
//! model's category and brand columns and item → tags lists. `similar` builds it on its first call
//! in a session and then marks the items related to the item on screen from the lists of its
//! categories, brands and tags, instead of reading every item's (a pass over the columns of a
//! 1,000,000-item catalog took 7–13 ms per call; the index costs 4 bytes per item for each).

use crate::model::{Lists, Model};

/// Category `c`'s items are `categories.row(c)`, in index order; likewise brands and tags.
#[derive(Clone, Debug, Default)]
pub struct Related {
    categories: Lists,
    brands: Lists,
    tags: Lists,
    /// The catalog it was built for: its size and its category, brand and tag counts.
    built_for: Option<[usize; 4]>,
}

impl Related {
    /// Builds the index unless it is already the one of `model`'s shape (a session keeps one
    /// model).
    pub fn ensure(&mut self, model: &Model) {
        let p = model.parts();
        let n = model.len();
        let shape = [n, p.categories.len(), p.brands.len(), p.tags.len()];
        if self.built_for == Some(shape) {
            return;
        }
        let (category, brand): (&[u32], &[u32]) = (&p.category, &p.brand);
        self.categories = invert(n, shape[1], |i| category.get(i..=i).unwrap_or(&[]));
        self.brands = invert(n, shape[2], |i| brand.get(i..=i).unwrap_or(&[]));
        self.tags = invert(n, shape[3], |i| p.item_tags.row(i));
        self.built_for = Some(shape);
    }

    /// Calls `f(i)` for every item in one of `categories`, by one of `brands` or carrying one of
    /// `tags` (an item related more than one way comes more than once).
    pub fn each(&self, categories: &[u32], brands: &[u32], tags: &[u32], mut f: impl FnMut(u32)) {
        for (lists, keys) in [
            (&self.categories, categories),
            (&self.brands, brands),
            (&self.tags, tags),
        ] {
            for &k in keys {
                lists.row(k as usize).iter().for_each(|&i| f(i));
            }
        }
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        [&self.categories, &self.brands, &self.tags]
            .iter()
            .map(|l| (l.offsets.capacity() + l.values.capacity()) * 4)
            .sum()
    }
}

/// Per key below `keys`, the items `0..n` whose `keys_of(i)` hold it, in index order (keys out of
/// range, such as `NONE`, are left out).
fn invert<'a>(n: usize, keys: usize, keys_of: impl Fn(usize) -> &'a [u32]) -> Lists {
    // No keys (a catalog without tags, say): no item to visit.
    if keys == 0 {
        return Lists::default();
    }
    let mut offsets = vec![0u32; keys + 1];
    for i in 0..n {
        for &k in keys_of(i) {
            // The placement pass's test: `k + 1` for `NONE` wraps to 0 on wasm32.
            if (k as usize) < keys {
                offsets[k as usize + 1] += 1;
            }
        }
    }
    for k in 0..keys {
        offsets[k + 1] += offsets[k];
    }
    let mut next = offsets.clone();
    let mut values = vec![0u32; offsets[keys] as usize];
    for i in 0..n {
        for &k in keys_of(i) {
            if (k as usize) < keys {
                values[next[k as usize] as usize] = i as u32;
                next[k as usize] += 1;
            }
        }
    }
    Lists { offsets, values }
}

/// Whether bit `i` is set in a bit set of one bit per item (the scratch's marks).
#[inline]
pub fn has(bits: &[u32], i: u32) -> bool {
    bits.get(i as usize / 32)
        .is_some_and(|w| w & (1 << (i % 32)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invert_lists_each_keys_items_in_index_order_and_leaves_out_keys_out_of_range() {
        let keys_of: [&[u32]; 6] = [&[1], &[0, 2], &[], &[1, 9], &[u32::MAX], &[2, 1]];
        let lists = invert(keys_of.len(), 3, |i| keys_of[i]);
        let rows: Vec<&[u32]> = (0..4).map(|k| lists.row(k)).collect();
        assert_eq!(rows, [&[1][..], &[0, 3, 5], &[1, 5], &[]]);
        // No keys: nothing to list, whatever the items hold.
        let none = invert(keys_of.len(), 0, |i| keys_of[i]);
        assert_eq!((none.row(0), none.row(1)), (&[][..], &[][..]));
    }
}
