// Fourth re-audit (Chromium, real localStorage): the decision an instance applies when it opens
// reaches the page's other instances of its namespace (`open_parsed` runs `storage::after_writes`),
// and `Vitrine.load`'s instance writes no profile until its model has arrived (133e68b).
//
// Four tests show the defects the re-audit found (each failed on 133e68b): three fixed since, one
// left (`todo`, PRIVACY.md); the others are guards that hold.
// Natively: `session::open_shared_audit_tests`.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';
import { modelFiles } from '../model_files.mjs';

const models = modelFiles('vitrine-shared-');

const env = await launch();
test.after(async () => {
  await env.close();
  models.remove();
});

const CATEGORIES = ['Candles', 'Mugs', 'Throws', 'Lamps'];
/** The shop's 40 items: p0 Candles, p1 Mugs, p2 Throws, p3 Lamps, p4 Candles, … */
const ITEMS = Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, category: CATEGORIES[i % 4], brand: `Brand ${i % 3}`, price: 5 + i }));

/** A model file built by vitrine-model from `catalog` and orders over it. */
function buildModel(name, catalog) {
  const lines = ['user_id,order_id,item_id,quantity,price,timestamp,event'];
  for (let o = 0; o < 300; o++) {
    for (let k = 0; k < 3; k++) lines.push(`u${o % 40},o${o},p${(o * 7 + k) % 40},1,10,${1_700_000_000_000 + o * 60_000 + k * 1000},purchase`);
  }
  return models.build(name, lines, catalog);
}

const MODELS = {
  // Last night's model, and tonight's, which flags p1 (a mug) sensitive.
  A: buildModel('A', ITEMS),
  B: buildModel('B', ITEMS.map((i) => (i.id === 'p1' ? { ...i, sensitive: true } : i))),
};

/** A blank page of the site with vitrine loaded; models at /sh/<name>.vtr (404 for others). */
async function blank() {
  const { context, page, problems } = await newPage(env.browser);
  await page.route(`${env.base}/shared-test**`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>shared</title>' }));
  await page.route(`${env.base}/sh/**`, (r) => {
    const body = MODELS[new URL(r.request().url()).pathname.slice('/sh/'.length, -'.vtr'.length)];
    return body ? r.fulfill({ contentType: 'application/octet-stream', body }) : r.fulfill({ status: 404, body: 'not found' });
  });
  await page.route(`${env.base}/sh-stall/**`, () => {});
  await page.goto(`${env.base}/shared-test`);
  await page.evaluate(async ({ items }) => {
    const m = await import('/pkg/vitrine.js');
    await m.default();
    window.Vitrine = m.Vitrine;
    window.items = items;
    window.sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    window.yes = { personalization: true, storage: true };
    window.yesSensitive = { personalization: true, storage: true, sensitive: true };
    window.no = { personalization: false, storage: true }; // a refusal that keeps its record
    window.keys = () => Object.keys(localStorage).filter((k) => k.startsWith('vitrine:')).sort();
    window.bytesOf = async (name) => new Uint8Array(await (await fetch(`/sh/${name}.vtr`)).arrayBuffer());
    window.itemsHeld = (v) => (v.exportData().profile?.items ?? []).map((i) => i.itemId).sort();
    window.view = (v, id) => v.track('Product Viewed', { product_id: id }).accepted;
  }, { items: ITEMS });
  return { context, page, problems };
}

const done = async ({ context, page, problems }) => {
  await page.evaluate(() => localStorage.clear());
  assert.deepEqual(problems.filter((p) => !/status of 404 \(Not Found\)/.test(p)), []);
  await context.close();
};

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

test('ten instances of a namespace (the main one, eight product cards): a refusal a widget opens with never reaches the main instance', async () => {
  // Each instance that takes the refusal over "writes" (it removes the profile record, gone
  // already), so after_writes tells again every instance told before it; with nine others its
  // bound, 4 × (others + 1), runs out before the last of its list — the page's main instance,
  // opened first. The main instance keeps tracking and, at its timed write, stores its profile
  // under the shopper's refusal. The same with `Vitrine.load({consent: no})` as the widget.
  // (Eight cards are enough; seven are not: see the guard below.)
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const result = {};
    for (const how of ['open', 'load']) {
      localStorage.clear();
      const main = Vitrine.open({ catalog: items, consent: yes });
      view(main, 'p0');
      const cards = Array.from({ length: 8 }, () => Vitrine.open({ catalog: items }));
      await sleep(5);
      const widget = how === 'open'
        ? Vitrine.open({ catalog: items, consent: no })
        : Vitrine.load({ model: fetch('/sh-stall/A.vtr', { signal: AbortSignal.timeout(400) }), consent: no }).catch(() => 'aborted');
      const r = {
        cards: cards.map((c) => c.consent().personalization),
        main: main.consent().personalization,
        mainTracks: view(main, 'p4'),
      };
      await sleep(500); // the main instance's timed write; the stalled load gives up
      r.keys = keys();
      result[how] = r;
      main.free();
      cards.forEach((c) => c.free());
      const w = await widget;
      if (typeof w === 'object') w.free();
      const reader = Vitrine.open({ catalog: items });
      r.stored = reader.consent().personalization;
      reader.free();
    }
    return result;
  });
  for (const [how, r] of Object.entries(out)) {
    assert.equal(r.stored, false, `${how}: storage holds the refusal`);
    assert.deepEqual(r.cards, Array(8).fill(false), `${how}: the cards`);
    // Found: true, true, and the profile stored under the refusal.
    assert.deepEqual([r.main, r.mainTracks], [false, false], `${how}: the main instance`);
    assert.deepEqual(r.keys, ['vitrine:consent'], `${how}: storage`);
  }
  await done(tab);
});

