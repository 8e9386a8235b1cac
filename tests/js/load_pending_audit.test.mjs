// Re-audit of `Vitrine.load` opening its instance at the call (Node: no window, instances kept in
// memory). What needs localStorage, other instances and tabs: tests/browser/load_pending_audit.test.mjs.
//
// One test shows the defects the re-audit found (each failed on the build it was found on,
// 949a0ce), fixed since; the others are guards that hold.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine, { makeCatalog, wasm } from './load.mjs';

const { Vitrine } = vitrine;
const memoryOnly = { storage: 'memory' };
const yes = { personalization: true };
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const catalog = makeCatalog(40);
// A model file (a fixture of the current format: no vitrine-model build needed).
const FILE = readFileSync(new URL('../fixtures/tiny-v3-idhx.vtr', import.meta.url));
const bytesOf = () => new Uint8Array(FILE);

/** A promise of `value` that settles when `release()` is called. */
function held(value) {
  let release;
  const promise = new Promise((ok) => { release = () => ok(value); });
  return { promise, release };
}

test('a promise that resolves to no model: its consent is applied at the call, not again at the end', async () => {
  for (const none of [undefined, null]) {
    const { promise, release } = held(none);
    const loading = Vitrine.load({ model: promise, consent: yes, ...memoryOnly });
    await sleep(20);
    const mark = Date.now();
    await sleep(5);
    release();
    const v = await loading;
    const decided = v.audit().history.filter((h) => h.type === 'consent');
    v.free();
    // Found: dated after `mark` — the instance returned was opened when the promise resolved.
    assert.ok(decided.length === 1 && decided[0].at < mark, `${none}: ${JSON.stringify(decided)} (the call was before ${mark})`);
  }
});

test('a promise of bytes, a stream, a Response: the consent is the one applied at the call', async () => {
  const sources = {
    'promise of bytes': (bytes) => held(bytes),
    'promise of a Response': (bytes) => held(new Response(bytes)),
    'a stream that waits': (bytes) => {
      const h = held(null);
      return { promise: new ReadableStream({ async pull(c) { await h.promise; c.enqueue(bytes); c.close(); } }), release: h.release };
    },
  };
  for (const [name, make] of Object.entries(sources)) {
    const { promise, release } = make(bytesOf());
    const loading = Vitrine.load({ model: promise, consent: yes, ...memoryOnly });
    await sleep(20);
    const mark = Date.now();
    await sleep(5);
    release();
    const v = await loading;
    const decided = v.audit().history.filter((h) => h.type === 'consent');
    assert.ok(decided.length === 1 && decided[0].at < mark, `${name}: ${JSON.stringify(decided)}`);
    assert.equal(v.consent().updatedAt, decided[0].at);
    assert.ok(v.track('Product Viewed', { product_id: 'mugs-1' }).accepted, name);
    assert.equal(v.recommend({ scenario: 'trending', k: 3 }).length, 3, name);
    v.free();
  }
});

test('a wrong option, or a catalog beside a promise, rejects at the call, the promise never settling; a given stream is cancelled', async () => {
  const never = new Promise(() => {});
  await assert.rejects(Vitrine.load({ model: never, policy: { diversity: 2 } }), /^Error: open: policy.diversity must be a number from 0 to 1, got 2$/);
  await assert.rejects(Vitrine.load({ model: never, catalog }), /give both model and catalog; give one of them/);
  await assert.rejects(Vitrine.load({ model: never, consent: {} }), /consent decides nothing/);
  for (const wrap of [(s) => s, (s) => Promise.resolve(s), (s) => new Response(s), (s) => Promise.resolve(new Response(s))]) {
    let cancelled;
    const s = new ReadableStream({ pull() {}, cancel(reason) { cancelled = reason?.message; } });
    await assert.rejects(Vitrine.load({ model: wrap(s), consnet: yes }), /options.consnet is not a known option/);
    await sleep(1);
    assert.match(cancelled ?? 'not cancelled', /options.consnet is not a known option/);
  }
});

test('the locked-stream message, for a stream and for a Response whose body another reader holds', async () => {
  const locked = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(8)); } });
  locked.getReader();
  const response = new Response(new Uint8Array(100));
  response.body.getReader();
  for (const model of [locked, Promise.resolve(locked), response]) {
    await assert.rejects(Vitrine.load({ model, consent: yes, ...memoryOnly }), {
      name: 'TypeError',
      message: 'load: the model stream is locked: something else is reading it (give each load a stream of its own, such as a new fetch)',
    });
  }
});

test('many failed loads, each opening its instance at the call: wasm memory levels off', async () => {
  const bytes = bytesOf();
  const damaged = bytes.slice();
  damaged[bytes.length - 50] ^= 0x10;
  const failures = [
    () => Promise.reject(new Error('offline')),
    () => new Response('nope', { status: 404 }),
    () => new ReadableStream({ pull(c) { c.error(new TypeError('network error')); } }),
    () => new Blob([damaged]),
    () => Promise.resolve('/model.vtr'),
    () => {
      let controller;
      setTimeout(() => controller.error(new Error('gave up waiting')), 1);
      return new ReadableStream({ start(c) { controller = c; c.enqueue(bytes.slice(0, 500)); }, pull: () => new Promise(() => {}) });
    },
  ];
  const round = async () => {
    for (const f of failures) await assert.rejects(Vitrine.load({ model: f(), consent: { personalization: true, sensitive: true }, ...memoryOnly }));
  };
  for (let i = 0; i < 5; i++) await round();
  const before = wasm.memory.buffer.byteLength;
  for (let i = 0; i < 60; i++) await round();
  assert.equal(wasm.memory.buffer.byteLength, before);
  // And a good file still loads.
  const v = await Vitrine.load({ model: new Blob([bytes]), consent: yes, ...memoryOnly });
  assert.equal(v.recommend({ scenario: 'trending', k: 4 }).length, 4);
  v.free();
});
