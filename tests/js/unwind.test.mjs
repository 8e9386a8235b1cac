// A call made so deep in the page's own recursion that the engine's stack runs out in the middle
// of it: the RangeError goes through the module's Rust code, which never finishes. The module
// must give back the shadow stack that code took (each such error used to take some for good,
// until every call of every instance trapped), and only the instance the call was on stops, with
// an error that says so, and a free() that does not throw (scripts/unwind-guard.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine, { makeCatalog, wasm } from './load.mjs';
import { nearlyOut } from './stack.mjs';

const { Vitrine } = vitrine;
const catalog = makeCatalog(40);
const open = () => Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true } });
const STOPPED = /^vitrine: a JavaScript error went through an earlier call on this instance .* stopped it halfway; open a new one$/;

test('a RangeError through a call stops that instance only, and the module keeps its stack', () => {
  const sp = wasm.sp;
  assert.ok(sp instanceof WebAssembly.Global, 'the module exports its shadow stack pointer');
  const top = sp.value;
  const other = open();
  other.track('Product Viewed', { product_id: catalog[0].id });
  const recommend = (v) => () => v.recommend({ scenario: 'for_you', k: 5 });

  let stopped = 0;
  for (let attempt = 0; attempt < 300 && stopped < 20; attempt++) {
    const v = open();
    const threw = nearlyOut(recommend(v));
    assert.equal(sp.value, top, 'the shadow stack is given back whatever was thrown');
    let after;
    try {
      after = { ok: v.recommend({ scenario: 'trending', k: 1 }) };
    } catch (e) {
      after = { error: e.message };
    }
    if (after.error !== undefined) {
      // A RangeError went through Rust code: the instance says so, and frees quietly.
      assert.ok(threw instanceof RangeError, String(threw));
      assert.match(after.error, STOPPED);
      assert.throws(() => v.track('Product Viewed', { product_id: catalog[1].id }), { message: STOPPED });
      stopped += 1;
    } else {
      // Nothing thrown, or thrown before the call reached the module: nothing changed.
      assert.equal(after.ok.length, 1);
    }
    v.free();
    assert.throws(() => v.recommend({ scenario: 'trending' }), /this instance was freed/);
  }
  assert.ok(stopped > 0, 'no RangeError went through the module: the test checked nothing');
  // The instance no call was stopped on, and new ones, work on.
  assert.deepEqual(other.track('Product Viewed', { product_id: catalog[2].id }), { accepted: true });
  assert.equal(other.profile().events, 2);
  const fresh = open();
  assert.equal(fresh.recommend({ scenario: 'trending', k: 3 }).length, 3);
  fresh.free();
  other.free();
  assert.equal(sp.value, top);
});

test('a fake clock that throws stops nothing: it reads as a wrong clock', () => {
  const v = open();
  const realNow = Date.now;
  Date.now = () => { throw new Error('fake clock not installed yet'); };
  try {
    v.track('Product Viewed', { product_id: catalog[0].id });
    v.recommend({ scenario: 'for_you', k: 2 });
    v.consent();
  } finally {
    Date.now = realNow;
  }
  // (The event tracked meanwhile had no time to be dated by: it was dated 2001, and the next call
  // with a true clock pruned it as older than the retention period.)
  assert.deepEqual(v.track('Product Viewed', { product_id: catalog[1].id }), { accepted: true });
  assert.deepEqual(v.profile().recentlyViewed, [catalog[1].id]);
  v.free();
});
