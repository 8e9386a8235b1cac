// The demo storefront. Everything personal happens in vitrine, in this tab; the page itself
// only renders. Routes: #/ home, #/c/<category>, #/p/<id>, #/cart.
import init, { Vitrine } from '/pkg/vitrine.js';
import { CATEGORIES, forVitrine, generateCatalog } from './catalog.js';
import { productSvg } from './images.js';

const items = generateCatalog();
const byId = new Map(items.map((i) => [i.id, i]));
const cart = new Map(); // the shop's own cart: id → quantity (kept in page memory only)

await init();
const v = Vitrine.open({ catalog: forVitrine(items) });
// Exposed for the curious (DevTools) and for the end-to-end tests.
window.vitrine = v;

/** The channel the shopper arrived from, e.g. ?utm_source=instagram. */
const channel = (() => {
  const src = new URLSearchParams(location.search).get('utm_source');
  return src && /^[a-z0-9_-]{1,32}$/i.test(src) ? src.toLowerCase() : undefined;
})();

const main = document.getElementById('main');
const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, val] of Object.entries(attrs)) {
    if (val === undefined || val === false) continue;
    if (k === 'class') e.className = val;
    else if (k === 'text') e.textContent = val;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), val);
    else e.setAttribute(k, val === true ? '' : val);
  }
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

function picture(item) {
  const wrap = el('div', { class: 'pic' });
  wrap.innerHTML = productSvg(item);
  return wrap;
}

function track(event, properties) {
  return v.track(event, properties, channel ? { channel } : undefined);
}

function card(item, reasons = []) {
  const a = el(
    'a',
    { class: 'card', href: `#/p/${item.id}`, 'data-item-id': item.id, 'data-category': item.category, title: reasons.join(' · ') || undefined },
    picture(item),
    el('span', { class: 'brand', text: item.brand }),
    el('span', { class: 'title', text: item.title }),
    el('span', { class: 'price', text: money.format(item.price) }),
    reasons.length ? el('span', { class: 'reason', text: reasons[0] }) : null,
    item.inStock ? null : el('span', { class: 'oos', text: 'Out of stock' }),
  );
  return a;
}

/** A shelf of recommendations in `<section data-slot="…">`; empty shelves say why. */
function shelf(slot, title, recs, empty) {
  const row = el('div', { class: 'row' });
  for (const r of recs) {
    const item = byId.get(r.itemId);
    if (item) row.append(card(item, r.reasons));
  }
  return el(
    'section',
    { class: 'shelf', 'data-slot': slot, 'aria-label': title },
    el('h2', { text: title }),
    recs.length ? row : el('p', { class: 'empty', text: empty }),
  );
}

function consentGiven() {
  return v.consent().personalization;
}

function renderHome() {
  const personal = consentGiven();
  const nodes = [];
  if (channel) nodes.push(el('p', { class: 'badge', text: `Welcome, ${channel} visitor — picks for you start here.` }));
  nodes.push(
    shelf('for_you', personal ? 'For you' : 'Popular right now', v.recommend({ scenario: 'for_you', k: 8 }), ''),
    shelf('trending', 'Trending', v.recommend({ scenario: 'trending', k: 8, diversity: 0.6 }), ''),
  );
  if (personal) {
    nodes.push(
      shelf('recently_viewed', 'Recently viewed', v.recommend({ scenario: 'recently_viewed', k: 8 }), 'Items you look at will appear here.'),
      shelf('buy_again', 'Buy again', v.recommend({ scenario: 'buy_again', k: 8 }), 'Things you order will appear here.'),
    );
  } else {
    nodes.push(el('p', { class: 'hint', text: 'Personal shelves (recently viewed, buy again) appear once you allow personalisation.' }));
  }
  nodes.push(el('h2', { class: 'grid-title', text: 'Shop by category' }));
  nodes.push(
    el('div', { class: 'tiles' }, CATEGORIES.map((c) => {
      const best = items.find((i) => i.category === c.name);
      return el('a', { class: 'tile', href: `#/c/${encodeURIComponent(c.name)}` }, picture(best), el('span', { text: c.name }));
    })),
  );
  main.replaceChildren(...nodes);
}

function renderCategory(name) {
  const list = items.filter((i) => i.category === name).sort((a, b) => b.popularity - a.popularity);
  if (!list.length) return renderNotFound();
  track('Product List Viewed', { category: name, products: list.slice(0, 24).map((i) => ({ product_id: i.id })) });
  let shown = 48;
  const grid = el('div', { class: 'grid' });
  const more = el('button', { type: 'button', class: 'more', text: 'Show more', onclick: () => { shown += 48; fill(); } });
  function fill() {
    grid.replaceChildren(...list.slice(0, shown).map((i) => card(i)));
    more.hidden = shown >= list.length;
  }
  fill();
  main.replaceChildren(el('h1', { text: name }), el('p', { class: 'count', text: `${list.length} products` }), grid, more);
}

