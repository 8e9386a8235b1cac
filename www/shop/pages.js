// The storefront's pages. Each renders into <main> from the catalog and vitrine's answers, then
// the router tells extensions (`route` event). Routes: #/ home, #/c/<category>, #/p/<id>,
// #/search/<query>, #/cart. A page's own view event (a product, a list, a search, the cart) goes
// through `shop.trackView`, which tracks it when the shopper navigates to the page and not when the
// same page is drawn again; the router adds a `Page Viewed` for every screen (www/app.js).
import { el, money, plural } from '../lib/dom.js';
import { CATEGORIES, DURABLE, describe } from '../catalog.js';
import { card, forConsent, picture, shelf } from './ui.js';

const K = 8;

/** Where a shelf built from the shop's orders comes from; "the same for everyone" only when it is. */
const fromOrders = (which) => (why) => `From the shop's ${which} orders${why.personal || why.channel ? '' : ' — the same for everyone'}.`;

export function home(shop) {
  // The hero, the captions and the personal shelves depend on the personalisation consent: each
  // is a part drawn for it (forConsent) or reads it when drawn, so that a decision made while
  // the page is on screen redraws them, and only them.
  const personal = () => shop.vitrine.consent().personalization;
  const nodes = [forConsent(shop, (on) => hero(shop, on))];
  // Titled and captioned by what vitrine serves, not by the consent alone: right after "Accept
  // all" nothing is known yet, and the shelf is still the popular one.
  const forYou = { scenario: 'for_you', k: K, excludePurchased: DURABLE };
  nodes.push(shelf(shop, forYou, {
    title: (why) => (why.personal ? 'Picked for you' : 'Popular right now'),
    note: (why) => (why.personal ? null // vitrine's own sentence says it (www/human.js)
      : personal() ? 'Look around: this shelf follows your taste as you browse — in this browser only.'
        : 'Allow personalisation and this shelf follows your taste — on your device only.'),
  }));
  nodes.push(forConsent(shop, (on) => (on ? shelf(shop, { scenario: 'recently_viewed', k: K },
    { title: 'Recently viewed', empty: 'Products you look at will appear here.' }) : null)));
  nodes.push(forConsent(shop, (on) => (on ? shelf(shop, { scenario: 'buy_again', k: K },
    { title: 'Buy again', note: 'Your orders, by how often you come back for them.', empty: 'Things you order will appear here.' }) : null)));
  // While the first shelf is the popular one (nothing known yet, or no consent), this one shows
  // what it does not: two shelves of the same eight products opened every first visit. Asked
  // again with the first shelf's answer of the moment whenever the shelves are.
  const shown = () => (shop.explain(forYou).personal ? [] : shop.recommend(forYou).map((r) => r.itemId));
  nodes.push(shelf(shop, () => ({ scenario: 'trending', k: K, diversity: 0.6, exclude: shown() }),
    { title: 'Trending this week', note: (why) => (why.served ? fromOrders('recent')(why) : null) }));
  nodes.push(el('h2', { class: 'section-title', text: 'Shop by category' }));
  nodes.push(el('div', { class: 'tiles' }, CATEGORIES.map((c) => {
    const best = shop.items.find((i) => i.category === c.name);
    return el('a', { class: 'tile', href: `#/c/${encodeURIComponent(c.name)}` }, picture(best), el('span', { text: c.name }));
  })));
  return nodes;
}

function hero(shop, personal) {
  return el('section', { class: 'hero', 'aria-labelledby': 'hero-title' },
    el('div', { class: 'hero-text' },
      el('p', { class: 'eyebrow', text: 'Autumn at home' }),
      el('h1', { id: 'hero-title', text: 'Slow evenings, warm light, good tea.' }),
      el('p', { text: `${shop.items.length.toLocaleString('en-GB')} things for the home from ${new Set(shop.items.map((i) => i.brand)).size} small makers. `
        + 'The shelves below are arranged for you by vitrine, inside this browser.' }),
      el('div', { class: 'hero-actions' },
        el('a', { class: 'button primary', href: '#/c/Candles', text: 'Shop candles' }),
        personal
          ? el('a', { class: 'button', href: '/audit', text: 'See what this browser knows' })
          : el('button', { type: 'button', class: 'button', 'data-open-consent': '', text: 'Personalise on this device' }))),
    el('div', { class: 'hero-art', 'aria-hidden': 'true' },
      ['can-0001', 'thr-0000', 'tea-0000', 'lam-0000'].map((id) => picture(shop.byId.get(id), 'hero-pic'))));
}

const SORTS = {
  popular: ['Most popular', (a, b) => b.popularity - a.popularity],
  'price-asc': ['Price, low to high', (a, b) => a.price - b.price],
  'price-desc': ['Price, high to low', (a, b) => b.price - a.price],
};

