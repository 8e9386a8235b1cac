// The consent console: a marketer edits up to three policies and sees, live, what each does to the
// same shopper. Every column is a real vitrine instance (`storage: 'memory'`) opened with the
// demo's model and that column's policy, given the shopper's consent the way the chosen signal
// delivers it, then fed her scripted visits with their original timestamps.
import { decodeTcString } from '/pkg/vitrine.js';
import { SDK_DEFAULTS, Vitrine, loadModel, loadVitrine, showFatal } from './lib/site.js';
import { bytes, el } from './lib/dom.js';
import { bars } from './lib/charts.js';
import { CATEGORIES, DURABLE, generateCatalog } from './catalog.js';
import { productSvg } from './images.js';
import { humanReason } from './shop/ui.js';

const DAY = 86_400_000;
const HALF_LIFE_STEPS = [0.5, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 180, 365];
const RETENTION_STEPS = [1, 3, 7, 14, 21, 30, 45, 60, 90, 180, 365, 730];
const LETTERS = ['A', 'B', 'C'];

const PRESETS = [
  { name: 'SDK defaults', banner: { storage: true, ticked: false }, policy: structuredClone(SDK_DEFAULTS) },
  { name: 'Privacy first', banner: { storage: false, ticked: false },
    policy: { halfLifeDays: 7, retentionDays: 21, gpc: 'deny', sensitiveCategories: ['Wellness'], diversity: 0.3, rememberRefusal: true, maxSignalShare: 0.4, detractors: 'gentle', consentMaxAgeDays: 180, tcfPurposes: 'publisher' } },
  { name: 'Long memory', banner: { storage: true, ticked: false },
    policy: { halfLifeDays: 60, retentionDays: 180, gpc: 'ignore', sensitiveCategories: [], diversity: 0.1, rememberRefusal: false, maxSignalShare: 1, detractors: 'same', consentMaxAgeDays: 395, tcfPurposes: 'core' } },
];

/** Maya's visits: what she did, how many days ago, from which channel. Ids are the demo catalog's. */
const STORY = [
  { days: 45, channel: 'instagram', text: 'Arrives from Instagram, browses lamps, buys a lamp and a throw', events: [
    ...['lam-0000', 'lam-0002', 'lam-0005', 'lam-0009', 'lam-0003'].map((id) => ['Product Viewed', { product_id: id }]),
    ['Product Added', { product_id: 'lam-0002' }],
    ['Order Completed', { products: [{ product_id: 'lam-0002' }, { product_id: 'thr-0003' }] }],
  ] },
  { days: 38, text: 'Orders her usual tea', events: [['Order Completed', { products: [{ product_id: 'tea-0000', quantity: 2 }] }]] },
  { days: 26, text: 'Looks at plants, buys one', events: [
    ...['pla-0000', 'pla-0004', 'pla-0001', 'pla-0006'].map((id) => ['Product Viewed', { product_id: id }]),
    ['Order Completed', { products: [{ product_id: 'pla-0004' }] }],
  ] },
  { days: 16, text: 'Browses sleep and wellness products, buys a sleep balm', events: [
    ...['wel-0001', 'wel-0003', 'wel-0006', 'wel-0002', 'wel-0000'].map((id) => ['Product Viewed', { product_id: id }]),
    ['Order Completed', { products: [{ product_id: 'wel-0000' }] }],
  ] },
  { days: 10, channel: 'email', text: 'From the newsletter, re-orders the same tea', events: [['Order Completed', { products: [{ product_id: 'tea-0000', quantity: 2 }] }]] },
  { days: 3, channel: 'tiktok', text: 'Arrives from TikTok, browses candles, adds one to her cart', events: [
    ...['can-0001', 'can-0004', 'can-0007', 'can-0002', 'can-0012'].map((id) => ['Product Viewed', { product_id: id }]),
    ['Product Added', { product_id: 'can-0004' }],
  ] },
  { days: 1, text: 'Searches “vase”, looks at two', events: [
    ['Products Searched', { query: 'vase' }],
    ...['vas-0001', 'vas-0003'].map((id) => ['Product Viewed', { product_id: id }]),
  ] },
];
const EVENT_COUNT = STORY.reduce((n, s) => n + s.events.length, 0);

