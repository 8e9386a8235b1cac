// docs/API.md's Next.js and React claims, kept true: a fresh Next.js App Router app with vitrine
// installed from the packed package (what `npm install vitrine` puts in node_modules), built with
// `next build` (Turbopack, Next's default) and `next build --webpack`, served by `next start` and
// loaded in Chromium. Its client page is API.md's React snippet as written (init and open in an
// effect, the cancel flag, free in the cleanup); its server page is API.md's server recipe
// (`initSync` with the .wasm read from `process.cwd()`), rendered on each request. next, react and
// react-dom are the repo's devDependencies, linked into the app's node_modules (Turbopack then
// needs its root set above both the app and the repo, or it cannot find next). Production builds
// only: StrictMode's double mount (`next dev`) is not exercised here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './browser.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NEXT = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

const CATALOG = `[
  { id: 'candle-amber', title: 'Amber candle', category: 'candles', brand: 'Lumen', popularity: 40 },
  { id: 'candle-fig', title: 'Fig candle', category: 'candles', brand: 'Lumen', popularity: 25 },
  { id: 'mug-stone', title: 'Stoneware mug', category: 'mugs', brand: 'Kiln', popularity: 60 },
  { id: 'napkin-linen', title: 'Linen napkin', category: 'textiles', brand: 'Flax', popularity: 30 },
]`;
// What the same package answers in Node for the same calls: a shopper who viewed the amber
// candle, and a catalog-only shop's trending shelf; the pages must show exactly that.
const { FOR_YOU, TRENDING } = await (async () => {
  const m = await import(new URL('pkg/vitrine.js', `file://${root}/`).href);
  m.initSync({ module: readFileSync(join(root, 'pkg', 'vitrine_bg.wasm')) });
  const catalog = new Function(`return ${CATALOG}`)();
  const ids = (shelf) => shelf.map((r) => r.itemId);
  const shopper = m.Vitrine.open({ catalog, consent: { personalization: true }, storage: 'memory' });
  shopper.track('Product Viewed', { product_id: 'candle-amber' });
  const forYou = ids(shopper.recommend({ scenario: 'for_you' }));
  shopper.free();
  const shop = m.Vitrine.open({ catalog, storage: 'memory' });
  const trending = ids(shop.recommend({ scenario: 'trending' }));
  shop.free();
  assert.equal(forYou.length, 4);
  assert.equal(trending.length, 4);
  return { FOR_YOU: forYou, TRENDING: trending };
})();

const FILES = {
  'package.json': JSON.stringify({ name: 'shop', private: true }),
  // Two builds of one app side by side; the repo's node_modules sit outside the app, so
  // Turbopack's root and the file tracing root are set above both.
  'next.config.mjs': (top) => `export default {
  distDir: process.env.SHOP_DIST || '.next',
  turbopack: { root: ${JSON.stringify(top)} },
  outputFileTracingRoot: ${JSON.stringify(top)},
};
`,
  'app/layout.jsx': `export const metadata = { title: 'shop' };
export default function RootLayout({ children }) {
  return <html lang="en"><body>{children}</body></html>;
}
`,
  'app/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>\n',
  // API.md's React snippet as written.
  'app/client/page.jsx': `'use client';
import { useEffect, useState } from 'react';
import init, { Vitrine } from 'vitrine';

const catalog = ${CATALOG};
const consent = { personalization: true };

export default function Page() {
  const id = 'candle-amber';
  const [shelf, setShelf] = useState(null);
  useEffect(() => {
    let cancelled = false;
    let v;
    init().then(() => {
      if (cancelled) return;
      v = Vitrine.open({ catalog, consent });
      v.track('Product Viewed', { product_id: id });
      setShelf(v.recommend({ scenario: 'for_you' }));
    });
    return () => { cancelled = true; v?.free(); };
  }, [id]);
  if (!shelf) return <p id="loading">loading</p>;
  return <ul id="shelf" data-ready="true">{shelf.map((r) => <li key={r.itemId}>{r.itemId}</li>)}</ul>;
}
`,
  // API.md's server recipe, rendered on each request (not prerendered at build time).
  'app/server/page.jsx': `import fs from 'node:fs';
import path from 'node:path';
import { initSync, Vitrine } from 'vitrine';

export const dynamic = 'force-dynamic';
const catalog = ${CATALOG};

export default function Page() {
  initSync({ module: fs.readFileSync(path.join(process.cwd(), 'node_modules/vitrine/vitrine_bg.wasm')) });
  const v = Vitrine.open({ catalog, storage: 'memory' });
  const shelf = v.recommend({ scenario: 'trending' });
  v.free();
  return <ul id="shelf">{shelf.map((r) => <li key={r.itemId}>{r.itemId}</li>)}</ul>;
}
`,
};

