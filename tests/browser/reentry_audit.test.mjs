// Re-audit in Chromium (real localStorage) of telling the page's instances of a namespace, as of
// c03ce52 (`storage::after_writes` in turns, the `storage` listener telling the page, the look
// before each removal in `LocalStorage::remove`): page code re-entering vitrine from its own
// `Storage.prototype` methods at every storage call of a write, two tabs of several instances
// each, and what `track` costs with twenty instances.
//
// The first two tests are the defects it found (each failed on c03ce52): the second fixed since
// (the turn list is copied at each turn), the first left (`todo`); the others are guards that
// hold, and the cost figures (reported, never asserted).
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const CATEGORIES = ['Candles', 'Mugs', 'Throws', 'Lamps'];
const ITEMS = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, category: CATEGORIES[i % 4], price: 5 + i }));

/** A blank page of the site with vitrine loaded (in `context` when given: another tab). */
async function blank(context) {
  const tab = await newPage(env.browser, { context });
  await tab.page.route(`${env.base}/reentry-test**`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>reentry</title>' }));
  await tab.page.goto(`${env.base}/reentry-test`);
  await tab.page.evaluate(async (items) => {
    const m = await import('/pkg/vitrine.js');
    await m.default();
    window.Vitrine = m.Vitrine;
    window.items = items;
    window.sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    window.yes = { personalization: true, storage: true };
    window.no = { personalization: false, storage: true };
    window.keys = () => Object.keys(localStorage).filter((k) => k.startsWith('vitrine:')).sort();
    window.view = (v, id) => v.track('Product Viewed', { product_id: id }).accepted;
    window.events = (v) => v.profile()?.events ?? 0;
    window.stored = () => {
      const r = Vitrine.open({ catalog: items });
      const o = { events: events(r), personalization: r.consent().personalization };
      r.free();
      return o;
    };
    /**
     * Four instances (a main one and three cards), each with an event written and one waiting;
     * `trigger(main)` writes, and the page's wrapper of `method` runs `nested(cards)` once, at
     * the k-th call on a vitrine key. Returns what every instance then holds (after every timer).
     */
    window.reenter = async ({ method, k, trigger, nested, flush = false }) => {
      localStorage.clear();
      const all = Array.from({ length: 4 }, () => Vitrine.open({ catalog: items, consent: yes }));
      all.forEach((v, i) => view(v, `p${i}`));
      all.forEach((v, i) => view(v, `p${i + 20}`)); // waits for its timer
      const original = Storage.prototype[method];
      let n = 0;
      const r = { fired: false, extra: [] };
      Storage.prototype[method] = function wrapped(key, ...rest) {
        const result = original.call(this, key, ...rest);
        if (!r.fired && String(key).startsWith('vitrine:') && ++n === k) {
          r.fired = true;
          try {
            nested(all, r);
          } catch (e) {
            r.refused = e.message;
          }
        }
        return result;
      };
      try {
        trigger(all[0]);
      } catch (e) {
        r.thrown = e.message;
      } finally {
        Storage.prototype[method] = original;
      }
      const live = all.filter((v) => !r.freed?.includes(v)).concat(r.extra);
      // What waits is written: by each timer, or (quicker, `flush`) by a call on each instance.
      if (flush) live.forEach((v) => v.audit());
      else await sleep(300);
      r.personalization = live.map((v) => v.consent().personalization);
      r.held = live.map(events);
      r.stored = stored();
      r.keys = keys();
      live.forEach((v) => v.free());
      return r;
    };
  }, ITEMS);
  return tab;
}

const done = async ({ context, page, problems }) => {
  await page.evaluate(() => localStorage.clear());
  assert.deepEqual(problems, []);
  await context.close();
};

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

test('a card freed by page code inside a storage read of a write that tells it: its waiting event is stored', { todo: 'left: page code freeing an instance from inside vitrine\'s own storage calls may lose its waiting event (RELIABILITY.md)' }, async () => {
  // API.md: `free()` writes what waits. The main instance's audit() writes; after_writes tells
  // each card in turn (`storage_changed`, which reads the records through getItem). Page code in
  // a getItem wrapper frees a card then: the wrapper (`Vitrine`) is not borrowed, so free()
  // goes through and its Drop runs `writes::flush`, whose `try_borrow_mut` finds the session
  // borrowed by the telling and writes nothing; the session is dropped when the telling ends,
  // with its waiting event. Eight events were tracked; the rest of the page and storage keep 7.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (let k = 1; k <= 30; k++) {
      const x = await reenter({
        method: 'getItem', k,
        trigger: (main) => main.audit(),
        nested: (all, x) => { all[2].free(); x.freed = [all[2]]; },
      });
      if (!x.fired) break;
      r[k] = { thrown: x.thrown, held: x.held, stored: x.stored.events };
    }
    return r;
  });
  assert.ok(Object.keys(out).length >= 20, 'every storage read of the write was reached');
  const lost = Object.entries(out).filter(([, x]) => x.stored !== 8).map(([k, x]) => `read ${k}: ${x.stored}`);
  for (const x of Object.values(out)) assert.equal(x.thrown, undefined);
  // Found (a run): read 2: 7, read 9: 7 (the reads inside the telling of card 2, before it wrote).
  assert.deepEqual(lost, [], 'eight events stored whichever read the card is freed in');
  await done(tab);
});

