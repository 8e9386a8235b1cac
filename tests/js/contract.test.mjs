// Every method of the public contract, exercised against the built pkg/ from Node.
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine, { makeCatalog } from './load.mjs';

const { Vitrine, version } = vitrine;
const catalog = makeCatalog(60);
const granted = { personalization: true, storage: true };

test('version is the package version', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../pkg/package.json', import.meta.url)));
  assert.equal(version(), pkg.version);
});

test('a call before the module is loaded says what to do', async () => {
  const { readFileSync } = await import('node:fs');
  // A module instance of its own (the query string), not yet loaded.
  const fresh = await import(new URL('../../pkg/vitrine.js?not-loaded', import.meta.url));
  const said = { name: 'Error', message: /^vitrine: the module is not loaded yet: `await init\(\)` first \(in Node: `initSync\(\{ module: bytes \}\)`\)$/ };
  assert.throws(() => fresh.Vitrine.open({ catalog }), said);
  assert.throws(() => fresh.version(), said);
  await assert.rejects(fresh.Vitrine.load({ model: new Response(new Uint8Array(64)) }), said);
  fresh.initSync({ module: readFileSync(new URL('../../pkg/vitrine_bg.wasm', import.meta.url)) });
  const v = fresh.Vitrine.open({ catalog, storage: 'memory' });
  assert.equal(v.recommend({ scenario: 'trending', k: 3 }).length, 3);
  v.free();
  // Loading again is harmless.
  fresh.initSync({ module: readFileSync(new URL('../../pkg/vitrine_bg.wasm', import.meta.url)) });
  assert.equal(fresh.version(), version());
});

test('refused consent: nothing is tracked, shelves still answer without a profile', () => {
  const v = Vitrine.open({ catalog, storage: 'memory' });
  assert.deepEqual(v.consent(), { personalization: false, storage: false, sensitive: false, source: 'default', updatedAt: v.consent().updatedAt });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-0' }), { accepted: false, reason: 'no_consent' });
  assert.equal(v.profile(), null);
  const shelf = v.recommend({ scenario: 'for_you', k: 5 });
  assert.equal(shelf.length, 5);
  for (const r of shelf) assert.ok(r.reasons.length > 0 && typeof r.itemId === 'string');
  assert.deepEqual(v.recommend({ scenario: 'recently_viewed' }), []);
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }), []);
  assert.equal(v.recommend({ scenario: 'similar', itemId: 'candles-0', k: 3 }).length, 3);
  assert.equal(v.audit().profile.held, false);
  assert.equal(v.exportData().profile, null);
  v.free();
});

test('consent given: every vocabulary tracks, the shelf follows, results are plain JSON', () => {
  // No cap on one signal's share of the shelf (default 0.5; tests/js/human.test.mjs covers it).
  const v = Vitrine.open({ catalog, consent: granted, storage: 'memory', policy: { maxSignalShare: 1 } });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-5', price: 20 }), { accepted: true });
  assert.deepEqual(v.track('view_item', { items: [{ item_id: 'candles-10' }] }), { accepted: true });
  assert.deepEqual(v.track('product_viewed', { productVariant: { product: { id: 'candles-15' } } }), { accepted: true });
  assert.deepEqual(v.track('add_to_cart', { items: [{ item_id: 'candles-20', quantity: 2 }] }, { timestamp: new Date() }), { accepted: true });
  const shelf = v.recommend({ scenario: 'for_you', k: 6, diversity: 0 });
  assert.ok(shelf.filter((r) => r.itemId.startsWith('candles-')).length >= 5, JSON.stringify(shelf));
  for (let i = 1; i < shelf.length; i++) assert.ok(shelf[i - 1].score >= shelf[i].score);
  assert.deepEqual(JSON.parse(JSON.stringify(shelf)), shelf);
  const p = v.profile();
  assert.equal(p.categories[0].name, 'candles');
  assert.deepEqual(p.recentlyViewed, ['candles-15', 'candles-10', 'candles-5']);
  assert.deepEqual(p.cart, ['candles-20']);
  assert.deepEqual(v.recommend({ scenario: 'recently_viewed', k: 2 }).map((r) => r.itemId), ['candles-15', 'candles-10']);
  const cart = v.recommend({ scenario: 'cart', k: 4 });
  assert.ok(!cart.some((r) => r.itemId === 'candles-20'), 'the cart item itself is not suggested');
  v.free();
});

