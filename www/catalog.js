// The demo shop's catalog, generated from a seed so every visitor (and every test) sees the same
// products. No image hosts: pictures are drawn as SVG by images.js.

export const CATEGORIES = [
  { name: 'Candles', brands: ['Lumen', 'Wick & Co', 'Ember'], price: [8, 45], words: ['Amber', 'Cedar', 'Fig', 'Vanilla', 'Sea Salt', 'Tobacco', 'Rose', 'Pine'] },
  { name: 'Mugs', brands: ['Clayworks', 'Kiln', 'Morning'], price: [9, 32], words: ['Speckled', 'Glazed', 'Stoneware', 'Enamel', 'Tall', 'Espresso', 'Latte', 'Classic'] },
  { name: 'Throws', brands: ['Woolly', 'Loom', 'Highland'], price: [35, 160], words: ['Merino', 'Herringbone', 'Waffle', 'Chunky', 'Linen', 'Fringed', 'Striped', 'Cotton'] },
  { name: 'Lamps', brands: ['Lumière', 'Arc', 'Nord'], price: [40, 320], words: ['Globe', 'Arc', 'Mushroom', 'Pleated', 'Brass', 'Rattan', 'Desk', 'Floor'] },
  { name: 'Plants', brands: ['Greenhouse', 'Fern & Frond'], price: [12, 90], words: ['Monstera', 'Fiddle Leaf', 'Snake', 'Pothos', 'Olive', 'Calathea', 'Cactus', 'Palm'] },
  { name: 'Tea', brands: ['Leaf Theory', 'Brewhaus', 'Camellia'], price: [6, 28], words: ['Earl Grey', 'Sencha', 'Rooibos', 'Chai', 'Oolong', 'Mint', 'Chamomile', 'Darjeeling'] },
  { name: 'Notebooks', brands: ['Paperhaus', 'Quill'], price: [7, 38], words: ['Dotted', 'Lined', 'Linen-bound', 'Pocket', 'A5', 'Sketch', 'Weekly', 'Travel'] },
  { name: 'Soap', brands: ['Savon', 'Tallow & Ash', 'Bathhouse'], price: [5, 24], words: ['Oat', 'Lavender', 'Charcoal', 'Olive Oil', 'Citrus', 'Goat Milk', 'Clay', 'Honey'] },
  { name: 'Vases', brands: ['Kiln', 'Vessel'], price: [18, 140], words: ['Bud', 'Amphora', 'Ribbed', 'Terracotta', 'Glass', 'Bottle', 'Pebble', 'Tall'] },
  { name: 'Cushions', brands: ['Loom', 'Softly', 'Highland'], price: [19, 85], words: ['Velvet', 'Boucle', 'Linen', 'Tufted', 'Corduroy', 'Embroidered', 'Bolster', 'Floor'] },
];

export const COLOURS = [
  ['Ochre', '#c98b2b'], ['Sage', '#8fa58a'], ['Terracotta', '#c0643f'], ['Ink', '#2f3a56'],
  ['Oat', '#d8c7a8'], ['Blush', '#dfa3a0'], ['Moss', '#5e6b3a'], ['Charcoal', '#3d3d3d'],
  ['Sky', '#8db7d6'], ['Plum', '#6e3b5a'], ['Sand', '#e6d3b3'], ['Teal', '#2f7f7a'],
];

/** A small deterministic generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `perCategory` products in each category: `{id, title, category, brand, price, colour, hex,
 * tags, inStock, popularity}`. Ids look like `can-0042`.
 */
export function generateCatalog({ seed = 42, perCategory = 240 } = {}) {
  const rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const items = [];
  for (const cat of CATEGORIES) {
    const prefix = cat.name.slice(0, 3).toLowerCase();
    for (let i = 0; i < perCategory; i++) {
      const [colour, hex] = pick(COLOURS);
      const word = pick(cat.words);
      const brand = pick(cat.brands);
      const [lo, hi] = cat.price;
      const price = Math.round((lo + (hi - lo) * rand() ** 1.6) * 100) / 100 - 0.01;
      const singular = cat.name.endsWith('s') ? cat.name.slice(0, -1) : cat.name;
      items.push({
        id: `${prefix}-${String(i).padStart(4, '0')}`,
        title: `${word} ${singular} — ${colour}`,
        category: cat.name,
        brand,
        price: Math.max(lo - 0.01, price),
        colour,
        hex,
        tags: [word.toLowerCase(), colour.toLowerCase()],
        inStock: rand() > 0.06,
        // A long-tailed popularity: a few bestsellers per category.
        popularity: Math.round(1000 / (1 + i * 0.35) * (0.5 + rand())),
      });
    }
  }
  return items;
}

/** The catalog in the shape `Vitrine.open({catalog})` takes. */
export function forVitrine(items) {
  return items.map(({ id, title, category, brand, price, tags, inStock, popularity }) => ({
    id, title, category, brand, price, tags, inStock, popularity,
  }));
}
