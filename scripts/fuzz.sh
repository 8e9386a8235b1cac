#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target (or those named) for FUZZ_SECONDS each (default 60),
# one after the other, one job, at low priority. New inputs go to target/fuzz-corpus/<target>;
# the kept corpus in fuzz/corpus/<target> is read, never written. A crash stops the run and
# leaves its input in fuzz/artifacts/<target>/ (replay it with
# `cargo +nightly fuzz run -s none <target> <file>`, then add it to the corpus with the fix).
#
# FUZZ_MERGE=1 afterwards minimises the kept corpus: fuzz/corpus/<target> becomes the smallest
# set of inputs, among the old corpus and the new finds, that reaches the same coverage.
#
# One libFuzzer process per target (no -jobs/-workers: a single in-process job), so fuzzing
# never takes more than one core.
#
# Sanitizer: none. The core has no `unsafe` code, so AddressSanitizer would find nothing safe
# Rust cannot; without it the targets run about twice as fast. Overflow checks and debug
# assertions stay on (cargo-fuzz's default), so arithmetic overflow is a crash too.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(event consent tcf store model builder recommend open)
fi
dict_for() {
  case "$1" in
    event | consent | recommend | open) echo "-dict=fuzz/dict/json.dict" ;;
    builder) echo "-dict=fuzz/dict/builder.dict" ;;
  esac
}
# FUZZ_CI=1 (what `make test` runs): a fixed seed and a fixed number of executions per target
# (about 30 s each at the speeds in docs/RELIABILITY.md), so a run explores the same inputs
# every time on the same code and corpus: a failure is a change's, never chance's.
ci_runs_for() {
  case "$1" in
    event | consent | recommend | open) echo 600000 ;;
    tcf) echo 400000 ;;
    store | model) echo 150000 ;;
    builder) echo 6000 ;;
  esac
}
max_len_for() {
  case "$1" in
    model | builder) echo "-max_len=16384" ;;
    *) echo "-max_len=4096" ;;
  esac
}

# Built once, then the binaries run directly: `cargo fuzz run` would rebuild whenever the
# sources change during a long run.
nice -n 19 cargo +nightly fuzz build -s none
bin=fuzz/target/x86_64-unknown-linux-gnu/release
run() { nice -n 19 "$bin/$1" "${@:2}"; }
mkdir -p target/fuzz-logs fuzz/artifacts
for t in "${targets[@]}"; do
  mkdir -p "target/fuzz-corpus/$t"
  log="target/fuzz-logs/$t.log"
  if [ "${FUZZ_CI:-0}" = 1 ]; then
    # A fresh directory for new inputs, so the run starts from the kept corpus alone.
    rm -rf "target/fuzz-corpus/$t" && mkdir -p "target/fuzz-corpus/$t"
    budget="-seed=1 -runs=$(ci_runs_for "$t") -max_total_time=240"
    printf 'fuzz: %s, %s executions, seed 1 … ' "$t" "$(ci_runs_for "$t")"
  else
    budget="-max_total_time=$seconds"
    printf 'fuzz: %s for %ss … ' "$t" "$seconds"
  fi
  mkdir -p "fuzz/artifacts/$t"
  # shellcheck disable=SC2046,SC2086
  if ! run "$t" "target/fuzz-corpus/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
    $budget -print_final_stats=1 -timeout=20 \
    -rss_limit_mb=2048 $(dict_for "$t") $(max_len_for "$t") >"$log" 2>&1; then
    echo "FAILED"
    tail -n 40 "$log"
    exit 1
  fi
  # libFuzzer's last status line and final stats: executions and edges covered.
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
  edges=$(grep -Eo '[0-9]+ inline 8-bit counters' "$log" | head -n 1 | awk '{print $1}')
  echo "ok: ${runs:-?} executions, ${cov:-?} (of ${edges:-?} instrumented edges)"
  if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    rm -rf "target/fuzz-merged/$t" && mkdir -p "target/fuzz-merged/$t"
    run "$t" "target/fuzz-merged/$t" "fuzz/corpus/$t" "target/fuzz-corpus/$t" \
      -merge=1 $(max_len_for "$t") >"target/fuzz-logs/$t.merge.log" 2>&1
    rm -rf "fuzz/corpus/$t" && mv "target/fuzz-merged/$t" "fuzz/corpus/$t"
    echo "fuzz: $t corpus minimised to $(ls "fuzz/corpus/$t" | wc -l) files, $(du -sb "fuzz/corpus/$t" | cut -f1) bytes"
  fi
done
