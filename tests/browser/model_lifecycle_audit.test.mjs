// Model lifecycle audit (Chromium, real localStorage): a shop deploys a new model every night
// while shoppers keep their stored profiles, on a long-lived single-page app that reads the new
// file with `Vitrine.load(fetch(…))` and frees the old instance. The models are built here by
// `vitrine-model` from seeded orders (in a temporary folder) and served to the page.
//
// Guards (must pass): a profile meets a model where its items are gone, out of stock, moved,
// with other embeddings or none, or a catalog instead of a file (and back), without anything
// gone or out of stock shown and without losing anything; an item or category made sensitive
// overnight leaves the profile and does not come back; events tracked while the new model
// downloads all reach it; older file formats next to a stored profile. At the end, the defect the
// audit found (it failed on the build it was found on), fixed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage } from './browser.mjs';
import { rng as mulberry32 } from '../../www/catalog.js';
import { modelFiles } from '../model_files.mjs';

const models = modelFiles('vitrine-lifecycle-');

const env = await launch();
test.after(async () => {
  await env.close();
  models.remove();
});

const CATEGORIES = ['Candles', 'Mugs', 'Tea', 'Lamps'];
/** The shop's 48 items, seeded. */
const ITEMS = (() => {
  const rand = mulberry32(11);
  return Array.from({ length: 48 }, (_, i) => ({
    id: `p${i}`, category: CATEGORIES[i % 4], brand: `Brand ${i % 3}`, price: 5 + Math.round(rand() * 50),
  }));
})();

/** A model file built by vitrine-model from `catalog` and seeded orders and sessions over it. */
function buildModel(name, catalog, { seed = 1, dims = 8, f32 = false } = {}) {
  const rand = mulberry32(seed);
  const ids = catalog.map((i) => i.id);
  const lines = ['user_id,order_id,item_id,quantity,price,timestamp,event'];
  for (let o = 0; o < 500; o++) {
    const at = Math.floor(rand() * ids.length);
    const event = rand() < 0.6 ? 'purchase' : 'view';
    for (let k = 0; k < 2 + Math.floor(rand() * 3); k++) {
      lines.push(`u${o % 60},o${o},${ids[(at + Math.floor(rand() * 4)) % ids.length]},1,10,${1_700_000_000_000 + o * 60_000 + k * 1000},${event}`);
    }
  }
  return models.build(name, lines, catalog, { dims, f32 });
}

// Last night's model, and tonight's variants of it. G: items the shopper touched.
const G = ['p0', 'p4', 'p8', 'p12'];
const MODELS = {
  A: buildModel('A', ITEMS),
  gone: buildModel('gone', ITEMS.filter((i) => !G.includes(i.id)), { seed: 2 }),
  outOfStock: buildModel('outOfStock', ITEMS.map((i) => (G.includes(i.id) ? { ...i, inStock: false } : i)), { seed: 3 }),
  moved: buildModel('moved', ITEMS.map((i) => (G.includes(i.id) ? { ...i, category: 'Throws' } : i)), { seed: 4 }),
  noEmbeddings: buildModel('noEmbeddings', ITEMS, { seed: 5, dims: 0 }),
  wider: buildModel('wider', ITEMS, { seed: 6, dims: 32, f32: true }),
  integers: buildModel('integers', ITEMS.map((i, k) => ({ ...i, id: String(7000 + k) })), { seed: 8 }),
  sensitive: buildModel('sensitive', ITEMS.map((i) => (['p0', 'p4'].includes(i.id) ? { ...i, sensitive: true } : i)), { seed: 7 }),
};
const FIXTURES = ['tiny-v1.vtr', 'tiny-v1-repeat.vtr', 'tiny-v2.vtr', 'tiny-v2-orders.vtr', 'tiny-v2-idhx.vtr', 'tiny-v3.vtr', 'tiny-v3-idhx.vtr'];

