//! A model file taken as it arrives (`Vitrine.load`, `src/wasm/load.js`): each piece of the
//! stream is copied to its place in wasm memory and checked right away ([`Streamed`]), so the
//! page never holds the whole file in JavaScript. Once the stream has ended, what is left is done
//! in steps the glue runs as separate tasks — the file's sections read ([`Decoded`]), the parts
//! checked ([`Checked`]), the model built and given to the instance opened at the call —, so that
//! no task of the load does all of it.

use super::convert::{append_piece, piece_has, LARGE};
use super::vitrine::{read, Vitrine};
use crate::error::Error;
use crate::model::file::Decoded;
use crate::model::{Checked, Model};
use crate::session::OpenOptions;
use crate::value::Streamed;
use wasm_bindgen::prelude::*;

/// Where a load stands.
#[derive(Debug)]
enum Stage {
    Arriving(Streamed),
    Decoded(Decoded),
    Checked(Checked),
    Built(Model),
    /// A step failed (it threw); nothing is left to do.
    Done,
}

/// A model file arriving piece by piece, then checked and built step by step, and the instance
/// it is for, opened when the page called `Vitrine.load`: its consent applied then, it follows
/// meanwhile what every instance of the page follows, so a decision made while the file arrives
/// stands (`Session::set_model`). `Vitrine.openLoaded` gives it the model. Internal to
/// `Vitrine.load` (not in the TypeScript declarations).
#[wasm_bindgen(skip_typescript)]
pub struct ModelLoad {
    stage: Stage,
    instance: Vitrine,
}

#[wasm_bindgen]
impl ModelLoad {
    /// A load for `Vitrine.load(options)`; throws what `open` would throw of the options, before
    /// any of the stream is read (a misspelt option costs no download).
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<ModelLoad, JsError> {
        let options = OpenOptions::parse_with(read(options, LARGE, "open")?, Some(Model::empty()))?;
        Ok(ModelLoad {
            stage: Stage::Arriving(Streamed::default()),
            instance: Vitrine::open_parsed(options, true)?,
        })
    }

    /// Takes the next piece of the stream: `len` bytes of `piece`, a `Uint8Array` (its own bytes
    /// are counted, not its `length`). Throws, taking nothing, when `piece` does not hold them;
    /// throws what `open` would say of a file that starts this way (another signature, gzip, a
    /// damaged header) as soon as its header is whole, and when the stream goes on past the
    /// length the header gives.
    pub fn push(&mut self, piece: &JsValue, len: u32) -> Result<(), JsError> {
        let Stage::Arriving(stream) = &mut self.stage else {
            return Ok(());
        };
        let len = len as usize;
        if !piece_has(piece, len) {
            return Err(JsError::new(
                "load: a piece of the model file must be a Uint8Array holding the bytes given",
            ));
        }
        stream.push_checked(len, |from, k, v| append_piece(piece, from, k, v))?;
        Ok(())
    }

    /// The instance without a model, as `open` without one gives it: the promise given for the
    /// model resolved to none (`undefined`, `null`; a cache that does not hold the file).
    pub fn instance(self) -> Result<Vitrine, JsError> {
        let v = self.instance;
        v.given_model(Model::empty())?;
        Ok(v)
    }

    /// The next step once the stream has ended: the first checks the file and reads its
    /// sections, the second checks the parts, the third builds the model (its indexes).
    pub fn step(&mut self) -> Result<(), JsError> {
        Ok(self.next()?)
    }
}

impl ModelLoad {
    /// Runs the next step; one that fails leaves nothing to do.
    fn next(&mut self) -> Result<(), Error> {
        self.stage = match core::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Arriving(stream) => {
                let file = stream.finish()?;
                Stage::Decoded(Decoded::new(file.bytes, file.incoming.map(|i| *i))?)
            }
            Stage::Decoded(decoded) => Stage::Checked(decoded.check()?),
            Stage::Checked(checked) => Stage::Built(checked.build()?),
            done => done,
        };
        Ok(())
    }

    /// The model, every step left run now, and its instance.
    pub fn finish(mut self) -> Result<(Model, Vitrine), Error> {
        for _ in 0..3 {
            self.next()?;
        }
        match self.stage {
            Stage::Built(model) => Ok((model, self.instance)),
            _ => Err(Error::Model("the model file was refused already".into())),
        }
    }
}