/** A product grid with its Sort menu. Sorting re-orders the grid in place: it is the same list. */
function grid(shop, list, { pageSize = 48 } = {}) {
  let shown = pageSize;
  let sorted = [];
  const box = el('div', { class: 'grid' });
  const more = el('button', { type: 'button', class: 'more', text: 'Show more', onclick: () => { shown += pageSize; fill(); } });
  function fill() {
    box.replaceChildren(...sorted.slice(0, shown).map((i) => card(shop, i)));
    more.hidden = shown >= sorted.length;
    more.textContent = `Show more (${sorted.length - Math.min(shown, sorted.length)} left)`;
  }
  function sortBy(key) {
    sorted = [...list].sort(SORTS[key][1]);
    shown = pageSize;
    fill();
  }
  sortBy('popular');
  const select = el('select', { id: 'sort', onchange: (e) => sortBy(e.target.value) },
    Object.entries(SORTS).map(([k, [label]]) => el('option', { value: k, text: label })));
  return [el('div', { class: 'toolbar' }, el('label', { for: 'sort', text: 'Sort' }), select), box, more];
}

export function category(shop, name) {
  const list = shop.items.filter((i) => i.category === name);
  if (!list.length) return notFound();
  shop.trackView('Product List Viewed', { list_id: name, category: name, products: [...list].sort(SORTS.popular[1]).slice(0, 12).map((i) => ({ product_id: i.id })) });
  const info = CATEGORIES.find((c) => c.name === name);
  return [
    crumbs([['Home', '#/'], [name]]),
    el('div', { class: 'page-head' },
      el('h1', { text: name }),
      el('p', { class: 'count', text: `${plural(list.length, 'product')} from ${info.brands.join(', ')}` })),
    ...grid(shop, list),
  ];
}

export function search(shop, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = shop.items.filter((i) => {
    const text = `${i.title} ${i.category} ${i.brand}`.toLowerCase();
    return words.every((w) => text.includes(w) || (w.endsWith('s') && text.includes(w.slice(0, -1))));
  });
  if (words.length) shop.trackView('Products Searched', { query });
  return [
    crumbs([['Home', '#/'], [`Search: ${query}`]]),
    el('div', { class: 'page-head' },
      el('h1', { text: `“${query}”` }),
      el('p', { class: 'count', text: plural(hits.length, 'product') })),
    el('aside', { class: 'assist', 'data-slot': 'assistance', 'aria-label': 'Help with your search' }),
    ...(hits.length ? grid(shop, hits) : [el('p', { class: 'empty', text: 'Nothing matches; try “candle”, “tea” or a colour such as “sage”.' })]),
  ];
}

export function product(shop, id) {
  const item = shop.byId.get(id);
  if (!item) return notFound();
  shop.trackView('Product Viewed', { product_id: item.id, category: item.category, brand: item.brand, price: item.price, name: item.title });
  const add = el('button', {
    type: 'button',
    class: 'primary big',
    disabled: !item.inStock,
    text: item.inStock ? 'Add to cart' : 'Out of stock',
    onclick: () => {
      shop.addToCart(item, 1);
      add.textContent = 'Added ✓ — add another';
    },
  });
  return [
    crumbs([['Home', '#/'], [item.category, `#/c/${encodeURIComponent(item.category)}`], [item.title]]),
    el('article', { class: 'product', 'data-item-id': item.id },
      picture(item, 'pic large'),
      el('div', { class: 'info' },
        el('p', { class: 'brand', text: item.brand }),
        el('h1', { text: item.title }),
        el('p', { class: 'price big', text: money.format(item.price) }),
        el('p', { class: 'desc', text: describe(item) }),
        el('ul', { class: 'facts' },
          el('li', { text: `Colour: ${item.colour}` }),
          el('li', { text: `Category: ${item.category}` }),
          el('li', { class: item.inStock ? 'in-stock' : 'oos-text', text: item.inStock ? 'In stock — ships in 2 days' : 'Out of stock' })),
        add,
        el('aside', { class: 'assist', 'data-slot': 'assistance', 'aria-label': 'Help with this product' }))),
    shelf(shop, { scenario: 'similar', itemId: item.id, k: K },
      { title: 'You may also like', note: 'Similar products: viewed together in this shop, same maker, style or price.', self: item.id }),
    shelf(shop, { scenario: 'bought_together', itemId: item.id, k: K },
      { title: 'Often bought together', note: fromOrders('past'), self: item.id }),
  ];
}