test('an instance opened by page code inside a turn of after_writes: it holds the events the later turns write', async () => {
  // Four instances each with an event waiting; the main instance's audit() writes, and the
  // cards, told in turn, each merge and write theirs. Page code in a getItem wrapper mounts a
  // widget (Vitrine.open with the same yes) at a read inside one card's telling. The widget
  // reads storage as it is then; the cards told after it write their events, but the turn list
  // was copied before it opened, and its own open wrote nothing to tell it back. After every
  // timer (1 s), it still misses an event storage holds.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (let k = 1; k <= 30; k++) {
      const x = await reenter({
        method: 'getItem', k,
        trigger: (main) => main.audit(),
        nested: (all, x) => x.extra.push(Vitrine.open({ catalog: items, consent: yes })),
      });
      if (!x.fired) break;
      r[k] = { widget: x.held[4], stored: x.stored.events };
    }
    return r;
  });
  assert.ok(Object.keys(out).length >= 20);
  const stale = Object.entries(out).filter(([, x]) => x.widget !== x.stored).map(([k, x]) => `read ${k}: ${x.widget} of ${x.stored}`);
  // Found: reads 5 to 19: 7 of 8.
  assert.deepEqual(stale, [], 'the widget holds every stored event');
  await done(tab);
});

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

test('page code calling another instance inside each storage call of a write, through every turn: nothing throws out of vitrine, every instance ends with the stored decision and events, a refusal or erase() is never written over', async () => {
  // Each sweep puts the nested call at every call of the write on a vitrine key (the writer's
  // own, then each turn of after_writes), until there is none left. A nested call on a card
  // that vitrine is telling at that moment is refused with the documented busy error (RELIABILITY.md:
  // "the re-entrant call is refused while vitrine is busy"); the page then sees it, and nothing
  // changed. Otherwise it takes effect and reaches every instance.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const nested = {
      track: (all) => view(all[2], 'p40'),
      refusal: (all) => all[2].setConsent(no),
      erase: (all) => all[2].erase(),
      'open a refusal': (all, x) => x.extra.push(Vitrine.open({ catalog: items, consent: no })),
      'open a yes': (all, x) => x.extra.push(Vitrine.open({ catalog: items, consent: yes })),
    };
    const runs = [];
    for (const [method, trigger, name] of [
      ['setItem', (m) => m.audit(), 'write'], ['getItem', (m) => m.audit(), 'write'],
      ['setItem', (m) => m.setConsent(no), 'refusal'], ['getItem', (m) => m.setConsent(no), 'refusal'],
      ['removeItem', (m) => m.setConsent(no), 'refusal'], ['removeItem', (m) => m.erase(), 'erase'],
    ]) {
      for (const [what, f] of Object.entries(nested)) {
        for (let k = 1; k <= 40; k++) {
          const x = await reenter({ method, k, trigger, nested: f, flush: true });
          if (!x.fired) break;
          runs.push({ at: `${name}, ${method} ${k}, ${what}`, name, what, ...x, extra: x.extra.length });
        }
      }
    }
    return runs;
  });
  assert.ok(out.length > 200, `${out.length} runs`);
  for (const r of out) {
    assert.equal(r.thrown, undefined, r.at);
    if (r.refused !== undefined) assert.match(r.refused, /called again while a call on the same instance was running/, r.at);
    // Every instance agrees with storage — but for a yes opened inside a refusal's own storage
    // call: when the clock ticks between the two, the yes is the later decision in every instance
    // while the refusal, written last, is what storage holds (left, RELIABILITY.md).
    if (!(r.name === 'refusal' && r.what === 'open a yes')) {
      assert.ok(r.personalization.every((p) => p === r.stored.personalization), `${r.at}: ${r.personalization}`);
    }
    // (An instance opened with a yes inside a turn may miss a later turn's write: the next test.)
    const held = r.what === 'open a yes' ? r.held.slice(0, -1) : r.held;
    assert.ok(held.every((n) => n === r.stored.events), `${r.at}: ${r.held} / ${r.stored.events}`);
    const refused = r.refused !== undefined;
    // The decision written last stands.
    const later = r.what === 'open a yes' ? true : (r.what === 'refusal' || r.what === 'erase' || r.what === 'open a refusal') && !refused ? false : null;
    const expected = later ?? (r.name === 'write');
    // A yes opened inside the refusal's own call, before the refusal is written, may be the one
    // written over (the refusal was made first but written last): either, as long as all agree.
    if (!(r.what === 'open a yes' && r.name !== 'write')) assert.equal(r.stored.personalization, expected, r.at);
    if (!expected) assert.ok(!r.keys.includes('vitrine:profile'), `${r.at}: ${r.keys}`);
    if ((r.what === 'erase' && !refused) || (r.name === 'erase' && r.what !== 'open a yes')) assert.deepEqual(r.keys.filter((k) => k !== 'vitrine:consent'), [], r.at);
    // Every event tracked under a yes, once: 8, and the nested track's when it was taken.
    if (expected && r.name === 'write') assert.equal(r.stored.events, r.what === 'track' && !refused ? 9 : 8, r.at);
    if (r.name !== 'write') assert.equal(r.stored.events, 0, r.at);
  }
  await done(tab);
});