const items = generateCatalog();
const byId = new Map(items.map((i) => [i.id, i]));
const $ = (id) => document.getElementById(id);

const variants = structuredClone(PRESETS);
let active = 0;
let model;

// --- the shopper's scenario ----------------------------------------------------------------
/**
 * What the preview replays: her answer on the banner, the route it reaches vitrine by, and
 * whether her browser sends GPC. Read from the controls by readScenario(), never straight from
 * the page, so that the columns always show a scenario whose route is ready to be drawn.
 */
const scenario = { answer: 'accept', route: 'banner', gpc: false };

// vitrine reads navigator.globalPrivacyControl at open() and at every consent call. For the
// preview, this page says what the "Her browser sends GPC" box says; a browser that sends the
// real signal ticks the box for good (lockRealGpc).
const realGpc = navigator.globalPrivacyControl === true;
Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => scenario.gpc, configurable: true });

/** The marketer's own browser sends GPC: the box shows it, ticked, and says why it cannot be unticked. */
function lockRealGpc() {
  const box = $('sim-gpc');
  box.checked = true;
  box.disabled = true;
  box.labels[0].querySelector('span').textContent = '(your own browser sends it)';
}

/** The IAB encoder, loaded when the TCF route is first chosen (it is some sixty small modules). */
let encodeTc = null;
async function needTcf() {
  encodeTc ??= (await import('./lib/tcf.js')).encodeTc;
}

/**
 * Reads the scenario controls into `scenario` and redraws: at start (as the browser restored
 * them when the marketer comes back to this page) and after every change. The controls are read
 * once the route's encoder is loaded, as they stand then.
 */
async function readScenario() {
  if ($('route').value === 'tcf' && !encodeTc) await needTcf();
  scenario.answer = $('answer').value;
  scenario.route = $('route').value;
  scenario.gpc = realGpc || $('sim-gpc').checked;
  $('route-help').textContent = ROUTE_HELP[scenario.route];
  render();
}

/** What the shopper's answer looks like to vitrine, given the banner and the signal route. */
function consentInput(variant, answer, route) {
  const offered = { personalization: true, storage: variant.banner.storage };
  const chosen = answer === 'accept' ? offered
    : answer === 'defaults' ? { personalization: variant.banner.ticked, storage: variant.banner.ticked && offered.storage }
      : { personalization: false, storage: false };
  if (route === 'tcf') {
    const purposes = [...(chosen.storage ? [1] : []), ...(chosen.personalization ? [5, 6] : [])];
    // A CMP set up for 'publisher' declares these purposes as the shop's own and asks for them too;
    // her answer for the shop is the one she gives here.
    return { tcf: encodeTc(purposes, variant.policy.tcfPurposes === 'publisher' ? purposes : []) };
  }
  if (route === 'gcm') {
    // Consent Mode has one key for both purposes: personalization_storage.
    return { googleConsentMode: { personalization_storage: chosen.personalization ? 'granted' : 'denied' } };
  }
  return chosen;
}

/** Each route in a marketer's words: what the site's consent tool hands vitrine, and what counts. */
const ROUTE_HELP = {
  banner: 'Your banner passes her answer as it is: setConsent({personalization, storage}).',
  tcf: 'Your CMP encodes her answer as a TC string. Purpose 1 (store on a device) gives storage; purposes 5 and 6 together '
    + '(profiles for personalised content) give personalisation. With "TCF purposes: the site\'s own", the answers '
    + 'for your own purposes (the publisher TC segment) count instead. Legitimate interest, vendor consents and publisher '
    + 'restrictions do not: vitrine is your own code, not a vendor.',
  gcm: 'Consent Mode has one key for vitrine, personalization_storage: granted gives personalisation and storage together, '
    + 'even where your banner does not offer storage; denied or missing gives neither. ad_storage, analytics_storage, '
    + 'ad_user_data and ad_personalization change nothing for vitrine.',
};

const yesNo = (b) => (b ? 'yes' : 'no');