function renderProduct(id) {
  const item = byId.get(id);
  if (!item) return renderNotFound();
  track('Product Viewed', { product_id: item.id, category: item.category, brand: item.brand, price: item.price });
  const add = el('button', {
    type: 'button',
    class: 'primary',
    disabled: !item.inStock,
    text: item.inStock ? 'Add to cart' : 'Out of stock',
    onclick: () => {
      cart.set(item.id, (cart.get(item.id) || 0) + 1);
      track('Product Added', { product_id: item.id, price: item.price, quantity: 1 });
      updateCartCount();
      add.textContent = 'Added ✓';
    },
  });
  main.replaceChildren(
    el('article', { class: 'product', 'data-item-id': item.id },
      picture(item),
      el('div', { class: 'info' },
        el('p', { class: 'brand', text: item.brand }),
        el('h1', { text: item.title }),
        el('p', { class: 'price big', text: money.format(item.price) }),
        el('p', { class: 'meta', text: `${item.category} · ${item.tags.join(', ')}` }),
        add)),
    shelf('similar', 'Similar', v.recommend({ scenario: 'similar', itemId: item.id, k: 8 }), ''),
    shelf('bought_together', 'Often bought together', v.recommend({ scenario: 'bought_together', itemId: item.id, k: 8 }), ''),
  );
}

function renderCart() {
  const lines = [...cart].map(([id, qty]) => ({ item: byId.get(id), qty })).filter((l) => l.item);
  const total = lines.reduce((s, l) => s + l.item.price * l.qty, 0);
  const checkout = el('button', {
    type: 'button',
    class: 'primary',
    disabled: !lines.length,
    text: 'Place order',
    onclick: () => {
      track('Order Completed', { order_id: `demo-${Date.now()}`, products: lines.map((l) => ({ product_id: l.item.id, price: l.item.price, quantity: l.qty })) });
      cart.clear();
      updateCartCount();
      main.replaceChildren(el('h1', { text: 'Thank you!' }), el('p', { text: 'Your (pretend) order is placed.' }), el('a', { href: '#/', text: 'Back to the shop' }));
    },
  });
  main.replaceChildren(
    el('h1', { text: 'Your cart' }),
    lines.length
      ? el('ul', { class: 'lines' }, lines.map((l) => el('li', {}, el('a', { href: `#/p/${l.item.id}`, text: l.item.title }), ` × ${l.qty} — ${money.format(l.item.price * l.qty)}`)))
      : el('p', { class: 'empty', text: 'Your cart is empty.' }),
    el('p', { class: 'price big', text: `Total ${money.format(total)}` }),
    checkout,
    shelf('cart', 'Complete your basket', v.recommend({ scenario: 'cart', itemIds: [...cart.keys()], k: 8 }), ''),
  );
}

function renderNotFound() {
  main.replaceChildren(el('h1', { text: 'Not found' }), el('a', { href: '#/', text: 'Back to the shop' }));
}

function updateCartCount() {
  document.getElementById('cart-count').textContent = String([...cart.values()].reduce((a, b) => a + b, 0));
}

function route() {
  const [, kind, arg] = (location.hash || '#/').split('/');
  const value = arg ? decodeURIComponent(arg) : '';
  if (kind === 'c') renderCategory(value);
  else if (kind === 'p') renderProduct(value);
  else if (kind === 'cart') renderCart();
  else renderHome();
  document.querySelectorAll('#cats a').forEach((a) => a.setAttribute('aria-current', a.dataset.cat === value ? 'page' : 'false'));
  window.scrollTo(0, 0);
}

// --- consent banner ---------------------------------------------------------------------
const banner = document.getElementById('consent-banner');
const boxP = document.getElementById('consent-personalization');
const boxS = document.getElementById('consent-storage');

function decide(consent) {
  v.setConsent(consent);
  banner.hidden = true;
  document.body.classList.remove('with-banner');
  route();
}

function openBanner() {
  const c = v.consent();
  boxP.checked = c.personalization;
  boxS.checked = c.storage;
  banner.hidden = false;
  document.body.classList.add('with-banner');
  banner.querySelector('[data-consent="accept-all"]').focus();
}

banner.addEventListener('click', (e) => {
  const action = e.target.closest('[data-consent]')?.dataset.consent;
  if (action === 'accept-all') decide({ personalization: true, storage: true });
  else if (action === 'reject-all') decide({ personalization: false, storage: false });
  else if (action === 'save-choices') decide({ personalization: boxP.checked, storage: boxP.checked && boxS.checked });
});
boxS.addEventListener('change', () => { if (boxS.checked) boxP.checked = true; });
document.getElementById('privacy-settings').addEventListener('click', openBanner);

document.getElementById('cats').replaceChildren(
  ...CATEGORIES.map((c) => el('a', { href: `#/c/${encodeURIComponent(c.name)}`, 'data-cat': c.name, text: c.name })),
);
window.addEventListener('hashchange', route);
if (v.consent().source === 'default') openBanner();
route();
document.body.dataset.ready = 'true';
