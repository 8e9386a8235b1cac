//! A map with a fixed capacity: when full, a new key replaces the entry that matters least now.

use std::collections::HashMap;

/// Entries that can say how much they matter at a given time.
pub trait Rank {
    /// Current importance; the lowest is evicted first.
    fn rank(&self, now: f64, half_life_ms: f64) -> f64;
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
            let victim = self
                .map
                .iter()
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
