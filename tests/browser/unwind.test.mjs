// In Chromium: calls made with the page's stack nearly used up, again and again, each on an
// instance with localStorage and its window listeners. Each RangeError that went through the
// module used to keep some of its shadow stack, and after about 350 every call of every instance
// trapped (`memory access out of bounds`); now the module keeps working, the stopped instance
// says why, its free() does not throw, and its listeners do nothing (scripts/unwind-guard.mjs).
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';
import { atDepth, nearlyOut } from '../js/stack.mjs';

const env = await launch();
test.after(() => env.close());

test('500 RangeErrors through calls: the module and the other instances work on', async () => {
  const { context, page, problems } = await newPage(env.browser);
  await page.route(`${env.base}/unwind-test`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>unwind test</title>' }));
  await page.goto(`${env.base}/unwind-test`);
  await page.addScriptTag({ content: `${atDepth}\n${nearlyOut}` });
  const out = await page.evaluate(async () => {
    const m = await import('/pkg/vitrine.js');
    const wasm = await m.default();
    const { Vitrine } = m;
    const catalog = Array.from({ length: 30 }, (_, i) => ({ id: `p${i}`, category: ['Candles', 'Mugs', 'Tea'][i % 3], price: 5 + i, popularity: 30 - i }));
    const consent = { personalization: true, storage: true };
    const keeper = Vitrine.open({ namespace: 'keeper', catalog, consent });
    keeper.track('Product Viewed', { product_id: 'p1' });
    const top = wasm.sp.value;
    const result = { stopped: 0, rangeErrors: 0, spMoved: 0, freeThrew: 0, messages: new Set() };
    for (let i = 0; i < 500; i++) {
      const v = Vitrine.open({ namespace: `u${i % 4}`, catalog, consent });
      const threw = nearlyOut(() => v.recommend({ scenario: 'for_you', k: 5 }));
      if (threw instanceof RangeError) result.rangeErrors += 1;
      if (wasm.sp.value !== top) result.spMoved += 1;
      try {
        v.track('Product Viewed', { product_id: 'p2' });
      } catch (e) {
        result.stopped += 1;
        result.messages.add(e.message);
      }
      try {
        v.free();
      } catch {
        result.freeThrew += 1;
      }
    }
    // Another tab's write reaches the stopped instances' storage listeners too.
    localStorage.setItem('u0:probe', 'x');
    localStorage.removeItem('u0:probe');
    result.keeper = keeper.track('Product Viewed', { product_id: 'p3' });
    result.keeperEvents = keeper.profile().events;
    const fresh = Vitrine.open({ catalog, storage: 'memory' });
    result.fresh = fresh.recommend({ scenario: 'trending', k: 3 }).length;
    fresh.free();
    keeper.free();
    result.messages = [...result.messages];
    return result;
  });
  assert.ok(out.stopped > 0 && out.rangeErrors >= out.stopped, JSON.stringify(out));
  assert.equal(out.spMoved, 0);
  assert.equal(out.freeThrew, 0);
  assert.deepEqual(out.messages, ["vitrine: a JavaScript error went through an earlier call on this instance (the page's stack ran out in the middle of it) and stopped it halfway; open a new one"]);
  assert.deepEqual(out.keeper, { accepted: true });
  assert.equal(out.keeperEvents, 2);
  assert.equal(out.fresh, 3);
  assert.deepEqual(problems, []);
  await context.close();
});
