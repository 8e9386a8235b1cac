// What vitrine costs a page on a slow phone: headless Chromium with the CPU throttled through the
// DevTools protocol (`Emulation.setCPUThrottlingRate`, 1 = this machine, 4 and 6 = mid-range
// Android phones as Lighthouse and DevTools model them), the documented integration timed call by
// call (`performance.now()`), every main-thread task over 50 ms seen by the Long Tasks API, and
// taps measured as the browser measures INP (Event Timing: input to the next paint).
//
//   node bench/phone.mjs [--rates 1,4,6] [--profiles 3] [--model 100k|demo] [--net] [--no-shop | --shop-only]
//
// Each of `--profiles` fresh browser profiles makes a first and a return visit (HTTP and code
// cache kept) of a page that does what API.md's "Loading" says: `await init()`, `Vitrine.load`
// of the page's `fetch` of the model, the first shelf, then taps whose handler calls `track`,
// then `recommend`, and renders 8 cards (home: `for_you`; product page: `similar`), then
// `free()`. Figures are medians over the profiles. `--net` adds a 4G-like network (9 Mbit/s,
// 40 ms) to the 6× run. Then the demo storefront (www/, `node www/serve.mjs`) at 6×: its long
// tasks at start and on each navigation, and vitrine's own time in them.
// The 100k model is bench/run.mjs's (`node bench/run.mjs --no-browser` writes it); `--model demo`
// uses www/generated/model.vtr (2,640 items).
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser/browser.mjs';
import { startServer } from '../www/serve.mjs';
import { catalogPath } from './builds.mjs';
import { median, busyWarning } from './suite.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const RATES = opt('--rates', '1,4,6').split(',').map(Number);
const PROFILES = +opt('--profiles', 3);
const MODEL = opt('--model', '100k');
const root = fileURLToPath(new URL('..', import.meta.url));
const modelUrl = MODEL === 'demo' ? '/www/generated/model.vtr' : `/.bench/${catalogPath(100_000, 64).split('/').pop()}`;
const ITEMS = MODEL === 'demo' ? null : 100_000;

