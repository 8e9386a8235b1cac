// One storefront visit in Chromium (bench/visits.mjs): `init()` as a page calls it (streaming
// compilation of the fetched module), then the first calls of the session, each timed once.
// bench/visits.mjs reads `window.visit`.
import init, { Vitrine } from '/pkg/vitrine.js';
import { shopper } from '/bench/suite.mjs';

const params = new URLSearchParams(location.search);
const n = +params.get('items');
const ms = {};
const time = (name, f) => {
  const t0 = performance.now();
  const out = f();
  ms[name] = performance.now() - t0;
  return out;
};
try {
  const t0 = performance.now();
  await init();
  ms.init = performance.now() - t0;
  const file = new Uint8Array(await (await fetch(`/.bench/${params.get('model')}`)).arrayBuffer());
  const v = time('open', () => Vitrine.open({ model: file, consent: { personalization: true }, storage: 'memory' }));
  const events = shopper(n, 100);
  time('40 × track', () => events.forEach(([name, id]) => v.track(name, { product_id: id })));
  const shelf = time('first for_you', () => v.recommend({ scenario: 'for_you', k: 10 }));
  time('second for_you', () => v.recommend({ scenario: 'for_you', k: 10 }));
  time('first similar', () => v.recommend({ scenario: 'similar', itemId: shelf[0]?.itemId ?? events[0][1], k: 10 }));
  v.free();
  window.visit = ms;
} catch (e) {
  window.visit = { error: String(e && e.stack || e) };
}
