// Small DOM helpers shared by the three pages. Everything is built with createElement and
// textContent (no HTML strings from data), and no inline style attribute: the CSP allows
// stylesheets from this origin only.

/** `el('a', {class, text, href, onclick, …}, ...children)`: an element. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, val] of Object.entries(attrs)) {
    if (val === undefined || val === null || val === false) continue;
    if (k === 'class') e.className = val;
    else if (k === 'text') e.textContent = val;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), val);
    else e.setAttribute(k, val === true ? '' : String(val));
  }
  for (const c of children.flat()) if (c != null && c !== false) e.append(c);
  return e;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** `svg('rect', {x, y, …}, ...children)`: an SVG element. */
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, val] of Object.entries(attrs)) {
    if (val === undefined || val === null || val === false) continue;
    if (k === 'class') e.setAttribute('class', val);
    else if (k === 'text') e.textContent = val;
    else e.setAttribute(k, String(val));
  }
  for (const c of children.flat()) if (c != null && c !== false) e.append(c);
  return e;
}

/** "1 product", "3 products": a count and its noun, in the right number. */
export const plural = (n, word, many = `${word}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? word : many}`;

export const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR' });

/** "3 days ago", "in 5 hours", from a time in ms. */
export function ago(ms, now = Date.now()) {
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const d = (ms - now) / 1000;
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  for (const [unit, s] of units) if (Math.abs(d) >= s || unit === 'second') return rtf.format(Math.round(d / s), unit);
  return '';
}

export const when = (ms) => new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** Bytes as "1.2 KB". */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
}
