// The storefront's IAB TCF path in real Chromium: the IAB's own CmpApi (@iabtechlabtcf/cmpapi)
// provides __tcfapi on the page, the shopper decides in the demo CMP, and vitrine follows it with
// Vitrine.listenTcf: purpose 1 → storage, purposes 5 and 6 → personalisation.
import test from 'node:test';
import assert from 'node:assert/strict';
import { assertOnlyStaticRequests, launch, newPage, ready, vitrineKeys } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const consent = (page) => page.evaluate(() => { const c = window.vitrine.consent(); return [c.personalization, c.storage, c.source]; });

async function browseCandles(page, n) {
  await page.click('#cats a[data-cat="Candles"]');
  await page.waitForSelector('.grid .card');
  const ids = (await page.$$eval('.grid .card', (cards) => cards.map((c) => c.dataset.itemId))).slice(0, n);
  for (const id of ids) {
    await page.click(`.grid .card[data-item-id="${id}"]`);
    await page.waitForSelector(`article.product[data-item-id="${id}"]`);
    await page.goBack();
    await page.waitForSelector('.grid .card');
  }
  await page.click('a.logo');
  await page.waitForSelector('[data-slot="for_you"] .card');
}

test('TCF: the CMP\'s decisions reach vitrine through __tcfapi, across a reload, down to withdrawal', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  await page.waitForSelector('.cmp[role="dialog"]');
  assert.equal(await page.isVisible('#consent-banner'), false, 'the CMP replaces the shop\'s banner');
  const ping = await page.evaluate(() => new Promise((ok) => window.__tcfapi('ping', 2, ok)));
  assert.equal(ping.cmpId, 4095);
  assert.equal(ping.cmpLoaded, true);
  assert.equal(ping.displayStatus, 'visible');
  assert.deepEqual(await consent(page), [false, false, 'default'], 'cmpuishown changes nothing');

  // A listener of our own sees what vitrine sees.
  await page.evaluate(() => {
    window.seen = [];
    window.__tcfapi('addEventListener', 2, (data, ok) => { if (ok) window.seen.push([data.eventStatus, data.tcString]); });
  });
  await page.click('[data-cmp="accept-all"]');
  assert.deepEqual(await consent(page), [true, true, 'tcf']);
  const [status, tc] = (await page.evaluate(() => window.seen)).at(-1);
  assert.equal(status, 'useractioncomplete');
  const decoded = await page.evaluate(async (tc) => (await import('/pkg/vitrine.js')).decodeTcString(tc), tc);
  assert.deepEqual(decoded.purposeConsents, [1, 5, 6]);
  assert.equal(decoded.cmpId, 4095);
  assert.match(await page.textContent('#tcf-status'), /purposes consented: 1, 5, 6.*personalization granted, storage granted \(source: tcf\)/);

  await browseCandles(page, 3);
  const cats = await page.$$eval('[data-slot="for_you"] .card', (c) => c.map((x) => x.dataset.category));
  assert.ok(cats.filter((c) => c === 'Candles').length >= 6, cats.join(', '));
  assert.deepEqual((await vitrineKeys(page)).sort(), ['vitrine:consent', 'vitrine:profile']);

  // Next visit: the CMP reports its stored string (tcloaded); the profile is still there.
  await page.reload();
  await ready(page);
  assert.equal(await page.isVisible('.cmp[role="dialog"]'), false, 'the CMP remembers its decision');
  const [p, s] = await consent(page);
  assert.deepEqual([p, s], [true, true]);
  assert.equal((await page.$$('[data-slot="recently_viewed"] .card')).length, 3);
  const history = await page.evaluate(() => window.vitrine.audit().history.map((e) => e.type));
  assert.ok(history.includes('consent') || history.includes('ignored'), history.join(','));

  // Purposes 5 and 6 without 1: personalised in this tab, nothing stored.
  await page.click('#privacy-chip');
  await page.uncheck('#tcf-p1');
  await page.click('[data-cmp="save"]');
  assert.deepEqual(await consent(page), [true, false, 'tcf']);
  assert.deepEqual(await vitrineKeys(page), [], 'storage withdrawn: records removed');
  assert.ok(await page.evaluate(() => window.vitrine.profile() !== null), 'the profile lives on in memory');

  // Reject all: nothing held, nothing stored; only the CMP's own record remains.
  await page.click('#privacy-chip');
  await page.click('[data-cmp="reject-all"]');
  assert.deepEqual(await consent(page), [false, false, 'tcf']);
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), ['demo-cmp:tc-string']);

  assertOnlyStaticRequests(requests, env.base);
  assert.deepEqual(problems, []);
  await context.close();
});

test('TCF and the audit: erase() leaves the consent tool\'s own record, and the audit page says so and offers to clear it', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  await page.click('[data-cmp="accept-all"]');
  await page.goto(`${env.base}/audit`);
  await ready(page);
  const row = '#storage tr[data-key="demo-cmp:tc-string"]';
  assert.match(await page.textContent(row), /Not vitrine's \(the consent tool's own record\); erase\(\) does not remove it\./);
  await page.click('#erase');
  assert.deepEqual(await vitrineKeys(page), []);
  assert.match(await page.textContent('#status'), /vitrine keys left in localStorage: 0\. The consent tool's own record \(demo-cmp:tc-string\) is not vitrine's and stays: the demo CMP keeps your decision/);
  assert.equal(await page.isVisible(row), true, 'still listed, as not vitrine\'s');

  // The CMP's record is kept: back on the TCF page it decides again, without asking.
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  assert.equal(await page.isVisible('.cmp[role="dialog"]'), false);
  assert.deepEqual(await consent(page), [true, true, 'tcf']);

  // Cleared on the audit page (labelled as the CMP's): the TCF page asks again.
  await page.goto(`${env.base}/audit`);
  await ready(page);
  await page.click('#erase');
  assert.match(await page.textContent('#erase-cmp'), /consent tool's record \(the demo CMP's, not vitrine's\)/);
  await page.click('#erase-cmp');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), []);
  assert.equal(await page.isVisible('#erase-cmp'), false);
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  await page.waitForSelector('.cmp[role="dialog"]');
  assert.deepEqual(await consent(page), [false, false, 'default']);
  assert.deepEqual(problems, []);
  await context.close();
});
