// Time as real event streams carry it: the timestamps a storefront's stack already emits (epoch
// ms, Dates, ISO 8601 from Segment, Shopify and BigQuery, and the units people get wrong: epoch
// seconds, GA4's microseconds), fed live through `track` and as back-fill through
// `importHistory`; events out of order, duplicated, expired or dated ahead; decay over long
// gaps; the device's clock jumping; the consent's age; and the times vitrine reports back.
//
// vitrine reads the time only through `Date.now()` (its JS glue calls it at every call), so
// these tests set the clock by replacing `Date.now` in this process. Data are generated here,
// from fixed seeds. Seven tests show defects the audit found (each failed on the build it was
// found on): six fixed since, one left (marked `todo`).
import test from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import vitrine, { mulberry32 } from './load.mjs';

const { Vitrine } = vitrine;

const realNow = Date.now;
let clock = null;
Date.now = () => (clock === null ? realNow() : clock);
/** Sets the device's clock (ms since the epoch). */
const setClock = (t) => {
  clock = t;
};

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** A fixed "now" for the tests: Friday 20 November 2026, 12:00 UTC. */
const T0 = Date.UTC(2026, 10, 20, 12);

const catalog = Array.from({ length: 40 }, (_, i) => ({
  id: `sku-${i}`,
  category: ['Candles', 'Mugs', 'Throws', 'Lamps', 'Tea'][i % 5],
  brand: `Brand ${i % 3}`,
  price: 8 + i,
}));

function open(policy, extra = {}) {
  return Vitrine.open({
    catalog,
    consent: { personalization: true, storage: true },
    storage: 'memory',
    policy,
    ...extra,
  });
}

/** When vitrine has the item last touched (`exportData().profile.items[].updatedAt`). */
function touched(v, id) {
  return v.exportData().profile.items.find((i) => i.itemId === id)?.updatedAt;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 text of the instant `t` as seen at an offset of `offMin` minutes, in the given form. */
function isoAt(t, offMin, { sep = 'T', seconds = true, frac = 3, zone }) {
  const d = new Date(t + offMin * MIN);
  let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${sep}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (seconds) {
    s += `:${pad(d.getUTCSeconds())}`;
    if (frac > 0) s += `.${(pad(d.getUTCMilliseconds(), 3) + '864209').slice(0, frac)}`;
  }
  return s + zone;
}

// ---------------------------------------------------------------------------------------------
// Timestamp forms

test('the timestamp forms a storefront stack emits are read to the millisecond', () => {
  setClock(T0);
  const t = T0 - 2 * DAY - 3 * HOUR - 17 * MIN - 5_123; // 2026-11-18T08:42:54.877Z
  const forms = {
    'epoch ms': t,
    'epoch ms with a fraction (performance.timeOrigin + now())': t + 0.25,
    Date: new Date(t),
    'a Date subclass': new (class extends Date {})(t),
    'Date#toISOString (Segment, Shopify Web Pixels)': new Date(t).toISOString(),
    '+05:30': isoAt(t, 330, { zone: '+05:30' }),
    '+0545 (Nepal)': isoAt(t, 345, { zone: '+0545' }),
    '-0800': isoAt(t, -480, { zone: '-0800' }),
    '-09:30': isoAt(t, -570, { zone: '-09:30' }),
    '+14': isoAt(t, 840, { zone: '+14' }),
    '-12:00': isoAt(t, -720, { zone: '-12:00' }),
    'Shopify Admin export, space and offset': isoAt(t, -300, { sep: ' ', zone: ' -0500' }),
    'BigQuery TIMESTAMP text, microseconds and UTC': isoAt(t, 0, { sep: ' ', frac: 6, zone: ' UTC' }),
    'nanoseconds (Go, protobuf JSON)': isoAt(t, 0, { frac: 9, zone: 'Z' }),
    GMT: isoAt(t, 0, { sep: ' ', zone: ' GMT' }),
    'lower-case t and z': isoAt(t, 0, { sep: 't', zone: 'z' }),
    'white space around it': `  ${new Date(t).toISOString()}\n`,
  };
  for (const [name, ts] of Object.entries(forms)) {
    const v = open();
    assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: ts }), { accepted: true }, name);
    const expected = name.startsWith('epoch ms with') ? t + 0.25 : t;
    assert.equal(touched(v, 'sku-1'), expected, name);
    v.free();
  }
  // Less precise text is read as far as it goes: minutes only, tenths of a second, a date alone
  // (midnight UTC, as ECMAScript reads it; API.md).
  const v = open();
  const cases = [
    [isoAt(t, 60, { seconds: false, zone: '+01:00' }), t - 54_877],
    [isoAt(t, 0, { frac: 1, zone: 'Z' }), t - 77],
    [new Date(t).toISOString().slice(0, 10), Date.UTC(2026, 10, 18)],
  ];
  cases.forEach(([ts, ms], i) => {
    assert.deepEqual(v.track('Product Viewed', { product_id: `sku-${10 + i}` }, { timestamp: ts }), { accepted: true }, ts);
    assert.equal(touched(v, `sku-${10 + i}`), ms, ts);
  });
  v.free();
  setClock(null);
});

