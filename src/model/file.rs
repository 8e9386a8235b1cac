//! Model files (`.vtr`), written by `vitrine-model build`.

use super::Model;
use crate::error::{Error, Result};

impl Model {
    /// Loads a model file.
    pub fn from_bytes(_bytes: &[u8]) -> Result<Self> {
        Err(Error::Model(
            "model files are not supported by this build yet; pass `catalog` instead".into(),
        ))
    }
}
