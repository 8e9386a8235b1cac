// Runs bench/suite.mjs once in headless Debian Chromium: a local static server for the package,
// the bench files and the peers in node_modules; nothing is fetched from anywhere else.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser/browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const ALLOWED = ['/pkg/', '/bench/', '/.bench/', '/node_modules/@tensorflow/', '/node_modules/@orama/', '/node_modules/voy-search/'];

/** The static server of the browser runs (also bench/visits.mjs). Files may be cached for an
 * hour: the code cache Chromium keeps of a compiled module belongs to the module's HTTP cache
 * entry, so a page visited again starts with it, as on a storefront. */
export function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!ALLOWED.some((p) => path.startsWith(p)) || path.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, {
        'content-type': TYPES[extname(path)] || 'application/octet-stream',
        'cache-control': 'max-age=3600',
      }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

export async function runInBrowser({ file, reps, quick }) {
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const q = new URLSearchParams({ model: basename(file), reps: String(reps) });
    if (quick) q.set('quick', '1');
    await page.goto(`http://127.0.0.1:${server.address().port}/bench/page.html?${q}`);
    await page.waitForFunction(() => window.benchResult, null, { timeout: 30 * 60_000, polling: 500 });
    const out = await page.evaluate(() => window.benchResult);
    if (out.error) throw new Error(`in Chromium: ${out.error}`);
    if (errors.length) throw new Error(`in Chromium: ${errors.join('; ')}`);
    return { ...out, version: browser.version() };
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
}
