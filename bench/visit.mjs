// One storefront visit in Chromium (bench/visits.mjs): `init()` as a page calls it (streaming
// compilation of the fetched module), then the first calls of the session, each timed once.
// bench/visits.mjs reads `window.visit`.
import init, { Vitrine } from '/pkg/vitrine.js';
import { firstCalls } from '/bench/suite.mjs';

const params = new URLSearchParams(location.search);
try {
  const ms = {};
  const t0 = performance.now();
  await init();
  ms.init = performance.now() - t0;
  const model = new Uint8Array(await (await fetch(`/.bench/${params.get('model')}`)).arrayBuffer());
  firstCalls(Vitrine, model, +params.get('items'), ms, params.get('page') ?? 'home').free();
  window.visit = ms;
} catch (e) {
  window.visit = { error: String(e && e.stack || e) };
}