/** What vitrine was handed, in words (the input `consentInput` made). */
function signalText(input, policy) {
  if (input.tcf) {
    const tc = decodeTcString(input.tcf);
    const own = policy.tcfPurposes === 'publisher';
    const purposes = own ? tc.publisherTC?.purposeConsents ?? [] : tc.purposeConsents;
    return `a TC string consenting to ${purposes.length ? `purposes ${purposes.join(', ')}` : 'no purpose'}${own ? ' as the site\'s own' : ''}`;
  }
  if (input.googleConsentMode) return `personalization_storage: '${input.googleConsentMode.personalization_storage}'`;
  return `personalisation ${yesNo(input.personalization)}, storage ${yesNo(input.storage)}`;
}

/** Why the outcome differs from what she chose, when it does (or GPC was on and did nothing). */
function outcomeNote(variant, input, consent) {
  const gpc = navigator.globalPrivacyControl === true;
  if (consent.source === 'gpc') {
    return 'Her browser sends GPC, and this policy denies on it: personalisation is off. Only an opt-in on your own banner overrides GPC.';
  }
  if (gpc && variant.policy.gpc === 'deny' && consent.personalization && consent.source === 'explicit') {
    return 'She opted in on your own banner while her browser sent GPC: that opt-in overrides GPC.';
  }
  if (gpc && variant.policy.gpc === 'ignore' && consent.personalization) return 'Her browser sends GPC; this policy ignores it (the audit reports it).';
  if (input.googleConsentMode && consent.storage && !variant.banner.storage) {
    return 'Remembered although your banner does not offer storage: Consent Mode\'s personalization_storage grants both.';
  }
  return null;
}

/** Opens a vitrine for `variant`, gives it the shopper's consent, replays her visits. */
function simulate(variant, answer, route) {
  const now = Date.now();
  const v = Vitrine.open({ model, policy: variant.policy, storage: 'memory', namespace: 'console-preview' });
  try {
    const input = consentInput(variant, answer, route);
    const consent = v.setConsent(input);
    const tally = {};
    for (const visit of STORY) {
      visit.events.forEach(([name, props], i) => {
        const at = now - visit.days * DAY + i * 90_000;
        const r = v.track(name, props, visit.channel ? { timestamp: at, channel: visit.channel } : { timestamp: at });
        const key = r.accepted ? 'kept' : r.reason;
        tally[key] = (tally[key] || 0) + 1;
      });
    }
    const audit = v.audit();
    return {
      input,
      consent,
      tally,
      forYou: v.recommend({ scenario: 'for_you', k: 6, excludePurchased: DURABLE }),
      buyAgain: v.recommend({ scenario: 'buy_again', k: 3 }),
      profile: v.profile(),
      keys: audit.storage.keys,
    };
  } finally {
    v.free();
  }
}

// --- the editor -----------------------------------------------------------------------------
const stepIndex = (steps, value) => steps.reduce((best, s, i) => (Math.abs(s - value) < Math.abs(steps[best] - value) ? i : best), 0);
const days = (d) => (d === 1 ? '1 day' : d < 1 ? `${d * 24} hours` : `${d} days`);
const cap = (share) => (share >= 1 ? 'off' : `${Math.round(share * 100)} %`);
/** A select's option in the editor's words, without "(default)": `optionText('detractors', 'gentle')` is 'gentler shelves'. */
const optionText = (id, value) => [...$(id).options].find((o) => o.value === String(value))?.text.replace(' (default)', '') ?? String(value);

/**
 * The purposes a variant's banner offers: vitrine's, storage when offered, and the separate
 * sensitive consent when the policy marks a category sensitive — without it those categories are
 * never used (PRIVACY.md, P17), so a banner for such a policy must offer it.
 */
const bannerPurposes = (v) => ['personalization', ...(v.banner.storage ? ['storage'] : []), ...(v.policy.sensitiveCategories.length ? ['sensitive'] : [])];

/** What the Banner fieldset shows that follows from the rest of the variant. */
function showBanner(v) {
  $('offer-sensitive').checked = bannerPurposes(v).includes('sensitive');
  $('ticked-warning').hidden = !v.banner.ticked;
}

