// The demo storefront in real Chromium, on the demo model: consent refused, then given; the shelf
// follows the shopper; the profile survives a reload; withdrawal empties storage; every request of
// the session is a static file; the arrival channel is recorded; a page view for every screen
// shown and a cart view that lists the shop's cart, as a Segment storefront sends them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { assertOnlyStaticRequests, indexedDbNames, launch, newPage, ready, vitrineKeys } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

/** Opens the Candles category from the menu and views the first `n` products by clicking them. */
async function browseCandles(page, n) {
  await page.click('#cats a[data-cat="Candles"]');
  await page.waitForSelector('.grid .card');
  const ids = await page.$$eval('.grid .card', (cards) => cards.slice(0, 12).map((c) => c.dataset.itemId));
  for (const id of ids.slice(0, n)) {
    await page.click(`.grid .card[data-item-id="${id}"]`);
    await page.waitForSelector(`article.product[data-item-id="${id}"]`);
    await page.goBack();
    await page.waitForSelector('.grid .card');
  }
  return ids.slice(0, n);
}

async function home(page) {
  await page.click('a.logo');
  await page.waitForSelector('[data-slot="for_you"] .card');
}

const shelfCategories = (page, slot) => page.$$eval(`[data-slot="${slot}"] .card`, (cards) => cards.map((c) => c.dataset.category));
const shelfIds = (page, slot) => page.$$eval(`[data-slot="${slot}"] .card`, (cards) => cards.map((c) => c.dataset.itemId));

test('refused consent: the shop works, nothing personal is kept or sent', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  assert.equal(await page.isVisible('[data-consent="reject-all"]'), true, 'the banner asks first');
  await page.click('[data-consent="reject-all"]');
  assert.equal(await page.isVisible('#consent-banner'), false);
  const [first] = await browseCandles(page, 3);
  await page.click(`.grid .card[data-item-id="${first}"]`);
  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.waitForSelector('[data-slot="cart"] .card');
  await page.click('.summary button.primary');
  await page.waitForSelector('.thanks');
  await home(page);
  assert.equal((await page.$$('[data-slot="for_you"] .card')).length, 8, 'popular items are still shown');
  assert.equal(await page.$('[data-slot="recently_viewed"]'), null, 'no personal shelf');
  assert.deepEqual(await vitrineKeys(page), []);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage)), [], 'nothing at all in localStorage');
  assert.deepEqual(await indexedDbNames(page), [], 'no IndexedDB');
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);
  assert.deepEqual(await page.evaluate(() => window.vitrine.track('Product Viewed', { product_id: 'can-0001' })), { accepted: false, reason: 'no_consent' });
  assert.equal(await page.textContent('#privacy-chip'), 'Personalisation off');
  assertOnlyStaticRequests(requests, env.base);
  assert.deepEqual(problems, []);
  await context.close();
});

