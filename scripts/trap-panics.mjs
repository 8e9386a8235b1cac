// Usage: node scripts/trap-panics.mjs FILE.wasm
//
// Makes Rust's panic paths trap at once: the bodies of the standard library's never-returning
// panic and allocation-failure functions become `unreachable` (the technique of the Rust and
// WebAssembly book's `wasm-snip --snip-rust-panicking-code`, done with the binaryen already used
// for wasm-opt). Run on wasm-bindgen's output, before wasm-opt, which then inlines the traps and
// drops what only built panic messages (std's handler, its payloads, the formatting of
// locations).
//
// Nothing a caller sees changes: with `panic = "abort"` a panic already ended in `unreachable`
// after std's handler ran its hook, which on wasm32-unknown-unknown prints nowhere. Measured:
// -8.4 KB raw, -3.7 KB gzip (docs/BENCHMARKS.md, tenth round). Fails when it finds none of them
// (the wasm has no names, or the standard library renamed them), so that a build never silently
// keeps them.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/trap-panics.mjs FILE.wasm');
  process.exit(2);
}

// Functions of core, alloc and std that never return (not trait methods: `<… as …>::…`), and
// everything of std's and core's `panicking` modules, the payload types' trait methods included
// (reached only while panicking, but kept alive by the vtables in the function table).
const never = new RegExp(
  String.raw`^<?(?:core|alloc|std)\[[0-9a-f]+\]::.*::(?:panic_[a-z_]+|[a-z_]+_fail` +
    String.raw`|assert_failed|unwrap_failed|expect_failed|capacity_overflow|handle_error` +
    String.raw`|handle_alloc_error|default_alloc_error_hook)$`,
);
const panicking = /(?:core|std)\[[0-9a-f]+\]::panicking::/;
const snipped = (name) => panicking.test(name) || (never.test(name) && !/ as /.test(name));

// Names kept for builds that keep them (`wasm-opt -g`); the shipped one drops them in wasm-opt.
binaryen.setDebugInfo(true);
const m = binaryen.readBinary(readFileSync(file));
// The features build-pkg.sh gives wasm-opt (not `All`: that writes imports in the compact form
// of a proposal engines do not read yet).
const F = binaryen.Features;
m.setFeatures(F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt |
  F.SignExt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong);
const found = [];
for (let i = 0; i < m.getNumFunctions(); i++) {
  const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
  if (f.module || !snipped(f.name)) continue;
  found.push(f);
}
if (found.length === 0) {
  console.error(`trap-panics: no panic function found in ${file} (is its name section there?)`);
  process.exit(1);
}
for (const f of found) {
  m.removeFunction(f.name);
  m.addFunction(f.name, f.params, f.results, [], m.unreachable());
}
if (!m.validate()) {
  console.error(`trap-panics: ${file} does not validate after the change`);
  process.exit(1);
}
writeFileSync(file, m.emitBinary());
m.dispose();
console.log(`trap-panics: ${found.length} panic functions of ${file} now trap at once`);
