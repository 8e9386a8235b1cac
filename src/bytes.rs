//! Little-endian byte reading and writing, base64url and CRC-32: the pieces shared by every
//! binary format vitrine reads from outside (stored profiles, model files, TC strings).
//!
//! Readers never index out of bounds: every read checks the remaining length and fails with
//! [`Truncated`].

/// The input ended before a complete value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated;

/// Appends little-endian values to a buffer.
#[derive(Default, Debug)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f32(&mut self, v: f32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// A string of at most 65,535 bytes, length-prefixed (u16). Longer strings are cut at a
    /// character boundary; callers only store strings already limited to far less.
    pub fn str(&mut self, s: &str) {
        let mut end = s.len().min(u16::MAX as usize);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.u16(end as u16);
        self.buf.extend_from_slice(&s.as_bytes()[..end]);
    }
    /// A collection length as u16, saturating (collections written here are bounded far below).
    pub fn len(&mut self, n: usize) {
        self.u16(n.min(u16::MAX as usize) as u16);
    }
}

/// Reads little-endian values from a slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        let end = self.pos.checked_add(n).ok_or(Truncated)?;
        let s = self.data.get(self.pos..end).ok_or(Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, Truncated> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16, Truncated> {
        self.array().map(u16::from_le_bytes)
    }
    pub fn u32(&mut self) -> Result<u32, Truncated> {
        self.array().map(u32::from_le_bytes)
    }
    pub fn u64(&mut self) -> Result<u64, Truncated> {
        self.array().map(u64::from_le_bytes)
    }
    pub fn f32(&mut self) -> Result<f32, Truncated> {
        self.array().map(f32::from_le_bytes)
    }
    pub fn f64(&mut self) -> Result<f64, Truncated> {
        self.array().map(f64::from_le_bytes)
    }
    /// A u16-length-prefixed string; `None` inside `Ok` when the bytes are not UTF-8.
    pub fn str(&mut self) -> Result<Option<&'a str>, Truncated> {
        let n = self.u16()? as usize;
        Ok(core::str::from_utf8(self.bytes(n)?).ok())
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The value of one base64 character; both the url-safe and the standard alphabet are accepted.
pub fn base64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    }
}

/// Decodes base64url (trailing `=` padding tolerated). `Err` gives the byte offset of the first
/// character that is not base64.
pub fn base64url_decode(s: &str) -> Result<Vec<u8>, usize> {
    let trimmed = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, c) in trimmed.bytes().enumerate() {
        let v = base64_value(c).ok_or(i)?;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if trimmed.len() % 4 == 1 {
        // One character alone cannot encode a byte.
        return Err(trimmed.len() - 1);
    }
    Ok(out)
}

/// XXH64 (seed 0) of `data`, as the reference implementation computes it: the body checksum of
/// version-2 model files (docs/MODEL.md). Four independent 64-bit lanes, a multiply and a rotate
/// per 8 bytes: many times faster than CRC-32 by tables in wasm, which has no CRC instruction.
pub fn xxh64(data: &[u8]) -> u64 {
    let mut h = Xxh64::default();
    h.update(data);
    h.finish()
}

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