test('accepted consent: for_you turns to candles, reasons show, the model fills every shelf, the profile survives a reload, withdrawal empties storage', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  const response = await page.goto(`${env.base}/?utm_source=instagram`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.deepEqual(csp.match(/connect-src ([^;]*)/)[1].split(' '), [`${env.base}/pkg/vitrine_bg.wasm`, `${env.base}/pkg/vitrine_scalar_bg.wasm`, `${env.base}/generated/model.vtr`]);
  await ready(page);
  assert.match(await page.textContent('[data-slot="channel"]'), /via Instagram/);
  await page.click('[data-consent="accept-all"]');
  const before = await shelfCategories(page, 'for_you');

  const viewed = await browseCandles(page, 4);
  await home(page);
  const after = await shelfCategories(page, 'for_you');
  assert.ok(after.filter((c) => c === 'Candles').length >= 6, `for_you after browsing candles: ${after.join(', ')} (before: ${before.join(', ')})`);
  const captions = await page.$$eval('[data-slot="for_you"] .card', (cards) => cards.map((c) => c.querySelector('.reason')?.textContent));
  assert.ok(captions.every(Boolean), 'every recommendation shows its reason');
  assert.ok(captions.some((r) => /candles|viewed/.test(r)), captions.join(' | '));
  assert.match(await page.getAttribute('[data-slot="for_you"] .card', 'title'), /^Why this: /, 'all reasons on hover');
  assert.deepEqual((await shelfIds(page, 'recently_viewed')).sort(), viewed.slice().sort());
  assert.deepEqual((await vitrineKeys(page)).sort(), ['vitrine:consent', 'vitrine:profile']);

  // A product page: similar and bought-together shelves from the model's neighbours.
  await page.click(`[data-slot="recently_viewed"] .card[data-item-id="${viewed[0]}"]`);
  await page.waitForSelector('[data-slot="similar"] .card');
  const similar = await page.$$eval('[data-slot="similar"] .card', (cards) => cards.map((c) => JSON.parse(c.dataset.reasons)));
  assert.ok(similar.length >= 6 && similar.every((r) => r.length > 0), 'similar items, each with a reason');
  const together = await page.$$eval('[data-slot="bought_together"] .card', (cards) => cards.map((c) => [c.dataset.category, JSON.parse(c.dataset.reasons)[0]]));
  assert.ok(together.some(([cat, why]) => cat !== 'Candles' && why.startsWith('often bought with')), `co-purchases from the orders: ${JSON.stringify(together)}`);

  // Cart, the cart shelf, an order, and buy again.
  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.waitForSelector('[data-slot="cart"] .card');
  assert.ok((await page.$$eval('[data-slot="cart"] .card', (c) => c.length)) >= 4);
  await page.click('.summary button.primary');
  await page.waitForSelector('.thanks');
  await home(page);
  assert.deepEqual(await shelfIds(page, 'buy_again'), [viewed[0]]);
  const profile = await page.evaluate(() => window.vitrine.profile());
  assert.equal(profile.channels[0].name, 'instagram', 'the arrival channel is in the profile');

  await page.reload();
  await ready(page);
  assert.equal(await page.isVisible('#consent-banner'), false, 'the decision was remembered');
  // The shop's policy caps one signal at half a shelf (maxSignalShare 0.5): after the order, the
  // candles that "you like candles" explains stop at 4 of 8, and the shelf stays full.
  const afterReload = await shelfCategories(page, 'for_you');
  assert.equal(afterReload.length, 8, afterReload.join(', '));
  assert.ok(afterReload.filter((c) => c === 'Candles').length >= 4, afterReload.join(', '));
  assert.equal((await shelfIds(page, 'recently_viewed')).length, 4);
  assert.equal(await page.textContent('#privacy-chip'), 'Personalised on this device');

  await page.click('#privacy-settings');
  await page.click('[data-consent="reject-all"]');
  assert.deepEqual(await vitrineKeys(page), [], 'withdrawal leaves no trace');
  assert.deepEqual(await indexedDbNames(page), []);
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);
  assert.equal(await page.evaluate(() => window.vitrine.exportData().profile), null);
  assert.equal(await page.$('[data-slot="recently_viewed"]'), null);

  assertOnlyStaticRequests(requests, env.base);
  assert.deepEqual(problems, []);
  await context.close();
});

test('per-purpose choice: personalisation without storage keeps nothing in localStorage', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('#consent-choices summary');
  await page.check('#consent-personalization');
  await page.click('[data-consent="save-choices"]');
  assert.deepEqual(await page.evaluate(() => { const c = window.vitrine.consent(); return [c.personalization, c.storage]; }), [true, false]);
  await browseCandles(page, 2);
  await home(page);
  assert.equal((await shelfIds(page, 'recently_viewed')).length, 2, 'personalised in this tab');
  assert.deepEqual(await vitrineKeys(page), [], 'but nothing stored');
  assert.equal(await page.textContent('#privacy-chip'), 'Personalised for this visit');
  await page.reload();
  await ready(page);
  assert.equal(await page.isVisible('#consent-banner'), true, 'a new visit asks again');
  assert.deepEqual(problems, []);
  await context.close();
});

/** What vitrine counted, and the cart it keeps (id → quantity), in the page's instance. */
const kept = (page) => page.evaluate(() => {
  const p = window.vitrine.exportData().profile;
  return { counts: p.counts, cart: Object.fromEntries(p.cart.map((c) => [c.value, c.quantity])) };
});
/** The demo's own cart (id → quantity). */
const shopCart = (page) => page.evaluate(() => Object.fromEntries(window.shop.cart));
/** The events the shop tracked since the last call, with whether vitrine took them. */
const trackedSince = (page) => page.evaluate(() => window.tracked.splice(0).map(({ event, accepted }) => `${event}${accepted ? '' : ' (refused)'}`));

