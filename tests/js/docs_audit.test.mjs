// The concrete promises of README.md, docs/API.md and pkg/vitrine.d.ts, checked against the built
// package as a first-time user reads them: the outputs written in comments after calls, the
// tables (refusal reasons, event names and weights, explanations, assistance), the defaults and
// ranges of the policy, and every number of API.md's "Limits" at its boundary (at the limit
// accepted, one past refused, with the documented reason or message).
// readme.test.mjs runs the snippets without reading their comments; types_runtime.test.mjs and
// contract.test.mjs check the declared shapes and the main calls: this file does not repeat them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine, { makeCatalog, pkgDir } from './load.mjs';

const { Vitrine, decodeTcString, npsSummary, version } = vitrine;
const TC = 'CP_h-0AP_lRwABRACBENAPEgALIAAEAAAAqIAewAwABAAlAB6ABBFABCQAQA9gAA';
const memory = (options = {}) => Vitrine.open({ storage: 'memory', ...options });
const personal = (catalog, options = {}) => memory({ catalog, consent: { personalization: true }, ...options });
const refused = (reason) => ({ accepted: false, reason });
const ok = { accepted: true };

// ---------------------------------------------------------------------------------------------
// The outputs written in the comments of README.md and docs/API.md's code blocks.

test('README quick start: the shelf is [{itemId, score, reasons}] and withdrawal erases the profile at once', () => {
  const v = memory({
    catalog: [{ id: 'sku-1', title: 'Amber candle', category: 'Candles', price: 12 }],
    consent: { personalization: true, storage: true },
  });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1', category: 'Candles', price: 12 }), ok);
  const shelf = v.recommend({ scenario: 'for_you', k: 8 });
  assert.deepEqual(Object.keys(shelf[0]), ['itemId', 'score', 'reasons']);
  v.setConsent({ personalization: false });
  assert.equal(v.profile(), null);
  v.free();
});

test('API.md Open: the consent() comment, and free() twice throws the quoted message', () => {
  const v = memory({
    catalog: [
      { id: 'sku-1', title: 'Amber candle', category: 'Candles', brand: 'Lumen', price: 12, popularity: 40 },
      { id: 'sku-3', title: 'Stoneware mug', category: 'Mugs', brand: 'Kiln', price: 18, popularity: 60, inStock: false },
    ],
    consent: { personalization: true, storage: false }, namespace: 'my-shop',
    policy: { halfLifeDays: 14, retentionDays: 30, diversity: 0.2 },
  });
  const c = v.consent();
  assert.deepEqual({ ...c, updatedAt: 0 }, { personalization: true, storage: false, sensitive: false, source: 'explicit', updatedAt: 0 });
  assert.equal(typeof c.updatedAt, 'number');
  v.free();
  assert.throws(() => v.free(), { message: 'vitrine: this instance was freed (free() was called); open a new one' });
});

test('API.md Track block: the invalid_price comment and the track(42) message', () => {
  const v = personal([{ id: 'sku-9', category: 'Candles' }]);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-9', price: 12 }), ok);
  assert.deepEqual(v.track('add_to_cart', { items: [{ item_id: 'sku-9', quantity: 2 }] }), ok);
  assert.deepEqual(v.track('product_viewed', { productVariant: { product: { id: 'sku-9', type: 'Candles' } } }), ok);
  assert.deepEqual(v.track('Order Completed', { products: [{ product_id: 'sku-9' }] }, { channel: 'instagram' }), ok);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-9', price: -1 }), refused('invalid_price'));
  assert.throws(() => v.track(42), { message: /^track: event must be an event name string .*, got number$/ });
  v.free();
});

test("API.md Recommend block: forYou[0] is sku-3 at 0.8 with the two reasons; recently viewed is sku-7, sku-3", () => {
  const catalog = Array.from({ length: 30 }, (_, i) => ({
    id: `sku-${i}`, category: i < 15 ? 'Candles' : 'Mugs', price: 10 + i, popularity: 30 - i,
  }));
  const v = personal(catalog);
  v.track('Product Viewed', { product_id: 'sku-3' });
  v.track('Product Viewed', { product_id: 'sku-7' });
  assert.deepEqual(v.recommend({ scenario: 'for_you', k: 4 })[0],
    { itemId: 'sku-3', score: 0.8, reasons: ['you viewed this before', 'because you like candles'] });
  const similar = v.recommend({ scenario: 'similar', itemId: 'sku-3', k: 3, filter: { maxPrice: 20 } });
  assert.equal(similar.length, 3);
  for (const r of similar) assert.ok(catalog.find((i) => i.id === r.itemId).price <= 20);
  assert.deepEqual(v.recommend({ scenario: 'recently_viewed' }).map((r) => r.itemId), ['sku-7', 'sku-3']);
  v.free();
});

test('API.md Consent block: every commented output', () => {
  const v = memory();
  assert.deepEqual(v.track('Product Viewed', { product_id: 'a' }), refused('no_consent'));
  v.setConsent({ personalization: true, storage: true });
  v.track('Product Viewed', { product_id: 'a' });
  assert.equal(v.profile().events, 1);
  v.setConsent({ personalization: false, storage: true });
  assert.equal(v.profile(), null);
  assert.deepEqual(v.audit().storage.keys.map((k) => k.key), ['vitrine:consent']);
  assert.deepEqual(decodeTcString(TC).purposeConsents, [1, 3, 4, 7]);
  const tcf = v.setConsent({ tcf: TC });
  assert.equal(tcf.storage, true);
  assert.equal(tcf.personalization, false);
  assert.throws(() => v.setConsent({ tcf: 'CAA' }), { message: /^invalid TC string: truncated: / });
  assert.equal(Vitrine.listenTcf(v), false);
  v.free();
});

test('API.md Channels block: the trending comment, no channel outside a page, the profile channels comment', () => {
  const v = memory({
    catalog: [
      { id: 'lamp', category: 'Lamps', popularity: 90 },
      { id: 'mug', category: 'Mugs', popularity: 20, popularityByChannel: { tiktok: 300 } },
    ],
  });
  assert.deepEqual(v.recommend({ scenario: 'trending', channel: 'tiktok' })[0],
    { itemId: 'mug', score: 0.8, reasons: ['trending among visitors from tiktok'] });
  assert.equal(v.recommend({ scenario: 'trending' })[0].itemId, 'lamp');
  assert.equal(v.channel(), null, 'API.md: `v.channel()` returns it (`null` outside a page)');
  v.setConsent({ personalization: true });
  v.track('Product Viewed', { product_id: 'lamp' }, { channel: 'IG' });
  assert.deepEqual(v.profile().channels, [{ name: 'instagram', weight: 1, share: 1 }]);
  v.free();
});

