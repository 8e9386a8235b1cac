// The demo storefront in real Chromium: consent refused, then given; the shelf follows the
// shopper; the profile survives a reload; withdrawal empties storage; nothing but static files
// is ever requested.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, vitrineKeys } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

async function ready(page) {
  await page.waitForSelector('body[data-ready="true"]');
}

async function browseCandles(page, n) {
  await page.click('#cats a[data-cat="Candles"]');
  await page.waitForSelector('.grid .card');
  const ids = await page.$$eval('.grid .card', (cards) => cards.map((c) => c.dataset.itemId));
  for (const id of ids.slice(0, n)) {
    await page.goto(`${env.base}/#/p/${id}`);
    await page.waitForSelector(`article.product[data-item-id="${id}"]`);
  }
  await page.goto(`${env.base}/#/`);
  await page.waitForSelector('[data-slot="for_you"] .card');
}

function forYouCategories(page) {
  return page.$$eval('[data-slot="for_you"] .card', (cards) => cards.map((c) => c.dataset.category));
}

test('refused consent: the shop works, nothing personal is kept or sent', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  assert.equal(await page.isVisible('[data-consent="reject-all"]'), true);
  await page.click('[data-consent="reject-all"]');
  await browseCandles(page, 3);
  assert.equal((await page.$$('[data-slot="for_you"] .card')).length, 8, 'popular items still shown');
  assert.deepEqual(await vitrineKeys(page), []);
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);
  assert.equal(await page.evaluate(async () => (await indexedDB.databases()).length), 0, 'no IndexedDB');
  for (const r of requests) {
    assert.equal(r.method, 'GET', r.url);
    assert.ok(r.url.startsWith(env.base + '/'), `same origin: ${r.url}`);
    assert.ok(!/[?&]/.test(new URL(r.url).search) || r.url.includes('utm_'), `no query data: ${r.url}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('accepted consent: the for_you shelf turns to candles, survives a reload, withdrawal empties storage', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  const response = await page.goto(env.base);
  assert.match(response.headers()['content-security-policy'], /connect-src http:\/\/127\.0\.0\.1:\d+\/pkg\/vitrine_bg\.wasm/);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  const before = await forYouCategories(page);
  await browseCandles(page, 4);
  const after = await forYouCategories(page);
  const candles = after.filter((c) => c === 'Candles').length;
  assert.ok(candles >= 6, `for_you after browsing candles: ${after.join(', ')} (before: ${before.join(', ')})`);
  const reasons = await page.$$eval('[data-slot="for_you"] .reason', (r) => r.map((x) => x.textContent));
  assert.ok(reasons.some((r) => /candles|viewed/.test(r)), reasons.join(' | '));
  assert.deepEqual((await vitrineKeys(page)).sort(), ['vitrine:consent', 'vitrine:profile']);

  await page.reload();
  await ready(page);
  assert.equal(await page.isVisible('#consent-banner'), false, 'the decision was remembered');
  const afterReload = await forYouCategories(page);
  assert.ok(afterReload.filter((c) => c === 'Candles').length >= 6, afterReload.join(', '));
  assert.equal((await page.$$('[data-slot="recently_viewed"] .card')).length, 4);

  await page.click('#privacy-settings');
  await page.click('[data-consent="reject-all"]');
  assert.deepEqual(await vitrineKeys(page), [], 'withdrawal leaves no trace');
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);

  const ids = await page.evaluate(() => window.vitrine.exportData());
  assert.equal(ids.profile, null);
  for (const r of requests) {
    assert.equal(r.method, 'GET', r.url);
    assert.ok(r.url.startsWith(env.base + '/'), r.url);
    assert.equal(r.postData, null);
    assert.ok(!/can-\d{4}/.test(new URL(r.url).search), `no item id sent: ${r.url}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('the audit page shows the report and erase empties storage', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await browseCandles(page, 2);
  await page.goto(`${env.base}/audit`);
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#storage'), /vitrine:profile/);
  await page.click('#erase');
  assert.match(await page.textContent('#status'), /vitrine keys left in localStorage: 0/);
  assert.deepEqual(await vitrineKeys(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
