// Builds the demo's model file, www/generated/model.vtr, from a seeded order log of the demo
// catalog (www/catalog.js): shoppers with category, colour and price-level tastes, browsing
// sessions before each order, staples they re-order, items bought with their colour-matched
// companions, and a season's new arrivals selling in the last weeks. The same seed gives the same
// file byte for byte. Takes a few seconds; `make demo` and `make test` run it when an input changed.
//
//   node scripts/demo-model.mjs [--shoppers 5000] [--out www/generated/model.vtr]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORIES, generateCatalog, rng } from '../www/catalog.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const SHOPPERS = Number(arg('shoppers', 5000));
const OUT = join(root, arg('out', 'www/generated/model.vtr'));
const WORK = join(root, 'target', 'demo-model');
const BUILDER = join(root, 'target', 'release', 'vitrine-model');

const DAY = 86_400_000;
/** The log ends here (fixed, so the file is reproducible); it covers the 180 days before. */
const END = Date.UTC(2025, 9, 1);
const SPAN_DAYS = 180;
/** New arrivals of the season: they sell only in the last weeks, so `trending` differs from `popular`. */
const SEASON = { categories: ['Throws', 'Candles', 'Cushions', 'Tea'], perCategory: 8, fromDay: SPAN_DAYS - 21 };

const started = Date.now();
const rand = rng(20251001);
const items = generateCatalog();
const byCategory = new Map(CATEGORIES.map((c) => [c.name, items.filter((i) => i.category === c.name)]));
const catInfo = new Map(CATEGORIES.map((c) => [c.name, c]));

// How well an item's price suits each of LEVELS price levels (its price rank within the category
// against the shopper's level), computed once: the generator's inner loop only looks it up.
const LEVELS = 20;
for (const list of byCategory.values()) {
  [...list].sort((a, b) => a.price - b.price).forEach((item, i) => {
    const rank = i / (list.length - 1);
    item.priceFit = Float64Array.from({ length: LEVELS }, (_, l) => Math.exp(-3 * Math.abs(rank - l / (LEVELS - 1))));
  });
}

// The season's new arrivals: picked among the less popular items, so they are new names.
const season = new Set();
for (const name of SEASON.categories) {
  const tail = byCategory.get(name).filter((i) => i.inStock).slice(60);
  for (let n = 0; n < SEASON.perCategory; n++) season.add(tail[Math.floor(rand() * tail.length)]);
}

/** Each item's companions: the two most popular items of the same colour in each related category. */
const companions = new Map();
for (const item of items) {
  const out = [];
  for (const other of catInfo.get(item.category).goesWith) {
    const same = byCategory.get(other).filter((i) => i.colour === item.colour && i.inStock);
    out.push(...same.sort((a, b) => b.popularity - a.popularity).slice(0, 2));
  }
  companions.set(item.id, out);
}

/** Picks from `list` with probability proportional to `weight(item)`. */
function draw(list, weight) {
  let total = 0;
  const w = list.map((i) => { const x = weight(i); total += x; return x; });
  let r = rand() * total;
  for (let i = 0; i < list.length; i++) if ((r -= w[i]) <= 0) return list[i];
  return list[list.length - 1];
}

function shopperTaste() {
  const n = 1 + Math.floor(rand() * 3);
  const cats = [];
  while (cats.length < n) {
    const c = CATEGORIES[Math.floor(rand() * CATEGORIES.length)].name;
    if (!cats.includes(c)) cats.push(c);
  }
  return {
    cats,
    catWeights: cats.map((_, i) => 1 / (i + 1)),
    priceLevel: Math.floor(rand() * LEVELS),
    colour: rand() < 0.35 ? items[Math.floor(rand() * items.length)].colour : null,
    staple: new Map(),
  };
}

/** How much this shopper likes `item`: popularity, their price level, their colour. */
function liking(taste, day) {
  return (item) => {
    if (!item.inStock) return 0;
    if (season.has(item) && day < SEASON.fromDay) return 0;
    let w = item.popularity;
    w *= item.priceFit[taste.priceLevel];
    if (taste.colour && item.colour === taste.colour) w *= 4;
    if (season.has(item)) w *= 300;
    return w;
  };
}

const lines = ['user_id,order_id,item_id,quantity,price,timestamp,event'];
let orders = 0;
let sessions = 0;
const line = (user, order, item, qty, at, event) => lines.push(`${user},${order},${item.id},${qty},${item.price},${Math.round(at)},${event}`);

for (let s = 0; s < SHOPPERS; s++) {
  const user = `u${s}`;
  const taste = shopperTaste();
  const n = 1 + Math.floor(-Math.log(1 - rand()) * 3);
  const days = Array.from({ length: n }, () => rand() * SPAN_DAYS).sort((a, b) => a - b);
  for (const day of days) {
    const at = END - (SPAN_DAYS - day) * DAY;
    const like = liking(taste, day);
    const cat = taste.cats[draw(taste.cats.map((_, i) => i), (i) => taste.catWeights[i])];
    const pool = byCategory.get(cat);
    let main = taste.staple.get(cat);
    if (!main || rand() < 0.4) main = draw(pool, like);
    if (catInfo.get(cat).consumable && !taste.staple.has(cat)) taste.staple.set(cat, main);

    // A browsing session before the order: items like the one bought (same word, colour or brand).
    const session = `v${sessions++}`;
    const near = pool.filter((i) => i !== main && (i.word === main.word || i.colour === main.colour || i.brand === main.brand));
    const views = 2 + Math.floor(rand() * 6);
    for (let v = 0; v < views && near.length; v++) line(user, session, draw(near, like), 1, at - (views - v) * 60_000, 'view');
    line(user, session, main, 1, at - 30_000, 'view');

    const order = `o${orders++}`;
    const basket = new Set([main]);
    if (rand() < 0.55) {
      const comp = companions.get(main.id);
      if (comp.length) basket.add(comp[Math.floor(rand() * comp.length)]);
    }
    if (rand() < 0.25 && near.length) basket.add(draw(near, like));
    if (rand() < 0.15) {
      const other = taste.cats[Math.floor(rand() * taste.cats.length)];
      basket.add(draw(byCategory.get(other), like));
    }
    for (const item of basket) {
      const qty = catInfo.get(item.category).consumable && rand() < 0.3 ? 2 : 1;
      line(user, order, item, qty, at, 'purchase');
    }
  }
}

mkdirSync(WORK, { recursive: true });
mkdirSync(dirname(OUT), { recursive: true });
const interactions = join(WORK, 'interactions.csv');
const catalog = join(WORK, 'catalog.jsonl');
writeFileSync(interactions, lines.join('\n') + '\n');
writeFileSync(catalog, items.map(({ id, title, category, brand, price, inStock, tags }) =>
  JSON.stringify({ id, title, category, brand, price, inStock, tags })).join('\n') + '\n');

// 24 neighbours and 16 dimensions keep the file under a megabyte for 2,640 items.
try {
  execFileSync(BUILDER, [
    'build', '--interactions', interactions, '--catalog', catalog, '--out', OUT,
    '--neighbours', '24', '--dims', '16', '--memory-mb', '64', '--quiet',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (e) {
  process.stderr.write(e.stderr?.toString() || `${e.message}\n`);
  if (e.code === 'ENOENT') process.stderr.write(`${BUILDER} is missing: cargo build --release --bin vitrine-model\n`);
  process.exit(1);
}

console.log(`demo model: ${items.length} items, ${orders} orders and ${sessions} browsing sessions `
  + `(${lines.length - 1} lines) → ${OUT.slice(root.length)} (${statSync(OUT).size} bytes) in ${Date.now() - started} ms`);