test('API.md importHistory block: every commented output', () => {
  const v = personal([{ id: 'beans', category: 'Coffee' }, { id: 'filter', category: 'Coffee' }]);
  const receipt = { order_id: 'POS-1042', timestamp: Date.now() - 3 * 86_400_000, channel: 'in_store',
    products: [{ product_id: 'beans', quantity: 2, price: 9.5 }] };
  assert.deepEqual(v.importHistory([receipt, receipt, { order_id: 'POS-7', products: [{ product_id: 'filter' }] }]),
    { imported: 1, duplicates: 1, refused: [{ index: 2, reason: 'invalid_timestamp' }] });
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }).map((r) => r.itemId), ['beans']);
  assert.deepEqual(v.track('Order Completed', { order_id: 'POS-1042', products: [{ product_id: 'beans', quantity: 2, price: 9.5 }] }),
    refused('duplicate'));
  v.free();
  const off = memory({ catalog: [{ id: 'beans' }] });
  assert.deepEqual(off.importHistory([receipt]), { imported: 0, duplicates: 0, refused: [], reason: 'no_consent' });
  off.free();
});

test('API.md Surveys block: profile().nps, promotions paused, for_you leads with the purchase, npsSummary', () => {
  const v = personal([{ id: 'tea' }, { id: 'cup' }]);
  v.track('Order Completed', { products: [{ product_id: 'cup' }] });
  v.track('Survey Answered', { score: 4, comment: 'my parcel was late' });
  const nps = v.profile().nps;
  assert.deepEqual({ ...nps, at: 0 }, { score: 4, class: 'detractor', at: 0 });
  assert.deepEqual(v.recommend({ scenario: 'trending' }), []);
  assert.equal(v.recommend({ scenario: 'for_you' })[0].itemId, 'cup');
  assert.deepEqual(npsSummary([10, 9, 9, 8, 7, 6, 3, 10, 9, 0]), {
    responses: 10, promoters: 5, passives: 2, detractors: 3, nps: 20, standardError: 23.32,
    interval: { level: 0.95, low: -30.33, high: 61.1 }, method: 'adjusted-wald' });
  v.free();
});

test('API.md assistance block: both commented outputs', () => {
  const v = personal([{ id: 'lamp' }]);
  for (const query of ['oak lamp', 'small oak lamp', 'wooden lamp']) v.track('Products Searched', { query });
  assert.deepEqual(v.assistance(), { suggestHuman: true, reasons: ['searches_without_click'] });
  v.track('Product Viewed', { product_id: 'lamp' });
  assert.deepEqual(v.assistance(), { suggestHuman: false, reasons: [] });
  v.free();
});

test('API.md sensitive block (and the d.ts explainShelf example): every commented output', () => {
  const v = memory({
    catalog: [
      { id: 'vitamins', category: 'Health' }, { id: 'test-kit', category: 'Pharmacy', sensitive: true },
      { id: 'mug', category: 'Mugs' }, { id: 'cup', category: 'Mugs' },
    ],
    consent: { personalization: true, storage: false }, policy: { sensitiveCategories: ['Health'] },
  });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'vitamins' }), refused('sensitive'));
  v.track('Product Viewed', { product_id: 'mug' });
  assert.deepEqual(v.explainShelf({ scenario: 'for_you' }), {
    scenario: 'for_you', served: 'for_you', personal: true,
    explanation: 'picked for you from your activity on this device',
    signals: ['views', 'categories'], channel: null, sensitiveExcluded: true, maxSignalShare: 0.5 });
  v.setConsent({ personalization: true, sensitive: true });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'vitamins' }), ok);
  v.setConsent({ personalization: true });
  assert.deepEqual(v.profile().categories.map((c) => c.name), ['mugs']);
  assert.ok(v.audit().history.some((e) => e.type === 'erase' && e.what === 'sensitive'));
  v.free();
});

// ---------------------------------------------------------------------------------------------
// pkg/vitrine.d.ts: the examples in its doc comments.

test('d.ts examples: consent() default, decodeTcString, npsSummary, version, open error, importHistory', () => {
  const v = memory({ catalog: [{ id: 'sku-9' }, { id: 'sku-2' }] });
  assert.deepEqual(v.consent(), { personalization: false, storage: false, sensitive: false, source: 'default', updatedAt: null });
  assert.equal(v.audit().network.capable, false);
  assert.deepEqual(v.assistance(), { suggestHuman: false, reasons: [] }, 'no consent: nothing known');
  v.setConsent({ personalization: true });
  assert.deepEqual(v.importHistory([{ order_id: 'POS-1042', timestamp: Date.now() - 3 * 86_400_000, channel: 'in_store',
    products: [{ product_id: 'sku-9', quantity: 2, price: 12 }] }]), { imported: 1, duplicates: 0, refused: [] });
  assert.equal(v.recommend({ scenario: 'buy_again' })[0].itemId, 'sku-9');
  v.erase();
  assert.equal(v.consent().source, 'default');
  v.free();
  const tc = decodeTcString(TC);
  assert.deepEqual(tc.purposeConsents, [1, 3, 4, 7]);
  assert.deepEqual(tc.vendorConsents, [2, 37, 61]);
  assert.deepEqual(tc.publisherRestrictions, [{ purposeId: 2, restrictionType: 1, vendors: [123] }]);
  assert.equal(tc.version, 2);
  assert.throws(() => decodeTcString('CAA'), { message: 'invalid TC string: truncated: the core segment ends inside created' });
  assert.equal(npsSummary([10, 9, 9, 8, 7, 6, 3, 10, 9, 0]).nps, 20);
  assert.throws(() => npsSummary([11]), { message: 'npsSummary: scores[0] must be an integer from 0 to 10, got 11' });
  assert.equal(npsSummary(new Uint8Array([10, 9, 3]), { level: 0.9 }).interval.level, 0.9);
  assert.equal(version(), '0.1.0');
  assert.throws(() => Vitrine.open({ catalog: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { title: 'x' }] }), { message: 'open: catalog[3] has no id' });
});

