// Strange values thrown at every export: only `Error`s may come out — never a wasm trap
// (`RuntimeError: unreachable`, which a Rust panic would be) — and the instance keeps its data.
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine, { makeCatalog } from './load.mjs';

const { Vitrine, decodeTcString, npsSummary } = vitrine;

const cyclic = {}; cyclic.self = cyclic;
const getterThrows = Object.defineProperty({}, 'product_id', { enumerable: true, get() { throw new Error('boom'); } });
const revoked = Proxy.revocable({}, {}); revoked.revoke();
const STRANGE = [
  undefined, null, true, 0, -0, NaN, Infinity, -Infinity, 1e308, 2 ** 53 + 2, '', 'x'.repeat(1 << 16),
  '\uD800', '\uDFFF\uD800', 10n, Symbol('s'), () => 1, [], [[[[[]]]]], {}, cyclic, getterThrows,
  revoked.proxy, new Date(NaN), new Uint8Array([1, 2, 3]), new ArrayBuffer(4), Object.create(null),
  { __proto__: { product_id: 'inherited' } }, { product_id: { toString() { throw new Error('x'); } } },
  { items: new Array(100000).fill({ item_id: 'a' }) }, JSON.parse('{"__proto__": {"polluted": true}}'),
];

function onlyErrors(fn, label) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `${label}: threw a non-Error ${String(e)}`);
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${label}: wasm trap ${e.message}`);
  }
}

test('every export answers strange values with results or Errors, never a trap', () => {
  const v = Vitrine.open({ catalog: makeCatalog(40), consent: { personalization: true }, storage: 'memory' });
  v.track('Product Viewed', { product_id: 'candles-0' });
  for (const [i, x] of STRANGE.entries()) {
    const label = `value #${i}`;
    onlyErrors(() => v.track(x), `track(${label})`);
    onlyErrors(() => v.track('Product Viewed', x), `track(name, ${label})`);
    onlyErrors(() => v.track('Product Viewed', { product_id: 'candles-1' }, x), `track(name, props, ${label})`);
    onlyErrors(() => v.track('Order Completed', { products: [x] }), `track(products: [${label}])`);
    onlyErrors(() => v.recommend(x), `recommend(${label})`);
    onlyErrors(() => v.recommend({ scenario: 'similar', itemId: x }), `recommend(itemId: ${label})`);
    onlyErrors(() => v.recommend({ scenario: 'for_you', filter: x, k: x }), `recommend(filter: ${label})`);
    onlyErrors(() => Vitrine.open(x)?.free(), `open(${label})`);
    onlyErrors(() => Vitrine.open({ catalog: [x] })?.free(), `open(catalog: [${label}])`);
    if (decodeTcString) onlyErrors(() => decodeTcString(x), `decodeTcString(${label})`);
    onlyErrors(() => v.importHistory(x), `importHistory(${label})`);
    onlyErrors(() => v.importHistory([x, { timestamp: x, products: [x] }]), `importHistory([${label}])`);
    onlyErrors(() => v.explainShelf(x), `explainShelf(${label})`);
    onlyErrors(() => v.recommend({ scenario: 'trending', channel: x }), `recommend(channel: ${label})`);
    onlyErrors(() => v.track('Survey Answered', { score: x, comment: x }), `track(survey: ${label})`);
    onlyErrors(() => v.track('Product Viewed', { product_id: 'candles-1' }, { channel: x }), `track(channel: ${label})`);
    onlyErrors(() => npsSummary(x, x), `npsSummary(${label})`);
    onlyErrors(() => npsSummary([x]), `npsSummary([${label}])`);
    onlyErrors(() => Vitrine.open({ catalog: [{ id: 'a', popularityByChannel: x }] })?.free(), `open(popularityByChannel: ${label})`);
    onlyErrors(() => Vitrine.open({ policy: { maxSignalShare: x, detractors: x } })?.free(), `open(policy: ${label})`);
  }
  onlyErrors(() => v.assistance(), 'assistance()');
  onlyErrors(() => v.channel(), 'channel()');
  // The consent never changed and the profile built before is intact.
  assert.equal(v.consent().personalization, true);
  assert.deepEqual(v.profile().recentlyViewed[0], 'candles-1');
  assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-2' }), { accepted: true });
  v.free();
});
