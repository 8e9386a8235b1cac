// Two copies of vitrine on one page (Chromium, real localStorage): a theme bundle and an app embed
// (two micro-frontends, a Shopify app block) each bundling their own `vitrine`, each with its own
// module, wasm instance and memory, both on the default namespace; and a dev server's hot reload
// importing the module again while the old instances live.
//
// API.md (Open): "Two instances with the same namespace on one page ... share one profile through
// localStorage under storage consent, as two tabs do: when one writes, the other takes it over at
// once, and follows its withdrawal or erase() at once." PRIVACY.md (Several tabs, P9, P10, P19).
// How one copy tells its instances (`src/wasm/storage.rs`, `Shared`, `after_writes`) is a list in
// that copy's wasm memory; a second copy is on no such list and receives no `storage` event
// (the browser sends those to other pages only).
//
// The tests under "Defects" assert the documented or expected behaviour and fail on the current
// build; the "Guards" hold.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { copiesPage } from './copies.mjs';

const env = await launch();
test.after(() => env.close());

/** A blank page of the site with copies A and B of the package (tests/browser/copies.mjs). */
const blank = (context) => copiesPage(env, { context });

const done = async ({ context, page, problems }) => {
  await page.evaluate(() => localStorage.clear());
  assert.deepEqual(problems, []);
  await context.close();
};

// ---------------------------------------------------------------------------------------------
// Defects
// ---------------------------------------------------------------------------------------------

test('copy A\'s refusal (its record kept) stops copy B at once: no consent, no profile, no personal shelf, no event taken', async () => {
  // Two tabs, or two instances of one copy, follow at once (guards below). Copy B is told
  // nothing: it keeps personalization, the profile (with events copy A tracked), a personal
  // `recently_viewed` shelf, an export of it, and takes new events.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const a = A.open({ catalog: items, consent: yes });
    const b = B.open({ catalog: items });
    view(a, 'p0');
    view(b, 'p1');
    await sleep(300);
    a.setConsent(no);
    const r = {
      keys: keys(),
      consent: b.consent().personalization,
      profile: viewed(b),
      shelf: b.recommend({ scenario: 'recently_viewed' }).map((x) => x.itemId),
      exported: b.exportData().profile?.recentlyViewed.map((x) => x.value) ?? null,
      auditHeld: b.audit().profile.held,
      track: view(b, 'p2'),
    };
    a.free();
    b.free();
    return r;
  });
  assert.deepEqual(out.keys, ['vitrine:consent']);
  // Found: consent true, profile and shelf and export [p1, p0] (p0 copy A's), held, {accepted: true}.
  assert.deepEqual(
    { consent: out.consent, profile: out.profile, shelf: out.shelf, exported: out.exported, auditHeld: out.auditHeld, track: out.track },
    { consent: false, profile: [], shelf: [], exported: null, auditHeld: false, track: { accepted: false, reason: 'no_consent' } },
  );
  await done(tab);
});

test('copy B writes no profile record after copy A\'s refusal: not by its next event, nor its timer, nor free()', async () => {
  // The privacy reviewer's defect: the profile record comes back into localStorage under a
  // stored refusal, holding events from before the withdrawal (p1; p0 when B merged it earlier).
  // PRIVACY.md: the profile record exists "only with personalization and storage consent";
  // "Nothing is written to persistent storage without storage consent" (the rememberRefusal
  // case: the refusal denies storage too).
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    const cases = {
      'refusal keeping storage, next event': { consent: no, policy: {}, then: async (b) => { view(b, 'p2'); await sleep(300); } },
      'refusal keeping storage, waiting timer': { consent: no, policy: {}, waiting: true, then: async () => { await sleep(400); } },
      'refusal keeping storage, free()': { consent: no, policy: {}, waiting: true, then: async (b) => { b.free(); } },
      'rememberRefusal (storage denied), next event': { consent: { personalization: false }, policy: { rememberRefusal: true }, then: async (b) => { view(b, 'p2'); await sleep(300); } },
    };
    for (const [name, c] of Object.entries(cases)) {
      localStorage.clear();
      const a = A.open({ catalog: items, consent: yes, policy: c.policy });
      const b = B.open({ catalog: items, policy: c.policy });
      view(a, 'p0');
      view(b, 'p1');
      if (c.waiting) view(b, 'p3'); // within 200 ms of the last write: waits for B's timer
      else await sleep(300);
      a.setConsent(c.consent);
      await c.then(b);
      const raw = rawProfile();
      r[name] = { keys: keys(), names: raw == null ? [] : ['p0', 'p1', 'p2', 'p3'].filter((id) => raw.includes(id)) };
      a.free();
      try { b.free(); } catch { /* freed by the case */ }
    }
    return r;
  });
  // Found for each: keys [consent, profile], the record naming p1 (and p0, p2, p3).
  const expected = Object.fromEntries(Object.keys(out).map((k) => [k, { keys: ['vitrine:consent'], names: [] }]));
  assert.deepEqual(out, expected);
  await done(tab);
});

