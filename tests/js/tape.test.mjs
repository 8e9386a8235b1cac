// The glue's half of the tapes (src/wasm/tape.js, as shipped in pkg/; the format is documented in
// src/tape.rs). Arguments: what `readValue` writes for every kind of value, where it stops, and
// that a getter calling back into vitrine in the middle of a walk leaves the outer walk intact.
// Results: `fromTape`'s cache of short strings never confuses two strings.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import vitrine, { pkgDir, makeCatalog } from './load.mjs';

const snippet = readdirSync(`${pkgDir}snippets`, { recursive: true }).find((f) => f.endsWith('tape.js'));
const { readValue, takeTape, bytesLength, copyBytes, fromTape } = await import(`${pkgDir}snippets/${snippet}`);

const SMALL = [12, 50_000, 1 << 20, 4 << 20];

/** A tape back into a JS description: `{undefined: true}`, `{bytes: k}`, `{unsupported: kind}`. */
function decode(tape) {
  const dv = new DataView(tape.buffer, tape.byteOffset, tape.byteLength);
  let p = 0;
  const string = () => {
    const n = dv.getUint32(p, true);
    p += 4;
    const s = new TextDecoder().decode(tape.subarray(p, p + n));
    p += n;
    return s;
  };
  const value = () => {
    switch (tape[p++]) {
      case 0: return null;
      case 1: return false;
      case 2: return true;
      case 3: { const x = dv.getFloat64(p, true); p += 8; return x; }
      case 4: return string();
      case 5: { const a = []; while (tape[p] !== 7) a.push(value()); p++; return a; }
      case 6: {
        const o = [];
        while (tape[p] !== 7) {
          assert.equal(tape[p++], 4, 'a key is a string');
          o.push([string(), value()]);
        }
        p++;
        return { object: o };
      }
      case 8: return { undefined: true };
      case 9: { const k = dv.getUint32(p, true); p += 4; return { bytes: k }; }
      case 10: return { unsupported: tape[p++] };
      default: throw new Error(`bad tag at ${p - 1}`);
    }
  };
  const status = tape[p++];
  if (status !== 0) return { status };
  const v = value();
  assert.equal(p, tape.length, 'the tape holds one value');
  return v;
}

/** What wasm does: room for the tape in its memory (at byte 64), and `takeTape` when it does not fit. */
const memory = new WebAssembly.Memory({ initial: 1 });
function tapeOf(v, limits = SMALL, room = 4096) {
  const n = readValue(v, ...limits, memory, 64, room);
  if (n >= 0) return new Uint8Array(memory.buffer, 64, n).slice();
  const whole = new Uint8Array(-n);
  takeTape(whole);
  return whole;
}

const read = (v, limits = SMALL, room = undefined) => decode(tapeOf(v, limits, room));

test('every kind of value is written as the boundary reads it', () => {
  const when = new Date(1_750_000_000_000);
  assert.deepEqual(read({ product_id: 'sku-1', price: 12.5, tags: ['a', 'b'], ok: true, no: false, none: null }), {
    object: [['product_id', 'sku-1'], ['price', 12.5], ['tags', ['a', 'b']], ['ok', true], ['no', false], ['none', null]],
  });
  assert.deepEqual(read(undefined), { undefined: true });
  assert.deepEqual(read([1, , 3]), [1, { undefined: true }, 3]); // eslint-disable-line no-sparse-arrays
  assert.deepEqual(read(when), 1_750_000_000_000);
  assert.ok(Number.isNaN(read(NaN)));
  assert.equal(read(-0), -0);
  assert.deepEqual(read([10n, Symbol('s'), () => 1]), [{ unsupported: 0 }, { unsupported: 1 }, { unsupported: 2 }]);
  // Non-ASCII, long, and lone surrogates (U+FFFD, as wasm-bindgen's own strings).
  const long = 'é'.repeat(70_000);
  assert.deepEqual(read(['Crème brûlée ✓', long, 'a\uD800b', 'x'.repeat(40)]), ['Crème brûlée ✓', long, 'a\uFFFDb', 'x'.repeat(40)]);
  // Own enumerable string keys only, in order; `__proto__` as a plain key.
  const o = Object.create({ inherited: 1 });
  o.b = 2;
  o[Symbol('k')] = 3;
  Object.defineProperty(o, 'hidden', { value: 4, enumerable: false });
  o.a = 5;
  assert.deepEqual(read(o), { object: [['b', 2], ['a', 5]] });
  assert.deepEqual(read(JSON.parse('{"__proto__": {"x": 1}}')), { object: [['__proto__', { object: [['x', 1]] }]] });
});

