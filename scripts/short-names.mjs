// Drops the hashes wasm-bindgen puts in the names the module and its glue share: each import the
// glue provides (`__wbg_getItem_30839f9fb391745c`) and each closure shim the module exports
// (`wasm_bindgen__convert__closures_____invoke__h6454076f82468fc3`) is renamed to its name
// without the hash (`__wbg_getItem`, a number after it when two would be the same), in every
// wasm file given and in the glue and its declarations. Sixteen hex digits per name, written
// twice (module and glue), do not compress: about 1 KB gzip (docs/BENCHMARKS.md).
//
//   node scripts/short-names.mjs GLUE.js DECLARATIONS.d.ts… -- MODULE.wasm…
//
// Every module must carry the same names (the SIMD and the scalar build share one glue); a name
// the glue does not mention, or one left behind, fails the build.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const cut = args.indexOf('--');
if (cut < 1 || cut === args.length - 1) {
  console.error('usage: node scripts/short-names.mjs GLUE.js DECLARATIONS.d.ts… -- MODULE.wasm…');
  process.exit(2);
}
const [texts, modules] = [args.slice(0, cut), args.slice(cut + 1)];
const hashed = /_h?[0-9a-f]{16}$/;

// The features build-pkg.sh gives wasm-opt (as scripts/trap-panics.mjs).
const F = binaryen.Features;
const features = F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt |
  F.SignExt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong;

/** The module's hashed import and export names, in order. */
function namesOf(m) {
  const imports = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (f.module && hashed.test(f.base)) imports.push(f);
  }
  const exports = [];
  for (let i = 0; i < m.getNumExports(); i++) {
    const e = binaryen.getExportInfo(m.getExportByIndex(i));
    if (hashed.test(e.name)) exports.push(e);
  }
  return { imports, exports };
}

const loaded = modules.map((file) => {
  binaryen.setDebugInfo(true);
  const m = binaryen.readBinary(readFileSync(file));
  m.setFeatures(features);
  return { file, m, names: namesOf(m) };
});
const listed = ({ imports, exports }) => JSON.stringify([imports.map((f) => f.base).sort(), exports.map((e) => e.name).sort()]);
for (const { file, names } of loaded.slice(1)) {
  if (listed(names) !== listed(loaded[0].names)) {
    console.error(`short-names: ${file} does not import and export the names ${loaded[0].file} does`);
    process.exit(1);
  }
}

// One short name for each hashed one, the same for every module.
const short = new Map();
const taken = new Set();
for (const name of [...loaded[0].names.imports.map((f) => f.base), ...loaded[0].names.exports.map((e) => e.name)]) {
  const base = name.replace(hashed, '');
  let s = base;
  for (let k = 1; taken.has(s); k++) s = `${base}_${k}`;
  taken.add(s);
  short.set(name, s);
}

for (const { file, m, names } of loaded) {
  for (const f of names.imports) {
    m.removeFunction(f.name);
    m.addFunctionImport(f.name, f.module, short.get(f.base), f.params, f.results);
  }
  for (const e of names.exports) {
    m.removeExport(e.name);
    m.addFunctionExport(e.value, short.get(e.name));
  }
  if (!m.validate()) {
    console.error(`short-names: ${file} does not validate after the renaming`);
    process.exit(1);
  }
  writeFileSync(file, m.emitBinary());
  m.dispose();
}

// The glue and its declarations: each hashed name is a whole identifier there.
for (const [i, file] of texts.entries()) {
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of short) {
    const parts = text.split(from);
    if (i === 0 && parts.length < 2) {
      console.error(`short-names: ${file} does not mention ${from}`);
      process.exit(1);
    }
    text = parts.join(to);
  }
  const left = text.match(/\b(?:__wbg_\w+|\w+__h)[0-9a-f]{16}\b/);
  if (left) {
    console.error(`short-names: ${file} still names ${left[0]}`);
    process.exit(1);
  }
  writeFileSync(file, text);
}
console.log(`short-names: ${short.size} names without their hashes in ${modules.length} modules`);
