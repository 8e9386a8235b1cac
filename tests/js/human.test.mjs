// Omnichannel and human-first signals against the built pkg/: the visit's channel, imported
// orders, survey answers and gentler shelves, the offer of a person, sensitive categories, shelf
// explanations, per-channel trending and npsSummary.
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine, { makeCatalog } from './load.mjs';

const { Vitrine, npsSummary } = vitrine;
const catalog = makeCatalog(60);
const granted = { personalization: true, storage: true };
const DAY = 86_400_000;

/** Opens with a page's `document.URL` and `document.referrer` in place, as a browser has them. */
function openOnPage(url, referrer, options) {
  globalThis.document = { URL: url, referrer };
  try {
    return Vitrine.open(options);
  } finally {
    delete globalThis.document;
  }
}

test('the visit channel comes from the landing URL and referrer, and tags every event', () => {
  const v = openOnPage('https://shop.example/p/1?utm_source=IG&utm_medium=social&utm_campaign=spring', '', { catalog, consent: granted, storage: 'memory' });
  assert.equal(v.channel(), 'instagram');
  v.track('Product Viewed', { product_id: 'candles-0' });
  v.track('Product Viewed', { product_id: 'mugs-1' }, { channel: 'In-Store', timestamp: Date.now() - 1000 });
  assert.deepEqual(v.profile().channels.map((c) => c.name).sort(), ['in_store', 'instagram']);
  const text = JSON.stringify(v.exportData());
  assert.ok(!text.includes('utm_') && !text.includes('shop.example'), 'only the label is kept');
  v.free();
  const cases = [
    ['https://shop.example/?ttclid=E.C.P.1', '', 'tiktok'],
    ['https://shop.example/?fbclid=IwAR0', 'https://l.instagram.com/', 'instagram'],
    ['https://shop.example/?gclid=Cj0', '', 'search'],
    ['https://shop.example/', 'https://www.google.co.uk/', 'search'],
    ['https://shop.example/', 'https://mail.google.com/', 'email'],
    ['https://shop.example/?utm_source=receipt&utm_medium=qr', '', 'in_store'],
    ['https://shop.example/', 'https://web.whatsapp.com/', 'whatsapp'],
    ['https://shop.example/', 'https://pinterest.fr/pin/3', 'pinterest'],
    ['https://shop.example/', '', 'direct'],
    ['https://shop.example/cart', 'https://shop.example/p/1', 'direct'],
  ];
  for (const [url, referrer, want] of cases) {
    const w = openOnPage(url, referrer, { catalog, storage: 'memory' });
    assert.equal(w.channel(), want, `${url} from ${referrer}`);
    w.free();
  }
  const node = Vitrine.open({ catalog, storage: 'memory' });
  assert.equal(node.channel(), null, 'no page, no channel');
  node.free();
  globalThis.document = { get URL() { throw new Error('hostile'); }, referrer: 'https://www.tiktok.com/' };
  try {
    const h = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(h.channel(), 'tiktok', 'a throwing getter reads as empty');
    h.free();
  } finally {
    delete globalThis.document;
  }
});

test('a TikTok visitor first sees what trends among TikTok visitors, when the catalog says', () => {
  const items = catalog.map((item, i) => (i === 7 ? { ...item, popularityByChannel: { TikTok: 90 } } : i === 9 ? { ...item, popularityByChannel: { tiktok: 40, ig: 5 } } : item));
  const v = openOnPage('https://shop.example/?ttclid=x', '', { catalog: items, storage: 'memory' });
  const first = v.recommend({ scenario: 'for_you', k: 3 });
  assert.deepEqual(first.slice(0, 2).map((r) => r.itemId), [items[7].id, items[9].id]);
  assert.deepEqual(first[0].reasons, ['trending among visitors from tiktok']);
  assert.equal(v.explainShelf({ scenario: 'trending' }).channel, 'tiktok');
  assert.equal(v.recommend({ scenario: 'trending', k: 1, channel: 'instagram' })[0].itemId, items[9].id);
  const plain = v.recommend({ scenario: 'trending', k: 1, channel: 'email' })[0];
  assert.ok(plain.reasons[0].startsWith('trending'), 'no list for email: the shop\'s trending');
  assert.throws(() => Vitrine.open({ catalog: [{ id: 'a', popularityByChannel: { tiktok: -1 } }] }), /popularityByChannel values must be non-negative numbers of at most 3.4e38/);
  v.free();
});

