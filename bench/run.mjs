// `make bench` (and `node bench/run.mjs --quick` in `make test`): vitrine against its peers on
// seeded synthetic catalogs, all in one Node process and interleaved, then the same suite once
// in headless Chromium (bench/browser.mjs) to check that the ratios hold in a browser.
//
//   node bench/run.mjs [--quick] [--sizes 100000x64,1000000x64] [--reps 30] [--no-browser]
//
// Catalogs are model files written by `vitrine-bench catalog` (seed 7) into .bench/. Prints
// medians and ratios; docs/BENCHMARKS.md explains them. These are benchmarks, not tests: nothing
// here fails on a slow machine.
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { speed, busyWarning } from './suite.mjs';
import { probeBytes } from './peers.mjs';
import { catalogPath } from './builds.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const sizes = opt('--sizes', quick ? '2000x16' : '100000x64,1000000x64').split(',').map((s) => s.split('x').map(Number));
const reps = +opt('--reps', quick ? 3 : 31);
const log = (...m) => console.error(...m);

/** The model file of a size, written once by the Rust tool (debug build in quick runs). */
export function catalogFile([items, dims]) {
  const dir = `${root}.bench`;
  mkdirSync(dir, { recursive: true });
  const file = catalogPath(items, dims);
  if (!existsSync(file)) {
    log(`bench: writing ${file}`);
    const release = quick ? [] : ['--release'];
    execFileSync('cargo', ['run', '--quiet', ...release, '--bin', 'vitrine-bench', '--',
      'catalog', '--items', String(items), '--dims', String(dims), '--seed', '7', '--out', file], { cwd: root, stdio: 'inherit' });
  }
  return file;
}

/** A fresh instance of a built wasm of the package (each size gets its own wasm memory). */
async function loadVitrine(file, tag) {
  const mod = await import(`${new URL('../pkg/vitrine.js', import.meta.url)}?${tag}`);
  const exports = mod.initSync({ module: readFileSync(new URL(`../pkg/${file}`, import.meta.url)) });
  return { Vitrine: mod.Vitrine, memory: () => exports.memory.buffer.byteLength };
}

