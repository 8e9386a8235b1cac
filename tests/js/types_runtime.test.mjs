// What pkg/vitrine.d.ts declares against what the built package does: the literal unions and the
// result shapes a TypeScript page relies on (tests/types checks the declarations compile; this
// checks they are true).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine, { makeCatalog, pkgDir } from './load.mjs';

const { Vitrine } = vitrine;
const dts = readFileSync(new URL('vitrine.d.ts', `file://${pkgDir}`), 'utf8');
const repo = new URL('../../', import.meta.url);

/** The string literals of `export type name = 'a' | 'b' …;`. */
function union(name) {
  const m = dts.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(m, `vitrine.d.ts has no "export type ${name}"`);
  return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
}

/** The members of `export interface name { … }` (its own, not inherited): name → optional. */
function members(name) {
  const m = dts.match(new RegExp(`export interface ${name}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}`));
  assert.ok(m, `vitrine.d.ts has no "export interface ${name}"`);
  const lines = [...m[1].matchAll(/^( +)(\w+)(\??):/gm)];
  const indent = Math.min(...lines.map((x) => x[1].length));
  return Object.fromEntries(lines.filter((x) => x[1].length === indent).map((x) => [x[2], x[3] === '?']));
}

test("track's reasons: the RefusalReason union is every code the core refuses with, and a refusal always has one", () => {
  const rust = readFileSync(new URL('src/event/mod.rs', repo), 'utf8');
  const codes = [...rust.matchAll(/Refusal::\w+ => "(\w+)"/g)].map((x) => x[1]);
  assert.ok(codes.length > 10);
  assert.deepEqual([...union('RefusalReason')].sort(), [...codes].sort());

  const v = Vitrine.open({ catalog: makeCatalog(20), storage: 'memory' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-0' }), { accepted: false, reason: 'no_consent' });
  v.setConsent({ personalization: true });
  const calls = [
    ['Product Viewed', { product_id: 'candles-0' }],
    ['Bogus Event', {}],
    ['Product Viewed', {}],
    ['Product Viewed', { product_id: 'candles-0', price: -1 }],
    ['Products Searched', {}],
    ['Survey Answered', { score: 11 }],
    ['Product Viewed', { product_id: 'candles-0' }, { timestamp: 'yesterday' }],
    ['Order Completed', { order_id: 'o-1', products: [{ product_id: 'candles-0' }] }],
    ['Order Completed', { order_id: 'o-1', products: [{ product_id: 'candles-0' }] }],
  ];
  const reasons = union('RefusalReason');
  for (const [name, props, opts] of calls) {
    const r = v.track(name, props, opts);
    if (r.accepted) assert.deepEqual(r, { accepted: true }, `${name}: an accepted event has no reason`);
    else {
      assert.deepEqual(Object.keys(r), ['accepted', 'reason'], `${name}: ${JSON.stringify(r)}`);
      assert.ok(reasons.includes(r.reason), `${name}: reason ${r.reason} is not declared`);
    }
  }
  v.free();
});

test('an option given as undefined is one left out (the declarations say `?: T | undefined`)', () => {
  for (const name of ['CatalogItem', 'ConsentInput', 'GoogleConsentMode', 'Policy', 'OpenSettings', 'OpenWithModel',
    'OpenWithCatalog', 'LoadFromModel',
    'ProductProperties', 'EventProperties', 'TrackOptions', 'RecommendFilter', 'RecommendOptions']) {
    const m = dts.match(new RegExp(`export interface ${name}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}`));
    for (const [, line] of m[1].matchAll(/^ +(\w+\?: .*);$/gm)) {
      assert.match(line, /(\| |\?: )undefined$/, `${name}.${line}`);
    }
  }
  assert.match(dts, /export type OpenOptions = OpenWithModel \| OpenWithCatalog;/);
  assert.match(dts, /export type LoadOptions = LoadFromModel \| OpenWithCatalog;/);
  const item = { id: 'sku-1', category: 'Candles' };
  for (const key of Object.keys(members('CatalogItem'))) if (!(key in item)) item[key] = undefined;
  const policy = Object.fromEntries(Object.keys(members('Policy')).map((k) => [k, undefined]));
  const v = Vitrine.open({ catalog: [item, { id: 'sku-2', category: 'Candles' }], model: undefined, consent: undefined,
    storage: undefined, namespace: undefined, policy });
  assert.equal(v.audit().storage.backend, 'memory');
  assert.deepEqual(Object.keys(v.audit().policy).sort(), Object.keys(members('Policy')).sort());
  assert.deepEqual(Object.keys(members('PolicyInForce')).sort(), Object.keys(members('Policy')).sort());
  const gcm = Object.fromEntries(Object.keys(members('GoogleConsentMode')).map((k) => [k, undefined]));
  const state = v.setConsent({ personalization: true, storage: undefined, sensitive: undefined, tcf: undefined,
    googleConsentMode: { ...gcm, personalization_storage: 'granted' } });
  assert.equal(state.personalization, true);
  const none = { timestamp: undefined, channel: undefined };
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1', sku: undefined, item_id: undefined, id: undefined,
    category: undefined, item_category: undefined, brand: undefined, item_brand: undefined, price: undefined,
    quantity: undefined }, none), { accepted: true });
  assert.deepEqual(v.track('Products Searched', { query: undefined, search_term: 'oak lamp' }, none), { accepted: true });
  assert.deepEqual(v.track('Survey Answered', { score: 9, comment: undefined }), { accepted: true });
  assert.deepEqual(v.track('Order Completed', { order_id: undefined, transaction_id: undefined, items: undefined,
    products: [{ product_id: 'sku-1' }] }), { accepted: true });
  const options = Object.fromEntries(Object.keys(members('RecommendOptions')).map((k) => [k, undefined]));
  const filter = Object.fromEntries(Object.keys(members('RecommendFilter')).map((k) => [k, undefined]));
  assert.equal(v.recommend({ ...options, scenario: 'trending', filter }).length, 2);
  assert.equal(v.explainShelf({ ...options, scenario: 'for_you', filter }).scenario, 'for_you');
  assert.deepEqual(v.importHistory([{ timestamp: Date.now(), channel: undefined, products: [{ product_id: 'sku-2' }] }]),
    { imported: 1, duplicates: 0, refused: [] });
  v.free();
});

