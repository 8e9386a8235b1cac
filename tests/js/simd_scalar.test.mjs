// The two builds of the package — vitrine_bg.wasm (SIMD128 kernels) and vitrine_scalar_bg.wasm
// (for engines without SIMD) — rank alike: the same items, scores and reasons for every scenario.
// The native tests check the scalar kernels against scoring every item; this checks the SIMD ones
// (the grouped for_you scan, the thresholded similar scan) against the scalar ones, as shipped.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { makeCatalog, pkgDir } from './load.mjs';

async function build(file) {
  // A second copy of the glue (its own module instance), bound to `file`.
  const glue = await import(`${new URL('vitrine.js', `file://${pkgDir}`)}?${file}`);
  glue.initSync({ module: readFileSync(`${pkgDir}${file}`) });
  return glue.Vitrine;
}

test('the SIMD and scalar builds return the same shelves', async () => {
  const builds = [await build('vitrine_bg.wasm'), await build('vitrine_scalar_bg.wasm')];
  // 64 dimensions: four SIMD vectors per row; 3,001 items: the scans' blocks of four end early.
  // Many categories and brands, so that most items share neither with the item on screen and
  // `similar`'s scan of the rows, not its related items, fills most of the shelf.
  const catalog = makeCatalog(3001, { dims: 64, seed: 5 }).map((x, i) => ({
    ...x,
    category: `c${i % 300}`,
    brand: `b${i % 700}`,
  }));
  const ids = catalog.map((x) => x.id);
  const requests = [
    { scenario: 'for_you', k: 12 },
    { scenario: 'for_you', k: 12, diversity: 0 },
    ...[0, 7, 1500, 3000].map((i) => ({ scenario: 'similar', itemId: ids[i], k: 12 })),
    { scenario: 'similar', itemId: ids[42], k: 12, filter: { maxPrice: 30 } },
    { scenario: 'cart', itemIds: [ids[3], ids[9]], k: 12 },
    { scenario: 'trending', k: 12 },
  ];
  const shelves = builds.map((Vitrine) => {
    const v = Vitrine.open({ catalog, consent: { personalization: true }, storage: 'memory' });
    const out = [];
    // Without a profile, then with a shopper's views and an order.
    for (const round of [0, 1]) {
      if (round === 1) {
        for (let k = 0; k < 30; k++) v.track('Product Viewed', { product_id: ids[(k * 97) % ids.length] });
        v.track('Order Completed', { products: [{ product_id: ids[11] }] });
      }
      for (const r of requests) out.push([r, v.recommend(r)]);
    }
    v.free();
    return out;
  });
  for (const [k, [request, simd]] of shelves[0].entries()) {
    assert.ok(simd.length > 0, JSON.stringify(request));
    assert.deepEqual(shelves[1][k][1], simd, JSON.stringify(request));
  }
});
