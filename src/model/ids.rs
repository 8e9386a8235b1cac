//! Item ids to item indexes: a hash table that model files carry (`IDHX`, docs/MODEL.md) and
//! that is built on `open` for a catalog or an older file.
//!
//! Every `track` and most `recommend` calls look ids up. A binary search over the ids' 8-byte
//! prefixes took 17 dependent reads per lookup; this table takes one read of a slot and one
//! comparison of the id, 1.3 of each on average. Building it for 100,000 ids takes about 4 ms
//! (hashing them and placing them, against 0.5 ms to check a stored sorted order), so the builder
//! writes it into the file and `open` only checks that it is usable.

use super::tables::{hash, probe, start};
use super::{Array, Strings};

/// Linear probing over `u32` slots, at most half full: the item's index + 1, 0 for empty (the
/// layout of the names' [`super::tables::Index`], looked up the same way, [`probe`]).
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    /// A power of two long (at least 8) with at least one empty slot, or empty for no ids.
    slots: Array<u32>,
}

/// Why a stored table cannot be used.
pub const UNUSABLE: &str = "the id hash table (IDHX) is not a power of two long, is more than \
     half full, or names an item that does not exist";

/// An id that two items share (the later one's index).
#[derive(Debug, PartialEq, Eq)]
pub struct Duplicate(pub u32);

impl IdIndex {
    /// The index of every id of `ids`; `Err` with the second item of the first pair found whose
    /// ids are equal.
    pub fn build(ids: &Strings) -> Result<IdIndex, Duplicate> {
        let n = ids.len();
        if n == 0 {
            return Ok(IdIndex::default());
        }
        let len = (2 * n).next_power_of_two().max(8);
        let bits = len.trailing_zeros();
        // Entries in the order of the slots they start from (a radix sort on those bits), so that
        // filling the table writes it front to back instead of at random (100,000 random writes
        // to a 2 MB table were most of building it).
        let mut entries: Vec<u64> = (0..n)
            .map(|i| tag(hash(ids.bytes_of(i))) << 32 | (i as u64 + 1))
            .collect();
        sort_by_top_bits(&mut entries, bits);
        // Each slot holds `tag << 32 | (index + 1)` while filling (the tag, the high half of the
        // hash, spares comparing ids that merely collide), then only the index.
        let mut slots = vec![0u64; len];
        let mask = len - 1;
        for e in entries {
            // The entry's top bits are the hash's: the slot it starts from.
            let mut at = start(e, len);
            loop {
                let held = slots[at];
                if held == 0 {
                    slots[at] = e;
                    break;
                }
                if held >> 32 == e >> 32 && ids.bytes_of(item(held)) == ids.bytes_of(item(e)) {
                    return Err(Duplicate(item(held).max(item(e)) as u32));
                }
                at = (at + 1) & mask;
            }
        }
        Ok(IdIndex {
            slots: slots.into_iter().map(|e| e as u32).collect(),
        })
    }

    /// A table read from a model file, for `n` items: checked to be a power of two long, to hold
    /// `n` items and be at most half full (as the builder writes it: lookups end, and soon) and
    /// to name only items that exist. Not checked: that each item is where its hash leads (a
    /// table that misplaces one makes its id not found, like a file without the item; the file's
    /// checksum guards against damage).
    pub fn stored(slots: Array<u32>, n: usize) -> Result<IdIndex, &'static str> {
        let len = slots.len();
        if len == 0 {
            return if n == 0 {
                Ok(IdIndex::default())
            } else {
                Err(UNUSABLE)
            };
        }
        // One pass without a branch per slot.
        let (empty, above) = slots.iter().fold((0usize, 0u32), |(e, a), &s| {
            (e + usize::from(s == 0), a | u32::from(s as usize > n))
        });
        if !len.is_power_of_two() || len < 8 || 2 * n > len || above != 0 || len - empty != n {
            return Err(UNUSABLE);
        }
        Ok(IdIndex { slots })
    }

    /// The slots, as a model file stores them.
    pub fn slots(&self) -> &[u32] {
        &self.slots
    }

    /// The index of the item whose id is `id` in `ids` (the table this index was built from).
    pub fn find(&self, ids: &Strings, id: &[u8]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        probe(&self.slots, ids, id).1
    }

    /// Slots looked at by the lookups of every id of `ids` (for tests of the hash's spread).
    #[cfg(test)]
    pub fn probes(&self, ids: &Strings) -> usize {
        let len = self.slots.len();
        (0..ids.len())
            .map(|i| {
                let from = start(hash(ids.bytes_of(i)), len);
                let (at, _) = probe(&self.slots, ids, ids.bytes_of(i));
                ((at + len - from) & (len - 1)) + 1
            })
            .sum()
    }
}

fn item(entry: u64) -> usize {
    (entry as u32 as usize).wrapping_sub(1)
}

fn tag(h: u64) -> u64 {
    h >> 32
}