test('the option names the declarations give are the ones the runtime knows', () => {
  const known = (f) => {
    try { f(); } catch (e) { return e.message.replace(/.*(expected one of|known fields are) /, '').split(', ').sort(); }
    assert.fail('no error');
  };
  const v = Vitrine.open({ storage: 'memory' });
  assert.deepEqual(known(() => Vitrine.open({ zz: 1 })), [...Object.keys(members('OpenSettings')), 'catalog', 'model'].sort());
  assert.deepEqual(known(() => Vitrine.open({ policy: { zz: 1 } })), Object.keys(members('Policy')).sort());
  // A catalog item's other fields are passed over; each declared one spelt another way throws, naming it.
  assert.equal(Vitrine.open({ catalog: [{ id: 'a', zz: 1 }], storage: 'memory' }).recommend({ scenario: 'trending' }).length, 1);
  for (const field of Object.keys(members('CatalogItem'))) {
    const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const other = snake === field ? field.toUpperCase() : snake;
    assert.throws(() => Vitrine.open({ catalog: [{ id: 'a', [other]: 1 }] }), { message: `open: catalog[0] has a field '${other}', read as '${field}' only when spelt so` });
  }
  assert.deepEqual(known(() => v.setConsent({ zz: 1 })), Object.keys(members('ConsentInput')).sort());
  assert.deepEqual(known(() => v.recommend({ scenario: 'trending', zz: 1 })), Object.keys(members('RecommendOptions')).sort());
  assert.deepEqual(known(() => v.recommend({ scenario: 'trending', filter: { zz: 1 } })), Object.keys(members('RecommendFilter')).sort());
  assert.deepEqual(known(() => v.recommend({ scenario: 'zz' })), union('Scenario').sort());
  v.free();
});

test("open's model may be an ArrayBuffer and its consent null, as OpenOptions declares", () => {
  assert.match(dts, /model\?: Uint8Array \| ArrayBuffer \| undefined;/);
  assert.match(dts, /consent\?: ConsentInput \| null \| undefined;/);
  const bytes = readFileSync(new URL('tests/fixtures/tiny-v3.vtr', repo));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const v = Vitrine.open({ model: buffer, consent: null, storage: 'memory' });
  assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2);
  assert.equal(v.consent().source, 'default');
  v.free();
  assert.throws(() => Vitrine.open({ model: buffer, catalog: [{ id: 'a' }] }), /options give both model and catalog; give one of them/);
});

