//! Flat tables: many strings in one buffer, many lists in one array. A model holds every id,
//! title and tag list this way, so a model file loads without one allocation per item: its
//! string tables are read in place ([`Strings::in_file`]), its lists with a few bulk copies.

use super::array::{Array, FileBytes};

/// A table of strings: string `i` is `text[offsets[i]..offsets[i + 1]]`. Both parts are
/// [`Array`]s, so a table read from a model file views the file's bytes instead of copying them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Strings {
    /// `len + 1` byte offsets, from 0, never decreasing, each on a character boundary
    /// (empty for an empty table).
    pub offsets: Array<u32>,
    /// UTF-8, always: every way to make a table ([`Strings::push`], [`Strings::in_file`]) keeps
    /// it so, and nothing else writes it.
    text: Array<u8>,
}

impl Strings {
    /// The table whose offsets and text are `offsets` and `text`, parts of `file`: viewed in
    /// place when they can be, else copied. `None` when the text is not UTF-8 or the offsets are
    /// not whole numbers (what else could be wrong is [`Strings::validate`]'s to say).
    pub fn in_file(file: &FileBytes, offsets: &[u8], text: &[u8]) -> Option<Strings> {
        core::str::from_utf8(text).ok()?;
        Some(Strings {
            offsets: Array::in_file(file, offsets)?,
            text: Array::in_file(file, text)?,
        })
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All the strings' text, one after the other.
    pub fn text(&self) -> &str {
        // SAFETY: `text` is UTF-8: `in_file` checked it, `push` appends whole `&str`s, `Default`
        // is empty, and no other code writes it (the field is private to this module).
        unsafe { core::str::from_utf8_unchecked(&self.text) }
    }

    /// String `i`, or `""` when out of range.
    pub fn get(&self, i: usize) -> &str {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.text().get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }

    /// String `i`'s bytes, or none when out of range: for comparisons (bytewise order is the
    /// order of `str`), without the character-boundary checks of [`Strings::get`].
    pub fn bytes_of(&self, i: usize) -> &[u8] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.text.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Whether some string is empty, from the offsets alone.
    pub fn has_empty(&self) -> bool {
        self.offsets.windows(2).any(|w| w[0] == w[1])
    }

    pub fn push(&mut self, s: &str) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.text.extend_from_slice(s.as_bytes());
        self.offsets.push(self.text.len() as u32);
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Checks the offsets against the text; `Err` says what is wrong.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.offsets.is_empty() {
            return if self.text.is_empty() {
                Ok(())
            } else {
                Err("text without offsets")
            };
        }
        if self.offsets.first() != Some(&0)
            || self.offsets.last().map(|&e| e as usize) != Some(self.text.len())
        {
            return Err("offsets do not span the text");
        }
        if self.offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err("offsets decrease");
        }
        // In ASCII text every offset is on a boundary (checking that first halves the check).
        let text = self.text();
        if !text.is_ascii()
            && self
                .offsets
                .iter()
                .any(|&o| !text.is_char_boundary(o as usize))
        {
            return Err("an offset splits a character");
        }
        Ok(())
    }
}

impl<S: AsRef<str>> FromIterator<S> for Strings {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut t = Strings {
            offsets: vec![0].into(),
            text: Array::default(),
        };
        for s in iter {
            t.push(s.as_ref());
        }
        t
    }
}

/// The indexes of a [`Strings`] table by string: a hash table of indexes (linear probing, at
/// most half full, [`probe`]) that reads the strings from the table. It replaced
/// `HashMap<String, u32>`s, whose SipHash, hashbrown and copied keys were 5 KB of the shipped
/// module; a binary search over the sorted indexes instead made opening a 20,000-item `catalog` a
/// fifth slower. The strings are the shop's own (its categories, brands, channels and tags), so
/// no seed against collisions. The model's item ids have a table of the same layout that files
/// carry (`super::ids::IdIndex`).
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// A power of two long (or empty); 0 for empty, else an index of the table plus one.
    slots: Vec<u32>,
}

