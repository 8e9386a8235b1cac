// The environments real pages run vitrine in, beyond a plain same-origin page: a module Web
// Worker (no window, document or localStorage), a sandboxed iframe without allow-same-origin (its
// localStorage getter throws SecurityError), a localStorage really full, a strict CSP with Trusted
// Types required, two instances on one page (other namespaces, and the same one twice), and Node
// without `window`. Each is what docs/API.md (Loading, Open) and docs/RELIABILITY.md (Storage
// faults) say. A server of its own, since some pages need their own headers (CSP, CORS).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, newPage } from './browser.mjs';

const root = new URL('../../', import.meta.url);
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

// The probe every environment runs: open, track, a shelf, listenTcf and audit, as plain data.
const PROBE = `
export const catalog = Array.from({ length: 20 }, (_, i) => ({ id: 'p' + i, category: ['Candles', 'Mugs'][i % 2], price: 5 + i, popularity: 20 - i }));
export async function probe(storage) {
  const m = await import('/pkg/vitrine.js');
  await m.default();
  const v = m.Vitrine.open({ catalog, storage, consent: { personalization: true, storage: true } });
  const out = {
    tracked: v.track('Product Viewed', { product_id: 'p1' }).accepted,
    shelf: v.recommend({ scenario: 'similar', itemId: 'p1', k: 3 }).length,
    cmp: m.Vitrine.listenTcf(v),
  };
  const a = v.audit();
  out.backend = a.storage.backend;
  out.persistent = a.storage.persistent;
  out.errors = a.history.filter((e) => e.type === 'storageError').map((e) => e.message);
  v.free();
  return out;
}`;

const FILES = {
  '/probe.js': PROBE,
  '/page.html': '<!doctype html><title>environments</title>',
  '/worker.js': `import { probe } from '/probe.js';
    self.onmessage = async ({ data }) => {
      if (data.gpc) Object.defineProperty(WorkerNavigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });
      try {
        const out = await probe(data.storage);
        const { Vitrine } = await import('/pkg/vitrine.js');
        const v = Vitrine.open({ catalog: [{ id: 'a' }], storage: 'memory', consent: { googleConsentMode: { personalization_storage: 'granted' } } });
        out.gpc = v.audit().gpc;
        out.consent = v.consent().source + ':' + v.consent().personalization;
        v.free();
        self.postMessage(out);
      } catch (e) { self.postMessage({ threw: String(e) }); }
    };`,
  '/frame.html': `<!doctype html><script type="module">
    import { probe } from '/probe.js';
    try { parent.postMessage({ local: await probe('local'), byDefault: await probe(undefined) }, '*'); }
    catch (e) { parent.postMessage({ threw: String(e) }, '*'); }
    </script>`,
  '/strict.html': '<!doctype html><script type="module" src="/strict.js"></script>',
  '/strict.js': `import { probe } from '/probe.js';
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective));
    try {
      const out = await probe('local');
      const { Vitrine } = await import('/pkg/vitrine.js');
      // Vitrine.load reads a stream the page fetched (here a file that is no model: it says so).
      out.load = await Vitrine.load({ model: fetch('/pkg/vitrine_bg.wasm') }).then((v) => v.free(), (e) => e.message);
      window.out = out;
    } catch (e) { window.out = { threw: String(e) }; }`,
};

let server;
let browser;
let base;
test.before(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    // Every file may be read from an opaque origin (a sandboxed frame), as a CDN serves a package.
    const headers = { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' };
    if (path === '/strict.html') {
      headers['Content-Security-Policy'] = `${CSP}; require-trusted-types-for 'script'; trusted-types 'none'`;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204, headers).end();
      return;
    }
    let body = FILES[path];
    if (body === undefined && /^\/pkg\/[\w./-]+$/.test(path) && !path.includes('..')) {
      try {
        body = readFileSync(new URL(`.${path}`, root));
      } catch {}
    }
    if (body === undefined) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});
test.after(async () => {
  await browser?.close();
  await new Promise((ok) => server.close(ok));
});

async function open(path = '/page.html') {
  const tab = await newPage(browser);
  await tab.page.goto(base + path);
  return tab;
}

async function done({ context, problems }) {
  assert.deepEqual(problems, []);
  await context.close();
}