test('importHistory: the shopper\'s own in-store orders feed buy_again, once each, only with consent', () => {
  const v = Vitrine.open({ catalog, consent: granted, storage: 'memory' });
  const records = [
    { order_id: 'POS-1', timestamp: new Date(Date.now() - 3 * DAY), channel: 'in_store', products: [{ product_id: 'mugs-1', quantity: 2, price: 9 }] },
    { transaction_id: 'WEB-7', timestamp: Date.now() - 5 * DAY, items: [{ item_id: 'tea-4' }] },
    { order_id: 'POS-1', timestamp: Date.now() - 3 * DAY, channel: 'in_store', products: [{ product_id: 'mugs-1', quantity: 2, price: 9 }] },
    { order_id: 'POS-0', timestamp: Date.now() - 400 * DAY, products: [{ product_id: 'lamps-3' }] },
    { products: [{ product_id: 'lamps-3' }] },
    'POS-9',
  ];
  assert.deepEqual(v.importHistory(records), {
    imported: 2,
    duplicates: 1,
    refused: [{ index: 3, reason: 'expired' }, { index: 4, reason: 'invalid_timestamp' }, { index: 5, reason: 'invalid_property' }],
  });
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }).map((r) => r.itemId), ['mugs-1', 'tea-4']);
  assert.ok(v.profile().channels.some((c) => c.name === 'in_store'));
  assert.equal(v.explainShelf({ scenario: 'buy_again' }).explanation, 'what you bought before, online or in store');
  assert.deepEqual(v.track('Order Completed', { order_id: 'POS-1', products: [{ product_id: 'mugs-1' }] }), { accepted: false, reason: 'duplicate' });
  assert.equal(v.importHistory(records).imported, 0, 'importing again changes nothing');
  assert.throws(() => v.importHistory({ orders: [] }), { name: 'Error', message: /importHistory: records must be an array/ });
  assert.throws(() => v.importHistory(new Array(1001).fill({})), /more than the limit of 1000 orders/);
  const anon = Vitrine.open({ catalog, storage: 'memory' });
  assert.deepEqual(anon.importHistory(records), { imported: 0, duplicates: 0, refused: [], reason: 'no_consent' });
  assert.equal(anon.profile(), null);
  v.free();
  anon.free();
});

test('a survey answer: the score is kept, the comment is not; detractors get gentler shelves and a person', () => {
  const v = Vitrine.open({ catalog, consent: granted, storage: 'memory' });
  v.track('Order Completed', { products: [{ product_id: 'tea-4' }] });
  assert.deepEqual(v.track('Survey Answered', { score: 2, comment: 'the parcel came broken' }), { accepted: true });
  const nps = v.profile().nps;
  assert.equal(nps.score, 2);
  assert.equal(nps.class, 'detractor');
  assert.ok(!JSON.stringify(v.exportData()).includes('broken'));
  assert.deepEqual(v.recommend({ scenario: 'trending' }), []);
  assert.deepEqual(v.explainShelf({ scenario: 'trending' }).served, null);
  assert.equal(v.recommend({ scenario: 'for_you', k: 3 })[0].itemId, 'tea-4');
  assert.deepEqual(v.assistance(), { suggestHuman: true, reasons: ['detractor'] });
  v.track('survey_answered', { score: 10 });
  assert.equal(v.profile().nps.class, 'promoter');
  assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2);
  assert.deepEqual(v.track('Survey Answered', { score: 11 }), { accepted: false, reason: 'invalid_score' });
  assert.deepEqual(v.track('Survey Answered', { score: 5, comment: 42 }), { accepted: false, reason: 'invalid_property' });
  v.free();
  const same = Vitrine.open({ catalog, consent: granted, storage: 'memory', policy: { detractors: 'same' } });
  same.track('Survey Answered', { score: 0 });
  assert.equal(same.recommend({ scenario: 'trending', k: 2 }).length, 2);
  assert.equal(same.audit().policy.detractors, 'same');
  same.free();
});

test('assistance: frustration on the device suggests a person, and nothing without consent', () => {
  const v = Vitrine.open({ catalog, consent: granted, storage: 'memory' });
  assert.deepEqual(v.assistance(), { suggestHuman: false, reasons: [] });
  for (const query of ['oak lamp', 'oak lamp small', 'wooden lamp']) v.track('Products Searched', { query });
  assert.deepEqual(v.assistance(), { suggestHuman: true, reasons: ['searches_without_click'] });
  v.track('Product Viewed', { product_id: 'lamps-3' });
  assert.deepEqual(v.assistance().reasons, [], 'a click answers the searches');
  for (let i = 0; i < 2; i++) {
    v.track('Product Added', { product_id: 'lamps-3' });
    v.track('Product Removed', { product_id: 'lamps-3' });
  }
  assert.deepEqual(v.assistance().reasons, ['cart_hesitation']);
  v.free();
  const anon = Vitrine.open({ catalog, storage: 'memory' });
  anon.track('Products Searched', { query: 'x' });
  assert.deepEqual(anon.assistance(), { suggestHuman: false, reasons: [] });
  anon.free();
});

