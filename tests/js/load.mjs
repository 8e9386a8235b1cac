// Loads the built package (pkg/) the way a Node user would.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const pkgDir = fileURLToPath(new URL('../../pkg/', import.meta.url));
const vitrine = await import(new URL('../../pkg/vitrine.js', import.meta.url));
/** The module's exports (`memory`, …), for tests that measure it. */
export const wasm = vitrine.initSync({ module: readFileSync(new URL('vitrine_bg.wasm', `file://${pkgDir}`)) });
export default vitrine;

/** mulberry32: a small seeded generator of numbers in [0, 1), so a failing run can be replayed. */
export { rng as mulberry32 } from '../../www/catalog.js';

/** A seeded catalog: `n` items over a few categories and brands. */
export function makeCatalog(n = 60, { dims = 0, seed = 1 } = {}) {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const categories = ['Candles', 'Mugs', 'Throws', 'Lamps', 'Tea'];
  const items = [];
  for (let i = 0; i < n; i++) {
    const category = categories[i % categories.length];
    const item = {
      id: `${category.toLowerCase()}-${i}`,
      title: `${category} ${i}`,
      category,
      brand: `${category} Co ${i % 3}`,
      price: Math.round(5 + rand() * 60),
      popularity: Math.round(rand() * 100),
      inStock: i % 17 !== 16,
    };
    if (dims) item.embedding = Array.from({ length: dims }, () => rand() - 0.5);
    items.push(item);
  }
  return items;
}