// Inlined by hand: at the shipped build's opt-level "s" these stayed calls, and the loop ran at a
// tenth of its speed.
#[inline(always)]
fn round(acc: u64, input: u64) -> u64 {
    acc.wrapping_add(input.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

#[inline(always)]
fn word(c: &[u8]) -> u64 {
    assert!(c.len() >= 8);
    // SAFETY: `c` holds at least eight bytes (checked above; every caller passes a chunk of eight
    // or more, so the check folds away); an unaligned read of a u64 is allowed. (A copy into an
    // array stayed a call per word at opt-level "s".)
    u64::from_le(unsafe { core::ptr::read_unaligned(c.as_ptr().cast::<u64>()) })
}

/// XXH64 fed in pieces ([`xxh64`] of their concatenation): a model file is checksummed piece by
/// piece as it is copied into wasm memory, while each piece is still in cache.
#[derive(Clone, Debug, PartialEq)]
pub struct Xxh64 {
    lanes: [u64; 4],
    /// The bytes of an unfinished 32-byte stripe.
    partial: [u8; 32],
    filled: usize,
    total: u64,
}

impl Default for Xxh64 {
    fn default() -> Self {
        Xxh64 {
            lanes: [P1.wrapping_add(P2), P2, 0, 0u64.wrapping_sub(P1)],
            partial: [0; 32],
            filled: 0,
            total: 0,
        }
    }
}

impl Xxh64 {
    pub fn update(&mut self, mut data: &[u8]) {
        self.total += data.len() as u64;
        if self.filled > 0 {
            let take = (32 - self.filled).min(data.len());
            self.partial[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled < 32 {
                return;
            }
            let stripe = self.partial;
            self.stripes(&stripe);
            self.filled = 0;
        }
        let whole = data.len() / 32 * 32;
        self.stripes(&data[..whole]);
        let rest = &data[whole..];
        self.partial[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// Whole 32-byte stripes, the lanes in locals.
    fn stripes(&mut self, data: &[u8]) {
        let [mut a, mut b, mut c, mut d] = self.lanes;
        for s in data.chunks_exact(32) {
            a = round(a, word(&s[0..8]));
            b = round(b, word(&s[8..16]));
            c = round(c, word(&s[16..24]));
            d = round(d, word(&s[24..32]));
        }
        self.lanes = [a, b, c, d];
    }

    pub fn finish(&self) -> u64 {
        fn merge(acc: u64, v: u64) -> u64 {
            (acc ^ round(0, v)).wrapping_mul(P1).wrapping_add(P4)
        }
        let v = self.lanes;
        let mut h = if self.total >= 32 {
            let h = v[0]
                .rotate_left(1)
                .wrapping_add(v[1].rotate_left(7))
                .wrapping_add(v[2].rotate_left(12))
                .wrapping_add(v[3].rotate_left(18));
            v.iter().fold(h, |h, &x| merge(h, x))
        } else {
            P5
        };
        h = h.wrapping_add(self.total);
        let mut rest = &self.partial[..self.filled];
        while rest.len() >= 8 {
            h ^= round(0, word(rest));
            h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
            rest = &rest[8..];
        }
        if rest.len() >= 4 {
            let w = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            h ^= u64::from(w).wrapping_mul(P1);
            h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
            rest = &rest[4..];
        }
        for &b in rest {
            h ^= u64::from(b).wrapping_mul(P5);
            h = h.rotate_left(11).wrapping_mul(P1);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(P2);
        h ^= h >> 29;
        h = h.wrapping_mul(P3);
        h ^ (h >> 32)
    }
}

/// CRC-32 (IEEE 802.3, the one zip and PNG use).
///
/// Long inputs (a model file is tens of megabytes) go eight bytes at a time through eight tables
/// ("slicing-by-8"), about four times faster than a byte at a time; the seven extra tables are
/// derived from the first on the stack rather than stored in the module (7 KB of data saved), and
/// the first is made at the first call (its 1 KB of data does not compress: 0.9 KB gzip).
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(crc_table);
    let step = |crc: u32, b: u8| table[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
    let mut crc = !0u32;
    let mut rest = data;
    if data.len() >= 4096 {
        let mut t = [[0u32; 256]; 8];
        t[0] = *table;
        for k in 1..8 {
            let prev = t[k - 1];
            for (slot, p) in t[k].iter_mut().zip(prev) {
                *slot = (p >> 8) ^ table[(p & 0xff) as usize];
            }
        }
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
            crc = t[7][(lo & 0xff) as usize]
                ^ t[6][((lo >> 8) & 0xff) as usize]
                ^ t[5][((lo >> 16) & 0xff) as usize]
                ^ t[4][(lo >> 24) as usize]
                ^ t[3][(hi & 0xff) as usize]
                ^ t[2][((hi >> 8) & 0xff) as usize]
                ^ t[1][((hi >> 16) & 0xff) as usize]
                ^ t[0][(hi >> 24) as usize];
        }
        rest = chunks.remainder();
    }
    for &b in rest {
        crc = step(crc, b);
    }
    !crc
}

const fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n)
                .map(|i| i.wrapping_mul(37).wrapping_add(250))
                .collect();
            let s = base64url_encode(&data);
            assert!(!s.contains('='));
            assert_eq!(base64url_decode(&s).unwrap(), data);
        }
        assert_eq!(base64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url_decode("Zm9vYg==").unwrap(), b"foob");
        assert_eq!(base64url_decode("Zm9v!"), Err(4));
        assert_eq!(base64url_decode("Zm9vY"), Err(4));
    }

    #[test]
    fn xxh64_reference_values() {
        // From the reference implementation (python-xxhash 4.1.0, `xxh64_intdigest`).
        assert_eq!(xxh64(b""), 0xef46_db37_51d8_e999);
        assert_eq!(xxh64(b"a"), 0xd24e_c4f1_a98c_6e5b);
        assert_eq!(xxh64(b"abc"), 0x44bc_2cf5_ad77_0999);
        assert_eq!(xxh64(b"123456789"), 0x8cb8_41db_40e6_ae83);
        let mut long: Vec<u8> = (0..=255u8).cycle().take(768).collect();
        long.extend_from_slice(b"xyz");
        assert_eq!(xxh64(&long), 0xe921_a1b4_5bd7_79f8);
    }

    #[test]
    fn xxh64_in_pieces_is_xxh64_of_the_whole() {
        let data: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut rng = crate::rng::Rng::new(5);
        for len in [0, 1, 7, 31, 32, 33, 63, 64, 100, 1000] {
            let whole = xxh64(&data[..len]);
            for _ in 0..20 {
                let mut h = Xxh64::default();
                let mut at = 0;
                while at < len {
                    let step = (1 + rng.below(70)).min(len - at);
                    h.update(&data[at..at + step]);
                    at += step;
                }
                assert_eq!(h.finish(), whole, "length {len}");
            }
        }
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        // The eight-byte path agrees with the byte-at-a-time one.
        let long: Vec<u8> = (0..10_007u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let bytewise = |d: &[u8]| {
            let t = crc_table();
            !d.iter().fold(!0u32, |c, &b| {
                t[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8)
            })
        };
        for len in [4095, 4096, 4097, 4103, 10_007] {
            assert_eq!(crc32(&long[..len]), bytewise(&long[..len]), "{len}");
        }
    }

    #[test]
    fn reader_reports_truncation_and_never_panics() {
        let mut w = Writer::default();
        w.u16(7);
        w.str("héllo");
        w.f64(1.5);
        let bytes = w.buf;
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u16(), Ok(7));
        assert_eq!(r.str(), Ok(Some("héllo")));
        assert_eq!(r.f64(), Ok(1.5));
        assert_eq!(r.u8(), Err(Truncated));
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut]);
            let _ = (r.u16(), r.str(), r.f64());
        }
        assert_eq!(Reader::new(&[1]).bytes(usize::MAX), Err(Truncated));
    }
}
