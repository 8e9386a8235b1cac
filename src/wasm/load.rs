//! A model file taken as it arrives (`Vitrine.load`, `src/wasm/load.js`): each piece of the
//! stream is copied to its place in wasm memory and checked right away ([`Streamed`]), so the
//! page never holds the whole file in JavaScript, and no single task copies and checks all of it.

use crate::error::Error;
use crate::value::{Blob, Streamed};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

/// A model file arriving piece by piece; `Vitrine.openLoaded` opens it once the stream ends.
/// Internal to `Vitrine.load` (not in the TypeScript declarations).
#[wasm_bindgen(skip_typescript)]
#[derive(Default)]
pub struct ModelLoad(Streamed);

#[wasm_bindgen]
impl ModelLoad {
    #[wasm_bindgen(constructor)]
    pub fn new() -> ModelLoad {
        ModelLoad::default()
    }

    /// Takes the next piece of the stream. Throws what `open` would say of a file that starts
    /// this way (another signature, gzip, a damaged header) as soon as its header is whole, and
    /// when the stream goes on past the length the header gives.
    pub fn push(&mut self, piece: &Uint8Array) -> Result<(), JsError> {
        self.0.push(piece.length() as usize, |from, k, v| {
            let len = v.len();
            v.reserve(k);
            piece
                .subarray(from as u32, (from + k) as u32)
                .copy_to_uninit(&mut v.spare_capacity_mut()[..k]);
            // SAFETY: `copy_to_uninit` initialised the `k` bytes after the first `len`, inside
            // the vector's capacity (reserved above).
            unsafe { v.set_len(len + k) };
        })?;
        Ok(())
    }
}

impl ModelLoad {
    /// The whole file, once the stream has ended.
    pub fn finish(self) -> Result<Blob, Error> {
        self.0.finish()
    }
}
