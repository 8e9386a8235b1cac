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
    map: Rc<RefCell<BTreeMap<String, String>>>,
    /// When set, every write fails like a full `localStorage` (tests of quota handling).
    pub fail_writes: Rc<RefCell<bool>>,
    /// When set, every operation fails, as `localStorage` does when the browser disabled it
    /// after the page got hold of it, or its database is damaged (Firefox).
    pub disabled: Rc<RefCell<bool>>,
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of everything stored.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.map.borrow().clone()
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
        self.map
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
    }
}

impl Backend for MemoryBackend {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.check_enabled()?;
        Ok(self.map.borrow().get(key).cloned())
    }

    fn contains(&self, key: &str) -> Result<bool, StoreError> {
        self.check_enabled()?;
        Ok(self.map.borrow().contains_key(key))
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check_enabled()?;
        if *self.fail_writes.borrow() {
            return Err(StoreError("quota exceeded".into()));
        }
        self.map
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.check_enabled()?;
        self.map.borrow_mut().remove(key);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.check_enabled()?;
        Ok(self.map.borrow().keys().cloned().collect())
    }
}
