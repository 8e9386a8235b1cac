// The privacy audit page in real Chromium: it reports what the shop's tab stored, follows that
// tab live, charts the profile, exports it, proves a send attempt is blocked, and erases.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertOnlyStaticRequests, launch, newPage, ready, vitrineKeys } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

test('the audit page reports, follows the shop live, exports, blocks a send attempt, and erase empties storage', async () => {
  const shop = await newPage(env.browser);
  const { page: s } = shop;
  await s.goto(`${env.base}/?utm_source=tiktok`);
  await ready(s);
  await s.click('[data-consent="accept-all"]');
  for (const id of ['can-0001', 'can-0002', 'tea-0003']) {
    await s.goto(`${env.base}/?utm_source=tiktok#/p/${id}`);
    await s.waitForSelector(`article.product[data-item-id="${id}"]`);
  }
  await s.fill('#search-input', 'sage');
  await s.press('#search-input', 'Enter');
  await s.waitForSelector('.grid .card');

  const audit = await newPage(env.browser, { context: shop.context });
  const { page, requests, problems } = audit;
  await page.goto(`${env.base}/audit`);
  await ready(page);
  const tiles = await page.$$eval('.tile', (t) => t.map((x) => x.textContent));
  assert.ok(tiles.some((t) => /Networkcannot send/.test(t)), tiles.join(' | '));
  assert.ok(tiles.some((t) => /Personalisationgranted/.test(t)));
  assert.ok(tiles.some((t) => /Storagegranted2 keys/.test(t)));
  assert.deepEqual(await page.$$eval('#storage tr[data-key]', (r) => r.map((x) => x.dataset.key).sort()), ['vitrine:consent', 'vitrine:profile']);
  assert.equal(await page.$$eval('#profile svg.chart.bars', (c) => c.length), 2, 'category and brand charts');
  assert.ok(await page.$$eval('#time svg.chart.time path.line', (l) => l.length) >= 2, 'affinities over time');
  assert.equal(await page.$$eval('#time svg.chart.time circle.dot', (d) => d.length), 3, 'one dot per product signal');
  assert.match(await page.textContent('#profile'), /tiktok 100 %/);
  assert.match(await page.textContent('#profile'), /sage/, 'the search is shown');
  await page.click('[data-by="brand"]');
  assert.equal(await page.getAttribute('[data-by="brand"]', 'aria-pressed'), 'true');

  // Live: a view in the shop tab shows up here through the storage event.
  const recent = () => page.$eval('#profile .facts', (f) => f.textContent.match(/Recently viewed(\d+)/)[1]);
  assert.equal(await recent(), '3');
  await s.goto(`${env.base}/?utm_source=tiktok#/p/lam-0001`);
  await s.waitForSelector('article.product[data-item-id="lam-0001"]');
  await page.waitForFunction(() => /Recently viewed4/.test(document.querySelector('#profile .facts').textContent));

  // Export as a download.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const data = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(data.format, 'vitrine-export');
  assert.deepEqual(data.profile.recentlyViewed.map((r) => r.value).sort(), ['can-0001', 'can-0002', 'lam-0001', 'tea-0003']);

  // A send attempt is refused by the page's CSP, and nothing leaves.
  await page.click('#try-send');
  await page.waitForSelector('#try-result .pill');
  assert.match(await page.textContent('#try-result'), /blocked by the browser.*Violated directive: connect-src; blocked: https:\/\/tracker\.invalid/s);
  assert.match(await page.textContent('#try-result pre'), /connect-src http:\/\/127\.0\.0\.1:\d+\/pkg\/vitrine_bg\.wasm http:\/\/127\.0\.0\.1:\d+\/pkg\/vitrine_scalar_bg\.wasm http:\/\/127\.0\.0\.1:\d+\/generated\/model\.vtr;/);
  assert.ok(requests.every((r) => !r.url.includes('tracker.invalid')), 'no request to the tracker');
  const blocked = problems.filter((p) => /tracker\.invalid|Content Security Policy/.test(p));
  assert.ok(blocked.length >= 1, 'the browser reported the blocked connection');

  // Erase: storage empty, the page says so, the shop tab follows.
  await page.click('#erase');
  assert.match(await page.textContent('#status'), /vitrine keys left in localStorage: 0\./);
  assert.deepEqual(await vitrineKeys(page), []);
  assert.match(await page.textContent('#storage'), /vitrine has nothing in storage/);
  assert.match(await page.textContent('#profile'), /No profile/);
  assert.match(await page.textContent('#consent'), /erase/);
  await s.waitForFunction(() => window.vitrine.profile() === null);
  assert.deepEqual(await vitrineKeys(s), []);

  assertOnlyStaticRequests(requests, env.base);
  assertOnlyStaticRequests(shop.requests, env.base);
  assert.deepEqual(problems.filter((p) => !blocked.includes(p)), []);
  assert.deepEqual(shop.problems, []);
  await shop.context.close();
});

test('the shop\'s sensitive category: Wellness views are kept only with the separate consent, as the audit shows', async () => {
  const shop = await newPage(env.browser);
  const { page: s } = shop;
  await s.goto(env.base);
  await ready(s);
  await s.click('[data-consent="accept-all"]');
  assert.match(await s.textContent('aside.human .sensitive'), /sensitive categories \(Wellness\)/, 'the box names the policy\'s sensitive category');
  assert.equal(await s.isChecked('#consent-sensitive'), false);
  for (const id of ['wel-0001', 'can-0001']) {
    await s.goto(`${env.base}/#/p/${id}`);
    await s.waitForSelector(`article.product[data-item-id="${id}"]`);
  }

  const { page, problems } = await newPage(env.browser, { context: shop.context });
  await page.goto(`${env.base}/audit`);
  await ready(page);
  const categories = () => page.$eval('#profile figure', (f) => f.textContent);
  assert.doesNotMatch(await categories(), /wellness/i, 'box unticked: the Wellness view was not kept');
  assert.match(await categories(), /candles/);
  assert.match(await page.textContent('#profile .facts'), /Recently viewed1 product(?!s)/, 'one product, in the singular');
  assert.match(await page.textContent('#storage tr[data-key="vitrine:consent"]'), /29 bytes \(48 characters stored\)/);

  await s.check('#consent-sensitive');
  await s.goto(`${env.base}/#/p/wel-0002`);
  await s.waitForSelector('article.product[data-item-id="wel-0002"]');
  await page.waitForFunction(() => /wellness/i.test(document.querySelector('#profile figure').textContent));
  assert.match(await page.textContent('#profile .facts'), /Recently viewed2 products/);
  assert.deepEqual(problems, []);
  assert.deepEqual(shop.problems, []);
  await shop.context.close();
});
