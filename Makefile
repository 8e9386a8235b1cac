# vitrine — every command a fresh machine needs. `make demo` and `make test` run `setup` first.
SHELL := /bin/bash
PORT ?= 8080
WASM_TARGET := wasm32-unknown-unknown

.PHONY: setup pkg demo demo-model test lint test-rust test-js test-browser screenshots proof bench fuzz fuzz-ci clean

## setup: install what a fresh machine lacks (no-op when present)
setup:
	@scripts/setup.sh

## pkg: the npm package in pkg/ (release wasm, glue, wasm-opt, package.json)
pkg: setup
	@scripts/build-pkg.sh

## demo: build, then serve the demo storefront on http://127.0.0.1:$(PORT)
demo: pkg demo-model
	@node www/serve.mjs --port $(PORT)

## demo-model: the demo's model file, built by vitrine-model from a seeded order log (seconds)
DEMO_MODEL := www/generated/model.vtr
demo-model: setup
	@cargo build --release --quiet --bin vitrine-model
	@$(MAKE) --no-print-directory $(DEMO_MODEL)

$(DEMO_MODEL): scripts/demo-model.mjs www/catalog.js target/release/vitrine-model
	node scripts/demo-model.mjs

## test: fmt, clippy, native tests, wasm build, JS tests against pkg/, browser tests
test: setup lint test-rust pkg test-js test-browser fuzz-ci

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) -- -D warnings
	RUSTFLAGS="-C target-feature=+simd128" cargo clippy --lib --target $(WASM_TARGET) --target-dir target/simd -- -D warnings

# VITRINE_REQUIRE_SQL: the DuckDB run of sql/cooccurrence.sql must not be skipped here.
test-rust:
	VITRINE_REQUIRE_SQL=1 cargo test --all-targets

# demo-model: the release vitrine-model, which tests/js/*_audit.test.mjs build their model files with.
test-js: demo-model
	node --test tests/js/
	node_modules/.bin/tsc -p tests/types
	node bench/run.mjs --quick
	node bench/cold.mjs --quick
	node bench/first.mjs --quick
	node bench/first.mjs --quick --load
	node bench/visits.mjs --quick
	node bench/visits.mjs --quick --load

test-browser: demo-model
	node --test --test-concurrency=1 tests/browser/

## screenshots: docs/screenshots/*.png of the three pages (Chromium, the same scripted visit)
screenshots: pkg demo-model
	node tests/browser/screenshots.mjs

## proof: the static proof that the built module cannot reach the network (docs/PRIVACY.md)
proof: pkg
	node --test tests/js/network_proof.test.mjs

## fuzz: every cargo-fuzz target for FUZZ_SECONDS (default 60) each, one at a time, at low
## priority (docs/RELIABILITY.md). `make fuzz FUZZ_SECONDS=600 FUZZ_MERGE=1` is the long run that
## refreshes the kept corpus; `make test` replays that corpus and runs `fuzz-ci`.
fuzz: setup
	@scripts/setup.sh fuzz
	@scripts/fuzz.sh $(TARGETS)

## fuzz-ci: part of `make test`: every target from the kept corpus, a fixed seed and a fixed number
## of executions (about 30 s each), so the run is the same every time on the same code.
fuzz-ci: setup
	@scripts/setup.sh fuzz
	@FUZZ_CI=1 scripts/fuzz.sh

## bench: evaluations on ../shared/data and benchmarks (see docs/BENCHMARKS.md)
bench: setup
	@scripts/bench.sh

clean:
	rm -rf pkg target/$(WASM_TARGET) www/generated target/demo-model