test('d.ts recommend examples: the first item scores what the examples show (class example, default diversity; recommend example, diversity 0.5)', () => {
  // With diversity re-ranking the first pick scores (1 − diversity) × relevance at most: 0.8 under
  // the default 0.2, 0.5 at 0.5 (the examples said 1, which needs diversity 0).
  const dts = readFileSync(new URL('vitrine.d.ts', `file://${pkgDir}`), 'utf8');
  const shown = [...dts.matchAll(/\/\/ (?:→ )?\[\{ itemId: 'sku-12', score: ([\d.]+),/g)].map((m) => Number(m[1]));
  assert.equal(shown.length, 2, 'two examples show a first item');
  const v = personal(makeCatalog(60));
  v.track('Product Viewed', { product_id: 'candles-5', category: 'Candles', price: 12 });
  const forYou = v.recommend({ scenario: 'for_you', k: 8 });
  const cart = v.recommend({ scenario: 'cart', itemIds: ['candles-5', 'mugs-1'], diversity: 0.5 });
  assert.deepEqual([forYou[0].score, cart[0].score], shown);
  v.free();
});

test('README: every export of the package but the two internals it names is documented in pkg/vitrine.d.ts', () => {
  const dts = readFileSync(new URL('vitrine.d.ts', `file://${pkgDir}`), 'utf8');
  // README: but `ModelLoad` and `Vitrine.openLoaded`, the pieces of `Vitrine.load` its glue needs.
  const undeclared = Object.keys(vitrine).filter((name) => name !== 'default' && name !== 'ModelLoad'
    && !new RegExp(`export (class|function|const) ${name}\\b`).test(dts));
  const statics = Object.getOwnPropertyNames(Vitrine).filter((n) => typeof Vitrine[n] === 'function' && !n.startsWith('__') && n !== 'openLoaded');
  const undeclaredStatics = statics.filter((n) => !new RegExp(`static ${n}\\(`).test(dts)).map((n) => `Vitrine.${n}`);
  assert.deepEqual([...undeclared, ...undeclaredStatics], [], 'public at runtime, absent from vitrine.d.ts');
});

test('d.ts: the object forms of init and initSync load without a warning; the bare forms, which warn, are declared @deprecated', async () => {
  const dts = readFileSync(new URL('vitrine.d.ts', `file://${pkgDir}`), 'utf8');
  assert.match(dts, /@deprecated[^\n]*\*\/\nexport function initSync\(module: SyncInitInput[^)]*\): InitOutput;/);
  assert.match(dts, /@deprecated[^\n]*\*\/\nexport default function __wbg_init \(module_or_path: \(InitInput[^)]*\) \| Promise<InitInput>\)/);
  const bytes = readFileSync(new URL('vitrine_bg.wasm', `file://${pkgDir}`));
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    const a = await import(new URL('vitrine.js?docs-audit-sync', `file://${pkgDir}`));
    a.initSync({ module: bytes });
    assert.equal(a.version(), '0.1.0');
    const b = await import(new URL('vitrine.js?docs-audit-init', `file://${pkgDir}`));
    await b.default({ module_or_path: bytes });
    assert.equal(b.version(), '0.1.0');
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
});

// ---------------------------------------------------------------------------------------------
// Track: the event-name table with its kinds and weights, the refusal table.

test('API.md Track table: each Segment, GA4 and Shopify name counts as its kind, with its weight', () => {
  const catalog = [{ id: 'a', category: 'Candles', brand: 'Lumen', price: 10 }];
  const variant = { product: { id: 'a' } };
  const rows = [
    ['view', 1, ['Product Viewed', 'view_item', ['product_viewed', { productVariant: variant }]]],
    ['click', 1, ['Product Clicked', 'select_item']],
    ['add', 3, ['Product Added', 'Wishlist Product Added to Cart', 'add_to_cart', ['product_added_to_cart', { cartLine: { merchandise: variant } }]]],
    ['remove', null, ['Product Removed', 'remove_from_cart', ['product_removed_from_cart', { cartLine: { merchandise: variant } }]]],
    ['search', null, [['Products Searched', { query: 'candle' }], ['search', { search_term: 'candle' }],
      ['view_search_results', { search_term: 'candle' }], ['search_submitted', { searchResult: { query: 'candle' } }]]],
    ['list_view', 0.5, [['Product List Viewed', { category: 'Candles' }], ['Product List Filtered', { category: 'Candles' }],
      ['view_item_list', { item_list_name: 'x', items: [{ item_id: 'a' }] }], ['collection_viewed', { collection: { title: 'Candles' } }]]],
    ['cart_view', 0.5, ['Cart Viewed', 'view_cart', ['cart_viewed', { cart: { lines: [{ merchandise: variant }] } }]]],
    ['checkout', 3, ['Checkout Started', 'begin_checkout', ['checkout_started', { checkout: { lineItems: [{ variant }] } }]]],
    ['purchase', 5, ['Order Completed', 'purchase', ['checkout_completed', { checkout: { lineItems: [{ variant }] } }]]],
    ['wishlist', 2, ['Product Added to Wishlist', 'add_to_wishlist']],
    ['survey', null, [['Survey Answered', { score: 9 }], ['survey_answered', { score: 9 }]]],
    ['page_view', null, ['Page Viewed', 'page_view', 'page_viewed']],
  ];
  for (const [kind, weight, names] of rows) {
    for (const entry of names) {
      const lists = ['Order Completed', 'purchase', 'Checkout Started', 'begin_checkout', 'Cart Viewed', 'view_cart'];
      const [name, props] = Array.isArray(entry) ? entry
        : [entry, lists.includes(entry) ? { products: [{ product_id: 'a' }] } : { product_id: 'a' }];
      const v = personal(catalog, { policy: { halfLifeDays: 365 } });
      assert.deepEqual(v.track(name, props), ok, name);
      assert.deepEqual(v.profile().counts, { [kind]: 1 }, name);
      if (weight !== null) assert.deepEqual(v.exportData().profile.categories.map((c) => c.weight), [weight], `${name}: weight`);
      v.free();
    }
  }
  // remove: −2 on the item only; click: a look as a view is.
  const v = personal(catalog, { policy: { halfLifeDays: 365 } });
  v.track('Product Added', { product_id: 'a' });
  v.track('Product Removed', { product_id: 'a' });
  const p = v.exportData().profile;
  assert.equal(p.items[0].weight, 1);
  assert.equal(p.categories[0].weight, 3);
  v.track('Product Clicked', { product_id: 'a' });
  assert.deepEqual(v.profile().recentlyViewed, ['a']);
  assert.equal(v.exportData().profile.items[0].views, 1);
  v.free();
});