impl Index {
    /// Every string of `t`; a string there twice finds its last index (as a map filled in order).
    pub fn of(t: &Strings) -> Self {
        let mut index = Index::default();
        for i in 0..t.len() as u32 {
            index.put(t, i);
        }
        index
    }

    /// The index of `s` in `t`.
    pub fn find(&self, t: &Strings, s: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        probe(&self.slots, t, s.as_bytes()).1
    }

    /// The index of `s`, pushing it on `t` when it is not there yet.
    pub fn intern(&mut self, t: &mut Strings, s: &str) -> u32 {
        if let Some(i) = self.find(t, s) {
            return i;
        }
        let i = t.len() as u32;
        t.push(s);
        self.put(t, i);
        i
    }

    /// Makes `s` find index `i` of `t`, growing the table to keep it at most half full.
    fn put(&mut self, t: &Strings, i: u32) {
        let held = i as usize + 1;
        if 2 * held > self.slots.len() {
            let old = core::mem::replace(&mut self.slots, vec![0; (4 * held).next_power_of_two()]);
            for e in old.into_iter().filter(|&e| e != 0) {
                let (at, _) = probe(&self.slots, t, t.bytes_of(e as usize - 1));
                self.slots[at] = e;
            }
        }
        let (at, _) = probe(&self.slots, t, t.bytes_of(i as usize));
        self.slots[at] = i + 1;
    }
}

/// Where `s` is in `slots` — a linear-probing table of indexes of `t` plus one (0 for empty), a
/// power of two long with an empty slot —, with its index; or the empty slot where it would go.
pub(super) fn probe(slots: &[u32], t: &Strings, s: &[u8]) -> (usize, Option<u32>) {
    let mask = slots.len() - 1;
    let mut at = start(hash(s), slots.len());
    loop {
        let e = slots[at];
        if e == 0 {
            return (at, None);
        }
        if t.bytes_of(e as usize - 1) == s {
            return (at, Some(e - 1));
        }
        at = (at + 1) & mask;
    }
}

/// The slot a string whose hash is `h` starts from in a table of `len` slots: the hash's top bits.
pub(super) fn start(h: u64, len: usize) -> usize {
    h.checked_shr(64 - len.trailing_zeros()).unwrap_or(0) as usize
}

