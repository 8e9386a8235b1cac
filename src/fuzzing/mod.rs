//! Fuzz harnesses: one function per decoder of outside bytes, each asserting the invariants that
//! must hold for *any* input (no panic, typed errors only, bounded memory, stored data that reads
//! back). `fuzz/fuzz_targets/*.rs` hand them to libFuzzer (`make fuzz`); `tests/fuzz_corpus.rs`
//! replays every file of the kept corpus (`fuzz/corpus/<target>/`) through them in `cargo test`,
//! so what the fuzzer once found stays fixed. Native only, never in the wasm.
//!
//! Structured targets read JSON in which a few strings stand for what JSON cannot say but a JS
//! caller can pass (see [`json`]): `"$NaN"`, `"$undefined"`, `"$bigint"`, `"$repeat:300:ab"`, ….

pub mod check;
pub mod json;
mod targets;

pub use targets::*;

/// A harness: any bytes in, a panic only when an invariant breaks.
pub type Harness = fn(&[u8]);

/// Every target: its name (the file in `fuzz/fuzz_targets/` and the corpus folder) and harness.
pub const TARGETS: &[(&str, Harness)] = &[
    ("event", event),
    ("consent", consent),
    ("tcf", tcf),
    ("store", store),
    ("model", model),
    ("builder", builder),
    ("recommend", recommend),
    ("open", open),
];
