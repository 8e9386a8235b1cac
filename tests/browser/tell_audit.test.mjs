// Fifth re-audit (Chromium, real localStorage): telling the page's other instances of a namespace
// (`storage::after_writes`, `told_late`), the look before each removal (`LocalStorage::remove`),
// and a different decision of the same millisecond taken over (`Session::storage_changed`), as
// of 4fd2e8d. Natively: `session::tell_audit_tests`.
//
// The first six tests are the defects it found (each failed on 4fd2e8d): five fixed since, one
// left (`todo`: more than 32 writers); the others are guards that hold.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const CATEGORIES = ['Candles', 'Mugs', 'Throws', 'Lamps'];
const ITEMS = Array.from({ length: 60 }, (_, i) => ({ id: `p${i}`, category: CATEGORIES[i % 4], brand: `Brand ${i % 3}`, price: 5 + i }));

/** What every page of these tests runs first: vitrine, the catalog, helpers. */
async function setup(page) {
  await page.evaluate(async ({ items }) => {
    const m = await import('/pkg/vitrine.js');
    await m.default();
    window.Vitrine = m.Vitrine;
    window.items = items;
    window.sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    window.yes = { personalization: true, storage: true };
    window.no = { personalization: false, storage: true }; // a refusal that keeps its record
    window.keys = () => Object.keys(localStorage).filter((k) => k.startsWith('vitrine:')).sort();
    window.view = (v, id) => v.track('Product Viewed', { product_id: id }).accepted;
    window.events = (v) => v.profile()?.events ?? 0;
    /** The events a page opened now reads from storage. */
    window.storedEvents = () => {
      const r = Vitrine.open({ catalog: items });
      const n = events(r);
      r.free();
      return n;
    };
    /** Counts `setItem` and `removeItem` calls on vitrine's keys from now on. */
    window.countWrites = () => {
      const { setItem, removeItem } = Storage.prototype;
      const c = { n: 0, restore() { Storage.prototype.setItem = setItem; Storage.prototype.removeItem = removeItem; } };
      Storage.prototype.setItem = function counted(k, v) { if (String(k).startsWith('vitrine:')) c.n += 1; return setItem.call(this, k, v); };
      Storage.prototype.removeItem = function counted(k) { if (String(k).startsWith('vitrine:')) c.n += 1; return removeItem.call(this, k); };
      return c;
    };
  }, { items: ITEMS });
}

