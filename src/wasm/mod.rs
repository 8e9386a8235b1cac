//! The JavaScript boundary: the only code that touches wasm-bindgen, js-sys and web-sys.
//!
//! Inputs are read into [`crate::Value`] (see [`convert`]), handed to the core, and results come
//! back as plain objects through serde-wasm-bindgen. Core errors become JS `Error`s here, once
//! (wasm-bindgen's `From<E: std::error::Error> for JsError` keeps each message).

mod convert;
mod storage;
mod types;
mod vitrine;

use wasm_bindgen::prelude::*;

/// The current time, ms since the epoch: the only clock the core sees.
fn now() -> f64 {
    js_sys::Date::now()
}

/// A seed for the exploration generator, from `crypto.getRandomValues`.
fn seed() -> u64 {
    let mut b = [0u8; 8];
    match getrandom::fill(&mut b) {
        Ok(()) => u64::from_le_bytes(b),
        Err(_) => now().to_bits(),
    }
}

/// The package version.
///
/// ```js
/// import { version } from 'vitrine';
/// console.log(version()); // "0.1.0"
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}