test('sensitive categories: never kept or used without the separate consent; withdrawal erases them', () => {
  const items = catalog.map((item) => (item.id === 'lamps-8' ? { ...item, sensitive: true } : item));
  const policy = { sensitiveCategories: ['Tea'] };
  const v = Vitrine.open({ catalog: items, consent: granted, storage: 'memory', policy });
  assert.equal(v.consent().sensitive, false);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'tea-4' }), { accepted: false, reason: 'sensitive' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'lamps-8' }), { accepted: false, reason: 'sensitive' });
  assert.deepEqual(v.track('Products Searched', { query: 'green TEA' }), { accepted: false, reason: 'sensitive' });
  v.track('Product Viewed', { product_id: 'mugs-1' });
  assert.ok(!JSON.stringify(v.exportData()).match(/tea|lamps-8/));
  assert.ok(!v.recommend({ scenario: 'for_you', k: 40 }).some((r) => r.itemId.startsWith('tea') || r.itemId === 'lamps-8'));
  assert.equal(v.explainShelf({ scenario: 'for_you' }).sensitiveExcluded, true);

  const state = v.setConsent({ personalization: true, storage: true, sensitive: true });
  assert.equal(state.sensitive, true);
  for (const id of ['tea-4', 'tea-9', 'tea-14']) assert.deepEqual(v.track('Product Viewed', { product_id: id }), { accepted: true });
  assert.ok(v.profile().categories.some((c) => c.name === 'tea'));
  const shelf = v.recommend({ scenario: 'for_you', k: 5, diversity: 0 });
  assert.ok(shelf.some((r) => r.reasons.includes('because you like tea')), JSON.stringify(shelf));
  assert.equal(v.explainShelf({ scenario: 'for_you' }).sensitiveExcluded, false);

  assert.equal(v.setConsent({ personalization: true, storage: true }).sensitive, false);
  assert.ok(!JSON.stringify(v.exportData().profile).match(/tea/), 'erased at once');
  assert.ok(v.audit().history.some((h) => h.type === 'erase' && h.what === 'sensitive'));
  assert.ok(v.profile().recentlyViewed.includes('mugs-1'), 'the rest stays');
  // Only the banner can grant it, never without personalization.
  assert.equal(v.setConsent({ sensitive: true }).sensitive, false);
  assert.equal(v.setConsent({ googleConsentMode: { personalization_storage: 'granted' } }).sensitive, false);
  assert.throws(() => v.setConsent({ sensitive: 'yes' }), /consent.sensitive must be a boolean/);
  v.free();
});

test('the signal cap: one viewed category does not fill the shelf', () => {
  const shelf = (maxSignalShare) => {
    const v = Vitrine.open({ catalog, consent: granted, storage: 'memory', policy: { maxSignalShare } });
    for (let i = 0; i < 4; i++) v.track('Product Viewed', { product_id: 'candles-5' });
    const r = v.recommend({ scenario: 'for_you', k: 10, diversity: 0 });
    assert.equal(v.audit().policy.maxSignalShare, maxSignalShare);
    v.free();
    return r.filter((x) => x.reasons[0] === 'because you like candles').length;
  };
  const free = shelf(1);
  assert.ok(free > 4, `uncapped: ${free} of 10`);
  assert.ok(shelf(0.4) <= 4);
  assert.throws(() => Vitrine.open({ policy: { maxSignalShare: 0 } }), /open: policy.maxSignalShare must be/);
});

test('npsSummary: score and adjusted-Wald interval of a survey export', () => {
  const s = npsSummary([10, 9, 9, 8, 7, 6, 3, 10, 9, 0]);
  assert.deepEqual({ ...s, interval: undefined }, {
    responses: 10, promoters: 5, passives: 2, detractors: 3, nps: 20, standardError: 23.32, interval: undefined, method: 'adjusted-wald',
  });
  assert.deepEqual(s.interval, { level: 0.95, low: -30.33, high: 61.1 });
  const many = new Uint8Array(10_000).map((_, i) => [10, 9, 8, 7, 3][i % 5]);
  const big = npsSummary(many, { level: 0.99 });
  assert.equal(big.nps, 20);
  assert.ok(big.interval.high - big.interval.low < 7, JSON.stringify(big));
  assert.deepEqual(npsSummary([]).nps, null);
  assert.throws(() => npsSummary([1, 11]), { name: 'Error', message: 'npsSummary: scores[1] must be an integer from 0 to 10, got 11' });
  assert.throws(() => npsSummary('9'), /npsSummary: scores must be an array/);
  assert.throws(() => npsSummary([9], { level: 2 }), /options.level/);
});