/** The deepest folder above both `a` and `b`. */
function common(a, b) {
  const x = a.split('/');
  const y = b.split('/');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(0, i).join('/') || '/';
}

/** A Next.js app in a temporary directory: the packed vitrine unpacked, next and React linked. */
function app() {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-next-'));
  const tarball = execFileSync('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  const into = join(dir, 'node_modules', 'vitrine');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['xzf', join(dir, tarball), '-C', into, '--strip-components=1']);
  rmSync(join(dir, tarball));
  for (const name of ['next', 'react', 'react-dom']) symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  for (const [file, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), typeof text === 'function' ? text(common(dir, root)) : text);
  }
  return dir;
}

/** Runs `next …args` in `dir`; its output, or a failure that carries it. */
function next(dir, args, dist) {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [NEXT, ...args], { cwd: dir, env: { ...ENV, SHOP_DIST: dist }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`next ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.on('error', fail);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});

/** `next start` on a free port, once it answers; `stop()` ends its process group. */
async function start(dir, dist) {
  const port = await freePort();
  const child = spawn(process.execPath, [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir, env: { ...ENV, SHOP_DIST: dist }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((ok) => child.on('exit', ok));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch {}
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} }, 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}:\n${out}`);
      try {
        await fetch(`${base}/`);
        break;
      } catch {
        if (i > 300) throw new Error(`next start did not answer:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, stop, output: () => out };
}

/** The client page in Chromium: the shelf it rendered, its errors and its .wasm responses. */
async function visit(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    const failed = [];
    const wasm = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      if (new URL(r.url()).pathname.endsWith('.wasm')) wasm.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] });
    });
    await page.goto(url);
    await page.waitForSelector('#shelf[data-ready="true"]', { timeout: 60_000 }).catch((e) => {
      throw new Error(`${e.message}\nerrors: ${errors.join('\n')}`);
    });
    const shelf = await page.$$eval('#shelf li', (lis) => lis.map((li) => li.textContent));
    return { shelf, errors, failed, wasm };
  } finally {
    await context.close();
  }
}

async function check(t, dir, dist) {
  const server = await start(dir, dist);
  try {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    try {
      const r = await visit(browser, `${server.base}/client`);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.failed, []);
      assert.deepEqual(r.shelf, FOR_YOU);
      assert.equal(r.wasm.length, 1, `one wasm file fetched: ${JSON.stringify(r.wasm)}`);
      assert.equal(r.wasm[0].status, 200);
      assert.match(r.wasm[0].path, /^\/_next\/static\/.*vitrine_bg.*\.wasm$/, 'the SIMD build, from the bundle');
      t.diagnostic(`client page: ${r.wasm[0].path} (${r.wasm[0].type})`);
    } finally {
      await browser.close();
    }
    const res = await fetch(`${server.base}/server`);
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 2000));
    const shelf = html.match(/<ul id="shelf">(.*?)<\/ul>/)?.[1];
    assert.ok(shelf, `a server-rendered shelf in ${html.slice(0, 2000)}`);
    assert.deepEqual([...shelf.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]), TRENDING);
  } catch (e) {
    e.message += `\nnext start said:\n${server.output()}`;
    throw e;
  } finally {
    await server.stop();
  }
}

test('Next.js (App Router): client page in an effect and server page with initSync, under Turbopack and webpack', async (t) => {
  const dir = app();
  try {
    for (const [name, args, dist] of [['Turbopack', [], '.next'], ['webpack', ['--webpack'], '.next-webpack']]) {
      await t.test(`next build${args.length ? ` ${args.join(' ')}` : ''} (${name}), next start`, async (t) => {
        const began = Date.now();
        await next(dir, ['build', ...args], dist);
        t.diagnostic(`${name} build: ${((Date.now() - began) / 1000).toFixed(1)} s`);
        await check(t, dir, dist);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