test('API.md Surveys: vitrine keeps the latest score and its time only (not the item an answer names)', () => {
  // API.md, Surveys: "vitrine keeps the **latest score and its time only**" (Track table: "score kept").
  const v = personal([{ id: 'sku-1', category: 'Candles' }]);
  assert.deepEqual(v.track('Survey Answered', { score: 3, product_id: 'sku-1', comment: 'broke in the post' }), ok);
  const p = v.exportData().profile;
  assert.deepEqual({ ...p.survey, at: 0 }, { score: 3, class: 'detractor', at: 0 });
  assert.deepEqual(p.items, [], 'the survey answer kept an item of the profile');
  v.free();
});

test("API.md refusal table: each reason occurs where the table says, at its documented bounds", () => {
  const v = personal([{ id: 'a', category: 'Candles' }]);
  const t = (props, options, name = 'Product Viewed') => v.track(name, props, options);
  const now = Date.now();
  const cases = [
    [t({ product_id: 'a' }), ok],
    [t({}, undefined, 'Product Exploded'), refused('unknown_event')],
    ...['Coupon Applied', 'add_shipping_info', 'checkout_contact_info_submitted', 'Order Refunded', 'refund']
      .map((n) => [t({}, undefined, n), refused('ignored_event')]),
    ...['Product Viewed', 'Product Clicked', 'Product Added', 'Product Removed', 'Product Added to Wishlist', 'Order Completed']
      .map((n) => [t({}, undefined, n), refused('missing_item_id')]),
    [t({ product_id: '' }), refused('missing_item_id')],
    [t({ items: [{ item_name: 'Amber candle' }] }, undefined, 'purchase'), refused('missing_item_id')],
    [t({ product_id: 1.5 }), refused('invalid_item_id')],
    [t({ product_id: {} }), refused('invalid_item_id')],
    [t({ product_id: 'a', price: 0 }), ok],
    [t({ product_id: 'a', price: 1e9 }), ok],
    [t({ product_id: 'a', price: 1e9 + 1 }), refused('invalid_price')],
    [t({ product_id: 'a', price: Infinity }), refused('invalid_price')],
    [t({ product_id: 'a', price: '12.99' }), ok],
    [t({ product_id: 'a', price: '€1.299,00' }), refused('invalid_price')],
    [t({ product_id: 'a', price: '' }), ok],
    [t({ product_id: 'a', quantity: 0.000001 }, undefined, 'Product Added'), ok],
    [t({ product_id: 'a', quantity: 0.0000009 }, undefined, 'Product Added'), refused('invalid_quantity')],
    [t({ product_id: 'a', quantity: 100000 }, undefined, 'Product Added'), ok],
    [t({ product_id: 'a', quantity: 100001 }, undefined, 'Product Added'), refused('invalid_quantity')],
    [t({}, undefined, 'Products Searched'), refused('missing_query')],
    [t({ search_term: '' }, undefined, 'search'), refused('missing_query')],
    [t({}, undefined, 'Product List Viewed'), refused('missing_list')],
    [t({ products: [] }, undefined, 'Product List Viewed'), refused('missing_list')],
    ...[{ category: 'x' }, { item_list_name: 'Related' }, { list_id: 'x' }, { item_list_id: 'x' }, { collection: { title: 'Frontpage' } }]
      .map((p) => [t(p, undefined, 'view_item_list'), ok]),
    [t({ product_id: 'a', category: 5 }), refused('invalid_property')],
    [t({ products: 'x' }, undefined, 'Order Completed'), refused('invalid_property')],
    [t({ product_id: 'a' }, { timestamp: 'yesterday' }), refused('invalid_timestamp')],
    [t({ product_id: 'a' }, { timestamp: '2026-11-24T13:45:00' }), refused('invalid_timestamp')],
    [t({ product_id: 'a' }, { timestamp: now * 1000 }), refused('invalid_timestamp')],
    [t({ product_id: 'a' }, { timestamp: Date.UTC(10000, 0, 1) - 1 }), ok],
    [t({ product_id: 'a' }, { timestamp: Date.UTC(10000, 0, 1) }), refused('invalid_timestamp')],
    [t({ product_id: 'a' }, { timestamp: -1 }), refused('invalid_timestamp')],
    [t({ product_id: 'a' }, { timestamp: Math.floor(now / 1000) }), refused('expired')],
    [t({ product_id: 'a' }, { channel: 5 }), refused('invalid_channel')],
    [t({ score: 10 }, undefined, 'Survey Answered'), ok],
    [t({ score: 0 }, undefined, 'Survey Answered'), ok],
    ...[{ score: 11 }, { score: 5.5 }, {}, { score: '7' }].map((p) => [t(p, undefined, 'Survey Answered'), refused('invalid_score')]),
  ];
  cases.forEach(([got, want], i) => assert.deepEqual(got, want, `case ${i}`));
  v.free();
});

test('API.md timestamp forms: ISO 8601 with a zone as Segment and Shopify write it; a date alone is midnight UTC', () => {
  const v = personal([{ id: 'a' }]);
  const day = new Date().toISOString().slice(0, 10);
  for (const ts of [new Date(), `${day}T00:14:03.512Z`, `${day}T09:14:03+01:00`, `${day} 13:45:00 +0200`, `${day} 13:45:00 UTC`]) {
    assert.deepEqual(v.track('Product Viewed', { product_id: 'a' }, { timestamp: ts }), ok, String(ts));
  }
  v.free();
  const w = personal([{ id: 'a' }]);
  w.track('Product Viewed', { product_id: 'a' }, { timestamp: day });
  assert.equal(w.exportData().profile.lastSeen, Date.parse(`${day}T00:00:00Z`));
  w.free();
});

// ---------------------------------------------------------------------------------------------
// API.md "Limits": at the limit accepted, one past refused.

