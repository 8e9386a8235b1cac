// Hostile callers: thousands of seeded random values — undefined, NaN, ±Infinity, huge strings,
// lone surrogates, deep and sparse arrays, BigInt, Symbols, functions, prototype tricks, Proxies
// whose traps throw, getters that throw (Errors or not) or call back into vitrine — thrown at
// every export, in every argument position. Only `Error`s may come out, never a wasm trap
// (`RuntimeError: unreachable`, which a Rust panic is) or a non-Error; a call that throws or is
// refused changes nothing (consent, profile and storage are compared before and after); and the
// instances keep working. HOSTILE_SEED=<n> replays a run, HOSTILE_CALLS=<n> sets its length.
import test from 'node:test';
import assert from 'node:assert/strict';
import { types } from 'node:util';
import vitrine, { makeCatalog, mulberry32, wasm } from './load.mjs';

const { Vitrine, decodeTcString, npsSummary, version, initSync } = vitrine;
const SEED = Number(process.env.HOSTILE_SEED ?? 20250601);
const CALLS = Number(process.env.HOSTILE_CALLS ?? 4000);
const NOW = 1_750_000_000_000;

/** Seeded draws: `next()` in [0, 1), `int(n)` in 0..n, `pick(xs)`. */
function generator(seed) {
  const next = mulberry32(seed);
  const int = (n) => Math.floor(next() * n);
  const pick = (xs) => xs[int(xs.length)];
  return { next, int, pick };
}

const KEYS = [
  'product_id', 'sku', 'id', 'item_id', 'products', 'items', 'category', 'brand', 'price', 'quantity', 'query',
  'productVariant', 'product', 'cartLine', 'merchandise', 'checkout', 'lineItems', 'collection', 'data', 'name',
  'timestamp', 'channel', 'scenario', 'itemId', 'itemIds', 'k', 'exclude', 'filter', 'diversity', 'explore',
  'excludePurchased', 'minPrice', 'maxPrice', 'inStock', 'personalization', 'storage', 'tcf', 'googleConsentMode',
  'personalization_storage', 'catalog', 'model', 'consent', 'namespace', 'policy', 'halfLifeDays', 'retentionDays',
  'gpc', 'rememberRefusal', 'title', 'tags', 'embedding', 'popularity', 'sensitive', '__proto__', 'constructor',
  'toString', 'valueOf', 'toJSON', 'length', '0', '', 'score', 'comment', 'orderId', 'order_id',
  'popularityByChannel', 'maxSignalShare', 'detractors', 'sensitiveCategories',
];
const NAMES = ['Product Viewed', 'Order Completed', 'add_to_cart', 'view_item_list', 'product_viewed',
  'Products Searched', 'checkout_completed', 'Product Removed', 'cart_viewed', 'Survey Answered'];
const SCENARIOS = ['for_you', 'similar', 'bought_together', 'trending', 'recently_viewed', 'buy_again', 'cart'];
const HUGE = 'x'.repeat((1 << 20) + 1);
const LONG = 'İ'.repeat(200);
// Over the boundary's limits (50,000 values, depth 12); made once, they are costly to build.
const WIDE = Object.fromEntries(Array.from({ length: 60000 }, (_, i) => [`k${i}`, i]));
const LONG_ARRAY = new Array(200000).fill({ item_id: 'candles-1' });
const DEEP = (() => { let o = {}; for (let i = 0; i < 2000; i++) o = { product_id: 'deep', products: [o], items: [o] }; return o; })();

/** Something a getter or trap throws: not always an Error. */
function thrown(r) {
  return r.pick([() => new Error('hostile'), () => 'a string', () => undefined, () => Symbol('s'), () => 42])();
}

