//! Typed errors of the core. The wasm layer turns each into a JS `Error` with this message, once,
//! at the boundary; nothing in the core panics on caller input.

/// Everything that can go wrong when calling vitrine with bad arguments or bad files.
///
/// Ordinary bad *event data* is not an error: `track` refuses it with a reason instead
/// (see [`crate::event::Refusal`]). These errors are for calls that cannot be understood at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// An argument of the wrong type entirely, e.g. `track(42)`.
    #[error("{func}: {what} must be {expected}, got {got}")]
    WrongType {
        func: &'static str,
        what: String,
        expected: &'static str,
        got: &'static str,
    },
    /// An option that has the right type but a value outside what it accepts.
    #[error("{func}: {what} {problem}")]
    InvalidOption {
        func: &'static str,
        what: String,
        problem: String,
    },
    /// An item of a `catalog` passed to `open` that cannot be used.
    #[error("open: catalog[{index}] {problem}")]
    InvalidCatalog { index: usize, problem: String },
    /// A `recommend` scenario that does not exist.
    #[error("{0}: unknown scenario '{1}'; expected one of for_you, similar, bought_together, trending, recently_viewed, buy_again, cart")]
    UnknownScenario(&'static str, String),
    /// A model file that is not a vitrine model, is damaged, or has a version this build cannot read.
    #[error("model: {0}")]
    Model(String),
    /// A malformed IAB TCF consent string.
    #[error("invalid TC string: {0}")]
    TcString(String),
    /// The storage back-end refused an operation (quota, disabled storage, …).
    #[error("storage: {0}")]
    Storage(String),
}

impl Error {
    /// Shorthand for [`Error::WrongType`].
    pub fn wrong_type(
        func: &'static str,
        what: impl Into<String>,
        expected: &'static str,
        got: &crate::Value,
    ) -> Self {
        Error::WrongType {
            func,
            what: what.into(),
            expected,
            got: got.type_name(),
        }
    }

    /// Shorthand for [`Error::InvalidOption`].
    pub fn invalid(
        func: &'static str,
        what: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Error::InvalidOption {
            func,
            what: what.into(),
            problem: problem.into(),
        }
    }
}

pub type Result<T, E = Error> = core::result::Result<T, E>;