test('a page view for every screen shown, and a cart view that gives vitrine exactly the shop\'s cart', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.evaluate(() => {
    window.tracked = [];
    window.shop.on('track', ({ event, result }) => window.tracked.push({ event, accepted: result.accepted }));
  });
  await page.click('[data-consent="accept-all"]');
  // The home page was shown before the decision (its page view refused then) and is drawn again
  // for the decision, which is no new page.
  assert.deepEqual(await trackedSince(page), []);

  await page.click('#cats a[data-cat="Candles"]');
  await page.waitForSelector('.grid .card');
  const [a, b] = await page.$$eval('.grid .card', (cards) => cards.slice(0, 2).map((c) => c.dataset.itemId));
  await page.click(`.grid .card[data-item-id="${a}"]`);
  await page.waitForSelector(`article.product[data-item-id="${a}"]`);
  await page.click('article.product button.primary');
  await page.click('article.product button.primary');
  await page.goBack();
  await page.waitForSelector(`.grid .card[data-item-id="${b}"]`);
  await page.click(`.grid .card[data-item-id="${b}"]`);
  await page.waitForSelector(`article.product[data-item-id="${b}"]`);
  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.waitForSelector('.lines li');
  assert.deepEqual(await trackedSince(page), [
    'Product List Viewed', 'Page Viewed', 'Product Viewed', 'Page Viewed', 'Product Added', 'Product Added',
    'Product List Viewed', 'Page Viewed', 'Product Viewed', 'Page Viewed', 'Product Added',
    'Cart Viewed', 'Page Viewed',
  ], 'one page view per screen, after the screen\'s own view event');
  assert.deepEqual(await shopCart(page), { [a]: 2, [b]: 1 });
  let now = await kept(page);
  assert.equal(now.counts.page_view, 5);
  assert.equal(now.counts.cart_view, 1);
  assert.deepEqual(now.cart, await shopCart(page), 'the cart view listed the shop\'s cart, quantities and all');

  // The cart's − and + change the cart where it stands: no new page, no new cart view, and the
  // adds and removals keep vitrine's cart equal to the shop's.
  await page.click(`.lines li[data-item-id="${a}"] button[aria-label^="One less"]`);
  await page.click(`.lines li[data-item-id="${b}"] button[aria-label^="One more"]`);
  await page.click(`.lines li[data-item-id="${b}"] button[aria-label^="One more"]`);
  assert.deepEqual(await trackedSince(page), ['Product Removed', 'Product Added', 'Product Added']);
  assert.deepEqual(await shopCart(page), { [a]: 1, [b]: 3 });
  now = await kept(page);
  assert.deepEqual([now.counts.page_view, now.counts.cart_view], [5, 1]);
  assert.deepEqual(now.cart, { [a]: 1, [b]: 3 });

  // Home and back to the cart: two screens, the second a cart view again, with the same cart.
  await home(page);
  await page.click('a.cart-link');
  await page.waitForSelector('.lines li');
  assert.deepEqual(await trackedSince(page), ['Page Viewed', 'Cart Viewed', 'Page Viewed']);
  now = await kept(page);
  assert.deepEqual([now.counts.page_view, now.counts.cart_view], [7, 2]);
  assert.deepEqual(now.cart, { [a]: 1, [b]: 3 });

  // The order confirmation is a screen too; the order empties both carts.
  await page.click('.summary button.primary');
  await page.waitForSelector('.thanks');
  assert.deepEqual(await trackedSince(page), ['Order Completed', 'Page Viewed']);
  now = await kept(page);
  assert.equal(now.counts.page_view, 8);
  assert.deepEqual(now.cart, {});
  // A page view keeps nothing of the page: no address, title or screen name in what vitrine holds.
  const held = await page.evaluate(() => JSON.stringify(window.vitrine.exportData()));
  assert.doesNotMatch(held, /Order Confirmation|Maison Vitrine|127\.0\.0\.1|#\/cart/);

  // A reload empties the demo's cart (it lives in the tab) but not vitrine's stored one; the cart
  // screen then says the cart is empty, and vitrine follows.
  await page.goto(`${env.base}/#/p/${a}`);
  await page.waitForSelector(`article.product[data-item-id="${a}"]`);
  await page.click('article.product button.primary');
  await page.reload();
  await ready(page);
  assert.deepEqual((await kept(page)).cart, { [a]: 1 }, 'vitrine remembers the item across the reload');
  assert.deepEqual(await shopCart(page), {});
  await page.click('a.cart-link');
  await page.waitForSelector('.cart-layout .empty');
  now = await kept(page);
  assert.deepEqual(now.cart, {}, 'the empty cart view emptied the kept cart');
  assert.equal(now.counts.cart_view, 3);
  assert.equal(await page.$('[data-slot="cart"]'), null);

  assertOnlyStaticRequests(requests, env.base);
  assert.deepEqual(problems, []);
  await context.close();
});