/** A random hostile value; `ctx.victim` lets getters call back into an instance mid-call. */
function strange(r, ctx, depth = 0) {
  const leaf = [
    () => undefined, () => null, () => true, () => false, () => 0, () => -0, () => NaN, () => Infinity,
    () => -Infinity, () => Number.MAX_VALUE, () => Number.MIN_VALUE, () => 2 ** 53 + 2, () => -1,
    () => r.next() * 1e4, () => r.int(60), () => NOW - r.int(1e10),
    () => '', () => HUGE, () => 'x'.repeat(1 << 16), () => LONG, () => '\uD800', () => '\uDFFF\uD800x',
    () => `candles-${r.int(40)}`, () => `mugs-${r.int(40)}`, () => r.pick(NAMES), () => r.pick(SCENARIOS),
    () => r.pick(KEYS), () => String.fromCharCode(...Array.from({ length: r.int(20) }, () => r.int(0x10000))),
    () => 10n, () => -(2n ** 64n), () => Symbol('s'), () => Symbol.iterator, () => () => 1, () => class {},
    () => async () => 1, () => function* g() {}, () => new Date(r.pick([NaN, NOW, -1e20])), () => /re/g,
    () => new Map([[1, 2]]), () => new Set([1]), () => new WeakMap(), () => Promise.resolve(1), () => new Error('e'),
    () => new Uint8Array(Array.from({ length: r.int(64) }, () => r.int(256))), () => new Float64Array([NaN, 1]),
    () => new ArrayBuffer(r.int(16)), () => new DataView(new ArrayBuffer(4)), () => globalThis, () => vitrine,
    () => Vitrine, () => ctx.victim, () => wasm.memory, () => Math, () => JSON,
  ];
  if (depth > 3 || r.next() < 0.45) return r.pick(leaf)();
  const nested = () => strange(r, ctx, depth + 1);
  const shapes = [
    () => Array.from({ length: r.int(5) }, nested),
    () => Object.fromEntries(Array.from({ length: r.int(6) }, () => [r.pick(KEYS), nested()])),
    () => { const a = [nested()]; a.length = r.pick([2 ** 32 - 1, 1e6, 5]); return a; },
    () => [, , nested()], // eslint-disable-line no-sparse-arrays
    () => Object.create(null),
    () => Object.create({ [r.pick(KEYS)]: nested() }), // inherited, not own
    () => JSON.parse('{"__proto__": {"product_id": "polluted"}, "scenario": "trending"}'),
    () => Object.freeze({ [r.pick(KEYS)]: nested() }),
    () => { const o = {}; o.self = o; Object.defineProperty(o, r.pick(KEYS), { value: o, enumerable: true }); return o; },
    () => DEEP,
    () => (r.next() < 0.1 ? WIDE : { [r.pick(KEYS)]: nested() }),
    () => LONG_ARRAY,
    // A getter that throws, on a key vitrine reads.
    () => Object.defineProperty({}, r.pick(KEYS), { enumerable: true, get() { throw thrown(r); } }),
    // Array elements whose getter throws; an array whose length getter is a trap.
    () => Object.defineProperty([1, 2], 0, { enumerable: true, get() { throw thrown(r); } }),
    // Proxies: every trap throws, or lies.
    () => new Proxy({}, Object.fromEntries(['get', 'ownKeys', 'getOwnPropertyDescriptor', 'has', 'getPrototypeOf']
      .filter(() => r.next() < 0.6).map((t) => [t, () => { throw thrown(r); }]))),
    () => new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 31 : nested()) }),
    () => new Proxy({}, { ownKeys: () => ['product_id', 'product_id'], getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true, value: 1 }) }),
    () => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; },
    // Conversions that throw: toString, valueOf, toPrimitive, toJSON.
    () => ({ [r.pick(KEYS)]: { toString() { throw thrown(r); }, valueOf() { throw thrown(r); }, [Symbol.toPrimitive]() { throw thrown(r); }, toJSON() { throw thrown(r); } } }),
    // Re-entry: a getter calls back into the instance in the middle of the call.
    () => Object.defineProperty({}, r.pick(KEYS), {
      enumerable: true,
      get() {
        const v = ctx.victim;
        ctx.reentered = true;
        r.pick([
          () => v.track('Product Viewed', { product_id: 'candles-1' }),
          () => v.recommend({ scenario: 'trending' }),
          () => v.audit(),
          () => v.setConsent({ personalization: true, storage: true }),
          () => Vitrine.open({ storage: 'memory' }).free(),
        ])();
        return nested();
      },
    }),
  ];
  return r.pick(shapes)();
}

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError || /unreachable|RuntimeError/.test(String(e?.message));
}

