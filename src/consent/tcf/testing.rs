//! Test support: building TC strings bit by bit, the way a CMP encodes them.

/// Builds TC strings bit by bit, the way a CMP encodes them.
#[derive(Default)]
pub struct W(Vec<bool>);

impl W {
    pub fn n(&mut self, v: u64, width: u32) -> &mut Self {
        for i in (0..width).rev() {
            self.0.push(v >> i & 1 == 1);
        }
        self
    }
    pub fn flag(&mut self, b: bool) -> &mut Self {
        self.0.push(b);
        self
    }
    pub fn ids(&mut self, ids: &[u16], width: u32) -> &mut Self {
        for i in 1..=width as u16 {
            self.0.push(ids.contains(&i));
        }
        self
    }
    pub fn letters(&mut self, s: &str) -> &mut Self {
        for b in s.bytes() {
            self.n(u64::from(b - b'A'), 6);
        }
        self
    }
    /// A vendor section as a bit field.
    pub fn vendor_field(&mut self, ids: &[u16]) -> &mut Self {
        let max = ids.iter().copied().max().unwrap_or(0);
        self.n(u64::from(max), 16)
            .flag(false)
            .ids(ids, u32::from(max))
    }
    /// Range entries: (start, end) pairs, a single id when start == end.
    pub fn ranges(&mut self, ranges: &[(u16, u16)]) -> &mut Self {
        self.n(ranges.len() as u64, 12);
        for &(a, b) in ranges {
            self.flag(a != b).n(u64::from(a), 16);
            if a != b {
                self.n(u64::from(b), 16);
            }
        }
        self
    }
    pub fn vendor_ranges(&mut self, max: u16, ranges: &[(u16, u16)]) -> &mut Self {
        self.n(u64::from(max), 16).flag(true).ranges(ranges)
    }
    pub fn finish(&self) -> String {
        let mut bits = self.0.clone();
        while bits.len() % 6 != 0 {
            bits.push(false);
        }
        bits.chunks(6)
            .map(|c| {
                let v = c.iter().fold(0u8, |a, &b| a << 1 | u8::from(b));
                char::from(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[v as usize],
                )
            })
            .collect()
    }
}

/// A minimal valid TC string: purposes `purposes` consented, `LastUpdated` at `last_updated_ms`
/// (rounded down to deciseconds), no vendors.
pub fn tc_string(purposes: &[u16], last_updated_ms: f64) -> String {
    let ds = (last_updated_ms / 100.0) as u64;
    let mut w = W::default();
    w.n(2, 6)
        .n(ds, 36)
        .n(ds, 36)
        .n(10, 12)
        .n(1, 12)
        .n(1, 6)
        .letters("EN")
        .n(100, 12)
        .n(5, 6)
        .flag(false)
        .flag(false)
        .ids(&[], 12)
        .ids(purposes, 24)
        .ids(&[], 24)
        .flag(false)
        .letters("FR")
        .vendor_field(&[])
        .vendor_field(&[])
        .n(0, 12);
    w.finish()
}

/// `tc` with a publisher TC segment consenting to the publisher's own `purposes`.
pub fn with_publisher(tc: &str, purposes: &[u16]) -> String {
    let mut p = W::default();
    p.n(3, 3).ids(purposes, 24).ids(&[], 24).n(0, 6);
    format!("{tc}.{}", p.finish())
}
