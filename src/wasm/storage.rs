//! The `local` back-end: `window.localStorage`. Every call is a `catch` import, so a disabled or
//! full storage gives an error value, never an exception through Rust.

use crate::store::{Backend, StoreError};
use wasm_bindgen::JsValue;

pub struct LocalStorage(web_sys::Storage);

fn err(e: JsValue) -> StoreError {
    let name = js_sys::Reflect::get(&e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string());
    StoreError(match name.as_deref() {
        Some("QuotaExceededError") => "localStorage is full (quota exceeded)".to_owned(),
        Some("SecurityError") => "localStorage is disabled".to_owned(),
        Some(other) => {
            let mut s = String::from("localStorage failed: ");
            s.push_str(other);
            s
        }
        None => "localStorage failed".to_owned(),
    })
}

impl LocalStorage {
    /// `None` where there is no `window.localStorage` (Node, workers) or it is disabled.
    pub fn open() -> Option<Self> {
        let window = web_sys::window()?;
        window.local_storage().ok().flatten().map(LocalStorage)
    }
}

impl Backend for LocalStorage {
    fn name(&self) -> &'static str {
        "local"
    }

    fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.0.get_item(key).map_err(err)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.0.set_item(key, value).map_err(err)
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.remove_item(key).map_err(err)
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let n = self.0.length().map_err(err)?;
        let mut keys = Vec::with_capacity(n as usize);
        for i in 0..n {
            if let Some(k) = self.0.key(i).map_err(err)? {
                keys.push(k);
            }
        }
        Ok(keys)
    }
}