/**
 * Calls `fn`; returns `{ok, value}` or `{ok: false}` after checking what was thrown. `own` says
 * whether a non-Error may be the caller's own exception passing through (see below).
 */
function attempt(fn, label, own = () => false) {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof Error) && own()) return { ok: false, error: e };
    assert.ok(e instanceof Error, `${label}: threw a non-Error ${typeof e === 'symbol' ? e.toString() : String(e)}`);
    assert.ok(!isTrap(e), `${label}: wasm trap: ${e.message}`);
    return { ok: false, error: e };
  }
}

/** Everything a hostile call must not change unless it succeeded. */
const state = (v) => JSON.stringify({ consent: v.consent(), profile: v.exportData().profile, storage: v.audit().storage });

function base(v) {
  for (const [name, props] of [
    ['Product Viewed', { product_id: 'candles-0', category: 'Candles', price: 12 }],
    ['add_to_cart', { items: [{ item_id: 'mugs-1', quantity: 2 }] }],
    ['Order Completed', { products: [{ product_id: 'throws-2' }, { product_id: 'lamps-3' }] }],
    ['Products Searched', { query: 'amber candle' }],
    ['Product Viewed', { product_id: 'tea-4' }],
  ]) assert.deepEqual(v.track(name, props, { channel: 'instagram' }), { accepted: true });
}

