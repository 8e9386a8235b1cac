// Consent signals through the built package: TC strings, Google Consent Mode, Global Privacy
// Control (read from navigator), the CMP listener, erase, audit and export.
import test from 'node:test';
import assert from 'node:assert/strict';
import { GVL, Segment, TCModel, TCString } from '@iabtechlabtcf/core';
import vitrine, { makeCatalog, wasm } from './load.mjs';
import { tcString } from './tcstring.mjs';

const { Vitrine, decodeTcString } = vitrine;
const catalog = makeCatalog(30);

/** Runs `fn` with `navigator.globalPrivacyControl` set as the browser would. */
function withGpc(value, fn) {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { globalPrivacyControl: value }, configurable: true });
  try {
    return fn();
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete globalThis.navigator;
  }
}

test('decodeTcString reads a TC string and says why a bad one is bad', () => {
  const tc = decodeTcString(tcString([1, 5, 6], Date.UTC(2025, 0, 2)));
  assert.deepEqual(tc.purposeConsents, [1, 5, 6]);
  assert.equal(tc.lastUpdated, Date.UTC(2025, 0, 2));
  assert.equal(tc.consentLanguage, 'EN');
  assert.equal(tc.publisherCountryCode, 'FR');
  assert.equal(tc.publisherTC, null);
  assert.deepEqual(JSON.parse(JSON.stringify(tc)), tc, 'plain JSON');
  const bad = [
    ['', /empty string/],
    ['CAA', /truncated: the core segment ends inside created/],
    ['CP_h-0AP!', /not base64url: '!' at position 8/],
    [`B${'A'.repeat(43)}`, /unsupported version 1/],
    [`${tcString([1])}.IAAAAAA.IAAAAAA`, /segment 3 repeats segment type 1 \(disclosed vendors\)/],
    [`${tcString([1])}.oAAA`, /bad segment type 5 in segment 2/],
  ];
  for (const [s, why] of bad) {
    assert.throws(() => decodeTcString(s), (e) => e instanceof Error && /^invalid TC string: /.test(e.message) && why.test(e.message), s);
  }
  assert.throws(() => decodeTcString(42), { name: 'Error', message: 'decodeTcString: tcString must be a string, got number' });
  assert.throws(() => decodeTcString('C'.repeat(200_000)), /longer than 100000 characters/);
  assert.throws(() => decodeTcString('C'.repeat(2_000_000)), { name: 'Error', message: 'decodeTcString: the value is too large' });
});

test('setConsent maps TCF purposes 1, 5, 6 and Consent Mode personalization_storage', () => {
  const v = Vitrine.open({ catalog, storage: 'memory' });
  const pick = (c) => [c.personalization, c.storage, c.source];
  assert.deepEqual(pick(v.setConsent({ tcf: tcString([1, 5, 6]) })), [true, true, 'tcf']);
  assert.deepEqual(pick(v.setConsent({ tcf: tcString([1, 5]) })), [false, true, 'tcf']);
  assert.deepEqual(pick(v.setConsent({ tcf: tcString([5, 6]) })), [true, false, 'tcf']);
  const granted = { personalization_storage: 'granted', ad_storage: 'denied', analytics_storage: 'denied' };
  assert.deepEqual(pick(v.setConsent({ googleConsentMode: granted })), [true, true, 'googleConsentMode']);
  assert.deepEqual(pick(v.setConsent({ googleConsentMode: { ad_storage: 'granted' } })), [false, false, 'googleConsentMode']);
  assert.deepEqual(pick(v.setConsent({ personalization: false, storage: true, tcf: tcString([1, 5, 6]) })), [false, true, 'explicit']);
  assert.throws(() => v.setConsent({ googleConsentMode: { personalisation_storage: 'granted' } }), /personalisation_storage is not a known option/);
  assert.throws(() => v.setConsent({ tcf: 'CAA' }), /invalid TC string: truncated/);
  assert.deepEqual(pick(v.consent()), [false, true, 'explicit'], 'a malformed TC string changes nothing');
  v.free();
});