/** A blank page of the site with vitrine loaded (in `context` when given: another tab). */
async function blank(context) {
  const tab = await newPage(env.browser, { context });
  await tab.page.route(`${env.base}/tell-test**`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>tell</title>' }));
  await tab.page.goto(`${env.base}/tell-test`);
  await setup(tab.page);
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

test('a getItem that throws for the profile record (reads alone fail): a refusal and erase() remove the profile', async () => {
  // RELIABILITY.md lists "storage whose reads alone fail" (`fail_reads`: reads throw, writes and
  // deletes work) as a fault vitrine fails closed under. 4fd2e8d had a removal first ask getItem
  // whether the key is there, and give up when getItem threw: the shopper's refusal, and erase()
  // (P15), left the profile record in localStorage. A look that fails now removes anyway.
  const tab = await blank();
  const out = await tab.page.evaluate(() => {
    const r = {};
    const getItem = Storage.prototype.getItem;
    for (const how of ['refusal', 'erase']) {
      localStorage.clear();
      const v = Vitrine.open({ catalog: items, consent: yes });
      view(v, 'p0');
      Storage.prototype.getItem = function broken(k) {
        if (k === 'vitrine:profile') throw new DOMException('the database is damaged', 'UnknownError');
        return getItem.call(this, k);
      };
      try {
        if (how === 'refusal') v.setConsent(no);
        else v.erase();
        r[how] = { keys: keys(), personalization: v.consent().personalization, errors: v.audit().history.filter((h) => h.type === 'storageError').length };
      } finally {
        Storage.prototype.getItem = getItem;
      }
      v.free();
    }
    return r;
  });
  assert.equal(out.refusal.personalization, false);
  // Found: ['vitrine:consent', 'vitrine:profile'] and ['vitrine:profile'].
  assert.deepEqual({ refusal: out.refusal.keys, erase: out.erase.keys }, { refusal: ['vitrine:consent'], erase: [] }, 'the profile record is removed');
  await done(tab);
});

test('a widget opened with a refusal by page code inside the main instance\'s timed write reaches the main instance when its write ends', async () => {
  // The fourth re-audit's own scenario (a page's wrapper of a Storage method mounts a widget)
  // was fixed for calls (`Vitrine::with`). When the main instance's write runs from its timer
  // (every event written within 200 ms of the last), the widget's after_writes finds it busy
  // and puts it aside (SKIPPED), and nothing looks until the main instance's next call has run.
  // With a wrapper of getItem (the look before the write), the main instance then writes its
  // profile over the refusal's removal, and it stays stored under the refusal.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (const method of ['setItem', 'getItem']) {
      localStorage.clear();
      const main = Vitrine.open({ catalog: items, consent: yes });
      view(main, 'p0'); // written at once
      view(main, 'p4'); // waits for the timer
      const original = Storage.prototype[method];
      let widget;
      Storage.prototype[method] = function wrapped(k, ...rest) {
        const result = original.call(this, k, ...rest);
        if (widget === undefined && String(k).startsWith('vitrine:')) {
          widget = null;
          widget = Vitrine.open({ catalog: items, consent: no });
        }
        return result;
      };
      try {
        await sleep(400); // the main instance's timed write, inside which the widget opens
      } finally {
        Storage.prototype[method] = original;
      }
      r[method] = { widget: widget?.consent().personalization, keys: keys() };
      r[method].mainTracks = view(main, 'p8'); // the main instance's next call
      r[method].later = main.consent().personalization;
      main.free();
      widget?.free();
      r[method].after = keys();
    }
    return r;
  });
  for (const [method, r] of Object.entries(out)) {
    assert.equal(r.widget, false, method);
    assert.equal(r.later, false, method);
    assert.deepEqual(r.after, ['vitrine:consent'], method);
  }
  // Found: setItem: the event taken (true); getItem: the profile stored under the refusal, and
  // the event taken.
  assert.deepEqual(Object.fromEntries(Object.entries(out).map(([m, r]) => [m, [r.keys, r.mainTracks]])),
    { setItem: [['vitrine:consent'], false], getItem: [['vitrine:consent'], false] }, 'the main instance follows the refusal at once');
  await done(tab);
});

test('ten instances each with an event waiting: after one writes, every one holds every event', async () => {
  // The main instance and nine product cards each track an event (written at once), then one
  // more within the write interval (waiting). The main instance's audit() writes; each card it
  // tells merges and writes its waiting event, and every write re-tells all told before it: the
  // re-tellings grow as 1 + 2 + … and the bound runs out after the eighth. The instances told
  // before the last cards wrote never take their events over (storage has them all), while the
  // same ten pages as tabs would each receive every write's `storage` event. Nine hold.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (const n of [9, 10]) {
      localStorage.clear();
      const all = Array.from({ length: n }, () => Vitrine.open({ catalog: items, consent: yes }));
      all.forEach((v, i) => view(v, `p${i}`));
      all.forEach((v, i) => view(v, `p${i + 20}`));
      all[0].audit(); // writes what waits
      r[n] = { held: all.map(events), stored: storedEvents() };
      await sleep(400); // every timer has run: the main instance, with nothing waiting, has none
      r[n].main = events(all[0]);
      all.forEach((v) => v.free());
    }
    return r;
  });
  assert.deepEqual(out[9], { held: Array(9).fill(18), stored: 18, main: 18 }, 'nine instances');
  // Found: held [19, 20, 19, 19, 19, 19, 19, 19, 19, 19], and the main instance still 19 once
  // every timer has run (the others' timed writes merge and find nothing to write).
  assert.deepEqual(out[10], { held: Array(10).fill(20), stored: 20, main: 20 }, 'ten instances');
  await done(tab);
});

