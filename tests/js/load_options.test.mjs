// Vitrine.load checks its options as open does before it reads any of the stream: a misspelt
// option costs no download, and the stream is cancelled.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine from './load.mjs';

const { Vitrine } = vitrine;
const model = new Uint8Array(readFileSync(new URL('../fixtures/tiny-v3.vtr', import.meta.url)));

/** A stream of the model in pieces of 100 bytes that counts the pieces it is asked for. */
function counted() {
  const s = { pulls: 0, cancelled: false };
  s.stream = new ReadableStream({
    pull(c) {
      const at = s.pulls++ * 100;
      if (at >= model.length) c.close();
      else c.enqueue(model.slice(at, at + 100));
    },
    cancel() {
      s.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return s;
}

test('wrong options reject with what open throws before any of the stream is read', async () => {
  const wrong = [
    { consnet: {} },
    { policy: { diversity: 2 } },
    { storage: 'disk' },
    { namespace: '' },
    { catalog: [] },
    { consent: { personalization: 'yes' } },
  ];
  for (const options of wrong) {
    let thrown;
    try {
      Vitrine.open({ ...options, model });
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown, JSON.stringify(options));
    const s = counted();
    await assert.rejects(Vitrine.load({ ...options, model: s.stream }), { name: 'Error', message: thrown.message }, JSON.stringify(options));
    assert.equal(s.pulls, 0, `${JSON.stringify(options)}: no piece read`);
    assert.ok(s.cancelled, `${JSON.stringify(options)}: the stream is cancelled`);
  }
  // Right options: the whole stream is read and the model opens.
  const s = counted();
  const v = await Vitrine.load({ model: s.stream, storage: 'memory' });
  assert.ok(s.pulls > model.length / 100);
  assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2);
  v.free();
});
