// Product pictures drawn locally as SVG: one simple illustration per category, coloured per
// product. No image hosts, nothing fetched.

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

const DRAW = {
  Candles: (c, d) => `
    <rect x="70" y="70" width="60" height="80" rx="6" fill="${c}"/>
    <ellipse cx="100" cy="70" rx="30" ry="8" fill="${d}"/>
    <rect x="98" y="52" width="4" height="16" fill="#333"/>
    <path d="M100 30 C110 42 108 52 100 54 C92 52 90 42 100 30Z" fill="#f2b233"/>`,
  Mugs: (c, d) => `
    <rect x="60" y="65" width="70" height="80" rx="10" fill="${c}"/>
    <path d="M130 82 h12 a16 16 0 0 1 0 32 h-12" fill="none" stroke="${d}" stroke-width="9"/>
    <ellipse cx="95" cy="66" rx="35" ry="7" fill="${d}"/>`,
  Throws: (c, d) => `
    <rect x="45" y="60" width="110" height="85" rx="8" fill="${c}"/>
    <rect x="45" y="80" width="110" height="8" fill="${d}"/>
    <rect x="45" y="118" width="110" height="8" fill="${d}"/>
    <path d="M50 145 v10 M62 145 v10 M74 145 v10 M86 145 v10 M98 145 v10 M110 145 v10 M122 145 v10 M134 145 v10 M146 145 v10" stroke="${d}" stroke-width="3"/>`,
  Lamps: (c, d) => `
    <path d="M70 90 L130 90 L115 45 L85 45 Z" fill="${c}"/>
    <rect x="97" y="90" width="6" height="55" fill="${d}"/>
    <ellipse cx="100" cy="150" rx="28" ry="7" fill="${d}"/>`,
  Plants: (c, d) => `
    <path d="M75 110 h50 l-7 45 h-36 Z" fill="${d}"/>
    <path d="M100 110 C80 90 70 70 75 50 C92 62 100 85 100 110Z" fill="${c}"/>
    <path d="M100 110 C120 88 132 72 128 48 C110 60 102 85 100 110Z" fill="${SHADE(c, 0.8)}"/>
    <path d="M100 110 C98 85 100 60 100 38 C106 60 104 88 100 110Z" fill="${TINT(c, 0.2)}"/>`,
  Tea: (c, d) => `
    <rect x="65" y="55" width="70" height="95" rx="6" fill="${c}"/>
    <rect x="65" y="55" width="70" height="16" rx="4" fill="${d}"/>
    <circle cx="100" cy="108" r="16" fill="none" stroke="${d}" stroke-width="4"/>`,
  Notebooks: (c, d) => `
    <rect x="62" y="45" width="76" height="105" rx="5" fill="${c}"/>
    <rect x="120" y="45" width="7" height="105" fill="${d}"/>
    <rect x="75" y="70" width="35" height="6" rx="3" fill="${TINT(c, 0.45)}"/>`,
  Soap: (c, d) => `
    <rect x="55" y="85" width="90" height="50" rx="18" fill="${c}"/>
    <rect x="70" y="98" width="60" height="22" rx="10" fill="none" stroke="${d}" stroke-width="3"/>`,
  Vases: (c, d) => `
    <path d="M88 45 h24 v12 c18 10 26 30 22 55 c-3 22 -16 38 -34 38 c-18 0 -31 -16 -34 -38 c-4 -25 4 -45 22 -55Z" fill="${c}"/>
    <rect x="86" y="42" width="28" height="6" rx="3" fill="${d}"/>`,
  Cushions: (c, d) => `
    <rect x="50" y="55" width="100" height="90" rx="22" fill="${c}" stroke="${d}" stroke-width="5"/>
    <circle cx="100" cy="100" r="5" fill="${d}"/>`,
};

/** An SVG string picturing `item` (`{category, hex}`), 200×200. */
export function productSvg(item) {
  const c = item.hex || '#999999';
  const draw = DRAW[item.category] || DRAW.Soap;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" aria-label="${item.title.replace(/"/g, '')}">
    <rect width="200" height="200" fill="${TINT(c, 0.82)}"/>
    <ellipse cx="100" cy="160" rx="62" ry="9" fill="#000" opacity="0.07"/>
    ${draw(c, SHADE(c, 0.65))}
  </svg>`;
}
