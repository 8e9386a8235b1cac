// The demo storefront. Everything personal happens in vitrine, in this tab; the page renders the
// catalog and vitrine's answers. Consent comes from the shop's own banner, or — with `?cmp=tcf` —
// from an IAB TCF CMP on the page. Extensions (shop/extensions.js) plug into the `shop` object.
import { Vitrine, decodeTcString } from '/pkg/vitrine.js';
import { SHOP_POLICY, fetchModel, loadVitrine, showFatal } from './lib/site.js';
import { el } from './lib/dom.js';
import { forVitrine, generateCatalog } from './catalog.js';
import { arrivalChannel } from './shop/channel.js';
import { siteBanner } from './shop/consent.js';
import { EXTENSIONS } from './shop/extensions.js';
import * as pages from './shop/pages.js';
import { refresh } from './shop/ui.js';

const main = document.getElementById('main');
const params = new URLSearchParams(location.search);
const tcfMode = params.get('cmp') === 'tcf';

const listeners = new Map();
const items = generateCatalog();
/** True while the page the shopper navigated to is drawn (not a redraw of the same page): see navigation(). */
let navigating = false;
/** In TCF mode, the demo CMP (www/shop/cmp.js), and the strip that shows what it and vitrine say. */
let cmp = null;
let refreshTcf = () => {};
/** The shop's own banner (www/shop/consent.js). */
let banner = null;
/**
 * The screen on show: its name, the route's parameters, and `draw()`, which draws it (again). The
 * hash names it, except for the order confirmation, a screen of its own under the cart's #/cart.
 */
let screen = null;
/** The consent and CMP record the chip and the TCF strip show, and the consent the extensions were last told of: see follow(). */
let shown = null;
let told = null;

/** The storefront, as pages and extensions see it. */
const shop = {
  vitrine: null,
  items,
  byId: new Map(items.map((i) => [i.id, i])),
  /** The shop's own cart: id → quantity, in this tab's memory only. */
  cart: new Map(),
  channel: arrivalChannel(),
  el,
  on(event, fn) {
    if (!listeners.has(event)) listeners.set(event, []);
    listeners.get(event).push(fn);
  },
  emit(event, detail) {
    for (const fn of listeners.get(event) || []) {
      try { fn(detail); } catch (e) { console.error(`extension failed on '${event}':`, e); }
    }
  },
  slot: (name) => document.querySelector(`[data-slot="${name}"]`),
  /**
   * `vitrine.track` with the arrival channel; extensions hear about it. An event kept outside a
   * navigation (an item added) can change what the shelves on screen show: they are asked again.
   */
  track(event, properties) {
    const result = shop.vitrine.track(event, properties, shop.channel ? { channel: shop.channel } : undefined);
    if (result.accepted && !navigating) shop.refreshShelves();
    shop.emit('track', { event, properties, result });
    return result;
  },
  /**
   * A page's own view event (a product, a list, a search): tracked when the shopper navigates to
   * the page, not when the same page is drawn again (render(), a consent decision), which would
   * record a view the shopper never made.
   */
  trackView(event, properties) {
    if (navigating) shop.track(event, properties);
  },
  recommend: (request) => shop.vitrine.recommend(request),
  /** Why `recommend(request)` shows what it shows (vitrine's `explainShelf`). */
  explain: (request) => shop.vitrine.explainShelf(request),
  addToCart(item, quantity) {
    shop.cart.set(item.id, (shop.cart.get(item.id) || 0) + quantity);
    shop.track('Product Added', { product_id: item.id, category: item.category, brand: item.brand, price: item.price, quantity });
    updateCartCount();
  },
  removeFromCart(item, quantity) {
    const left = (shop.cart.get(item.id) || 0) - quantity;
    if (left > 0) shop.cart.set(item.id, left);
    else shop.cart.delete(item.id);
    shop.track('Product Removed', { product_id: item.id, price: item.price, quantity });
    updateCartCount();
  },
  placeOrder(lines, total) {
    const orderId = `demo-${Date.now()}`;
    const result = shop.track('Order Completed', {
      order_id: orderId,
      total,
      products: lines.map((l) => ({ product_id: l.item.id, category: l.item.category, brand: l.item.brand, price: l.item.price, quantity: l.qty })),
    });
    shop.cart.clear();
    updateCartCount();
    const placed = { orderId, lines, total, kept: result.accepted, erasedAt: shop.vitrine.exportData().erasedAt.profile };
    // The confirmation is a screen of its own (under the cart's #/cart): the shopper saw a new
    // page, and a redraw (render(), a cart change) draws it again, not the cart.
    navigation(() => {
      screen = { name: 'order', params: {}, draw: () => pages.order(shop, placed) };
      pageViewed(draw(false));
    });
    shop.emit('order', placed);
  },
  /** Redraws the screen on show where it stands (after a cart change); tracks no view. */
  render: () => { if (screen) draw(true); },
  /**
   * Redraws the parts of the page drawn from vitrine's answers whose drawing changed — the
   * recommendation shelves, the parts drawn for the personalisation consent (www/shop/ui.js) —
   * and nothing else: after anything that changes vitrine's answers without a navigation.
   */
  refreshShelves: () => refresh(main),
  show: (nodes, name = 'page') => show(nodes, name),
};

