//! The in-memory back-end: gone when the page goes. Used when `storage: 'memory'` is asked for,
//! where `localStorage` does not exist (Node, some webviews), and in tests.

use super::{Backend, StoreError};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A map of strings. Clones share the same map, so a test can look inside what a session wrote
/// or simulate a second tab.
#[derive(Clone, Default, Debug)]
pub struct MemoryBackend {
    map: Rc<RefCell<Entries>>,
    /// When set, every write fails like a full `localStorage` (tests of quota handling).
    pub fail_writes: Rc<RefCell<bool>>,
    /// When set, every operation fails, as `localStorage` does when the browser disabled it
    /// after the page got hold of it, or its database is damaged (Firefox).
    pub disabled: Rc<RefCell<bool>>,
    /// When set, reads of the keys that end with it fail (`""`: every key) while writes and
    /// deletes work (a `getItem` that throws).
    pub fail_reads: Rc<RefCell<Option<&'static str>>>,
    /// Writes asked for, failed or not (tests of how often a session writes).
    #[cfg(test)]
    pub writes: Rc<std::cell::Cell<usize>>,
    /// When set, writes of the keys that end with it fail like a full `localStorage` (a record
    /// that does not fit while a smaller one still does).
    #[cfg(test)]
    pub fail_writes_of: Rc<RefCell<Option<&'static str>>>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of everything stored.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.map.borrow().0.iter().cloned().collect()
    }

    fn check_enabled(&self) -> Result<(), StoreError> {
        if *self.disabled.borrow() {
            return Err(StoreError("localStorage is disabled".into()));
        }
        Ok(())
    }

    /// Removes everything, as a browser clearing the site's data does (no `storage` event).
    pub fn clear(&self) {
        self.map.borrow_mut().clear();
    }

    /// Writes a raw value (tests that damage storage).
    pub fn put_raw(&self, key: &str, value: &str) {
        self.map.borrow_mut().insert(key, value);
    }
}

impl Backend for MemoryBackend {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check_enabled()?;
        if self
            .fail_reads
            .borrow()
            .is_some_and(|end| key.ends_with(end))
        {
            return Err(StoreError("localStorage failed: reading threw".into()));
        }
        Ok(self.map.borrow().get(key).cloned())
    }

    fn contains(&self, key: &str) -> Result<bool, StoreError> {
        self.check_enabled()?;
        Ok(self.map.borrow().find(key).is_ok())
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        #[cfg(test)]
        self.writes.set(self.writes.get() + 1);
        self.check_enabled()?;
        if *self.fail_writes.borrow() {
            return Err(StoreError("quota exceeded".into()));
        }
        #[cfg(test)]
        if self
            .fail_writes_of
            .borrow()
            .is_some_and(|k| key.ends_with(k))
        {
            return Err(StoreError("quota exceeded".into()));
        }
        self.map.borrow_mut().insert(key, value);
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.check_enabled()?;
        self.map.borrow_mut().remove(key);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.check_enabled()?;
        Ok(self.map.borrow().0.iter().map(|(k, _)| k.clone()).collect())
    }
}

/// The stored pairs, sorted by key: a handful of keys per namespace, so a sorted `Vec` does what
/// a `BTreeMap` would, without the 10 KB of B-tree code it adds to the WebAssembly.
#[derive(Clone, Default, Debug)]
struct Entries(Vec<(String, String)>);

impl Entries {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    fn get(&self, key: &str) -> Option<&String> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    fn insert(&mut self, key: &str, value: &str) {
        match self.find(key) {
            Ok(i) => value.clone_into(&mut self.0[i].1),
            Err(i) => self.0.insert(i, (key.to_owned(), value.to_owned())),
        }
    }

    fn remove(&mut self, key: &str) {
        if let Ok(i) = self.find(key) {
            self.0.remove(i);
        }
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}