// The page: nothing runs until Node asks, so the throttling is on before the module is imported.
const PAGE_JS = String.raw`
const longtasks = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) longtasks.push({ start: e.startTime, dur: e.duration }); })
  .observe({ type: 'longtask', buffered: true });
const events = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.interactionId) events.push({ name: e.name, id: e.interactionId, start: e.startTime, dur: e.duration, proc: e.processingEnd - e.processingStart, delay: e.processingStart - e.startTime }); })
  .observe({ type: 'event', durationThreshold: 16, buffered: true });
const now = () => performance.now();
const within = (a, b) => longtasks.filter((t) => t.start + t.dur > a && t.start < b).map((t) => +t.dur.toFixed(1));
let mod, v, ids;
const shelf = document.getElementById('shelf');
const render = (recs) => shelf.replaceChildren(...recs.map((r) => {
  const c = document.createElement('a');
  c.className = 'card';
  c.href = '#' + r.itemId;
  c.append(Object.assign(document.createElement('b'), { textContent: r.itemId }), Object.assign(document.createElement('span'), { textContent: r.reasons[0] ?? '' }));
  return c;
}));
let tap = null; // what the next click does; its call times land in lastTap
const lastTap = {};
document.getElementById('tap').addEventListener('click', () => {
  const t0 = now();
  const r1 = v.track('Product Viewed', { product_id: tap.id });
  const t1 = now();
  const recs = v.recommend(tap.scenario === 'similar' ? { scenario: 'similar', itemId: tap.id, k: 8 } : { scenario: 'for_you', k: 8 });
  const t2 = now();
  render(recs);
  const t3 = now();
  Object.assign(lastTap, { track: t1 - t0, recommend: t2 - t1, render: t3 - t2, handler: t3 - t0, accepted: r1.accepted, n: recs.length });
});
window.phone = {
  calibrate() { const t0 = now(); let x = 0; for (let i = 0; i < 2e7; i++) x = (x + i * 7) % 1000003; return { ms: now() - t0, x }; },
  async init() {
    const t0 = now();
    mod = await import('/pkg/vitrine.js');
    const t1 = now();
    await mod.default();
    const t2 = now();
    return { import: t1 - t0, init: t2 - t1, longtasks: within(t0, t2) };
  },
  async load(url) {
    const { Vitrine, ModelLoad } = mod;
    const pieces = [], steps = [];
    let open = 0, ctor = 0;
    const wrap = (o, k, rec) => { const f = o[k]; o[k] = function (...a) { const t = now(); try { return f.apply(this, a); } finally { rec(now() - t); } }; return () => { o[k] = f; }; };
    const undo = [wrap(ModelLoad.prototype, 'push', (d) => pieces.push(d)), wrap(ModelLoad.prototype, 'step', (d) => steps.push(d)), wrap(Vitrine, 'openLoaded', (d) => { open = d; })];
    // The loader's constructor (the instance opened at the call) is not a method: time the call up to its first await.
    const response = fetch(url);
    const t0 = now();
    const p = Vitrine.load({ model: response, consent: { personalization: true }, storage: 'memory' });
    ctor = now() - t0;
    v = await p;
    const t1 = now();
    undo.forEach((u) => u());
    const all = [ctor, ...pieces, ...steps, open];
    return { wall: t1 - t0, work: all.reduce((a, b) => a + b, 0), pieces: pieces.length, longestPiece: Math.max(...pieces), call: ctor,
      decode: steps[0], check: steps[1], build: steps[2], open, longest: Math.max(...all), longtasks: within(t0, t1) };
  },
  firstShelf() {
    const t0 = now();
    const recs = v.recommend({ scenario: 'for_you', k: 8 });
    const t1 = now();
    render(recs);
    ids = recs.map((r) => r.itemId);
    return { forYou: t1 - t0, longtasks: within(t0, now()) };
  },
  setTap(id, scenario) { tap = { id, scenario }; for (const k of Object.keys(lastTap)) delete lastTap[k]; return now(); },
  tapResult(since) { return { ...lastTap, events: events.filter((e) => e.start >= since && e.name === 'click').map((e) => ({ dur: e.dur, proc: e.proc, delay: e.delay })), longtasks: within(since, now()) }; },
  later() {
    const time = (f) => { const t = now(); f(); return now() - t; };
    const out = {};
    out.forYouAgain = time(() => v.recommend({ scenario: 'for_you', k: 8 }));
    const tracks = [];
    for (let i = 0; i < 40; i++) tracks.push(time(() => v.track('Product Viewed', { product_id: ids[i % ids.length] })));
    tracks.sort((a, b) => a - b);
    out.trackMedian = tracks[20];
    out.forYouAfterEvent = time(() => v.recommend({ scenario: 'for_you', k: 8 }));
    out.similarLater = time(() => v.recommend({ scenario: 'similar', itemId: ids[1], k: 8 }));
    return out;
  },
  free() { const t0 = now(); v.free(); v = null; return { free: now() - t0, longtasks: within(t0, now()) }; },
  async openBytes(url) {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const t0 = now();
    const w = mod.Vitrine.open({ model: bytes, consent: { personalization: true }, storage: 'memory' });
    const d = now() - t0;
    w.free();
    return { open: d, longtasks: within(t0, t0 + d + 1) };
  },
};
document.body.dataset.ready = 'true';
`;
const HTML = '<!doctype html><meta charset="utf-8"><title>phone</title><button id="tap">tap</button><div id="shelf"></div><script type="module" src="/phone.js"></script>';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };

function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path === '/phone.html') return res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
    if (path === '/phone.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(PAGE_JS);
    if (!['/pkg/', '/.bench/', '/www/generated/'].some((p) => path.startsWith(p)) || path.includes('..')) return res.writeHead(404).end();
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] || 'application/octet-stream', 'cache-control': 'max-age=3600' }).end(body);
    } catch { res.writeHead(404).end(); }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

async function throttle(page, rate, net) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  if (net) {
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: (9e6 / 8), uploadThroughput: (1.5e6 / 8) });
  }
  return cdp;
}