test('another tab\'s write, merged by a card with an event waiting: the card\'s write reaches the page\'s main instance', async () => {
  // Tab 1: the main instance and a product card, the card with an event waiting for its timer.
  // Tab 2 tracks: on its `storage` event the main instance merges (nothing to write), then the
  // card merges and writes its waiting event with it. No `storage` event reaches the main
  // instance for a write of its own page, and nothing else tells it; the card's timer then finds
  // nothing left to write. Were the card another tab, its write would reach the main instance.
  const one = await blank();
  const two = await blank(one.context);
  await one.page.evaluate(() => {
    localStorage.clear();
    window.main = Vitrine.open({ catalog: items, consent: yes });
    window.card = Vitrine.open({ catalog: items });
    view(main, 'p0');
    view(card, 'p1'); // written at once
    view(card, 'p2'); // waits for the card's timer
  });
  await two.page.evaluate(() => {
    const v = Vitrine.open({ catalog: items });
    view(v, 'p9');
    v.free();
  });
  const out = await one.page.evaluate(async () => {
    await sleep(400); // the storage event; every timer has run
    const r = { card: events(card), main: events(main), stored: storedEvents() };
    main.free();
    card.free();
    return r;
  });
  await two.page.close();
  assert.deepEqual([out.card, out.stored], [4, 4]);
  // Found: 3 (p2 missing until something else writes).
  assert.equal(out.main, 4, 'the main instance holds the card\'s event');
  await done(one);
});

test('thirty-three instances of a namespace each tracking one event: storage counts the events many times', { todo: 'left: more than 32 instances or tabs writing count events again (the writers\' clock keeps 32; RELIABILITY.md)' }, async () => {
  // Product cards each opening an instance and tracking an impression. Every write tells every
  // instance (after_writes); one whose writer entry the 33rd writer pushed out of the clock
  // (MAX_WRITERS) finds its event missing and re-applies it, writes, pushes out another, and so
  // on. Thirty-two hold.
  const tab = await blank();
  const out = await tab.page.evaluate(() => {
    const r = {};
    for (const n of [32, 33]) {
      localStorage.clear();
      const all = Array.from({ length: n }, () => Vitrine.open({ catalog: items, consent: yes }));
      all.forEach((v, i) => view(v, `p${i}`));
      r[n] = { stored: storedEvents(), most: Math.max(...all.map(events)) };
      all.forEach((v) => v.free());
    }
    return r;
  });
  assert.deepEqual(out[32], { stored: 32, most: 32 }, 'thirty-two');
  // Found (a run): stored 46, an instance holding 46.
  assert.deepEqual(out[33], { stored: 33, most: 33 }, 'thirty-three');
  await done(tab);
});

test('a widget\'s refusal in the same millisecond as the main instance\'s yes, whose record write fails: the widget keeps its refusal', async () => {
  // The same task opens the tracking instance with the CMP's yes and a shelf widget with the
  // banner's refusal; the widget's consent record cannot be written (a full localStorage: its
  // setItem throws QuotaExceededError once). Storage holds the yes, written before the refusal
  // was made. The main instance's next write tells the widget, which takes the yes over as a
  // decision "written after" its own, and tracks. A millisecond apart, it keeps its refusal.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const setItem = Storage.prototype.setItem;
    const run = async (apart) => {
      for (let tries = 1; tries <= 500; tries++) {
        localStorage.clear();
        let fail = false;
        Storage.prototype.setItem = function full(k, v) {
          if (fail && k === 'vitrine:consent') {
            fail = false;
            throw new DOMException('quota', 'QuotaExceededError');
          }
          return setItem.call(this, k, v);
        };
        const t = Date.now();
        const main = Vitrine.open({ catalog: items, consent: yes });
        if (apart) while (Date.now() === t) { /* the next millisecond */ }
        fail = true;
        const widget = Vitrine.open({ catalog: items, consent: no });
        Storage.prototype.setItem = setItem;
        if (!apart && Date.now() !== t) {
          main.free();
          widget.free();
          continue;
        }
        const r = { tries, opened: widget.consent().personalization };
        view(main, 'p0'); // a write of the main instance: the widget is told
        r.widget = widget.consent().personalization;
        r.widgetTracks = view(widget, 'p4');
        main.free();
        widget.free();
        return r;
      }
      return { tries: 'none in one millisecond' };
    };
    return { apart: await run(true), same: await run(false) };
  });
  assert.deepEqual(out.apart, { tries: 1, opened: false, widget: false, widgetTracks: false }, 'a millisecond apart');
  assert.equal(out.same.opened, false, out.same.tries);
  // Found: true, true.
  assert.deepEqual([out.same.widget, out.same.widgetTracks], [false, false], 'the same millisecond');
  await done(tab);
});

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

