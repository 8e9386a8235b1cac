//! The profile's binary payload (the store wraps it in a versioned, checksummed envelope).
//!
//! Little-endian; strings are u16-length-prefixed UTF-8; collections are u16-count-prefixed.
//!
//! ```text
//! f64 first_at, f64 last_at
//! u32 × 12        event counts, in Kind order (10 in version 2, before `survey`; 11 in version
//!                 3, before `page_view`, and in the version 4 records written before it)
//! items:      n × (str id, f32 weight, f64 at, u32 views, u32 adds)
//! categories: n × (str name, f32 weight, f64 at)
//! brands:     n × (str name, f32 weight, f64 at)
//! channels:   n × (str name, f32 weight, f64 at)
//! 12 × (f32 weight, f64 at)            price bands
//! recent:     n × (str id, f64 at)     most recent first
//! purchases:  n × (str id, u32 count, f32 quantity, f64 first, f64 last)
//! cart:       n × (str id, f64 at)
//! queries:    n × (str query, f64 at)
//! -- from version 3 --
//! u8 has_survey · [u8 score (0–10) · f64 at]
//! removals:   n × (str id, f64 at)     most recent first
//! f64 checkout_at (0 = none)
//! orders:     n × (u64 fingerprint, f64 at)   lowest bit (from version 6): sensitive lines only
//! -- from version 4 --
//! cart quantities: one f32 per cart line, in the cart's order
//! -- from version 5 --
//! u32 × 12        of the event counts, those of events kept under the `sensitive` consent
//! ```
//!
//! A version 2 payload (written before the survey, cart removals, open checkout and order
//! fingerprints existed) decodes with those empty; a version 3 payload (before cart quantities)
//! with one of each item in the cart; a version 4 payload with no event counted as sensitive; one
//! before version 6 with no order of sensitive lines only (the fingerprints' lowest bit cleared).
//!
//! Decoding checks every count against its capacity, every string against its limit and every
//! number for finiteness and sign: a payload that fails any check is rejected whole.

use super::{
    Bounded, CartLine, Decayed, ItemSignal, Profile, Purchase, Stamped, MAX_BRANDS, MAX_CART,
    MAX_CATEGORIES, MAX_CHANNELS, MAX_ITEMS, MAX_ORDERS, MAX_PURCHASES, RECENT_QUERIES,
    RECENT_REMOVALS, RECENT_VIEWS,
};
use crate::args::MAX_ID_LEN;
use crate::bytes::{Reader, Truncated, Writer};
use crate::consent::Personal;
use crate::event::{Kind, MAX_QUANTITY, MAX_TEXT_LEN};

/// The payload version [`Profile::encode`] writes (the store's envelope version; version 6
/// changed the record around the payload, not the payload).
pub const VERSION: u8 = 6;
/// Oldest payload version [`Profile::decode_version`] reads.
pub const OLDEST: u8 = 2;

/// Why a payload was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corrupt {
    Truncated,
    /// A count over its capacity, a bad string, a non-finite or negative number, trailing bytes.
    Invalid(&'static str),
}

impl From<Truncated> for Corrupt {
    fn from(_: Truncated) -> Self {
        Corrupt::Truncated
    }
}

impl Corrupt {
    pub fn describe(self) -> &'static str {
        match self {
            Corrupt::Truncated => "truncated",
            Corrupt::Invalid(what) => what,
        }
    }
}