test('policy.tcfPurposes: the core segment\'s purposes by default, the publisher TC segment\'s with \'publisher\' (IAB encoder)', () => {
  const gvl = new GVL({
    gvlSpecificationVersion: 3, vendorListVersion: 80, tcfPolicyVersion: 5, lastUpdated: '2025-01-01T00:00:00Z',
    purposes: {}, specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {}, vendors: {},
  });
  /** Core purposes `core`, the publisher's own `own`, as a CMP encodes them (service-specific). */
  const encode = (core, own, li = []) => {
    const m = new TCModel(gvl);
    m.cmpId = 10;
    m.isServiceSpecific = true;
    m.purposeConsents.set(core);
    m.publisherConsents.set(own);
    m.publisherLegitimateInterests.set(li);
    return TCString.encode(m);
  };
  const pick = (c) => [c.personalization, c.storage];
  // The IAB encoder writes the publisher TC segment into every service-specific string, empty
  // when the CMP declares no publisher purposes: by default it is not read.
  assert.deepEqual(decodeTcString(encode([1, 5, 6], [])).publisherTC.purposeConsents, []);
  const core = Vitrine.open({ catalog, storage: 'memory' });
  assert.deepEqual(pick(core.setConsent({ tcf: encode([1, 5, 6], []) })), [true, true]);
  assert.deepEqual(core.audit().policy.tcfPurposes, 'core');
  core.free();
  // She said yes to vendors and no to the shop itself: with 'publisher', that is a no.
  const v = Vitrine.open({ catalog, storage: 'memory', policy: { tcfPurposes: 'publisher' } });
  assert.deepEqual(pick(v.setConsent({ tcf: encode([1, 5, 6], []) })), [false, false]);
  assert.deepEqual(pick(v.setConsent({ tcf: encode([], [1, 5, 6]) })), [true, true]);
  assert.deepEqual(pick(v.setConsent({ tcf: encode([1, 5, 6], [5, 6]) })), [true, false]);
  assert.deepEqual(pick(v.setConsent({ tcf: encode([1, 5, 6], [1], [5, 6]) })), [false, true], 'legitimate interest never counts');
  v.free();
  assert.throws(() => Vitrine.open({ catalog, policy: { tcfPurposes: 'vendors' } }), /policy\.tcfPurposes must be one of core, publisher/);
});

test('a consent that decides nothing throws and erases nothing (a banner state not filled in yet)', () => {
  const v = Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true, storage: true } });
  v.track('Product Viewed', { product_id: catalog[3].id });
  const before = JSON.stringify([v.consent(), v.exportData().profile]);
  for (const nothing of [undefined, null, {}, { personalization: undefined }]) {
    assert.throws(() => v.setConsent(nothing), /^Error: setConsent: consent (must be an object|decides nothing)/, JSON.stringify(nothing));
  }
  assert.equal(JSON.stringify([v.consent(), v.exportData().profile]), before);
  assert.throws(() => Vitrine.open({ catalog, consent: {} }), /^Error: open: consent decides nothing/);
  // Left out (or undefined), `open` takes the stored decision, as documented.
  assert.equal(Vitrine.open({ catalog, storage: 'memory', consent: undefined }).consent().source, 'default');
  v.free();
});

test('Global Privacy Control denies personalization until the shopper opts in explicitly with it', () => {
  withGpc(true, () => {
    const v = Vitrine.open({ catalog, storage: 'memory', consent: { tcf: tcString([1, 5, 6]) } });
    assert.deepEqual([v.consent().personalization, v.consent().storage, v.consent().source], [false, true, 'gpc']);
    assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-0' }), { accepted: false, reason: 'no_consent' });
    assert.equal(v.audit().gpc, true);
    assert.equal(v.audit().policy.gpc, 'deny');
    const c = v.setConsent({ personalization: true, storage: true });
    assert.deepEqual([c.personalization, c.source], [true, 'explicit']);
    assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-0' }), { accepted: true });
    v.free();
    const ignoring = Vitrine.open({ catalog, storage: 'memory', consent: { googleConsentMode: { personalization_storage: 'granted' } }, policy: { gpc: 'ignore' } });
    assert.equal(ignoring.consent().personalization, true);
    ignoring.free();
  });
  withGpc(false, () => {
    const v = Vitrine.open({ catalog, storage: 'memory', consent: { tcf: tcString([1, 5, 6]) } });
    assert.equal(v.consent().personalization, true);
    assert.equal(v.audit().gpc, false);
    v.free();
  });
  // A navigator whose getter throws reads as "no signal", and does not break open().
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { get() { throw new Error('nope'); }, configurable: true });
  try {
    const v = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(v.audit().gpc, false);
    v.free();
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete globalThis.navigator;
  }
});