test('two instances deciding differently in one millisecond, either order: both follow the decision written last, once; nothing is written back and forth', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (const [name, first, second] of [['yes, then no', yes, no], ['no, then yes', no, yes]]) {
      for (let tries = 1; tries <= 500; tries++) {
        localStorage.clear();
        const t = Date.now();
        const a = Vitrine.open({ catalog: items, consent: first });
        const b = Vitrine.open({ catalog: items, consent: second });
        if (Date.now() !== t) {
          a.free();
          b.free();
          continue;
        }
        const writes = countWrites();
        const states = [a, b].map((v) => v.consent().personalization);
        for (let i = 0; i < 3; i++) [a, b].forEach((v) => v.recommend({ scenario: 'for_you', k: 3 }));
        await sleep(300); // any timer
        writes.restore();
        r[name] = { states, writes: writes.n, syncs: [a, b].map((v) => v.audit().history.filter((h) => h.type === 'sync').length), stored: (() => { const n = Vitrine.open({ catalog: items }); const p = n.consent().personalization; n.free(); return p; })() };
        a.free();
        b.free();
        break;
      }
    }
    return r;
  });
  assert.deepEqual(out['yes, then no'], { states: [false, false], writes: 0, syncs: [1, 0], stored: false });
  assert.deepEqual(out['no, then yes'].states, [true, true]);
  assert.deepEqual([out['no, then yes'].writes, out['no, then yes'].stored], [0, true]);
  await done(tab);
});

test('two tabs whose decisions differ in one millisecond (the clock held): both follow the one stored, and neither writes again', async () => {
  const one = await blank();
  const two = await blank(one.context);
  const T = 1_800_000_000_000;
  for (const p of [one.page, two.page]) await p.evaluate(() => { window.realNow = Date.now; window.countAll = countWrites(); });
  await one.page.evaluate((T) => {
    localStorage.clear();
    Date.now = () => T;
    window.v = Vitrine.open({ catalog: items, consent: yes });
    view(v, 'p0');
    Date.now = realNow;
  }, T);
  await two.page.evaluate((T) => {
    Date.now = () => T;
    window.v = Vitrine.open({ catalog: items, consent: no });
    Date.now = realNow;
  }, T);
  const settle = (p) => p.evaluate(async () => { await sleep(300); return countAll.n; });
  const [w1, w2] = [await settle(one.page), await settle(two.page)];
  const read = (p) => p.evaluate(async () => {
    const before = countAll.n;
    await sleep(300);
    return { personalization: v.consent().personalization, tracks: view(v, 'p4'), again: countAll.n - before, keys: keys() };
  });
  const [a, b] = [await read(one.page), await read(two.page)];
  assert.ok(w1 >= 2 && w2 >= 2, `${w1} ${w2}`);
  assert.deepEqual(a, { personalization: false, tracks: false, again: 0, keys: ['vitrine:consent'] });
  assert.deepEqual(b, { personalization: false, tracks: false, again: 0, keys: ['vitrine:consent'] });
  for (const p of [one.page, two.page]) await p.evaluate(() => { countAll.restore(); v.free(); });
  await two.page.close();
  await done(one);
});

test('an instance busy when a widget opens with a refusal inside its call: it follows when the call ends, also when a nested call was refused meanwhile, when the widget was freed inside, or when it frees itself inside', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (const how of ['nested', 'widget freed', 'main freed']) {
      localStorage.clear();
      const main = Vitrine.open({ catalog: items, consent: yes });
      view(main, 'p0');
      await sleep(250);
      const setItem = Storage.prototype.setItem;
      let widget;
      let nested;
      Storage.prototype.setItem = function wrapped(k, v) {
        setItem.call(this, k, v);
        if (widget !== undefined || k !== 'vitrine:profile') return;
        widget = null;
        widget = Vitrine.open({ catalog: items, consent: no });
        if (how === 'nested') {
          try { main.consent(); } catch (e) { nested = e.message; }
        }
        if (how === 'widget freed') widget.free();
        if (how === 'main freed') main.free();
      };
      let tracked;
      try {
        tracked = view(main, 'p4');
      } finally {
        Storage.prototype.setItem = setItem;
      }
      r[how] = { tracked, nested };
      if (how !== 'main freed') {
        r[how].main = main.consent().personalization;
        r[how].mainTracks = view(main, 'p8');
        main.free();
      }
      if (how !== 'widget freed') widget.free();
      await sleep(250);
      r[how].keys = keys();
    }
    return r;
  });
  assert.match(out.nested.nested, /called again while a call on the same instance was running/);
  for (const how of ['nested', 'widget freed']) {
    assert.deepEqual([out[how].tracked, out[how].main, out[how].mainTracks], [true, false, false], how);
  }
  for (const how of Object.keys(out)) assert.deepEqual(out[how].keys, ['vitrine:consent'], how);
  await done(tab);
});

