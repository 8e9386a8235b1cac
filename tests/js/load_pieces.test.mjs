// Vitrine.load's pieces: the bytes a piece holds are what is copied, whatever the piece's own
// getters claim, and a piece that is not bytes is refused without leaving anything stuck.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine from './load.mjs';
import { crc32 } from './checksums.mjs';

const { Vitrine, ModelLoad } = vitrine;
const model = new Uint8Array(readFileSync(new URL('../fixtures/tiny-v3.vtr', import.meta.url)));
const once = (chunk) => new ReadableStream({ start(c) { c.enqueue(chunk); c.close(); } });
const truncated = (n) => `model: the model file is truncated or has extra bytes: the header says ${model.length} bytes, there are ${n}`;

test('a Uint8Array whose length lies is read for the bytes it holds', async () => {
  // A whole load first, freed: its bytes are left behind in wasm memory, where a copy that
  // trusted the claimed length would find them.
  (await Vitrine.load({ model: new Response(model) })).free();
  class Liar extends Uint8Array {
    get length() { return model.length; }
    subarray() { return this; }
  }
  const liar = new Liar(32);
  liar.set(model.subarray(0, 32));
  await assert.rejects(Vitrine.load({ model: once(liar) }), { message: truncated(32) });
  // One whose byteLength lies past its buffer is not bytes.
  class Far extends Uint8Array {
    get byteLength() { return 1 << 30; }
  }
  await assert.rejects(Vitrine.load({ model: once(new Far(32)) }), { name: 'TypeError', message: /not bytes/ });
  const v = await Vitrine.load({ model: new Response(model), storage: 'memory' });
  assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2, 'a real load still works');
  v.free();
});

test('a piece is taken for the bytes it holds: fewer refused, not-bytes refused, the load usable after', () => {
  const said = /load: a piece of the model file must be a Uint8Array holding the bytes given/;
  const m = new ModelLoad({});
  m.push(model.subarray(0, 32), 32);
  assert.throws(() => m.push(new Uint8Array(0), model.length - 32), said);
  class Liar extends Uint8Array {
    get length() { return 1e6; }
    get byteLength() { return 1e6; }
  }
  assert.throws(() => m.push(new Liar(8), 100), said);
  for (const piece of [{}, 'abc', null, new DataView(new ArrayBuffer(8)), new Uint16Array(4), [1, 2, 3]]) {
    assert.throws(() => m.push(piece, 3), said, String(piece));
  }
  // Still usable: the rest of the file, then the steps, open it.
  m.push(model.subarray(32), model.length - 32);
  m.step();
  m.step();
  m.step();
  const v = Vitrine.openLoaded(m, { storage: 'memory' });
  assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2);
  v.free();
});

test('a header giving 4 GiB or more is refused as too large for memory, naming the length it gives', async () => {
  const header = (len) => {
    const b = model.slice(0, 32);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(16, BigInt(len), true);
    dv.setUint32(28, crc32(b.subarray(0, 28)), true);
    return b;
  };
  for (const len of [2n ** 31n, 2n ** 32n - 8n, 2n ** 32n, 2n ** 40n, 2n ** 64n - 1n]) {
    await assert.rejects(Vitrine.load({ model: once(header(len)) }),
      { message: `model: there is not enough memory for a model file of ${len} bytes` }, String(len));
    assert.throws(() => Vitrine.open({ model: header(len) }),
      { message: `model: the model file is truncated or has extra bytes: the header says ${len} bytes, there are 32` });
  }
});