export function cart(shop) {
  const lines = [...shop.cart].map(([id, qty]) => ({ item: shop.byId.get(id), qty })).filter((l) => l.item);
  const total = lines.reduce((s, l) => s + l.item.price * l.qty, 0);
  // Segment's Cart Viewed lists the whole cart, and vitrine takes the list as the cart it keeps
  // for the `cart` shelf: exactly these lines and quantities. An empty list says the cart is
  // empty (after a reload this demo's cart, kept in the tab, is; vitrine forgets what was added).
  // Tracked before the shelves below are asked for, so they answer for this cart.
  shop.trackView('Cart Viewed', {
    products: lines.map(({ item, qty }, i) => ({
      product_id: item.id, name: item.title, category: item.category, brand: item.brand, price: item.price, quantity: qty, position: i + 1,
    })),
  });
  // The cart is drawn again after a change of quantity; the focus stays on the same button of the
  // same line (on the page when the line is gone), not on <body>.
  const qtyButton = (item, delta, label) => el('button', {
    type: 'button', class: 'qty', 'aria-label': `${label} ${item.title}`, text: delta > 0 ? '+' : '−',
    onclick: (e) => {
      const hadFocus = e.currentTarget === document.activeElement;
      if (delta > 0) shop.addToCart(item, 1); else shop.removeFromCart(item, 1);
      shop.render();
      if (!hadFocus) return;
      const main = document.getElementById('main');
      const same = [...main.querySelectorAll('.lines li')].find((li) => li.dataset.itemId === item.id)
        ?.querySelectorAll('button.qty')[delta > 0 ? 1 : 0];
      if (same) same.focus();
      else {
        const heading = main.querySelector('h1');
        if (heading) { heading.tabIndex = -1; heading.focus(); } else main.focus();
      }
    },
  });
  const body = lines.length
    ? el('ul', { class: 'lines' }, lines.map(({ item, qty }) => el('li', { 'data-item-id': item.id },
      picture(item, 'pic thumb'),
      el('div', { class: 'line-info' },
        el('a', { href: `#/p/${item.id}`, text: item.title }),
        el('span', { class: 'brand', text: item.brand })),
      el('div', { class: 'line-qty' }, qtyButton(item, -1, 'One less'), el('span', { text: String(qty) }), qtyButton(item, 1, 'One more')),
      el('span', { class: 'price', text: money.format(item.price * qty) }))))
    : el('p', { class: 'empty', text: 'Your cart is empty.' });
  const checkout = el('button', {
    type: 'button', class: 'primary big', disabled: !lines.length, text: 'Place order',
    onclick: () => shop.placeOrder(lines, total),
  });
  return [
    el('div', { class: 'page-head' }, el('h1', { text: 'Your cart' })),
    el('div', { class: 'cart-layout' },
      body,
      el('div', { class: 'summary' },
        el('p', { class: 'total' }, 'Total ', el('b', { text: money.format(total) })),
        el('p', { class: 'fine', text: 'A demo: no payment, nothing ships, the order stays in this tab.' }),
        checkout,
        el('aside', { class: 'assist', 'data-slot': 'assistance', 'aria-label': 'Help with your order' }))),
    // With items, what goes with them; with none (a reload empties this demo's cart), the
    // shopper's own picks: a `cart` shelf there would speak of a cart the page just said is empty.
    lines.length
      ? shelf(shop, { scenario: 'cart', itemIds: [...shop.cart.keys()], k: K },
        { title: 'Complete your basket', note: fromOrders('past') })
      : shelf(shop, { scenario: 'for_you', k: K }, { title: 'While your cart is empty', note: '' }),
  ];
}

/**
 * The order confirmation. `placed.kept`: whether vitrine kept the purchase (the order's event was
 * accepted); `placed.erasedAt`: vitrine's last erasure of the profile when it was placed. What the
 * page says of it follows the personalisation consent while it is on screen: a withdrawal erases
 * the profile, the purchase with it, and a yes given afterwards does not bring it back — also when
 * this tab only sees the yes (another tab withdrew and gave consent again before it followed):
 * vitrine's erasure is dated later than the order.
 */
export function order(shop, placed) {
  const erasedSince = () => shop.vitrine.exportData().erasedAt.profile !== placed.erasedAt;
  const fine = (personal) => {
    if (placed.kept && (!personal || erasedSince())) Object.assign(placed, { kept: false, erased: true });
    return el('p', { class: 'fine', text: placed.kept ? 'vitrine noted the purchase in this browser: it will show under “Buy again”.'
      : placed.erased ? 'You withdrew your consent: vitrine erased this purchase with the rest of your profile.'
        : 'Without your consent, vitrine kept nothing about this order.' });
  };
  return [
    el('section', { class: 'thanks' },
      el('h1', { text: 'Thank you!' }),
      el('p', { text: `Your (pretend) order of ${plural(placed.lines.length, 'product')}, ${money.format(placed.total)}, is placed.` }),
      forConsent(shop, fine),
      el('div', { 'data-slot': 'nps' }),
      el('a', { class: 'button', href: '#/', text: 'Back to the shop' })),
  ];
}

export function notFound() {
  return [el('h1', { text: 'Not found' }), el('a', { href: '#/', text: 'Back to the shop' })];
}

function crumbs(parts) {
  return el('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
    el('ol', {}, parts.map(([label, href], i) => el('li', {},
      href && i < parts.length - 1 ? el('a', { href, text: label }) : el('span', { 'aria-current': 'page', text: label })))));
}
