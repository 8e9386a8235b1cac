// Benchmarks of the built package in Node: vitrine's track and recommend on seeded synthetic
// catalogs. Prints medians; `--quick` runs a small size (used by `make test` to check that the
// harness works). See docs/BENCHMARKS.md for the figures and how to read them.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const quick = process.argv.includes('--quick');
const vitrine = await import(new URL('../pkg/vitrine.js', import.meta.url));
vitrine.initSync({ module: readFileSync(new URL('../pkg/vitrine_bg.wasm', import.meta.url)) });
const { Vitrine } = vitrine;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function catalog(n, dims, seed = 7) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `i${i}`,
    category: `c${i % 200}`,
    brand: `b${i % 500}`,
    price: 5 + Math.floor(r() * 200),
    popularity: Math.floor(1000 * r() ** 4),
    ...(dims ? { embedding: Array.from({ length: dims }, () => r() - 0.5) } : {}),
  }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(fn, reps) {
  const out = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn(i);
    out.push(performance.now() - t0);
  }
  return median(out);
}

const sizes = quick ? [[2_000, 16]] : [[10_000, 64], [100_000, 64]];
const rows = [];
for (const [n, dims] of sizes) {
  const items = catalog(n, dims);
  const open = time(() => Vitrine.open({ catalog: items, storage: 'memory' }).free(), quick ? 3 : 5);
  const v = Vitrine.open({ catalog: items, consent: { personalization: true }, storage: 'memory' });
  const r = rng(1);
  const track = time(() => {
    for (let j = 0; j < 100; j++) v.track('Product Viewed', { product_id: `i${Math.floor(r() * n)}` });
  }, quick ? 5 : 50) / 100;
  const forYou = time(() => v.recommend({ scenario: 'for_you', k: 10 }), quick ? 5 : 50);
  const similar = time((i) => v.recommend({ scenario: 'similar', itemId: `i${i}`, k: 10 }), quick ? 5 : 50);
  v.free();
  rows.push({ items: n, dims, 'open (ms)': open, 'track (µs)': track * 1000, 'for_you k=10 (ms)': forYou, 'similar k=10 (ms)': similar });
}
console.table(rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, x]) => [k, typeof x === 'number' && !Number.isInteger(x) ? +x.toFixed(3) : x]))));
