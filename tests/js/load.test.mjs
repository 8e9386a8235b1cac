// Load: a million events in one session keep memory bounded; a profile full of maximum-length
// names stays under its documented size; 10,000 open/free cycles (with storage, a CMP listener,
// every call) leak nothing. Memory is the wasm instance's own (`memory.buffer.byteLength`, which
// never shrinks, so any leak shows) and the table of JS values it holds. Timings are printed as
// diagnostics for docs/RELIABILITY.md, never asserted.
import test from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import vitrine, { makeCatalog, wasm } from './load.mjs';

const { Vitrine } = vitrine;
const MAX_PROFILE_BYTES = 192 * 1024; // profile::MAX_BYTES
const PAGE = 64 * 1024;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const memory = () => wasm.memory.buffer.byteLength;
const table = () => wasm.__wbindgen_externrefs.length;
const NAMES = ['Product Viewed', 'Product Viewed', 'Product Added', 'Order Completed', 'Product Removed', 'Products Searched', 'Product Clicked'];

test('1,000,000 events in one session: memory stays bounded', (t) => {
  const r = rng(1);
  const v = Vitrine.open({ catalog: makeCatalog(150), consent: { personalization: true }, storage: 'memory' });
  // More ids, categories, brands and channels than the profile keeps: every collection fills
  // up and evicts, all along.
  const event = (i) => {
    const name = NAMES[i % NAMES.length];
    const props = name === 'Products Searched'
      ? { query: `q ${Math.floor(r() * 1000)}` }
      : {
        product_id: r() < 0.5 ? `candles-${Math.floor(r() * 150)}` : `sku-${Math.floor(r() * 150)}`,
        category: `cat-${Math.floor(r() * 70)}`,
        brand: `brand-${Math.floor(r() * 70)}`,
        price: Math.floor(r() * 300),
      };
    const res = v.track(name, props, { channel: `ch-${i % 18}` });
    assert.ok(res.accepted, JSON.stringify(res));
  };
  const WARM = 20_000;
  const N = 1_000_000;
  for (let i = 0; i < WARM; i++) event(i);
  const [m0, t0] = [memory(), table()];
  const start = performance.now();
  let peakProfile = 0;
  for (let i = WARM; i < N; i++) {
    event(i);
    if (i % 100_000 === 0) {
      const a = v.audit();
      peakProfile = Math.max(peakProfile, a.profile.memoryBytes);
      assert.ok(a.profile.memoryBytes <= MAX_PROFILE_BYTES, `${a.profile.memoryBytes} bytes at event ${i}`);
      assert.ok(memory() <= m0 + PAGE, `wasm memory grew from ${m0} to ${memory()} by event ${i}`);
    }
  }
  const perEvent = ((performance.now() - start) / (N - WARM)) * 1000;
  assert.equal(v.profile().events, N);
  assert.ok(memory() <= m0 + PAGE, `wasm memory grew from ${m0} to ${memory()}`);
  assert.equal(table(), t0, 'JS values held');
  assert.ok(v.recommend({ scenario: 'for_you', k: 10 }).length === 10);
  v.free();
  t.diagnostic(`1,000,000 events: ${perEvent.toFixed(2)} µs/event (personalization only, every collection evicting); wasm memory ${m0} → ${memory()} bytes; profile at most ${peakProfile} bytes`);
});