test(`${CALLS} hostile calls on every export: Errors only, nothing changed by a refused call, instances intact (HOSTILE_SEED=${SEED})`, (t) => {
  const realNow = Date.now;
  Date.now = () => NOW; // decay stands still, so snapshots compare exactly
  const r = generator(SEED);
  const catalog = makeCatalog(40);
  const ctx = {};
  const v = Vitrine.open({ catalog, consent: { personalization: true, storage: true }, storage: 'memory' });
  // A second instance takes setConsent and erase, which legitimately change data.
  const w = Vitrine.open({ catalog, consent: { personalization: true, storage: true }, storage: 'memory' });
  ctx.victim = v;
  base(v);
  base(w);
  const built = state(v);
  let before = built;
  let wBefore = state(w);
  const seen = { threw: 0, returned: 0, accepted: 0 };
  const arg = () => strange(r, ctx);
  const calls = [
    ['track(x)', () => v.track(arg())],
    ['track(name, x)', () => v.track(r.pick(NAMES), arg())],
    ['track(name, props, x)', () => v.track(r.pick(NAMES), { product_id: `candles-${r.int(40)}` }, arg())],
    ['track(name, {products: [x]})', () => v.track('Order Completed', { products: [arg(), arg()] })],
    ['track(name, {k: x})', () => v.track(r.pick(NAMES), { [r.pick(KEYS)]: arg(), [r.pick(KEYS)]: arg() }, { [r.pick(KEYS)]: arg() })],
    ['recommend(x)', () => v.recommend(arg())],
    ['recommend({scenario, k: x})', () => v.recommend({ scenario: r.pick(SCENARIOS), itemId: `mugs-${r.int(40)}`, [r.pick(KEYS)]: arg(), filter: arg() })],
    ['consent(x)', () => v.consent(arg())],
    ['profile(x)', () => v.profile(arg())],
    ['exportData(x)', () => v.exportData(arg())],
    ['audit(x)', () => v.audit(arg())],
    ['open(x)', () => Vitrine.open(arg())?.free()],
    ['open({k: x})', () => Vitrine.open({ storage: 'memory', [r.pick(['catalog', 'consent', 'policy', 'namespace', 'model', 'storage'])]: arg() })?.free()],
    ['open({catalog: [x]})', () => Vitrine.open({ storage: 'memory', catalog: [{ id: 'a' }, arg(), { id: arg(), [r.pick(KEYS)]: arg() }] })?.free()],
    ['listenTcf(x)', () => { ctx.last = arg(); return Vitrine.listenTcf(ctx.last); }],
    ['decodeTcString(x)', () => decodeTcString(arg())],
    ['version(x)', () => version(arg())],
    ['npsSummary(x)', () => npsSummary(arg(), arg())],
    ['npsSummary([x])', () => npsSummary([arg(), r.int(11), arg()])],
    ['explainShelf(x)', () => v.explainShelf(arg())],
    ['assistance(x)', () => v.assistance(arg())],
    ['channel(x)', () => v.channel(arg())],
    ['recommend({channel: x})', () => v.recommend({ scenario: r.pick(SCENARIOS), channel: arg() })],
    ['track(survey)', () => v.track('Survey Answered', { score: arg(), comment: arg() })],
    ['track(name, props, {channel: x})', () => v.track(r.pick(NAMES), { product_id: `candles-${r.int(40)}` }, { channel: arg() })],
    ['open({catalog: [{popularityByChannel: x}]})', () => Vitrine.open({ storage: 'memory', catalog: [{ id: 'a', popularityByChannel: arg() }] })?.free()],
    ['open({policy: {maxSignalShare: x}})', () => Vitrine.open({ storage: 'memory', policy: { maxSignalShare: arg(), detractors: arg(), sensitiveCategories: arg() } })?.free()],
    ['initSync(x)', () => initSync(arg())],
    // Methods on something that is not an instance (forging wasm-bindgen's `__wbg_ptr` handle is
    // out of reach of any library; see docs/RELIABILITY.md).
    ['track.call(x)', () => Vitrine.prototype.track.call(r.pick([{}, [], Object.create(Vitrine.prototype), Vitrine]), 'Product Viewed', { product_id: 'x' })],
  ];
  const onW = [
    ['setConsent(x)', () => w.setConsent(arg())],
    ['setConsent({k: x})', () => w.setConsent({ [r.pick(['personalization', 'storage', 'tcf', 'googleConsentMode'])]: arg(), [r.pick(KEYS)]: arg() })],
    ['erase(x)', () => w.erase(arg())],
    ['importHistory(x)', () => w.importHistory(arg())],
    ['importHistory([x])', () => w.importHistory([arg(), { timestamp: arg(), products: [arg()] }])],
  ];
  for (let i = 0; i < CALLS; i++) {
    const onVictim = r.next() < 0.85;
    const [label, fn] = onVictim ? r.pick(calls) : r.pick(onW);
    // The one way a non-Error gets out: wasm-bindgen's generated `x instanceof Vitrine` check in
    // listenTcf runs a Proxy's getPrototypeOf trap before vitrine's code starts, so whatever
    // the caller's own trap throws comes out unchanged (docs/RELIABILITY.md).
    const own = () => label === 'listenTcf(x)' && types.isProxy(ctx.last);
    const out = attempt(fn, `call ${i} ${label} (HOSTILE_SEED=${SEED})`, own);
    seen[out.ok ? 'returned' : 'threw']++;
    const accepted = out.ok && out.value?.accepted === true;
    if (accepted) seen.accepted++;
    if (onVictim) {
      const now = state(v);
      // A getter that called back into the victim changed it legitimately (that call was not
      // hostile); otherwise a refused or throwing call must change nothing.
      if (!accepted && !ctx.reentered) {
        assert.equal(now, before, `call ${i} ${label} changed the instance although it ${out.ok ? 'was refused' : 'threw'} (HOSTILE_SEED=${SEED})`);
      }
      before = now;
    } else {
      const now = state(w);
      if (!out.ok) assert.equal(now, wBefore, `call ${i} ${label} threw but changed the instance (HOSTILE_SEED=${SEED})`);
      if (!w.consent().personalization) w.setConsent({ personalization: true, storage: true });
      wBefore = state(w);
      if (ctx.reentered) before = state(v);
    }
    ctx.reentered = false;
  }
  // Both instances and the module keep working.
  for (const x of [v, w]) {
    assert.deepEqual(x.track('Product Viewed', { product_id: 'candles-9' }), { accepted: true });
    assert.ok(x.recommend({ scenario: 'for_you', k: 5 }).length > 0);
    assert.ok(x.audit().history.length > 0);
  }
  const fresh = Vitrine.open({ catalog, consent: { personalization: true }, storage: 'memory' });
  base(fresh);
  fresh.free();
  v.free();
  w.free();
  Date.now = realNow;
  t.diagnostic(`HOSTILE_SEED=${SEED}: ${CALLS} calls, ${seen.threw} threw Errors, ${seen.returned} returned (${seen.accepted} events accepted)`);
  assert.ok(seen.threw > CALLS / 10 && seen.returned > CALLS / 10, 'both outcomes exercised');
});