function buildEditor() {
  $('variant-tabs').replaceChildren(...variants.map((v, i) => el('label', { class: 'tab' },
    el('input', { type: 'radio', name: 'variant', value: String(i), checked: i === active }),
    el('span', { text: `${LETTERS[i]} · ${v.name}` }))));
  $('sensitive').replaceChildren(...CATEGORIES.map((c) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', value: c.name, 'data-sensitive': c.name }), ` ${c.name}`)));
  $('half-life').max = String(HALF_LIFE_STEPS.length - 1);
  $('retention').max = String(RETENTION_STEPS.length - 1);
}

/** Shows the active variant's settings in the form. */
function fillEditor() {
  const v = variants[active];
  const p = v.policy;
  document.querySelectorAll('input[name="variant"]').forEach((r) => { r.checked = Number(r.value) === active; });
  $('v-name').value = v.name;
  $('offer-storage').checked = v.banner.storage;
  $('default-ticked').checked = v.banner.ticked;
  $('gpc').value = p.gpc;
  $('remember-refusal').checked = p.rememberRefusal;
  $('consent-age').value = String(p.consentMaxAgeDays);
  $('half-life').value = String(stepIndex(HALF_LIFE_STEPS, p.halfLifeDays));
  $('retention').value = String(stepIndex(RETENTION_STEPS, p.retentionDays));
  $('diversity').value = String(p.diversity);
  $('signal-cap').value = String(p.maxSignalShare);
  $('detractors').value = p.detractors;
  $('tcf-purposes').value = p.tcfPurposes;
  document.querySelectorAll('[data-sensitive]').forEach((b) => { b.checked = p.sensitiveCategories.includes(b.value); });
  showBanner(v);
  showOutputs();
}

function showOutputs() {
  const p = variants[active].policy;
  for (const [id, text] of [['half-life', days(p.halfLifeDays)], ['retention', days(p.retentionDays)], ['diversity', p.diversity.toFixed(2)], ['signal-cap', cap(p.maxSignalShare)]]) {
    $(`${id}-out`).textContent = text;
    $(id).setAttribute('aria-valuetext', text);
  }
}

/** Reads the form into the active variant. */
function readEditor() {
  const v = variants[active];
  v.name = $('v-name').value.trim() || `Policy ${LETTERS[active]}`;
  v.banner = { storage: $('offer-storage').checked, ticked: $('default-ticked').checked };
  v.policy = {
    halfLifeDays: HALF_LIFE_STEPS[Number($('half-life').value)],
    retentionDays: RETENTION_STEPS[Number($('retention').value)],
    gpc: $('gpc').value,
    sensitiveCategories: [...document.querySelectorAll('[data-sensitive]:checked')].map((b) => b.value),
    diversity: Number($('diversity').value),
    rememberRefusal: $('remember-refusal').checked,
    maxSignalShare: Number($('signal-cap').value),
    detractors: $('detractors').value,
    consentMaxAgeDays: Number($('consent-age').value),
    tcfPurposes: $('tcf-purposes').value,
  };
  document.querySelector(`input[name="variant"][value="${active}"] + span`).textContent = `${LETTERS[active]} · ${v.name}`;
  showBanner(v);
  showOutputs();
}

// --- the preview ----------------------------------------------------------------------------
function thumb(item) {
  const box = el('span', { class: 'thumb', 'aria-hidden': 'true' });
  box.innerHTML = productSvg(item);
  return box;
}

const sensitive = (policy, name) => policy.sensitiveCategories.some((c) => c.toLowerCase() === name.toLowerCase());

/**
 * Every setting of a policy, in the editor's words: a column's summary line. Each change the
 * marketer makes shows in the column, also one that leaves Maya's replay as it was (she never
 * said she was unhappy, and her decision is minutes old, far from being asked again).
 */
function knobs(p) {
  return [
    `half-life ${days(p.halfLifeDays)}`, `retention ${days(p.retentionDays)}`, `diversity ${p.diversity}`,
    `signal cap ${cap(p.maxSignalShare)}`, `GPC ${p.gpc}`, `refusals ${p.rememberRefusal ? 'remembered' : 'not kept'}`,
    `asked again after ${optionText('consent-age', p.consentMaxAgeDays)}`,
    `unhappy shoppers: ${optionText('detractors', p.detractors)}`,
    `TCF purposes: ${optionText('tcf-purposes', p.tcfPurposes)}`,
    ...(p.sensitiveCategories.length ? [`sensitive: ${p.sensitiveCategories.join(', ')}`] : []),
  ].join(' · ');
}

const REFUSALS = { expired: 'older than retention', no_consent: 'no consent', sensitive: 'sensitive category, no separate consent' };

function column(i) {
  const variant = variants[i];
  const r = simulate(variant, scenario.answer, scenario.route);
  const p = variant.policy;
  const c = r.consent;
  const kept = r.tally.kept || 0;
  const refused = Object.entries(r.tally).filter(([k]) => k !== 'kept');
  const outcome = c.personalization
    ? el('span', { class: 'pill ok', text: c.storage ? 'Personalised, remembered' : 'Personalised, this visit only' })
    : el('span', { class: 'pill bad', text: 'Not personalised' });
  const cats = (r.profile?.categories ?? []).slice(0, 5);
  const note = outcomeNote(variant, r.input, c);
  return el('section', { class: `column${i === active ? ' active' : ''}`, 'data-variant': String(i), 'aria-labelledby': `col-${i}` },
    el('header', {},
      el('h3', { id: `col-${i}` }, el('span', { class: 'letter', text: LETTERS[i] }), variant.name),
      el('button', { type: 'button', class: 'edit', 'data-edit': String(i), 'aria-pressed': String(i === active), text: i === active ? 'Editing' : 'Edit' })),
    el('p', { class: 'knobs', text: knobs(p) }),
    el('p', { class: 'outcome' }, outcome, el('span', { class: 'source', text: `source: ${c.source}` })),
    el('p', { class: 'signal', text: `vitrine was told: ${signalText(r.input, p)}` }),
    note ? el('p', { class: 'note', text: note }) : null,
    el('p', { class: 'tally', 'data-kept': String(kept) },
      `${EVENT_COUNT} events replayed: ${kept} kept`,
      refused.map(([k, n]) => `, ${n} refused (${REFUSALS[k] || k})`).join('')),
    el('h4', { text: c.personalization ? 'For you' : 'For you (falls back to trending)' }),
    el('ol', { class: 'recs', 'data-slot': 'for_you' }, r.forYou.map((rec) => {
      const item = byId.get(rec.itemId);
      return el('li', { 'data-item-id': rec.itemId, 'data-category': item?.category },
        item ? thumb(item) : null,
        el('span', { class: 'rec-text' },
          el('span', { class: 'rec-title', text: item?.title ?? rec.itemId }),
          el('span', { class: 'rec-reason', text: humanReason(rec.reasons[0] ?? '', byId) })));
    })),
    el('h4', { text: 'What the device holds' }),
    cats.length
      ? bars(cats.map((x) => ({
        name: sensitive(p, x.name) ? `${x.name} *` : x.name,
        value: x.share,
        label: `${Math.round(x.share * 100)} %`,
      })), { title: `Category affinities under ${variant.name}`, width: 210, labelWidth: 74, valueWidth: 38, row: 22, max: 1 })
      : el('p', { class: 'none', text: 'No profile.' }),
    cats.some((x) => sensitive(p, x.name)) ? el('p', { class: 'footnote', text: '* sensitive: kept and used only with the shopper\'s separate consent to sensitive personalisation' }) : null,
    el('p', { class: 'stored' }, r.keys.length
      ? `Kept between visits: ${r.keys.map((k) => `${k.key} (${bytes(k.bytes)})`).join(', ')}`
      : 'Nothing kept between visits.'),
    // audit() counts what the browser's quota counts, key and value in UTF-16: the 29-byte
    // consent record is some 140 B there, which needs saying next to "a 29-byte record".
    r.keys.length ? el('p', { class: 'footnote', text: 'Sizes as the browser\'s storage quota counts them: key and value, 2 bytes a character.' }) : null);
}

let rendered = [];
function render(which = [0, 1, 2]) {
  const box = $('columns');
  for (const i of which) {
    const next = column(i);
    if (rendered[i]) rendered[i].replaceWith(next);
    else box.append(next);
    rendered[i] = next;
  }
  document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
  // A screen reader hears one line per change, not three whole columns (shelves, charts and all).
  $('preview-status').textContent = `Preview updated: ${rendered.map((col, j) => `${LETTERS[j]}, ${col.querySelector('.pill').textContent}`).join('; ')}.`;
}

function select(i) {
  active = i;
  fillEditor();
  rendered.forEach((col, j) => {
    col.classList.toggle('active', j === active);
    const b = col.querySelector('[data-edit]');
    b.textContent = j === active ? 'Editing' : 'Edit';
    b.setAttribute('aria-pressed', String(j === active));
  });
  $('export-box').hidden = true;
}

// --- export ---------------------------------------------------------------------------------
function exported() {
  const v = variants[active];
  return {
    policy: v.policy,
    banner: { purposes: bannerPurposes(v), preTicked: v.banner.ticked },
  };
}

/** Writes the active policy into the export box (also while it is open and the policy changes). */
function writeExport() {
  const e = exported();
  const policy = JSON.stringify(e.policy, null, 2).replace(/\n/g, '\n  ');
  $('export-code').textContent = `// “${variants[active].name}”, from the vitrine consent console\n`
    + `const v = await Vitrine.load({\n  model: fetch('/model.vtr'),  // your model file\n  policy: ${policy},\n});\n\n`
    + `// Your banner: ${JSON.stringify(e.banner)}`;
}

function showExport() {
  writeExport();
  $('export-box').hidden = false;
  $('copy-status').textContent = '';
  $('export-box').scrollIntoView({ block: 'nearest' });
}

function download() {
  const url = URL.createObjectURL(new Blob([JSON.stringify(exported(), null, 2) + '\n'], { type: 'application/json' }));
  const a = el('a', { href: url, download: 'policy.json' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function story() {
  $('story').replaceChildren(...STORY.map((s) => el('li', {},
    el('span', { class: 'when', text: s.days === 1 ? 'yesterday' : `${s.days} days ago` }),
    s.channel ? el('span', { class: `via ch-${s.channel}`, text: s.channel }) : null,
    el('span', { text: s.text }))));
}

try {
  await loadVitrine();
  model = await loadModel();
  buildEditor();
  fillEditor();
  story();
  if (realGpc) lockRealGpc();
  await readScenario();

  $('editor').addEventListener('input', (e) => {
    if (e.target.name === 'variant') return;
    readEditor();
    render([active]);
    // An open export follows the policy it shows; a stale one would be pasted as is.
    if (!$('export-box').hidden) { writeExport(); $('copy-status').textContent = ''; }
  });
  $('editor').addEventListener('change', (e) => {
    if (e.target.name === 'variant') select(Number(e.target.value));
  });
  $('editor').addEventListener('submit', (e) => e.preventDefault());
  $('columns').addEventListener('click', (e) => {
    const b = e.target.closest('[data-edit]');
    if (b) select(Number(b.dataset.edit));
  });
  document.querySelector('.scenario-controls').addEventListener('change', readScenario);
  $('export').addEventListener('click', showExport);
  $('reset').addEventListener('click', () => {
    variants.splice(0, 3, ...structuredClone(PRESETS));
    buildEditor();
    fillEditor();
    render();
    // An export made before the reset shows a policy that no longer exists.
    $('export-box').hidden = true;
    $('export-code').textContent = '';
    $('copy-status').textContent = '';
  });
  $('copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('export-code').textContent);
      $('copy-status').textContent = 'Copied.';
    } catch {
      $('copy-status').textContent = 'Copying was not allowed; select the text instead.';
    }
  });
  $('download').addEventListener('click', download);
  window.consolePreview = { variants, simulate: (i) => simulate(variants[i], scenario.answer, scenario.route) };
  document.body.dataset.ready = 'true';
} catch (error) {
  console.error(error);
  showFatal('main', error);
}
