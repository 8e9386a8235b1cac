// Headless Debian Chromium driven by playwright-core, the demo server on a free port, and the
// checks every browser test shares: what a page requested, what it stored, what axe-core finds.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { resolve, startServer } from '../../www/serve.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  const server = await startServer({ port: 0 });
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * A page that records every request, every error and every CSP violation. `problems` must stay
 * empty in a good run.
 */
export async function newPage(browser, { context: existing } = {}) {
  const context = existing ?? await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), postData: r.postData(), headers: r.headers(), type: r.resourceType() }));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { context, page, requests, problems };
}

export const ready = (page) => page.waitForSelector('body[data-ready="true"]');

/** vitrine's keys in this page's localStorage. */
export function vitrineKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('vitrine:')));
}

/** The IndexedDB databases of this origin (vitrine uses none). */
export const indexedDbNames = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

/** Query parameters a test itself put in a page URL; nothing else may carry a query. */
const NAVIGATION_PARAMS = new Set(['utm_source', 'cmp']);
const ITEM_ID = /\b[a-z]{3}-\d{4}\b/;

/**
 * Every request is a same-origin GET of a file the static server has (a page, www/, pkg/ or a
 * vendor module), without a body or cookie, and nothing in its URL carries an item id or any
 * parameter but the ones the test navigated with.
 */
export function assertOnlyStaticRequests(requests, base) {
  assert.ok(requests.length > 0, 'requests were recorded');
  for (const r of requests) {
    const url = new URL(r.url);
    assert.equal(url.origin, base, `same origin: ${r.url}`);
    assert.equal(r.method, 'GET', `GET only: ${r.method} ${r.url}`);
    assert.equal(r.postData ?? null, null, `no body: ${r.url}`);
    assert.equal(r.headers.cookie, undefined, `no cookie: ${r.url}`);
    for (const key of url.searchParams.keys()) assert.ok(NAVIGATION_PARAMS.has(key), `no data in the query: ${r.url}`);
    if (r.type !== 'document') assert.equal(url.search, '', `sub-resources carry no query: ${r.url}`);
    assert.ok(!ITEM_ID.test(decodeURIComponent(url.pathname + url.search)), `no item id: ${r.url}`);
    const found = resolve(url.pathname);
    assert.ok(found && statSync(found.file, { throwIfNoEntry: false })?.isFile(), `a static file: ${url.pathname}`);
  }
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations (WCAG 2.1 A/AA and best practices) inside
 * `include`. axe is evaluated through the DevTools protocol, so the page's CSP is left as is.
 */
export async function axeViolations(page, include) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate(async (include) => window.axe.run({ include }, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }), include);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * An init script: a minimal CMP, as TCF v2.2's `__tcfapi` behaves for event listeners.
 * `window.__cmp.listeners` holds the callbacks; `window.__cmp.fire(status, tcString)` calls them.
 */
export function cmpStub() {
  const listeners = new Map();
  let next = 1;
  window.__cmp = { listeners, fire: (status, tcString) => listeners.forEach((cb, id) => cb({ eventStatus: status, tcString, listenerId: id, gdprApplies: true }, true)) };
  window.__tcfapi = (command, version, callback, parameter) => {
    if (command === 'addEventListener') {
      const id = next++;
      listeners.set(id, callback);
      callback({ eventStatus: 'cmpuishown', listenerId: id, gdprApplies: true }, true);
    } else if (command === 'removeEventListener') callback(listeners.delete(parameter));
  };
}

/**
 * Two tabs of one shopper on the demo at `path`, each ready; `first(a)` runs in the first before
 * the second opens. `problems()` gives both tabs' page errors so far.
 */
export async function twoTabs(env, path = '/', first = async () => {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const a = await newPage(env.browser, { context });
  await a.page.goto(`${env.base}${path}`);
  await ready(a.page);
  await first(a.page);
  const b = await newPage(env.browser, { context });
  await b.page.goto(`${env.base}${path}`);
  await ready(b.page);
  return { context, a: a.page, b: b.page, problems: () => [...a.problems, ...b.problems] };
}

/** A decision on the demo's own banner, opened from the footer: refuse all, or accept all. */
export const refuseIn = async (page) => { await page.click('#privacy-settings'); await page.click('[data-consent="reject-all"]'); };
export const acceptIn = async (page) => { await page.click('#privacy-settings'); await page.click('[data-consent="accept-all"]'); };
