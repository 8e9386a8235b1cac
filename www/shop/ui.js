// Product cards and recommendation shelves. A shelf is `<section data-slot="<scenario>">`; a card
// carries `data-item-id` and `data-category`; every recommended card shows vitrine's first reason
// as a caption and all of them on hover (the raw strings stay in `data-reasons`).
import { el, money } from '../lib/dom.js';
import { productSvg } from '../images.js';

export function picture(item, className = 'pic') {
  const wrap = el('div', { class: className });
  wrap.innerHTML = productSvg(item); // our own SVG template; the only data in it is escaped
  return wrap;
}

/**
 * vitrine's reason strings name items by id (`because you viewed can-0042`); on the page the
 * item's title reads better, and the product on screen is "this". Everything else in the string is
 * shown as vitrine wrote it.
 */
export function humanReason(reason, byId, self) {
  return reason.replace(/\b([a-z]{3}-\d{4})\b/g, (id) => (id === self ? 'this' : byId.get(id)?.title ?? id));
}

export function card(shop, item, reasons = [], self) {
  const human = reasons.map((r) => humanReason(r, shop.byId, self));
  return el('a', {
    class: 'card',
    href: `#/p/${item.id}`,
    'data-item-id': item.id,
    'data-category': item.category,
    'data-reasons': reasons.length ? JSON.stringify(reasons) : undefined,
    title: human.length ? `Why this: ${human.join(' · ')}` : undefined,
  },
  picture(item),
  el('span', { class: 'brand', text: item.brand }),
  el('span', { class: 'title', text: item.title }),
  el('span', { class: 'price', text: money.format(item.price) }),
  human.length ? el('span', { class: 'reason', text: human[0] }) : null,
  item.inStock ? null : el('span', { class: 'oos', text: 'Out of stock' }));
}

/** How each shelf on screen was asked for, so that it can be asked again (refreshShelves). */
const drawn = new WeakMap();

/**
 * A shelf of recommendations: what vitrine's `recommend(request)` returns, under `title`.
 * `title` and `note` are strings, or functions of vitrine's `explainShelf(request)` — the same
 * request, at the same moment — so what the shop says about a shelf (personal or the same for
 * everyone, what was served) agrees with what vitrine says; an empty shelf shows `empty`. The
 * request is kept on the section (`data-request`), so www/human.js explains exactly this shelf.
 */
export function shelf(shop, request, options = {}) {
  const { title, note, empty = '', self } = options;
  const slot = request.scenario;
  const recs = shop.recommend(request);
  const why = shop.explain(request);
  const text = (value) => (typeof value === 'function' ? value(why) : value);
  const row = el('div', { class: 'row' });
  for (const r of recs) {
    const item = shop.byId.get(r.itemId);
    if (item) row.append(card(shop, item, r.reasons, self));
  }
  const id = `shelf-${slot}`;
  const heading = text(title);
  const caption = text(note);
  const section = el('section', { class: 'shelf', 'data-slot': slot, 'data-request': JSON.stringify(request), 'aria-labelledby': id },
    el('div', { class: 'shelf-head' },
      el('h2', { id, text: heading }),
      caption ? el('p', { class: 'shelf-note', text: caption }) : null,
      el('code', { class: 'scenario', text: slot, title: `vitrine scenario: ${slot}` })),
    row.childElementCount ? row : el('p', { class: 'empty', text: empty }));
  // Everything the shopper can see of the shelf: its cards and their reasons, its title and
  // caption, and vitrine's sentence that www/human.js puts under it.
  const seen = JSON.stringify([recs.map((r) => [r.itemId, r.reasons]), heading, caption,
    why.explanation, why.served, why.sensitiveExcluded]);
  drawn.set(section, { request, options, seen });
  return section;
}

/**
 * Asks vitrine again for every shelf under `root` and redraws those whose answer changed — after
 * something that changes vitrine's answers without a navigation (a survey answer, the sensitive
 * box, an item added, another tab). Only the shelves: the page around them is not drawn again,
 * so its view event (`Product Viewed`, …) is not tracked again. Focus inside a redrawn shelf
 * moves to the same product's card, else to the card in its place; nothing else takes focus.
 */
export function refreshShelves(shop, root) {
  for (const old of root.querySelectorAll('section.shelf')) {
    const was = drawn.get(old);
    if (!was) continue;
    const fresh = shelf(shop, was.request, was.options);
    if (drawn.get(fresh).seen === was.seen) continue;
    const hadFocus = old.contains(document.activeElement);
    const focusedCard = hadFocus ? document.activeElement.closest('.card') : null;
    const place = [...old.querySelectorAll('.card')].indexOf(focusedCard);
    const scrolled = old.querySelector('.row')?.scrollLeft ?? 0;
    old.replaceWith(fresh);
    const row = fresh.querySelector('.row');
    if (row) row.scrollLeft = scrolled;
    if (hadFocus) {
      const cards = [...fresh.querySelectorAll('.card')];
      const same = cards.find((c) => c.dataset.itemId === focusedCard?.dataset.itemId)
        ?? (place >= 0 ? cards[Math.min(place, cards.length - 1)] : undefined);
      if (same) same.focus();
      else {
        fresh.tabIndex = -1; // the shelf emptied under the focus: keep it here, not on <body>
        fresh.focus();
      }
    }
  }
}