test('a profile full of maximum-length names stays under its bound, in memory and in storage', (t) => {
  const r = rng(2);
  const v = Vitrine.open({ catalog: makeCatalog(40), consent: { personalization: true, storage: true }, storage: 'memory' });
  const long = (prefix, n, len) => `${prefix}${n}-`.padEnd(len, 'x');
  const N = 4_000;
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const name = NAMES[i % NAMES.length];
    const props = name === 'Products Searched'
      ? { query: long('q', i, 256) }
      : { product_id: long('p', Math.floor(r() * 1e6), 128), category: long('c', Math.floor(r() * 1e6), 256), brand: long('b', Math.floor(r() * 1e6), 256), price: Math.floor(r() * 2000) };
    assert.ok(v.track(name, props, { channel: long('ch', i, 256) }).accepted);
  }
  const perEvent = ((performance.now() - start) / N) * 1000;
  const a = v.audit();
  assert.ok(a.profile.memoryBytes <= MAX_PROFILE_BYTES, `${a.profile.memoryBytes} bytes`);
  assert.ok(a.profile.memoryBytes > MAX_PROFILE_BYTES / 2, 'the test fills the profile');
  // docs/PRIVACY.md: "about 150,000 characters" stored; bytes are UTF-16.
  assert.ok(a.storage.totalBytes < 2 * 160_000, `${a.storage.totalBytes} bytes stored`);
  v.free();
  t.diagnostic(`full profile: ${a.profile.memoryBytes} bytes in memory, ${a.storage.totalBytes} bytes stored; ${perEvent.toFixed(1)} µs/event with storage (every event rewrites the record)`);
});

test('10,000 open/free cycles leak no memory', async (t) => {
  // A CMP, as TCF v2.2's __tcfapi behaves for event listeners, so listenTcf subscribes and
  // free() unsubscribes.
  const listeners = new Map();
  let next = 1;
  globalThis.__tcfapi = (command, version, callback, parameter) => {
    if (command === 'addEventListener') {
      const id = next++;
      listeners.set(id, callback);
      callback({ eventStatus: 'tcloaded', listenerId: id, gdprApplies: true, tcString: 'not a TC string' }, true);
    } else if (command === 'removeEventListener') callback(listeners.delete(parameter));
  };
  const catalog = makeCatalog(20);
  const cycle = (i) => {
    const v = Vitrine.open({ catalog, consent: { personalization: true, storage: true }, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(v), true);
    v.track('Product Viewed', { product_id: `candles-${i % 20}` });
    v.recommend({ scenario: 'for_you', k: 3 });
    if (i % 3 === 0) v.exportData();
    if (i % 5 === 0) v.erase();
    v.audit();
    v.free();
  };
  try {
    // The CMP keeps each callback until the JS engine collects it; collect and yield now and
    // then, as a page's engine does between tasks.
    const collect = async () => {
      gc();
      await new Promise((ok) => setImmediate(ok));
    };
    for (let i = 0; i < 1000; i++) cycle(i);
    await collect();
    const [m0, t0] = [memory(), table()];
    // Without the engine collecting anything: free() gives back everything. The callbacks the
    // CMP still holds are plain JS functions (a shared dispatcher bound to a handle free() has
    // forgotten), so no wasm memory waits for a collection; when each kept 65 bytes of Rust
    // closure, the growth here was 0–1.5 MB, depending on the allocator's fragmentation.
    const start = performance.now();
    for (let i = 0; i < 10_000; i++) cycle(i);
    const perCycle = (performance.now() - start) / 10_000;
    const m1 = memory();
    assert.ok(m1 - m0 <= PAGE, `wasm memory grew by ${m1 - m0} bytes over 10,000 cycles`);
    assert.equal(listeners.size, 0, 'every CMP listener removed');
    assert.ok(table() <= t0, `JS values held grew from ${t0} to ${table()}`);
    // Once the engine collects, as it does between tasks, nothing accumulates at all.
    await collect();
    for (let i = 0; i < 2_000; i++) {
      cycle(i);
      if (i % 500 === 499) await collect();
    }
    assert.ok(memory() <= m1 + PAGE, `wasm memory grew from ${m1} to ${memory()} bytes`);
    t.diagnostic(`10,000 cycles: ${perCycle.toFixed(3)} ms each; wasm memory ${m0} → ${m1} bytes before any collection, ${memory()} after 2,000 more; JS value table ${t0} → ${table()}`);
  } finally {
    delete globalThis.__tcfapi;
  }
});