async function loadPeers() {
  const tf = await import('@tensorflow/tfjs-core');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${root}node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  await tf.setBackend('wasm');
  await tf.ready();
  const voy = await import('voy-search/voy_search_bg.js');
  const { instance } = await WebAssembly.instantiate(
    readFileSync(`${root}node_modules/voy-search/voy_search_bg.wasm`), { './voy_search_bg.js': voy });
  voy.__wbg_set_wasm(instance.exports);
  const orama = await import('@orama/orama');
  return { tf, voy, orama, tfSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') };
}

const fmt = (x, d = 3) => (x === undefined ? '—' : Number(x.toFixed(d)));
const mb = (x) => (x === undefined ? '—' : `${(x / 2 ** 20).toFixed(1)} MB`);

/** Prints one environment's results as tables. */
export function report(env, results) {
  console.log(`\n## ${env}\n`);
  console.table(results.map((r) => ({
    size: `${r.items} × ${r.dims}`,
    'vitrine for_you ms': fmt(r.medians.vitrine),
    'after an event ms': fmt(r.medians['vitrine-after-event']),
    'broad shopper ms': fmt(r.medians['vitrine-broad']),
    'returning shopper ms': fmt(r.medians['vitrine-returning']),
    'scalar build ms': fmt(r.medians['vitrine-scalar']),
    'tfjs-wasm ms': fmt(r.medians['tfjs-wasm']),
    'plain JS ms': fmt(r.medians.js),
    'voy ms': fmt(r.medians.voy),
    'orama ms': fmt(r.medians.orama),
    'probe ms': fmt(r.medians.probe),
  })));
  console.table(results.map((r) => ({
    size: `${r.items} × ${r.dims}`,
    '× tfjs-wasm': fmt(r.ratios['tfjs-wasm'], 1),
    '× plain JS': fmt(r.ratios.js, 1),
    '× voy': fmt(r.ratios.voy, 1),
    '× orama': fmt(r.ratios.orama, 1),
    'scalar / SIMD': fmt(r.ratios['vitrine-scalar'], 2),
    '× tfjs-wasm after an event': fmt(r.ratios['tfjs-wasm'] / r.ratios['vitrine-after-event'], 1),
    '× plain JS after an event': fmt(r.ratios.js / r.ratios['vitrine-after-event'], 1),
    'vitrine / probe': fmt(1 / r.ratios.probe, 2),
    'after an event / probe': fmt(r.ratios['vitrine-after-event'] / r.ratios.probe, 2),
    'broad / probe': fmt(r.ratios['vitrine-broad'] / r.ratios.probe, 2),
    'probe GB/s': fmt(r.bandwidthGBs, 1),
  })));
  console.table(results.map((r) => ({
    size: `${r.items} × ${r.dims}`,
    'open ms': fmt(r.openMs, 1),
    'first open ms': fmt(r.firstOpenMs, 1),
    'track µs': fmt(r.trackUs, 2),
    'track, random items µs': fmt(r.trackRandomUs, 2),
    'track+store µs': fmt(r.trackStoredUs, 2),
    ...(r.trackLocalUs === undefined ? {} : { 'track+localStorage µs': fmt(r.trackLocalUs, 2) }),
    'similar ms': fmt(r.similarMs),
    'model file': mb(r.modelBytes),
    'wasm memory': mb(r.memoryAfterOpen),
    'growth 10k calls': r.memoryGrowthAfter10k === undefined ? '—' : mb(r.memoryGrowthAfter10k),
    'growth 10k event+shelf': r.memoryGrowthAfter10kEvents === undefined ? '—' : mb(r.memoryGrowthAfter10kEvents),
  })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const busy = quick ? null : await busyWarning();
  if (busy) log(busy);
  const peers = await loadPeers();
  const probeModule = new WebAssembly.Module(await probeBytes());
  mkdirSync(`${root}.bench`, { recursive: true });
  writeFileSync(`${root}.bench/probe.wasm`, await probeBytes());
  const results = [];
  for (const size of sizes) {
    const model = new Uint8Array(readFileSync(catalogFile(size)));
    const lib = {
      ...(await loadVitrine('vitrine_bg.wasm', size.join('x'))),
      scalar: await loadVitrine('vitrine_scalar_bg.wasm', `${size.join('x')}-scalar`),
      ...peers,
      probeModule,
    };
    const big = size[0] > 200_000;
    log(`bench: ${size.join(' × ')}`);
    results.push(await speed(lib, model, {
      reps: big ? Math.min(reps, 15) : reps,
      quick,
      // voy and Orama hold every vector as JS arrays: at a million rows they need gigabytes.
      peers: big ? ['tfjs-wasm', 'js'] : ['tfjs-wasm', 'js', 'voy', 'orama'],
      growth: !quick && !big,
      log,
    }));
  }
  console.log(`Node ${process.version}; tfjs-wasm SIMD: ${peers.tfSimd}`);
  if (busy) console.log(busy);
  report('Node', results);
  if (!quick) {
    // How much of the catalog a shelf reads: the grouped scan skips every row its bound rules out
    // (the result is the full scan's); the peers score every row. Counted natively.
    console.log('\nRows scored per call (vitrine-bench time, --features scan-stats):');
    for (const size of sizes) {
      for (const mode of [[], ['--after-event']]) {
        const out = execFileSync('cargo', ['run', '--quiet', '--release', '--features', 'scan-stats', '--bin', 'vitrine-bench', '--',
          'time', '--model', catalogFile(size), '--calls', '100', ...mode], { cwd: root, encoding: 'utf8' });
        console.log(`  ${size.join(' × ')}${mode.length ? ', after an event' : ''}: ${out.split('\n').find((l) => l.startsWith('rows'))}`);
      }
    }
  }
  if (!args.includes('--no-browser')) {
    const { runInBrowser } = await import('./browser.mjs');
    const b = await runInBrowser({ size: quick ? sizes[0] : [100_000, 64], reps: quick ? 3 : 21, quick, file: catalogFile(quick ? sizes[0] : [100_000, 64]) });
    report(`Chromium ${b.version}`, [b.result]);
  }
}