test('another tab\'s refusal written while this tab is in a long call: its storage event arrives after the call, and is followed', async () => {
  const one = await blank();
  const two = await blank(one.context);
  await one.page.evaluate(() => {
    localStorage.clear();
    window.main = Vitrine.open({ catalog: items, consent: yes });
    view(main, 'p0');
    window.busy = new Promise((ok) => setTimeout(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function slow(k, v) {
        const until = Date.now() + 600;
        while (Date.now() < until) { /* a long task inside the call */ }
        window.callEnded = Date.now();
        return setItem.call(this, k, v);
      };
      try {
        window.tracked = view(main, 'p4');
      } finally {
        Storage.prototype.setItem = setItem;
      }
      ok();
    }, 250)); // past the write interval: the event is written at once, inside the long task
  });
  const refused = await two.page.evaluate(async () => {
    await sleep(450);
    const w = Vitrine.open({ catalog: items, consent: no });
    w.free();
    return Date.now();
  });
  const out = await one.page.evaluate(async () => {
    await busy;
    await sleep(300);
    return { tracked, callEnded, main: main.consent().personalization, mainTracks: view(main, 'p8'), keys: keys() };
  });
  assert.ok(refused < out.callEnded, 'the refusal was written while the call ran');
  assert.deepEqual([out.main, out.mainTracks, out.keys], [false, false, ['vitrine:consent']]);
  await one.page.evaluate(() => main.free());
  await two.page.close();
  await done(one);
});

test('the look before each removal: under a full localStorage, with a getItem that returns a number, and of a key already gone, a refusal and erase() remove what is there', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(() => {
    const r = {};
    const { getItem, setItem } = Storage.prototype;
    for (const fault of ['quota', 'number', 'gone']) {
      for (const how of ['refusal', 'erase']) {
        localStorage.clear();
        const v = Vitrine.open({ catalog: items, consent: yes });
        view(v, 'p0');
        if (fault === 'quota') Storage.prototype.setItem = function full() { throw new DOMException('quota', 'QuotaExceededError'); };
        if (fault === 'number') Storage.prototype.getItem = function odd(k) { const x = getItem.call(this, k); return x === null ? null : 42; };
        if (fault === 'gone') localStorage.removeItem('vitrine:profile');
        try {
          if (how === 'refusal') v.setConsent(no);
          else v.erase();
        } finally {
          Object.assign(Storage.prototype, { getItem, setItem });
        }
        r[`${fault} ${how}`] = { keys: keys(), personalization: v.consent().personalization };
        v.free();
      }
    }
    return r;
  });
  for (const [name, r] of Object.entries(out)) {
    assert.equal(r.personalization, false, name);
    assert.ok(!r.keys.includes('vitrine:profile'), `${name}: ${r.keys}`);
    if (name.endsWith('erase')) assert.deepEqual(r.keys, [], name);
  }
  await done(tab);
});

test('fifty instances: one\'s event reaches all with one write; a refusal the fiftieth opens with reaches all forty-nine with two', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(() => {
    localStorage.clear();
    const all = Array.from({ length: 50 }, () => Vitrine.open({ catalog: items, consent: yes }));
    const w1 = countWrites();
    view(all[0], 'p0');
    w1.restore();
    const r = { eventWrites: w1.n, held: all.map(events) };
    const w2 = countWrites();
    const widget = Vitrine.open({ catalog: items, consent: no });
    w2.restore();
    r.refusalWrites = w2.n;
    r.all = all.map((v) => v.consent().personalization);
    r.keys = keys();
    all.forEach((v) => v.free());
    widget.free();
    return r;
  });
  assert.equal(out.eventWrites, 1);
  assert.deepEqual(out.held, Array(50).fill(1));
  assert.equal(out.refusalWrites, 2);
  assert.deepEqual(out.all, Array(50).fill(false));
  assert.deepEqual(out.keys, ['vitrine:consent']);
  await done(tab);
});
