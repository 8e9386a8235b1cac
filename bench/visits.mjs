// What a storefront's visitors pay in Chromium, first visit and return visits: one browser profile
// (its HTTP cache and the code cache Chromium keeps with it), the same page loaded again and
// again, each load timing `init()`, `open`, 40 `track`s and the first shelves once
// (bench/visit.mjs). Chromium compiles a module's functions with its baseline compiler first and
// optimizes the ones that run long; it keeps the optimized code with the cached module, so a
// return visit can start with it.
//
//   node bench/visits.mjs [--visits 6] [--browsers 3] [--page home|product] [--load] [--quick]
//
// Each of `--browsers` fresh profiles makes `--visits` visits; each figure is the median over the
// profiles of that visit. On the 100k × 64 catalog of bench/run.mjs (write it first with
// `node bench/run.mjs --no-browser`); `--quick` (what `make test` runs) on its 2,000 × 16 catalog,
// one profile, three visits. `--page product` asks for `similar` first, as a product page does.
// `--load` opens with `Vitrine.load` reading the fetch as it arrives (bench/suite.mjs timedLoad).
// Not part of `make bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser/browser.mjs';
import { serve } from './browser.mjs';
import { catalogPath } from './builds.mjs';
import { median, busyWarning, pageFlag } from './suite.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name, fallback) => (args.includes(name) ? +args[args.indexOf(name) + 1] : fallback);
const visits = flag('--visits', quick ? 3 : 6);
const browsers = flag('--browsers', quick ? 1 : 3);
if (!(Number.isInteger(visits) && visits >= 1 && Number.isInteger(browsers) && browsers >= 1)) {
  throw new Error('visits: --visits and --browsers take whole numbers from 1');
}
const page = pageFlag(args);
const load = args.includes('--load');
const [n, dims] = quick ? [2000, 16] : [100_000, 64];
const model = basename(catalogPath(n, dims));

const busy = quick ? null : await busyWarning();
const server = await serve();
const runs = Array.from({ length: visits }, () => []);
try {
  for (let b = 0; b < browsers; b++) {
    const profile = mkdtempSync(join(tmpdir(), 'vitrine-visits-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    try {
      const tab = await context.newPage();
      for (let k = 0; k < visits; k++) {
        const q = new URLSearchParams({ model, items: String(n), page, ...(load ? { load: '' } : {}) });
        await tab.goto(`http://127.0.0.1:${server.address().port}/bench/visit.html?${q}`);
        await tab.waitForFunction(() => window.visit, null, { timeout: 120_000 });
        const out = await tab.evaluate(() => window.visit);
        if (out.error) throw new Error(`in Chromium: ${out.error}`);
        runs[k].push(out);
        // Time for the browser to write the code cache, as between a visitor's page views.
        await tab.waitForTimeout(quick ? 200 : 2000);
      }
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
} finally {
  await new Promise((ok) => server.close(ok));
}
console.log(`visits in Chromium, ${page} page, ${n} × ${dims}: medians over ${browsers} browser profiles (ms)`);
if (busy) console.log(busy);
const rows = runs.map((r) => Object.fromEntries(Object.keys(r[0]).map((k) => [k, +median(r.map((x) => x[k])).toFixed(2)])));
console.table(Object.fromEntries(rows.map((r, k) => [`visit ${k + 1}`, r])));
// The spread: whether a visit started with optimized code differs between profiles.
const each = (key) => runs.map((r) => r.map((x) => x[key].toFixed(1)).join('/')).join('  ');
const first = page === 'home' ? 'first for_you' : 'first similar';
console.log(`${first}, visit by visit (each profile): ${each(first)}`);
