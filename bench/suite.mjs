// The speed benchmark itself, the same in Node (bench/run.mjs) and in Chromium
// (bench/browser.mjs): vitrine and every peer measured interleaved in one process, medians and
// ratios. The caller loads the libraries and hands them in.
import { jsScan, tfScan, voyScan, oramaScan, probe } from './peers.mjs';

export const now = () => performance.now();

/**
 * How busy the machine's CPUs were over `ms` while this process slept, from /proc/stat (Linux;
 * null elsewhere): a share of all CPUs' time, 0 to 1. With another job on the second core of the
 * 2-core project machine (a fuzzer at the lowest priority), 8 of 12 Node processes ran `for_you`
 * about 1.5× slower from start to end, against none of 12 on the quiet machine
 * (docs/BENCHMARKS.md, twelfth round).
 */
export async function otherLoad(ms = 1000) {
  const { readFileSync } = await import('node:fs');
  const sample = () => {
    try {
      const [, ...t] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
      const all = t.reduce((x, y) => x + y, 0);
      return { busy: all - t[3] - t[4], all };
    } catch {
      return null;
    }
  };
  const a = sample();
  if (!a) return null;
  await new Promise((r) => setTimeout(r, ms));
  const b = sample();
  if (!b) return null;
  return b.all > a.all ? (b.busy - a.busy) / (b.all - a.all) : 0;
}

/** A warning to print with the figures when other jobs were using the CPUs (see otherLoad). */
export async function busyWarning() {
  const load = await otherLoad();
  return load !== null && load > 0.1
    ? `warning: other processes kept ${(100 * load).toFixed(0)} % of the CPUs busy just before this run; ` +
        'the figures can be slower than on a quiet machine, some of them for a whole process (docs/BENCHMARKS.md)'
    : null;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * The embedding rows of a model file as vitrine reads them (docs/MODEL.md): the `EMBD` section,
 * or in a file with int8 codes only (version 3) the `EMBQ` codes times their scales.
 */
export function embeddingsOf(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = new Map();
  for (let s = 0; s < dv.getUint32(12, true); s++) {
    const at = 32 + 16 * s;
    sections.set(String.fromCharCode(...bytes.subarray(at, at + 4)), [dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)]);
  }
  if (sections.has('EMBD')) {
    const [off, len] = sections.get('EMBD');
    const dims = dv.getUint32(off, true);
    const matrix = new Float32Array(bytes.slice(off + 4, off + len).buffer);
    return { dims, n: matrix.length / dims, matrix };
  }
  if (sections.has('EMBQ')) {
    const [off, len] = sections.get('EMBQ');
    const [dims, stride] = [dv.getUint32(off, true), dv.getUint32(off + 4, true)];
    const n = (len - 8) / (4 + stride);
    const codes = new Int8Array(bytes.buffer, bytes.byteOffset + off + 8 + 4 * n, n * stride);
    const matrix = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) {
      const scale = dv.getFloat32(off + 8 + 4 * i, true);
      for (let j = 0; j < dims; j++) matrix[i * dims + j] = Math.fround(codes[i * stride + j] * scale);
    }
    return { dims, n, matrix };
  }
  throw new Error('the model file has no embeddings');
}

/**
 * A shopper: 40 events, mostly views in two favourite categories (item i is in category i % 200).
 * A `broad` shopper's events are spread over the whole catalog: dozens of categories share the
 * top affinity, which is the hard case for the scan's bound (docs/BENCHMARKS.md).
 * `returning` is ten such visits.
 */
export function shopper(n, seed, { broad = false } = {}) {
  const r = rng(seed);
  const fav = [Math.floor(r() * 200), Math.floor(r() * 200)];
  const perCategory = Math.ceil(n / 200);
  return Array.from({ length: 40 }, (_, k) => {
    const i = !broad && r() < 0.8 ? (Math.floor(r() * perCategory) * 200 + fav[Math.floor(r() * 2)]) % n : Math.floor(r() * n);
    return [k % 8 === 7 ? 'Order Completed' : 'Product Viewed', `i${i}`];
  });
}

/**
 * A page's first calls after loading the module, each timed once into `ms` (bench/first.mjs in a
 * fresh Node process, bench/visit.mjs in Chromium): `open` and a shopper's 40 `track`s, then on
 * the `'home'` page the first and second `for_you` and the first `similar`, on a `'product'` page
 * (where `similar` comes first) the first and second `similar` and the first `for_you`. Returns
 * the instance.
 */
