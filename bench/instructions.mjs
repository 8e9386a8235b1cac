// Instructions per `recommend` call, counted by valgrind (callgrind), for comparing builds on a
// machine whose speed changes from minute to minute (docs/BENCHMARKS.md, eighth round):
//
//   node bench/instructions.mjs [PKG_DIR …] [--shopper light|returning] [--options JSON]
//       [--model FILE --items N]
//
// Each build (default pkg/) runs in its own `node` under callgrind with the wasm compiled by the
// optimizing tier up front (no tier-up during the count), once with 500 calls and once with 1,500;
// the difference over 1,000 calls is what one call executes, without loading and opening. The
// model is the 100k × 64 catalog of bench/run.mjs (write it first with `node bench/run.mjs
// --no-browser`). Counts repeat within about 1 %; a run takes about a minute per build. Needs
// valgrind (Debian: `apt-get install valgrind`).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { shopper, returning } from './suite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1];
};
const file = flag('--model', `${root}.bench/catalog-100000x64-s7-v3.vtr`);
const items = Number(flag('--items', 100000));
const who = flag('--shopper', 'light');
const options = flag('--options', '{"scenario":"for_you","k":10}');

if (args[0] === '--child') {
  // One build, a fixed number of calls, a fixed clock (the same profile in every process).
  const [, dir, calls] = args;
  const mod = await import(`${resolve(dir)}/vitrine.js`);
  mod.initSync({ module: readFileSync(`${resolve(dir)}/vitrine_bg.wasm`) });
  const model = readFileSync(file);
  let clock = 1.79e12;
  Date.now = () => clock;
  const v = mod.Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  for (const [name, id] of who === 'returning' ? returning(items) : shopper(items, 5)) {
    clock += 1000;
    v.track(name, name === 'Order Completed' ? { products: [{ product_id: id, price: 20 }] } : { product_id: id });
  }
  const o = JSON.parse(options);
  for (let i = 0; i < +calls; i++) v.recommend(o);
} else {
  const count = (dir, calls) => {
    const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null',
      process.execPath, '--no-liftoff', '--no-wasm-dynamic-tiering', fileURLToPath(import.meta.url),
      '--child', dir, String(calls), '--model', file, '--items', String(items), '--shopper', who,
      '--options', options], { encoding: 'utf8' });
    const total = /Collected : (\d+)/.exec(run.stderr ?? '');
    if (run.status !== 0 || !total) {
      throw new Error(`bench/instructions: valgrind on ${dir} failed: ${run.error?.message ?? (run.stderr ?? '').slice(-400)}`);
    }
    return Number(total[1]);
  };
  for (const dir of args.length ? args : [`${root}pkg`]) {
    const per = (count(dir, 1500) - count(dir, 500)) / 1000;
    console.log(`${dir}: ${Math.round(per).toLocaleString('en')} instructions per call (${who} shopper, ${options})`);
  }
}
