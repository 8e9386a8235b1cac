// The human-first demo pieces (www/human.js) in real Chromium: the channel badge from the landing
// URL, the survey, the offer of a person, the "why" under each shelf — and still nothing but the
// page's own static files is ever requested.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const ownFiles = (requests) => requests.filter((r) => !r.url.startsWith(env.base));

test('an Instagram visitor: badge, survey, a person offered to a detractor, shelves explained', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/?utm_source=ig&utm_medium=social&utm_campaign=spring`);
  await page.waitForSelector('aside.human', { state: 'attached' });
  assert.equal(await page.textContent('.channel-badge'), 'You came from Instagram — welcome!');
  assert.equal(await page.evaluate(() => window.vitrine.channel()), 'instagram');
  // While the banner asks, the aside waits: nothing covers the banner's buttons or the header's
  // links, even once the banner's purposes are open (it grows).
  await page.click('#consent-choices summary');
  assert.equal(await page.isHidden('aside.human'), true);
  await page.click('[data-consent="accept-all"]', { timeout: 5000 });
  await page.waitForSelector('aside.human .channel-badge');
  assert.equal(await page.isVisible('aside.human .nps'), true);
  assert.equal(await page.isVisible('aside.human .sensitive'), true);
  await page.waitForSelector('[data-slot="for_you"] .why');
  assert.equal(await page.textContent('[data-slot="trending"] .why'), 'popular right now');

  await page.goto(`${env.base}/?utm_source=ig#/c/Candles`);
  await page.waitForSelector('.grid .card');
  const id = await page.$eval('.grid .card', (c) => c.dataset.itemId);
  await page.goto(`${env.base}/?utm_source=ig#/p/${id}`);
  await page.waitForSelector(`article.product[data-item-id="${id}"]`);
  await page.waitForSelector('[data-slot="similar"] .why');
  assert.match(await page.textContent('[data-slot="similar"] .why'), /^similar to the item you are looking at/);
  const channels = await page.evaluate(() => window.vitrine.profile().channels.map((c) => c.name));
  assert.deepEqual(channels, ['instagram'], 'every event carries the visit channel');

  assert.equal(await page.isHidden('aside.human .help'), true);
  await page.click('aside.human .nps summary');
  await page.click('aside.human [data-score="2"]');
  await page.waitForSelector('aside.human .help:not([hidden])');
  assert.equal(await page.getAttribute('aside.human .help', 'data-reasons'), 'detractor');
  assert.match(await page.textContent('aside.human .nps-thanks'), /stays on this device/);
  assert.equal(await page.evaluate(() => window.vitrine.profile().nps.class), 'detractor');
  await page.goto(`${env.base}/#/`);
  await page.waitForSelector('[data-slot="trending"] .why');
  assert.equal(await page.getAttribute('[data-slot="trending"] .why', 'data-served'), 'none');
  assert.equal(await page.textContent('[data-slot="trending"] .why'), 'promotions are paused after your feedback');

  // Searching again and again without clicking: a person is offered too.
  await page.evaluate(() => {
    window.vitrine.track('Survey Answered', { score: 9 });
    for (const query of ['oak', 'oak candle', 'wood candle']) window.vitrine.track('Products Searched', { query });
    window.vitrineHuman.refresh();
  });
  assert.equal(await page.getAttribute('aside.human .help', 'data-reasons'), 'searches_without_click');

  assert.deepEqual(ownFiles(requests), [], 'only the page\'s own files');
  assert.ok(requests.every((r) => r.method === 'GET' && !r.postData));
  assert.deepEqual(problems, []);
  await context.close();
});

test('the sensitive box stays off without personalization and grants only itself', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  // A direct visit's aside shows nothing while the banner asks (no badge; the rest waits).
  await page.waitForSelector('aside.human', { state: 'attached' });
  await page.click('[data-consent="reject-all"]');
  await page.evaluate(() => window.vitrineHuman.refresh());
  assert.equal(await page.isDisabled('#consent-sensitive'), true);
  await page.evaluate(() => window.vitrine.setConsent({ personalization: true, storage: false }));
  await page.evaluate(() => window.vitrineHuman.refresh());
  await page.check('#consent-sensitive');
  const c = await page.evaluate(() => window.vitrine.consent());
  assert.deepEqual([c.personalization, c.storage, c.sensitive], [true, false, true]);
  await page.uncheck('#consent-sensitive');
  assert.equal(await page.evaluate(() => window.vitrine.consent().sensitive), false);
  assert.equal(await page.isHidden('.channel-badge'), true, 'a direct visit has no badge');
  assert.deepEqual(problems, []);
  await context.close();
});
