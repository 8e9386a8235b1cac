//! Vendor id sets and the two ways TCF encodes them (a bit field, or a list of ranges).

use super::bits::Bits;
use super::error::TcError;

/// A set of vendor ids (1–65535) as a bit set: 8 KiB at most, ranges filled a word at a time, so
/// a hostile string of overlapping ranges costs little time and no more memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSet {
    words: Vec<u64>,
}

impl IdSet {
    fn grow_to(&mut self, id: u16) {
        let need = usize::from(id) / 64 + 1;
        if self.words.len() < need {
            self.words.resize(need, 0);
        }
    }

    pub fn insert(&mut self, id: u16) {
        self.insert_range(id, id);
    }

    /// Inserts `start..=end` (`start <= end`).
    pub fn insert_range(&mut self, start: u16, end: u16) {
        if end < start {
            return;
        }
        self.grow_to(end);
        let (first, last) = (usize::from(start), usize::from(end));
        let (fw, lw) = (first / 64, last / 64);
        for w in fw..=lw {
            let lo = if w == fw { first % 64 } else { 0 };
            let hi = if w == lw { last % 64 } else { 63 };
            let mask = (u64::MAX >> (63 - hi)) & (u64::MAX << lo);
            if let Some(word) = self.words.get_mut(w) {
                *word |= mask;
            }
        }
    }

    pub fn contains(&self, id: u16) -> bool {
        self.words
            .get(usize::from(id) / 64)
            .is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids, ascending.
    pub fn to_vec(&self) -> Vec<u16> {
        let mut out = Vec::with_capacity(self.len());
        for (i, &w) in self.words.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let bit = w.trailing_zeros() as usize;
                out.push((i * 64 + bit) as u16);
                w &= w - 1;
            }
        }
        out
    }
}

/// `NumEntries` (12 bits) then that many entries of `IsRange` (1), a start id (16) and, for a
/// range, an end id (16): the encoding of range vendor sections and publisher restrictions.
pub fn read_ranges(bits: &mut Bits, field: &'static str, into: &mut IdSet) -> Result<(), TcError> {
    let entries = bits.u16(12, field)?;
    for _ in 0..entries {
        let is_range = bits.flag(field)?;
        let start = bits.u16(16, field)?;
        let end = if is_range {
            bits.u16(16, field)?
        } else {
            start
        };
        if start == 0 {
            return Err(TcError::VendorZero { field });
        }
        if end < start {
            return Err(TcError::Range { field, start, end });
        }
        into.insert_range(start, end);
    }
    Ok(())
}

/// A vendor section: `MaxVendorId` (16 bits), `IsRangeEncoding` (1), then either a bit field
/// of `MaxVendorId` bits or ranges. Returns the max id as encoded and the set.
pub fn read_vendors(bits: &mut Bits, field: &'static str) -> Result<(u16, IdSet), TcError> {
    let max = bits.u16(16, field)?;
    let mut set = IdSet::default();
    if bits.flag(field)? {
        read_ranges(bits, field, &mut set)?;
    } else {
        if bits.remaining() < usize::from(max) {
            return Err(TcError::Truncated {
                segment: bits.segment(),
                field,
            });
        }
        for id in 1..=max {
            if bits.flag(field)? {
                set.insert(id);
            }
        }
    }
    Ok((max, set))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_fill_whole_words_and_edges() {
        let mut s = IdSet::default();
        s.insert_range(60, 130);
        s.insert(1);
        s.insert(65535);
        s.insert_range(62, 64);
        let v = s.to_vec();
        assert_eq!(v.len(), 71 + 2);
        assert_eq!(v[0], 1);
        assert_eq!(v[1], 60);
        assert_eq!(v[71], 130);
        assert_eq!(v[72], 65535);
        assert!(s.contains(64) && !s.contains(59) && !s.contains(131));
        let mut all = IdSet::default();
        all.insert_range(1, 65535);
        assert_eq!(all.len(), 65535);
        assert_eq!(all.words.len(), 1024);
    }
}
