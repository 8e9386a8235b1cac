// `recommend` alone, for comparing builds on a shared machine:
//
//   node bench/recommend.mjs [PKG_DIR[=MODEL_FILE] …] [--rounds 21] [--shopper light|broad|returning|new]
//       [--options JSON]
//
// Each directory is a built package (default pkg/); all are loaded into this one process, each
// opens the 100k × 64 catalog of bench/run.mjs (write it first with `node bench/run.mjs
// --no-browser`), or the file after its `=`, and is given the same shopper. A round times 200
// calls of each build, the order rotating from round to round, so that a slow minute of the
// machine weighs on every build alike. Prints each build's median and best µs per call, and
// says so when two builds' shelves differ.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBuild, catalogPath } from './builds.mjs';
import { shopper, returning, median, track } from './suite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const dirs = [];
let rounds = 21;
let who = 'light';
let options = { scenario: 'for_you', k: 10 };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = +args[++i];
  else if (args[i] === '--shopper') who = args[++i];
  else if (args[i] === '--options') options = JSON.parse(args[++i]);
  else dirs.push(args[i]);
}
const catalog = readFileSync(catalogPath(100_000, 64));
const n = 100_000;
const calls = 200;

const builds = [];
// The new shopper's view a minute ago: dated at bench/instructions.mjs's fixed clock, months
// back, it would weigh too little to fill half the shelf.
const start = who === 'new' ? Date.now() - 60_000 : 1.79e12;
for (const arg of dirs.length ? dirs : [`${root}pkg`]) {
  const { dir, Vitrine, model } = await loadBuild(arg, catalog);
  const v = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  // The fixed clock of bench/instructions.mjs: every build holds the same profile.
  let clock = start;
  const realNow = Date.now;
  Date.now = () => clock;
  // `new`: the light shopper's first view only (one category: half the shelf, the rest looked
  // for past it).
  const events = who === 'returning' ? returning(n) : who === 'broad' ? shopper(n, 6, { broad: true })
    : who === 'new' ? shopper(n, 5).slice(0, 1) : shopper(n, 5);
  track(v, events, () => { clock += 1000; });
  Date.now = realNow;
  builds.push({ dir, v, times: [], shelf: JSON.stringify(v.recommend(options)) });
}
if (builds.some((b) => b.shelf !== builds[0].shelf)) console.log('the builds serve different shelves');

for (let round = -3; round < rounds; round++) {
  for (let j = 0; j < builds.length; j++) {
    const b = builds[(((j + round) % builds.length) + builds.length) % builds.length];
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) b.v.recommend(options);
    const per = ((performance.now() - t0) / calls) * 1e3;
    if (round >= 0) b.times.push(per); // the first three rounds warm up
  }
}
console.log(`µs per recommend(${JSON.stringify(options)}), ${who} shopper, ${rounds} rounds of ${calls} calls`);
for (const b of builds) {
  console.log(`  ${b.dir}: median ${median(b.times).toFixed(1)}, best ${Math.min(...b.times).toFixed(1)}`);
}
