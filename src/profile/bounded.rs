//! A map with a fixed capacity: when full, a new key replaces the entry that matters least now.
//!
//! "Matters" is an entry's weight decayed to now, `weight · 2^(−(now − at) / half_life)`. Its log,
//! `ln weight + at · ln 2 / half_life − now · ln 2 / half_life`, differs between entries only by
//! the part without `now`: the order of entries by decayed weight is the same at every time after
//! their last change. So each entry keeps that part (its *standing*, computed when it changes) and
//! the entries sit in a binary min-heap on it: finding the one to evict is a look at the root,
//! each change is a sift of `log2 cap` steps. The full scan this replaces cost 256 exact or
//! approximate ranks per new item once the items were full (docs/BENCHMARKS.md).
//!
//! Only a full map evicts, so the heap is put in order (in O(n)) when the map becomes full, and
//! kept in order while it stays full; until then its nodes are only kept, one per entry, in the
//! order of the entries. Most profiles never fill their categories, brands and channels (64, 64
//! and 16), which then cost no sift at all. The heap's memory is the same either way, and so is
//! every eviction: the order is strict, so the root is the same entry whatever the heap's shape.
//!
//! Keys live once, in the entries; the index is a small open-addressing table of entry numbers
//! (FNV-1a, linear probing, at most half full). Iteration order is the order of insertion, with
//! the last entry moved into the place of an evicted one.

/// Entries whose importance decays exponentially.
pub trait Rank {
    /// `(weight, at)`: the entry is worth `weight · 2^(−(now − at) / half_life)` at `now`.
    fn decaying(&self) -> (f64, f64);
}

#[derive(Clone, Debug)]
struct Entry<V> {
    key: String,
    hash: u32,
    /// Where the entry is in `heap`.
    pos: u32,
    value: V,
}

/// A place in the heap: the entry's standing (the log of its weight decayed to time 0; see the
/// module comment), kept here so that sifting reads one array, and the entry's number.
#[derive(Clone, Copy, Debug)]
struct Node {
    standing: f64,
    /// The key's first eight bytes (`model::prefix`): equal standings (events in the same
    /// millisecond) are ordered by these before the keys themselves are read.
    prefix: u64,
    entry: u32,
}

/// A string-keyed map holding at most `cap` entries.
#[derive(Clone, Debug)]
pub struct Bounded<V> {
    cap: usize,
    half_life_ms: f64,
    entries: Vec<Entry<V>>,
    /// Entry number + 1 for each used slot, 0 for a free one; its length is a power of two.
    table: Vec<u32>,
    /// One node per entry; while `ordered`, a min-heap: the lowest standing at the root (ties:
    /// the lower key).
    heap: Vec<Node>,
    /// Whether `heap` is in heap order, with each node's standing up to date: from the time the
    /// map is full until a `retain` leaves it with room.
    ordered: bool,
}

