// A model file's checksums written from their specifications, for tests that damage a file
// behind valid checksums or forge a header: XXH64 (the body, versions 2 and 3) and CRC-32 (the
// header).

const M = (1n << 64n) - 1n;
const [P1, P2, P3, P4, P5] = [11400714785074694791n, 14029467366897019727n, 1609587929392839161n,
  9650029242287828579n, 2870177450012600261n];
const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M;
const round = (acc, lane) => (rotl((acc + lane * P2) & M, 31) * P1) & M;
const merge = (acc, v) => (((acc ^ round(0n, v)) * P1) & M) + P4 & M;

/** XXH64 with seed 0. */
export function xxh64(b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length;
  let p = 0;
  let h;
  if (n >= 32) {
    const v = [(P1 + P2) & M, P2, 0n, (M + 1n - P1) & M];
    for (; p + 32 <= n; p += 32) for (let k = 0; k < 4; k++) v[k] = round(v[k], dv.getBigUint64(p + 8 * k, true));
    h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M;
    for (const x of v) h = merge(h, x);
  } else {
    h = P5;
  }
  h = (h + BigInt(n)) & M;
  for (; p + 8 <= n; p += 8) h = ((rotl(h ^ round(0n, dv.getBigUint64(p, true)), 27) * P1) + P4) & M;
  if (p + 4 <= n) {
    h = ((rotl(h ^ ((BigInt(dv.getUint32(p, true)) * P1) & M), 23) * P2) + P3) & M;
    p += 4;
  }
  for (; p < n; p++) h = (rotl(h ^ ((BigInt(b[p]) * P5) & M), 11) * P1) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  return h ^ (h >> 32n);
}

/** CRC-32 (IEEE, reflected, as zlib). */
export function crc32(b) {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Both checksums of a version-2 or -3 file, rewritten in place. */
export function reseal(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  dv.setUint32(24, Number(xxh64(bytes.subarray(32)) & 0xffffffffn), true);
  dv.setUint32(28, crc32(bytes.subarray(0, 28)), true);
  return bytes;
}
