// A blank page of the site holding several copies of the package (tests/browser/two_copies_audit
// and copies_reaudit): `/copy-a/`, `/copy-b/`, … all serve pkg/, and ES modules of different URLs
// are different modules, each instantiating its own wasm, as bundles that each carry `vitrine` do.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newPage } from './browser.mjs';

const PKG = fileURLToPath(new URL('../../pkg/', import.meta.url));
const TYPES = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

const CATEGORIES = ['Candles', 'Mugs', 'Throws', 'Lamps'];
/** Forty items in four categories, and a sensitive one. */
export const ITEMS = Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, category: CATEGORIES[i % 4], brand: `Brand ${i % 3}`, price: 5 + i }))
  .concat([{ id: 'vitamin-d3', category: 'Health', sensitive: true, price: 9 }]);

/**
 * Opens the page in `context` (a new one by default) with `copies` loaded: `window.A`, `B`, … are
 * each copy's `Vitrine`; `before` runs in the page first. Helpers on `window`: `items`, `sleep`,
 * `yes`, `yesSensitive`, `no` (a refusal that keeps its record), `keys()` (vitrine's records),
 * `view(v, id)`, `events(v)`, `viewed(v)`, `rawProfile()` (the stored profile record as text, or
 * null), `stored()` (what storage holds, read by a fresh instance of copy A).
 */
export async function copiesPage(env, { copies = ['a', 'b'], context, before } = {}) {
  const tab = await newPage(env.browser, { context });
  await tab.page.route(`${env.base}/shop**`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>shop</title>' }));
  await tab.page.route(`${env.base}/copy-*/**`, (r) => {
    const path = new URL(r.request().url()).pathname;
    const rel = path.slice(path.indexOf('/', 1) + 1);
    r.fulfill({ contentType: TYPES[extname(rel)] ?? 'application/octet-stream', body: readFileSync(join(PKG, rel)) });
  });
  await tab.page.goto(`${env.base}/shop`);
  if (before) await tab.page.evaluate(before);
  await tab.page.evaluate(async ({ items, copies }) => {
    for (const c of copies) {
      const m = await import(`/copy-${c}/vitrine.js`);
      await m.default();
      window[c.toUpperCase()] = m.Vitrine;
    }
    window.items = items;
    window.sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    window.yes = { personalization: true, storage: true };
    window.yesSensitive = { personalization: true, storage: true, sensitive: true };
    window.no = { personalization: false, storage: true };
    window.keys = () => Object.keys(localStorage).filter((k) => k.startsWith('vitrine:')).sort();
    window.view = (v, id) => v.track('Product Viewed', { product_id: id });
    window.events = (v) => v.profile()?.events ?? 0;
    window.viewed = (v) => (v.profile()?.recentlyViewed ?? []).map((x) => x.itemId ?? x);
    window.rawProfile = () => {
      const s = localStorage.getItem('vitrine:profile');
      if (s == null) return null;
      return atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
    };
    window.stored = () => {
      const c = window.A.open({ catalog: items });
      const e = c.exportData().profile;
      c.free();
      return e ? { views: e.counts.view, perItem: [...new Set(e.items.map((x) => x.views))] } : null;
    };
  }, { items: ITEMS, copies });
  return tab;
}
