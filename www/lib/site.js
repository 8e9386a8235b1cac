// What the three pages share: loading vitrine and the demo's model, the shop's policy, the
// site header.
import init, { Vitrine, version } from '/pkg/vitrine.js';
import { el } from './dom.js';

export { Vitrine, version };

/** The SDK's default policy, written out so the console can start from it and a reviewer can read it. */
export const SDK_DEFAULTS = Object.freeze({
  halfLifeDays: 14,
  retentionDays: 30,
  gpc: 'deny',
  sensitiveCategories: [],
  diversity: 0.2,
  rememberRefusal: false,
  maxSignalShare: 0.5,
  detractors: 'gentle',
  consentMaxAgeDays: 395,
  tcfPurposes: 'core',
});

/**
 * The policy the demo shop opens vitrine with, on every page (retention and sensitive categories
 * are applied by whichever page opens the profile, so they must agree): the SDK's defaults, with
 * the catalog's health category, Wellness (www/catalog.js), marked sensitive — so its views are
 * kept and used only when the shopper ticks "Also use sensitive categories" (www/human.js).
 */
export const SHOP_POLICY = Object.freeze({
  ...SDK_DEFAULTS,
  sensitiveCategories: Object.freeze(['Wellness']),
});

/**
 * The localStorage key under which the demo's TCF consent tool (www/shop/cmp.js) keeps the
 * shopper's TC string. It is the consent tool's record, not vitrine's: `erase()` leaves it, as it
 * leaves any key outside vitrine's namespace; the audit page lists it as such.
 */
export const CMP_KEY = 'demo-cmp:tc-string';

export const MODEL_URL = '/generated/model.vtr';

let ready;
/** Loads the module once (`init()` fetches `/pkg/vitrine_bg.wasm`). */
export function loadVitrine() {
  ready ??= init();
  return ready;
}

/**
 * The demo's model file (made by `scripts/demo-model.mjs` with `vitrine-model build`) as the
 * server sends it, for `Vitrine.load` to read as it arrives. Throws a readable error when it was
 * not built.
 */
export async function fetchModel() {
  const response = await fetch(MODEL_URL);
  if (!response.ok) throw new Error(`the demo model ${MODEL_URL} is missing (${response.status}): run \`make demo\`, which builds it`);
  return response;
}

/** The demo's model file as bytes (the console opens several previews from the same bytes). */
export async function loadModel() {
  return new Uint8Array(await (await fetchModel()).arrayBuffer());
}

/** The site header: logo, the three pages, and `extra` nodes on the right. */
export function siteHeader(current, ...extra) {
  const link = (href, text, name) => el('a', { href, 'aria-current': current === name ? 'page' : undefined, text });
  return el('header', { class: 'top' },
    el('a', { class: 'logo', href: '/' }, 'Maison ', el('span', { text: 'Vitrine' })),
    el('nav', { class: 'site-nav', 'aria-label': 'Demo pages' },
      link('/', 'Shop', 'shop'),
      link('/console', 'Consent console', 'console'),
      link('/audit', 'Privacy audit', 'audit')),
    ...extra);
}

/** Shows a fatal loading problem on the page instead of a blank screen. */
export function showFatal(where, error) {
  const box = el('div', { class: 'fatal', role: 'alert' },
    el('h2', { text: 'The demo could not start' }),
    el('p', { text: String(error?.message || error) }));
  (document.getElementById(where) || document.body).replaceChildren(box);
  document.body.dataset.ready = 'error';
}