test('a tape that does not fit where wasm asked is kept for takeTape', () => {
  const value = { s: 'z'.repeat(300), n: [1, 2, 3] };
  const mem = new WebAssembly.Memory({ initial: 1 });
  const n = readValue(value, ...SMALL, mem, 8, 16);
  assert.ok(n < -300, 'minus the length');
  assert.deepEqual(new Uint8Array(mem.buffer, 0, 64), new Uint8Array(64), 'nothing half-written');
  const whole = new Uint8Array(-n);
  takeTape(whole);
  assert.deepEqual(decode(whole), read(value));
  assert.deepEqual(read(value, SMALL, 0), read(value), 'no room at all: the same path');
  assert.deepEqual(read(1.5, SMALL, 10), 1.5, 'a tape that just fits');
  // Memory that grew during the walk (a getter can make it grow) is written through a new view.
  const growing = { get x() { mem.grow(1); return 7; } };
  const m = readValue(growing, ...SMALL, mem, 8, 64);
  assert.ok(m > 0 && mem.buffer.byteLength === 2 * 65536);
  assert.deepEqual(decode(new Uint8Array(mem.buffer, 8, m).slice()), { object: [['x', 7]] });
});

test('byte arrays are handed over apart, piece by piece, once each', () => {
  const model = new Uint8Array([1, 2, 3, 4, 5]);
  const tape = read({ model: model.subarray(1, 4), buffer: new Uint8Array([9]).buffer });
  assert.deepEqual(tape, { object: [['model', { bytes: 0 }], ['buffer', { bytes: 1 }]] });
  assert.deepEqual([bytesLength(0), bytesLength(1), bytesLength(2)], [3, 1, 0]);
  // Copied into (wasm) memory at a given place, in pieces; asking past the end copies nothing.
  const memory = new WebAssembly.Memory({ initial: 1 });
  const at = new Uint8Array(memory.buffer);
  assert.equal(copyBytes(0, 2, 2, memory, 100), false);
  assert.equal(copyBytes(0, 0, 2, memory, 100), true);
  assert.equal(copyBytes(0, 2, 1, memory, 102), true);
  assert.equal(copyBytes(1, 0, 1, memory, 103), true);
  assert.deepEqual([...at.subarray(99, 105)], [0, 2, 3, 4, 9, 0]);
  assert.equal(bytesLength(0), 0, 'the walk keeps no reference after the last piece');
  assert.equal(copyBytes(0, 0, 1, memory, 100), false);
  // A Proxy that passes for a Uint8Array is read inside the walk, not later by the glue.
  const liar = new Proxy(new Uint8Array(2), { get() { throw new Error('trap'); } });
  assert.deepEqual(read(liar), { status: 3 });
});

test('the walk stops at the first limit or throw, and says which', () => {
  let deep = {};
  for (let i = 0; i < 12; i++) deep = { d: deep };
  assert.deepEqual(read(deep), { status: 1 });
  assert.equal(read(deep, [13, 50, 100, 1000]).object[0][0], 'd');
  assert.deepEqual(read(Array.from({ length: 10 }, (_, i) => i), [12, 10, 100, 1000]), { status: 2 }, '11 values');
  assert.equal(read(Array.from({ length: 9 }, (_, i) => i), [12, 10, 100, 1000]).length, 9);
  assert.deepEqual(read('x'.repeat(101), [12, 10, 100, 1000]), { status: 4 }, 'a string too long');
  const huge = [];
  huge.length = 2 ** 32 - 1;
  assert.deepEqual(read(huge), { status: 2 }, 'a length over the value limit is refused before any element is read');
  // Whatever a getter or trap throws — even something shaped like the walk's own signals.
  for (const thrown of [new Error('x'), 'string', undefined, 42, { status: 1 }, { status: 2 }, Symbol('s')]) {
    const getter = Object.defineProperty({}, 'p', { enumerable: true, get() { throw thrown; } });
    assert.deepEqual(read({ a: getter }), { status: 3 });
  }
  assert.deepEqual(read(new Proxy({}, { ownKeys() { throw new Error('trap'); } })), { status: 3 });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  assert.deepEqual(read([revocable.proxy]), { status: 3 });
  // `instanceof` through a throwing getPrototypeOf trap means "not a Date", then keys throw too.
  assert.deepEqual(read(new Proxy({}, { getPrototypeOf() { throw new Error('x'); } })), { object: [] });
  // Nothing after the first failure runs.
  let later = 0;
  const obj = {
    get a() { throw new Error('first'); },
    get b() { later++; return 1; },
  };
  assert.deepEqual(read(obj), { status: 3 });
  assert.equal(later, 0);
  // The module state is clean after a failure: the next walk is whole.
  assert.deepEqual(read({ ok: 1 }), { object: [['ok', 1]] });
});