/// A 64-bit hash of a string, eight bytes at a time (ids are mostly ASCII SKUs and numbers of
/// similar length that differ in their last bytes), with MurmurHash3's finaliser so that every
/// input bit reaches the top bits the tables use. Model files store tables made with it
/// (`IDHX`, docs/MODEL.md): changing it is a format change.
pub(super) fn hash(id: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (id.len() as u64).wrapping_mul(K);
    let mut rest = id;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        h = (h ^ u64::from_le_bytes(*word))
            .wrapping_mul(K)
            .rotate_left(29);
        rest = tail;
    }
    if !rest.is_empty() {
        let word = rest.iter().rev().fold(0u64, |w, &b| w << 8 | u64::from(b));
        h = (h ^ word).wrapping_mul(K).rotate_left(29);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Lists of indexes, one per row: row `i` is `values[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lists {
    /// `rows + 1` offsets, or empty when every row is empty.
    pub offsets: Vec<u32>,
    pub values: Vec<u32>,
}

impl Lists {
    /// Row `i` (empty when out of range).
    pub fn row(&self, i: usize) -> &[u32] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.values.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: &[u32]) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.values.extend_from_slice(row);
        self.offsets.push(self.values.len() as u32);
    }

    /// Checks the structure for `rows` rows whose values are below `bound`.
    pub fn validate(&self, rows: usize, bound: usize) -> Result<(), &'static str> {
        if self.offsets.is_empty() {
            return if self.values.is_empty() {
                Ok(())
            } else {
                Err("values without offsets")
            };
        }
        if self.offsets.len() != rows + 1 {
            return Err("one offset per item plus one expected");
        }
        if self.offsets.first() != Some(&0)
            || self.offsets.last().map(|&e| e as usize) != Some(self.values.len())
        {
            return Err("offsets do not span the values");
        }
        if self.offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err("offsets decrease");
        }
        if self.values.iter().any(|&v| v as usize >= bound) {
            return Err("a value is out of range");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_validate() {
        let t: Strings = ["a", "", "héllo"].into_iter().collect();
        assert_eq!(t.len(), 3);
        assert_eq!(t.iter().collect::<Vec<_>>(), ["a", "", "héllo"]);
        assert_eq!(t.get(9), "");
        assert_eq!(t.validate(), Ok(()));
        let mut bad = t.clone();
        bad.offsets.to_mut()[2] = 3; // inside 'é'
        assert!(bad.validate().is_err());
        let mut bad = t;
        bad.offsets.to_mut()[1] = 9;
        assert!(bad.validate().is_err());
        assert_eq!(Strings::default().validate(), Ok(()));
    }

    #[test]
    fn strings_in_a_file_are_viewed_checked_and_copied_before_growing() {
        let mut bytes = Vec::new();
        for o in [0u32, 1, 1, 7] {
            bytes.extend_from_slice(&o.to_le_bytes());
        }
        bytes.extend_from_slice("aHéllo".as_bytes());
        let file: FileBytes = std::sync::Arc::new(bytes);
        let mut t = Strings::in_file(&file, &file[..16], &file[16..]).unwrap();
        assert_eq!(t.iter().collect::<Vec<_>>(), ["a", "", "Héllo"]);
        assert_eq!(
            t.offsets.heap_bytes(),
            0,
            "the offsets are a view of the file"
        );
        assert_eq!(t.validate(), Ok(()));
        t.push("x");
        assert_eq!(t.iter().collect::<Vec<_>>(), ["a", "", "Héllo", "x"]);
        assert_eq!(&file[16..], "aHéllo".as_bytes(), "the file is unchanged");
        // Not UTF-8 (half of 'é'): refused, so `text` never holds anything else.
        let cut = file.len() - 4;
        assert!(Strings::in_file(&file, &file[..16], &file[16..cut]).is_none());
    }

    #[test]
    fn index_finds_what_a_map_filled_in_order_keeps() {
        // Past a few growths, with repeated names: the last index of a name wins.
        let names: Vec<String> = (0..300).map(|i| format!("n{}", (i * 7) % 101)).collect();
        let t: Strings = names.iter().collect();
        let map: std::collections::HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect();
        let index = Index::of(&t);
        for (name, &i) in &map {
            assert_eq!(index.find(&t, name), Some(i));
        }
        for absent in ["", "n", "n101", "n99x", "o"] {
            assert_eq!(index.find(&t, absent), None);
        }
        assert_eq!(Index::default().find(&Strings::default(), "n1"), None);

        let (mut t, mut index) = (Strings::default(), Index::default());
        let order: Vec<u32> = ["b", "a", "b", "c", "a", ""]
            .iter()
            .map(|s| index.intern(&mut t, s))
            .collect();
        assert_eq!(order, [0, 1, 0, 2, 1, 3]);
        assert_eq!(t.iter().collect::<Vec<_>>(), ["b", "a", "c", ""]);
        assert_eq!(index.find(&t, "c"), Some(2));
    }

    #[test]
    fn lists_validate_rows_and_bounds() {
        let mut l = Lists::default();
        l.push(&[1, 2]);
        l.push(&[]);
        assert_eq!(l.row(0), &[1, 2]);
        assert_eq!(l.row(1), &[] as &[u32]);
        assert_eq!(l.validate(2, 3), Ok(()));
        assert!(l.validate(2, 2).is_err());
        assert!(l.validate(3, 3).is_err());
    }
}
