// Storage faults in real Chromium, where the browser's own behaviour matters: localStorage full
// (QuotaExceededError from setItem), disabled (the localStorage getter throws, as with cookies
// blocked), cleared under a running page (no storage event in the same tab), a page whose own
// Storage methods misbehave or call back into vitrine, records of a newer vitrine, and 10,000
// open/free cycles with the real back-end, storage listener and a CMP. Each keeps the page
// working (no page error), loses no more than docs/RELIABILITY.md says, and shows in audit().
import test from 'node:test';
import assert from 'node:assert/strict';
import { cmpStub, launch, newPage } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

/** A blank page of the site (same origin as /pkg/), with `setup` run before any script. */
async function blank(setup) {
  const { context, page, problems, requests } = await newPage(env.browser);
  await page.route(`${env.base}/fault-test`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>fault test</title>' }));
  if (setup) await context.addInitScript(setup);
  await page.goto(`${env.base}/fault-test`);
  await page.evaluate(async () => {
    const m = await import('/pkg/vitrine.js');
    await m.default();
    window.vt = m;
    window.catalog = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, category: ['Candles', 'Mugs', 'Tea'][i % 3], price: 5 + i, popularity: 30 - i }));
  });
  return { context, page, problems, requests };
}

const done = async ({ context, problems, requests }) => {
  for (const r of requests) assert.ok(r.url.startsWith(env.base + '/') && r.method === 'GET', r.url);
  assert.deepEqual(problems, []);
  await context.close();
};

test('a full localStorage: events kept in memory, reported once, everything stored once there is room', async () => {
  const tab = await blank(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      if (window.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return setItem.call(this, k, v);
    };
  });
  const out = await tab.page.evaluate(() => {
    const { Vitrine } = window.vt;
    window.full = true;
    const v = Vitrine.open({ namespace: 'quota', catalog, consent: { personalization: true, storage: true } });
    const accepted = Array.from({ length: 10 }, (_, i) => v.track('Product Viewed', { product_id: `p${i}` }).accepted);
    const a = v.audit();
    const out = {
      accepted,
      errors: a.history.filter((e) => e.type === 'storageError').map((e) => e.message),
      keysWhileFull: Object.keys(localStorage).filter((k) => k.startsWith('quota:')),
      shelf: v.recommend({ scenario: 'for_you', k: 5 }).length,
      held: v.profile().events,
    };
    window.full = false;
    out.afterRoom = v.track('Product Viewed', { product_id: 'p11' }).accepted;
    v.free();
    const next = Vitrine.open({ namespace: 'quota', catalog });
    out.next = { source: next.consent().source, events: next.profile()?.events };
    next.erase();
    next.free();
    return out;
  });
  assert.ok(out.accepted.every(Boolean));
  assert.deepEqual(out.errors, ['localStorage is full (quota exceeded)']);
  assert.deepEqual(out.keysWhileFull, []);
  assert.equal(out.shelf, 5);
  assert.equal(out.held, 10);
  assert.equal(out.afterRoom, true);
  assert.deepEqual(out.next, { source: 'stored', events: 11 }, 'the decision and every event stored once there was room');
  await done(tab);
});

test('a disabled localStorage (its getter throws): memory, said in audit(), the page keeps working', async () => {
  const tab = await blank(() => {
    Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
  });
  const out = await tab.page.evaluate(() => {
    const { Vitrine } = window.vt;
    return ['local', undefined].map((storage) => {
      const v = Vitrine.open({ catalog, storage, consent: { personalization: true, storage: true } });
      const a = v.audit();
      const r = {
        backend: a.storage.backend,
        errors: a.history.filter((e) => e.type === 'storageError').map((e) => e.message),
        tracked: v.track('Product Viewed', { product_id: 'p1' }).accepted,
        shelf: v.recommend({ scenario: 'similar', itemId: 'p1', k: 3 }).length,
      };
      v.free();
      return r;
    });
  });
  for (const r of out) {
    assert.deepEqual(r, { backend: 'memory', errors: ['localStorage is disabled; using memory'], tracked: true, shelf: 3 });
  }
  await done(tab);
});

