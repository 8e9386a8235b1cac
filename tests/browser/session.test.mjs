// One shopper's whole session across the three pages, in one browser profile: every request is a
// same-origin GET of a static file that carries no item id or event data, every page is served
// with the Content-Security-Policy, and nothing on any page violates it (no inline script, no
// inline style, no connection beyond the module's .wasm and the model file).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertOnlyStaticRequests, launch, ready, vitrineKeys } from './browser.mjs';

const env = await launch();
test.after(() => env.close());
const www = fileURLToPath(new URL('../../www/', import.meta.url));

test('the pages carry no inline script, inline style or event-handler attribute', () => {
  const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'generated') return [];
    return e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)];
  });
  const all = files(www);
  for (const f of all.filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(f, 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\bsrc="\/[^"]+"/, `${f}: inline script ${tag}`);
    assert.doesNotMatch(html, /\sstyle\s*=|<style\b/i, `${f}: inline style`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${f}: event-handler attribute`);
    assert.doesNotMatch(html, /https?:\/\//, `${f}: an absolute URL (a CDN?)`);
  }
  for (const f of all.filter((f) => f.endsWith('.js'))) {
    const js = readFileSync(f, 'utf8');
    assert.doesNotMatch(js, /\.style\.|setAttribute\(\s*['"]style|style\s*=\s*["'`]/, `${f}: sets an inline style`);
    assert.doesNotMatch(js, /\beval\(|new Function\(/, `${f}: evaluates code`);
  }
});

test('a whole session on the three pages: static GETs only, the CSP on every page, no violation', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const requests = [];
  const documents = [];
  const problems = [];
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), postData: r.postData(), headers: r.headers(), type: r.resourceType() }));
  context.on('response', (r) => { if (r.request().resourceType() === 'document') documents.push({ url: r.url(), csp: r.headers()['content-security-policy'] }); });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => { (window.__violations ||= []).push(`${e.effectiveDirective} ${e.blockedURI}`); });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  const violations = async () => page.evaluate(() => window.__violations ?? []);

  // The shop: refuse, browse, then arrive from WhatsApp, accept, browse, buy, search.
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="reject-all"]');
  await page.click('#cats a[data-cat="Tea"]');
  await page.click('.grid .card');
  await page.waitForSelector('article.product');
  assert.deepEqual(await vitrineKeys(page), []);
  await page.goto(`${env.base}/?utm_source=whatsapp`);
  await ready(page);
  await page.click('#privacy-chip');
  await page.click('[data-consent="accept-all"]');
  await page.click('#cats a[data-cat="Candles"]');
  await page.click('.grid .card');
  await page.waitForSelector('article.product');
  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.click('.summary button.primary');
  await page.waitForSelector('.thanks');
  await page.fill('#search-input', 'linen');
  await page.press('#search-input', 'Enter');
  await page.waitForSelector('.grid .card');
  assert.deepEqual(await violations(page), []);
  const itemIds = await page.evaluate(() => window.vitrine.exportData().profile.items.map((i) => i.itemId));
  assert.ok(itemIds.length >= 1);

  // The TCF path, the console, the audit page.
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  assert.deepEqual(await violations(page), []);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.focus('#half-life');
  await page.keyboard.press('ArrowLeft');
  await page.selectOption('#route', 'tcf');
  await page.waitForFunction(() => document.querySelector('.column .source')?.textContent.includes('tcf'));
  await page.click('#export');
  await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.deepEqual(await violations(page), []);
  await page.goto(`${env.base}/audit`);
  await ready(page);
  await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  await page.click('#erase');
  assert.deepEqual(await vitrineKeys(page), []);
  assert.deepEqual(await violations(page), []);

  assertOnlyStaticRequests(requests, env.base);
  for (const r of requests) for (const id of itemIds) assert.ok(!r.url.includes(id), `${r.url} names ${id}`);
  const expected = `connect-src ${env.base}/pkg/vitrine_bg.wasm ${env.base}/pkg/vitrine_scalar_bg.wasm ${env.base}/generated/model.vtr;`;
  assert.ok(documents.length >= 5);
  for (const d of documents) {
    assert.ok(d.csp?.includes(expected), `CSP on ${d.url}: ${d.csp}`);
    assert.match(d.csp, /default-src 'none'; script-src 'self' 'wasm-unsafe-eval';/);
    assert.match(d.csp, /style-src 'self';/);
  }
  const fetched = requests.filter((r) => r.type === 'fetch').map((r) => new URL(r.url).pathname);
  assert.deepEqual([...new Set(fetched)].sort(), ['/generated/model.vtr', '/pkg/vitrine_bg.wasm'], 'fetch() reaches only the module and the model');
  assert.deepEqual(problems, []);
  await context.close();
});