test("the hovers' examples of a consent state name every field the runtime returns", () => {
  const v = Vitrine.open({ storage: 'memory' });
  const fields = Object.keys(v.consent()).sort();
  assert.deepEqual(Object.keys(members('ConsentState')).sort(), fields);
  const shown = [...dts.matchAll(/→ (\{ personalization: [^}]*\})/g)].map((m) => m[1]);
  assert.ok(shown.length >= 2);
  for (const example of shown) {
    const keys = [...example.matchAll(/(\w+):/g)].map((m) => m[1]).sort();
    assert.deepEqual(keys, fields, example);
  }
  assert.equal(v.consent().updatedAt, null);
  assert.match(dts, /v\.consent\(\); \/\/ → \{[^}]*source: 'default', updatedAt: null \}/);
  v.free();
});

test('properties and options the declarations leave to their index signature are accepted, not refused', () => {
  assert.match(dts, /export interface ProductProperties \{[\s\S]*?\[key: string\]: any;\n\}/);
  assert.match(dts, /export interface TrackOptions \{[\s\S]*?\[key: string\]: any;\n\}/);
  const v = Vitrine.open({ catalog: [{ id: 'sku-1' }, { id: 'gid-7' }], consent: { personalization: true }, storage: 'memory' });
  const options = { integrations: { All: true }, context: { ip: '0.0.0.0' } };
  assert.deepEqual(v.track('purchase', { currency: 'EUR', value: 12, transaction_id: 'T-1',
    items: [{ item_id: 'sku-1', item_name: 'Amber candle', price: 12, quantity: 1 }] }, options), { accepted: true });
  assert.deepEqual(v.track('product_viewed', { productVariant: { id: null, sku: null,
    product: { id: 'gid-7', title: 'Mug', type: null } } }, options), { accepted: true });
  v.free();
});

test('every result has the fields its interface declares: none missing, none undeclared', () => {
  const same = (name, value, optional = []) => {
    const declared = members(name);
    const required = Object.keys(declared).filter((k) => !declared[k]).sort();
    const keys = Object.keys(value).filter((k) => !optional.includes(k)).sort();
    assert.deepEqual(keys, required, `${name}: ${JSON.stringify(value)}`);
    for (const k of Object.keys(value)) assert.ok(k in declared, `${name}.${k} is not declared`);
  };
  const v = Vitrine.open({ catalog: makeCatalog(30), consent: { personalization: true, storage: true }, storage: 'memory' });
  v.track('Product Viewed', { product_id: 'candles-0' });
  v.track('Product Added', { product_id: 'mugs-1' });
  v.track('Order Completed', { order_id: 'o-9', products: [{ product_id: 'lamps-3' }] });
  v.track('Products Searched', { query: 'lamp' });
  v.track('Survey Answered', { score: 9 });
  same('Recommendation', v.recommend({ scenario: 'for_you', k: 1 })[0]);
  same('ConsentState', v.consent());
  const summary = v.profile();
  same('ProfileSummary', summary);
  same('Affinity', summary.categories[0]);
  same('PriceBand', summary.priceBand);
  same('NpsAnswer', summary.nps);
  const exported = v.exportData();
  same('ExportData', exported);
  same('ProfileExport', exported.profile);
  same('Stamped', exported.profile.searches[0]);
  same('StorageKey', exported.storage[0]);
  const report = v.audit();
  same('AuditReport', report);
  same('PolicyInForce', report.policy);
  same('Assistance', v.assistance());
  same('ShelfExplanation', v.explainShelf({ scenario: 'for_you' }));
  same('ImportResult', v.importHistory([{ timestamp: Date.now(), products: [{ product_id: 'tea-4' }] }]));
  same('NpsSummary', vitrine.npsSummary([10, 3]));
  const tc = vitrine.decodeTcString('CP_h-0AP_lRwABRACBENAPEgALIAAEAAAAqIAewAwABAAlAB6ABBFABCQAQA9gAA');
  same('DecodedTcString', tc);
  same('PublisherRestriction', tc.publisherRestrictions[0]);
  v.free();
});

test('a catalog item field given as null is one not given, as CatalogItem declares', () => {
  const item = Object.fromEntries(Object.keys(members('CatalogItem')).map((k) => [k, null]));
  item.id = 'a';
  const v = Vitrine.open({ catalog: [item, { id: 'b', category: 'Mugs', inStock: false }], storage: 'memory' });
  // `inStock: null` is the default, in stock: 'a' is on the shelf, 'b' is not.
  assert.deepEqual(v.recommend({ scenario: 'trending' }).map((r) => r.itemId), ['a']);
  v.free();
});