test('a refused or throwing call leaves the profile built before exactly as it was', () => {
  const realNow = Date.now;
  Date.now = () => NOW;
  const r = generator(SEED + 1);
  const ctx = {};
  const v = Vitrine.open({ catalog: makeCatalog(40), consent: { personalization: true, storage: true }, storage: 'memory' });
  base(v);
  const built = state(v);
  // No re-entry here: every value is hostile, none is a legitimate call.
  ctx.victim = { track() {}, recommend() {}, audit() {}, setConsent() {} };
  for (let i = 0; i < 1000; i++) {
    const x = strange(r, ctx);
    for (const fn of [() => v.track(x), () => v.track('Product Viewed', x, x), () => v.recommend(x), () => v.track(r.pick(NAMES), { products: [x] })]) {
      const out = attempt(fn, `value ${i}`);
      if (out.ok && out.value?.accepted === true) {
        // Random values can make a valid event (e.g. an id that is a string): undo by rebuilding.
        v.erase();
        v.setConsent({ personalization: true, storage: true });
        base(v);
      }
      assert.equal(state(v), built, `value ${i} changed the profile`);
    }
  }
  assert.deepEqual(v.profile().recentlyViewed, ['tea-4', 'candles-0']);
  v.free();
  Date.now = realNow;
});

test('freed instances and double frees give Errors, not traps', () => {
  const v = Vitrine.open({ catalog: makeCatalog(5), storage: 'memory' });
  v.free();
  for (const fn of [() => v.track('Product Viewed', { product_id: 'a' }), () => v.recommend({ scenario: 'trending' }),
    () => v.consent(), () => v.audit(), () => v.free(), () => Vitrine.listenTcf(v)]) {
    attempt(fn, 'freed');
  }
  // A getter that frees the instance in the middle of its own call.
  const u = Vitrine.open({ catalog: makeCatalog(5), consent: { personalization: true }, storage: 'memory' });
  const props = Object.defineProperty({}, 'product_id', { enumerable: true, get() { u.free(); return 'candles-0'; } });
  attempt(() => u.track('Product Viewed', props), 'free during track');
  attempt(() => u.track('Product Viewed', { product_id: 'candles-0' }), 'after');
  const fresh = Vitrine.open({ catalog: makeCatalog(5), consent: { personalization: true }, storage: 'memory' });
  assert.deepEqual(fresh.track('Product Viewed', { product_id: 'candles-0' }), { accepted: true });
  fresh.free();
});
