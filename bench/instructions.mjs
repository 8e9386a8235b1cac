// Instructions per `recommend` call, or per `track` event, counted by valgrind (callgrind), for
// comparing builds on a machine whose speed changes from minute to minute (docs/BENCHMARKS.md,
// eighth round):
//
//   node bench/instructions.mjs [PKG_DIR …] [--shopper light|returning] [--options JSON]
//       [--model FILE --items N] [--call recommend|track|after-event]
//
// `--call track` counts `track('Product Viewed', { product_id })` over the focused shoppers' views
// of bench/suite.mjs's `track` figure (the profile already holds them all after the first round).
// `--call after-event` counts one such `track` of the shopper's own views followed by the
// `recommend` (bench/suite.mjs's "after an event" figure: what a shelf costs once the profile
// changed).
//
// Each build (default pkg/) runs in its own `node` under callgrind with the wasm compiled by the
// optimizing tier up front (no tier-up during the count) and V8's compiler and collector on the
// main thread (`--single-threaded`: with their background threads the same build counted
// 1.46–2.14 M per `for_you` from one run to the next on a busy host), once with 500 calls and once
// with 1,500 (track: 5,000 and 15,000); the difference is what the calls execute, without loading
// and opening. The model is the 100k × 64 catalog of bench/run.mjs (write it first with
// `node bench/run.mjs --no-browser`). Counts repeat within about 0.5 % (`track`: 2 %); a run takes a
// minute per build. Needs valgrind (Debian: `apt-get install valgrind`).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { shopper, returning, track } from './suite.mjs';
import { catalogPath } from './builds.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1];
};
const file = flag('--model', catalogPath(100_000, 64));
const items = Number(flag('--items', 100000));
const who = flag('--shopper', 'light');
const options = flag('--options', '{"scenario":"for_you","k":10}');
const call = flag('--call', 'recommend');

if (args[0] === '--child') {
  // One build, a fixed number of calls, a fixed clock (the same profile in every process).
  const [, dir, calls] = args;
  const mod = await import(`${resolve(dir)}/vitrine.js`);
  mod.initSync({ module: readFileSync(`${resolve(dir)}/vitrine_bg.wasm`) });
  const model = readFileSync(file);
  let clock = 1.79e12;
  Date.now = () => clock;
  const v = mod.Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  track(v, who === 'returning' ? returning(items) : shopper(items, 5), () => { clock += 1000; });
  if (call === 'track') {
    const views = Array.from({ length: 25 }, (_, k) => shopper(items, 100 + k).map(([, id]) => ({ product_id: id }))).flat();
    for (let i = 0; i < +calls; i++) {
      clock += 50;
      v.track('Product Viewed', views[i % views.length]);
    }
  } else if (call === 'after-event') {
    const o = JSON.parse(options);
    const own = (who === 'returning' ? returning(items) : shopper(items, 5)).map(([, id]) => ({ product_id: id }));
    for (let i = 0; i < +calls; i++) {
      clock += 50;
      v.track('Product Viewed', own[i % own.length]);
      v.recommend(o);
    }
  } else {
    const o = JSON.parse(options);
    for (let i = 0; i < +calls; i++) v.recommend(o);
  }
} else {
  const count = (dir, calls) => {
    const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null',
      process.execPath, '--no-liftoff', '--no-wasm-dynamic-tiering', '--single-threaded', fileURLToPath(import.meta.url),
      '--child', dir, String(calls), '--model', file, '--items', String(items), '--shopper', who,
      '--options', options, '--call', call], { encoding: 'utf8' });
    const total = /Collected : (\d+)/.exec(run.stderr ?? '');
    if (run.status !== 0 || !total) {
      throw new Error(`bench/instructions: valgrind on ${dir} failed: ${run.error?.message ?? (run.stderr ?? '').slice(-400)}`);
    }
    return Number(total[1]);
  };
  for (const dir of args.length ? args : [`${root}pkg`]) {
    // `track` is about a four-hundredth of a `recommend`: ten times the events.
    const [few, many] = call === 'track' ? [5000, 15000] : [500, 1500];
    const per = (count(dir, many) - count(dir, few)) / (many - few);
    const what = call === 'track' ? 'track event (focused views)'
      : `${call === 'after-event' ? 'track + ' : ''}call (${who} shopper, ${options})`;
    console.log(`${dir}: ${Math.round(per).toLocaleString('en')} instructions per ${what}`);
  }
}