export function firstCalls(Vitrine, model, n, ms, page = 'home', opened = null) {
  if (page !== 'home' && page !== 'product') throw new Error(`no page ${page}: home or product`);
  const time = (name, f) => {
    const t0 = now();
    const out = f();
    ms[name] = now() - t0;
    return out;
  };
  const v = opened ?? time('open', () => Vitrine.open({ model, ...FIRST_OPTIONS }));
  const events = shopper(n, 100);
  time('40 × track', () => events.forEach(([name, id]) => v.track(name, { product_id: id })));
  const forYou = (name) => time(name, () => v.recommend({ scenario: 'for_you', k: 10 }));
  const similar = (name, itemId) => time(name, () => v.recommend({ scenario: 'similar', itemId, k: 10 }));
  if (page === 'home') {
    const shelf = forYou('first for_you');
    forYou('second for_you');
    similar('first similar', shelf[0]?.itemId ?? events[0][1]);
  } else {
    similar('first similar', events[0][1]);
    similar('second similar', events[1][1]);
    forYou('first for_you');
  }
  return v;
}

const FIRST_OPTIONS = { consent: { personalization: true }, storage: 'memory' };

/**
 * `Vitrine.load` of `model` (a stream, a Response, or a promise of one) as a page calls it,
 * timed into `ms`: `load` is vitrine's own work (every piece of the stream taken, then the three
 * steps at its end), `load: pieces` how many pieces the stream gave and `load: longest piece` the
 * longest of their calls, `load: decode`, `load: check`, `load: build` and `load: open` the steps
 * at the end, each its own task (reading the file's sections, checking the parts, building the
 * model, opening the session), and
 * `load: wall` from the call to the open instance, waits for the stream included. `mod`: the
 * package's module (its `ModelLoad` and `Vitrine.openLoaded` are wrapped for the time of the call).
 */
export async function timedLoad(mod, model, ms) {
  const { Vitrine, ModelLoad } = mod;
  const t = { pieces: 0, count: 0, longest: 0, steps: [], open: 0 };
  const wrap = (target, name, record) => {
    const f = target[name];
    target[name] = function timed(...a) {
      const t0 = now();
      try {
        return f.apply(this, a);
      } finally {
        record(now() - t0);
      }
    };
    return () => {
      target[name] = f;
    };
  };
  const restore = [
    wrap(ModelLoad.prototype, 'push', (d) => {
      t.pieces += d;
      t.count += 1;
      t.longest = Math.max(t.longest, d);
    }),
    // The steps at the end of the stream: decode, check, build.
    wrap(ModelLoad.prototype, 'step', (d) => t.steps.push(d)),
    wrap(Vitrine, 'openLoaded', (d) => (t.open = d)),
  ];
  try {
    const t0 = now();
    const v = await Vitrine.load({ model, ...FIRST_OPTIONS });
    ms['load: wall'] = now() - t0;
    const [decode, check, build] = t.steps;
    Object.assign(ms, {
      load: t.pieces + t.steps.reduce((a, d) => a + d, 0) + t.open,
      'load: pieces': t.count,
      'load: longest piece': t.longest,
      'load: decode': decode,
      'load: check': check,
      'load: build': build,
      'load: open': t.open,
    });
    return v;
  } finally {
    restore.forEach((r) => r());
  }
}

/** The `--page` of bench/first.mjs and bench/visits.mjs: `home` unless given; checked at once. */
export function pageFlag(args) {
  const page = args.includes('--page') ? args[args.indexOf('--page') + 1] : 'home';
  if (page !== 'home' && page !== 'product') throw new Error(`--page takes home or product, not ${page}`);
  return page;
}

/**
 * A returning shopper: ten visits of `shopper`'s kind, 400 events over about 370 items, so that
 * the profile holds as many items as it keeps (256): what each call reads of the profile (its
 * items' neighbours, the reasons naming one of them) is at its largest.
 */
export function returning(n) {
  return Array.from({ length: 10 }, (_, s) => shopper(n, 100 + s)).flat();
}

/** What the peers search with: the mean of the shopper's rows, unit length (vitrine's own query). */
export function queryOf({ matrix, dims }, events) {
  const q = new Float32Array(dims);
  for (const [, id] of events) {
    const i = +id.slice(1);
    for (let j = 0; j < dims; j++) q[j] += matrix[i * dims + j];
  }
  const norm = Math.hypot(...q) || 1;
  return q.map((x) => x / norm);
}

/** Records `events` ([name, id] pairs); `before()` runs before each (a script's fake clock). */
export function track(v, events, before = () => {}) {
  for (const [name, id] of events) {
    before();
    const props = name === 'Order Completed' ? { products: [{ product_id: id, price: 20 }] } : { product_id: id };
    v.track(name, props);
  }
}

