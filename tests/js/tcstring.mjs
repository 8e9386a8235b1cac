// Test support: a minimal TC string (TCF v2 core segment, no vendors), built bit by bit.

/** A TC string (core segment only) with consent for `purposes`, last updated at `ms`. */
export function tcString(purposes, ms = Date.now()) {
  const bits = [];
  const n = (v, w) => { for (let i = w - 1; i >= 0; i--) bits.push(Math.floor(v / 2 ** i) % 2); };
  const ds = Math.floor(ms / 100);
  n(2, 6); n(ds, 36); n(ds, 36); n(7, 12); n(1, 12); n(1, 6); n(4, 6); n(13, 6); n(100, 12); n(5, 6);
  n(0, 2); n(0, 12);
  for (let p = 1; p <= 24; p++) bits.push(purposes.includes(p) ? 1 : 0);
  n(0, 24); n(0, 1); n(5, 6); n(17, 6); // LI none, P1T off, country FR
  n(0, 16); n(0, 1); n(0, 16); n(0, 1); n(0, 12); // no vendors, no restrictions
  while (bits.length % 6) bits.push(0);
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < bits.length; i += 6) s += A[parseInt(bits.slice(i, i + 6).join(''), 2)];
  return s;
}