/** A minimal CMP: `__tcfapi` with addEventListener/removeEventListener, as TCF v2.2 specifies. */
function fakeCmp() {
  const listeners = new Map();
  let nextId = 1;
  const cmp = {
    calls: [],
    listeners,
    fire(status, tcString, extra = {}) {
      for (const [id, cb] of listeners) cb({ eventStatus: status, tcString, listenerId: id, gdprApplies: true, ...extra }, true);
    },
  };
  globalThis.__tcfapi = (command, version, callback, parameter) => {
    cmp.calls.push([command, version, parameter]);
    if (command === 'addEventListener') {
      const id = nextId++;
      listeners.set(id, callback);
      callback({ eventStatus: 'cmpuishown', listenerId: id, gdprApplies: true }, true);
    } else if (command === 'removeEventListener') {
      callback(listeners.delete(parameter));
    }
  };
  return cmp;
}

test('listenTcf follows the CMP: tcloaded and useractioncomplete only; free() removes the listener', () => {
  const v0 = Vitrine.open({ catalog, storage: 'memory' });
  assert.equal(Vitrine.listenTcf(v0), false, 'no CMP on the page');
  v0.free();

  const cmp = fakeCmp();
  try {
    const v = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(v), true);
    assert.equal(Vitrine.listenTcf(v), true, 'a second call does not subscribe twice');
    assert.equal(cmp.listeners.size, 1);
    assert.deepEqual(cmp.calls[0], ['addEventListener', 2, undefined]);
    assert.equal(v.consent().source, 'default', 'cmpuishown is not a decision');

    const day = 86_400_000;
    cmp.fire('tcloaded', tcString([1, 5, 6], Date.now() - 3 * day));
    assert.deepEqual([v.consent().personalization, v.consent().source], [true, 'tcf']);
    v.setConsent({ personalization: false, storage: false }); // the banner, later
    cmp.fire('tcloaded', tcString([1, 5, 6], Date.now() - 3 * day)); // an older string, reloaded
    assert.deepEqual([v.consent().personalization, v.consent().source], [false, 'explicit']);
    cmp.fire('useractioncomplete', tcString([1, 5, 6], Date.now() - 3 * day)); // the shopper acts now
    assert.deepEqual([v.consent().personalization, v.consent().source], [true, 'tcf']);
    cmp.fire('useractioncomplete', 'CAA');
    cmp.fire('useractioncomplete', tcString([]), { gdprApplies: false });
    cmp.fire('useractioncomplete', undefined);
    assert.equal(v.consent().personalization, true, 'unusable signals change nothing');
    const ignored = v.audit().history.filter((e) => e.type === 'ignored').map((e) => e.reason);
    assert.deepEqual(ignored, [
      'tcloaded: the TC string is older than the decision in force',
      'invalid TC string: truncated: the core segment ends inside created',
      'the CMP says GDPR does not apply (gdprApplies: false)',
      "the CMP's tcData has no usable tcString",
    ]);

    v.free();
    assert.deepEqual(cmp.calls.at(-1), ['removeEventListener', 2, 1]);
    assert.equal(cmp.listeners.size, 0, 'listener removed on free()');
  } finally {
    delete globalThis.__tcfapi;
  }
});