test('two tabs of five instances each: one write in one tab settles in a few writes and storage events, and every event is stored once', async () => {
  const one = await blank();
  const two = await blank(one.context);
  await one.page.evaluate(() => localStorage.clear());
  for (const [t, p] of [[0, one.page], [1, two.page]]) {
    await p.evaluate((t) => {
      window.all = Array.from({ length: 5 }, () => Vitrine.open({ catalog: items, consent: yes }));
      all.forEach((v, i) => view(v, `p${t * 10 + i}`));
      window.count = { writes: 0, events: 0 };
      const { setItem, removeItem } = Storage.prototype;
      Storage.prototype.setItem = function c(k, v) { if (String(k).startsWith('vitrine:')) count.writes++; return setItem.call(this, k, v); };
      Storage.prototype.removeItem = function c(k) { if (String(k).startsWith('vitrine:')) count.writes++; return removeItem.call(this, k); };
      addEventListener('storage', (e) => { if (e.key === null || e.key.startsWith('vitrine:')) count.events++; });
    }, t);
  }
  await one.page.waitForTimeout(500); // the second tab's writes reach the first
  const reset = (p) => p.evaluate(() => { count.writes = 0; count.events = 0; });
  await reset(one.page);
  await reset(two.page);
  // Tab one: every instance an event waiting; tab two: every instance one too. Then one write.
  await one.page.evaluate(() => all.forEach((v, i) => view(v, `p${i + 30}`)));
  await two.page.evaluate(() => all.forEach((v, i) => view(v, `p${i + 40}`)));
  await one.page.evaluate(() => all[0].audit());
  await one.page.waitForTimeout(1500);
  const read = (p) => p.evaluate(() => ({ ...count, held: all.map(events) }));
  const [a, b] = [await read(one.page), await read(two.page)];
  await one.page.waitForTimeout(800);
  const [a2, b2] = [await read(one.page), await read(two.page)];
  const storedNow = await one.page.evaluate(() => stored().events);
  console.log(`# two tabs, one write: tab one ${a.writes} writes / ${a.events} storage events; tab two ${b.writes} / ${b.events}`);
  assert.deepEqual([a.held, b.held, storedNow], [Array(5).fill(20), Array(5).fill(20), 20], 'every event held and stored once');
  assert.ok(a.writes + b.writes <= 40 && a.events + b.events <= 60, `settles: ${JSON.stringify({ a, b })}`);
  assert.deepEqual([a2.writes, a2.events, b2.writes, b2.events], [a.writes, a.events, b.writes, b.events], 'quiet once settled');
  for (const p of [one.page, two.page]) await p.evaluate(() => all.forEach((v) => v.free()));
  await two.page.close();
  await done(one);
});

test('cost: twenty instances tracking one event each per millisecond; track calls that write nothing, with one instance and with twenty (figures reported, not asserted)', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    let writes = 0;
    const { setItem } = Storage.prototype;
    Storage.prototype.setItem = function c(k, v) { writes++; return setItem.call(this, k, v); };
    for (const [run, n] of [['1', 1], ['20', 20], ['1 again', 1], ['20 again', 20]]) {
      localStorage.clear();
      const vs = Array.from({ length: n }, () => Vitrine.open({ catalog: items, consent: yes }));
      vs.forEach((v, i) => view(v, `p${i}`));
      let calls = 0;
      let quiet = 0;
      let quietMs = 0;
      let wroteCalls = 0;
      const w0 = writes;
      const t0 = performance.now();
      while (performance.now() - t0 < 1500) {
        const due = (Math.floor(performance.now() - t0) + 1) * n; // one event each per ms
        while (calls < due) {
          const before = writes;
          const a = performance.now();
          view(vs[calls % n], `p${calls % 60}`);
          const spent = performance.now() - a;
          if (writes === before) { quiet++; quietMs += spent; } else wroteCalls++;
          calls++;
        }
        await new Promise((ok) => setTimeout(ok, 0));
      }
      await sleep(300);
      r[run] = {
        calls,
        writes: writes - w0,
        wroteCalls,
        quietPerSec: Math.round(quiet / (quietMs / 1000)),
        held: Math.min(...vs.map(events)) === Math.max(...vs.map(events)),
        stored: stored().events === events(vs[0]),
      };
      vs.forEach((v) => v.free());
    }
    Storage.prototype.setItem = setItem;
    return r;
  });
  for (const [run, x] of Object.entries(out)) {
    console.log(`# ${run} instance(s): ${x.calls} track calls in 1.5 s, ${x.writes} writes (${x.wroteCalls} calls wrote); calls that wrote nothing: ${x.quietPerSec} per second`);
    assert.ok(x.held && x.stored, run);
  }
  await done(tab);
});
