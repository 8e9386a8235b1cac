// Privacy behaviour in real Chromium: two tabs of one site keep one profile through the `storage`
// event without losing updates; erase in one tab empties both and leaves no key; GPC and a CMP on
// the page; nothing is requested but static files.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cmpStub, launch, newPage, vitrineKeys } from './browser.mjs';
import { tcString } from '../js/tcstring.mjs';

const env = await launch();
test.after(() => env.close());

/** A page of the site with vitrine loaded (the audit page opens `window.vitrine`). */
async function tab(context, problems) {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${env.base}/audit`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const recent = (page) => page.evaluate(() => (window.vitrine.profile()?.recentlyViewed ?? []).slice().sort());
const view = (page, id) => page.evaluate((id) => window.vitrine.track('Product Viewed', { product_id: id, category: 'Candles' }), id);

async function until(what, fn) {
  const end = Date.now() + 5000;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('two tabs keep one profile through the storage event, lose no update, and erase together', async () => {
  const { context, requests, problems } = await newPage(env.browser);
  const a = await tab(context, problems);
  const b = await tab(context, problems);
  await a.evaluate(() => window.vitrine.setConsent({ personalization: true, storage: true }));
  await until('tab b to take over the decision', () => b.evaluate(() => window.vitrine.consent().source === 'stored'));
  // Both tabs write at once, ten events each, without waiting for each other's events.
  const ids = Array.from({ length: 10 }, (_, i) => [`a-${i}`, `b-${i}`]).flat();
  const results = await Promise.all(ids.map((id) => view(id.startsWith('a') ? a : b, id)));
  assert.ok(results.every((r) => r.accepted), JSON.stringify(results));
  const all = ids.slice().sort();
  const settled = async (p) => (await recent(p)).length === 20 && (await p.evaluate(() => window.vitrine.profile().events)) === 20;
  await until('both tabs to hold all twenty views, each once', async () => (await settled(a)) && (await settled(b)));
  assert.deepEqual(await recent(a), all);
  assert.deepEqual(await recent(b), all);
  // What is stored is the same profile: a third tab opened now reads all twenty, each once.
  const c = await tab(context, problems);
  assert.deepEqual(await recent(c), all);
  assert.equal(await c.evaluate(() => window.vitrine.profile().events), 20);
  assert.deepEqual((await vitrineKeys(a)).sort(), ['vitrine:consent', 'vitrine:profile']);
  assert.ok((await b.evaluate(() => window.vitrine.audit().history)).some((e) => e.type === 'sync'));

  // Erase in one tab: every tab lets go, and storage holds no vitrine key.
  await a.evaluate(() => window.vitrine.erase());
  assert.deepEqual(await vitrineKeys(a), []);
  await until('the other tabs to follow the erasure', async () => (await b.evaluate(() => window.vitrine.profile())) === null
    && (await c.evaluate(() => window.vitrine.profile())) === null);
  assert.equal(await b.evaluate(() => window.vitrine.consent().source), 'default');
  assert.deepEqual(await b.evaluate(() => window.vitrine.track('Product Viewed', { product_id: 'x' })), { accepted: false, reason: 'no_consent' });
  assert.deepEqual(await vitrineKeys(b), [], 'no tab writes anything back');
  for (const r of requests) assert.ok(r.url.startsWith(env.base + '/') && r.method === 'GET', r.url);
  assert.deepEqual(problems, []);
  await context.close();
});

test('GPC and the CMP: personalization waits for the shopper\'s explicit opt-in; the CMP listener goes on free()', async () => {
  const { context, problems } = await newPage(env.browser);
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
  });
  await context.addInitScript(cmpStub);
  const page = await tab(context, problems);
  const tc = tcString([1, 5, 6]);
  const result = await page.evaluate(async (tc) => {
    const { Vitrine } = await import('/pkg/vitrine.js');
    const v = Vitrine.open({ namespace: 'gpc-test' });
    const out = { listening: Vitrine.listenTcf(v) };
    window.__cmp.fire('useractioncomplete', tc);
    out.afterCmp = v.consent();
    out.tracked = v.track('Product Viewed', { product_id: 'p-1' });
    out.gpc = v.audit().gpc;
    out.afterBanner = v.setConsent({ personalization: true, storage: true });
    out.trackedAfter = v.track('Product Viewed', { product_id: 'p-1' });
    out.keys = Object.keys(localStorage).filter((k) => k.startsWith('gpc-test:')).sort();
    out.listenersBefore = window.__cmp.listeners.size;
    v.erase();
    v.free();
    out.listenersAfter = window.__cmp.listeners.size;
    out.keysAfter = Object.keys(localStorage).filter((k) => k.startsWith('gpc-test:'));
    return out;
  }, tc);
  assert.equal(result.listening, true);
  assert.deepEqual([result.afterCmp.personalization, result.afterCmp.storage, result.afterCmp.source], [false, true, 'gpc']);
  assert.deepEqual(result.tracked, { accepted: false, reason: 'no_consent' });
  assert.equal(result.gpc, true);
  assert.deepEqual([result.afterBanner.personalization, result.afterBanner.source], [true, 'explicit']);
  assert.deepEqual(result.trackedAfter, { accepted: true });
  assert.deepEqual(result.keys, ['gpc-test:consent', 'gpc-test:profile']);
  assert.deepEqual([result.listenersBefore, result.listenersAfter], [1, 0]);
  assert.deepEqual(result.keysAfter, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a withdrawal and a new yes while another tab is busy: nothing of that tab\'s copy from before comes back', async () => {
  // Found by the third re-audit of the twenty-ninth round: tab a, in a long task while the
  // shopper withdrew in tab b and gave the consent again, wrote (or merged) its copy of before
  // into the new profile, and every tab had `x-1` again.
  const { context, problems } = await newPage(env.browser);
  const a = await tab(context, problems);
  const b = await tab(context, problems);
  await a.evaluate(() => window.vitrine.setConsent({ personalization: true, storage: true }));
  await view(a, 'x-1');
  await until('tab b to take over the profile', async () => (await recent(b)).includes('x-1'));
  const busy = a.evaluate(() => {
    const end = Date.now() + 1500;
    while (Date.now() < end);
    return { ...window.vitrine.track('Product Viewed', { product_id: 'x-2', category: 'Candles' }), at: Date.now() };
  });
  await new Promise((r) => setTimeout(r, 300));
  const inB = await b.evaluate(() => {
    const t = Date.now();
    window.vitrine.setConsent({ personalization: false, storage: true });
    window.vitrine.setConsent({ personalization: true, storage: true });
    window.vitrine.track('Product Viewed', { product_id: 'y-1', category: 'Candles' });
    return t;
  });
  const endOfA = await busy;
  assert.ok(endOfA.accepted);
  assert.ok(inB < endOfA.at, 'tab b acted while tab a was busy');
  const settled = async (p) => (await recent(p)).includes('y-1');
  await until('both tabs to hold the new profile', async () => (await settled(a)) && (await settled(b)));
  await new Promise((r) => setTimeout(r, 300));
  for (const p of [a, b, await tab(context, problems)]) {
    const held = await recent(p);
    assert.ok(!held.includes('x-1') && held.includes('y-1'), JSON.stringify(held));
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("an instance kept in memory erases what another stored: erase() deletes the namespace's records from localStorage too", async () => {
  // Found by the privacy audit: a page opening vitrine with `storage: 'memory'` (a site that
  // changed its setting, a second widget) left the profile an earlier page had stored.
  const { context, problems } = await newPage(env.browser);
  const a = await tab(context, problems);
  await a.evaluate(() => window.vitrine.setConsent({ personalization: true, storage: true }));
  await view(a, 'x-1');
  await a.evaluate(() => window.vitrine.exportData());
  assert.deepEqual((await vitrineKeys(a)).sort(), ['vitrine:consent', 'vitrine:profile']);
  await a.evaluate(() => localStorage.setItem('other:profile', 'not vitrine\'s'));
  const kept = await a.evaluate(() => {
    const m = window.vitrine.constructor.open({ storage: 'memory', consent: { personalization: true } });
    const keys = m.audit().storage.keys.length;
    m.erase();
    m.free();
    return keys;
  });
  assert.equal(kept, 0, 'a memory instance lists no stored key');
  assert.deepEqual(await vitrineKeys(a), []);
  assert.equal(await a.evaluate(() => localStorage.getItem('other:profile')), 'not vitrine\'s');
  await until('the stored instance to let go', async () => (await a.evaluate(() => window.vitrine.profile())) === null);
  assert.deepEqual(await vitrineKeys(a), [], 'nothing written back');
  assert.deepEqual(problems, []);
  await context.close();
});
