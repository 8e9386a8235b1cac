//! Replays the kept fuzz corpus (`fuzz/corpus/<target>/`, seeds and everything libFuzzer found
//! that reached new code) through the same harnesses `make fuzz` runs, so that every input that
//! once broke an invariant, and the coverage the fuzzer reached, stays tested in `cargo test`
//! without nightly Rust or cargo-fuzz. See docs/RELIABILITY.md.

use std::path::Path;
use vitrine::fuzzing::TARGETS;

#[test]
fn every_corpus_file_keeps_every_invariant() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (name, harness) in TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} holds no corpus", dir.display());
        for path in &files {
            let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if std::panic::catch_unwind(|| harness(&data)).is_err() {
                failures.push(path.display().to_string());
            }
        }
        counts.push(format!("{name} {}", files.len()));
    }
    eprintln!("replayed: {}", counts.join(", "));
    assert!(
        failures.is_empty(),
        "inputs that break an invariant: {failures:#?}"
    );
}