test('seeded ISO 8601 texts in every documented form read as the instant they name', () => {
  setClock(T0);
  const rand = mulberry32(20261120);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const offsets = [-720, -600, -570, -480, -420, -300, -240, -210, -180, 0, 0, 60, 120, 180, 270, 330, 345, 480, 525, 540, 570, 600, 720, 765, 780, 840];
  let checked = 0;
  for (let batch = 0; batch < 3; batch++) {
    const v = open({ retentionDays: 30 });
    const want = new Map();
    for (let i = 0; i < 100; i++) {
      const t = T0 - Math.floor(rand() * 25 * DAY);
      const off = pick(offsets);
      const seconds = rand() < 0.85;
      const frac = seconds ? pick([0, 1, 2, 3, 3, 4, 6, 9]) : 0;
      const hm = `${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
      const sign = off < 0 ? '-' : '+';
      const zones = off === 0
        ? ['Z', 'z', '+00:00', '+0000', '+00', ' UTC', ' GMT', ' Z', '-00:00']
        : [`${sign}${hm.slice(0, 2)}:${hm.slice(2)}`, `${sign}${hm}`, ` ${sign}${hm}`, ...(off % 60 === 0 ? [`${sign}${hm.slice(0, 2)}`] : [])];
      const text = isoAt(t, off, { sep: pick(['T', 'T', ' ', 't']), seconds, frac, zone: pick(zones) });
      const ms = new Date(t).getUTCMilliseconds();
      const expected = !seconds
        ? t - (new Date(t).getUTCSeconds() * 1000 + ms)
        : t - ms + (frac >= 3 ? ms : Math.floor(ms / 10 ** (3 - frac)) * 10 ** (3 - frac));
      const id = `x-${batch}-${i}`;
      assert.deepEqual(v.track('Product Viewed', { product_id: id }, { timestamp: text }), { accepted: true }, text);
      want.set(id, [text, expected]);
    }
    for (const item of v.exportData().profile.items) {
      const [text, expected] = want.get(item.itemId);
      assert.equal(item.updatedAt, expected, text);
      checked++;
    }
    v.free();
  }
  assert.equal(checked, 300);
  setClock(null);
});

test('wall times across the autumn DST changes are read by their offsets, in real-time order', () => {
  setClock(T0);
  const v = open();
  // Paris leaves summer time on 25 October 2026 at 03:00 CEST; New York on 1 November at 02:00
  // EDT. The wall-clock hour repeats; the offset tells the two apart.
  const events = [
    ['sku-1', '2026-10-25T02:30:00+02:00', Date.UTC(2026, 9, 25, 0, 30)],
    ['sku-2', '2026-10-25T02:30:00+01:00', Date.UTC(2026, 9, 25, 1, 30)],
    ['sku-3', '2026-11-01T01:30:00-04:00', Date.UTC(2026, 10, 1, 5, 30)],
    ['sku-4', '2026-11-01 01:30:00 -0500', Date.UTC(2026, 10, 1, 6, 30)],
    ['sku-5', '2026-03-29T03:30:00+02:00', null], // spring, older than retention
  ];
  for (const [id, ts, ms] of [...events].reverse()) {
    const r = v.track('Product Viewed', { product_id: id }, { timestamp: ts });
    assert.deepEqual(r, ms === null ? { accepted: false, reason: 'expired' } : { accepted: true }, ts);
    if (ms !== null) assert.equal(touched(v, id), ms, ts);
  }
  assert.deepEqual(v.recommend({ scenario: 'recently_viewed' }).map((r) => r.itemId), ['sku-4', 'sku-3', 'sku-2', 'sku-1']);
  v.free();
  setClock(null);
});

test('timestamps that name no time are refused as invalid_timestamp and change nothing', () => {
  setClock(T0);
  const t = T0 - HOUR;
  const notTimes = {
    'ISO without a zone (WooCommerce date_created_gmt, BigQuery DATETIME)': new Date(t).toISOString().slice(0, -1),
    'ISO without a zone, space': new Date(t).toISOString().slice(0, 19).replace('T', ' '),
    'epoch ms as text': String(t),
    'GA4 event_timestamp as text (BigQuery JSON)': String(t * 1000),
    'RFC 2822 (Date#toUTCString, HTTP)': new Date(t).toUTCString(),
    'Date#toString': String(new Date(t)),
    'compact ISO': '20261120T110000Z',
    'an extended year': '+002026-11-20T11:00:00Z',
    'a day that does not exist': '2026-02-29T10:00:00Z',
    'a leap second': '2016-12-31T23:59:60Z',
    'a zone name': '2026-11-20T11:00:00 CET',
    'empty text': '',
    'spaces': '   ',
    'an invalid Date': new Date('soon'),
    NaN: NaN,
    Infinity: Infinity,
    '-Infinity': -Infinity,
    negative: -1,
    BigInt: BigInt(t),
    'a Firestore Timestamp': { seconds: Math.floor(t / 1000), nanoseconds: 0 },
    'an array': [t],
    'a boolean': true,
  };
  const v = open();
  v.track('Product Viewed', { product_id: 'sku-0' });
  const before = JSON.stringify(v.exportData().profile);
  for (const [name, ts] of Object.entries(notTimes)) {
    assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: ts }), { accepted: false, reason: 'invalid_timestamp' }, name);
  }
  assert.equal(JSON.stringify(v.exportData().profile), before);
  const records = Object.values(notTimes).map((ts, i) => ({ order_id: `N-${i}`, timestamp: ts, products: [{ product_id: 'sku-2' }] }));
  records.push({ order_id: 'N-none', products: [{ product_id: 'sku-2' }] }, { order_id: 'N-null', timestamp: null, products: [{ product_id: 'sku-2' }] });
  const out = v.importHistory(records);
  assert.equal(out.imported, 0);
  assert.deepEqual(out.refused, records.map((_, index) => ({ index, reason: 'invalid_timestamp' })));
  assert.equal(JSON.stringify(v.exportData().profile), before);
  v.free();
  setClock(null);
});

test('an absent or null timestamp on track means now', () => {
  setClock(T0);
  const v = open();
  v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: undefined });
  v.track('Product Viewed', { product_id: 'sku-2' }, { timestamp: null });
  v.track('Product Viewed', { product_id: 'sku-3' }, { channel: 'email' });
  for (const id of ['sku-1', 'sku-2', 'sku-3']) assert.equal(touched(v, id), T0, id);
  v.free();
  setClock(null);
});

test('epoch seconds (and 0) are refused as expired, never kept as 1970 or as now', () => {
  // API.md: a number is ms since the epoch; seconds read as ms are January 1970, older than any
  // retention (at most 730 days). Refused, so the caller sees it; `expired` does not say
  // "wrong unit", but nothing is silently kept.
  setClock(T0);
  for (const retentionDays of [30, 730]) {
    const v = open({ retentionDays });
    const seconds = Math.floor((T0 - HOUR) / 1000);
    for (const ts of [seconds, seconds + 0.5, 0, -0]) {
      assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: ts }), { accepted: false, reason: 'expired' }, String(ts));
    }
    const out = v.importHistory([
      { order_id: 'S-1', timestamp: seconds, products: [{ product_id: 'sku-1' }] },
      { order_id: 'S-2', timestamp: Math.floor((T0 - 3 * DAY) / 1000), products: [{ product_id: 'sku-2' }] },
    ]);
    assert.deepEqual(out, { imported: 0, duplicates: 0, refused: [{ index: 0, reason: 'expired' }, { index: 1, reason: 'expired' }] });
    assert.equal(v.profile().events, 0);
    v.free();
  }
  setClock(null);
});

test('a GA4 event_timestamp in microseconds given to track is not silently dated now', () => {
  setClock(T0);
  const truth = T0 - 2 * DAY;
  for (const [unit, ts] of [['µs', truth * 1000], ['ns', truth * 1e6]]) {
    const v = open();
    const r = v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: ts });
    // Refused, or read in its unit; never taken for an event of now.
    if (r.accepted) assert.equal(touched(v, 'sku-1'), truth, `${unit}: accepted and dated ${new Date(touched(v, 'sku-1')).toISOString()}`);
    else assert.equal(r.reason, 'invalid_timestamp', unit);
    v.free();
  }
  setClock(null);
});

test('importHistory of GA4 orders in microseconds neither keeps expired orders nor dates them now', () => {
  setClock(T0);
  const v = open({ retentionDays: 30 });
  // A BigQuery export of GA4 `purchase` events, event_timestamp read as a number.
  const rows = [
    { transaction_id: 'T-recent', event_timestamp: (T0 - 2 * DAY) * 1000, items: [{ item_id: 'sku-1' }] },
    { transaction_id: 'T-old', event_timestamp: (T0 - 400 * DAY) * 1000, items: [{ item_id: 'sku-2' }] },
  ];
  const out = v.importHistory(rows.map(({ event_timestamp, ...order }) => ({ ...order, timestamp: event_timestamp })));
  const p = v.exportData().profile;
  // The 400-day-old order is past retentionDays: whatever the unit, it must not be kept.
  assert.ok(!p.purchases.some((b) => b.itemId === 'sku-2'), `kept a 400-day-old order: ${JSON.stringify(out)} ${JSON.stringify(p.purchases)}`);
  // The recent one is refused, or kept with its own date, never as an order of now.
  for (const b of p.purchases) assert.equal(b.lastAt, T0 - 2 * DAY, `${b.itemId} dated ${new Date(b.lastAt).toISOString()}`);
  v.free();
  setClock(null);
});

test('a Date made in another realm (an iframe, a vm context) is read as a Date', () => {
  setClock(T0);
  const OtherDate = vm.runInNewContext('Date');
  const t = T0 - HOUR;
  const v = open();
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: new OtherDate(t) }), { accepted: true });
  assert.equal(touched(v, 'sku-1'), t);
  assert.deepEqual(v.importHistory([{ order_id: 'R-1', timestamp: new OtherDate(t), products: [{ product_id: 'sku-2' }] }]).imported, 1);
  v.free();
  setClock(null);
});

// ---------------------------------------------------------------------------------------------
// Order, duplicates, expiry and the future

/** What an import leaves, in a form that does not depend on the order it was folded in. */
function summary(v) {
  const p = v.exportData().profile;
  const round = (x) => Math.round(x * 1000) / 1000;
  return {
    counts: p.counts,
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
    purchases: p.purchases.map((b) => [b.itemId, b.count, b.quantity, b.firstAt, b.lastAt]).sort(),
    orders: p.orders.map((o) => [o.fingerprint, o.at]).sort(),
    categories: p.categories.map((c) => [c.name, round(c.weight), c.updatedAt]).sort(),
    items: p.items.map((i) => [i.itemId, round(i.weight), i.updatedAt]).sort(),
    buyAgain: v.recommend({ scenario: 'buy_again', k: 20 }).map((r) => r.itemId),
  };
}

test('importHistory: the order of the records and how they are split into calls change nothing', () => {
  setClock(T0);
  const rand = mulberry32(7);
  const forms = [(t) => t, (t) => new Date(t), (t) => new Date(t).toISOString(), (t) => isoAt(t, 330, { zone: '+05:30' })];
  const orders = Array.from({ length: 60 }, (_, i) => {
    const t = T0 - Math.floor(rand() * 300 * DAY);
    return { order_id: `POS-${i}`, timestamp: forms[i % forms.length](t), channel: 'in_store',
      products: [{ product_id: `sku-${Math.floor(rand() * 12)}`, quantity: 1 + Math.floor(rand() * 3) }] };
  });
  const policy = { retentionDays: 365, halfLifeDays: 30 };
  const a = open(policy);
  assert.deepEqual(a.importHistory(orders), { imported: 60, duplicates: 0, refused: [] });
  const want = summary(a);
  for (let round = 0; round < 3; round++) {
    const shuffled = [...orders].sort(() => rand() - 0.5);
    const cut = 1 + Math.floor(rand() * 58);
    const b = open(policy);
    const first = b.importHistory(shuffled.slice(0, cut));
    const second = b.importHistory([...shuffled.slice(cut), ...shuffled.slice(0, 5)]);
    assert.equal(first.imported + second.imported, 60);
    assert.equal(second.duplicates, 5);
    assert.deepEqual(summary(b), want, `round ${round}`);
    b.free();
  }
  a.free();
  setClock(null);
});

test('importHistory: one order in another time form, or seen live, is a duplicate; expiry is exact at retentionDays', () => {
  setClock(T0);
  const v = open({ retentionDays: 30 });
  const t = T0 - 3 * DAY;
  const order = { order_id: 'POS-1042', products: [{ product_id: 'sku-3', quantity: 2 }] };
  assert.deepEqual(v.track('Order Completed', order, { timestamp: t }), { accepted: true });
  const out = v.importHistory([
    { ...order, timestamp: new Date(t).toISOString() },
    { ...order, timestamp: new Date(t - 5 * MIN) },  // the shop's time for it, a few minutes off
    { ...order, timestamp: isoAt(t, -480, { zone: '-08:00' }) },
    { order_id: 'edge', timestamp: T0 - 30 * DAY, products: [{ product_id: 'sku-4' }] },
    { order_id: 'past', timestamp: T0 - 30 * DAY - 1, products: [{ product_id: 'sku-5' }] },
  ]);
  assert.deepEqual(out, { imported: 1, duplicates: 3, refused: [{ index: 4, reason: 'expired' }] });
  assert.deepEqual(v.exportData().profile.purchases.map((b) => [b.itemId, b.count, b.quantity]).sort(), [['sku-3', 1, 2], ['sku-4', 1, 1]]);
  // The order at the very edge of retention goes at the first call a millisecond later.
  setClock(T0 + 1);
  assert.deepEqual(v.exportData().profile.purchases.map((b) => b.itemId), ['sku-3']);
  assert.ok(v.audit().history.some((h) => h.type === 'prune' && h.at === T0 + 1));
  v.free();
  setClock(null);
});

test('events dated ahead of the device clock are dated now (API.md: at most the time tracked)', () => {
  setClock(T0);
  const v = open();
  // A server stamp a few minutes ahead of a slow device clock; a POS writing local time as Z.
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: T0 + 4 * MIN }), { accepted: true });
  assert.deepEqual(v.importHistory([{ order_id: 'AHEAD', timestamp: new Date(T0 + 10 * HOUR).toISOString(), products: [{ product_id: 'sku-2' }] }]).imported, 1);
  const p = v.exportData().profile;
  assert.equal(touched(v, 'sku-1'), T0);
  assert.equal(p.purchases[0].lastAt, T0);
  assert.equal(p.lastSeen, T0);
  v.free();
  setClock(null);
});

test('late events land in time order: recently viewed, firstSeen/lastSeen, updatedAt', () => {
  setClock(T0);
  const v = open();
  for (let i = 0; i < 20; i++) v.track('Product Viewed', { product_id: `sku-${i}` }, { timestamp: T0 - (20 - i) * MIN });
  // A view replayed from a queue, a day old: older than the 20 held, it takes no one's place.
  v.track('Product Viewed', { product_id: 'sku-30' }, { timestamp: T0 - DAY });
  // One of 10 minutes ago goes in its place in time.
  v.track('Product Viewed', { product_id: 'sku-31' }, { timestamp: T0 - 10 * MIN - 30_000 });
  const recent = v.exportData().profile.recentlyViewed;
  assert.equal(recent.length, 20);
  assert.ok(!recent.some((r) => r.value === 'sku-30'));
  assert.equal(recent.findIndex((r) => r.value === 'sku-31'), 10);
  for (let i = 1; i < recent.length; i++) assert.ok(recent[i - 1].at >= recent[i].at);
  // A late view of an item touched now adds to its weight, decayed, and leaves updatedAt at now.
  v.track('Product Viewed', { product_id: 'sku-19' }, { timestamp: T0 - 14 * DAY });
  const item = v.exportData().profile.items.find((i) => i.itemId === 'sku-19');
  assert.equal(item.updatedAt, T0 - MIN);
  assert.ok(Math.abs(item.weight - (1 + 2 ** (-(14 * DAY - MIN) / (14 * DAY)))) < 1e-4, String(item.weight));
  const p = v.profile();
  assert.equal(p.firstSeen, T0 - 14 * DAY);
  assert.equal(p.lastSeen, T0 - MIN);
  v.free();
  setClock(null);
});

test('a back-dated search is not held as the most recent, nor pushes a newer one out of the 8 kept', () => {
  setClock(T0);
  const v = open();
  for (let i = 0; i < 8; i++) v.track('Products Searched', { query: `query ${i}` }, { timestamp: T0 - (8 - i) * MIN });
  v.track('Products Searched', { query: 'from yesterday' }, { timestamp: T0 - DAY });
  const searches = v.exportData().profile.searches;
  assert.deepEqual(searches.map((s) => s.value), Array.from({ length: 8 }, (_, i) => `query ${7 - i}`));
  v.free();
  setClock(null);
});

test('a back-dated cart removal does not push a current one out, and cart_hesitation stays', () => {
  setClock(T0 - 20 * MIN);
  const v = open();
  // The same mug in and out twice, six other items in and out, all in the last 20 minutes.
  for (let k = 0; k < 2; k++) {
    v.track('Product Added', { product_id: 'sku-1' });
    setClock(Date.now() + MIN);
    v.track('Product Removed', { product_id: 'sku-1' });
    setClock(Date.now() + MIN);
  }
  for (let i = 2; i < 8; i++) {
    v.track('Product Added', { product_id: `sku-${i}` });
    v.track('Product Removed', { product_id: `sku-${i}` });
    setClock(Date.now() + MIN);
  }
  setClock(T0);
  assert.deepEqual(v.assistance(), { suggestHuman: true, reasons: ['cart_hesitation'] });
  // The page replays a queued pair from an hour ago.
  v.track('Product Added', { product_id: 'sku-9' }, { timestamp: T0 - 2 * HOUR });
  v.track('Product Removed', { product_id: 'sku-9' }, { timestamp: T0 - HOUR });
  const removals = v.exportData().profile.cartRemovals;
  assert.deepEqual(v.assistance(), { suggestHuman: true, reasons: ['cart_hesitation'] }, JSON.stringify(removals));
  assert.equal(removals.filter((r) => r.value === 'sku-1').length, 2, JSON.stringify(removals));
  for (let i = 1; i < removals.length; i++) assert.ok(removals[i - 1].at >= removals[i].at, JSON.stringify(removals));
  v.free();
  setClock(null);
});

// ---------------------------------------------------------------------------------------------
// Decay and retention over long gaps

test('decay: every weight is the sum of its events halved per half-life, whatever their arrival order', () => {
  const rand = mulberry32(42);
  for (const halfLifeDays of [0.5, 3, 14, 90]) {
    setClock(T0);
    const v = open({ halfLifeDays, retentionDays: 365 });
    const events = Array.from({ length: 60 }, () => ({ id: `sku-${Math.floor(rand() * 6)}`, t: T0 - Math.floor(rand() * 60 * DAY) }));
    for (const e of events) v.track('Product Viewed', { product_id: e.id }, { timestamp: e.t });
    const expectAt = (now) => {
      const w = new Map();
      for (const e of events) w.set(e.id, (w.get(e.id) ?? 0) + 2 ** (-(now - e.t) / (halfLifeDays * DAY)));
      return w;
    };
    // Now, a month later and half a year later (a profile resumed after months).
    for (const later of [0, 30 * DAY, 180 * DAY]) {
      setClock(T0 + later);
      const want = expectAt(T0 + later);
      const items = v.exportData().profile.items;
      assert.equal(items.length, want.size);
      for (const item of items) {
        const w = want.get(item.itemId);
        assert.ok(Math.abs(item.weight - w) <= 1e-4 + 1e-6 * w, `h=${halfLifeDays} +${later / DAY}d ${item.itemId}: ${item.weight} vs ${w}`);
        assert.equal(item.updatedAt, Math.max(...events.filter((e) => e.id === item.itemId).map((e) => e.t)));
      }
    }
    v.free();
  }
  setClock(null);
});

test('a page left open past retention prunes at its next call, keeping what was touched since', () => {
  setClock(T0);
  const v = open({ retentionDays: 30, halfLifeDays: 14 });
  v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: T0 - 25 * DAY });
  v.track('Product Viewed', { product_id: 'sku-2' }, { timestamp: T0 - 25 * DAY });
  v.track('Product Viewed', { product_id: 'sku-2' }, { timestamp: T0 - 2 * DAY });
  v.track('Products Searched', { query: 'amber' }, { timestamp: T0 - 26 * DAY });
  setClock(T0 + 10 * DAY);
  const p = v.exportData().profile;
  assert.deepEqual(p.items.map((i) => i.itemId), ['sku-2']);
  // sku-2's weight still carries its older view (decayed), as PRIVACY.md says.
  const w = 2 ** (-35 / 14) + 2 ** (-12 / 14);
  assert.ok(Math.abs(p.items[0].weight - w) < 1e-4);
  assert.deepEqual(p.searches, []);
  assert.equal(p.firstSeen, T0 - 2 * DAY, 'the first event time moves up to the oldest signal kept');
  assert.equal(v.audit().profile.oldest, T0 - 2 * DAY);
  assert.ok(v.audit().history.some((h) => h.type === 'prune' && h.at === T0 + 10 * DAY && h.signals > 0));
  // An event reported now with last month's date is refused, not kept to be pruned.
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-3' }, { timestamp: T0 - 21 * DAY }), { accepted: false, reason: 'expired' });
  v.free();
  setClock(null);
});

/** A window with `localStorage` in this process, so that profiles persist between opens. */
function withWindow(fn) {
  const proto = Object.getPrototypeOf(globalThis);
  class Window {}
  Object.setPrototypeOf(Window.prototype, proto);
  const store = new Map();
  const saved = {};
  const globals = {
    Window,
    localStorage: {
      getItem: (k) => (store.has(k) ? store.get(k) : null),
      setItem: (k, v) => void store.set(k, String(v)),
      removeItem: (k) => void store.delete(k),
      key: (i) => [...store.keys()][i] ?? null,
      get length() { return store.size; },
      clear: () => store.clear(),
    },
    addEventListener: () => {},
    removeEventListener: () => {},
  };
  for (const k of Object.keys(globals)) saved[k] = Object.getOwnPropertyDescriptor(globalThis, k);
  Object.assign(globalThis, globals);
  Object.setPrototypeOf(globalThis, Window.prototype);
  try {
    return fn(store);
  } finally {
    Object.setPrototypeOf(globalThis, proto);
    for (const [k, d] of Object.entries(saved)) {
      if (d) Object.defineProperty(globalThis, k, d);
      else delete globalThis[k];
    }
  }
}

test('a profile resumed after months: open prunes what is past retention, decays the rest, and a lapsed decision still prunes', () => {
  withWindow((store) => {
    const policy = { retentionDays: 120, halfLifeDays: 14 };
    setClock(T0);
    let v = Vitrine.open({ catalog, consent: { personalization: true, storage: true }, policy });
    assert.equal(v.audit().storage.backend, 'local');
    v.track('Product Viewed', { product_id: 'sku-1' });
    v.track('Product Viewed', { product_id: 'sku-2' }, { timestamp: T0 - 60 * DAY });
    v.free();
    // Three months later, the shopper comes back.
    setClock(T0 + 90 * DAY);
    v = Vitrine.open({ catalog, policy });
    assert.equal(v.consent().source, 'stored');
    let p = v.exportData().profile;
    assert.deepEqual(p.items.map((i) => i.itemId), ['sku-1']);
    assert.ok(Math.abs(p.items[0].weight - 2 ** (-90 / 14)) < 1e-4);
    assert.ok(v.audit().history.some((h) => h.type === 'prune' && h.at === T0 + 90 * DAY));
    v.track('Product Viewed', { product_id: 'sku-3' });
    v.free();
    // 400 days after the decision (past consentMaxAgeDays 395): asked again, and the stored
    // profile, past retention, is deleted at open (PRIVACY.md), nothing of it shown.
    setClock(T0 + 400 * DAY);
    v = Vitrine.open({ catalog, policy });
    assert.equal(v.consent().source, 'default');
    assert.equal(v.profile(), null);
    assert.ok(!store.has('vitrine:profile'), [...store.keys()].join());
    assert.ok(store.has('vitrine:consent'));
    v.free();
  });
  setClock(null);
});

// ---------------------------------------------------------------------------------------------
// The device's clock

test('the clock put back: later events still count as the latest (cart, purchase, survey, recently viewed)', () => {
  for (const back of [MIN, HOUR, DAY]) {
    setClock(T0);
    const v = open();
    v.track('Product Viewed', { product_id: 'sku-1' });
    v.track('Product Added', { product_id: 'sku-1' });
    v.track('Product Added', { product_id: 'sku-2' });
    v.track('Checkout Started', { products: [{ product_id: 'sku-2' }] });
    v.track('Survey Answered', { score: 2 });
    setClock(T0 - back);
    v.track('Product Viewed', { product_id: 'sku-3' });
    v.track('Product Removed', { product_id: 'sku-1' });
    v.track('Order Completed', { order_id: 'A-1', products: [{ product_id: 'sku-2' }] });
    v.track('Survey Answered', { score: 10 });
    const p = v.exportData().profile;
    assert.deepEqual(p.cart, [], `back ${back}`);
    assert.equal(p.checkoutStartedAt, null);
    assert.equal(p.survey.score, 10);
    assert.deepEqual(v.recommend({ scenario: 'recently_viewed' }).map((r) => r.itemId), ['sku-3', 'sku-1']);
    for (const r of p.recentlyViewed) assert.ok(r.at <= T0 - back);
    assert.ok(v.audit().history.some((h) => h.type === 'clock' && h.ahead === back));
    setClock(T0 - back + 20 * MIN);
    assert.deepEqual(v.assistance(), { suggestHuman: false, reasons: [] });
    v.free();
  }
  setClock(null);
});

test('the clock a year ahead, then right: times come back to now and retention counts from then', () => {
  setClock(T0);
  const v = open({ retentionDays: 30 });
  setClock(T0 + 365 * DAY);
  v.track('Product Viewed', { product_id: 'sku-1' });
  v.importHistory([{ order_id: 'F-1', timestamp: T0 + 364 * DAY, products: [{ product_id: 'sku-2' }] }]);
  setClock(T0);
  v.track('Product Viewed', { product_id: 'sku-3' });
  const p = v.exportData().profile;
  assert.equal(touched(v, 'sku-1'), T0);
  assert.equal(p.purchases[0].lastAt, T0);
  assert.ok(p.orders.every((o) => o.at <= T0));
  assert.equal(p.lastSeen, T0);
  assert.ok(v.audit().history.some((h) => h.type === 'clock' && h.ahead === 365 * DAY));
  // Kept 30 days from the correction, not a year.
  setClock(T0 + 31 * DAY);
  assert.equal(v.profile().signals, 0);
  v.free();
  setClock(null);
});

test('a clock before 2001 (reset to 1970) deletes nothing, and dates events when the profile last changed', () => {
  setClock(T0);
  const v = open();
  v.track('Product Viewed', { product_id: 'sku-1' });
  setClock(0);
  assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-2' }), { accepted: true });
  assert.equal(touched(v, 'sku-2'), T0);
  assert.equal(v.exportData().profile.items.length, 2);
  setClock(T0 + HOUR);
  assert.deepEqual(v.exportData().profile.items.map((i) => i.itemId).sort(), ['sku-1', 'sku-2']);
  v.free();
  setClock(null);
});

test('with the clock reset to 1970, events carrying their true time keep it and survive the clock coming right', () => {
  setClock(0);
  const v = open();
  assert.deepEqual(v.importHistory([
    { order_id: 'K-1', timestamp: T0 - 3 * DAY, products: [{ product_id: 'sku-2' }] },
    { order_id: 'K-2', timestamp: new Date(T0 - 10 * DAY).toISOString(), products: [{ product_id: 'sku-3' }] },
  ]), { imported: 2, duplicates: 0, refused: [] });
  v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: T0 - HOUR });
  // The kiosk's clock is set right again (NTP).
  setClock(T0);
  const p = v.exportData().profile;
  assert.deepEqual(p.purchases.map((b) => [b.itemId, b.lastAt]).sort(), [['sku-2', T0 - 3 * DAY], ['sku-3', T0 - 10 * DAY]]);
  assert.equal(touched(v, 'sku-1'), T0 - HOUR);
  v.free();
  setClock(null);
});

// Left (PRIVACY.md, the device's clock): dating it now in that page let it outrank a refusal
// another tab made before (session::load_consent_audit_tests); the next page to open dates it now.
test('a decision made while the clock ran ahead is dated now once the clock is right, in the page that made it', {
  todo: 'left: the page that made it keeps its date ahead until it closes',
}, () => {
  setClock(T0);
  const v = Vitrine.open({ catalog, storage: 'memory' });
  setClock(T0 + 30 * DAY);
  v.setConsent({ personalization: true, storage: true });
  v.track('Product Viewed', { product_id: 'sku-1' });
  setClock(T0); // corrected
  v.track('Product Viewed', { product_id: 'sku-2' });
  assert.ok(v.audit().history.some((h) => h.type === 'clock'));
  // PRIVACY.md: "a decision dated later than now, made while the clock ran ahead, is dated now".
  assert.ok(v.consent().updatedAt <= Date.now(), `updatedAt ${new Date(v.consent().updatedAt).toISOString()} is after now ${new Date(Date.now()).toISOString()}`);
  setClock(T0 + 396 * DAY);
  assert.equal(v.consent().source, 'default', 'the decision is older than consentMaxAgeDays');
  v.free();
  setClock(null);
});

test('consentMaxAgeDays: a decision exactly that old stands; a millisecond older is asked again', () => {
  for (const consentMaxAgeDays of [undefined, 1, 30]) {
    const days = consentMaxAgeDays ?? 395;
    setClock(T0);
    const v = open(consentMaxAgeDays ? { consentMaxAgeDays } : undefined);
    assert.equal(v.consent().updatedAt, T0);
    setClock(T0 + days * DAY);
    assert.equal(v.consent().source, 'explicit', `${days} days`);
    assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }), { accepted: true });
    setClock(T0 + days * DAY + 1);
    assert.deepEqual(v.consent(), { personalization: false, storage: false, sensitive: false, source: 'default', updatedAt: null });
    assert.deepEqual(v.track('Product Viewed', { product_id: 'sku-1' }), { accepted: false, reason: 'no_consent' });
    assert.ok(v.audit().history.some((h) => h.type === 'ignored' && h.source === 'stored' && h.at === T0 + days * DAY + 1));
    v.free();
  }
  setClock(null);
});

// ---------------------------------------------------------------------------------------------
// The times vitrine reports

test('profile(), exportData(), audit() and consent() report times as ms since the epoch, as given', () => {
  setClock(T0);
  const v = open();
  const t = (k) => T0 - k * MIN;
  v.importHistory([{ order_id: 'E-1', timestamp: new Date(T0 - 2 * DAY).toISOString(), channel: 'in_store', products: [{ product_id: 'sku-5', price: 13 }] }]);
  v.track('Products Searched', { query: 'amber' }, { timestamp: t(50) });
  v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: new Date(t(40)) });
  v.track('Product Added', { product_id: 'sku-1' }, { timestamp: isoAt(t(30), 60, { zone: '+01:00' }) });
  v.track('Product Added', { product_id: 'sku-2' }, { timestamp: t(25) });
  v.track('Product Removed', { product_id: 'sku-2' }, { timestamp: t(20) });
  v.track('Checkout Started', { products: [{ product_id: 'sku-1' }] }, { timestamp: t(10) });
  v.track('Survey Answered', { score: 9 }, { timestamp: t(5) });
  setClock(T0 + 1234);
  const summary = v.profile();
  assert.equal(summary.firstSeen, T0 - 2 * DAY);
  assert.equal(summary.lastSeen, t(5));
  assert.deepEqual(summary.nps, { score: 9, class: 'promoter', at: t(5) });
  const ex = v.exportData();
  const p = ex.profile;
  assert.equal(ex.consent.updatedAt, T0);
  // sku-1: viewed, added, then listed by the checkout, its latest touch.
  assert.equal(p.items.find((i) => i.itemId === 'sku-1').updatedAt, t(10));
  assert.equal(p.categories.find((c) => c.name === 'candles').updatedAt, T0 - 2 * DAY);
  assert.equal(p.channels.find((c) => c.name === 'in_store').updatedAt, T0 - 2 * DAY);
  assert.deepEqual(p.recentlyViewed, [{ value: 'sku-1', at: t(40) }]);
  // The checkout's list replaced the cart (API.md), so its line dates from the checkout.
  assert.deepEqual(p.cart, [{ value: 'sku-1', at: t(10), quantity: 1 }]);
  assert.deepEqual(p.searches, [{ value: 'amber', at: t(50) }]);
  assert.deepEqual(p.cartRemovals, [{ value: 'sku-2', at: t(20) }]);
  assert.equal(p.checkoutStartedAt, t(10));
  assert.deepEqual(p.survey, { score: 9, class: 'promoter', at: t(5) });
  assert.deepEqual(p.purchases.map((b) => [b.firstAt, b.lastAt]), [[T0 - 2 * DAY, T0 - 2 * DAY]]);
  assert.deepEqual(p.orders.map((o) => o.at), [T0 - 2 * DAY]);
  assert.ok(p.priceBands.every((b) => b.updatedAt <= T0 && b.updatedAt >= T0 - 2 * DAY));
  assert.ok(ex.profileBeganAt >= T0 - 2 * DAY && ex.profileBeganAt <= T0 + 1234, String(ex.profileBeganAt));
  for (const w of ex.writers) assert.ok(w.lastWriteAt <= T0 + 1234 && w.lastWriteAt >= T0);
  const a = v.audit();
  assert.equal(a.generatedAt, T0 + 1234);
  assert.equal(a.profile.oldest, T0 - 2 * DAY);
  assert.equal(a.consent.updatedAt, T0);
  assert.ok(a.history.every((h) => Number.isFinite(h.at) && h.at >= T0 && h.at <= T0 + 1234));
  v.free();
  setClock(null);
});