test('a call copies at most its budget of characters and bytes: the walk stops before the copy', () => {
  const limits = [12, 100, 100, 250];
  assert.equal(read(['x'.repeat(100), 'y'.repeat(100), 'z'.repeat(50)], limits).length, 3, '250 in all');
  assert.deepEqual(read(['x'.repeat(100), 'y'.repeat(100), 'z'.repeat(51)], limits), { status: 2 });
  // Keys count, and byte arrays by their bytes.
  assert.deepEqual(read({ ['k'.repeat(100)]: 'v'.repeat(100), ['K'.repeat(51)]: 1 }, limits), { status: 2 });
  assert.deepEqual(read([new Uint8Array(200), 'x'.repeat(51)], limits), { status: 2 });
  assert.equal(read([new Uint8Array(200), 'x'.repeat(50)], limits).length, 2);
  // One string repeated is counted each time it is copied: a thousand 1 MiB strings stop at the
  // fifth, and the tape never grew past the budget.
  const mib = 'y'.repeat((1 << 20) - 16);
  const t0 = performance.now();
  assert.deepEqual(read(Array(1000).fill(mib)), { status: 2 });
  assert.ok(performance.now() - t0 < 1000, 'stopped early');
});

test('a getter that walks again in the middle of a walk leaves the outer tape whole', () => {
  let inner;
  const outer = {
    before: 'x'.repeat(3000), // grows the shared buffer
    get nested() {
      inner = read({ again: ['y'.repeat(5000)], b: new Uint8Array([7]) });
      return 'n';
    },
    after: [1, 2],
  };
  assert.deepEqual(read(outer), { object: [['before', 'x'.repeat(3000)], ['nested', 'n'], ['after', [1, 2]]] });
  assert.deepEqual(inner, { object: [['again', ['y'.repeat(5000)]], ['b', { bytes: 0 }]] });
});

test('through the API: a getter that tracks in the middle of a track, and hostile values around good ones', () => {
  const { Vitrine } = vitrine;
  const v = Vitrine.open({ catalog: makeCatalog(20), consent: { personalization: true }, storage: 'memory' });
  const props = {
    get product_id() {
      assert.deepEqual(v.track('Product Viewed', { product_id: 'mugs-1', price: 7 }), { accepted: true });
      return 'candles-0';
    },
  };
  // The arguments are read before the instance is entered: both calls count, inner first.
  assert.deepEqual(v.track('Product Viewed', props), { accepted: true });
  assert.deepEqual(v.profile().recentlyViewed, ['candles-0', 'mugs-1']);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'tea-4', when: new Date(), extra: [10n, Symbol('s')] }), { accepted: true });
  assert.deepEqual(v.profile().recentlyViewed, ['tea-4', 'candles-0', 'mugs-1']);
  v.free();
});

test('result keys read again are the same strings, and keys that hash alike stay apart', () => {
  const enc = new TextEncoder();
  const le = (n) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
  const str = (s) => { const b = enc.encode(s); return [4, ...le(b.length), ...b]; };
  const object = (entries) => Uint8Array.from([6, ...entries.flatMap(([k, v]) => [...str(k), 3, ...new Uint8Array(new Float64Array([v]).buffer)]), 7]);
  // 'Aa' and 'BB' (and 'AaBB', 'BBAa') are alike under a byte-wise 31-based hash.
  const pairs = [['Aa', 1], ['BB', 2], ['AaBB', 3], ['BBAa', 4], ['accepted', 5], ['é', 6], ['k'.repeat(30), 7]];
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(fromTape(object(pairs)), Object.fromEntries(pairs));
    assert.deepEqual(fromTape(object([...pairs].reverse())), Object.fromEntries([...pairs].reverse()));
  }
  // More distinct keys of one length than the cache has slots: some share a slot.
  const many = Array.from({ length: 1500 }, (_, i) => [`key${String(i).padStart(4, '0')}`, i]);
  for (let round = 0; round < 2; round++) assert.deepEqual(fromTape(object(many)), Object.fromEntries(many));
  // `__proto__` stays an own property.
  const proto = fromTape(object([['__proto__', 1]]));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
});

test('result strings read again are the same, and strings that share a slot stay apart', () => {
  const enc = new TextEncoder();
  const le = (n) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24];
  const str = (s) => { const b = enc.encode(s); return [4, ...le(b.length), ...b]; };
  const array = (strings) => Uint8Array.from([5, ...strings.flatMap(str), 7]);
  // One length ('Aa' / 'BB' blocks), one byte apart, the empty string, the longest cached length
  // and one more, non-ASCII, and 2,000 distinct ids of one length (more than there are slots, so
  // strings of the same length share slots and take them over again and again).
  const block = (bits) => bits.map((b) => (b ? 'Aa' : 'BB')).join('');
  const strings = [
    block([1, 0, 1, 0]), block([0, 1, 0, 1]), block([1, 1, 0, 0]), 'i1', 'i2', '', 'x'.repeat(32),
    'x'.repeat(33), 'y'.repeat(32), 'café', 'because you like c47', 'because you like c48',
    ...Array.from({ length: 2000 }, (_, i) => `i${String(i * 7919).padStart(8, '0')}`),
  ];
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(fromTape(array(strings)), strings);
    assert.deepEqual(fromTape(array([...strings].reverse())), [...strings].reverse());
    // Each string alone after all the others: whatever its slot holds, the bytes decide.
    for (const s of strings.slice(0, 12)) assert.equal(fromTape(array([s]))[0], s);
  }
});
