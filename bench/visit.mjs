// One storefront visit in Chromium (bench/visits.mjs): `init()` as a page calls it (streaming
// compilation of the fetched module), then the first calls of the session, each timed once;
// `?load` opens with `Vitrine.load` reading the fetch as it arrives instead of `open` with its bytes.
// bench/visits.mjs reads `window.visit`.
import * as vitrine from '/pkg/vitrine.js';
import { firstCalls, timedLoad } from '/bench/suite.mjs';

const { default: init, Vitrine } = vitrine;

const params = new URLSearchParams(location.search);
try {
  const ms = {};
  const t0 = performance.now();
  await init();
  ms.init = performance.now() - t0;
  const url = `/.bench/${params.get('model')}`;
  const [items, page] = [+params.get('items'), params.get('page') ?? 'home'];
  if (params.has('load')) {
    // The file read as it arrives (`Vitrine.load`), never whole in JavaScript.
    firstCalls(Vitrine, null, items, ms, page, await timedLoad(vitrine, fetch(url), ms)).free();
  } else {
    const t0 = performance.now();
    const model = new Uint8Array(await (await fetch(url)).arrayBuffer());
    ms.fetch = performance.now() - t0;
    firstCalls(Vitrine, model, items, ms, page).free();
  }
  window.visit = ms;
} catch (e) {
  window.visit = { error: String(e && e.stack || e) };
}