test('Limits: ids, names, product lines, strings, nesting and the 4 MiB of one track call, at the boundary', () => {
  const v = personal([{ id: 'a' }]);
  const t = (props, options, name = 'Product Viewed') => v.track(name, props, options);
  assert.deepEqual(t({ product_id: 'x'.repeat(128) }), ok);
  assert.deepEqual(t({ product_id: 'x'.repeat(129) }), refused('string_too_long'));
  assert.deepEqual(t({ product_id: 'é'.repeat(64) }), ok, '128 bytes of UTF-8');
  assert.deepEqual(t({ product_id: `${'é'.repeat(64)}a` }), refused('string_too_long'));
  assert.deepEqual(t({ product_id: 2 ** 53 - 1 }), ok);
  assert.deepEqual(t({ product_id: 2 ** 53 }), refused('invalid_item_id'), 'not a safe integer');
  for (const field of ['category', 'brand']) {
    assert.deepEqual(t({ product_id: 'a', [field]: 'c'.repeat(256) }), ok, field);
    assert.deepEqual(t({ product_id: 'a', [field]: 'c'.repeat(257) }), refused('string_too_long'), field);
  }
  assert.deepEqual(t({ product_id: 'a', category: 'é'.repeat(128) }), ok);
  assert.deepEqual(t({ product_id: 'a', category: ` ${'c'.repeat(256)}` }), refused('string_too_long'), 'counted before trimming');
  assert.deepEqual(t({ query: 'q'.repeat(256) }, undefined, 'Products Searched'), ok);
  assert.deepEqual(t({ query: 'q'.repeat(257) }, undefined, 'Products Searched'), refused('string_too_long'));
  assert.deepEqual(t({ product_id: 'a' }, { channel: 'c'.repeat(256) }), ok);
  assert.deepEqual(t({ product_id: 'a' }, { channel: 'c'.repeat(257) }), refused('string_too_long'));
  const lines = (n) => Array.from({ length: n }, (_, i) => ({ product_id: `p${i}` }));
  assert.deepEqual(t({ products: lines(500) }, undefined, 'Order Completed'), ok);
  assert.deepEqual(t({ products: lines(501) }, undefined, 'Order Completed'), refused('too_many_items'));
  assert.deepEqual(t({ product_id: 'a', note: 'x'.repeat(1048576) }), ok);
  assert.deepEqual(t({ product_id: 'a', note: 'x'.repeat(1048577) }), refused('string_too_long'));
  assert.deepEqual(t({ product_id: 'a' }, { note: 'x'.repeat(1048577) }), refused('string_too_long'), 'options too');
  const nest = (levels) => { const root = { product_id: 'a' }; let o = root; for (let i = 1; i < levels; i++) o = o.x = {}; return root; };
  assert.deepEqual(t(nest(12)), ok);
  assert.deepEqual(t(nest(13)), refused('too_large'));
  // 4,194,304 UTF-16 units of strings and keys in all, the event name included.
  const fixed = 'Product Viewed'.length + 'product_id'.length + 'a'.length + 'abcd'.length;
  const big = (total) => { const q = Math.floor(total / 4); return { product_id: 'a', a: 'x'.repeat(q), b: 'x'.repeat(q), c: 'x'.repeat(q), d: 'x'.repeat(total - 3 * q) }; };
  assert.deepEqual(t(big(4194304 - fixed)), ok);
  assert.deepEqual(t(big(4194304 - fixed + 1)), refused('too_large'));
  v.free();
});

test('Limits: k, itemIds, exclude, one string and 50,000 values in recommend; TC string length', () => {
  const v = personal(makeCatalog(120));
  assert.equal(v.recommend({ scenario: 'trending', k: 100 }).length, 100);
  assert.equal(v.recommend({ scenario: 'trending' }).length, 10, 'default k');
  for (const k of [0, 101, 1.5]) assert.throws(() => v.recommend({ scenario: 'trending', k }), { message: /options\.k must be .* from 1 to 100/ });
  const ids = (n) => Array.from({ length: n }, (_, i) => `z${i}`);
  assert.equal(v.recommend({ scenario: 'cart', itemIds: ids(1000) }).length, 10);
  assert.throws(() => v.recommend({ scenario: 'cart', itemIds: ids(1001) }), { message: /itemIds has more than the limit of 1000/ });
  assert.equal(v.recommend({ scenario: 'trending', exclude: ids(1000) }).length, 10);
  assert.throws(() => v.recommend({ scenario: 'trending', exclude: ids(1001) }), { message: /exclude has more than the limit of 1000/ });
  assert.throws(() => v.recommend({ scenario: 'similar', itemId: 'x'.repeat(1048577) }), { message: /the value is too large/ });
  assert.throws(() => v.recommend({ scenario: 'trending', filter: { category: ids(50001) } }),
    { message: 'recommend: the value is too large: more than 50000 values, or more than 4194304 characters and bytes in all' });
  assert.throws(() => v.setConsent({ tcf: 'C'.repeat(100000) }), { message: /^invalid TC string: truncated/ }, 'read at the limit');
  assert.throws(() => v.setConsent({ tcf: 'C'.repeat(100001) }), { message: /longer than the limit of 100000/ });
  assert.throws(() => decodeTcString('C'.repeat(100001)), { message: /longer than 100000 characters/ });
  v.free();
});

test('Limits: catalog title, tags, ids, names and popularityByChannel, at the boundary', () => {
  const open = (catalog) => { const v = memory({ catalog }); v.free(); };
  const good = [
    [{ id: 'x'.repeat(128) }], [{ id: 2 ** 53 - 1 }], [{ id: 'a', title: 't'.repeat(1024) }],
    [{ id: 'a', tags: Array.from({ length: 64 }, (_, i) => `t${i}`) }], [{ id: 'a', tags: ['t'.repeat(256)] }],
    [{ id: 'a', category: 'c'.repeat(256), brand: 'b'.repeat(256) }],
    [{ id: 'a', popularityByChannel: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`a${i}`, 1])) },
      { id: 'b', popularityByChannel: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`b${i}`, 1])) }],
    [{ id: 'a', price: '21.99', tags: 'summer, linen' }],
  ];
  for (const c of good) assert.doesNotThrow(() => open(c), JSON.stringify(c).slice(0, 80));
  const bad = [
    [[{ id: 'x'.repeat(129) }], /id must be a non-empty string of at most 128 bytes or an integer/],
    [[{ id: 2 ** 53 }], /id must be/],
    [[{ id: 'a', title: 't'.repeat(1025) }], /title is longer than 1024 bytes/],
    [[{ id: 'a', tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }], /at most 64 strings/],
    [[{ id: 'a', tags: Array.from({ length: 65 }, (_, i) => `t${i}`).join(',') }], /at most 64 strings/],
    [[{ id: 'a', tags: ['t'.repeat(257)] }], /at most 256 bytes/],
    [[{ id: 'a', category: 'c'.repeat(257) }], /category is longer than 256 bytes/],
    [[{ id: 'a', popularityByChannel: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`a${i}`, 1])) }], /at most 32 channels/],
    [[{ id: 'a', popularityByChannel: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`a${i}`, 1])) },
      { id: 'b', popularityByChannel: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`b${i}`, 1])) },
      { id: 'c', popularityByChannel: { c: 1 } }], /more than 64 channels in all/],
    [[{ id: 7 }, { id: '7' }], /appears twice/],
  ];
  for (const [c, message] of bad) assert.throws(() => open(c), { message }, JSON.stringify(c).slice(0, 80));
});