/**
 * Runs every contender `reps` times, interleaved (the order rotates each round so that none
 * always runs first), and returns each one's times in ms per call. A contender is [name, fn].
 * A sample repeats a fast call until it lasts about `minMs`, so that a browser's coarse clock
 * (Chromium rounds performance.now() to 0.1 ms without cross-origin isolation) does not decide.
 * The first `warmup` rounds are not kept: V8 first runs WebAssembly from its baseline compiler
 * and moves each function to the optimizing one once it has run enough; eight rounds leave
 * room. (A whole process can still run for_you 1.5× slower when other jobs load the host's
 * shared cache and memory, with every hot function optimized: see otherLoad and
 * docs/BENCHMARKS.md, twelfth round.)
 */
export function interleave(contenders, reps, warmup = 8, minMs = 5) {
  const times = Object.fromEntries(contenders.map(([name]) => [name, []]));
  const batch = {};
  for (const [name, fn] of contenders) {
    let b = 1;
    for (;;) {
      const t0 = now();
      for (let i = 0; i < b; i++) fn();
      if (now() - t0 >= minMs || b >= 1 << 16) break;
      b *= 2;
    }
    batch[name] = b;
  }
  for (let r = -warmup; r < reps; r++) {
    for (let c = 0; c < contenders.length; c++) {
      const [name, fn] = contenders[(c + Math.max(r, 0)) % contenders.length];
      const b = batch[name];
      const t0 = now();
      for (let i = 0; i < b; i++) fn();
      const dt = (now() - t0) / b;
      if (r >= 0) times[name].push(dt);
    }
  }
  return times;
}

/**
 * One size. `lib` = {Vitrine, memory: () => wasm memory bytes, tf?, voy?, orama?, probeModule};
 * `model` = the model file bytes. Returns rows for the tables.
 */
