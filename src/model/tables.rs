//! Flat tables: many strings in one buffer, many lists in one array. A model holds every id,
//! title and tag list this way, so a model file loads with a few bulk copies instead of one
//! allocation per item.

/// A table of strings: string `i` is `bytes[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Strings {
    /// `len + 1` byte offsets, from 0, never decreasing, each on a character boundary
    /// (empty for an empty table).
    pub offsets: Vec<u32>,
    pub bytes: String,
}

impl Strings {
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// String `i`, or `""` when out of range.
    pub fn get(&self, i: usize) -> &str {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self.bytes.get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }

    /// String `i`'s bytes, or none when out of range: for comparisons (bytewise order is the
    /// order of `str`), without the character-boundary checks of [`Strings::get`].
    pub fn bytes_of(&self, i: usize) -> &[u8] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => self
                .bytes
                .as_bytes()
                .get(a as usize..b as usize)
                .unwrap_or(&[]),
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
        self.bytes.push_str(s);
        self.offsets.push(self.bytes.len() as u32);
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Checks the offsets against the buffer; `Err` says what is wrong.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.offsets.is_empty() {
            return if self.bytes.is_empty() {
                Ok(())
            } else {
                Err("text without offsets")
            };
        }
        if self.offsets.first() != Some(&0)
            || self.offsets.last().map(|&e| e as usize) != Some(self.bytes.len())
        {
            return Err("offsets do not span the text");
        }
        if self.offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err("offsets decrease");
        }
        // In ASCII text every offset is on a boundary (checking that first halves the check).
        if !self.bytes.is_ascii()
            && self
                .offsets
                .iter()
                .any(|&o| !self.bytes.is_char_boundary(o as usize))
        {
            return Err("an offset splits a character");
        }
        Ok(())
    }
}

impl<S: AsRef<str>> FromIterator<S> for Strings {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut t = Strings {
            offsets: vec![0],
            bytes: String::new(),
        };
        for s in iter {
            t.push(s.as_ref());
        }
        t
    }
}

/// The indexes of a [`Strings`] table by string: a hash table of indexes (FNV-1a, linear probing,
/// at most half full) that reads the strings from the table. It replaced `HashMap<String, u32>`s,
/// whose SipHash, hashbrown and copied keys were 5 KB of the shipped module; a binary search over
/// the sorted indexes instead made opening a 20,000-item `catalog` a fifth slower. The strings are
/// the shop's own (its categories, brands, channels and tags), so no seed against collisions.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// A power of two long (or empty); [`EMPTY`] or an index of the table.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

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
        Some(self.slots[self.slot(t, s.as_bytes())]).filter(|&i| i != EMPTY)
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
            let old =
                core::mem::replace(&mut self.slots, vec![EMPTY; (4 * held).next_power_of_two()]);
            for j in old.into_iter().filter(|&j| j != EMPTY) {
                let at = self.slot(t, t.bytes_of(j as usize));
                self.slots[at] = j;
            }
        }
        let at = self.slot(t, t.bytes_of(i as usize));
        self.slots[at] = i;
    }

    /// The slot that holds `s`, or the empty slot where it would go.
    fn slot(&self, t: &Strings, s: &[u8]) -> usize {
        let hash = s.iter().fold(0x811c_9dc5u32, |h, &b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let i = self.slots[at];
            if i == EMPTY || t.bytes_of(i as usize) == s {
                return at;
            }
            at = (at + 1) & mask;
        }
    }
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
        bad.offsets[2] = 3; // inside 'é'
        assert!(bad.validate().is_err());
        let mut bad = t;
        bad.offsets[1] = 9;
        assert!(bad.validate().is_err());
        assert_eq!(Strings::default().validate(), Ok(()));
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