fn fnv(key: &str) -> u32 {
    key.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn standing(v: &impl Rank, half_life_ms: f64) -> f64 {
    let (weight, at) = v.decaying();
    if weight > 0.0 {
        weight.ln() + at * (core::f64::consts::LN_2 / half_life_ms)
    } else {
        f64::NEG_INFINITY
    }
}

impl<V: Rank> Bounded<V> {
    pub fn new(cap: usize, half_life_ms: f64) -> Self {
        Bounded {
            cap,
            half_life_ms,
            entries: Vec::new(),
            table: Vec::new(),
            heap: Vec::new(),
            ordered: false,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).map(|(_, e)| &self.entries[e].value)
    }

    /// Changes the entry for `key`, created with `make` if absent. At capacity, the entry that
    /// matters least now (ties broken by key, so the outcome is deterministic) makes room first.
    pub fn update(&mut self, key: &str, make: impl FnOnce() -> V, change: impl FnOnce(&mut V)) {
        match self.find(key) {
            Some((_, e)) => {
                change(&mut self.entries[e].value);
                self.restand(e);
            }
            None => {
                if self.entries.len() >= self.cap {
                    match self.heap.first() {
                        // A full map's heap is in order (see `push`).
                        Some(lowest) if self.ordered => self.remove(lowest.entry as usize),
                        _ => return,
                    }
                }
                // Changed before it enters the heap: made, a new entry would stand lowest (weight
                // 0) and sift up to the root, then back down once changed.
                let mut value = make();
                change(&mut value);
                self.push(key.to_owned(), value);
            }
        }
    }

    /// Inserts as given (used when decoding), respecting the capacity.
    pub fn insert(&mut self, key: String, value: V) {
        match self.find(&key) {
            Some((_, e)) => {
                self.entries[e].value = value;
                self.restand(e);
            }
            None if self.entries.len() < self.cap => {
                self.push(key, value);
            }
            None => {}
        }
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        let before = self.entries.len();
        self.entries.retain(|e| keep(&e.key, &e.value));
        if self.entries.len() != before {
            self.rebuild();
        }
    }

    /// Changes every value in place (times corrected), then computes the order again.
    pub fn change_all(&mut self, change: impl FnMut(&mut V)) {
        self.entries
            .iter_mut()
            .map(|e| &mut e.value)
            .for_each(change);
        self.rebuild();
    }

    /// Weights halve every `half_life_ms` from now on: the order is computed again.
    pub fn set_half_life(&mut self, half_life_ms: f64) {
        self.half_life_ms = half_life_ms;
        self.rebuild();
    }

    /// Entries sorted by key: a stable order for export and encoding.
    pub fn sorted(&self) -> Vec<(&str, &V)> {
        let mut v: Vec<(&str, &V)> = self.iter().collect();
        crate::sort::sort_by(&mut v, &mut |a, b| a.0 < b.0);
        v
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }

    /// Heap bytes held (entries, keys, index and heap), an upper estimate used for the size bound.
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * core::mem::size_of::<Entry<V>>()
            + self.table.capacity() * core::mem::size_of::<u32>()
            + self.heap.capacity() * core::mem::size_of::<Node>()
            + self.entries.iter().map(|e| e.key.capacity()).sum::<usize>()
    }

    // The index.

    /// `(slot in table, entry number)` of `key`.
    fn find(&self, key: &str) -> Option<(usize, usize)> {
        if self.table.is_empty() {
            return None;
        }
        let hash = fnv(key);
        let mask = self.table.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let e = self.table[slot].checked_sub(1)? as usize;
            let entry = &self.entries[e];
            if entry.hash == hash && entry.key == key {
                return Some((slot, e));
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The table slot that holds entry `e`.
    fn slot_of(&self, e: usize) -> usize {
        let mask = self.table.len() - 1;
        let mut slot = self.entries[e].hash as usize & mask;
        while self.table[slot] as usize != e + 1 {
            slot = (slot + 1) & mask;
        }
        slot
    }

    fn index(&mut self, e: usize) {
        let mask = self.table.len() - 1;
        let mut slot = self.entries[e].hash as usize & mask;
        while self.table[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.table[slot] = e as u32 + 1;
    }

    /// Frees a table slot, moving later entries of the same probe run back (no tombstones).
    fn unindex(&mut self, mut hole: usize) {
        let mask = self.table.len() - 1;
        self.table[hole] = 0;
        let mut slot = hole;
        loop {
            slot = (slot + 1) & mask;
            let Some(e) = self.table[slot].checked_sub(1) else {
                return;
            };
            let home = self.entries[e as usize].hash as usize & mask;
            // The entry may fill the hole if its home is not cyclically within (hole, slot].
            if (slot.wrapping_sub(home) & mask) >= (slot.wrapping_sub(hole) & mask) {
                self.table[hole] = e + 1;
                self.table[slot] = 0;
                hole = slot;
            }
        }
    }

    // Entries.

    fn push(&mut self, key: String, value: V) -> usize {
        if self.table.is_empty() {
            self.table = vec![0; (self.cap.max(1) * 2).next_power_of_two()];
        }
        let e = self.entries.len();
        self.heap.push(Node {
            standing: match self.ordered {
                true => standing(&value, self.half_life_ms),
                false => 0.0,
            },
            prefix: crate::model::prefix(key.as_bytes()),
            entry: e as u32,
        });
        self.entries.push(Entry {
            hash: fnv(&key),
            key,
            pos: self.heap.len() as u32 - 1,
            value,
        });
        self.index(e);
        if self.ordered {
            self.sift_up(self.heap.len() - 1);
        } else if self.entries.len() >= self.cap {
            self.order();
        }
        e
    }

    fn remove(&mut self, e: usize) {
        let slot = self.slot_of(e);
        self.unindex(slot);
        let pos = self.entries[e].pos as usize;
        let last = self.heap.len() - 1;
        self.heap.swap(pos, last);
        self.heap.pop();
        if pos < last {
            let moved = self.heap[pos].entry as usize;
            self.entries[moved].pos = pos as u32;
            self.resift(pos);
        }
        // The last entry takes the freed number.
        let last = self.entries.len() - 1;
        if e != last {
            let slot = self.slot_of(last);
            self.table[slot] = e as u32 + 1;
            self.heap[self.entries[last].pos as usize].entry = e as u32;
        }
        self.entries.swap_remove(e);
    }

    fn rebuild(&mut self) {
        self.table.iter_mut().for_each(|s| *s = 0);
        self.heap.clear();
        for e in 0..self.entries.len() {
            self.index(e);
            self.entries[e].pos = e as u32;
            self.heap.push(Node {
                standing: 0.0,
                prefix: crate::model::prefix(self.entries[e].key.as_bytes()),
                entry: e as u32,
            });
        }
        self.ordered = false;
        if self.entries.len() >= self.cap {
            self.order();
        }
    }

    /// Puts the heap in order (its nodes one per entry, in any order), each standing computed.
    fn order(&mut self) {
        for node in &mut self.heap {
            node.standing = standing(&self.entries[node.entry as usize].value, self.half_life_ms);
        }
        for pos in (0..self.heap.len() / 2).rev() {
            self.sift_down(pos);
        }
        self.ordered = true;
    }

    // The heap.

    fn restand(&mut self, e: usize) {
        if !self.ordered {
            return;
        }
        let pos = self.entries[e].pos as usize;
        self.heap[pos].standing = standing(&self.entries[e].value, self.half_life_ms);
        self.resift(pos);
    }

    // The comparisons and moves of the sifts, inlined: 4 % of `track` on the 100k catalog,
    // measured (at the wasm build's opt-level "s" they were calls).

    /// Whether the entry at heap position `a` goes before the one at `b`.
    #[inline]
    fn before(&self, a: usize, b: usize) -> bool {
        self.goes_before(self.heap[a], self.heap[b])
    }

    /// The heap order: lower standing first, then the lower key.
    #[inline]
    fn goes_before(&self, x: Node, y: Node) -> bool {
        x.standing
            .total_cmp(&y.standing)
            .then(x.prefix.cmp(&y.prefix))
            .then_with(|| {
                let key = |n: Node| self.entries[n.entry as usize].key.as_bytes();
                crate::model::after_prefix(key(x), key(y))
            })
            .is_lt()
    }

    /// Puts `node` at heap position `pos`, noting the position in its entry.
    #[inline]
    fn set(&mut self, pos: usize, node: Node) {
        self.entries[node.entry as usize].pos = pos as u32;
        self.heap[pos] = node;
    }

    fn resift(&mut self, pos: usize) {
        if pos > 0 && self.before(pos, (pos - 1) / 2) {
            self.sift_up(pos);
        } else {
            self.sift_down(pos);
        }
    }

    // Both sifts carry the moving node in hand and shift the others into the hole it leaves, so
    // each level writes one position instead of swapping two.

    fn sift_up(&mut self, mut pos: usize) {
        let node = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !self.goes_before(node, self.heap[parent]) {
                break;
            }
            self.set(pos, self.heap[parent]);
            pos = parent;
        }
        self.set(pos, node);
    }

    // Sifting down, the hole goes all the way to a leaf along the lower children (one comparison
    // a level), then the node rises back to its place (Floyd's): an entry that changed mostly
    // rose in standing (it was just touched) and belongs near the bottom, so this takes about half
    // the comparisons of checking the node at each level. The order being strict, the node ends
    // where that check would have stopped.
    fn sift_down(&mut self, start: usize) {
        let node = self.heap[start];
        let n = self.heap.len();
        let mut pos = start;
        loop {
            let l = 2 * pos + 1;
            if l >= n {
                break;
            }
            let child = if l + 1 < n && self.before(l + 1, l) {
                l + 1
            } else {
                l
            };
            self.set(pos, self.heap[child]);
            pos = child;
        }
        while pos > start {
            let parent = (pos - 1) / 2;
            if !self.goes_before(node, self.heap[parent]) {
                break;
            }
            self.set(pos, self.heap[parent]);
            pos = parent;
        }
        self.set(pos, node);
    }
}

/// The same keys with the same values (the order of entries is not part of a map's value).
impl<V: Rank + PartialEq> PartialEq for Bounded<V> {
    fn eq(&self, other: &Self) -> bool {
        self.cap == other.cap
            && self.len() == other.len()
            && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::decay::{factor, Decayed};
    use crate::rng::Rng;

    const HL: f64 = 14.0 * 86_400_000.0;

    impl<V: Rank> Bounded<V> {
        /// Every structural invariant: the index finds each entry and nothing else, the heap
        /// holds each entry once at its recorded position, and the heap order holds.
        fn check(&self) {
            assert!(self.entries.len() <= self.cap);
            assert_eq!(self.heap.len(), self.entries.len());
            let used = self.table.iter().filter(|&&s| s != 0).count();
            assert_eq!(used, self.entries.len());
            assert_eq!(
                self.ordered,
                self.entries.len() == self.cap,
                "ordered when full"
            );
            for (e, entry) in self.entries.iter().enumerate() {
                assert_eq!(self.find(&entry.key).map(|(_, f)| f), Some(e));
                let node = self.heap[entry.pos as usize];
                assert_eq!(node.entry as usize, e);
                if self.ordered {
                    assert_eq!(node.standing, standing(&entry.value, self.half_life_ms));
                }
            }
            if self.ordered {
                for pos in 1..self.heap.len() {
                    assert!(!self.before(pos, (pos - 1) / 2), "heap order at {pos}");
                }
            }
        }
    }

    /// The entry a full scan of weights decayed to `now` would evict.
    fn brute_force(b: &Bounded<Decayed>, now: f64) -> String {
        b.iter()
            .map(|(k, v)| (v.weight as f64 * factor(now - v.at, HL), k))
            .min_by(|a, c| a.0.total_cmp(&c.0).then_with(|| a.1.cmp(c.1)))
            .map(|(_, k)| k.to_owned())
            .unwrap()
    }

    #[test]
    fn eviction_picks_the_lowest_decayed_weight_as_a_full_scan_would() {
        let mut rng = Rng::new(8);
        for round in 0..300 {
            let mut b = Bounded::new(24, HL);
            let now = 1e12 + rng.unit() * 1e9;
            for i in 0..24 {
                // Weights spanning orders of magnitude, ties and zeros.
                let w = match rng.below(5) {
                    0 => 0.0,
                    1 => 1.0,
                    _ => (rng.unit() * 40.0 - 20.0).exp2(),
                };
                let at = now - (rng.unit() * 3.0 * HL).floor();
                b.insert(format!("k{i:02}"), Decayed::new(w, at));
            }
            b.check();
            let expect = brute_force(&b, now);
            b.update("new", Decayed::default, |d| d.add(1.0, now, HL));
            b.check();
            assert!(
                b.get(&expect).is_none(),
                "round {round}: {expect} should go"
            );
            assert_eq!(b.len(), 24);
        }
    }

    #[test]
    fn times_brought_back_evict_as_a_full_scan_would() {
        let mut rng = Rng::new(5);
        for round in 0..100 {
            let mut b = Bounded::new(24, HL);
            let now = 1e12;
            for i in 0..24 {
                // Some entries a year ahead of `now`: they stood highest until brought back.
                let ahead = if rng.below(3) == 0 {
                    365.0 * 86_400_000.0
                } else {
                    0.0
                };
                let at = now - (rng.unit() * 3.0 * HL).floor() + ahead;
                b.insert(format!("k{i:02}"), Decayed::new(1.0 + rng.unit() * 8.0, at));
            }
            b.change_all(|d| d.at = d.at.min(now));
            b.check();
            let expect = brute_force(&b, now);
            b.update("new", Decayed::default, |d| d.add(1.0, now, HL));
            assert!(
                b.get(&expect).is_none(),
                "round {round}: {expect} should go"
            );
        }
    }

    #[test]
    fn the_order_does_not_depend_on_when_it_is_asked() {
        // Decayed weights keep their order as time passes: evicting later evicts the same entry.
        let mut rng = Rng::new(3);
        let mut b = Bounded::new(16, HL);
        for i in 0..16 {
            let at = 1e12 + rng.unit() * 2.0 * HL;
            b.insert(format!("k{i}"), Decayed::new(1.0 + rng.unit() * 8.0, at));
        }
        let latest = b.iter().map(|(_, d)| d.at).fold(0.0, f64::max);
        let expect = brute_force(&b, latest);
        assert_eq!(brute_force(&b, latest + 10.0 * HL), expect);
        b.update("new", Decayed::default, |_| {});
        assert!(b.get(&expect).is_none());
    }

    #[test]
    fn any_sequence_of_changes_keeps_the_index_and_the_heap_consistent() {
        let mut rng = Rng::new(11);
        let mut b = Bounded::new(32, HL);
        let mut t = 1e12;
        for step in 0..20_000 {
            t += rng.unit() * 3.6e6;
            // Few keys (hits) and many (evictions); weights go up and down to zero.
            let key = format!("k{}", rng.below(if step % 2 == 0 { 40 } else { 400 }));
            match rng.below(10) {
                0 => b.retain(|k, _| !k.ends_with('7')),
                1 => b.insert(key, Decayed::new(rng.unit() * 4.0, t)),
                2 => b.update(&key, Decayed::default, |d| d.add(-3.0, t, HL)),
                3 if step % 1000 == 0 => b.set_half_life(HL * (0.5 + rng.unit())),
                // Times brought back (the clock was put back): the order is computed again.
                4 if step % 500 == 0 => b.change_all(|d| d.at = d.at.min(t - 3.6e6)),
                _ => b.update(&key, Decayed::default, |d| d.add(1.0, t, HL)),
            }
            if step % 97 == 0 {
                b.check();
            }
        }
        b.check();
        let same = b.clone();
        assert_eq!(b, same);
    }
}