test('Limits: importHistory takes 1,000 orders of 500 lines per call', () => {
  const v = personal([{ id: 'a' }]);
  const orders = (n) => Array.from({ length: n }, (_, i) => ({ order_id: `o${i}`, timestamp: Date.now() - i, products: [{ product_id: 'a' }] }));
  assert.equal(v.importHistory(orders(1000)).imported, 1000);
  assert.throws(() => v.importHistory(orders(1001)), { message: /more than the limit of 1000 orders/ });
  assert.deepEqual(v.importHistory([{ order_id: 'L', timestamp: Date.now(),
    products: Array.from({ length: 501 }, (_, i) => ({ product_id: `p${i}` })) }]),
  { imported: 0, duplicates: 0, refused: [{ index: 0, reason: 'too_many_items' }] });
  v.free();
});

test('Limits: the profile holds at most what the table lists, in under 192 KiB', () => {
  const catalog = makeCatalog(400);
  const v = personal(catalog, { policy: { maxSignalShare: 1 } });
  const now = Date.now();
  for (let i = 0; i < 300; i++) {
    v.track('Product Viewed', { product_id: `ext-${i}`, category: `cat${i}`, brand: `brand${i}`, price: 1 + i * 37 },
      { channel: `ch${i}`, timestamp: now - (300 - i) * 1000 });
  }
  for (let i = 0; i < 60; i++) v.track('Product Added', { product_id: catalog[i].id });
  for (let i = 0; i < 20; i++) v.track('Products Searched', { query: `q${i}` });
  for (let i = 0; i < 140; i++) v.track('Order Completed', { order_id: `o${i}`, products: [{ product_id: catalog[100 + i].id }] }, { timestamp: now - (140 - i) * 10 });
  for (let i = 0; i < 12; i++) { v.track('Product Added', { product_id: catalog[300 + i].id }); v.track('Product Removed', { product_id: catalog[300 + i].id }); }
  const p = v.exportData().profile;
  const held = { items: p.items.length, categories: p.categories.length, brands: p.brands.length, channels: p.channels.length,
    purchases: p.purchases.length, recentlyViewed: p.recentlyViewed.length, searches: p.searches.length,
    priceBands: p.priceBands.length, cartRemovals: p.cartRemovals.length, orders: p.orders.length };
  assert.deepEqual(held, { items: 256, categories: 64, brands: 64, channels: 16, purchases: 128, recentlyViewed: 20,
    searches: 8, priceBands: 12, cartRemovals: 8, orders: 128 });
  assert.ok(p.cart.length <= 50);
  assert.ok(v.audit().profile.memoryBytes < 192 * 1024);
  for (const o of p.orders) assert.match(o.fingerprint, /^[0-9a-f]{16}$/);
  // Ranked below the 128 latest orders remembered: a duplicate.
  assert.deepEqual(v.track('Order Completed', { order_id: 'old', products: [{ product_id: catalog[5].id }] }, { timestamp: now - 3600e3 }),
    refused('duplicate'));
  v.free();
  // The cart holds 50 lines; a 51st takes the place of the line put in first.
  const c = personal(catalog);
  for (let i = 0; i < 51; i++) c.track('Product Added', { product_id: catalog[i].id });
  assert.equal(c.profile().cart.length, 50);
  assert.ok(!c.profile().cart.includes(catalog[0].id));
  c.free();
});

// ---------------------------------------------------------------------------------------------
// Open, policy, consent.

test('API.md Open and Policy: defaults, ranges (bounds accepted, one past refused naming the knob), namespace', () => {
  const v = memory();
  assert.deepEqual(v.audit().policy, { halfLifeDays: 14, retentionDays: 30, gpc: 'deny', sensitiveCategories: [], diversity: 0.2,
    rememberRefusal: false, maxSignalShare: 0.5, detractors: 'gentle', consentMaxAgeDays: 395, tcfPurposes: 'core' });
  assert.equal(v.audit().storage.namespace, 'vitrine');
  assert.deepEqual(v.audit().history.filter((e) => e.type === 'storageError'), [], 'the default: memory, without a note');
  v.free();
  const ranges = [['halfLifeDays', 0.1, 365, 0.09, 365.01], ['retentionDays', 1, 730, 0, 731], ['diversity', 0, 1, -0.01, 1.01],
    ['maxSignalShare', 0.1, 1, 0.09, 1.01], ['consentMaxAgeDays', 1, 3650, 0, 3651]];
  for (const [knob, lo, hi, below, above] of ranges) {
    for (const x of [lo, hi]) memory({ policy: { [knob]: x } }).free();
    for (const x of [below, above]) assert.throws(() => memory({ policy: { [knob]: x } }), { message: new RegExp(`^open: policy\\.${knob} must be `) });
  }
  for (const [knob, x] of [['gpc', 'ignore'], ['detractors', 'same'], ['tcfPurposes', 'publisher']]) memory({ policy: { [knob]: x } }).free();
  for (const [knob, x] of [['gpc', 'allow'], ['detractors', 'x'], ['tcfPurposes', 'x']]) {
    assert.throws(() => memory({ policy: { [knob]: x } }), { message: new RegExp(`^open: policy\\.${knob}`) });
  }
  assert.equal(memory({ namespace: 'a'.repeat(64) }).audit().storage.namespace, 'a'.repeat(64));
  assert.equal(memory({ namespace: 'A-z_0.9' }).audit().storage.namespace, 'A-z_0.9');
  for (const ns of ['a'.repeat(65), '', 'a:b']) assert.throws(() => memory({ namespace: ns }), { message: /namespace/ });
  const local = Vitrine.open({ storage: 'local', consent: { personalization: true, storage: true } });
  const a = local.audit();
  assert.equal(a.storage.backend, 'memory');
  assert.equal(a.storage.persistent, false);
  assert.ok(a.history.some((e) => e.type === 'storageError' && e.message === 'localStorage is not available here; using memory'));
  local.free();
});

test('API.md Consent: a consent that decides nothing throws, each with its documented message, and changes nothing', () => {
  // API.md, Consent: `{}` or only undefined values "decides nothing"; undefined or null "must be an object such as …".
  const v = memory();
  const said = { message: /^setConsent: consent decides nothing: / };
  assert.throws(() => v.setConsent({}), said);
  assert.throws(() => v.setConsent({ personalization: undefined }), said);
  assert.throws(() => Vitrine.open({ consent: {} }), { message: /^open: consent decides nothing: / });
  const before = v.consent();
  assert.throws(() => v.setConsent(undefined), { message: /^setConsent: consent must be an object such as .*, got undefined$/ });
  assert.throws(() => v.setConsent(null), { message: /^setConsent: consent must be an object such as .*, got null$/ });
  assert.deepEqual(v.consent(), before);
  v.free();
});

