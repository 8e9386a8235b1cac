// Orders a module's functions so that gzip finds more of each function in the ones before it:
// starting from the first, each next function is the one not yet placed whose byte 4-grams are
// most like those of the two functions just placed (cosine of the two sets; the last one alone,
// or the last three, measured 0.2–0.6 KB worse). Every function runs the same instructions; only
// where its body sits in the code section changes (and the index calls name it by), so gzip's
// 32 KB window holds more of what the next body repeats (docs/BENCHMARKS.md, twenty-first round).
//
//   node scripts/order-functions.mjs in.wasm out.wasm
//
// The order is written as a name section whose names sort in that order; the build then runs
// `wasm-opt --reorder-functions-by-name --strip-debug`, which moves the bodies (and every index
// that refers to them) and drops the names again.
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { sections as moduleSections, uleb as readUleb } from './wasm-bytes.mjs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/order-functions.mjs in.wasm out.wasm');
  process.exit(2);
}
const bytes = readFileSync(input);

const uleb = (at) => readUleb(bytes, at);

function encode(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const sections = () => moduleSections(bytes, input);

/** Each function body's distinct 4-byte sequences, sorted (for merging). */
function grams(body) {
  const set = new Set();
  for (let i = 0; i + 4 <= body.length; i++) set.add(body.readUInt32LE(i));
  return Uint32Array.from(set).sort();
}

function shared(a, b) {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      n++;
      i++;
      j++;
    }
  }
  return n;
}

const all = sections();
const code = all.find((s) => s.id === 10);
if (!code) throw new Error(`${input} has no code section`);
// Imported functions come first in the index space; the name section counts them.
const module = binaryen.readBinary(bytes);
let base = 0;
for (let i = 0; i < module.getNumFunctions(); i++) {
  if (binaryen.getFunctionInfo(module.getFunctionByIndex(i)).module) base++;
}
module.dispose();
const bodies = [];
let [count, at] = uleb(code.start);
for (; count > 0; count--) {
  const [size, start] = uleb(at);
  bodies.push(grams(bytes.subarray(start, start + size)));
  at = start + size;
}

if (bodies.length < 2) {
  writeFileSync(output, bytes); // nothing to order
  process.exit(0);
}

// Greedy: from the first function, always the most similar of those left (ties: lowest index).
const left = new Set(bodies.keys());
const order = [0];
left.delete(0);
while (left.size) {
  const last = order.length < 2 ? bodies[order[0]]
    : Uint32Array.from(new Set([...bodies[order.at(-1)], ...bodies[order.at(-2)]])).sort();
  let best = -1;
  let score = -1;
  for (const j of left) {
    const s = last.length && bodies[j].length ? shared(last, bodies[j]) / Math.sqrt(last.length * bodies[j].length) : 0;
    if (s > score) {
      score = s;
      best = j;
    }
  }
  order.push(best);
  left.delete(best);
}

// A name section of function names that sort in that order (and nothing else).
const rank = new Array(bodies.length);
order.forEach((f, r) => { rank[f] = r; });
const width = String(bodies.length).length;
const names = [...encode(bodies.length)];
rank.forEach((r, f) => {
  const name = Buffer.from(`f${String(r).padStart(width, '0')}`);
  names.push(...encode(base + f), ...encode(name.length), ...name);
});
const subsection = [1, ...encode(names.length), ...names];
const content = [...encode(4), ...Buffer.from('name'), ...subsection];
const nameSection = Buffer.from([0, ...encode(content.length), ...content]);

const kept = all.filter((s) => !(s.id === 0 && bytes.subarray(s.start, s.start + 5).equals(Buffer.from('\x04name'))));
writeFileSync(output, Buffer.concat([bytes.subarray(0, 8), ...kept.map((s) => bytes.subarray(s.from, s.end)), nameSection]));
