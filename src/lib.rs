//! vitrine — on-device personalization for web storefronts.
//!
//! The core is plain Rust and builds and tests natively; `src/wasm` wraps it for JavaScript.
//! Data flows one way: events in ([`event`]), through the consent [`consent::Gate`], into a
//! bounded [`profile`]; recommendations out ([`recommend`]) from the profile and the public
//! catalog [`model`]. Nothing leaves the device: the crate has no network code at all.

pub mod args;
pub mod assist;
pub mod audit;
pub mod bytes;
pub mod channel;
pub mod consent;
pub mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod eval;
pub mod event;
/// Fuzz harnesses (`make fuzz`) and the corpus replay test; native only.
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod model;
pub mod nps;
pub mod policy;
pub mod profile;
pub mod recommend;
pub mod rng;
pub mod session;
pub mod sort;
pub mod store;
pub mod tape;
pub mod text;
pub mod value;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::Error;
pub use session::Session;
pub use value::Value;

/// The package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