test('API.md Consent: Consent Mode keys, fail-closed, sensitive only from the banner and with personalization', () => {
  const v = memory();
  assert.equal(v.setConsent({ googleConsentMode: { ad_storage: 'granted' } }).personalization, false, 'without personalization_storage: denied');
  const all = v.setConsent({ googleConsentMode: { personalization_storage: 'granted', ad_storage: 'denied', ad_user_data: 'denied',
    ad_personalization: 'denied', analytics_storage: 'granted', functionality_storage: 'granted', security_storage: 'granted',
    wait_for_update: 500, region: ['ES'] } });
  assert.deepEqual([all.personalization, all.storage, all.source], [true, true, 'googleConsentMode']);
  assert.throws(() => v.setConsent({ googleConsentMode: { personalization_storage: 'granted', foo: 'granted' } }), { message: /foo is not a known option/ });
  assert.equal(v.setConsent({ sensitive: true }).sensitive, false, 'sensitive needs personalization');
  assert.equal(v.setConsent({ personalization: true, sensitive: true }).sensitive, true);
  assert.equal(v.setConsent({ googleConsentMode: { personalization_storage: 'granted' } }).sensitive, false);
  v.setConsent({ personalization: true, storage: true });
  assert.throws(() => v.setConsent({ tcf: 'CAA' }));
  assert.equal(v.consent().source, 'explicit', 'a malformed TC string changes nothing');
  v.erase();
  assert.deepEqual(v.consent(), { personalization: false, storage: false, sensitive: false, source: 'default', updatedAt: null });
  v.free();
});

// ---------------------------------------------------------------------------------------------
// Channels, explanations, assistance, recommend rules.

test("API.md Channels: options.channel labels normalize as the docs' examples say", () => {
  const examples = { IG: 'instagram', 'tiktok.com': 'tiktok', 'TikTok Shop': 'tiktok', 'In-Store': 'in_store', 'In Store': 'in_store',
    MAĞAZA: 'mağaza', 'ＩＧ': 'instagram', 'Pop-up Market': 'pop_up_market', tiktok_ads: 'tiktok', 'instagram-bio': 'instagram',
    'l.instagram.com': 'instagram', fb: 'facebook', msg: 'facebook', an: 'facebook', IGShopping: 'instagram', klaviyo: 'email',
    receipt: 'in_store', google: 'search', 't.co': 'x', 'x.com': 'x' };
  for (const [given, label] of Object.entries(examples)) {
    const v = personal([{ id: 'a' }]);
    v.track('Product Viewed', { product_id: 'a' }, { channel: given });
    assert.deepEqual(v.profile().channels.map((c) => c.name), [label], given);
    v.free();
  }
  const v = memory({ catalog: [{ id: 'lamp', popularity: 90 }, { id: 'mug', popularity: 20, popularityByChannel: { 'TikTok Shop': 300 } }] });
  assert.equal(v.recommend({ scenario: 'trending', channel: 'tiktok' })[0].itemId, 'mug', 'popularityByChannel keys normalized too');
  v.free();
});

test('API.md explainShelf table: the documented sentences, per scenario and state', () => {
  const v = memory({ catalog: makeCatalog(30) });
  const said = (o) => v.explainShelf(o).explanation;
  assert.equal(said({ scenario: 'for_you' }), 'popular right now: personalization is off, so nothing about you is used');
  assert.equal(v.explainShelf({ scenario: 'for_you' }).served, 'trending');
  assert.equal(said({ scenario: 'trending' }), 'popular right now');
  assert.equal(said({ scenario: 'recently_viewed' }), 'personalization is off');
  assert.equal(said({ scenario: 'buy_again' }), 'personalization is off');
  assert.deepEqual(v.recommend({ scenario: 'recently_viewed' }), []);
  assert.equal(said({ scenario: 'similar', itemId: 'candles-0' }), 'similar to the item you are looking at');
  assert.equal(said({ scenario: 'bought_together', itemId: 'candles-0' }),
    'popular right now: nothing is known yet of what is bought with the item you are looking at');
  for (const scenario of ['similar', 'bought_together']) {
    const e = v.explainShelf({ scenario, itemId: 'not-there' });
    assert.deepEqual([e.served, e.explanation], ['trending', 'popular right now: the item on screen is not in the catalog']);
  }
  assert.equal(said({ scenario: 'cart', itemIds: ['nope'] }),
    'popular right now: personalization is off, so nothing about you is used (no item in the cart is in the catalog)');
  v.setConsent({ personalization: true });
  assert.equal(said({ scenario: 'for_you' }), 'popular right now: nothing is known about you yet');
  assert.equal(said({ scenario: 'recently_viewed' }), 'what you viewed recently, on this device');
  assert.equal(said({ scenario: 'buy_again' }), 'what you bought before, online or in store');
  v.track('Product Viewed', { product_id: 'candles-0' });
  assert.equal(said({ scenario: 'for_you' }), 'picked for you from your activity on this device');
  assert.equal(said({ scenario: 'similar', itemId: 'candles-0' }), 'similar to the item you are looking at, nudged by your tastes');
  v.track('Order Completed', { products: [{ product_id: 'mugs-1' }] });
  v.track('Survey Answered', { score: 2 });
  assert.equal(said({ scenario: 'for_you' }), 'picked for you from your activity on this device, what you bought before first; promotions are paused');
  const t = v.explainShelf({ scenario: 'trending' });
  assert.deepEqual([t.served, t.explanation], [null, 'promotions are paused after your feedback']);
  v.free();
  const d = personal(makeCatalog(10));
  d.track('Survey Answered', { score: 1 });
  const only = d.explainShelf({ scenario: 'for_you' });
  assert.deepEqual([only.served, only.explanation], [null, 'promotions are paused after your feedback']);
  d.free();
  const empty = memory();
  assert.equal(empty.explainShelf({ scenario: 'for_you' }).explanation,
    'nothing to show: the catalog is empty (open was given no model or catalog, or an empty one)');
  empty.free();
  const plain = memory({ catalog: [{ id: 'a' }, { id: 'b' }] });
  assert.equal(plain.explainShelf({ scenario: 'trending' }).explanation, 'more from the shop');
  assert.deepEqual(plain.recommend({ scenario: 'trending' }).map((r) => r.reasons), [['more from the shop'], ['more from the shop']]);
  plain.free();
});