test('a CMP that throws or calls back after free() cannot break vitrine', () => {
  globalThis.__tcfapi = () => { throw new Error('CMP crashed'); };
  try {
    const v = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(v), false);
    v.free();
  } finally {
    delete globalThis.__tcfapi;
  }
  let saved;
  globalThis.__tcfapi = (command, version, callback) => { if (command === 'addEventListener') saved = callback; };
  try {
    const v = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(v), true);
    v.free(); // no listenerId was ever given: nothing to remove
    assert.doesNotThrow(() => saved({ eventStatus: 'useractioncomplete', tcString: tcString([1, 5, 6]), listenerId: 9 }, true));
  } finally {
    delete globalThis.__tcfapi;
  }
});

test('an instance freed while the CMP is still its stub leaves no listener once the CMP loads', () => {
  // The IAB stub a page puts inline queues every call until the CMP's script has loaded; the CMP
  // then registers the queued listeners, answering each with its listenerId.
  const queue = [];
  globalThis.__tcfapi = (...args) => { queue.push(args); };
  try {
    for (let i = 0; i < 5; i++) {
      const v = Vitrine.open({ catalog, storage: 'memory' });
      assert.equal(Vitrine.listenTcf(v), true);
      v.free(); // a route change before the CMP loaded
    }
    const kept = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(kept), true);
    const cmp = fakeCmp();
    for (const call of queue) globalThis.__tcfapi(...call);
    assert.equal(cmp.listeners.size, 1, 'only the live instance listens');
    assert.deepEqual(cmp.calls.filter(([c]) => c === 'removeEventListener').map(([, , id]) => id), [1, 2, 3, 4, 5]);
    cmp.fire('useractioncomplete', tcString([1, 5, 6]));
    assert.equal(kept.consent().source, 'tcf');
    kept.free();
    assert.equal(cmp.listeners.size, 0);
  } finally {
    delete globalThis.__tcfapi;
  }
});

test('each listener reaches its own instance only, and a callback kept after free() reaches none', () => {
  const cmp = fakeCmp();
  try {
    const [a, b] = [0, 1].map(() => Vitrine.open({ catalog, storage: 'memory' }));
    assert.equal(Vitrine.listenTcf(a), true);
    assert.equal(Vitrine.listenTcf(b), true);
    const [callA, callB] = [cmp.listeners.get(1), cmp.listeners.get(2)];
    callB({ eventStatus: 'useractioncomplete', tcString: tcString([1, 5, 6]), listenerId: 2, gdprApplies: true }, true);
    assert.deepEqual([a.consent().source, b.consent().source], ['default', 'tcf']);
    a.free();
    assert.deepEqual(cmp.calls.at(-1), ['removeEventListener', 2, 1], "a's own listenerId removed");
    const c = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(c), true);
    // A CMP that kept a's callback and calls it anyway: the newer instance is not reached.
    callA({ eventStatus: 'useractioncomplete', tcString: tcString([1, 5, 6]), listenerId: 1, gdprApplies: true }, true);
    assert.equal(c.consent().source, 'default');
    b.free();
    c.free();
    assert.deepEqual(cmp.calls.slice(-2), [['removeEventListener', 2, 2], ['removeEventListener', 2, 3]]);
    assert.equal(cmp.listeners.size, 0);
  } finally {
    delete globalThis.__tcfapi;
  }
});

test('audit, exportData and erase: everything held is reported, exported, and then gone', () => {
  const v = Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true, storage: true }, policy: { retentionDays: 10 } });
  v.track('Product Viewed', { product_id: 'candles-0' });
  v.track('Order Completed', { products: [{ product_id: 'mugs-1' }] });
  const a = v.audit();
  assert.equal(a.mode, 'local-only');
  assert.equal(a.network.capable, false);
  assert.doesNotMatch(a.network.imports, /fetch|XMLHttpRequest|sendBeacon/, 'names no network API itself');
  assert.deepEqual(a.storage.keys.map((k) => k.key), ['vitrine:consent', 'vitrine:profile']);
  assert.equal(a.storage.totalBytes, a.storage.keys.reduce((s, k) => s + k.bytes, 0));
  assert.equal(a.profile.retentionDays, 10);
  assert.ok(a.profile.signals > 0 && a.profile.oldest > 0);
  assert.equal(a.profile.mergeBuffer, 2, 'both events, kept a few seconds for merging with other tabs');
  assert.ok(a.history.some((e) => e.type === 'consent' && e.source === 'explicit'));
  const data = v.exportData();
  assert.deepEqual(data.profile.purchases.map((p) => p.itemId), ['mugs-1']);
  assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  v.erase();
  const after = v.audit();
  assert.deepEqual(after.storage.keys, [], 'no vitrine key remains');
  assert.equal(after.profile.held, false);
  assert.equal(after.profile.mergeBuffer, 0);
  assert.equal(after.consent.source, 'default');
  assert.deepEqual(after.history.filter((e) => e.type === 'erase').map((e) => e.what), ['all']);
  assert.equal(v.exportData().profile, null);
  v.free();
});

