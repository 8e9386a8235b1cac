#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm, wasm-bindgen glue (ESM, --target web),
# wasm-opt from npm binaryen 132 (Debian's binaryen 108 breaks externref tables), package.json.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --lib --release --target wasm32-unknown-unknown
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name vitrine \
  target/wasm32-unknown-unknown/release/vitrine.wasm
node_modules/.bin/wasm-opt -O3 \
  --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-multivalue \
  pkg/vitrine_bg.wasm -o pkg/vitrine_bg.wasm
node scripts/package-json.mjs
printf 'pkg/: %s bytes wasm, %s bytes gzip (wasm + glue)\n' \
  "$(stat -c %s pkg/vitrine_bg.wasm)" "$(cat pkg/vitrine_bg.wasm pkg/vitrine.js | gzip -9 | wc -c)"