test('API.md assistance table: each reason within its window, none outside it', () => {
  const M = 60e3;
  const catalog = makeCatalog(20);
  const help = (f) => { const v = personal(catalog); f(v); const r = v.assistance().reasons; v.free(); return r; };
  const checkout = (ago) => (v) => v.track('Checkout Started', { products: [{ product_id: 'mugs-1' }] }, { timestamp: Date.now() - ago });
  assert.deepEqual(help(checkout(9 * M)), []);
  assert.deepEqual(help(checkout(11 * M)), ['checkout_abandoned']);
  assert.deepEqual(help(checkout(23 * 60 * M)), ['checkout_abandoned']);
  assert.deepEqual(help(checkout(25 * 60 * M)), []);
  const hesitate = (n, ago = 0) => (v) => {
    for (let i = 0; i < n; i++) {
      v.track('Product Added', { product_id: 'mugs-1' }, { timestamp: Date.now() - ago + 2 * i });
      v.track('Product Removed', { product_id: 'mugs-1' }, { timestamp: Date.now() - ago + 2 * i + 1 });
    }
  };
  assert.deepEqual(help(hesitate(1)), []);
  assert.deepEqual(help(hesitate(2)), ['cart_hesitation']);
  assert.deepEqual(help(hesitate(2, 40 * M)), []);
  const search = (n, ago = 0) => (v) => { for (let i = 0; i < n; i++) v.track('Products Searched', { query: `q${i}` }, { timestamp: Date.now() - ago }); };
  assert.deepEqual(help(search(2)), []);
  assert.deepEqual(help(search(3)), ['searches_without_click']);
  assert.deepEqual(help(search(3, 31 * M)), []);
  assert.deepEqual(help((v) => { search(3)(v); v.track('Product Added', { product_id: 'mugs-1' }); }), []);
  const survey = (score, days) => (v) => v.track('Survey Answered', { score }, { timestamp: Date.now() - days * 86400e3 });
  assert.deepEqual(help(survey(6, 6)), ['detractor']);
  assert.deepEqual(help(survey(6, 8)), []);
  assert.deepEqual(help(survey(7, 0)), []);
});

test('API.md Recommend: business rules, filters, ids as strings, reasons naming a brand as the catalog writes it', () => {
  const catalog = [
    { id: 'a', category: 'Candles', brand: 'LumenCo', price: 10, popularity: 5 },
    { id: 'b', category: 'Candles', brand: 'LumenCo', price: 12, popularity: 4 },
    { id: 'c', category: 'Mugs', brand: 'LumenCo', price: 30, popularity: 3 },
    { id: 'd', category: 'Mugs', brand: 'Kiln', price: 13, popularity: 2, inStock: false },
    { id: 'e', category: 'Tea', brand: 'Leaf', price: 100, popularity: 1 },
    { id: 7, category: 'Tea', brand: 'Leaf', price: 7.4, popularity: 6 },
  ];
  const v = personal(catalog, { policy: { maxSignalShare: 1 } });
  const ids = (o) => v.recommend(o).map((r) => r.itemId);
  assert.ok(!ids({ scenario: 'trending' }).includes('d'));
  assert.ok(ids({ scenario: 'trending', filter: { inStock: false } }).includes('d'));
  assert.deepEqual(ids({ scenario: 'trending', filter: { category: 'CANDLES' } }).sort(), ['a', 'b']);
  assert.deepEqual(ids({ scenario: 'trending', filter: { category: ['candles', ' '] } }).sort(), ['a', 'b']);
  for (const category of [' ', [' ', '']]) assert.throws(() => v.recommend({ scenario: 'trending', filter: { category } }), { message: /empty/ });
  assert.deepEqual(ids({ scenario: 'trending', filter: { brand: 'lumenco', minPrice: 11, maxPrice: 30 } }).sort(), ['b', 'c']);
  assert.ok(!ids({ scenario: 'trending', exclude: ['a', 7] }).some((id) => id === 'a' || id === '7'));
  assert.ok(!ids({ scenario: 'similar', itemId: 'a' }).includes('a'));
  assert.ok(ids({ scenario: 'trending' }).includes('7'), 'an integer id comes back as a string');
  v.track('Product Viewed', { product_id: 'b' });
  const reasons = v.recommend({ scenario: 'for_you', k: 6, diversity: 0 }).flatMap((r) => r.reasons);
  assert.ok(reasons.includes('because you like candles'), 'a category in lower case');
  assert.ok(reasons.includes('because you like LumenCo'), 'a brand as the catalog writes it');
  v.track('Order Completed', { products: [{ product_id: 7 }] });
  assert.ok(!ids({ scenario: 'for_you', excludePurchased: true }).includes('7'));
  assert.ok(!ids({ scenario: 'for_you', excludePurchased: ['TEA'] }).includes('7'));
  v.track('Product Added', { product_id: 'c' });
  for (const scenario of ['for_you', 'buy_again', 'cart']) assert.ok(!ids({ scenario }).includes('c'), `${scenario} never shows the cart`);
  v.free();
});

test('API.md Loading and Vitrine.load: the quoted rejection messages', async () => {
  await assert.rejects(Vitrine.load({ model: new Response('nope', { status: 404, statusText: 'Not Found' }), storage: 'memory' }),
    { message: "load: the model file's response is 404 Not Found" });
  await assert.rejects(Vitrine.load({ model: new Response('<html>an error page, not a model file</html>'), storage: 'memory' }),
    { message: 'model: not a usable model file: it does not start with the vitrine model signature' });
  await assert.rejects(Vitrine.load({ model: new ReadableStream({ start(c) { c.enqueue('text'); c.close(); } }), storage: 'memory' }),
    { name: 'TypeError' });
  await assert.rejects(Vitrine.load({ model: new Response(new Uint8Array(64)), consnet: {} }), { message: /options\.consnet is not a known option/ });
  const none = await Vitrine.load({ model: Promise.resolve(null), storage: 'memory' });
  assert.deepEqual(none.recommend({ scenario: 'trending' }), []);
  none.free();
  const fresh = await import(new URL('vitrine.js?docs-audit-server', `file://${pkgDir}`));
  await assert.rejects(fresh.default(), { message: /^vitrine: `init\(\)` fetches the \.wasm file, which a server cannot \(/ });
  for (const level of [0.5, 0.999]) assert.equal(npsSummary([10, 3], { level }).interval.level, level);
  for (const level of [0.49, 0.9991]) assert.throws(() => npsSummary([10, 3], { level }), { message: /level must be a number from 0\.5 to 0\.999/ });
});
