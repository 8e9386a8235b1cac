// Vitrine.load({model}): a model file read as it arrives (a fetch's Response, a Blob, a
// ReadableStream, or a promise of one) opens exactly as Vitrine.open({model: bytes}) does, and
// every way a stream can go wrong is a clear rejection that leaves nothing half-open.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine, { mulberry32, wasm } from './load.mjs';
import { crc32 } from './checksums.mjs';

const { Vitrine } = vitrine;
const model = new Uint8Array(readFileSync(new URL('../fixtures/tiny-v3-idhx.vtr', import.meta.url)));
const options = { consent: { personalization: true, storage: false }, storage: 'memory' };

/** A stream of `bytes` in pieces of the given sizes (cycled), as a network delivers them. */
function stream(bytes, sizes = [4096]) {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = sizes[i++ % sizes.length];
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** What a shopper of the fixture's catalog is shown: same model, same shelves. */
function shelves(v) {
  v.track('Order Completed', { products: [{ product_id: 'throws-2' }, { product_id: 'mugs-1' }] });
  v.track('Product Viewed', { product_id: 'candles-3' });
  const out = ['for_you', 'trending'].map((scenario) => v.recommend({ scenario, k: 8 }));
  out.push(v.recommend({ scenario: 'similar', itemId: 'mugs-1', k: 5 }));
  out.push(v.recommend({ scenario: 'bought_together', itemId: 'candles-0', k: 5 }));
  v.free();
  return out;
}

test('a model read as it arrives opens as its bytes do, whatever the pieces', async () => {
  const expected = shelves(Vitrine.open({ model, ...options }));
  assert.equal(expected[0].length, 8);
  const rand = mulberry32(7);
  const sources = [
    () => stream(model, [1]),
    () => stream(model, [31, 1, 64]),
    () => stream(model, Array.from({ length: 16 }, () => 1 + Math.floor(rand() * 3000))),
    () => new Response(model),
    () => fetchLike(model),
    () => new Blob([model.slice(0, 100), model.slice(100)]),
    () => model,
    () => model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength),
  ];
  for (const [i, source] of sources.entries()) {
    const v = await Vitrine.load({ model: source(), ...options });
    assert.deepEqual(shelves(v), expected, `source ${i}`);
  }
});

test('loads running at the same time each get their own file', async () => {
  const expected = shelves(Vitrine.open({ model, ...options }));
  const other = new Uint8Array(readFileSync(new URL('../fixtures/tiny-v2-idhx.vtr', import.meta.url)));
  const expectedOther = shelves(Vitrine.open({ model: other, ...options }));
  const loads = [stream(model, [100]), stream(other, [77]), stream(model, [1]), stream(other, [5000])]
    .map((source) => Vitrine.load({ model: source, ...options }));
  const [a, b, c, d] = await Promise.all(loads);
  assert.deepEqual(shelves(a), expected);
  assert.deepEqual(shelves(b), expectedOther);
  assert.deepEqual(shelves(c), expected);
  assert.deepEqual(shelves(d), expectedOther);
});

/** A `fetch()` of the file: a promise of a Response whose body arrives in pieces. */
function fetchLike(bytes) {
  return Promise.resolve(new Response(stream(bytes, [1000, 17]), { status: 200 }));
}

test('a piece larger than a megabyte is taken a megabyte per task', async () => {
  // The fixture's header, saying the file is 3 MB and 5 bytes long (its header checksum made
  // again), then that many bytes in one piece: taken in four, then refused by the body checksum.
  const big = new Uint8Array(3 * (1 << 20) + 5);
  big.set(model.subarray(0, 32));
  const head = new DataView(big.buffer);
  head.setBigUint64(16, BigInt(big.length), true);
  head.setUint32(28, crc32(big.subarray(0, 28)), true);
  const sizes = [];
  const { ModelLoad } = vitrine;
  const { push } = ModelLoad.prototype;
  ModelLoad.prototype.push = function (piece, len) {
    sizes.push(len);
    return push.call(this, piece, len);
  };
  try {
    await assert.rejects(Vitrine.load({ model: new Response(big) }), { message: 'model: the model file is damaged: its checksum does not match' });
  } finally {
    ModelLoad.prototype.push = push;
  }
  assert.deepEqual(sizes, [1 << 20, 1 << 20, 1 << 20, 5]);
});

test('a file larger than the memory the module can have is refused, and the module still works', async () => {
  // 4.2 GB: more than a wasm32 memory's 4 GiB. The array is never written, so it costs nothing.
  const huge = new Uint8Array(4.2e9);
  assert.throws(() => Vitrine.open({ model: huge, ...options }),
    { message: 'open: there is not enough memory to copy the bytes given' });
  // A header that says the file is that long: refused before anything else is read.
  const head = model.slice(0, 32);
  const dv = new DataView(head.buffer);
  dv.setBigUint64(16, BigInt(huge.length), true);
  dv.setUint32(28, crc32(head.subarray(0, 28)), true);
  await assert.rejects(Vitrine.load({ model: stream(head), ...options }),
    { message: 'model: there is not enough memory for a model file of 4200000000 bytes' });
  assert.equal(shelves(Vitrine.open({ model, ...options }))[1].length, 8);
});

