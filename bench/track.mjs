// The three `track` cases of bench/suite.mjs alone, for comparing builds on a shared machine:
//
//   node bench/track.mjs [PKG_DIR[=MODEL_FILE] …] [--rounds 15]
//
// Each directory is a built package (default pkg/); each is loaded in turn, in this process, on
// the 100k × 64 catalog of bench/run.mjs (write it first with `node bench/run.mjs --no-browser`),
// or on the file after the directory's `=` (a build that predates a format reads an older file).
// Per case and build: the median wall time per event (what bench/run.mjs reports), the median of
// the process CPU time per event, and the minimum wall time over the rounds — the last two move
// less than the first when other jobs share the cores. Run it several times, alternating builds.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBuild, catalogPath } from './builds.mjs';
import { shopper, rng, median } from './suite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const dirs = [];
let rounds = 15;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = +args[++i];
  else dirs.push(args[i]);
}
const catalog = readFileSync(catalogPath(100_000, 64));
const n = 100_000;

for (const arg of dirs.length ? dirs : [`${root}pkg`]) {
  const { dir, Vitrine, model } = await loadBuild(arg, catalog);
  const r = rng(9);
  const focused = Array.from({ length: 25 }, (_, k) => shopper(n, 100 + k).map(([, id]) => ({ product_id: id }))).flat();
  const random = Array.from({ length: 1000 }, () => ({ product_id: `i${Math.floor(r() * n)}` }));
  const warm = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  for (const [name, id] of shopper(n, 5)) warm.track(name, { product_id: id });
  const fresh = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  const stored = Vitrine.open({ model, consent: { personalization: true, storage: true }, storage: 'memory' });
  const all = (s, views) => () => { for (const p of views) s.track('Product Viewed', p); };
  const cases = [['focused', all(fresh, focused), focused.length], ['random items', all(warm, random), random.length],
    ['storage', all(stored, focused), focused.length]];
  const wall = cases.map(() => []);
  const cpu = cases.map(() => []);
  for (let round = -1; round < rounds; round++) {
    for (let j = 0; j < cases.length; j++) {
      const c = (j + round + cases.length) % cases.length; // the order rotates
      const [, fn, events] = cases[c];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      const t1 = performance.now();
      const used = process.cpuUsage(c0);
      if (round < 0) continue; // warm-up
      wall[c].push(((t1 - t0) / events) * 1e3);
      cpu[c].push(((used.user + used.system) / 1e3 / events) * 1e3);
    }
  }
  const row = (xs) => xs.map((x) => x.toFixed(2)).join(' / ');
  console.log(`${dir}: µs per event (${cases.map((c) => c[0]).join(' / ')}), ${rounds} rounds`);
  console.log(`  wall median ${row(wall.map(median))}   CPU median ${row(cpu.map(median))}   wall min ${row(wall.map((w) => Math.min(...w)))}`);
  for (const v of [warm, fresh, stored]) v.free();
}