export async function speed(lib, model, { reps = 30, quick = false, peers = ['tfjs-wasm', 'js', 'voy', 'orama'], growth = false, log = () => {} } = {}) {
  const { Vitrine } = lib;
  const emb = embeddingsOf(model);
  const { n, dims } = emb;
  const out = { items: n, dims, modelBytes: model.length };

  const memBefore = lib.memory();
  const opens = [];
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    const t0 = now();
    const v = Vitrine.open({ model, storage: 'memory' });
    opens.push(now() - t0);
    v.free();
  }
  out.openMs = median(opens);
  // The first is what a page pays: its module is compiled anew here, and its memory not grown.
  out.firstOpenMs = opens[0];

  const events = shopper(n, 5);
  const v = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  track(v, events);
  out.memoryAfterOpen = lib.memory();
  out.memoryBefore = memBefore;
  const query = queryOf(emb, events);
  const k = 10;
  const forYou = () => v.recommend({ scenario: 'for_you', k });
  const first = forYou();
  if (first.length !== k) throw new Error(`for_you returned ${first.length} items`);

  // Each shopper's calls run 500 times first: V8 moves a WebAssembly function to its optimizing
  // compiler once it has run enough, and code that only one shopper's path runs (building the
  // representation after an event) was otherwise still baseline code in the timed rounds.
  const warm = (f) => {
    for (let i = 0; i < (quick ? 5 : 500); i++) f();
    return f;
  };
  const contenders = [['vitrine', warm(forYou)]];
  const cleanup = [];
  {
    const broad = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
    track(broad, shopper(n, 6, { broad: true }));
    contenders.push(['vitrine-broad', warm(() => broad.recommend({ scenario: 'for_you', k }))]);
    cleanup.push({ dispose: () => broad.free() });
    const back = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
    track(back, returning(n));
    contenders.push(['vitrine-returning', warm(() => back.recommend({ scenario: 'for_you', k }))]);
    cleanup.push({ dispose: () => back.free() });
    // The same light shopper viewing one more item before each shelf: the profile changes, so
    // nothing kept from the call before applies (a page's shelf after an event).
    const moving = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
    track(moving, events);
    let j = 0;
    contenders.push(['vitrine-after-event', warm(() => {
      moving.track('Product Viewed', { product_id: events[j++ % events.length][1] });
      return moving.recommend({ scenario: 'for_you', k });
    })]);
    cleanup.push({ dispose: () => moving.free() });
  }
  if (lib.scalar) {
    // The build for engines without SIMD, same model and shopper, in its own wasm instance.
    const s = lib.scalar.Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
    track(s, events);
    const same = s.recommend({ scenario: 'for_you', k });
    if (JSON.stringify(same) !== JSON.stringify(first)) throw new Error('the scalar build ranks differently');
    contenders.push(['vitrine-scalar', warm(() => s.recommend({ scenario: 'for_you', k }))]);
    cleanup.push({ dispose: () => s.free() });
  }
  log(`  ${n} × ${dims}: preparing peers`);
  if (peers.includes('js')) {
    const js = jsScan(emb.matrix, dims);
    contenders.push(['js', () => js(query, k)]);
  }
  if (peers.includes('tfjs-wasm') && lib.tf) {
    const tf = tfScan(lib.tf, emb.matrix, dims);
    contenders.push(['tfjs-wasm', () => tf.run(query, k)]);
    cleanup.push(tf);
  }
  if (peers.includes('voy') && lib.voy) {
    const t0 = now();
    const voy = voyScan(lib.voy, emb.matrix, dims);
    out.voyBuildMs = now() - t0;
    contenders.push(['voy', () => voy.run(query, k)]);
    cleanup.push(voy);
  }
  if (peers.includes('orama') && lib.orama) {
    const t0 = now();
    const orama = await oramaScan(lib.orama, emb.matrix, dims);
    out.oramaBuildMs = now() - t0;
    const hits = orama.run(query, k);
    if (hits.length !== k) throw new Error(`orama returned ${hits.length} hits at similarity 0.5`);
    contenders.push(['orama', () => orama.run(query, k)]);
    cleanup.push(orama);
  }
  // The probe reads as many bytes as vitrine's int8 codes: n rows of d rounded up to 16.
  const codeBytes = n * Math.ceil(dims / 16) * 16;
  const p = probe(lib.probeModule, codeBytes);
  contenders.push(['probe', p.run]);
  out.codeBytes = p.bytes;

  log(`  ${n} × ${dims}: ${contenders.map((c) => c[0]).join(', ')} interleaved, ${reps} rounds`);
  const times = interleave(contenders, reps);
  out.medians = Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
  // Per-round ratios (peer / vitrine in the same round), then their median: robust to drift.
  out.ratios = Object.fromEntries(Object.keys(times).filter((x) => x !== 'vitrine').map((name) => [
    name, median(times[name].map((t, r) => t / times.vitrine[r])),
  ]));
  out.bandwidthGBs = p.bytes / (out.medians.probe / 1e3) / 1e9;
  cleanup.forEach((c) => c.dispose());

  // vitrine alone: similar, track, and memory across many calls.
  out.similarMs = median(interleave([['similar', () => v.recommend({ scenario: 'similar', itemId: 'i42', k })]], quick ? 5 : reps).similar);
  const r = rng(9);
  // A focused shopper (views in two categories, as `shopper` makes them) and the worst case: views
  // of random items over the whole catalog, where every bounded collection of the profile is full
  // and each event evicts something.
  const focused = Array.from({ length: 25 }, (_, k) => shopper(n, 100 + k).map(([, id]) => ({ product_id: id }))).flat();
  const random = Array.from({ length: 1000 }, () => ({ product_id: `i${Math.floor(r() * n)}` }));
  const trackAll = (s, views) => () => { for (const p of views) s.track('Product Viewed', p); };
  const fresh = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  const stored = Vitrine.open({ model, consent: { personalization: true, storage: true }, storage: 'memory' });
  // In a browser also with the default back-end, localStorage, where the check that the browser
  // did not clear vitrine's records is a `getItem` per event.
  const local = typeof localStorage === 'undefined' ? null
    : Vitrine.open({ model, consent: { personalization: true, storage: true }, storage: 'local', namespace: 'vitrine-bench' });
  const tt = interleave([
    ['track', trackAll(fresh, focused)],
    ['trackRandom', trackAll(v, random)],
    ['trackStored', trackAll(stored, focused)],
    ...(local ? [['trackLocal', trackAll(local, focused)]] : []),
  ], quick ? 3 : 15, 1, 0);
  out.trackUs = median(tt.track) / focused.length * 1e3;
  out.trackRandomUs = median(tt.trackRandom) / random.length * 1e3;
  out.trackStoredUs = median(tt.trackStored) / focused.length * 1e3;
  if (local) {
    out.trackLocalUs = median(tt.trackLocal) / focused.length * 1e3;
    local.erase();
    local.free();
  }
  fresh.free();
  stored.free();
  if (growth) {
    const before = lib.memory();
    for (let i = 0; i < 10_000; i++) forYou();
    out.memoryGrowthAfter10k = lib.memory() - before;
    // The path that builds a new representation every time: a view of a random item, then a
    // shelf (warmed first, so that buffers sized once per session are in place).
    const busy = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
    const step = (i) => {
      busy.track('Product Viewed', random[i % random.length]);
      busy.recommend({ scenario: 'for_you', k });
    };
    for (let i = 0; i < 1000; i++) step(i);
    const start = lib.memory();
    for (let i = 0; i < 10_000; i++) step(i);
    out.memoryGrowthAfter10kEvents = lib.memory() - start;
    busy.free();
  }
  v.free();
  return out;
}