function updateCartCount() {
  document.getElementById('cart-count').textContent = String([...shop.cart.values()].reduce((a, b) => a + b, 0));
}

function show(nodes, name, routeParams = {}) {
  main.replaceChildren(...nodes);
  shop.emit('route', { name, params: routeParams, main });
}

/** Runs `fn` as a navigation: the view events it tracks are kept (shop.trackView). */
function navigation(fn) {
  navigating = true;
  try {
    fn();
  } finally {
    navigating = false;
  }
}

/** The name each screen goes by in its page view (Segment's `name`). */
const SCREEN_NAMES = {
  home: 'Home', category: 'Category', product: 'Product', search: 'Search Results', cart: 'Cart',
  order: 'Order Confirmation', 'not-found': 'Not Found',
};
/** The address of the screen shown before this one: a later screen's referrer, as analytics.js reports it in an app that routes in the page. */
let lastUrl = document.referrer;

/**
 * What analytics.js's `analytics.page()` reports, as vitrine's `Page Viewed`: one for every
 * screen the shopper navigates to, with Segment's page properties. vitrine counts it and keeps the
 * visit's channel current; it keeps nothing of the page (not its address, not its title).
 */
function pageViewed(screen) {
  shop.trackView('Page Viewed', {
    name: SCREEN_NAMES[screen] ?? screen,
    path: location.pathname,
    url: location.href,
    referrer: lastUrl,
    search: location.search,
    title: document.title,
  });
  lastUrl = location.href;
}

/** Routes are `#/…` (or no hash); any other hash is an anchor on the page, as the skip link's `#main`. */
const isRoute = (hash) => hash === '' || hash.startsWith('#/');
let routed = null;

