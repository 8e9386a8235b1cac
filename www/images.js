// Product pictures drawn locally as SVG: one illustration per category, varied by the product's
// word (shape) and coloured per product. No image hosts, nothing fetched.

const SHADE = (hex, f) => {
  const n = parseInt(hex.slice(1), 16);
  const c = [n >> 16, (n >> 8) & 255, n & 255].map((v) => Math.max(0, Math.min(255, Math.round(v * f))));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
};

/** Mixes a colour with white: `f` = 0 keeps it, 1 gives white. */
const TINT = (hex, f) => {
  const n = parseInt(hex.slice(1), 16);
  const c = [n >> 16, (n >> 8) & 255, n & 255].map((v) => Math.round(v + (255 - v) * f));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
};

/** A small stable number from a string, to vary shapes between products. */
function hash(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// Each drawing gets (colour, dark shade, light tint, variant 0..3).
const DRAW = {
  Candles: (c, d, l, v) => {
    const h = [80, 60, 95, 70][v];
    const w = [60, 70, 46, 64][v];
    const y = 150 - h;
    return `<rect x="${100 - w / 2}" y="${y}" width="${w}" height="${h}" rx="6" fill="${c}"/>
    <ellipse cx="100" cy="${y}" rx="${w / 2}" ry="8" fill="${d}"/>
    ${v === 1 ? `<rect x="${100 - w / 2}" y="${y + 22}" width="${w}" height="18" fill="${l}"/>` : ''}
    <rect x="98" y="${y - 18}" width="4" height="16" fill="#333"/>
    <path d="M100 ${y - 40} C110 ${y - 28} 108 ${y - 18} 100 ${y - 16} C92 ${y - 18} 90 ${y - 28} 100 ${y - 40}Z" fill="#f2b233"/>`;
  },
  Mugs: (c, d, l, v) => {
    const w = [70, 60, 76, 54][v];
    const h = [80, 90, 62, 70][v];
    const x = 95 - w / 2;
    const y = 145 - h;
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="10" fill="${c}"/>
    <path d="M${x + w} ${y + 17} h12 a16 16 0 0 1 0 32 h-12" fill="none" stroke="${d}" stroke-width="9"/>
    <ellipse cx="95" cy="${y + 1}" rx="${w / 2}" ry="7" fill="${d}"/>
    ${v === 2 ? `<circle cx="80" cy="${y + 35}" r="3" fill="${l}"/><circle cx="100" cy="${y + 28}" r="3" fill="${l}"/><circle cx="110" cy="${y + 45}" r="3" fill="${l}"/><circle cx="88" cy="${y + 50}" r="3" fill="${l}"/>` : ''}`;
  },
  Throws: (c, d, l, v) => `
    <rect x="45" y="60" width="110" height="85" rx="8" fill="${c}"/>
    ${v % 2 ? `<path d="M45 75 h110 M45 95 h110 M45 115 h110 M45 135 h110" stroke="${l}" stroke-width="5"/>`
      : `<rect x="45" y="80" width="110" height="8" fill="${d}"/><rect x="45" y="118" width="110" height="8" fill="${d}"/>`}
    <path d="M50 145 v10 M62 145 v10 M74 145 v10 M86 145 v10 M98 145 v10 M110 145 v10 M122 145 v10 M134 145 v10 M146 145 v10" stroke="${d}" stroke-width="3"/>`,
  Lamps: (c, d, l, v) => [
    `<path d="M70 90 L130 90 L115 45 L85 45 Z" fill="${c}"/><rect x="97" y="90" width="6" height="55" fill="${d}"/><ellipse cx="100" cy="150" rx="28" ry="7" fill="${d}"/>`,
    `<circle cx="100" cy="75" r="32" fill="${c}"/><circle cx="90" cy="65" r="9" fill="${l}" opacity=".6"/><rect x="96" y="105" width="8" height="40" fill="${d}"/><ellipse cx="100" cy="150" rx="30" ry="7" fill="${d}"/>`,
    `<path d="M65 95 Q100 35 135 95 Z" fill="${c}"/><rect x="96" y="95" width="8" height="50" fill="${d}"/><ellipse cx="100" cy="150" rx="24" ry="7" fill="${d}"/>`,
    `<path d="M60 150 Q60 55 120 55" fill="none" stroke="${d}" stroke-width="6"/><path d="M105 55 L140 55 L132 85 L113 85 Z" fill="${c}"/><ellipse cx="60" cy="152" rx="22" ry="6" fill="${d}"/>`,
  ][v],
  Plants: (c, d, l, v) => `
    <path d="M75 110 h50 l-7 45 h-36 Z" fill="${v % 2 ? '#c0643f' : d}"/>
    <path d="M100 110 C80 90 70 70 75 50 C92 62 100 85 100 110Z" fill="${c}"/>
    <path d="M100 110 C120 88 132 72 128 48 C110 60 102 85 100 110Z" fill="${SHADE(c, 0.8)}"/>
    <path d="M100 110 C98 85 100 60 100 ${v === 2 ? 25 : 38} C106 60 104 88 100 110Z" fill="${l}"/>
    ${v === 3 ? `<path d="M100 110 C70 105 55 90 52 72 C75 78 92 92 100 110Z" fill="${SHADE(c, 0.9)}"/>` : ''}`,
  Tea: (c, d, l, v) => (v % 2
    ? `<rect x="65" y="55" width="70" height="95" rx="6" fill="${c}"/><rect x="65" y="55" width="70" height="16" rx="4" fill="${d}"/><circle cx="100" cy="108" r="16" fill="none" stroke="${d}" stroke-width="4"/>`
    : `<rect x="70" y="50" width="60" height="100" rx="30" fill="${c}"/><rect x="70" y="50" width="60" height="20" rx="8" fill="${d}"/><path d="M85 100 q15 -20 30 0 q-15 20 -30 0Z" fill="${l}"/>`),
  Notebooks: (c, d, l, v) => `
    <rect x="62" y="45" width="76" height="105" rx="5" fill="${c}"/>
    <rect x="${v % 2 ? 62 : 120}" y="45" width="7" height="105" fill="${d}"/>
    <rect x="78" y="70" width="35" height="6" rx="3" fill="${l}"/>
    ${v >= 2 ? `<rect x="78" y="82" width="24" height="4" rx="2" fill="${l}"/>` : ''}`,
  Soap: (c, d, l, v) => `
    <rect x="55" y="${v % 2 ? 80 : 85}" width="90" height="${v % 2 ? 60 : 50}" rx="${v % 2 ? 8 : 18}" fill="${c}"/>
    <rect x="70" y="98" width="60" height="22" rx="10" fill="none" stroke="${d}" stroke-width="3"/>`,
  Vases: (c, d, l, v) => [
    `<path d="M88 45 h24 v12 c18 10 26 30 22 55 c-3 22 -16 38 -34 38 c-18 0 -31 -16 -34 -38 c-4 -25 4 -45 22 -55Z" fill="${c}"/><rect x="86" y="42" width="28" height="6" rx="3" fill="${d}"/>`,
    `<rect x="78" y="40" width="44" height="110" rx="18" fill="${c}"/><path d="M85 60 v80 M100 60 v80 M115 60 v80" stroke="${d}" stroke-width="3"/>`,
    `<path d="M94 40 h12 v30 c20 8 30 30 26 50 c-4 20 -18 30 -32 30 c-14 0 -28 -10 -32 -30 c-4 -20 6 -42 26 -50Z" fill="${c}"/>`,
    `<ellipse cx="100" cy="115" rx="42" ry="35" fill="${c}"/><rect x="88" y="70" width="24" height="14" rx="4" fill="${d}"/>`,
  ][v],
  Cushions: (c, d, l, v) => `
    <rect x="50" y="55" width="100" height="90" rx="${v % 2 ? 30 : 18}" fill="${c}" stroke="${d}" stroke-width="5"/>
    ${v >= 2 ? `<path d="M60 100 h80" stroke="${l}" stroke-width="4" stroke-dasharray="6 6"/>` : `<circle cx="100" cy="100" r="5" fill="${d}"/>`}`,
  Wellness: (c, d, l, v) => (v % 2
    ? `<rect x="78" y="70" width="44" height="80" rx="8" fill="${c}"/><rect x="88" y="52" width="24" height="20" rx="3" fill="${d}"/><rect x="96" y="34" width="8" height="20" rx="4" fill="${d}"/><rect x="84" y="95" width="32" height="30" rx="3" fill="${l}"/>`
    : `<rect x="62" y="88" width="76" height="60" rx="10" fill="${c}"/><rect x="58" y="74" width="84" height="18" rx="6" fill="${d}"/><rect x="76" y="105" width="48" height="24" rx="4" fill="${l}"/>`),
};

/** An SVG string picturing `item` (`{id, category, hex, title}`), 200×200. */
export function productSvg(item) {
  const c = item.hex || '#999999';
  const draw = DRAW[item.category] || DRAW.Soap;
  const v = hash(item.word || item.id) % 4;
  const label = String(item.title || '').replace(/[<>&"]/g, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" aria-label="${label}">
    <rect width="200" height="200" fill="${TINT(c, 0.82)}"/>
    <ellipse cx="100" cy="158" rx="62" ry="9" fill="#000" opacity="0.07"/>
    ${draw(c, SHADE(c, 0.65), TINT(c, 0.45), v)}
  </svg>`;
}