/// Sorts `v` by its top `bits` bits (stable least-significant-digit radix sort, 11 bits a pass).
fn sort_by_top_bits(v: &mut Vec<u64>, bits: u32) {
    const DIGIT: u32 = 11;
    let mut from = core::mem::take(v);
    let mut to = vec![0u64; from.len()];
    let mut low = 64 - bits;
    while low < 64 {
        let width = DIGIT.min(64 - low);
        let mask = (1usize << width) - 1;
        let digit = |e: u64| (e >> low) as usize & mask;
        let mut starts = vec![0usize; mask + 2];
        for &e in &from {
            starts[digit(e) + 1] += 1;
        }
        for d in 1..starts.len() {
            starts[d] += starts[d - 1];
        }
        for &e in &from {
            let d = digit(e);
            to[starts[d]] = e;
            starts[d] += 1;
        }
        core::mem::swap(&mut from, &mut to);
        low += width;
    }
    *v = from;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(ids: &[String]) -> Strings {
        ids.iter().collect()
    }

    #[test]
    fn finds_every_id_and_nothing_else() {
        for n in [1usize, 2, 7, 8, 9, 1000, 5000] {
            let ids: Vec<String> = (0..n)
                .map(|i| format!("sku-{}", i * 7919 % 100_003))
                .collect();
            let t = table(&ids);
            let index = IdIndex::build(&t).unwrap();
            for (i, id) in ids.iter().enumerate() {
                assert_eq!(index.find(&t, id.as_bytes()), Some(i as u32), "{id}");
            }
            for absent in ["", "sku-", "sku-100003", "SKU-0", "sku-0 ", "x"] {
                assert_eq!(index.find(&t, absent.as_bytes()), None, "{absent}");
            }
        }
        assert_eq!(IdIndex::default().find(&Strings::default(), b"a"), None);
        let empty = IdIndex::build(&Strings::default()).unwrap();
        assert_eq!(empty.find(&Strings::default(), b""), None);
    }

    #[test]
    fn a_stored_table_is_checked_before_use() {
        let ids: Vec<String> = (0..5).map(|i| format!("id{i}")).collect();
        let t = table(&ids);
        let built = IdIndex::build(&t).unwrap();
        let stored = IdIndex::stored(built.slots().to_vec().into(), 5).unwrap();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(stored.find(&t, id.as_bytes()), Some(i as u32));
        }
        let check = |slots: Vec<u32>, n| IdIndex::stored(slots.into(), n).map(|_| ());
        assert_eq!(check(vec![1, 2, 3, 4, 0, 0, 0, 0], 4), Ok(()));
        assert_eq!(
            check(vec![1, 2, 3, 4, 5, 0, 0, 0], 5),
            Err(UNUSABLE),
            "more than half full"
        );
        assert_eq!(
            check(vec![1, 2, 3, 0, 0, 0, 0, 0], 4),
            Err(UNUSABLE),
            "an item missing"
        );
        assert_eq!(
            check(vec![1, 2, 3, 9, 0, 0, 0, 0], 4),
            Err(UNUSABLE),
            "no item 9"
        );
        assert_eq!(
            check(vec![1, 2, 0, 0, 0, 0], 2),
            Err(UNUSABLE),
            "not a power of two"
        );
        assert_eq!(
            check(vec![1, 0, 0, 0], 1),
            Err(UNUSABLE),
            "fewer than 8 slots"
        );
        assert_eq!(check(Vec::new(), 1), Err(UNUSABLE));
        assert_eq!(check(Vec::new(), 0), Ok(()));
    }

    #[test]
    fn a_repeated_id_is_found_while_building() {
        let ids: Vec<String> = ["a", "b", "c", "b", "d"].map(String::from).to_vec();
        assert_eq!(IdIndex::build(&table(&ids)).unwrap_err(), Duplicate(3));
        // Ids that differ only after eight bytes, or only in length, are different ids.
        let ids: Vec<String> = [
            "abcdefgh1",
            "abcdefgh2",
            "abcdefgh",
            "abcdefg",
            "abcdefgh\0",
        ]
        .map(String::from)
        .to_vec();
        let t = table(&ids);
        let index = IdIndex::build(&t).unwrap();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.find(&t, id.as_bytes()), Some(i as u32));
        }
    }

    /// Lookups stay near one probe for the shapes ids take in real catalogs; a hash that left
    /// the top bits to a few input bytes (as without the finaliser) makes long runs here.
    #[test]
    fn the_hash_spreads_real_id_shapes() {
        let n = 100_000usize;
        type Shape = (&'static str, fn(usize) -> String);
        let shapes: [Shape; 6] = [
            ("sequential numbers", |i| (i + 1).to_string()),
            ("zero-padded numbers", |i| format!("{i:012}")),
            ("prefixed skus", |i| format!("SKU-{i:06}")),
            ("long shopify gids", |i| {
                format!("gid://shopify/ProductVariant/{}", 40_000_000_000 + i)
            }),
            ("uuid-like hex", |i| {
                format!(
                    "{:016x}-{i:08x}",
                    (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                )
            }),
            ("short codes", |i| {
                format!("{}{}", (b'A' + (i % 26) as u8) as char, i / 26)
            }),
        ];
        for (what, make) in shapes {
            let ids: Vec<String> = (0..n).map(make).collect();
            let t = table(&ids);
            let index = IdIndex::build(&t).unwrap();
            let probes = index.probes(&t) as f64 / n as f64;
            // Linear probing at most half full averages 1.5 probes per hit with a uniform hash.
            assert!(probes < 1.8, "{what}: {probes:.2} probes per lookup");
        }
    }

    #[test]
    fn radix_sort_orders_by_the_top_bits_and_keeps_ties_in_order() {
        let mut v: Vec<u64> = (0..5000u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i)
            .collect();
        let bits = 23;
        let mut want = v.clone();
        want.sort_by_key(|&e| e >> (64 - bits));
        sort_by_top_bits(&mut v, bits);
        assert_eq!(v, want);
    }
}
