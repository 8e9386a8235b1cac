// The demo shop's catalog, generated from a seed so every visitor (and every test, and the model
// builder in scripts/demo-model.mjs) sees the same products. No image hosts: pictures are drawn as
// SVG by images.js.

/**
 * `noun` names one product in titles; `consumable` marks what shoppers re-order (it shapes the
 * demo's order log); `goesWith` lists the categories bought alongside it.
 */
export const CATEGORIES = [
  { name: 'Candles', noun: 'Candle', brands: ['Lumen', 'Wick & Co', 'Ember'], price: [8, 45], consumable: true, goesWith: ['Vases', 'Soap'],
    words: ['Amber', 'Cedar', 'Fig', 'Vanilla', 'Sea Salt', 'Tobacco', 'Rose', 'Pine'] },
  { name: 'Mugs', noun: 'Mug', brands: ['Clayworks', 'Kiln', 'Morning'], price: [9, 32], goesWith: ['Tea', 'Notebooks'],
    words: ['Speckled', 'Glazed', 'Stoneware', 'Enamel', 'Tall', 'Espresso', 'Latte', 'Classic'] },
  { name: 'Throws', noun: 'Throw', brands: ['Woolly', 'Loom', 'Highland'], price: [35, 160], goesWith: ['Cushions', 'Lamps'],
    words: ['Merino', 'Herringbone', 'Waffle', 'Chunky', 'Linen', 'Fringed', 'Striped', 'Cotton'] },
  { name: 'Lamps', noun: 'Lamp', brands: ['Lumière', 'Arc', 'Nord'], price: [40, 320], goesWith: ['Throws', 'Plants'],
    words: ['Globe', 'Arc', 'Mushroom', 'Pleated', 'Brass', 'Rattan', 'Desk', 'Floor'] },
  { name: 'Plants', noun: 'Plant', brands: ['Greenhouse', 'Fern & Frond'], price: [12, 90], goesWith: ['Vases', 'Lamps'],
    words: ['Monstera', 'Fiddle Leaf', 'Snake', 'Pothos', 'Olive', 'Calathea', 'Cactus', 'Palm'] },
  { name: 'Tea', noun: 'Tea', brands: ['Leaf Theory', 'Brewhaus', 'Camellia'], price: [6, 28], consumable: true, goesWith: ['Mugs'],
    words: ['Earl Grey', 'Sencha', 'Rooibos', 'Chai', 'Oolong', 'Mint', 'Chamomile', 'Darjeeling'] },
  { name: 'Notebooks', noun: 'Notebook', brands: ['Paperhaus', 'Quill'], price: [7, 38], goesWith: ['Mugs'],
    words: ['Dotted', 'Lined', 'Linen-bound', 'Pocket', 'A5', 'Sketch', 'Weekly', 'Travel'] },
  { name: 'Soap', noun: 'Soap', brands: ['Savon', 'Tallow & Ash', 'Bathhouse'], price: [5, 24], consumable: true, goesWith: ['Candles', 'Wellness'],
    words: ['Oat', 'Lavender', 'Charcoal', 'Olive Oil', 'Citrus', 'Goat Milk', 'Clay', 'Honey'] },
  { name: 'Vases', noun: 'Vase', brands: ['Kiln', 'Vessel'], price: [18, 140], goesWith: ['Plants', 'Candles'],
    words: ['Bud', 'Amphora', 'Ribbed', 'Terracotta', 'Glass', 'Bottle', 'Pebble', 'Tall'] },
  { name: 'Cushions', noun: 'Cushion', brands: ['Loom', 'Softly', 'Highland'], price: [19, 85], goesWith: ['Throws'],
    words: ['Velvet', 'Boucle', 'Linen', 'Tufted', 'Corduroy', 'Embroidered', 'Bolster', 'Floor'] },
  // Health-adjacent: the category a privacy-minded marketer marks sensitive in the console.
  { name: 'Wellness', noun: '', brands: ['Calm Co', 'Apothecary'], price: [9, 48], consumable: true, goesWith: ['Soap', 'Tea'],
    words: ['Sleep Balm', 'Calm Drops', 'Magnesium Salts', 'Pillow Mist', 'Muscle Rub', 'Eye Mask', 'Vitamin D', 'Hot Water Bottle'] },
];

export const COLOURS = [
  ['Ochre', '#c98b2b'], ['Sage', '#8fa58a'], ['Terracotta', '#c0643f'], ['Ink', '#2f3a56'],
  ['Oat', '#d8c7a8'], ['Blush', '#dfa3a0'], ['Moss', '#5e6b3a'], ['Charcoal', '#3d3d3d'],
  ['Sky', '#8db7d6'], ['Plum', '#6e3b5a'], ['Sand', '#e6d3b3'], ['Teal', '#2f7f7a'],
];

/** Categories of things bought once (a lamp, a throw): `for_you` leaves out what was bought in them. */
export const DURABLE = CATEGORIES.filter((c) => !c.consumable).map((c) => c.name);

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
 * word, tags, inStock, popularity}`. Ids look like `can-0042`. `popularity` is the generator's
 * long tail (a few bestsellers per category); the demo's model computes its own from orders.
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
      items.push({
        id: `${prefix}-${String(i).padStart(4, '0')}`,
        title: `${word}${cat.noun ? ` ${cat.noun}` : ''} — ${colour}`,
        category: cat.name,
        brand,
        price: Math.max(lo - 0.01, price),
        colour,
        hex,
        word,
        tags: [word.toLowerCase(), colour.toLowerCase()],
        inStock: rand() > 0.06,
        popularity: Math.round(1000 / (1 + i * 0.35) * (0.5 + rand())),
      });
    }
  }
  return items;
}

/** The catalog in the shape `Vitrine.open({catalog})` and the model builder take. */
export function forVitrine(items) {
  return items.map(({ id, title, category, brand, price, tags, inStock, popularity }) => ({
    id, title, category, brand, price, tags, inStock, popularity,
  }));
}

const BLURB = {
  Candles: 'Hand-poured soy wax with a cotton wick; about 40 hours of slow, even burn.',
  Mugs: 'Thrown in small batches and glazed by hand; dishwasher and microwave safe.',
  Throws: 'Woven on traditional looms; soft enough for the sofa, warm enough for the garden.',
  Lamps: 'Warm light for reading corners, with a fabric cord and an E27 fitting.',
  Plants: 'Grown in our partner nursery and sent in a recycled nursery pot.',
  Tea: 'Loose leaf from single estates, packed in a resealable tin of 100 g.',
  Notebooks: 'Lay-flat binding, 120 g paper that takes fountain pens without bleeding.',
  Soap: 'Cold-process bar, cured for six weeks; no palm oil, no plastic.',
  Vases: 'Stoneware and glass vessels for a single stem or a whole bunch.',
  Cushions: 'Feather-filled, with a cover that zips off for washing.',
  Wellness: 'Small-batch care for evenings and rest; read the label before use.',
};

/** A line of product copy for the product page. */
export function describe(item) {
  return BLURB[item.category] || '';
}