/** Navigates to the page the hash names: draws it, and tracks its views. */
function route() {
  routed = location.hash;
  const [, kind, ...rest] = (isRoute(location.hash) ? location.hash || '#/' : '#/').split('/');
  const arg = decodeURIComponent(rest.join('/'));
  const page = kind === 'c' ? ['category', () => pages.category(shop, arg)]
    : kind === 'p' ? ['product', () => pages.product(shop, arg)]
      : kind === 'search' ? ['search', () => pages.search(shop, arg)]
        : kind === 'cart' ? ['cart', () => pages.cart(shop)]
          : !kind ? ['home', () => pages.home(shop)]
            : ['not-found', () => pages.notFound()];
  screen = { name: page[0], params: { arg }, draw: page[1] };
  document.querySelectorAll('#cats a').forEach((a) => {
    if (kind === 'c' && a.dataset.cat === arg) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  navigation(() => pageViewed(draw(false)));
}

/** Draws the screen on show (`redraw`: again, where it stands) and returns its name ('home', 'product', …). */
function draw(redraw) {
  show(screen.draw(), screen.name, screen.params);
  if (!redraw) window.scrollTo(0, 0);
  return screen.name;
}

/** The header's privacy chip says what vitrine may do right now. */
function updatePrivacyChip() {
  const c = shop.vitrine.consent();
  const chip = document.getElementById('privacy-chip');
  const state = !c.personalization ? 'off' : c.storage ? 'on' : 'session';
  chip.dataset.state = state;
  chip.textContent = { on: 'Personalised on this device', session: 'Personalised for this visit', off: 'Personalisation off' }[state];
  chip.title = `vitrine consent: personalization ${c.personalization ? 'granted' : 'denied'}, storage ${c.storage ? 'granted' : 'denied'} (source: ${c.source}). Click to change.`;
}

const consentNow = () => JSON.stringify(shop.vitrine.consent());
const shownNow = () => JSON.stringify([shop.vitrine.consent(), cmp?.tcString() ?? null]);

/** The chip and the TCF strip show the consent in force (and the CMP's record). */
function showConsent() {
  shown = shownNow();
  told ??= consentNow();
  updatePrivacyChip();
  refreshTcf();
}

/**
 * The one place the page follows a change of vitrine's answers made without a navigation: a
 * decision on the banner or in the CMP, the sensitive box, a survey answer (www/human.js), another
 * tab's decision, erasure or events. The chip and the TCF strip show the consent in force and the
 * CMP's record; an open consent dialog shows the choice in force (and one asking for a first
 * decision closes when this tab has one, another tab's); the parts of the page drawn from
 * vitrine's answers that would show something else are drawn again, where they stand (the shelves,
 * the parts drawn for the personalisation consent: www/shop/ui.js), and nothing else — no view is
 * tracked again, and the rest of the page keeps its state. Then the extensions are told of a
 * changed consent, once, with what vitrine says: the CMP's record changing in another tab before
 * vitrine's records follow it (two `storage` events) tells them nothing until vitrine's do.
 */
function follow() {
  if (shownNow() !== shown) showConsent();
  const closedBanner = banner.follow();
  const closedCmp = cmp?.follow(shop.vitrine.consent().source !== 'default') ?? false;
  if (closedBanner || closedCmp) main.focus({ preventScroll: true }); // the dialog closed held the focus
  shop.refreshShelves();
  if (consentNow() !== told) {
    told = consentNow();
    shop.emit('consent', shop.vitrine.consent());
  }
}

/**
 * The shopper decided on the banner or in the CMP, which closed: the page follows, and the focus
 * goes back to the control that opened it (`opener`: the footer's Privacy settings, the chip, …),
 * or to the page when the page opened it (a first visit) or that control is gone (redrawn for the
 * new consent, as the hero's "Personalise on this device").
 */
function decided(_state, opener) {
  follow();
  if (opener?.isConnected) opener.focus({ preventScroll: true });
  else main.focus({ preventScroll: true });
}

/** In TCF mode, a strip that shows what the CMP said and what vitrine made of it. */
function tcfStrip(cmp) {
  const strip = el('div', { class: 'tcf-strip', id: 'tcf-status', role: 'status' });
  document.getElementById('privacy-note').append(strip);
  return () => {
    const tc = cmp.tcString();
    const c = shop.vitrine.consent();
    const on = (b) => (b ? 'granted' : 'denied');
    strip.replaceChildren(
      el('b', { text: 'IAB TCF mode' }),
      tc ? el('span', {}, 'TC string ', el('code', { title: tc, text: tc.length > 28 ? `${tc.slice(0, 28)}…` : tc }),
        ` — purposes consented: ${cmp.purposes().join(', ') || 'none'}`) : el('span', { text: 'No TC string yet.' }),
      el('span', { text: `vitrine: personalization ${on(c.personalization)}, storage ${on(c.storage)} (source: ${c.source})` }),
      el('a', { href: '/', text: 'Back to the shop\'s own banner' }));
  };
}

try {
  await loadVitrine();
  // The request starts now; `Vitrine.load` reads the file as it arrives.
  const model = fetchModel();
  if (tcfMode) {
    const { createCmp } = await import('./shop/cmp.js');
    cmp = createCmp({ decodeTcString, onDecided: (opener) => decided(null, opener) });
  }
  shop.vitrine = await Vitrine.load({ model, policy: SHOP_POLICY });
  // Exposed for the curious (DevTools) and for the end-to-end tests.
  window.vitrine = shop.vitrine;
  window.shop = shop;

  banner = siteBanner(shop, decided);
  let openConsent = banner.open;
  if (cmp) {
    Vitrine.listenTcf(shop.vitrine);
    refreshTcf = tcfStrip(cmp);
    openConsent = cmp.show;
    document.body.classList.add('tcf-mode');
  }

  document.getElementById('cats').replaceChildren(
    ...[...new Set(items.map((i) => i.category))].map((c) => el('a', { href: `#/c/${encodeURIComponent(c)}`, 'data-cat': c, text: c })),
  );
  document.getElementById('search').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = document.getElementById('search-input').value.trim();
    if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
  });
  document.getElementById('privacy-settings').addEventListener('click', () => openConsent());
  document.getElementById('privacy-chip').addEventListener('click', () => openConsent());
  main.addEventListener('click', (e) => { if (e.target.closest('[data-open-consent]')) openConsent(); });
  // A jump to an anchor, or back from one to the page already shown, is not a new page (and not
  // a new product view).
  window.addEventListener('hashchange', () => { if (isRoute(location.hash) && location.hash !== routed) route(); });
  // On the order confirmation (under #/cart), the cart link still goes to the cart: it changes no
  // hash, or — after a jump to an anchor (the skip link's #main) — it changes it back to the one
  // the confirmation is shown under, which is not a return to the page already shown.
  document.addEventListener('click', (e) => {
    const link = e.target.closest?.('a[href^="#/"]');
    if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (screen?.name !== 'order' || link.getAttribute('href') !== routed) return;
    if (location.hash === routed) route();
    else routed = null; // the hashchange that follows routes
  });
  // Another tab changed the decision (or the CMP's record), erased or added to the profile:
  // follow it on screen too (vitrine already did, on the same event).
  window.addEventListener('storage', () => setTimeout(follow, 0));
  // www/human.js changed vitrine's answers in place (a survey answer, the sensitive box).
  window.addEventListener('vitrine:change', follow);

  for (const extension of EXTENSIONS) {
    try { extension(shop); } catch (e) { console.error('extension failed to start:', e); }
  }

  if (cmp) cmp.start(); // tcloaded with the stored TC string, or the CMP's dialog on a first visit
  else if (banner.needed()) banner.open();
  showConsent();
  route();
  document.body.dataset.ready = 'true';
} catch (error) {
  console.error(error);
  showFatal('main', error);
}
