#!/usr/bin/env bash
# Builds the npm package into pkg/: the release wasm twice — with SIMD128 (vitrine_bg.wasm) and
# without (vitrine_scalar_bg.wasm, for engines without SIMD) —, one wasm-bindgen glue (ESM,
# --target web) whose loader picks the file the engine can run (scripts/loader.mjs), wasm-opt from
# npm binaryen 132 (Debian's binaryen 108 breaks externref tables) after Rust's panic paths are
# made to trap at once (scripts/trap-panics.mjs), package.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# The SIMD build has its own target directory so the two builds do not invalidate each other.
cargo build --lib --profile wasm --target wasm32-unknown-unknown
RUSTFLAGS="-C target-feature=+simd128" \
  cargo build --lib --profile wasm --target wasm32-unknown-unknown --target-dir target/simd

rm -rf pkg target/pkg-scalar
wasm-bindgen --target web --out-dir pkg --out-name vitrine \
  target/simd/wasm32-unknown-unknown/wasm/vitrine.wasm
wasm-bindgen --target web --out-dir target/pkg-scalar --out-name vitrine \
  target/wasm32-unknown-unknown/wasm/vitrine.wasm
# One glue serves both: the bindings are the same, only the code inside differs.
cmp -s pkg/vitrine.js target/pkg-scalar/vitrine.js && diff -r -q pkg/snippets target/pkg-scalar/snippets >/dev/null || {
  echo "build-pkg: the SIMD and scalar builds need different glue" >&2
  exit 1
}

# Panics trap at once (what a panic already did, minus std's handler): -3.7 KB gzip.
node scripts/trap-panics.mjs pkg/vitrine_bg.wasm
node scripts/trap-panics.mjs target/pkg-scalar/vitrine_bg.wasm
# A JavaScript exception out of a call gives back the shadow stack it took and stops only the
# instance it was on (scripts/unwind-guard.mjs).
node scripts/unwind-guard.mjs pkg/vitrine.js -- pkg/vitrine_bg.wasm target/pkg-scalar/vitrine_bg.wasm
# The names module and glue share, without wasm-bindgen's hashes: about 1 KB gzip.
node scripts/short-names.mjs pkg/vitrine.js pkg/vitrine.d.ts pkg/vitrine_bg.wasm.d.ts -- \
  pkg/vitrine_bg.wasm target/pkg-scalar/vitrine_bg.wasm

features=(--enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-multivalue --enable-mutable-globals)
# -O3 against -Oz, measured (docs/BENCHMARKS.md): see WASM_OPT below.
opt="${WASM_OPT:--O3}"
# A function with one caller is merged into it only when it is as small as what -O3 inlines
# anyway (20 bytes; by default, whatever its size): 7.5 KB gzip less, and a page's first calls
# compile only the code they run — engines compile a function on its first call, and a merged
# `open` or `recommend` carried every path it might take (docs/BENCHMARKS.md, nineteenth round).
inlining=(--one-caller-inline-max-function-size 20)
# The producers and target-features sections say which compilers made the module and what it
# uses; no engine reads them (269 bytes).
strip=(--strip-producers --strip-target-features)
node_modules/.bin/wasm-opt "$opt" "${inlining[@]}" "${strip[@]}" "${features[@]}" --enable-simd \
  pkg/vitrine_bg.wasm -o pkg/vitrine_bg.wasm
# Without --enable-simd: wasm-opt refuses the scalar build if any SIMD instruction slipped in.
node_modules/.bin/wasm-opt "$opt" "${inlining[@]}" "${strip[@]}" "${features[@]}" \
  target/pkg-scalar/vitrine_bg.wasm -o pkg/vitrine_scalar_bg.wasm
# The panic locations no code names any more, now that panics trap, are zeroed: −1.2 KB gzip
# (scripts/dead-locations.mjs).
node scripts/dead-locations.mjs pkg/vitrine_bg.wasm
node scripts/dead-locations.mjs pkg/vitrine_scalar_bg.wasm
# Functions ordered so that each one's bytes are most like the two before it (each runs the same
# instructions; gzip's window finds more): −3.5 KB gzip (scripts/order-functions.mjs).
for wasm in pkg/vitrine_bg.wasm pkg/vitrine_scalar_bg.wasm; do
  node scripts/order-functions.mjs "$wasm" target/ordered.wasm
  node_modules/.bin/wasm-opt --reorder-functions-by-name --strip-debug "${features[@]}" --enable-simd \
    target/ordered.wasm -o "$wasm"
done
node scripts/loader.mjs pkg/vitrine.js
node scripts/load-glue.mjs pkg/vitrine.js pkg/vitrine.d.ts
node scripts/init-docs.mjs pkg/vitrine.d.ts
node scripts/freed-message.mjs pkg/vitrine.js
# The API documentation is in vitrine.d.ts; the shipped JavaScript goes without comments.
node scripts/strip-comments.mjs pkg/vitrine.js $(find pkg/snippets -name '*.js')
node scripts/package-json.mjs
# Shipped size: each file gzipped on its own, as a server sends them (the glue is vitrine.js and
# its snippet src/wasm/tape.js, which decodes result tapes and walks arguments into tapes).
gz() { cat "$@" | gzip -9 -c | wc -c; }
glue=$(($(gz pkg/vitrine.js) + $(gz $(find pkg/snippets -name '*.js'))))
printf 'pkg/: %s bytes wasm (SIMD), %s scalar; gzip: %s wasm + %s glue = %s bytes\n' \
  "$(stat -c %s pkg/vitrine_bg.wasm)" "$(stat -c %s pkg/vitrine_scalar_bg.wasm)" \
  "$(gz pkg/vitrine_bg.wasm)" "$glue" "$(($(gz pkg/vitrine_bg.wasm) + glue))"
