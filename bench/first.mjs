// What a page pays once: a fresh process loads the module, opens the model, tracks a shopper's
// 40 events and asks for its first shelves. Every process is new (code not yet optimized, wasm
// memory not yet grown, the session's per-model buffers not yet built), so each figure is one
// call, and the medians are over processes:
//
//   node bench/first.mjs [PKG_DIR ...] [--processes 15] [--page home|product] [--load] [--quick]
//
// `--page product` asks for `similar` first, as a product page does (bench/suite.mjs firstCalls).
// `--load` opens with `Vitrine.load` from a stream of the file read from disk in 64 KB pieces
// (bench/suite.mjs timedLoad), the bytes never held whole in JavaScript, instead of `open` with
// the bytes in hand.
// With several package directories (say, `pkg` and a build of the previous commit), their
// processes alternate, so both meet the same host. On the 100k × 64 catalog of bench/run.mjs
// (write it first with `node bench/run.mjs --no-browser`); `--quick` (what `make test` runs, after
// `bench/run.mjs --quick`) on its 2,000 × 16 catalog, 3 processes. Not part of `make bench`.
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { firstCalls, median, busyWarning, pageFlag, timedLoad } from './suite.mjs';
import { catalogPath } from './builds.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const [n, dims] = quick ? [2000, 16] : [100_000, 64];
const model = catalogPath(n, dims);
const page = pageFlag(args);

// The child: one page's first calls, printed as JSON.
if (args[0] === '--child') {
  const dir = args[1];
  const ms = {};
  const mod = await import(`${dir}/vitrine.js`);
  const bytes = readFileSync(`${dir}/vitrine_bg.wasm`);
  const t0 = performance.now();
  mod.initSync({ module: bytes });
  ms.initSync = performance.now() - t0;
  if (args.includes('--load')) {
    const stream = Readable.toWeb(createReadStream(model, { highWaterMark: 64 * 1024 }));
    firstCalls(mod.Vitrine, null, n, ms, page, await timedLoad(mod, stream, ms));
  } else {
    firstCalls(mod.Vitrine, readFileSync(model), n, ms, page);
  }
  console.log(JSON.stringify(ms));
  process.exit(0);
}

const processes = args.includes('--processes') ? +args[args.indexOf('--processes') + 1] : quick ? 3 : 15;
const dirs = args.filter((a, i) => !a.startsWith('--') && !['--processes', '--page'].includes(args[i - 1])).map((d) => resolve(d));
if (!dirs.length) dirs.push(`${root}pkg`);
const busy = quick ? null : await busyWarning();
const runs = Object.fromEntries(dirs.map((d) => [d, []]));
for (let p = 0; p < processes; p++) {
  for (const d of dirs) {
    const flags = ['--page', page, ...['--quick', '--load'].filter((f) => args.includes(f))];
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', d, ...flags], { encoding: 'utf8' });
    runs[d].push(JSON.parse(out.trim().split('\n').pop()));
  }
}
console.log(`first calls of a fresh process, ${page} page, ${n} × ${dims}: medians over ${processes} processes (ms)`);
if (busy) console.log(busy);
const rows = {};
for (const d of dirs) {
  rows[d] = Object.fromEntries(Object.keys(runs[d][0]).map((k) => [k, +median(runs[d].map((r) => r[k])).toFixed(2)]));
}
console.table(rows);
