// A storefront built with a bundler: a fresh app with vitrine installed from the packed package
// (what `npm install vitrine` puts in node_modules), in Vite's dev server and its production
// build, and in a webpack 5 production build (what Next.js and most older storefronts bundle
// with), each without configuration, loaded in Chromium. The loader must name each .wasm file in
// its own literal `new URL('…', import.meta.url)`, or a production build emits no wasm and
// fetches a missing file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createServer as httpServer } from 'node:http';
import { build, createServer, preview } from 'vite';
import webpack from 'webpack';
import { CHROMIUM_ARGS } from './browser.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

const MAIN = `
import init, { Vitrine } from 'vitrine';
const out = document.getElementById('out');
try {
  await init();
  const v = Vitrine.open({
    catalog: [
      { id: 'mug-1', title: 'Blue mug', category: 'mugs' },
      { id: 'mug-2', title: 'Red mug', category: 'mugs' },
      { id: 'lamp-1', title: 'Desk lamp', category: 'lamps' },
    ],
    consent: { personalization: true },
  });
  const tracked = v.track('Product Viewed', { product_id: 'mug-1' });
  const shelf = v.recommend({ scenario: 'similar', itemId: 'mug-1', k: 2 }).map((r) => r.itemId);
  out.textContent = JSON.stringify({ tracked, shelf });
} catch (e) {
  out.textContent = JSON.stringify({ error: String(e) });
}
document.body.dataset.ready = 'true';
`;

/** A Vite app in a temporary directory with the packed package unpacked in node_modules. */
function app() {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-vite-'));
  const tarball = execFileSync('npm', ['pack', join(root, 'pkg'), '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  const into = join(dir, 'node_modules', 'vitrine');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['xzf', join(dir, tarball), '-C', into, '--strip-components=1']);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>shop</title><p id="out"></p><script type="module" src="/main.js"></script>\n');
  writeFileSync(join(dir, 'main.js'), MAIN);
  return dir;
}

/** Loads `url` in Chromium: what the page printed, and every request that failed. */
async function visit(url) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const failed = [];
    const wasm = [];
    const errors = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${r.url()}`);
      if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    return { out: JSON.parse(await page.textContent('#out')), failed, wasm, errors };
  } finally {
    await browser.close();
  }
}

function works(r) {
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.failed, []);
  assert.equal(r.out.error, undefined, r.out.error);
  assert.deepEqual(r.out.tracked, { accepted: true });
  assert.deepEqual(r.out.shelf, ['mug-2', 'lamp-1']);
}

const config = (dir) => ({ root: dir, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 }, preview: { host: '127.0.0.1', port: 0 } });

test('a Vite production build emits the wasm and runs it', async (t) => {
  const dir = app();
  try {
    await build(config(dir));
    const assets = readdirSync(join(dir, 'dist', 'assets'));
    assert.ok(assets.some((f) => /^vitrine_bg-.*\.wasm$/.test(f)), `no SIMD wasm in ${assets}`);
    assert.ok(assets.some((f) => /^vitrine_scalar_bg-.*\.wasm$/.test(f)), `no scalar wasm in ${assets}`);
    const server = await preview(config(dir));
    try {
      const r = await visit(`http://127.0.0.1:${server.httpServer.address().port}/`);
      works(r);
      assert.equal(r.wasm.length, 1, 'one wasm file fetched');
      assert.match(r.wasm[0], /^\/assets\/vitrine_bg-.*\.wasm$/, 'the SIMD build, from the bundle');
    } finally {
      await new Promise((ok) => server.httpServer.close(ok));
    }
    // What a storefront's production build ships, minified by Vite (docs/BENCHMARKS.md).
    const gz = (f) => gzipSync(readFileSync(join(dir, 'dist', 'assets', f)), { level: 9 }).length;
    const js = assets.filter((f) => f.endsWith('.js')).reduce((s, f) => s + gz(f), 0);
    t.diagnostic(`Vite build, gzip -9: ${js} B JavaScript (glue + this page), ${gz(assets.find((f) => f.startsWith('vitrine_bg-')))} B SIMD wasm`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Vite's dev server serves the package as installed, wasm included", async () => {
  const dir = app();
  const server = await createServer(config(dir));
  try {
    await server.listen();
    const r = await visit(`http://127.0.0.1:${server.httpServer.address().port}/`);
    works(r);
    assert.equal(r.wasm.length, 1, 'one wasm file fetched');
    assert.match(r.wasm[0], /vitrine_bg\.wasm$/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a webpack 5 production build, without configuration, emits the wasm and runs it', async () => {
  const dir = app();
  try {
    const stats = await new Promise((ok, fail) => webpack({
      mode: 'production',
      context: dir,
      entry: './main.js',
      output: { path: join(dir, 'dist'), filename: 'main.js', publicPath: '/' },
      performance: { hints: false },
      infrastructureLogging: { level: 'error' },
    }, (e, s) => (e ? fail(e) : ok(s))));
    assert.deepEqual(stats.compilation.errors.map(String), []);
    const emitted = readdirSync(join(dir, 'dist'));
    assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 2, `both builds emitted: ${emitted}`);
    writeFileSync(join(dir, 'dist', 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('type="module" ', ''));
    const types = { html: 'text/html', js: 'text/javascript', wasm: 'application/wasm' };
    const server = httpServer((req, res) => {
      const file = join(dir, 'dist', req.url === '/' ? 'index.html' : req.url.slice(1));
      try {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': types[file.split('.').pop()] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const r = await visit(`http://127.0.0.1:${server.address().port}/`);
      works(r);
      assert.equal(r.wasm.length, 1, 'one wasm file fetched');
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