impl Profile {
    /// The binary payload.
    pub fn encode(&self, _: &Personal<'_>) -> Vec<u8> {
        let mut w = Writer::default();
        w.f64(self.first_at);
        w.f64(self.last_at);
        for c in self.counts {
            w.u32(c);
        }
        let items = self.items.sorted();
        w.len(items.len());
        for (id, s) in items {
            w.str(id);
            w.f32(s.score.weight);
            w.f64(s.score.at);
            w.u32(s.views);
            w.u32(s.adds);
        }
        for m in [&self.categories, &self.brands, &self.channels] {
            let entries = m.sorted();
            w.len(entries.len());
            for (k, d) in entries {
                w.str(k);
                w.f32(d.weight);
                w.f64(d.at);
            }
        }
        for b in &self.prices {
            w.f32(b.weight);
            w.f64(b.at);
        }
        write_stamped(&mut w, self.recent.iter());
        let purchases = self.purchases.sorted();
        w.len(purchases.len());
        for (id, p) in purchases {
            w.str(id);
            w.u32(p.count);
            w.f32(p.quantity);
            w.f64(p.first);
            w.f64(p.last);
        }
        write_stamped(&mut w, self.cart.iter().map(|c| &c.item));
        write_stamped(&mut w, self.queries.iter());
        match self.survey {
            Some((score, at)) => {
                w.u8(1);
                w.u8(score);
                w.f64(at);
            }
            None => w.u8(0),
        }
        write_stamped(&mut w, self.removals.iter());
        w.f64(self.checkout_at);
        w.len(self.orders.len());
        for (h, at) in &self.orders {
            w.buf.extend_from_slice(&h.to_le_bytes());
            w.f64(*at);
        }
        for c in &self.cart {
            w.f32(c.quantity);
        }
        for c in self.sensitive_counts {
            w.u32(c);
        }
        w.buf
    }

    /// Rebuilds a profile from [`Profile::encode`]'s output.
    pub fn decode(who: &Personal<'_>, bytes: &[u8], half_life_ms: f64) -> Result<Self, Corrupt> {
        Self::decode_version(who, bytes, half_life_ms, VERSION)
    }

    /// Rebuilds a profile from a payload of format `version` ([`OLDEST`] to [`VERSION`]).
    ///
    /// Version 4 was written with 11 event counts before page views were counted and with 12
    /// after, under the same version number: a payload that does not read with 12 is read with
    /// 11 (one misread by a count's width fails the checks that follow, so the two cannot be
    /// taken for each other).
    pub fn decode_version(
        _: &Personal<'_>,
        bytes: &[u8],
        half_life_ms: f64,
        version: u8,
    ) -> Result<Self, Corrupt> {
        let kinds = match version {
            2 => 10,
            3 => 11,
            _ => Kind::ALL.len(),
        };
        let read = Self::decode_layout(bytes, half_life_ms, version, kinds);
        if version == 4 && read.is_err() {
            if let Ok(p) = Self::decode_layout(bytes, half_life_ms, version, 11) {
                return Ok(p);
            }
        }
        read
    }

    /// [`Profile::decode_version`] with `kinds` event counts.
    fn decode_layout(
        bytes: &[u8],
        half_life_ms: f64,
        version: u8,
        kinds: usize,
    ) -> Result<Self, Corrupt> {
        if !(OLDEST..=VERSION).contains(&version) {
            return Err(Corrupt::Invalid("unsupported version"));
        }
        let mut r = Reader::new(bytes);
        let mut p = Profile::new(half_life_ms);
        p.first_at = time(&mut r)?;
        p.last_at = time(&mut r)?;
        for c in p.counts.iter_mut().take(kinds) {
            *c = r.u32()?;
        }
        for _ in 0..count(&mut r, MAX_ITEMS)? {
            let id = string(&mut r, MAX_ID_LEN)?;
            let score = decayed(&mut r)?;
            let (views, adds) = (r.u32()?, r.u32()?);
            p.items.insert(id, ItemSignal { score, views, adds });
        }
        for (m, cap) in [
            (&mut p.categories, MAX_CATEGORIES),
            (&mut p.brands, MAX_BRANDS),
            (&mut p.channels, MAX_CHANNELS),
        ] {
            read_named(&mut r, m, cap)?;
        }
        for b in &mut p.prices {
            *b = decayed(&mut r)?;
        }
        p.recent = read_stamped(&mut r, RECENT_VIEWS, MAX_ID_LEN)?;
        for _ in 0..count(&mut r, MAX_PURCHASES)? {
            let id = string(&mut r, MAX_ID_LEN)?;
            let count = r.u32()?;
            let quantity = r.f32()?;
            if !(quantity.is_finite() && quantity >= 0.0) {
                return Err(Corrupt::Invalid("bad purchase quantity"));
            }
            let (first, last) = (time(&mut r)?, time(&mut r)?);
            p.purchases.insert(
                id,
                Purchase {
                    count,
                    quantity,
                    first,
                    last,
                },
            );
        }
        let cart = read_stamped(&mut r, MAX_CART, MAX_ID_LEN)?;
        p.cart = cart
            .into_iter()
            .map(|item| CartLine {
                item,
                quantity: 1.0,
            })
            .collect();
        p.queries = read_stamped(&mut r, RECENT_QUERIES, MAX_TEXT_LEN)?;
        if version >= 3 {
            p.survey = match r.u8()? {
                0 => None,
                1 => match (r.u8()?, time(&mut r)?) {
                    (score, at) if score <= crate::nps::MAX_SCORE => Some((score, at)),
                    _ => return Err(Corrupt::Invalid("bad survey score")),
                },
                _ => return Err(Corrupt::Invalid("bad survey flag")),
            };
            p.removals = read_stamped(&mut r, RECENT_REMOVALS, MAX_ID_LEN)?;
            p.checkout_at = time(&mut r)?;
            for _ in 0..count(&mut r, MAX_ORDERS)? {
                let h = r.u64()?;
                let at = time(&mut r)?;
                p.orders.push((if version >= 6 { h } else { h & !1 }, at));
            }
        }
        if version >= 4 {
            for c in &mut p.cart {
                c.quantity = r.f32()?;
                if !(c.quantity > 0.0 && c.quantity <= MAX_QUANTITY as f32) {
                    return Err(Corrupt::Invalid("bad cart quantity"));
                }
            }
        }
        if version >= 5 {
            for (s, &c) in p.sensitive_counts.iter_mut().zip(&p.counts) {
                *s = r.u32()?;
                if *s > c {
                    return Err(Corrupt::Invalid("more sensitive events than events"));
                }
            }
        }
        if r.remaining() != 0 {
            return Err(Corrupt::Invalid("trailing bytes"));
        }
        // vitrine never writes an item twice in recently viewed or the cart (removals are
        // events, and may); a record edited by hand or by another script may (found by the
        // security audit: recently viewed came out as p2, p1, p2, p1). The first of each is kept.
        first_of_each(&mut p.recent, |s| &s.value);
        first_of_each(&mut p.cart, |c| &c.item.value);
        Ok(p)
    }
}

