// The human-first demo pieces (www/human.js) in real Chromium: the channel badge from the landing
// URL, the survey, the offer of a person, the "why" under each shelf, the shelves on screen redrawn
// in place when an answer or a choice changes them (no page view tracked twice) — and still
// nothing but the page's own static files is ever requested.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, ready } from './browser.mjs';

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

  assert.equal(await page.isHidden('.help-offer'), true);
  await page.click('aside.human .nps summary');
  await page.click('aside.human [data-score="2"]');
  await page.waitForSelector('.help-offer:not([hidden])');
  assert.equal(await page.getAttribute('.help-offer', 'data-reasons'), 'detractor');
  assert.ok(await page.$eval('.help-offer', (h) => h.matches('article.product [data-slot="assistance"] > *')), 'offered under "Add to cart"');
  assert.equal(await page.$eval('aside.human details.nps', (d) => d.open), false, 'answered: the survey folds away');
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
  assert.equal(await page.getAttribute('.help-offer', 'data-reasons'), 'searches_without_click');

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

/** Every shelf on screen: its title and note, the line under it, and vitrine's own explanation of the request it was drawn with. */
async function captions(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('section.shelf')].every((s) => s.querySelector('.why')));
  return page.$$eval('section.shelf[data-request]', (sections) => sections.map((s) => {
    const why = window.vitrine.explainShelf(JSON.parse(s.dataset.request));
    return {
      slot: s.dataset.slot,
      title: s.querySelector('h2').textContent,
      note: s.querySelector('.shelf-note')?.textContent ?? '',
      line: s.querySelector('.why').textContent,
      personal: why.personal,
      explanation: why.explanation,
    };
  }));
}

/** What the shop says about each shelf agrees with what vitrine says about it. */
function assertAgree(shelves, where) {
  assert.ok(shelves.length > 0, `${where}: shelves keep their request`);
  for (const s of shelves) {
    const at = `${where}, ${s.slot}: ${JSON.stringify(s)}`;
    assert.equal(s.line, s.explanation, `${at}: the line under the shelf explains the request it was drawn with`);
    if (s.personal) assert.doesNotMatch(s.note, /same for everyone/, at);
    else assert.doesNotMatch(`${s.title} · ${s.note}`, /Picked for you|From what you did/, at);
  }
}