test('a catalog, or no model, is opened as open does', async () => {
  const v = await Vitrine.load({ catalog: [{ id: 'a', category: 'Mugs' }, { id: 'b', category: 'Mugs' }], ...options });
  assert.equal(v.recommend({ scenario: 'trending', k: 5 }).length, 2);
  v.free();
  const empty = await Vitrine.load({ ...options });
  assert.deepEqual(empty.recommend({ scenario: 'trending', k: 5 }), []);
  empty.free();
});

test('a stream that is not a model file is refused as soon as its first 32 bytes are in', async () => {
  const page = new TextEncoder().encode('<!doctype html><html><body>Not found</body></html>'.repeat(200));
  let pulled = 0;
  let cancelled = null;
  const source = new ReadableStream({
    pull(c) {
      c.enqueue(page.slice(pulled, pulled + 16));
      pulled += 16;
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  await assert.rejects(Vitrine.load({ model: source }), /^Error: model: not a usable model file: it does not start with the vitrine model signature$/);
  // Read up to the header; the stream itself queues one more piece ahead (its high-water mark).
  assert.ok(pulled <= 48, `${pulled} bytes pulled`);
  assert.match(String(cancelled), /signature/, 'the stream is cancelled with the reason');
  const gz = new Uint8Array([0x1f, 0x8b, 8, 0, ...new Array(60).fill(0)]);
  await assert.rejects(Vitrine.load({ model: stream(gz) }), /gzip-compressed; serve it with Content-Encoding: gzip/);
});

test('a damaged, cut or lengthened file is refused with what open says, or its length', async () => {
  const said = (bytes) => {
    try {
      Vitrine.open({ model: bytes, ...options });
    } catch (e) {
      return e.message;
    }
    assert.fail('open accepted a bad file');
  };
  const cut = model.slice(0, model.length - 9);
  await assert.rejects(Vitrine.load({ model: stream(cut, [100]), ...options }), { message: said(cut) });
  assert.match(said(cut), /truncated or has extra bytes: the header says \d+ bytes, there are \d+/);
  const damaged = model.slice();
  damaged[model.length >> 1] ^= 0x40;
  await assert.rejects(Vitrine.load({ model: stream(damaged, [333]), ...options }), { message: said(damaged) });
  const tiny = model.slice(0, 20);
  await assert.rejects(Vitrine.load({ model: stream(tiny), ...options }), { message: said(tiny) });
  await assert.rejects(Vitrine.load({ model: stream(new Uint8Array(0)), ...options }), { message: said(new Uint8Array(0)) });
  const longer = new Uint8Array(model.length + 5);
  longer.set(model);
  await assert.rejects(Vitrine.load({ model: stream(longer, [model.length, 5]), ...options }),
    { message: `model: the model file is longer than the ${model.length} bytes its header says` });
});

test('a failed response, a failing stream or a stream of non-bytes rejects clearly', async () => {
  await assert.rejects(Vitrine.load({ model: new Response('gone', { status: 404, statusText: 'Not Found' }) }),
    { message: "load: the model file's response is 404 Not Found" });
  const used = new Response(model);
  await used.arrayBuffer();
  await assert.rejects(Vitrine.load({ model: used }), { message: "load: the model file's response has no body left to read" });
  const broken = new ReadableStream({
    start(c) {
      c.enqueue(model.slice(0, 500));
    },
    pull(c) {
      c.error(new TypeError('network error'));
    },
  });
  await assert.rejects(Vitrine.load({ model: broken }), { name: 'TypeError', message: 'network error' });
  await assert.rejects(Vitrine.load({ model: Promise.reject(new Error('offline')) }), { message: 'offline' });
  const words = new ReadableStream({
    start(c) {
      c.enqueue('VTR');
      c.close();
    },
  });
  await assert.rejects(Vitrine.load({ model: words }), { name: 'TypeError', message: 'load: the model stream gave string, not bytes' });
  await assert.rejects(Vitrine.load({ model: { length: 3 } }), /^Error: open: options\.model must be a Uint8Array or an ArrayBuffer holding a model file \(Vitrine\.load also reads a Response, a Blob, a stream or a promise of one\), got object$/);
});

test('options are checked as open checks them, after the file has arrived', async () => {
  await assert.rejects(Vitrine.load({ model: stream(model), catalog: [] }), { message: 'open: options give both model and catalog; give one of them' });
  await assert.rejects(Vitrine.load({ model: new Response(model), policy: { diversity: 2 } }),
    { message: 'open: policy.diversity must be a number from 0 to 1, got 2' });
  await assert.rejects(Vitrine.load(42), { message: 'open: options must be an object, got number' });
  await assert.rejects(Vitrine.load({ model: stream(model), storage: 'disk' }), /open: options\.storage/);
});

test('loads that fail leave no memory behind', async () => {
  const bad = model.slice();
  bad[model.length - 3] ^= 1;
  // Warm up: the allocator's own bookkeeping grows once.
  for (let i = 0; i < 5; i++) await Vitrine.load({ model: stream(bad, [777]) }).catch(() => {});
  const before = wasm.memory.buffer.byteLength;
  for (let i = 0; i < 200; i++) {
    await Vitrine.load({ model: stream(bad, [777]) }).catch(() => {});
    await Vitrine.load({ model: stream(model.slice(0, 900), [300]) }).catch(() => {});
    (await Vitrine.load({ model: stream(model, [5000]), ...options })).free();
  }
  assert.equal(wasm.memory.buffer.byteLength, before);
});
