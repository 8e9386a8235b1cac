//! Reading one segment of a TC string bit by bit.
//!
//! Each base64url character carries six bits, most significant first, and TCF fields cross
//! character boundaries freely, so the reader keeps the 6-bit values as they are instead of
//! regrouping them into bytes (which would drop the last 2 or 4 bits of some segments).

use super::error::TcError;

/// The widest field TCF v2 has (`Created`, `LastUpdated`: 36 bits).
pub const MAX_FIELD_BITS: u32 = 36;

/// A cursor over the bits of one segment.
#[derive(Debug, Clone)]
pub struct Bits {
    sextets: Vec<u8>,
    pos: usize,
    /// 1-based index of the segment in the string, for messages.
    segment: u8,
}

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

impl Bits {
    /// Reads the characters of a segment. `offset` is where the segment starts in the whole
    /// string, so an error can point at the exact character. Trailing `=` padding (which some
    /// encoders add) is accepted; the standard alphabet's `+` and `/` are not base64url.
    pub fn new(text: &str, offset: usize, segment: u8) -> Result<Self, TcError> {
        let body = text.trim_end_matches('=');
        let mut sextets = Vec::with_capacity(body.len());
        for (i, c) in body.char_indices() {
            let v = u8::try_from(c)
                .ok()
                .and_then(sextet)
                .ok_or(TcError::Base64 {
                    at: offset + i,
                    found: c,
                })?;
            sextets.push(v);
        }
        Ok(Bits {
            sextets,
            pos: 0,
            segment,
        })
    }

    pub fn segment(&self) -> u8 {
        self.segment
    }

    /// Bits left to read.
    pub fn remaining(&self) -> usize {
        self.sextets.len() * 6 - self.pos
    }

    fn bit_at(&self, i: usize) -> u64 {
        let v = self.sextets.get(i / 6).copied().unwrap_or(0);
        u64::from((v >> (5 - i % 6)) & 1)
    }

    /// An unsigned field of `n` bits (at most [`MAX_FIELD_BITS`]); `field` names it in the error
    /// when the segment ends first. Not inlined: it is called from some forty places, and the
    /// decoder is not hot enough for the copies to pay for their size in the shipped module.
    #[inline(never)]
    pub fn uint(&mut self, n: u32, field: &'static str) -> Result<u64, TcError> {
        debug_assert!(n <= MAX_FIELD_BITS);
        if self.remaining() < n as usize {
            return Err(TcError::Truncated {
                segment: self.segment,
                field,
            });
        }
        let mut v = 0u64;
        for i in 0..n as usize {
            v = (v << 1) | self.bit_at(self.pos + i);
        }
        self.pos += n as usize;
        Ok(v)
    }

    /// A field of at most 16 bits.
    pub fn u16(&mut self, n: u32, field: &'static str) -> Result<u16, TcError> {
        debug_assert!(n <= 16);
        // Cannot fail: an n-bit value with n <= 16 fits.
        Ok(self.uint(n.min(16), field)? as u16)
    }

    /// A field of at most 8 bits.
    pub fn u8(&mut self, n: u32, field: &'static str) -> Result<u8, TcError> {
        debug_assert!(n <= 8);
        Ok(self.uint(n.min(8), field)? as u8)
    }

    pub fn flag(&mut self, field: &'static str) -> Result<bool, TcError> {
        Ok(self.uint(1, field)? == 1)
    }

    /// A fixed-width bit field where bit `i` (from 1) says whether id `i` is in the set: the
    /// ids that are set, ascending.
    #[inline(never)]
    pub fn id_field(&mut self, n: u32, field: &'static str) -> Result<Vec<u8>, TcError> {
        debug_assert!(n <= 255);
        if self.remaining() < n as usize {
            return Err(TcError::Truncated {
                segment: self.segment,
                field,
            });
        }
        let mut ids = Vec::new();
        for i in 0..n.min(255) as usize {
            if self.bit_at(self.pos + i) == 1 {
                ids.push(i as u8 + 1);
            }
        }
        self.pos += n as usize;
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_character_boundaries_and_stops_at_the_end() {
        // "BAg" = 000001 000000 100000
        let mut b = Bits::new("BAg", 0, 1).unwrap();
        assert_eq!(b.remaining(), 18);
        assert_eq!(b.uint(6, "version"), Ok(1));
        assert_eq!(b.uint(7, "x"), Ok(1));
        assert_eq!(b.remaining(), 5);
        assert_eq!(
            b.uint(6, "y"),
            Err(TcError::Truncated {
                segment: 1,
                field: "y"
            })
        );
        assert_eq!(b.uint(5, "y"), Ok(0));
        let mut b = Bits::new("_w==", 0, 1).unwrap();
        assert_eq!(b.id_field(12, "ids"), Ok(vec![1, 2, 3, 4, 5, 6, 7, 8]));
    }

    #[test]
    fn rejects_characters_outside_base64url_with_their_position() {
        assert_eq!(
            Bits::new("AB+C", 10, 1).unwrap_err(),
            TcError::Base64 { at: 12, found: '+' }
        );
        assert_eq!(
            Bits::new("ABé", 0, 2).unwrap_err(),
            TcError::Base64 { at: 2, found: 'é' }
        );
        assert!(Bits::new("A=B", 0, 1).is_err(), "padding only at the end");
    }
}
