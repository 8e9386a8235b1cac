// `Vitrine.open({model})` alone, for comparing builds on a shared machine:
//
//   node bench/open.mjs [PKG_DIR[=MODEL_FILE] …] [--opens 15] [--model FILE]
//
// Each directory is a built package (default pkg/); all are loaded into this one process and
// their opens alternate, so that a slow minute of the machine weighs on every build alike. The
// model is the 100k × 64 catalog of bench/run.mjs (write it first with `node bench/run.mjs
// --no-browser`), or `--model FILE`, or for one build the file after its `=` (a build that
// predates a format opens a file in the format it reads). Prints each build's median open time,
// without the first two opens (memory growth). Run it several times, changing the order.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBuild, catalogPath } from './builds.mjs';
import { median } from './suite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const dirs = [];
let opens = 15;
let file = catalogPath(100_000, 64);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--opens') opens = +args[++i];
  else if (args[i] === '--model') file = args[++i];
  else dirs.push(args[i]);
}
const model = readFileSync(file);
const builds = [];
for (const arg of dirs.length ? dirs : [`${root}pkg`]) {
  builds.push({ ...(await loadBuild(arg, model)), dir: arg, ms: [] });
}
for (let r = 0; r < opens + 2; r++) {
  for (const b of builds) {
    const t0 = performance.now();
    const v = b.Vitrine.open({ model: b.model, storage: 'memory' });
    const t = performance.now() - t0;
    v.free();
    if (r >= 2) b.ms.push(t);
  }
}
console.log(builds.map((b) => `${b.dir}: ${median(b.ms).toFixed(2)} ms`).join('   '));