test('storage cleared under a running page is not written back: handled as an erasure', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(() => {
    const { Vitrine } = window.vt;
    const v = Vitrine.open({ namespace: 'itp', catalog, consent: { personalization: true, storage: true } });
    v.track('Product Viewed', { product_id: 'p1' });
    const before = Object.keys(localStorage).filter((k) => k.startsWith('itp:')).sort();
    localStorage.clear(); // the shopper clears the site's data; no storage event in this tab
    // Within the write interval `track` does not look at storage: the event is held in memory,
    // and the next look (the write it waits for, or a call such as profile()) finds the clearing.
    const after = v.track('Product Viewed', { product_id: 'p2' });
    const out = {
      before,
      after,
      keys: Object.keys(localStorage).filter((k) => k.startsWith('itp:')),
      profile: v.profile(),
      cleared: v.audit().history.some((e) => e.type === 'cleared'),
      shelf: v.recommend({ scenario: 'trending', k: 4 }).length,
    };
    v.free();
    // The next visit after Safari deleted script-written storage: nothing known, nothing broken.
    const next = Vitrine.open({ namespace: 'itp', catalog });
    out.next = { source: next.consent().source, tracked: next.track('Product Viewed', { product_id: 'p3' }) };
    next.free();
    return out;
  });
  assert.deepEqual(out.before, ['itp:consent', 'itp:profile']);
  assert.deepEqual(out.after, { accepted: true });
  assert.deepEqual(out.keys, [], 'nothing written back');
  assert.equal(out.profile, null);
  assert.ok(out.cleared);
  assert.equal(out.shelf, 4);
  assert.deepEqual(out.next, { source: 'default', tracked: { accepted: false, reason: 'no_consent' } });
  await done(tab);
});

test('an event held in memory after a clearing is dropped by the timed write, which looks first', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const { Vitrine } = window.vt;
    const v = Vitrine.open({ namespace: 'held', catalog, consent: { personalization: true, storage: true } });
    v.track('Product Viewed', { product_id: 'p1' });
    localStorage.clear();
    const held = [v.track('Product Viewed', { product_id: 'p2' }), v.track('Product Viewed', { product_id: 'p3' })];
    await new Promise((ok) => setTimeout(ok, 400)); // the write timer fires (200 ms) and looks
    const keys = Object.keys(localStorage).filter((k) => k.startsWith('held:'));
    const history = v.audit().history.map((e) => e.type);
    v.free();
    return { held, keys, history };
  });
  assert.deepEqual(out.held, [{ accepted: true }, { accepted: true }]);
  assert.deepEqual(out.keys, [], 'nothing written back');
  assert.ok(out.history.includes('cleared'), out.history.join());
  await done(tab);
});

test('Storage methods that misbehave or call back into vitrine: errors reported, nothing thrown at the page', async () => {
  const tab = await blank(() => {
    const { getItem, setItem } = Storage.prototype;
    window.mode = 'ok';
    Storage.prototype.getItem = function (k) {
      if (window.mode === 'reenter' && window.v) window.v.track('Product Viewed', { product_id: 'p9' });
      if (window.mode === 'garbage') return k.endsWith(':consent') ? 42 : { not: 'a string' };
      return getItem.call(this, k);
    };
    Storage.prototype.setItem = function (k, value) {
      if (window.mode === 'string') throw 'not even an Error'; // eslint-disable-line no-throw-literal
      return setItem.call(this, k, value);
    };
  });
  const out = await tab.page.evaluate(async () => {
    const { Vitrine } = window.vt;
    const v = Vitrine.open({ namespace: 'odd', catalog, consent: { personalization: true, storage: true } });
    window.v = v;
    const results = {};
    for (const mode of ['reenter', 'string', 'garbage']) {
      // track writes the profile at once after a quiet moment, later events at the end of the
      // write interval (WRITE_INTERVAL_MS, 200 ms): each mode's event comes after a quiet moment.
      await new Promise((ok) => setTimeout(ok, 250));
      window.mode = mode;
      try {
        results[mode] = v.track('Product Viewed', { product_id: `p-${mode}` }).accepted;
      } catch (e) {
        results[mode] = `threw ${e}`;
      }
    }
    window.mode = 'ok';
    results.after = v.track('Product Viewed', { product_id: 'p4' }).accepted;
    results.history = v.audit().history.filter((e) => e.type === 'storageError' || e.type === 'reset').map((e) => e.message ?? e.reason);
    results.events = v.profile().events;
    v.free();
    return results;
  });
  assert.deepEqual([out.reenter, out.string, out.garbage, out.after], [true, true, true, true], JSON.stringify(out));
  assert.equal(out.events, 4);
  assert.ok(out.history.some((m) => m.startsWith('localStorage failed')), JSON.stringify(out.history));
  await done(tab);
});