test('a page left open past consentMaxAgeDays: consent() and every other call read no decision', () => {
  const realNow = Date.now;
  let offset = 0;
  Date.now = () => realNow() + offset;
  try {
    const v = Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true, storage: true }, policy: { consentMaxAgeDays: 1 } });
    assert.equal(v.consent().source, 'explicit');
    offset = 1.1 * 86_400_000;
    const state = v.consent();
    assert.deepEqual([state.personalization, state.storage, state.source, state.updatedAt], [false, false, 'default', null]);
    assert.deepEqual(v.track('Product Viewed', { product_id: catalog[0].id }), { accepted: false, reason: 'no_consent' });
    v.free();
    // Every call ends it, the first one after the limit whichever it is.
    const w = Vitrine.open({ catalog, storage: 'memory', consent: { personalization: true, storage: true }, policy: { consentMaxAgeDays: 1 } });
    offset += 1.1 * 86_400_000;
    const order = { order_id: 'o1', timestamp: Date.now(), products: [{ product_id: catalog[0].id }] };
    assert.deepEqual(w.importHistory([order]), { imported: 0, duplicates: 0, refused: [], reason: 'no_consent' });
    w.free();
  } finally {
    Date.now = realNow;
  }
});

test('free() from page code the CMP runs inside listenTcf frees the instance once listenTcf returns', (t) => {
  // Each instance's memory is given back once: a second free of the same pointer (the glue's
  // guard made one after the call returned) corrupts the module's heap.
  let frees = [];
  const free = wasm.__wbg_vitrine_free;
  wasm.__wbg_vitrine_free = (ptr, ...rest) => {
    frees.push(ptr);
    return free(ptr, ...rest);
  };
  t.after(() => { wasm.__wbg_vitrine_free = free; });
  // A CMP that answers at once and lets the page's own handlers run in the same call (one of
  // them unmounts the shelf whose instance was subscribing).
  let onCmp = () => {};
  const listeners = new Map();
  globalThis.__tcfapi = (command, version, callback, parameter) => {
    if (command === 'addEventListener') {
      listeners.set(1, callback);
      callback({ eventStatus: 'tcloaded', tcString: tcString([1, 5, 6]), listenerId: 1, gdprApplies: true }, true);
      onCmp();
    } else if (command === 'removeEventListener') {
      callback(listeners.delete(parameter));
    }
  };
  try {
    for (let i = 0; i < 3; i++) {
      const v = Vitrine.open({ catalog, storage: 'memory' });
      let threw = null;
      onCmp = () => {
        try {
          v.free(); // a component's cleanup: it must not throw into the page
        } catch (e) {
          threw = e;
        }
      };
      const ptr = v.__wbg_ptr;
      frees = [];
      assert.doesNotThrow(() => Vitrine.listenTcf(v));
      assert.deepEqual(frees, [ptr], 'freed once');
      assert.equal(threw, null);
      assert.throws(() => v.consent(), /this instance was freed/);
      assert.equal(listeners.size, 0, 'its listener went with it');
    }
    const w = Vitrine.open({ catalog, storage: 'memory' });
    onCmp = () => {};
    assert.equal(Vitrine.listenTcf(w), true);
    assert.equal(w.consent().source, 'tcf');
    w.free();
  } finally {
    delete globalThis.__tcfapi;
  }
});
