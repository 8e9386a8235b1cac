// Names in the languages shops sell in, against the built pkg/. The spellings are made here with
// the JavaScript engine's own Unicode functions (normalize, toUpperCase, toLocaleUpperCase), not
// with vitrine's tables: a sensitive category must be screened however an event spells it, and a
// filter must find a category however a page spells it (docs/API.md, Limits; docs/PRIVACY.md).
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine from './load.mjs';

const { Vitrine } = vitrine;

/** Sensitive categories as shops list them, in several scripts. */
const SENSITIVE = [
  'Santé', 'Santé intime', 'Sağlık', 'Cinsel sağlık', 'Υγεία', 'Θρησκευτικός', 'Fußpflege',
  'Gesundheit', 'Zdrowie', 'Интимные товары', 'Ёлочные игрушки', 'șampon medicinal', 'Sức khỏe',
  'Érotisme', 'コンドーム', 'صحة', 'Hälsa', '건강', 'صحة المرأة', 'Səhiyyə', 'ჯანმრთელობა',
  'Առողջություն և գեղեցկություն', "Women's health",
];

/** Full-width forms of ASCII letters, as some Japanese keyboards and feeds write them. */
const fullWidth = (s) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** The ways one name reaches a data layer. */
function spellings(name) {
  const out = new Set([
    name,
    name.normalize('NFD'),
    name.normalize('NFC'),
    name.toUpperCase(),
    name.toUpperCase().normalize('NFD'),
    name.toLowerCase(),
    name.toLocaleUpperCase('tr'),
    name.toLocaleLowerCase('tr'),
    fullWidth(name),
    ` ${name}\u00a0`,
    `\u200b${name}`,
    `${name}\u200f`,
    `\ufeff${name}`,
    name.replace(' ', '  '),
    name.replace(' ', '\u00a0'),
    name.length > 4 ? name.slice(0, 3) + '\u00ad' + name.slice(3) : name,
    name.replace("'", '\u2019'),
  ]);
  return [...out];
}

test('a sensitive category is screened however the event, the catalog or a search spells it', () => {
  const catalog = SENSITIVE.flatMap((name, i) => [
    { id: `c${i}`, category: name.toUpperCase() },
    { id: `d${i}`, category: name.normalize('NFD') },
  ]).concat([{ id: 'mug', category: 'Mugs' }]);
  const v = Vitrine.open({
    catalog, storage: 'memory', consent: { personalization: true },
    policy: { sensitiveCategories: SENSITIVE },
  });
  const refused = { accepted: false, reason: 'sensitive' };
  let checked = 0;
  for (const [i, name] of SENSITIVE.entries()) {
    for (const id of [`c${i}`, `d${i}`]) {
      assert.deepEqual(v.track('Product Viewed', { product_id: id }), refused, `${id}: ${name}`);
    }
    // Every spelling, and paths of categories with it as one part (Universal Analytics' data
    // layers write `Home/Health`).
    for (const spelled of [...spellings(name), `Home/${name}`, `Home > ${name.toUpperCase()} > Other`]) {
      const why = `${name} as ${JSON.stringify(spelled)}`;
      assert.deepEqual(v.track('Product Viewed', { product_id: 'x', category: spelled }), refused, why);
      assert.deepEqual(v.track('view_item', { items: [{ item_id: 'x', item_category: spelled, item_category2: 'Other' }] }), refused, why);
      assert.deepEqual(v.track('Product List Viewed', { category: spelled }), refused, why);
      assert.deepEqual(v.track('Products Searched', { query: `best ${spelled} 2026` }), refused, why);
      checked += 4;
    }
  }
  assert.ok(checked > 500, `${checked} events`);
  assert.equal(v.profile()?.events ?? 0, 0, 'nothing of them was kept');
  // The screen is not refusing everything: an ordinary category goes through.
  assert.deepEqual(v.track('Product Viewed', { product_id: 'mug' }), { accepted: true });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'y', category: 'Bougies' }), { accepted: true });
});

test('filters and durable categories find a category however the page spells it; names are shown as given', () => {
  const names = ['Épicerie fine', 'Παπούτσια', 'Kırtasiye', 'Straße', 'Обувь'];
  const catalog = names.map((category, i) => ({ id: `i${i}`, category, brand: category.toUpperCase() }));
  const v = Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true } });
  for (const [i, name] of names.entries()) {
    for (const spelled of spellings(name)) {
      const shelf = v.recommend({ scenario: 'trending', filter: { category: spelled } });
      assert.deepEqual(shelf.map((r) => r.itemId), [`i${i}`], `${name} as ${JSON.stringify(spelled)}`);
      const byBrand = v.recommend({ scenario: 'trending', filter: { brand: spelled } });
      assert.deepEqual(byBrand.map((r) => r.itemId), [`i${i}`], `brand ${JSON.stringify(spelled)}`);
    }
  }
  v.track('Order Completed', { order_id: 'o1', products: [{ product_id: 'i1' }] });
  const left = v.recommend({ scenario: 'trending', excludePurchased: ['ΠΑΠΟΥΤΣΙΑ'] }).map((r) => r.itemId);
  assert.ok(!left.includes('i1') && left.length === 4, JSON.stringify(left));
  // The profile names the catalog's category in lower case, as written, not by its key.
  assert.deepEqual(v.profile().categories.map((c) => c.name), ['παπούτσια']);
});

test('ids come back exactly as given, a leading byte-order mark included', () => {
  const catalog = [
    { id: '\ufeffsku-1', category: 'Candles', popularity: 5 },
    { id: 'sku-1', category: 'Mugs', popularity: 9 },
    { id: 'Cafe\u0301', category: 'Mugs', popularity: 1 },
    { id: 'Café', category: 'Mugs', popularity: 2 },
  ];
  const v = Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true } });
  const ids = v.recommend({ scenario: 'trending' }).map((r) => r.itemId);
  assert.deepEqual(ids, ['sku-1', '\ufeffsku-1', 'Café', 'Cafe\u0301']);
  v.track('Product Viewed', { product_id: '\ufeffsku-1' });
  assert.deepEqual(v.profile().recentlyViewed, ['\ufeffsku-1']);
});
