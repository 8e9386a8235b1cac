//! Which items carry each tag: the inverse of the model's item → tags lists. `similar` builds it
//! on its first call in a session and then marks the items that share a tag with the item on
//! screen in a pass over those tags' items, instead of reading every item's tags in its scan.

use crate::model::{Lists, Model};

/// Tag `t`'s items are `items.row(t)`, in index order.
#[derive(Clone, Debug, Default)]
pub struct TagIndex {
    items: Lists,
    /// The catalog it was built for: its size and its tag count.
    built_for: Option<(usize, usize)>,
}

impl TagIndex {
    /// Builds the index unless it is already the one of `model`'s shape (a session keeps one
    /// model).
    pub fn ensure(&mut self, model: &Model) {
        let p = model.parts();
        let shape = (model.len(), p.tags.len());
        if self.built_for == Some(shape) {
            return;
        }
        let mut offsets = vec![0u32; shape.1 + 1];
        for i in 0..shape.0 {
            for &t in p.item_tags.row(i) {
                if let Some(n) = offsets.get_mut(t as usize + 1) {
                    *n += 1;
                }
            }
        }
        for t in 0..shape.1 {
            offsets[t + 1] += offsets[t];
        }
        let mut next = offsets.clone();
        let mut values = vec![0u32; offsets[shape.1] as usize];
        for i in 0..shape.0 {
            for &t in p.item_tags.row(i) {
                if let Some(slot) = next.get_mut(t as usize) {
                    values[*slot as usize] = i as u32;
                    *slot += 1;
                }
            }
        }
        self.items = Lists { offsets, values };
        self.built_for = Some(shape);
    }

    /// Sets, in `bits` (one bit per item, cleared first), the items that carry any of `tags`.
    pub fn mark(&self, tags: &[u32], items: usize, bits: &mut Vec<u32>) {
        bits.clear();
        bits.resize(items.div_ceil(32), 0);
        for &t in tags {
            for &i in self.items.row(t as usize) {
                if let Some(w) = bits.get_mut(i as usize / 32) {
                    *w |= 1 << (i % 32);
                }
            }
        }
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        (self.items.offsets.capacity() + self.items.values.capacity()) * 4
    }
}

/// Whether bit `i` is set in a bit set of one bit per item (as [`TagIndex::mark`] fills, and the
/// scratch's marks).
#[inline]
pub fn has(bits: &[u32], i: u32) -> bool {
    bits.get(i as usize / 32)
        .is_some_and(|w| w & (1 << (i % 32)) != 0)
}