test('a refusal a widget opens with in the same millisecond as the main instance\'s yes does not reach it', async () => {
  // The page opens its tracking instance with the CMP's yes and, in the same task, a shelf widget
  // with the banner's refusal: the refusal is applied last, and storage holds it, but the main
  // instance compares dates only and keeps personalizing, then writes its profile under it.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    for (let tries = 1; tries <= 500; tries++) {
      localStorage.clear();
      const t = Date.now();
      const main = Vitrine.open({ catalog: items, consent: yes });
      const widget = Vitrine.open({ catalog: items, consent: no });
      if (Date.now() !== t) {
        main.free();
        widget.free();
        continue;
      }
      const r = { sameMs: true, widget: widget.consent().personalization, main: main.consent().personalization, mainTracks: view(main, 'p0') };
      await sleep(300);
      r.keys = keys();
      main.free();
      widget.free();
      return r;
    }
    return { sameMs: false };
  });
  assert.ok(out.sameMs, 'two opens within one millisecond');
  assert.equal(out.widget, false);
  // Found: true, true, ['vitrine:consent', 'vitrine:profile'].
  assert.deepEqual([out.main, out.mainTracks], [false, false], 'the main instance');
  assert.deepEqual(out.keys, ['vitrine:consent'], 'storage');
  await done(tab);
});

test('an instance opened while another\'s call runs (a page\'s wrapper of localStorage.setItem) leaves that one unaware of its refusal', async () => {
  // Page code run inside a call of the main instance (a wrapper of `setItem` that tells the
  // page's own components a key changed, one of which mounts a shelf widget) opens the widget
  // with the banner's refusal. after_writes finds the main instance borrowed and skips it; when
  // its call returns, its own after_writes tells the others, never itself.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const main = Vitrine.open({ catalog: items, consent: yes });
    await sleep(5);
    const setItem = Storage.prototype.setItem;
    let widget;
    Storage.prototype.setItem = function wrapped(k, v) {
      setItem.call(this, k, v);
      if (!widget && k === 'vitrine:profile') widget = Vitrine.open({ catalog: items, consent: no });
    };
    try {
      view(main, 'p0');
    } finally {
      Storage.prototype.setItem = setItem;
    }
    const r = { widget: widget.consent().personalization, main: main.consent().personalization, mainTracks: view(main, 'p4') };
    await sleep(300);
    r.keys = keys();
    main.free();
    widget.free();
    // The same widget opened once the call has returned: the main instance follows.
    localStorage.clear();
    const m2 = Vitrine.open({ catalog: items, consent: yes });
    view(m2, 'p0');
    await sleep(5);
    const w2 = Vitrine.open({ catalog: items, consent: no });
    r.outside = m2.consent().personalization;
    m2.free();
    w2.free();
    return r;
  });
  assert.equal(out.outside, false, 'outside a call');
  assert.equal(out.widget, false);
  // Found: true, true, ['vitrine:consent', 'vitrine:profile'].
  assert.deepEqual([out.main, out.mainTracks], [false, false], 'the main instance');
  assert.deepEqual(out.keys, ['vitrine:consent'], 'storage');
  await done(tab);
});

