// A call's arguments are copied into wasm memory up to a budget (4 MiB of characters and bytes for
// every call but open and importHistory): a call refused for its size is refused before memory
// grows for it, and quickly. A string longer than any property may hold is refused as such.
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine, { wasm } from './load.mjs';

const { Vitrine } = vitrine;
const MiB = 1 << 20;
const memory = () => wasm.memory.buffer.byteLength;
const tooLarge = (func) => `${func}: the value is too large: more than 50000 values, or more than 4194304 characters and bytes in all`;

test('a huge argument is refused before it grows wasm memory', () => {
  const v = Vitrine.open({ catalog: [{ id: 'a' }, { id: 'b' }], consent: { personalization: true }, storage: 'memory' });
  const s = 'y'.repeat(MiB - 16);
  // Warm up: the tape's buffer and the allocator take what a call within the budget needs.
  assert.throws(() => v.recommend({ scenario: 'trending', exclude: Array(3).fill(s) }), /longer than the limit of 128 bytes/);
  v.track('Order Completed', { products: Array(3).fill({ product_id: s }) });
  const before = memory();
  const t0 = performance.now();
  assert.throws(() => v.recommend({ scenario: 'trending', exclude: Array(1000).fill(s) }), { name: 'Error', message: tooLarge('recommend') });
  assert.deepEqual(v.track('Order Completed', { products: Array(400).fill({ product_id: s }) }), { accepted: false, reason: 'too_large' });
  assert.deepEqual(v.track('Product Viewed', { a: s, b: s }, { c: s, d: s, e: s }), { accepted: false, reason: 'too_large' }, 'the three arguments share one budget');
  assert.deepEqual(v.track('Product Viewed', { product_id: 'a', blob: new Uint8Array(5 * MiB) }), { accepted: false, reason: 'too_large' });
  assert.throws(() => v.explainShelf({ scenario: 'trending', exclude: Array(1000).fill(s) }), { message: tooLarge('explainShelf') });
  assert.throws(() => v.setConsent({ tcf: 'C', x: Array(5).fill(s) }), { message: tooLarge('setConsent') });
  assert.ok(performance.now() - t0 < 2000, `refused quickly (${performance.now() - t0} ms)`);
  assert.ok(memory() - before <= 16 * MiB, `wasm memory grew by ${(memory() - before) / MiB} MiB`);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'a' }), { accepted: true }, 'still works');
  v.free();
});

test('importHistory copies at most 64 MiB; open is bounded by memory only', () => {
  const v = Vitrine.open({ catalog: [{ id: 'a' }], consent: { personalization: true }, storage: 'memory' });
  const s = 'y'.repeat(MiB - 16);
  const orders = Array(100).fill({ order_id: s, timestamp: Date.now(), products: [{ product_id: 'a' }] });
  assert.throws(() => v.importHistory(orders), { message: /^importHistory: the value is too large: more than 200000000 values, or more than 67108864 characters and bytes in all$/ });
  v.free();
  // 8 MiB of titles: read whole, then each refused by its own limit, not by the walk's.
  const catalog = Array.from({ length: 8 }, (_, i) => ({ id: `i${i}`, title: s }));
  assert.throws(() => Vitrine.open({ catalog, storage: 'memory' }), /open: catalog\[0\] .*title/);
});

test('a string longer than any property may hold is string_too_long, whatever property holds it', () => {
  const v = Vitrine.open({ catalog: [{ id: 'a' }], consent: { personalization: true }, storage: 'memory' });
  const long = 'x'.repeat(10 * MiB);
  assert.deepEqual(v.track('Product Viewed', { product_id: long }), { accepted: false, reason: 'string_too_long' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'a', note: long }), { accepted: false, reason: 'string_too_long' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'a' }, { channel: long }), { accepted: false, reason: 'string_too_long' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'x'.repeat(MiB) }), { accepted: false, reason: 'string_too_long' }, '1 MiB: the id limit says so');
  assert.equal(v.profile().events, 0);
  v.free();
});