test('records of a newer vitrine (a later deploy in another tab) are left alone', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(() => {
    const { Vitrine } = window.vt;
    // What a later version writes: the same envelope with version byte 7 (this one writes 6).
    const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const consent = b64([0x56, 0x43, 7, 1, 2, 3, 4, 9, 9, 9]);
    const profile = b64([0x56, 0x50, 7, 1, 2, 3, 4, 7, 7, 7]);
    localStorage.setItem('next:consent', consent);
    localStorage.setItem('next:profile', profile);
    const v = Vitrine.open({ namespace: 'next', catalog });
    const out = {
      source: v.consent().source,
      ignored: v.audit().history.filter((e) => e.type === 'ignored').map((e) => e.reason),
      tracked: v.track('Product Viewed', { product_id: 'p1' }).reason,
      kept: localStorage.getItem('next:consent') === consent && localStorage.getItem('next:profile') === profile,
      shelf: v.recommend({ scenario: 'trending', k: 3 }).length,
    };
    v.erase();
    out.erased = Object.keys(localStorage).filter((k) => k.startsWith('next:'));
    v.free();
    return out;
  });
  assert.equal(out.source, 'default');
  assert.deepEqual(out.ignored, ['next:consent was written by a newer vitrine: left as it is']);
  assert.equal(out.tracked, 'no_consent');
  assert.ok(out.kept);
  assert.equal(out.shelf, 3);
  assert.deepEqual(out.erased, [], 'erase() still removes every key of the namespace');
  await done(tab);
});

test('10,000 open/free cycles with localStorage, the storage listener and a CMP leak no memory', async (t) => {
  const tab = await blank(cmpStub);
  const out = await tab.page.evaluate(async () => {
    const { Vitrine } = window.vt;
    const wasm = await window.vt.default();
    const cycle = (i) => {
      const v = Vitrine.open({ namespace: 'cycles', catalog, consent: { personalization: true, storage: true } });
      Vitrine.listenTcf(v);
      v.track('Product Viewed', { product_id: `p${i % 30}` });
      v.recommend({ scenario: 'for_you', k: 3 });
      v.audit();
      if (i % 4 === 0) v.erase();
      v.free();
    };
    const pause = () => new Promise((ok) => setTimeout(ok, 0));
    for (let i = 0; i < 1000; i++) cycle(i);
    await pause();
    const m0 = wasm.memory.buffer.byteLength;
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      cycle(i);
      if (i % 1000 === 999) await pause();
    }
    return {
      ms: (performance.now() - t0) / 10_000,
      m0,
      m1: wasm.memory.buffer.byteLength,
      listeners: window.__cmp.listeners.size,
      backend: (() => { const v = Vitrine.open({ namespace: 'cycles' }); const b = v.audit().storage.backend; v.erase(); v.free(); return b; })(),
    };
  });
  assert.equal(out.backend, 'local');
  assert.equal(out.listeners, 0);
  assert.ok(out.m1 - out.m0 <= 65536, `wasm memory grew from ${out.m0} to ${out.m1}`);
  t.diagnostic(`Chromium, 10,000 cycles: ${out.ms.toFixed(3)} ms each; wasm memory ${out.m0} → ${out.m1} bytes`);
  await done(tab);
});