test('bad events are refused with a reason; wrong types throw clear Errors; the instance keeps working', () => {
  const v = Vitrine.open({ catalog, consent: granted, storage: 'memory' });
  const refused = [
    [['Product Exploded', { product_id: 'a' }], 'unknown_event'],
    [['Product Viewed', {}], 'missing_item_id'],
    [['Product Viewed', { product_id: 'a', price: NaN }], 'invalid_price'],
    [['Product Viewed', { product_id: 'a', price: -1 }], 'invalid_price'],
    [['Product Viewed', { product_id: 'x'.repeat(200) }], 'string_too_long'],
    [['Product Viewed', { product_id: 'a', category: 'c'.repeat(300) }], 'string_too_long'],
    [['Products Searched', {}], 'missing_query'],
  ];
  for (const [args, reason] of refused) assert.deepEqual(v.track(...args), { accepted: false, reason }, JSON.stringify(args).slice(0, 80));
  assert.throws(() => v.track(42), { name: 'Error', message: /track: event must be an event name string.*got number/ });
  assert.throws(() => v.track('Product Viewed', 'sku-1'), { name: 'Error', message: /properties must be an object/ });
  assert.throws(() => v.recommend({ scenario: 'for_me' }), { name: 'Error', message: /unknown scenario 'for_me'/ });
  assert.throws(() => v.recommend({ scenario: 'similar' }), /itemId is required/);
  assert.throws(() => v.recommend(), /options must be an object/);
  assert.throws(() => v.setConsent({ personalization: 'yes' }), /consent.personalization must be a boolean, got string/);
  assert.throws(() => Vitrine.open({ catalog: [{ title: 'no id' }] }), /open: catalog\[0\] has no id/);
  assert.throws(() => Vitrine.open({ consnet: {} }), /options.consnet is not a known option/);
  const deep = {}; let o = deep; for (let i = 0; i < 50; i++) o = o.next = {};
  assert.deepEqual(v.track('Product Viewed', deep), { accepted: false, reason: 'too_large' });
  const trap = new Proxy({}, { ownKeys() { throw new Error('trap'); } });
  assert.throws(() => v.track('Product Viewed', trap), /threw an exception/);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-0' }), { accepted: true }, 'still works');
  assert.equal(v.profile().events, 1);
  v.free();
});

test('withdrawal erases at once; erase() removes everything; export holds it all', () => {
  const v = Vitrine.open({ catalog, consent: granted, storage: 'memory' });
  v.track('Order Completed', { products: [{ product_id: 'mugs-1' }, { product_id: 'mugs-6' }] });
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }).map((r) => r.itemId).sort(), ['mugs-1', 'mugs-6']);
  const data = v.exportData();
  assert.equal(data.format, 'vitrine-export');
  assert.deepEqual(data.profile.purchases.map((p) => p.itemId), ['mugs-1', 'mugs-6']);
  assert.ok(data.storage.some((k) => k.key === 'vitrine:profile'));
  assert.equal(typeof data.profileBeganAt, 'number');
  const before = Date.now();
  const state = v.setConsent({ personalization: false, storage: true });
  assert.equal(state.personalization, false);
  assert.equal(v.profile(), null);
  // The withdrawal's time, which the consent record keeps (a copy of before is not taken back):
  // dated after anything the tab knows of, so a millisecond past its last write at most here.
  const after = v.exportData();
  assert.equal(after.profileBeganAt, null);
  assert.ok(after.erasedAt.profile >= before && after.erasedAt.profile <= Date.now() + 1, JSON.stringify(after.erasedAt));
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }), []);
  assert.deepEqual(v.audit().storage.keys.map((k) => k.key), ['vitrine:consent']);
  v.setConsent(granted);
  v.track('Product Viewed', { product_id: 'tea-4' });
  v.erase();
  const audit = v.audit();
  assert.deepEqual(audit.storage.keys, []);
  assert.equal(audit.profile.signals, 0);
  assert.ok(audit.history.some((e) => e.type === 'erase' && e.what === 'all'));
  assert.equal(audit.mode, 'local-only');
  assert.equal(audit.network.capable, false);
  v.free();
});

test('free() releases the instance; later calls throw instead of trapping', () => {
  const v = Vitrine.open({ catalog, storage: 'memory' });
  v.free();
  const freed = /^Error: vitrine: this instance was freed \(free\(\) was called\); open a new one$/;
  assert.throws(() => v.consent(), freed);
  assert.throws(() => v.track('Product Viewed', { product_id: catalog[0].id }), freed);
  assert.throws(() => v.free(), freed, 'a second free() says so too');
  // Other errors pass through unchanged.
  assert.throws(() => Vitrine.open({ catalog, storage: 'disk' }), /^Error: open: options.storage/);
});