test('shelf captions agree with explainShelf: personal for a consented shopper, the same for everyone otherwise', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  // Right after "Accept all" nothing is known yet: the shelf is the popular one, and says so.
  const home = await captions(page);
  assertAgree(home, 'home, nothing known');
  assert.equal(home.find((s) => s.slot === 'for_you').title, 'Popular right now');

  await page.goto(`${env.base}/#/p/can-0001`);
  await page.waitForSelector('article.product[data-item-id="can-0001"]');
  const product = await captions(page);
  assertAgree(product, 'product page');
  const together = product.find((s) => s.slot === 'bought_together');
  assert.equal(together.personal, true, 'a consented shopper who viewed a candle');
  assert.match(together.line, /nudged by your tastes/);

  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.waitForSelector('[data-slot="cart"] .card');
  const cart = await captions(page);
  assertAgree(cart, 'cart');
  assert.equal(cart.find((s) => s.slot === 'cart').personal, true);

  await page.goto(`${env.base}/#/`);
  await page.waitForSelector('[data-slot="recently_viewed"] .card');
  const later = await captions(page);
  assertAgree(later, 'home, after a visit');
  assert.equal(later.find((s) => s.slot === 'for_you').title, 'Picked for you');

  // Refused: the same product page is the same for everyone, and says so.
  await page.click('#privacy-settings');
  await page.click('[data-consent="reject-all"]');
  await page.goto(`${env.base}/#/p/can-0001`);
  await page.waitForSelector('article.product[data-item-id="can-0001"]');
  const refused = await captions(page);
  assertAgree(refused, 'product page, refused');
  assert.match(refused.find((s) => s.slot === 'bought_together').note, /the same for everyone/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a laptop nothing floats over the shop; the survey folds away once answered; "Chat with us" stays on the page', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, problems } = await newPage(env.browser, { context });
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  assert.equal(await page.$eval('aside.human', (a) => getComputedStyle(a).position), 'static');
  await page.goto(`${env.base}/#/p/can-0001`);
  await page.waitForSelector('article.product[data-item-id="can-0001"]');
  await page.click('aside.human .nps summary');
  await page.click('aside.human [data-score="1"]');
  assert.equal(await page.$eval('aside.human details.nps', (d) => d.open), false, 'answered: the survey folds away');
  assert.equal(await page.isVisible('aside.human .nps-thanks'), true, 'and says thank you');
  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.waitForSelector('[data-slot="cart"] .card');
  // The detractor is offered a person under "Place order", in the page.
  await page.waitForSelector('.summary [data-slot="assistance"] .help-offer:not([hidden])');

  /** What covers an element once it is scrolled into view: hits inside it (a 5 × 5 grid, rounded corners left out) that are not it. */
  const covering = (selector) => page.$eval(selector, (e) => {
    e.scrollIntoView({ block: 'center' });
    const r = e.getBoundingClientRect();
    const at = [0.15, 0.3, 0.5, 0.7, 0.85];
    const points = at.flatMap((fx) => at.map((fy) => [r.left + fx * r.width, r.top + fy * r.height]))
      .filter(([x, y]) => Math.abs(x - (r.left + r.right) / 2) < r.width * 0.3 || Math.abs(y - (r.top + r.bottom) / 2) < r.height * 0.3);
    return points.map(([x, y]) => document.elementFromPoint(x, y)).filter((hit) => !e.contains(hit)).map((hit) => `${hit?.tagName}.${hit?.className}`);
  });
  assert.deepEqual(await covering('.summary button.primary'), [], 'nothing over "Place order"');
  assert.deepEqual(await covering('[data-slot="cart"] .card:last-child'), [], 'nothing over the shelf\'s last card');

  // "Chat with us" opens the chat panel where the shopper is; the hash router is not involved.
  await page.click('.help-offer [data-help="chat"]');
  assert.equal(await page.evaluate(() => location.hash), '#/cart');
  assert.equal(await page.textContent('#main h1'), 'Your cart');
  assert.equal(await page.isVisible('#help-chat'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'help-chat');
  assert.equal(await page.getAttribute('[data-help="chat"]', 'aria-expanded'), 'true');
  // Nor does any other in-page anchor take the shopper home: the skip link jumps to the content.
  await page.focus('a.skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.textContent('#main h1'), 'Your cart');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a Facebook visitor: vitrine records its own channel label (no header badge); sorting a category is not a new list view', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/?utm_source=facebook`);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  assert.equal(await page.textContent('aside.human .channel-badge'), 'You came from Facebook — welcome!');
  assert.equal(await page.$('[data-slot="channel"] .channel-badge'), null, 'the header badge names only the shop\'s own channels');
  await page.click('#cats a[data-cat="Candles"]');
  await page.waitForSelector('.grid .card');
  assert.deepEqual(await page.evaluate(() => window.vitrine.profile().channels.map((c) => c.name)), ['facebook']);

  await page.evaluate(() => { window.tracked = []; window.shop.on('track', ({ event }) => window.tracked.push(event)); });
  await page.selectOption('#sort', 'price-asc');
  const prices = await page.$$eval('.grid .card .price', (p) => p.slice(0, 6).map((x) => Number(x.textContent.replace(/[^\d.]/g, ''))));
  assert.deepEqual(prices, [...prices].sort((a, b) => a - b), 'sorted by price');
  assert.deepEqual(await page.evaluate(() => window.tracked), [], 'no event for a sort');
  assert.equal(await page.evaluate(() => window.vitrine.profile().counts.list_view), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * Every shelf on screen once www/human.js has explained it: its cards and the line under it as
 * drawn, and what vitrine answers for its request now.
 */
async function onScreen(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('section.shelf')].every((s) => s.querySelector('.why')));
  return page.$$eval('section.shelf[data-request]', (sections) => sections.map((s) => {
    const request = JSON.parse(s.dataset.request);
    return {
      slot: s.dataset.slot,
      ids: [...s.querySelectorAll('.card')].map((c) => c.dataset.itemId),
      line: s.querySelector('.why').textContent,
      now: window.vitrine.recommend(request).map((r) => r.itemId),
      said: window.vitrine.explainShelf(request).explanation,
    };
  }));
}

/** The shelves show what vitrine answers now: cards and the line under each. */
function assertCurrent(shelves, where) {
  for (const s of shelves) {
    assert.deepEqual(s.ids, s.now, `${where}, ${s.slot}: the cards on screen are vitrine's answer now`);
    assert.equal(s.line, s.said, `${where}, ${s.slot}: the line under it is vitrine's explanation now`);
  }
}

/** Marks the page as drawn, and starts counting what the shop tracks from here on. */
const watch = (page) => page.evaluate(() => {
  if (!window.tracked) window.shop.on('track', ({ event }) => window.tracked.push(event));
  window.tracked = [];
  document.querySelector('#main h1').dataset.drawn = 'before';
});
const views = (page) => page.evaluate(() => window.vitrine.profile().counts.view ?? 0);
/** The page was not drawn again (its heading is the one `watch` marked). */
const sameDrawing = (page) => page.evaluate(() => document.querySelector('#main h1')?.dataset.drawn === 'before');

async function viewProducts(page, ids) {
  for (const id of ids) {
    await page.goto(`${page.url().split('#')[0]}#/p/${id}`);
    await page.waitForSelector(`article.product[data-item-id="${id}"]`);
  }
}

test('a survey answer redraws the shelves on screen — cards and captions — where they stand, without tracking the page again', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await viewProducts(page, ['can-0001', 'can-0004', 'tea-0000']);
  await page.click('a.logo');
  await page.waitForSelector('[data-slot="trending"] .card');
  const before = await onScreen(page);
  assert.equal(before.find((s) => s.slot === 'trending').line, 'popular right now');
  await watch(page);
  const viewed = await views(page);

  await page.click('aside.human .nps summary');
  await page.click('aside.human [data-score="2"]');
  const after = await onScreen(page);
  assertCurrent(after, 'after a detractor\'s answer');
  const trending = after.find((s) => s.slot === 'trending');
  assert.deepEqual(trending.ids, [], 'promotions are paused at once, not at the next page');
  assert.equal(trending.line, 'promotions are paused after your feedback');
  assert.match(after.find((s) => s.slot === 'for_you').line, /what you bought before first; promotions are paused$/);
  assert.equal(await page.evaluate(() => location.hash), '#/');
  assert.equal(await sameDrawing(page), true, 'only the shelves were drawn again');
  assert.deepEqual(await page.evaluate(() => window.tracked), [], 'nothing tracked but the answer');
  assert.equal(await views(page), viewed);

  // A promoter's later answer brings them back, the same way.
  await page.click('aside.human .nps summary');
  await page.click('aside.human [data-score="10"]');
  const again = await onScreen(page);
  assertCurrent(again, 'after a promoter\'s answer');
  assert.equal(again.find((s) => s.slot === 'trending').ids.length, 8);
  assert.equal(await sameDrawing(page), true);
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * A shopper who accepted everything, viewed two candles and a tea, allowed sensitive categories
 * and is on a Wellness product page: the page, and its shelves as drawn.
 */
async function onWellnessProduct() {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await viewProducts(page, ['can-0001', 'can-0004', 'tea-0000']);
  await page.check('#consent-sensitive');
  await viewProducts(page, ['wel-0002']);
  return { page, problems, context, before: await onScreen(page) };
}

test('on a product page the sensitive box, a second decision and an added item redraw the shelves, not the page: no second product view', async () => {
  const { page, problems, context, before } = await onWellnessProduct();
  assertCurrent(before, 'a Wellness product, sensitive categories allowed');
  await watch(page);
  // The Wellness view goes with the sensitive consent, from the counts too (P19).
  const viewed = await views(page) - 1;

  // Unticked: vitrine erases the Wellness view, and "Often bought together" follows at once.
  await page.uncheck('#consent-sensitive');
  const unticked = await onScreen(page);
  assertCurrent(unticked, 'sensitive categories withdrawn');
  assert.notDeepEqual(unticked.find((s) => s.slot === 'bought_together').ids, before.find((s) => s.slot === 'bought_together').ids,
    'the shelf on screen changed');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'consent-sensitive', 'the focus stays on the box');
  assert.equal(await sameDrawing(page), true, 'only the shelves were drawn again');
  assert.equal(await views(page), viewed, 'no second product view, and the Wellness one erased');

  // The banner's decision draws the page again for the decision, but it is not a second view.
  await page.click('#privacy-settings');
  await page.click('[data-consent="accept-all"]');
  assertCurrent(await onScreen(page), 'decided again');
  assert.equal(await views(page), viewed, 'deciding again is not viewing again');

  // An item added: the cart is part of the answer, and the shelves say so without a new page.
  await watch(page);
  await page.click('article.product button.primary');
  assertCurrent(await onScreen(page), 'an item added');
  assert.equal(await sameDrawing(page), true);
  assert.deepEqual(await page.evaluate(() => window.tracked), ['Product Added']);
  assert.equal(await views(page), viewed);
  assert.equal(await page.evaluate(() => location.hash), '#/p/wel-0002');
  assert.deepEqual(problems, []);
  await context.close();
});

test('another tab\'s change redraws this tab\'s shelves, and the focus stays on the same product', async () => {
  const { page, problems, context, before } = await onWellnessProduct();
  await watch(page);
  // The Wellness view goes with the sensitive consent, from the counts too (P19).
  const viewed = await views(page) - 1;
  // The keyboard is on the fourth card of "Often bought together".
  const together = before.find((s) => s.slot === 'bought_together').ids;
  const focused = together[3];
  await page.focus(`[data-slot="bought_together"] .card[data-item-id="${focused}"]`);

  const other = await newPage(env.browser, { context });
  await other.page.goto(env.base);
  await ready(other.page);
  await other.page.uncheck('#consent-sensitive');
  await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('[data-slot="bought_together"] .card')]
    .map((c) => c.dataset.itemId)) !== ids, JSON.stringify(together));
  const after = await onScreen(page);
  assertCurrent(after, 'withdrawn in another tab');
  const now = after.find((s) => s.slot === 'bought_together').ids;
  assert.equal(await page.evaluate(() => document.activeElement.closest('[data-slot]')?.dataset.slot), 'bought_together', 'the focus stays in the shelf');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.itemId), now.includes(focused) ? focused : now[3],
    'on the same product while it is on the shelf, else on the card in its place');
  assert.equal(await sameDrawing(page), true);
  assert.equal(await views(page), viewed);
  assert.deepEqual(problems, []);
  assert.deepEqual(other.problems, []);
  await context.close();
});
