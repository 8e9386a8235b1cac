#!/usr/bin/env bash
# `make bench`: the evaluations on real data (docs/BENCHMARKS.md). They read ../shared/data next
# to the checkout and skip, saying so, when it is absent. Reports go to target/eval/.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bins
data="$(cd .. && pwd)/shared/data"
if [ ! -d "$data" ]; then
  echo "bench: skipped the evaluations: $data is absent (see docs/BENCHMARKS.md)"
else
  mkdir -p target/eval
  ./target/release/vitrine-eval uci | tee target/eval/uci.md
  ./target/release/vitrine-eval yoochoose | tee target/eval/yoochoose.md
fi
make pkg
node bench/run.mjs
