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
import { refreshShelves } from './shop/ui.js';

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
/**
 * What the pages read of the consent (www/shop/pages.js): whether personalisation is on, for the
 * home page's hero, captions and personal shelves and the order page's words. The page on screen
 * was drawn for this value; the sensitive consent changes only what the shelves show.
 */
let drawnFor = null;
/** The consent (and CMP record) the chip, the TCF strip and the extensions were last told of: see follow(). */
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
    shop.track('Order Completed', {
      order_id: orderId,
      total,
      products: lines.map((l) => ({ product_id: l.item.id, category: l.item.category, brand: l.item.brand, price: l.item.price, quantity: l.qty })),
    });
    shop.cart.clear();
    updateCartCount();
    const placed = { orderId, lines, total };
    // The confirmation is a screen of its own (under the cart's #/cart): the shopper saw a new page.
    navigation(() => {
      show(pages.order(shop, placed), 'order');
      pageViewed('order');
    });
    shop.emit('order', placed);
  },
  /** Redraws the current page where it stands (after a consent decision, a cart change); tracks no view. */
  render: () => route({ redraw: true }),
  /**
   * Redraws the recommendation shelves on screen whose answer changed (www/shop/ui.js) and
   * nothing else: after anything that changes vitrine's answers without a navigation.
   */
  refreshShelves: () => refreshShelves(shop, main),
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

/** Draws the page the hash names: a navigation, unless `redraw` (the same page drawn again). */
function route({ redraw = false } = {}) {
  routed = location.hash;
  if (redraw) draw(true);
  else navigation(() => pageViewed(draw(false)));
}

/** Draws the page the hash names and returns its screen's name ('home', 'product', …). */
function draw(redraw) {
  const [, kind, ...rest] = (isRoute(location.hash) ? location.hash || '#/' : '#/').split('/');
  const arg = decodeURIComponent(rest.join('/'));
  let name = 'home';
  let nodes;
  if (kind === 'c') { name = 'category'; nodes = pages.category(shop, arg); }
  else if (kind === 'p') { name = 'product'; nodes = pages.product(shop, arg); }
  else if (kind === 'search') { name = 'search'; nodes = pages.search(shop, arg); }
  else if (kind === 'cart') { name = 'cart'; nodes = pages.cart(shop); }
  else if (!kind) nodes = pages.home(shop);
  else { name = 'not-found'; nodes = pages.notFound(); }
  document.querySelectorAll('#cats a').forEach((a) => {
    if (kind === 'c' && a.dataset.cat === arg) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  show(nodes, name, { arg });
  drawnFor = shop.vitrine.consent().personalization;
  if (!redraw) window.scrollTo(0, 0);
  return name;
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

const consentNow = () => JSON.stringify([shop.vitrine.consent(), cmp?.tcString() ?? null]);

/** The chip and the TCF strip show the consent in force. */
function showConsent() {
  told = consentNow();
  updatePrivacyChip();
  refreshTcf();
}

/**
 * The one place the page follows a change of vitrine's answers made without a navigation: a
 * decision on the banner or in the CMP, the sensitive box, a survey answer (www/human.js), another
 * tab's decision, erasure or events. A changed consent (or CMP record) is shown in the chip and
 * the strip and told to the extensions; a page drawn for another personalisation consent is drawn
 * again (not viewed again); otherwise only the shelves whose answer changed are redrawn, where they
 * stand, with the focus kept.
 */
function follow() {
  if (consentNow() !== told) {
    showConsent();
    shop.emit('consent', shop.vitrine.consent());
  }
  if (shop.vitrine.consent().personalization === drawnFor) {
    shop.refreshShelves();
    return;
  }
  const hadFocus = main.contains(document.activeElement);
  shop.render();
  if (hadFocus) main.focus({ preventScroll: true }); // the focused element went with the old drawing
}

/** The shopper decided on the banner or in the CMP, which closed: the page follows, the focus goes back to it. */
function decided() {
  follow();
  main.focus({ preventScroll: true });
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
    cmp = createCmp({ decodeTcString, onDecided: decided });
  }
  shop.vitrine = await Vitrine.load({ model, policy: SHOP_POLICY });
  // Exposed for the curious (DevTools) and for the end-to-end tests.
  window.vitrine = shop.vitrine;
  window.shop = shop;

  const banner = siteBanner(shop, decided);
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