/** One visit of the test page in `context` at `rate`: every figure of one row. */
async function visit(context, base, rate, net) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/phone.html`);
  await page.waitForSelector('body[data-ready="true"]');
  await throttle(page, rate, net);
  const r = {};
  r.calibration = (await page.evaluate(() => window.phone.calibrate())).ms;
  const init = await page.evaluate(() => window.phone.init());
  Object.assign(r, { 'import glue': init.import, 'init()': init.init, 'init: long tasks': init.longtasks });
  const load = await page.evaluate((u) => window.phone.load(u), modelUrl);
  Object.assign(r, {
    'load: wall': load.wall, 'load: main-thread work': load.work, 'load: pieces': load.pieces, 'load: call (opens the instance)': load.call,
    'load: longest piece': load.longestPiece, 'load: decode': load.decode, 'load: check': load.check, 'load: build': load.build,
    'load: open': load.open, 'load: longest task': load.longest, 'load: long tasks': load.longtasks,
  });
  const first = await page.evaluate(() => window.phone.firstShelf());
  Object.assign(r, { 'first for_you (nothing known)': first.forYou, 'first shelf: long tasks': first.longtasks });
  await page.waitForTimeout(300);
  // Taps: three on the home page (track + for_you), then three on product pages (track + similar).
  const ids = ITEMS ? ['i101', 'i301', 'i501', 'i7', 'i207', 'i407'] : ['can-0001', 'can-0002', 'can-0003', 'mug-0001', 'mug-0002', 'mug-0003'];
  const taps = [];
  for (let k = 0; k < 6; k++) {
    const scenario = k < 3 ? 'for_you' : 'similar';
    const since = await page.evaluate(([id, s]) => window.phone.setTap(id, s), [ids[k], scenario]);
    await page.click('#tap');
    await page.waitForTimeout(250);
    taps.push(await page.evaluate((s) => window.phone.tapResult(s), since));
  }
  const tapRow = (t, name) => ({
    [`${name}: track`]: t.track, [`${name}: recommend`]: t.recommend, [`${name}: render`]: t.render, [`${name}: handler`]: t.handler,
    [`${name}: INP (event duration)`]: t.events[0]?.dur ?? 0, [`${name}: long tasks`]: t.longtasks,
  });
  Object.assign(r, tapRow(taps[0], 'tap 1 (for_you)'), tapRow(taps[2], 'tap 3 (for_you)'), tapRow(taps[3], 'tap 4 (first similar)'), tapRow(taps[5], 'tap 6 (similar)'));
  if (!taps.every((t) => t.accepted)) errors.push('a tap was not accepted');
  Object.assign(r, await page.evaluate(() => window.phone.later()));
  const free = await page.evaluate(() => window.phone.free());
  Object.assign(r, { 'free()': free.free });
  const opened = await page.evaluate((u) => window.phone.openBytes(u), modelUrl);
  Object.assign(r, { 'open(bytes), same page, later': opened.open });
  await page.close();
  if (errors.length) throw new Error(errors.join('; '));
  return r;
}

const fmt = (x) => (Array.isArray(x) ? (x.length ? x.join('+') : '—') : typeof x === 'number' ? (x < 0.1 ? x.toFixed(3) : x.toFixed(1)) : String(x));
/** Medians of numbers across runs; long-task lists: each run's list, runs separated by ' | '. */
function combine(runs) {
  const out = {};
  for (const k of Object.keys(runs[0])) {
    const xs = runs.map((r) => r[k]);
    out[k] = Array.isArray(xs[0]) ? xs.map(fmt).join(' | ') : fmt(median(xs));
  }
  return out;
}

async function syntheticPage() {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const columns = {};
  try {
    const plans = RATES.map((rate) => ({ rate, net: false }));
    if (args.includes('--net')) plans.push({ rate: 6, net: true });
    const results = new Map(plans.map((p) => [p, { first: [], ret: [] }]));
    // Profiles outermost, rates alternated inside, so a busy minute of the host spreads over all.
    for (let b = 0; b < PROFILES; b++) {
      for (const plan of plans) {
        const dir = mkdtempSync(join(tmpdir(), 'vitrine-phone-'));
        const context = await chromium.launchPersistentContext(dir, { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
        try {
          results.get(plan).first.push(await visit(context, base, plan.rate, plan.net));
          await new Promise((ok) => setTimeout(ok, 2000)); // the code cache written, as between page views
          results.get(plan).ret.push(await visit(context, base, plan.rate, plan.net));
        } finally {
          await context.close();
          rmSync(dir, { recursive: true, force: true });
        }
        process.stderr.write('.');
      }
    }
    for (const plan of plans) {
      const name = `${plan.rate}×${plan.net ? ' +4G' : ''}`;
      columns[`${name} first`] = combine(results.get(plan).first);
      columns[`${name} return`] = combine(results.get(plan).ret);
    }
  } finally {
    await new Promise((ok) => server.close(ok));
  }
  process.stderr.write('\n');
  console.log(`\nThe documented integration, ${MODEL === 'demo' ? 'demo model (2,640 items)' : '100,000 × 64 model (24.7 MB)'}: ms, medians over ${PROFILES} profiles; long tasks (> 50 ms) listed per profile`);
  printTable(columns);
}

function printTable(columns) {
  const names = Object.keys(columns);
  const rows = Object.keys(columns[names[0]]);
  const w0 = Math.max(...rows.map((r) => r.length));
  const widths = names.map((n) => Math.max(n.length, ...rows.map((r) => String(columns[n][r]).length)));
  console.log(['metric'.padEnd(w0), ...names.map((n, i) => n.padStart(widths[i]))].join('  '));
  for (const r of rows) console.log([r.padEnd(w0), ...names.map((n, i) => String(columns[n][r]).padStart(widths[i]))].join('  '));
}

/** The demo storefront at 6×: long tasks from navigation to ready, then on four navigations. */
async function storefront() {
  const server = await startServer({ port: 0 });
  const base = `http://127.0.0.1:${server.address().port}`;
  const runs = [];
  try {
    for (let b = 0; b < PROFILES; b++) {
      const dir = mkdtempSync(join(tmpdir(), 'vitrine-phone-shop-'));
      const context = await chromium.launchPersistentContext(dir, { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 412, height: 915 } });
      for (const visitKind of ['first', 'return']) {
        const page = await context.newPage();
        page.on('pageerror', (e) => console.error(`storefront: ${e.message}`));
        page.on('console', (m) => { if (m.type() === 'error') console.error(`storefront console: ${m.text()}`); });
        await page.addInitScript(() => {
          // vitrine's own time: every outermost call into its wasm module (the glue's only way in).
          window.__wasm = [];
          const instantiate = WebAssembly.instantiateStreaming;
          let depth = 0;
          WebAssembly.instantiateStreaming = async function (...a) {
            const r = await instantiate.apply(WebAssembly, a);
            const exports = {};
            for (const [k, f] of Object.entries(r.instance.exports)) {
              exports[k] = typeof f !== 'function' ? f : function (...x) {
                const t = performance.now();
                depth += 1;
                try { return f.apply(this, x); } finally { depth -= 1; if (!depth) window.__wasm.push({ start: t, dur: performance.now() - t, name: k }); }
              };
            }
            return { module: r.module, instance: { exports } };
          };
          window.__lt = [];
          new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push({ start: e.startTime, dur: e.duration }); }).observe({ type: 'longtask', buffered: true });
          window.__ev = [];
          new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.interactionId && e.name === 'click') window.__ev.push({ start: e.startTime, dur: e.duration }); }).observe({ type: 'event', durationThreshold: 16, buffered: true });
        });
        await throttle(page, 6, false);
        await page.goto(base);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
        const row = { visit: visitKind };
        const start = await page.evaluate(() => ({ ready: performance.now(), calib: (() => { const t0 = performance.now(); let x = 0; for (let i = 0; i < 2e7; i++) x = (x + i * 7) % 1000003; return performance.now() - t0; })() }));
        const lt = await page.evaluate(() => window.__lt.map((t) => ({ ...t })));
        row.calibration = start.calib;
        row['start → ready'] = start.ready;
        const wasm = await page.evaluate(() => window.__wasm.map((t) => ({ ...t })));
        const inTask = (t) => wasm.filter((w) => w.start >= t.start && w.start < t.start + t.dur).reduce((a, w) => a + w.dur, 0);
        row['start: long tasks (vitrine wasm)'] = lt.filter((t) => t.start < start.ready).map((t) => `${Math.round(t.dur)}(${Math.round(inTask(t))})`);
        row['start: vitrine wasm, all'] = wasm.filter((w) => w.start < start.ready).reduce((a, w) => a + w.dur, 0);
        const longest = wasm.filter((w) => w.start < start.ready).sort((a, b) => b.dur - a.dur).slice(0, 3);
        row['start: longest vitrine call'] = longest[0].dur;
        row['start: its export'] = longest.map((w) => `${w.name.replace(/^(vitrine|modelload)_/, '')}:${Math.round(w.dur)}`).join(',');
        // vitrine's own time from here on: the instance's methods timed.
        await page.evaluate(() => {
          const proto = Object.getPrototypeOf(window.vitrine);
          window.__vt = 0;
          for (const k of ['track', 'recommend', 'explainShelf', 'consent', 'profile', 'setConsent']) {
            const f = proto[k];
            proto[k] = function (...a) { const t = performance.now(); try { return f.apply(this, a); } finally { window.__vt += performance.now() - t; } };
          }
        });
        const nav = async (name, action, selector) => {
          const t0 = await page.evaluate(() => { window.__vt = 0; return performance.now(); });
          await action();
          await page.waitForSelector(selector);
          await page.waitForTimeout(300);
          const r = await page.evaluate((t0) => ({ vt: window.__vt, lt: window.__lt.filter((t) => t.start >= t0).map((t) => `${Math.round(t.dur)}(${Math.round(window.__wasm.filter((w) => w.start >= t.start && w.start < t.start + t.dur).reduce((a, w) => a + w.dur, 0))})`), ev: window.__ev.filter((e) => e.start >= t0).map((e) => e.dur) }), t0);
          row[`${name}: vitrine`] = r.vt;
          row[`${name}: INP`] = r.ev[0] ?? 0;
          row[`${name}: long tasks (vitrine wasm)`] = r.lt;
        };
        if (visitKind === 'first') await nav('accept consent', () => page.click('[data-consent="accept-all"]'), '[data-slot="for_you"] .card');
        await nav('category', () => page.click('#cats a[data-cat="Candles"]'), '.grid .card');
        const id = await page.$eval('.grid .card', (c) => c.dataset.itemId);
        await nav('product', () => page.click(`.grid .card[data-item-id="${id}"]`), `article.product[data-item-id="${id}"]`);
        const id2 = await page.$eval('[data-slot="similar"] .card', (c) => c.dataset.itemId);
        await nav('product via shelf', () => page.click(`[data-slot="similar"] .card[data-item-id="${id2}"]`), `article.product[data-item-id="${id2}"]`);
        await nav('home', () => page.click('a.logo'), '[data-slot="for_you"] .card');
        runs.push(row);
        await page.close();
        if (visitKind === 'return') {
          await context.close();
          rmSync(dir, { recursive: true, force: true });
        } else await new Promise((ok) => setTimeout(ok, 2000));
        process.stderr.write('.');
      }
    }
  } finally {
    await new Promise((ok) => server.close(ok));
  }
  process.stderr.write('\n');
  const columns = {};
  for (const kind of ['first', 'return']) columns[`6× ${kind}`] = combine(runs.filter((r) => r.visit === kind).map(({ visit: _, ...r }) => r));
  for (const k of Object.keys(columns['6× first'])) if (!(k in columns['6× return'])) columns['6× return'][k] = '';
  console.log(`\nThe demo storefront (www/, 2,640 items) at 6×, phone viewport: ms, medians over ${PROFILES} profiles; long tasks per profile`);
  printTable(columns);
}

const busy = await busyWarning();
if (busy) console.log(busy);
console.log(`Chromium ${(await (async () => { const b = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS }); const v = b.version(); await b.close(); return v; })())}; calibration = a fixed JS loop, ms (its ratio to 1× is the throttling achieved)`);
if (!args.includes('--shop-only')) await syntheticPage();
if (!args.includes('--no-shop')) await storefront();