test('copy A\'s withdrawal of `sensitive` reaches copy B: B drops the sensitive signals and stores no new one (P19)', async () => {
  // P19: "every sensitive signal is erased at once, in memory, storage, the merge buffer and
  // other tabs". B keeps `sensitive: true`, keeps showing vitamin-d3 and the health category,
  // and a sensitive view it takes after the withdrawal is written to the profile record.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const policy = { sensitiveCategories: ['Health'] };
    const a = A.open({ catalog: items, consent: yesSensitive, policy });
    const b = B.open({ catalog: items, policy });
    view(b, 'vitamin-d3');
    await sleep(300);
    a.setConsent(yes); // sensitive withdrawn
    const r = { sensitive: b.consent().sensitive, viewed: viewed(b), categories: (b.profile()?.categories ?? []).map((c) => c.name) };
    r.track = view(b, 'vitamin-d3');
    await sleep(300);
    const raw = rawProfile() ?? '';
    r.stored = ['vitamin-d3', 'health'].filter((s) => raw.includes(s));
    a.free();
    b.free();
    return r;
  });
  // Found: sensitive true, [vitamin-d3], [health], {accepted: true}, the record naming both.
  assert.deepEqual(out, { sensitive: false, viewed: [], categories: [], track: { accepted: false, reason: 'sensitive' }, stored: [] });
  await done(tab);
});

test('copy B, opened on a stored refusal, takes over the yes copy A is given (P9)', async () => {
  // The page's banner is wired to one bundle; the other opened on the stored decision. In two
  // tabs (guard below) the other takes the yes over; copy B refuses every event with
  // `no_consent` and shows no personal shelf until the page is reloaded.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    A.open({ catalog: items, consent: no }).free();
    const b = B.open({ catalog: items });
    const a = A.open({ catalog: items });
    const before = b.consent().personalization;
    a.setConsent(yes);
    view(a, 'p0');
    await sleep(300);
    const r = { before, after: b.consent().personalization, viewed: viewed(b), track: view(b, 'p1') };
    await sleep(300);
    r.aViewed = viewed(a);
    a.free();
    b.free();
    return r;
  });
  assert.equal(out.before, false);
  // Found: false, [], {accepted: false, reason: 'no_consent'}.
  assert.deepEqual({ after: out.after, viewed: out.viewed, track: out.track }, { after: true, viewed: ['p0'], track: { accepted: true } });
  await done(tab);
});

test('events copy A tracks (and writes) reach copy B\'s profile and shelves, and copy A\'s export holds what copy B stored', async () => {
  // API.md: "when one writes, the other takes it over at once". Copy B's profile stays without
  // copy A's events until B itself writes, and copy A's exportData() ("everything held", "field
  // for field what the profile record holds") lacks the events copy B stored.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const a = A.open({ catalog: items, consent: yes });
    const b = B.open({ catalog: items });
    view(a, 'p0'); // the first event is written at once
    await sleep(300);
    const r = { bViewed: viewed(b), bShelf: b.recommend({ scenario: 'recently_viewed' }).map((x) => x.itemId) };
    view(b, 'p1');
    view(b, 'p2');
    await sleep(400); // both written
    const e = a.exportData();
    r.aExportViews = e.profile.counts.view;
    r.aExportRecent = e.profile.recentlyViewed.map((x) => x.value);
    a.free();
    b.free();
    return r;
  });
  // Found: [], [], 1, [p0].
  assert.deepEqual(out, { bViewed: ['p0'], bShelf: ['p0'], aExportViews: 3, aExportRecent: ['p2', 'p1', 'p0'] });
  await done(tab);
});

test('after copy A\'s erase() and a new yes, copy B shows and exports nothing of the erased profile', async () => {
  // The shopper erases, then answers the banner again (copy A writes the new records at once).
  // Copy B's next write does drop its copy of before (guard below), but until then its shelves
  // and its export show the erased view: the records were written again, so the clearing
  // detection does not fire, and no telling reaches B.
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const a = A.open({ catalog: items, consent: yes });
    const b = B.open({ catalog: items });
    view(b, 'p1');
    await sleep(300);
    a.erase();
    a.setConsent(yes);
    view(a, 'p9');
    await sleep(300);
    const r = {
      viewed: viewed(b),
      shelf: b.recommend({ scenario: 'recently_viewed' }).map((x) => x.itemId),
      exported: b.exportData().profile?.recentlyViewed.map((x) => x.value) ?? [],
    };
    a.free();
    b.free();
    return r;
  });
  // Found: [p1], [p1], [p1].
  assert.deepEqual(out, { viewed: ['p9'], shelf: ['p9'], exported: ['p9'] });
  await done(tab);
});

test('hot module reload: an instance of the old module copy writes no profile after the new copy\'s refusal', async () => {
  // A dev server re-imports the module (a fresh copy, `?t=…`) and the component opens a new
  // instance while the old one lives on (its cleanup not run, or the old module's listeners kept).
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const old = A.open({ catalog: items, consent: yes });
    view(old, 'p1');
    view(old, 'p3'); // waits for the old instance's timer
    const fresh = await import('/copy-a/vitrine.js?t=2');
    await fresh.default();
    const v = fresh.Vitrine.open({ catalog: items });
    v.setConsent(no);
    const r = { right: keys() };
    await sleep(400);
    r.later = keys();
    r.oldConsent = old.consent().personalization;
    old.free();
    r.afterFree = keys();
    v.free();
    return r;
  });
  assert.deepEqual(out.right, ['vitrine:consent']);
  // Found: later and afterFree [consent, profile], oldConsent true.
  assert.deepEqual({ later: out.later, afterFree: out.afterFree, oldConsent: out.oldConsent }, { later: ['vitrine:consent'], afterFree: ['vitrine:consent'], oldConsent: false });
  await done(tab);
});

