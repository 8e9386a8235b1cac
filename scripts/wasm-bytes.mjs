// Reading a wasm module's bytes, for the build's scripts that work on the binary itself
// (scripts/order-functions.mjs, scripts/dead-locations.mjs).

/** The unsigned LEB128 number at `at`: `[value, the offset after it]`. */
export function uleb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

/** The module's sections: id and where each one's content starts and ends. */
export function sections(bytes, name) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${name} is not a wasm module`);
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const [size, start] = uleb(bytes, at + 1);
    out.push({ id: bytes[at], from: at, start, end: start + size });
    at = start + size;
  }
  return out;
}