/** A blank page of the site with vitrine loaded, the models at /lc/<name>.vtr, the fixtures at /lc/fixture/<name>. */
async function blank(existing) {
  const { context, page, problems } = await newPage(env.browser, { context: existing });
  await page.route(`${env.base}/lifecycle-test`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>lifecycle</title>' }));
  await page.route(`${env.base}/lc/**`, (r) => {
    const path = new URL(r.request().url()).pathname;
    const body = path.startsWith('/lc/fixture/')
      ? readFileSync(new URL(`../fixtures/${path.slice('/lc/fixture/'.length)}`, import.meta.url))
      : MODELS[path.slice('/lc/'.length, -'.vtr'.length)];
    return body ? r.fulfill({ contentType: 'application/octet-stream', body }) : r.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${env.base}/lifecycle-test`);
  await page.evaluate(async ({ items }) => {
    const m = await import('/pkg/vitrine.js');
    await m.default();
    window.Vitrine = m.Vitrine;
    window.items = items;
    window.sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    // A model file held back until `release()`: a download still under way.
    window.heldBack = async (url) => {
      let release;
      const gate = new Promise((ok) => { release = ok; });
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      const body = new ReadableStream({ async pull(c) { await gate; c.enqueue(bytes); c.close(); } });
      return { body, release };
    };
    // Every shelf a storefront asks for, `anchor` the item on screen.
    window.requests = (anchor, cart) => [
      { scenario: 'for_you' }, { scenario: 'recently_viewed' }, { scenario: 'buy_again' }, { scenario: 'cart' },
      { scenario: 'cart', itemIds: cart }, { scenario: 'trending' }, { scenario: 'similar', itemId: anchor },
      { scenario: 'bought_together', itemId: anchor }, { scenario: 'for_you', excludePurchased: true },
    ].map((r) => ({ ...r, k: 20 }));
    window.held = (v) => {
      const p = v.exportData().profile;
      return {
        items: p.items.map((i) => i.itemId).sort(),
        recentlyViewed: p.recentlyViewed.map((x) => x.value),
        purchases: p.purchases.map((x) => x.itemId).sort(),
        cart: p.cart.map((x) => x.value),
        searches: p.searches.map((x) => x.value),
        categories: p.categories.map((c) => c.name).sort(),
      };
    };
  }, { items: ITEMS });
  return { context, page, problems };
}

const done = async ({ context, page, problems }) => {
  await page.evaluate(() => localStorage.clear());
  assert.deepEqual(problems, []);
  await context.close();
};

test('a profile kept under last night\'s model meets tonight\'s: nothing gone or out of stock is shown, nothing held is lost', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async (G) => {
    const granted = { personalization: true, storage: true };
    let v = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent: granted });
    for (const id of ['p0', 'p4', 'p5', 'p9']) {
      v.track('Product Viewed', { product_id: id });
      await sleep(2);
    }
    v.track('Product Added', { product_id: 'p8' });
    v.track('Product Added', { product_id: 'p20' });
    v.track('Order Completed', { order_id: 'o-1', products: [{ product_id: 'p0' }, { product_id: 'p1' }] });
    v.track('Product Added to Wishlist', { product_id: 'p12' });
    v.track('Products Searched', { query: 'amber candle' });
    const before = held(v);
    const nights = {};
    // Each night the page loads the new file while the old instance serves, then frees it.
    const variants = [
      ['gone', () => Vitrine.load({ model: fetch('/lc/gone.vtr') })],
      ['outOfStock', () => Vitrine.load({ model: fetch('/lc/outOfStock.vtr') })],
      ['moved', () => Vitrine.load({ model: fetch('/lc/moved.vtr') })],
      ['noEmbeddings', () => Vitrine.load({ model: fetch('/lc/noEmbeddings.vtr') })],
      ['wider', () => Vitrine.load({ model: fetch('/lc/wider.vtr') })],
      // The model file given up for the catalog itself (a small shop), G out of stock there.
      ['catalog', () => Vitrine.load({ catalog: items.map((i) => (G.includes(i.id) ? { ...i, inStock: false } : i)) })],
    ];
    for (const [name, load] of variants) {
      const next = await load();
      v.free();
      v = next;
      const shown = [];
      const explained = [];
      for (const r of requests('p1', ['p8', 'p20'])) {
        shown.push(...v.recommend(r).map((x) => ({ scenario: r.scenario, ...x })));
        explained.push(v.explainShelf(r).served);
      }
      nights[name] = { shown, explained, held: held(v), history: v.audit().history.map((h) => h.type) };
    }
    v.free();
    // Back to last night's model (a rollback): what it has again is shown again.
    const back = await Vitrine.load({ model: fetch('/lc/A.vtr') });
    const again = {
      recentlyViewed: back.recommend({ scenario: 'recently_viewed' }).map((x) => x.itemId),
      buyAgain: back.recommend({ scenario: 'buy_again' }).map((x) => x.itemId).sort(),
      held: held(back),
    };
    back.free();
    return { before, nights, again };
  }, G);
  const catalogOf = {
    gone: new Map(ITEMS.filter((i) => !G.includes(i.id)).map((i) => [i.id, true])),
    outOfStock: new Map(ITEMS.map((i) => [i.id, !G.includes(i.id)])),
    catalog: new Map(ITEMS.map((i) => [i.id, !G.includes(i.id)])),
  };
  assert.deepEqual(out.before.recentlyViewed, ['p9', 'p5', 'p4', 'p0']);
  for (const [name, night] of Object.entries(out.nights)) {
    const inStock = catalogOf[name] ?? new Map(ITEMS.map((i) => [i.id, true]));
    assert.ok(night.shown.length > 40, `${name}: shelves are filled`);
    for (const r of night.shown) {
      assert.equal(inStock.get(r.itemId), true, `${name}: ${r.scenario} shows ${r.itemId}, which is gone or out of stock`);
    }
    assert.ok(night.explained.every((s) => s !== null), `${name}: every shelf is served`);
    assert.deepEqual(night.held, out.before, `${name}: the profile keeps everything it held`);
    assert.ok(!night.history.includes('reset') && !night.history.includes('erase'), `${name}: ${night.history}`);
  }
  // Under the model where they are gone or out of stock, the shopper's own shelves left them out.
  for (const name of ['gone', 'outOfStock', 'catalog']) {
    const own = out.nights[name].shown.filter((r) => ['recently_viewed', 'buy_again'].includes(r.scenario)).map((r) => r.itemId);
    assert.deepEqual(own.sort(), ['p1', 'p5', 'p9'], name);
  }
  assert.deepEqual(out.again.recentlyViewed, ['p9', 'p5', 'p4', 'p0']);
  assert.deepEqual(out.again.buyAgain, ['p0', 'p1']);
  assert.deepEqual(out.again.held, out.before);
  await done(tab);
});

test('an item flagged sensitive, or a category put on the list, overnight leaves the profile and does not come back', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const policy = { sensitiveCategories: ['Tea'] };
    const a = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent: { personalization: true, storage: true } });
    for (const id of ['p0', 'p2', 'p5']) {
      a.track('Product Viewed', { product_id: id });
      await sleep(2);
    }
    a.track('Product Added', { product_id: 'p6' });
    a.track('Product Added', { product_id: 'p9' });
    a.track('Order Completed', { order_id: 'o-7', products: [{ product_id: 'p4' }, { product_id: 'p1' }] });
    a.track('Products Searched', { query: 'green tea' });
    // Tonight's model flags p0 and p4; the page's policy now lists Tea (p2, p6, …).
    const s = await Vitrine.load({ model: fetch('/lc/sensitive.vtr'), policy });
    a.free();
    const shown = [];
    // The cart the page gives holds ordinary items: one it gives is page context, like the item on
    // screen of `similar`, and is named in reasons (`goes with <id> in your cart`) by design.
    for (const r of requests('p1', ['p9', 'p1'])) {
      if (['for_you', 'recently_viewed', 'buy_again', 'cart'].includes(r.scenario)) shown.push(...s.recommend(r));
    }
    const result = { shown, held: held(s), history: s.audit().history.filter((h) => h.type === 'erase').map((h) => h.what) };
    s.free();
    // The old model again, without the policy: what was erased stays erased.
    const back = await Vitrine.load({ model: fetch('/lc/A.vtr') });
    result.back = held(back);
    back.free();
    return result;
  });
  const sensitive = (id) => ['p0', 'p4'].includes(id) || ITEMS.find((i) => i.id === id).category === 'Tea';
  for (const r of out.shown) {
    assert.ok(!sensitive(r.itemId), `a personal shelf shows ${r.itemId}`);
    for (const reason of r.reasons) assert.ok(!/\bp[0246]\b|tea/i.test(reason), `a reason names it: ${reason}`);
  }
  for (const held of [out.held, out.back]) {
    assert.deepEqual(held.items, ['p1', 'p5', 'p9']);
    assert.deepEqual(held.recentlyViewed, ['p5']);
    assert.deepEqual(held.purchases, ['p1']);
    assert.deepEqual(held.cart, ['p9']);
    assert.deepEqual(held.searches, []);
    assert.ok(!held.categories.includes('tea'), held.categories.join());
  }
  assert.ok(out.history.includes('sensitive'), 'audit() says what was erased');
  await done(tab);
});

test('the swap inside one page: every event tracked while tonight\'s model downloads reaches the new instance and the next page', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const a = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent: { personalization: true, storage: true } });
    a.track('Product Viewed', { product_id: 'p1' });
    a.track('Product Viewed', { product_id: 'p2' });
    // Tonight's file arrives slowly, in pieces; the shopper keeps browsing on the old instance.
    const bytes = new Uint8Array(await (await fetch('/lc/gone.vtr')).arrayBuffer());
    let at = 0;
    let n = 3;
    const body = new ReadableStream({
      async pull(c) {
        await sleep(15);
        if (at >= bytes.length) return c.close();
        a.track('Product Viewed', { product_id: `p${n++}` });
        c.enqueue(bytes.slice(at, at + 1500));
        at += 1500;
      },
    });
    const b = await Vitrine.load({ model: body });
    a.track('Product Added', { product_id: 'p40' });
    a.free();
    const result = { tracked: 2 + (n - 3) + 1, events: b.profile().events, cart: b.profile().cart };
    b.track('Product Viewed', { product_id: 'p41' });
    b.free();
    const next = Vitrine.open({ catalog: items });
    result.next = next.profile().events;
    next.free();
    return result;
  });
  assert.ok(out.tracked > 5, `${out.tracked} events tracked`);
  assert.equal(out.events, out.tracked, 'the new instance holds every event of the old one');
  assert.deepEqual(out.cart, ['p40']);
  assert.equal(out.next, out.tracked + 1, 'and so does the next page');
  await done(tab);
});

test('older model formats next to a stored profile: each serves it as the current file does, both ways', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async (fixtures) => {
    const shelvesOf = (v) => ({
      recent: v.recommend({ scenario: 'recently_viewed' }).map((x) => x.itemId),
      again: v.recommend({ scenario: 'buy_again' }).map((x) => x.itemId).sort(),
      forYou: v.recommend({ scenario: 'for_you', k: 8 }).map((x) => x.itemId),
      held: held(v),
    });
    const result = {};
    for (const [first, how] of [['tiny-v3-idhx.vtr', 'built under the current file'], ['tiny-v1.vtr', 'built under the oldest file']]) {
      localStorage.clear();
      const v = await Vitrine.load({ model: fetch(`/lc/fixture/${first}`), consent: { personalization: true, storage: true }, namespace: 'fx' });
      v.track('Order Completed', { order_id: 'f-1', products: [{ product_id: 'throws-2' }, { product_id: 'mugs-1' }] });
      v.track('Product Viewed', { product_id: 'candles-3' });
      v.track('Product Added', { product_id: 'mugs-4' });
      v.free();
      result[how] = {};
      for (const name of fixtures) {
        const w = await Vitrine.load({ model: fetch(`/lc/fixture/${name}`), namespace: 'fx' });
        result[how][name] = shelvesOf(w);
        w.free();
      }
    }
    localStorage.clear();
    return result;
  }, FIXTURES);
  for (const [how, byFile] of Object.entries(out)) {
    const current = byFile['tiny-v3-idhx.vtr'];
    assert.deepEqual(current.recent, ['candles-3'], how);
    assert.deepEqual(current.again, ['mugs-1', 'throws-2'], how);
    assert.equal(current.forYou.length, 8, how);
    for (const [name, s] of Object.entries(byFile)) {
      assert.deepEqual(s.held, current.held, `${how}: ${name} keeps the profile`);
      assert.deepEqual(s.recent, current.recent, `${how}: ${name}`);
      assert.deepEqual(s.again, current.again, `${how}: ${name}`);
      // tiny-v1.vtr predates repeat rates; the others are the same model.
      if (name !== 'tiny-v1.vtr') assert.deepEqual(s.forYou, current.forYou, `${how}: ${name}`);
    }
  }
  await done(tab);
});

test('a catalog keyed by integers and the model file built from it (ids as text) read one profile, both ways', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const catalog = items.map((i, k) => ({ ...i, id: 7000 + k }));
    const a = Vitrine.open({ catalog, consent: { personalization: true, storage: true }, namespace: 'int' });
    a.track('Product Viewed', { product_id: 7003 });
    a.track('Order Completed', { order_id: 'i-1', products: [{ product_id: 7005, quantity: 2 }] });
    a.free();
    const m = await Vitrine.load({ model: fetch('/lc/integers.vtr'), namespace: 'int' });
    const underModel = [m.recommend({ scenario: 'recently_viewed' }), m.recommend({ scenario: 'buy_again' })].map((s) => s.map((x) => x.itemId));
    m.track('Product Viewed', { product_id: '7007' });
    m.free();
    const c = Vitrine.open({ catalog, namespace: 'int' });
    const underCatalog = [c.recommend({ scenario: 'recently_viewed' }), c.recommend({ scenario: 'buy_again' })].map((s) => s.map((x) => x.itemId));
    c.free();
    return { underModel, underCatalog };
  });
  assert.deepEqual(out.underModel, [['7003'], ['7005']]);
  assert.deepEqual(out.underCatalog, [['7007', '7003'], ['7005']]);
  await done(tab);
});

test('a withdrawal made while tonight\'s model downloads stands when the load gives no consent (the stored decision)', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const a = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent: { personalization: true, storage: true } });
    a.track('Product Viewed', { product_id: 'p3' });
    const { body, release } = await heldBack('/lc/gone.vtr');
    const loading = Vitrine.load({ model: body });
    await sleep(20);
    a.setConsent({ personalization: false, storage: false });
    release();
    const b = await loading;
    a.free();
    const result = { consent: b.consent(), track: b.track('Product Viewed', { product_id: 'p5' }), keys: Object.keys(localStorage) };
    b.free();
    return result;
  });
  assert.equal(out.consent.personalization, false);
  assert.deepEqual(out.track, { accepted: false, reason: 'no_consent' });
  assert.deepEqual(out.keys, []);
  await done(tab);
});

test('a withdrawal made while tonight\'s model downloads stands when the load was given the banner\'s consent', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    // The README's way: `Vitrine.load({ model: fetch(url), consent })`, consent from the banner.
    const consent = { personalization: true, storage: true };
    const a = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent });
    a.track('Product Viewed', { product_id: 'p3' });
    const { body, release } = await heldBack('/lc/gone.vtr');
    const loading = Vitrine.load({ model: body, consent });
    await sleep(20);
    // The shopper withdraws in the banner while the file is still arriving.
    const withdrawn = a.setConsent({ personalization: false, storage: false });
    const keysAfterWithdrawal = Object.keys(localStorage);
    release();
    const b = await loading;
    const result = {
      withdrawn: withdrawn.personalization,
      keysAfterWithdrawal,
      consent: b.consent(),
      track: b.track('Product Viewed', { product_id: 'p5' }),
      old: a.consent(),
      keys: Object.keys(localStorage).sort(),
    };
    a.free();
    b.free();
    return result;
  });
  assert.equal(out.withdrawn, false);
  assert.deepEqual(out.keysAfterWithdrawal, [], 'the withdrawal erased storage');
  // Found: b.consent() is { personalization: true, storage: true, source: 'explicit' } dated after
  // the withdrawal, b tracks, the records are written again, and the old instance takes the yes over.
  assert.equal(out.consent.personalization, false, `the new instance: ${JSON.stringify(out.consent)}`);
  assert.deepEqual(out.track, { accepted: false, reason: 'no_consent' });
  assert.equal(out.old.personalization, false, `the old instance: ${JSON.stringify(out.old)}`);
  assert.deepEqual(out.keys, []);
  await done(tab);
});

test('erase() made while tonight\'s model downloads stands when the load was given the banner\'s consent', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const consent = { personalization: true, storage: true };
    const a = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent });
    a.track('Product Viewed', { product_id: 'p3' });
    const { body, release } = await heldBack('/lc/gone.vtr');
    const loading = Vitrine.load({ model: body, consent });
    await sleep(20);
    a.erase();
    release();
    const b = await loading;
    const result = { consent: b.consent(), track: b.track('Product Viewed', { product_id: 'p5' }), keys: Object.keys(localStorage) };
    a.free();
    b.free();
    return result;
  });
  assert.deepEqual([out.consent.personalization, out.consent.source, out.consent.updatedAt], [false, 'default', null]);
  assert.deepEqual(out.track, { accepted: false, reason: 'no_consent' });
  assert.deepEqual(out.keys, []);
  await done(tab);
});

test('another tab\'s withdrawal made while tonight\'s model downloads stands; nothing is written back', async () => {
  const tab = await blank();
  const other = await blank(tab.context);
  await tab.page.evaluate(async () => {
    const consent = { personalization: true, storage: true };
    window.a = await Vitrine.load({ model: fetch('/lc/A.vtr'), consent });
    window.a.track('Product Viewed', { product_id: 'p3' });
    window.a.free();
    const { body, release } = await heldBack('/lc/gone.vtr');
    window.release = release;
    // The page's only instance is the one loading, given the banner's yes.
    window.loading = Vitrine.load({ model: body, consent });
    await sleep(20);
  });
  const withdrawn = await other.page.evaluate(async () => {
    const v = await Vitrine.load({ model: fetch('/lc/A.vtr') });
    const before = v.consent().personalization;
    v.setConsent({ personalization: false, storage: false });
    const keys = Object.keys(localStorage);
    v.free();
    return { before, keys };
  });
  assert.deepEqual(withdrawn, { before: true, keys: [] });
  const out = await tab.page.evaluate(async () => {
    await sleep(50); // the storage event
    window.release();
    const b = await window.loading;
    const result = { consent: b.consent(), track: b.track('Product Viewed', { product_id: 'p5' }), keys: Object.keys(localStorage) };
    b.free();
    return result;
  });
  assert.equal(out.consent.personalization, false, JSON.stringify(out.consent));
  assert.deepEqual(out.track, { accepted: false, reason: 'no_consent' });
  assert.deepEqual(out.keys, [], 'nothing written back');
  await other.page.close();
  await done(tab);
});