// ---------------------------------------------------------------------------------------------
// Guards (hold)
// ---------------------------------------------------------------------------------------------

test('guard: copy A\'s erase() or full refusal (both records removed) is followed by copy B: nothing written back', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    const r = {};
    for (const how of ['erase', 'refusal']) {
      localStorage.clear();
      const a = A.open({ catalog: items, consent: yes });
      const b = B.open({ catalog: items });
      view(b, 'p1');
      view(b, 'p2'); // waits for B's timer
      if (how === 'erase') a.erase();
      else a.setConsent({ personalization: false });
      await sleep(400); // B's timer ran
      r[how] = { afterTimer: keys(), consent: b.consent().personalization, profile: b.profile(), track: view(b, 'p3') };
      await sleep(300);
      b.free();
      r[how].end = keys();
      a.free();
    }
    return r;
  });
  for (const how of ['erase', 'refusal']) {
    assert.deepEqual(out[how], { afterTimer: [], consent: false, profile: null, track: { accepted: false, reason: 'no_consent' }, end: [] }, how);
  }
  await done(tab);
});

test('guard: events tracked by both copies are stored once each (no loss, no double count)', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const a = A.open({ catalog: items, consent: yes });
    const b = B.open({ catalog: items });
    for (let i = 0; i < 20; i += 1) {
      view(i % 2 ? b : a, `p${i}`);
      if (i % 3 === 0) await sleep(60);
    }
    await sleep(400);
    a.free();
    b.free();
    const c = A.open({ catalog: items });
    const e = c.exportData().profile;
    c.free();
    return { views: e.counts.view, items: e.items.map((x) => x.views) };
  });
  assert.equal(out.views, 20);
  assert.deepEqual(out.items, Array(20).fill(1));
  await done(tab);
});

test('guard: after copy A\'s erase() and a new yes, copy B\'s next write does not bring its erased event back', async () => {
  const tab = await blank();
  const out = await tab.page.evaluate(async () => {
    localStorage.clear();
    const a = A.open({ catalog: items, consent: yes });
    const b = B.open({ catalog: items });
    view(b, 'p1');
    await sleep(300);
    a.erase();
    a.setConsent(yes);
    view(a, 'p9');
    await sleep(300);
    view(b, 'p2');
    await sleep(300);
    a.free();
    b.free();
    const c = A.open({ catalog: items });
    const stored = viewed(c);
    c.free();
    return { stored, raw: rawProfile().includes('p1') };
  });
  assert.deepEqual(out, { stored: ['p2', 'p9'], raw: false });
  await done(tab);
});

test('guard: the same refusal and yes reach another instance of one copy, and another tab running the other copy', async () => {
  const tab = await blank();
  const other = await blank(tab.context); // a second tab of the same browser profile
  const same = await tab.page.evaluate(async () => {
    localStorage.clear();
    const a = A.open({ catalog: items, consent: yes });
    const a2 = A.open({ catalog: items });
    view(a2, 'p1');
    await sleep(300);
    a.setConsent(no);
    const r = { consent: a2.consent().personalization, profile: a2.profile(), track: view(a2, 'p2') };
    await sleep(300);
    r.keys = keys();
    a.setConsent(yes);
    r.yes = a2.consent().personalization;
    a.free();
    a2.free();
    return r;
  });
  assert.deepEqual(same, { consent: false, profile: null, track: { accepted: false, reason: 'no_consent' }, keys: ['vitrine:consent'], yes: true });

  await tab.page.evaluate(() => { localStorage.clear(); window.a = A.open({ catalog: items, consent: yes }); });
  await other.page.evaluate(async () => { window.b = B.open({ catalog: items }); view(b, 'p1'); await sleep(300); });
  await tab.page.evaluate(() => a.setConsent(no));
  const refused = await other.page.evaluate(async () => {
    await sleep(200);
    const r = { consent: b.consent().personalization, profile: b.profile(), track: view(b, 'p2') };
    await sleep(300);
    r.keys = keys();
    return r;
  });
  assert.deepEqual(refused, { consent: false, profile: null, track: { accepted: false, reason: 'no_consent' }, keys: ['vitrine:consent'] });
  await tab.page.evaluate(() => { a.setConsent(yes); view(a, 'p0'); });
  const yes = await other.page.evaluate(async () => {
    await sleep(200);
    const r = { consent: b.consent().personalization, viewed: viewed(b) };
    b.free();
    return r;
  });
  assert.deepEqual(yes, { consent: true, viewed: ['p0'] });
  await tab.page.evaluate(() => a.free());
  await other.page.close();
  await done(tab);
});