const LOCAL = { tracked: true, shelf: 3, cmp: false };

test('a module Web Worker: memory works; storage "local" falls back to memory and says so; GPC is read', async () => {
  const tab = await open();
  const run = (data) => tab.page.evaluate((data) => new Promise((ok) => {
    const w = new Worker('/worker.js', { type: 'module' });
    w.onmessage = ({ data }) => { w.terminate(); ok(data); };
    w.onerror = (e) => ok({ workerError: e.message });
    w.postMessage(data);
  }), data);
  const memory = await run({ storage: 'memory' });
  assert.deepEqual(memory, { ...LOCAL, backend: 'memory', persistent: false, errors: [], gpc: false, consent: 'googleConsentMode:true' });
  const local = await run({ storage: 'local' });
  assert.deepEqual(local.errors, ['localStorage is not available here; using memory']);
  assert.equal(local.backend, 'memory');
  assert.equal(local.persistent, false, 'audit() does not claim anything outlives the worker');
  assert.equal(local.tracked, true);
  const byDefault = await run({ storage: undefined });
  assert.deepEqual([byDefault.backend, byDefault.errors], ['memory', []], "the default is 'local' only where localStorage exists");
  const gpc = await run({ storage: 'memory', gpc: true });
  assert.deepEqual([gpc.gpc, gpc.consent], [true, 'gpc:false'], "a worker's navigator.globalPrivacyControl is honoured");
  await done(tab);
});

test('a sandboxed iframe without allow-same-origin: localStorage throws, vitrine works in memory and says so', async () => {
  const tab = await open();
  const out = await tab.page.evaluate((src) => new Promise((ok) => {
    addEventListener('message', (e) => ok(e.data), { once: true });
    const f = document.createElement('iframe');
    f.sandbox = 'allow-scripts';
    f.src = src;
    document.body.append(f);
  }), `${base}/frame.html`);
  for (const r of [out.local, out.byDefault]) {
    assert.deepEqual(r, { ...LOCAL, backend: 'memory', persistent: false, errors: ['localStorage is disabled; using memory'] }, JSON.stringify(out));
  }
  await done(tab);
});

test('a strict CSP with Trusted Types required: init, open and load run without a violation', async () => {
  const tab = await open('/strict.html');
  await tab.page.waitForFunction(() => window.out !== undefined);
  const { out, violations } = await tab.page.evaluate(() => ({ out: window.out, violations: window.violations }));
  assert.deepEqual(out, { ...LOCAL, backend: 'local', persistent: true, errors: [], load: 'model: not a usable model file: it does not start with the vitrine model signature' });
  assert.deepEqual(violations, []);
  await done(tab);
});

test('a localStorage really full (not a stubbed setItem): events kept in memory, reported once, stored once there is room', async () => {
  const tab = await open();
  const out = await tab.page.evaluate(async () => {
    const { default: init, Vitrine } = await import('/pkg/vitrine.js');
    await init();
    const { catalog } = await import('/probe.js');
    let n = 0;
    for (let size = 1 << 20; size >= 1; size >>= 1) {
      const chunk = 'x'.repeat(size);
      try {
        for (;; n++) localStorage.setItem(`fill${n}`, chunk);
      } catch {}
    }
    const v = Vitrine.open({ namespace: 'full', catalog, consent: { personalization: true, storage: true } });
    const accepted = [0, 1, 2, 3, 4].map((i) => v.track('Product Viewed', { product_id: `p${i}` }).accepted);
    const a = v.audit();
    const r = { accepted, keys: a.storage.keys, persistent: a.storage.persistent, errors: a.history.filter((e) => e.type === 'storageError').map((e) => e.message) };
    for (let i = 0; i < n; i++) localStorage.removeItem(`fill${i}`);
    r.afterRoom = v.track('Product Viewed', { product_id: 'p5' }).accepted;
    r.persistentAfterRoom = v.audit().storage.persistent;
    v.free();
    const next = Vitrine.open({ namespace: 'full', catalog });
    r.next = { source: next.consent().source, events: next.profile()?.events };
    next.erase();
    next.free();
    return r;
  });
  assert.deepEqual(out, {
    accepted: [true, true, true, true, true],
    keys: [],
    persistent: false,
    errors: ['localStorage is full (quota exceeded)'],
    afterRoom: true,
    persistentAfterRoom: true,
    next: { source: 'stored', events: 6 },
  });
  await done(tab);
});