test('the nightly swap: a load that withdraws `sensitive` and fails, its decision taken over by the serving instance: the item tonight\'s model flags comes back with a later yes', { todo: 'left: the serving instance screens with last night\'s model (PRIVACY.md, sensitive categories)' }, async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    // The serving instance, last night's model; the shopper allowed sensitive categories.
    const a = await Vitrine.load({ model: fetch('/sh/A.vtr'), consent: yesSensitive });
    view(a, 'p1'); // tonight's model flags it
    view(a, 'p0');
    await sleep(5);
    // Tonight's file, with the banner's yes without `sensitive`: a 404.
    const failed = Vitrine.load({ model: fetch('/sh/missing.vtr'), consent: yes }).catch((e) => e.message);
    const taken = a.consent().sensitive;
    view(a, 'p4'); // the shopper browses on
    a.free();
    const message = await failed;
    // The next page, with tonight's model; the shopper allows sensitive categories again.
    const c = Vitrine.open({ model: await bytesOf('B'), consent: yesSensitive });
    const r = { taken, message, later: itemsHeld(c) };
    c.free();
    return r;
  });
  assert.equal(out.taken, false, 'the serving instance took the load\'s decision over');
  assert.match(out.message, /404/);
  // Found: ['p0', 'p1', 'p4'].
  assert.deepEqual(out.later, ['p0', 'p4'], 'p1, viewed before the withdrawal, does not come back');
  await done(tab);
});

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

test('a refusal a widget (open or load) applies at its call reaches the main instance and seven cards; nothing is written back', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const result = {};
    for (const how of ['open', 'load']) {
      localStorage.clear();
      const main = Vitrine.open({ catalog: items, consent: yes });
      view(main, 'p0');
      const cards = Array.from({ length: 7 }, () => Vitrine.open({ catalog: items }));
      await sleep(5);
      const ac = new AbortController();
      const widget = how === 'open'
        ? Vitrine.open({ catalog: items, consent: no })
        : Vitrine.load({ model: fetch('/sh-stall/A.vtr', { signal: ac.signal }), consent: no }).catch((e) => e.name);
      const r = {
        all: [main, ...cards].map((v) => v.consent().personalization),
        tracks: [main, ...cards].map((v) => view(v, 'p4')),
        history: main.audit().history.slice(-3).map((h) => h.type),
      };
      cards.forEach((c) => c.free());
      main.free();
      ac.abort();
      const w = await widget;
      if (typeof w === 'object') w.free();
      r.keys = keys();
      result[how] = r;
    }
    return result;
  });
  for (const [how, r] of Object.entries(out)) {
    assert.deepEqual(r.all, Array(8).fill(false), how);
    assert.deepEqual(r.tracks, Array(8).fill(false), how);
    assert.ok(r.history.includes('sync'), `${how}: ${r.history}`);
    assert.deepEqual(r.keys, ['vitrine:consent'], how);
  }
  await done(tab);
});

test('twenty product cards opened with the banner\'s yes: one write each, no writing back and forth, one profile in every instance', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const main = Vitrine.open({ catalog: items, consent: yes });
    view(main, 'p0');
    const setItem = Storage.prototype.setItem;
    let writes = 0;
    Storage.prototype.setItem = function counted(k, v) {
      writes += 1;
      return setItem.call(this, k, v);
    };
    const cards = [];
    try {
      for (let i = 0; i < 20; i++) {
        cards.push(Vitrine.open({ catalog: items, consent: yes }));
        if (i % 5 === 0) await sleep(2);
      }
    } finally {
      Storage.prototype.setItem = setItem;
    }
    view(cards[7], 'p8');
    const r = {
      writes,
      consents: [main, ...cards].map((v) => v.consent().personalization),
      events: [main, ...cards].map((v) => v.profile().events),
    };
    main.free();
    cards.forEach((c) => c.free());
    return r;
  });
  assert.ok(out.writes <= 20, `${out.writes} writes for 20 opens`);
  assert.deepEqual(out.consents, Array(21).fill(true));
  assert.deepEqual(out.events, Array(21).fill(2));
  await done(tab);
});

test('an instance kept in memory, one of another namespace, a freed one: opening them with a refusal disturbs nothing of the main instance', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const main = Vitrine.open({ catalog: items, consent: yes });
    view(main, 'p0');
    const freed = Vitrine.open({ catalog: items });
    freed.free();
    await sleep(5);
    const before = JSON.stringify(localStorage);
    const memory = Vitrine.open({ catalog: items, consent: no, storage: 'memory' });
    const unchanged = JSON.stringify(localStorage) === before;
    const other = Vitrine.open({ catalog: items, consent: no, namespace: 'widget' });
    const r = {
      unchanged,
      main: main.consent().personalization,
      mainTracks: view(main, 'p4'),
      history: main.audit().history.map((h) => h.type),
      memory: memory.consent().personalization,
      other: other.consent().personalization,
      otherKeys: Object.keys(localStorage).filter((k) => k.startsWith('widget:')),
    };
    main.free();
    memory.free();
    other.free();
    r.keys = keys();
    return r;
  });
  assert.equal(out.unchanged, true, 'the memory instance writes nothing to localStorage');
  assert.deepEqual([out.main, out.mainTracks, out.memory, out.other], [true, true, false, false]);
  assert.ok(!out.history.includes('sync'), out.history.join());
  assert.deepEqual(out.otherKeys, ['widget:consent']);
  assert.deepEqual(out.keys, ['vitrine:consent', 'vitrine:profile']);
  await done(tab);
});

