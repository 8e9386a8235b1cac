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

/**
 * The parts of the page on screen drawn from vitrine's answers — its shelves, and the parts drawn
 * for the personalisation consent (`forConsent`) —, each with its `again()` functions: a fresh
 * drawing of it when what it would show now differs from what it shows, else null (refresh).
 * They carry `data-live`, so that refresh finds them.
 */
const live = new WeakMap();

/** What a shelf shows, to tell whether a fresh drawing of it differs. */
const seenOn = new WeakMap();

/**
 * Registers `again` for `node`. A node drawn by two (a shelf that is a part drawn for the
 * consent) asks the outer one, registered last, first.
 */
function drawnFrom(node, again) {
  node.dataset.live = '';
  live.set(node, [again, ...(live.get(node) ?? [])]);
  return node;
}

/**
 * A shelf of recommendations: what vitrine's `recommend(request)` returns, under `title`.
 * `title` and `note` are strings, or functions of vitrine's `explainShelf(request)` — the same
 * request, at the same moment — so what the shop says about a shelf (personal or the same for
 * everyone, what was served) agrees with what vitrine says; an empty shelf shows `empty`. The
 * request is kept on the section (`data-request`), so www/human.js explains exactly this shelf.
 * `request` may be a function returning it, for a request that depends on vitrine's other answers
 * (asked again whenever the shelf is).
 */
export function shelf(shop, request, options = {}) {
  const asked = typeof request === 'function' ? request() : request;
  const { title, note, empty = '', self } = options;
  const slot = asked.scenario;
  const recs = shop.recommend(asked);
  const why = shop.explain(asked);
  const text = (value) => (typeof value === 'function' ? value(why) : value);
  const row = el('div', { class: 'row' });
  for (const r of recs) {
    const item = shop.byId.get(r.itemId);
    if (item) row.append(card(shop, item, r.reasons, self));
  }
  const id = `shelf-${slot}`;
  const heading = text(title);
  const caption = text(note);
  const section = el('section', { class: 'shelf', 'data-slot': slot, 'data-request': JSON.stringify(asked), 'aria-labelledby': id },
    el('div', { class: 'shelf-head' },
      el('h2', { id, text: heading }),
      caption ? el('p', { class: 'shelf-note', text: caption }) : null,
      el('code', { class: 'scenario', text: slot, title: `vitrine scenario: ${slot}` })),
    row.childElementCount ? row : el('p', { class: 'empty', text: empty }));
  // Everything the shopper can see of the shelf: its cards and their reasons, its title and
  // caption, and vitrine's sentence that www/human.js puts under it.
  const seen = JSON.stringify([asked, recs.map((r) => [r.itemId, r.reasons]), heading, caption,
    why.explanation, why.served, why.sensitiveExcluded]);
  seenOn.set(section, seen);
  return drawnFrom(section, () => {
    const fresh = shelf(shop, request, options);
    return seenOn.get(fresh) === seen ? null : fresh;
  });
}

/**
 * A part of a page that depends on the personalisation consent (the home page's hero, its
 * personal shelves, what the order confirmation says vitrine kept): `draw(personal)` returns one
 * element, or null where the part shows nothing (an empty placeholder keeps its place). When the
 * consent changes without a navigation (a decision here or in another tab), refresh draws this
 * part again where it stands, and nothing else of the page: the rest does not depend on it, and
 * keeps its state (a sort, "Show more", the focus, the scroll). It is drawn again when what it
 * would show differs from what it shows (`draw` is asked again at each refresh). A part holds no
 * extension slot.
 */
export function forConsent(shop, draw) {
  const node = draw(shop.vitrine.consent().personalization) ?? el('div', { class: 'placeholder', hidden: true });
  // What it shows, as drawn: not only the consent's flag, which can come back to where it was
  // (another tab withdrew and gave consent again before this tab followed) while what the part
  // says changed (the withdrawal erased what it spoke of).
  drawnFrom(node, () => {
    const fresh = forConsent(shop, draw);
    return fresh.outerHTML === seen ? null : fresh;
  });
  const seen = node.outerHTML; // marked as drawn, as the fresh drawing it is compared with
  return node;
}

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

/**
 * Draws again every part under `root` drawn from vitrine's answers whose drawing would change
 * (a shelf whose answer changed, a part drawn for another personalisation consent) — after
 * something that changes vitrine's answers without a navigation (a consent decision here or in
 * another tab, a survey answer, the sensitive box, an item added, another tab's events). Only
 * those parts: the page around them is not drawn again, so its view event (`Product Viewed`, …)
 * is not tracked again and its state is kept. Focus inside a redrawn part moves to the same
 * product's card, else to the element in its place, else to the part (or `root`); nothing else
 * takes focus.
 */
export function refresh(root) {
  for (const old of root.querySelectorAll('[data-live]')) {
    if (!root.contains(old)) continue; // inside a part redrawn above
    const agains = live.get(old) ?? [];
    for (const [i, again] of agains.entries()) {
      const fresh = again();
      if (!fresh) continue;
      // Redrawn by an inner drawing (a shelf's answer changed): the fresh node is still the outer
      // part (drawn for the consent), asked again as that too.
      live.set(fresh, [...agains.slice(0, i), ...live.get(fresh)]);
      replace(old, fresh, root);
      break;
    }
  }
}

function replace(old, fresh, root) {
  const focused = old.contains(document.activeElement) ? document.activeElement : null;
  const focusedCard = focused?.closest('.card');
  const place = focused ? [...old.querySelectorAll(FOCUSABLE)].indexOf(focused) : -1;
  const scrolled = [...old.querySelectorAll('.row')].map((row) => row.scrollLeft);
  old.replaceWith(fresh);
  fresh.querySelectorAll('.row').forEach((row, i) => { row.scrollLeft = scrolled[i] ?? 0; });
  if (!focused) return;
  const targets = [...fresh.querySelectorAll(FOCUSABLE)];
  const target = (focusedCard && targets.find((c) => c.matches('.card') && c.dataset.itemId === focusedCard.dataset.itemId))
    ?? (place >= 0 ? targets[Math.min(place, targets.length - 1)] : undefined);
  if (target) target.focus({ preventScroll: true });
  else if (!fresh.hidden) {
    fresh.tabIndex = -1; // the part emptied under the focus: keep it here, not on <body>
    fresh.focus({ preventScroll: true });
  }
  if (!fresh.contains(document.activeElement)) root.focus({ preventScroll: true });
}