test('two instances on one page: other namespaces are isolated; the same namespace twice shares one profile, as two tabs do', async () => {
  const tab = await open();
  const out = await tab.page.evaluate(async () => {
    const { default: init, Vitrine } = await import('/pkg/vitrine.js');
    await init();
    const { catalog } = await import('/probe.js');
    const consent = { personalization: true, storage: true };
    const keys = () => Object.keys(localStorage).sort();
    const a = Vitrine.open({ namespace: 'a', catalog, consent });
    const b = Vitrine.open({ namespace: 'b', catalog, consent });
    a.track('Product Viewed', { product_id: 'p1' });
    b.track('Product Viewed', { product_id: 'p2' });
    b.track('Product Viewed', { product_id: 'p3' });
    await new Promise((ok) => setTimeout(ok, 250)); // the write interval
    const r = { events: [a.profile().events, b.profile().events], keys: keys() };
    b.erase();
    r.afterErase = { keys: keys(), a: a.profile()?.events, source: a.consent().source };
    a.erase();
    a.free();
    b.free();

    // The same namespace twice (a page's tracking code and a shelf widget, each with its own).
    const x = Vitrine.open({ catalog, consent });
    const y = Vitrine.open({ catalog, consent });
    x.track('Product Viewed', { product_id: 'p1' });
    x.track('Product Viewed', { product_id: 'p3' });
    await new Promise((ok) => setTimeout(ok, 250));
    r.shared = { x: x.profile().events, y: y.profile().events };
    x.erase();
    r.erased = { y: y.profile(), source: y.consent().source, shelf: y.recommend({ scenario: 'for_you', k: 3 }).length };
    x.free();
    y.free();
    r.left = keys();
    return r;
  });
  assert.deepEqual(out.events, [1, 2]);
  assert.deepEqual(out.keys, ['a:consent', 'a:profile', 'b:consent', 'b:profile']);
  assert.deepEqual(out.afterErase, { keys: ['a:consent', 'a:profile'], a: 1, source: 'explicit' }, "one namespace's erase() leaves the other alone");
  assert.deepEqual(out.shared, { x: 2, y: 2 }, "the other instance of the namespace takes over what one wrote, as another tab would");
  assert.deepEqual(out.erased, { y: null, source: 'default', shelf: 3 }, "and follows its erase() at once: nothing personal stays in it");
  assert.deepEqual(out.left, []);
  await done(tab);
});

test('Node without window: `await init()` says to use initSync; initSync works; storage "local" falls back to memory', async () => {
  const pkg = new URL('pkg/vitrine.js', root).href;
  const m = await import(pkg);
  await assert.rejects(m.default(), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^vitrine: .*initSync\(\{ module: bytes \}\).*fs\.readFileSync\(/, e.message);
    return true;
  });
  // A bundled server render (Next.js) fetches a path of the site: the same advice, not "Failed to parse URL".
  await assert.rejects(m.default('/_next/static/media/vitrine_bg.3fr4q.wasm'), (e) => {
    assert.match(e.message, /^vitrine: .*which a server cannot \(Failed to parse URL.*bundled server render \(Next\.js\).*useEffect/, e.message);
    return true;
  });
  m.initSync({ module: readFileSync(new URL('pkg/vitrine_bg.wasm', root)) });
  const { catalog } = await import(`data:text/javascript,${encodeURIComponent(PROBE.replace(/export async function[\s\S]*/, ''))}`);
  for (const [storage, errors] of [['local', ['localStorage is not available here; using memory']], ['memory', []], [undefined, []]]) {
    const v = m.Vitrine.open({ catalog, storage, consent: { personalization: true, storage: true } });
    assert.equal(v.track('Product Viewed', { product_id: 'p1' }).accepted, true);
    const a = v.audit();
    assert.deepEqual([a.storage.backend, a.storage.persistent], ['memory', false]);
    assert.deepEqual(a.history.filter((e) => e.type === 'storageError').map((e) => e.message), errors);
    assert.equal(m.Vitrine.listenTcf(v), false);
    v.free();
  }
});
