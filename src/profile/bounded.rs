//! A map with a fixed capacity: when full, a new key replaces the entry that matters least now.

use std::collections::HashMap;

/// Entries that can say how much they matter at a given time.
pub trait Rank {
    /// Current importance; the lowest is evicted first.
    fn rank(&self, now: f64, half_life_ms: f64) -> f64;

    /// `(weight, at)` such that `rank(now) = weight · decay::factor(now − at)`: what lets an
    /// eviction skip computing the decay of entries that cannot be the lowest.
    fn decaying(&self) -> (f64, f64);
}

/// `log2(rank)` up to ±0.09 (the float's exponent plus its mantissa as a fraction), without a
/// transcendental call: `log2(weight) + (min(at, now) − now) / half_life`.
fn approx_log2_rank(weight: f64, at: f64, now: f64, half_life_ms: f64) -> f64 {
    if weight <= 0.0 || !weight.is_finite() {
        return f64::NEG_INFINITY;
    }
    let bits = weight.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as f64 - 1023.0;
    let fraction = (bits & ((1 << 52) - 1)) as f64 / (1u64 << 52) as f64;
    exponent + fraction + (at.min(now) - now) / half_life_ms
}

/// A string-keyed map holding at most `cap` entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounded<V> {
    cap: usize,
    map: HashMap<String, V>,
}

impl<V: Rank> Bounded<V> {
    pub fn new(cap: usize) -> Self {
        Bounded {
            cap,
            map: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        self.map.get(key)
    }

    /// The entry for `key`, created with `make` if absent. At capacity, the lowest-ranked entry
    /// (ties broken by key, so the outcome is deterministic) makes room first.
    pub fn entry(
        &mut self,
        key: &str,
        now: f64,
        half_life_ms: f64,
        make: impl FnOnce() -> V,
    ) -> &mut V {
        if !self.map.contains_key(key) && self.map.len() >= self.cap {
            // The exact ranks (an exp each) only of the entries whose approximate log-rank is
            // within twice the approximation's error of the lowest: the lowest is among them.
            let approx = |v: &V| {
                let (w, at) = v.decaying();
                approx_log2_rank(w, at, now, half_life_ms)
            };
            let floor = self.map.values().map(approx).fold(f64::INFINITY, f64::min);
            let victim = self
                .map
                .iter()
                .filter(|(_, v)| approx(v) <= floor + 0.2)
                .map(|(k, v)| (v.rank(now, half_life_ms), k))
                .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)))
                .map(|(_, k)| k.clone());
            if let Some(k) = victim {
                self.map.remove(&k);
            }
        }
        self.map.entry(key.to_owned()).or_insert_with(make)
    }

    /// Inserts as given (used when decoding), respecting the capacity.
    pub fn insert(&mut self, key: String, value: V) {
        if self.map.len() < self.cap || self.map.contains_key(&key) {
            self.map.insert(key, value);
        }
    }

    pub fn retain(&mut self, f: impl FnMut(&String, &mut V) -> bool) {
        self.map.retain(f);
    }

    /// Entries sorted by key: a stable order for export and encoding.
    pub fn sorted(&self) -> Vec<(&str, &V)> {
        let mut v: Vec<(&str, &V)> = self.map.iter().map(|(k, v)| (k.as_str(), v)).collect();
        crate::sort::sort_by(&mut v, &mut |a, b| a.0 < b.0);
        v
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Heap bytes held (keys and table), an upper estimate used for the size bound.
    pub fn heap_bytes(&self) -> usize {
        let table = self.map.capacity() * (core::mem::size_of::<(String, V)>() + 1);
        table + self.map.keys().map(String::capacity).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::decay::{factor, Decayed};
    use crate::rng::Rng;

    const HL: f64 = 14.0 * 86_400_000.0;

    /// The entry a full scan of exact ranks would evict.
    fn brute_force(b: &Bounded<Decayed>, now: f64) -> String {
        b.map
            .iter()
            .map(|(k, v)| (v.weight as f64 * factor(now - v.at, HL), k))
            .min_by(|a, c| a.0.total_cmp(&c.0).then_with(|| a.1.cmp(c.1)))
            .map(|(_, k)| k.clone())
            .unwrap()
    }

    #[test]
    fn eviction_picks_the_lowest_rank_as_a_full_scan_would() {
        let mut rng = Rng::new(8);
        for round in 0..300 {
            let mut b = Bounded::new(24);
            let now = 1e12 + rng.unit() * 1e9;
            for i in 0..24 {
                // Weights spanning orders of magnitude, ties, zeros, and events in the future.
                let w = match rng.below(5) {
                    0 => 0.0,
                    1 => 1.0,
                    _ => (rng.unit() * 40.0 - 20.0).exp2(),
                };
                let at = now - rng.unit() * 3.0 * HL + if i % 7 == 0 { 1e6 } else { 0.0 };
                b.insert(format!("k{i:02}"), Decayed::new(w, at.min(now + 1e6)));
            }
            let expect = brute_force(&b, now);
            b.entry("new", now, HL, Decayed::default);
            assert!(
                b.get(&expect).is_none(),
                "round {round}: {expect} should go"
            );
            assert_eq!(b.len(), 24);
        }
    }
}
