// Usage: node scripts/dead-locations.mjs FILE.wasm
//
// Zeroes the panic locations nothing can read any more. Every bounds check, `unwrap` and `expect`
// of Rust passes a `core::panic::Location` (a 16-byte record: the source file's path as a
// pointer and a length, the line, the column) to a panic function; once scripts/trap-panics.mjs
// has made those functions trap and wasm-opt has inlined the traps, no code passes the records
// any more, but they and their paths stay in the data section (173 records and 42 paths, 4.5 KB
// raw). Run after `wasm-opt -O3`. The zeros stay where they are: gzip takes them for a few bytes
// (−1.2 KB gzip), while `wasm-opt --memory-packing` would cut them out (−4.2 KB raw) at the price of
// more segments (+70 B gzip) (docs/BENCHMARKS.md, twenty-third round).
//
// A record is zeroed only when nothing names an address inside it: no constant in the code
// (`i32.const`, the halves of `i64.const`, the lanes of `v128.const`, a load's or store's
// `offset=`) and no 4-byte word anywhere in the data (at any alignment). A path is zeroed only
// when every word that names it lies in a record being zeroed and no code constant names it.
// So the change cannot alter what a running module reads: what it zeroes has no address left.
// Fails when it finds no record at all (so a build whose data changed shape never silently keeps
// them).
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { sections, uleb as readUleb } from './wasm-bytes.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/dead-locations.mjs FILE.wasm');
  process.exit(2);
}
const bytes = readFileSync(file);

const uleb = (at) => readUleb(bytes, at);

function sleb32(at) {
  let value = 0;
  let shift = 0;
  let b;
  do {
    b = bytes[at++];
    value |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 32 && b & 0x40) value |= -1 << shift;
  return [value >>> 0, at];
}

// The active data segments of memory 0: where each lies in memory and in the file.
const segments = [];
for (const section of sections(bytes, file)) {
  if (section.id === 11) {
    let [count, p] = uleb(section.start);
    for (; count > 0; count--) {
      let kind;
      [kind, p] = uleb(p);
      if (kind === 1) {
        // Passive: not placed in memory, never zeroed.
        let length;
        [length, p] = uleb(p);
        p += length;
        continue;
      }
      if (kind === 2) [, p] = uleb(p); // memory index
      if (bytes[p] !== 0x41 || bytes[p + 1] === undefined) throw new Error('dead-locations: a data segment whose offset is not an i32.const');
      let address;
      [address, p] = sleb32(p + 1);
      if (bytes[p] !== 0x0b) throw new Error('dead-locations: a data segment offset longer than one i32.const');
      let length;
      [length, p] = uleb(p + 1);
      segments.push({ address, length, fileAt: p });
      p += length;
    }
  }
}

const low = Math.min(...segments.map((s) => s.address));
const high = Math.max(...segments.map((s) => s.address + s.length));
const image = new Uint8Array(high - low);
for (const s of segments) image.set(bytes.subarray(s.fileAt, s.fileAt + s.length), s.address - low);
const view = new DataView(image.buffer);
const word = (address) => view.getUint32(address - low, true);

// Every address the code names, from binaryen's text of the module.
binaryen.setDebugInfo(false);
const m = binaryen.readBinary(bytes);
const text = m.emitText();
m.dispose();
const named = [];
for (const [, value] of text.matchAll(/\(i32\.const\s+(-?\d+)\)/g)) named.push(Number(value) >>> 0);
for (const [, value] of text.matchAll(/offset=(\d+)/g)) named.push(Number(value) >>> 0);
for (const [, value] of text.matchAll(/\(i64\.const\s+(-?\d+)/g)) {
  const v = BigInt.asUintN(64, BigInt(value));
  named.push(Number(v & 0xffffffffn), Number(v >> 32n));
}
for (const [, lanes] of text.matchAll(/\(v128\.const\s+i32x4\s+([^)]+)\)/g)) {
  for (const lane of lanes.trim().split(/\s+/)) named.push(Number.parseInt(lane) >>> 0);
}
named.sort((a, b) => a - b);
const codeNames = (from, to) => {
  // Any code constant in [from, to)?
  let lo = 0;
  let hi = named.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (named[mid] < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < named.length && named[lo] < to;
};

// Every data word (at any alignment) that names an address inside the data, by the address.
const dataNames = new Map();
for (let a = low; a + 4 <= high; a++) {
  const w = word(a);
  if (w >= low && w < high) {
    const list = dataNames.get(w);
    if (list) list.push(a);
    else dataNames.set(w, [a]);
  }
}
const wordsInto = (from, to) => {
  const out = [];
  for (let a = from; a < to; a++) for (const w of dataNames.get(a) ?? []) out.push(w);
  return out;
};

// The location records: a path ending in ".rs", a line and a column.
const records = [];
for (let a = low; a + 16 <= high; a += 4) {
  const path = word(a);
  const length = word(a + 4);
  const line = word(a + 8);
  const column = word(a + 12);
  if (length < 4 || length > 300 || path < low || path + length > high) continue;
  if (line === 0 || line > 1_000_000 || column === 0 || column > 10_000) continue;
  const name = Buffer.from(image.subarray(path - low, path - low + length)).toString('latin1');
  if (!/^[\x20-\x7e]+\.rs$/.test(name)) continue;
  records.push({ at: a, path, length });
}
if (records.length === 0) {
  console.error(`dead-locations: no panic location found in ${file}`);
  process.exit(1);
}

const inside = (w, from, to) => w >= from && w < to;
const dead = records.filter(
  (r) => !codeNames(r.at, r.at + 16) && wordsInto(r.at, r.at + 16).every((w) => inside(w, r.at, r.at + 16)),
);
const deadAt = (w) => dead.some((r) => inside(w, r.at, r.at + 16));
const paths = new Map();
for (const r of dead) paths.set(r.path, Math.max(paths.get(r.path) ?? 0, r.length));
const deadPaths = [...paths].filter(
  ([path, length]) => !codeNames(path, path + length) && wordsInto(path, path + length).every(deadAt),
);

const out = Buffer.from(bytes);
function zero(from, to) {
  for (const s of segments) {
    const a = Math.max(from, s.address);
    const b = Math.min(to, s.address + s.length);
    if (a < b) out.fill(0, s.fileAt + a - s.address, s.fileAt + b - s.address);
  }
}
for (const r of dead) zero(r.at, r.at + 16);
for (const [path, length] of deadPaths) zero(path, path + length);
writeFileSync(file, out);
const zeroed = dead.length * 16 + deadPaths.reduce((sum, [, length]) => sum + length, 0);
console.log(
  `dead-locations: ${dead.length} of ${records.length} panic locations and ${deadPaths.length} of ${paths.size} paths in ${file} zeroed (${zeroed} bytes)`,
);