/// Keeps the first entry of each key, in order.
fn first_of_each<T>(list: &mut Vec<T>, key: impl Fn(&T) -> &str) {
    let mut i = 0;
    while i < list.len() {
        let seen = list.iter().take(i).any(|e| key(e) == key(&list[i]));
        if seen {
            list.remove(i);
        } else {
            i += 1;
        }
    }
}

fn write_stamped<'a>(w: &mut Writer, it: impl ExactSizeIterator<Item = &'a Stamped>) {
    w.len(it.len());
    for s in it {
        w.str(&s.value);
        w.f64(s.at);
    }
}

fn count(r: &mut Reader<'_>, cap: usize) -> Result<usize, Corrupt> {
    let n = r.u16()? as usize;
    if n > cap {
        return Err(Corrupt::Invalid("collection over its capacity"));
    }
    Ok(n)
}

fn string(r: &mut Reader<'_>, max: usize) -> Result<String, Corrupt> {
    match r.str()? {
        Some(s) if !s.is_empty() && s.len() <= max => Ok(s.to_owned()),
        _ => Err(Corrupt::Invalid("bad string")),
    }
}

fn time(r: &mut Reader<'_>) -> Result<f64, Corrupt> {
    let t = r.f64()?;
    if t.is_finite() && t >= 0.0 {
        Ok(t)
    } else {
        Err(Corrupt::Invalid("bad time"))
    }
}

fn decayed(r: &mut Reader<'_>) -> Result<Decayed, Corrupt> {
    let weight = r.f32()?;
    let at = time(r)?;
    if weight.is_finite() && weight >= 0.0 {
        Ok(Decayed { weight, at })
    } else {
        Err(Corrupt::Invalid("bad weight"))
    }
}

fn read_named(r: &mut Reader<'_>, m: &mut Bounded<Decayed>, cap: usize) -> Result<(), Corrupt> {
    for _ in 0..count(r, cap)? {
        let k = string(r, MAX_TEXT_LEN)?;
        let d = decayed(r)?;
        m.insert(k, d);
    }
    Ok(())
}

fn read_stamped(r: &mut Reader<'_>, cap: usize, max_len: usize) -> Result<Vec<Stamped>, Corrupt> {
    let n = count(r, cap)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let value = string(r, max_len)?;
        let at = time(r)?;
        out.push(Stamped { value, at });
    }
    Ok(out)
}
