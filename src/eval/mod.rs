//! Offline evaluation (native only): replays real or synthetic data through the same
//! [`crate::Session`] the wasm wraps and scores its recommendations beside simple and
//! centralized peers on the same split. `vitrine-eval` is the command; `docs/BENCHMARKS.md`
//! has the numbers.

pub mod basket;
pub mod metrics;
pub mod sessions;
pub mod synth;
pub mod uci;