test('the contrast: the same failed load with the serving instance closed, or the load arriving while it serves: the flagged item is gone for good', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    // Closed before the call.
    localStorage.clear();
    const a = await Vitrine.load({ model: fetch('/sh/A.vtr'), consent: yesSensitive });
    view(a, 'p1');
    view(a, 'p0');
    a.free();
    await sleep(5);
    await Vitrine.load({ model: fetch('/sh/missing.vtr'), consent: yes }).catch(() => {});
    const c = Vitrine.open({ model: await bytesOf('B'), consent: yesSensitive });
    r.closed = itemsHeld(c);
    c.free();
    // Serving throughout, the load arriving.
    localStorage.clear();
    const s = await Vitrine.load({ model: fetch('/sh/A.vtr'), consent: yesSensitive });
    view(s, 'p1');
    view(s, 'p0');
    await sleep(5);
    const loading = Vitrine.load({ model: fetch('/sh/B.vtr'), consent: yes });
    view(s, 'p4');
    const b = await loading;
    r.loaded = itemsHeld(b);
    s.free();
    b.free();
    const d = Vitrine.open({ model: await bytesOf('B'), consent: yesSensitive });
    r.arrived = itemsHeld(d);
    d.free();
    return r;
  });
  assert.deepEqual(out, { closed: ['p0'], loaded: ['p0', 'p4'], arrived: ['p0', 'p4'] });
  await done(tab);
});

test('a load whose download hangs while the main instance tracks: it writes no profile, follows, and its abort changes nothing stored', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const main = Vitrine.open({ catalog: items, consent: yes });
    view(main, 'p0');
    await sleep(5);
    const ac = new AbortController();
    const hung = Vitrine.load({ model: fetch('/sh-stall/B.vtr', { signal: ac.signal }), consent: yes }).catch((e) => e.name);
    for (const id of ['p4', 'p8', 'p12']) {
      view(main, id);
      await sleep(2);
    }
    main.setConsent(yes); // a decision made meanwhile
    await sleep(250); // the main instance's timed write
    const before = JSON.stringify(localStorage);
    ac.abort();
    const name = await hung;
    const after = JSON.stringify(localStorage);
    const next = Vitrine.open({ catalog: items });
    const r = { name, unchanged: before === after, held: itemsHeld(next), consent: next.consent().personalization };
    next.free();
    main.free();
    return r;
  });
  assert.deepEqual(out, { name: 'AbortError', unchanged: true, held: ['p0', 'p12', 'p4', 'p8'], consent: true });
  await done(tab);
});

test('a promise that resolves to no model, and a locked stream, while the main instance tracks: the instance opened at the call, nothing lost, the consent applied at the call stands', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const main = Vitrine.open({ catalog: items, consent: yes });
    view(main, 'p0');
    await sleep(5);
    let resolve;
    const loading = Vitrine.load({ model: new Promise((ok) => { resolve = ok; }), consent: yes });
    for (const id of ['p4', 'p8']) {
      view(main, id);
      await sleep(2);
    }
    resolve(null); // `caches.match` of a file not cached
    const v = await loading;
    await sleep(250); // the main instance writes its events at the end of the write interval
    const r = { none: { held: itemsHeld(v), personalization: v.consent().personalization, trending: v.recommend({ scenario: 'trending', k: 3 }).length } };
    view(v, 'p12');
    v.free();
    r.main = itemsHeld(main);
    // A retry given a body another reader holds, with the banner's refusal.
    const locked = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(8)); c.close(); } });
    locked.getReader();
    r.locked = await Vitrine.load({ model: locked, consent: no }).then(() => 'resolved', (e) => e.message);
    r.mainAfter = [main.consent().personalization, view(main, 'p16')];
    main.free();
    r.keys = keys();
    return r;
  });
  assert.deepEqual(out.none, { held: ['p0', 'p4', 'p8'], personalization: true, trending: 0 });
  assert.deepEqual(out.main, ['p0', 'p12', 'p4', 'p8']);
  assert.match(out.locked, /^load: the model stream is locked/);
  // Documented: a load that rejects after its call has applied its consent, and the page's
  // instances follow it.
  assert.deepEqual(out.mainAfter, [false, false]);
  assert.deepEqual(out.keys, ['vitrine:consent']);
  await done(tab);
});
