// Calls with cold caches, as a page makes them: events seconds apart, a shelf rendered long after
// `open`, other work in between. Before each timed call a 64 MB buffer is read (more than the
// last-level cache of the hosts measured: 35.8 MB, 32 MiB), so the call finds neither its code nor its data in cache:
//
//   node bench/cold.mjs [PKG_DIR] [--rounds 300] [--quick]
//
// On the 100k × 64 catalog of bench/run.mjs (write it first with `node bench/run.mjs
// --no-browser`); `--quick` (what `make test` runs, after `bench/run.mjs --quick`) on its 2,000 × 16
// catalog, 5 rounds. Prints the median of each call cold and, right after it, hot; `version()` and a
// `JSON.stringify` of an event's properties show what any call costs cold on the machine, and the
// bandwidth probe (bench/peers.mjs) what one pass over the int8 codes costs cold, for the ratio
// of issue 4/7's target. Not part of `make bench`: reading 64 MB before every call makes it slow.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { probeBytes, probe } from './peers.mjs';
import { shopper, median, busyWarning } from './suite.mjs';
import { catalogPath } from './builds.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = args.includes('--rounds') ? +args[args.indexOf('--rounds') + 1] : quick ? 5 : 300;
const dir = resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--rounds') ?? `${root}pkg`);
const [n, dims] = quick ? [2000, 16] : [100_000, 64];

const busy = quick ? null : await busyWarning();
const mod = await import(`${dir}/vitrine.js`);
mod.initSync({ module: readFileSync(`${dir}/vitrine_bg.wasm`) });
// Two instances: the events `track` records here do not change the shopper `for_you` ranks for
// (the harness's light shopper, as in bench/run.mjs).
const model = readFileSync(catalogPath(n, dims));
const [v, w] = [0, 1].map(() => mod.Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' }));
for (const [name, id] of shopper(n, 100)) v.track(name, { product_id: id });
// As many bytes as the int8 codes: n rows of `dims` rounded up to 16.
const p = probe(new WebAssembly.Module(await probeBytes()), n * Math.ceil(dims / 16) * 16);

const ids = Array.from({ length: rounds }, (_, k) => `i${(k * 7919 + 13) % n}`);
const calls = {
  'version()': () => mod.version(),
  'JSON.stringify(props)': (r) => JSON.stringify({ product_id: ids[r] }),
  track: (r) => w.track('Product Viewed', { product_id: ids[r] }),
  'for_you k=10': () => v.recommend({ scenario: 'for_you', k: 10 }),
  probe: () => p.run(),
};
const junk = new Uint8Array(64 << 20);
for (let i = 0; i < junk.length; i += 4096) junk[i] = i & 255;
let sink = 0;
const evict = () => {
  for (let i = 0; i < junk.length; i += 64) sink += junk[i];
};
const times = Object.fromEntries(Object.keys(calls).map((k) => [k, { cold: [], hot: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const [k, call] of Object.entries(calls)) {
    evict();
    let t0 = performance.now();
    call(r);
    times[k].cold.push(performance.now() - t0);
    t0 = performance.now();
    call(r);
    times[k].hot.push(performance.now() - t0);
  }
}
const us = (t) => `${(median(t) * 1e3).toFixed(1)} µs`.padStart(11);
console.log(`${dir}: medians over ${rounds} rounds (cold, then the same call again)`);
if (busy) console.log(busy);
for (const [k, t] of Object.entries(times)) console.log(`  ${k.padEnd(22)} cold ${us(t.cold)}   hot ${us(t.hot)}`);
const ratio = (w) => (median(times['for_you k=10'][w]) / median(times.probe[w])).toFixed(2);
console.log(`  for_you / one pass over the codes: cold ${ratio('cold')}, hot ${ratio('hot')}`);
if (sink < 0) console.log(sink);
