// The glue's half of `crate::tape` (the format is documented there): results come out of wasm as
// a tape and become plain objects here (`fromTape`); call arguments are walked here, once, into a
// tape that wasm reads (`readValue`). Reading in JS costs one call out of wasm per argument
// instead of one per property and type check (docs/BENCHMARKS.md), and everything that can run
// the caller's code — getters, Proxy traps, `instanceof` on a Proxy — runs inside one try/catch,
// so a throw becomes a status for wasm to turn into an `Error`, never an exception through wasm.

// Results.

// `ignoreBOM`: a string that starts with U+FEFF (the first field of a UTF-8 CSV) keeps it.
const text = new TextDecoder('utf-8', { ignoreBOM: true });
let u8, view, p;
// Short ASCII strings read before (object keys, item ids, reasons): one result repeats most of
// them and the next call most of the rest, and building a string is most of a result's cost. A
// string's slot is a hash of its bytes; a slot holds the last string read there and a copy of its
// bytes, which are compared in full before the string is given again.
const SLOTS = 1024, LONGEST = 32;
const known = new Array(SLOTS).fill('');
const knownBytes = new Uint8Array(SLOTS * LONGEST);
const knownView = new DataView(knownBytes.buffer);
function string() {
  const n = view.getUint32(p, true);
  const start = p + 4, end = start + n;
  if (n <= LONGEST) {
    // Whether every byte is ASCII, and the hash, four bytes at a time.
    const whole = start + (n & ~3);
    let h = n, high = 0, i = start;
    for (; i < whole; i += 4) {
      const w = view.getUint32(i, true);
      high |= w;
      h = (Math.imul(h, 31) + w) | 0;
    }
    for (; i < end; i++) {
      high |= u8[i];
      h = (Math.imul(h, 31) + u8[i]) | 0;
    }
    if ((high & 0x80808080) === 0) {
      // The slot from the hash's top bits, which every byte reaches.
      const slot = Math.imul(h, 0x9e3779b1) >>> 22, at = slot * LONGEST;
      p = end;
      if (known[slot].length === n) {
        let j = 0;
        while (j < n - 3 && knownView.getUint32(at + j, true) === view.getUint32(start + j, true)) j += 4;
        while (j < n && knownBytes[at + j] === u8[start + j]) j++;
        if (j === n) return known[slot];
      }
      // TextDecoder's fixed cost is higher than a loop at these lengths.
      let s = '';
      for (let j = start; j < end; j++) s += String.fromCharCode(u8[j]);
      known[slot] = s;
      knownBytes.set(u8.subarray(start, end), at);
      return s;
    }
  }
  p = end;
  return text.decode(u8.subarray(start, end));
}
// `__proto__` is defined, never assigned, so a key can never change an object's prototype.
function value() {
  switch (u8[p++]) {
    case 0: return null;
    case 1: return false;
    case 2: return true;
    case 3: { const x = view.getFloat64(p, true); p += 8; return x; }
    case 4: return string();
    case 5: { const a = []; while (u8[p] !== 7) a.push(value()); p++; return a; }
    case 6: {
      const o = {};
      while (u8[p] !== 7) {
        p++;
        const k = string();
        const v = value();
        if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        else o[k] = v;
      }
      p++;
      return o;
    }
    default: throw new Error('vitrine: a result could not be read');
  }
}
/** The value of a result tape: a view into wasm memory, read once and not kept. */
export function fromTape(bytes) {
  if (u8 === undefined || u8.buffer !== bytes.buffer) {
    u8 = new Uint8Array(bytes.buffer);
    view = new DataView(bytes.buffer);
  }
  p = bytes.byteOffset;
  return value();
}

// Arguments.

// What the walk can run into besides data; the first byte of the tape. The walk stops at the
// first: nothing after it is read (no further getter runs). TOO_LARGE: too many values, or more
// characters and bytes in all than the call's budget; TOO_LONG: one string longer than allowed.
const OK = 0, TOO_DEEP = 1, TOO_LARGE = 2, THREW = 3, TOO_LONG = 4;
// Thrown by the walk itself. The caller's code never sees them, so it cannot throw them.
const tooDeep = { status: TOO_DEEP };
const tooLarge = { status: TOO_LARGE };
const tooLong = { status: TOO_LONG };
// `Object.keys` and `Array.isArray` as they were when vitrine loaded.
const { keys } = Object;
const { isArray } = Array;
const utf8 = new TextEncoder();

// The tape being written: one buffer, reused. A getter that calls back into vitrine in the middle
// of a walk starts a nested walk, which writes after the outer one's bytes and leaves them alone.
let out = new Uint8Array(1024);
let dv = new DataView(out.buffer);
let at = 0;
// Limits of the current walk: depth, values left, longest string (UTF-16 units); and of the
// current call (`readValue`, `readTrack`), what is left of its budget: UTF-16 units of strings and
// keys plus bytes of byte arrays, checked before each is copied, so a refused call cannot make
// the tape, or wasm memory, grow past it (a 1 MiB string repeated 1,000 times is 1,000 MiB).
let maxDepth = 0, left = 0, maxNodes = 0, maxChars = 0, spare = 0;
// Byte arrays met by the walk (tag 9 holds the index), as plain `Uint8Array`s over their memory;
// wasm copies each, piece by piece, with `copyBytes` once the walk is over.
const none = [];
let found = none;
let bytes = none;

function room(n) {
  if (at + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, at + n));
  bigger.set(out.subarray(0, at));
  out = bigger;
  dv = new DataView(out.buffer);
}

function putString(s) {
  const n = s.length;
  if ((spare -= n) < 0) throw tooLarge;
  room(5 + 3 * n);
  out[at] = 4;
  const start = at + 5;
  let i = 0;
  // Short ASCII (ids, names, keys) byte by byte: cheaper than `encodeInto`'s fixed cost.
  if (n <= 32) {
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) break;
      out[start + i] = c;
    }
  }
  // Lone surrogates become U+FFFD, as wasm-bindgen's own string passing does.
  const len = i === n ? n : utf8.encodeInto(s, out.subarray(start)).written;
  dv.setUint32(at + 1, len, true);
  at = start + len;
}

function putNumber(x) {
  room(9);
  out[at] = 3;
  dv.setFloat64(at + 1, x, true);
  at += 9;
}

function putTag(tag) {
  room(1);
  out[at++] = tag;
}

function is(v, type) {
  // `instanceof` runs a Proxy's getPrototypeOf trap; a trap that throws means "not a …".
  try {
    return v instanceof type;
  } catch {
    return false;
  }
}

const getTime = Date.prototype.getTime;

/** A `Date`'s time, also of one made in another realm (an iframe, a `vm` context), which is no
 * `instanceof Date` here; `undefined` for anything else. This realm's other objects are told
 * apart by `instanceof`, without an exception. */
function dateTime(v) {
  if (is(v, Date)) return v.getTime();
  if (is(v, Object)) return undefined;
  try {
    return getTime.call(v);
  } catch {
    return undefined;
  }
}

function put(v, depth) {
  if (--left < 0) throw tooLarge;
  if (v === undefined) return putTag(8);
  if (v === null) return putTag(0);
  switch (typeof v) {
    case 'boolean': return putTag(v ? 2 : 1);
    case 'number': return putNumber(v);
    case 'string':
      if (v.length > maxChars) throw tooLong;
      return putString(v);
    case 'bigint': room(2); out[at++] = 10; out[at++] = 0; return;
    case 'symbol': room(2); out[at++] = 10; out[at++] = 1; return;
    case 'function': room(2); out[at++] = 10; out[at++] = 2; return;
    case 'object': break;
    default: room(2); out[at++] = 10; out[at++] = 3; return;
  }
  if (depth >= maxDepth) throw tooDeep;
  const time = dateTime(v);
  if (time !== undefined) return putNumber(time);
  const binary = is(v, Uint8Array) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
    : is(v, ArrayBuffer) ? new Uint8Array(v) : undefined;
  if (binary !== undefined) {
    if ((spare -= binary.length) < 0) throw tooLarge;
    room(5);
    out[at] = 9;
    if (found === none) found = [];
    dv.setUint32(at + 1, found.length, true);
    at += 5;
    found.push(binary);
    return;
  }
  if (isArray(v)) {
    const length = v.length;
    const n = typeof length === 'number' ? length : 0;
    if (!(n >= 0 && n <= maxNodes)) throw tooLarge;
    putTag(5);
    for (let i = 0; i < Math.trunc(n); i++) put(v[i], depth + 1);
    return putTag(7);
  }
  const names = keys(v);
  putTag(6);
  for (let i = 0; i < names.length; i++) {
    const k = names[i];
    putString(k);
    put(v[k], depth + 1);
  }
  putTag(7);
}

// A view of all of wasm memory (`readValue`, `readTrack`, `copyBytes`), made again when memory
// has grown (a getter may make it grow): the old buffer is then detached, and a view of it empty.
// That check spares the `memory.buffer` getter, which comparing buffers called at every walk.
let memoryView = new Uint8Array(0);
let viewed;
function wasmBytes(memory) {
  if (memory !== viewed || memoryView.length === 0) {
    memoryView = new Uint8Array(memory.buffer);
    viewed = memory;
  }
  return memoryView;
}

// A tape that wasm could not take at once (see `readValue`).
let pending = new Uint8Array(0);

/**
 * Walks `v` after what is written: a status byte (0 when it could be read), then the value; only
 * the status when it could not. Returns the status. The byte arrays it meets go to `found`.
 */
function walk(v, depth, nodes, chars) {
  // The walk this one may be nested in (a getter called back into vitrine) resumes afterwards.
  const start = at;
  const outerDepth = maxDepth, outerLeft = left, outerNodes = maxNodes, outerChars = maxChars;
  maxDepth = depth;
  left = maxNodes = nodes;
  maxChars = chars;
  let status = OK;
  try {
    putTag(OK);
    put(v, 0);
  } catch (e) {
    status = e === tooDeep || e === tooLarge || e === tooLong ? e.status : THREW;
  }
  maxDepth = outerDepth;
  left = outerLeft;
  maxNodes = outerNodes;
  maxChars = outerChars;
  if (status !== OK) {
    out[start] = status;
    at = start + 1;
  }
  return status;
}

/**
 * Copies the tape written from `start` into wasm memory (`memory`) at `ptr` and returns its
 * length; when it is longer than `space`, keeps it and returns minus its length, for `takeTape`.
 */
function deliver(start, memory, ptr, space) {
  const n = at - start;
  if (n > space) {
    pending = out.subarray(start, at);
    at = start;
    return -n;
  }
  wasmBytes(memory).set(out.subarray(start, at), ptr);
  at = start;
  return n;
}

/**
 * Walks `v` into a tape: a status byte (0 when it could be read), then the value. At most `depth`
 * levels of objects and arrays, `nodes` values in all, strings of at most `chars` UTF-16 units,
 * `budget` UTF-16 units of strings and keys and bytes of byte arrays in all.
 * The tape is copied into wasm memory (`memory`) at `ptr` and its length returned; when it is
 * longer than `room`, it is kept and minus its length returned, for `takeTape`.
 */
export function readValue(v, depth, nodes, chars, budget, memory, ptr, room) {
  const start = at;
  const outerFound = found, outerSpare = spare;
  found = none;
  spare = budget;
  const status = walk(v, depth, nodes, chars);
  // Set after the walk: a nested walk (run by a getter) has come and gone by now.
  bytes = status === OK ? found : none;
  found = outerFound;
  spare = outerSpare;
  return deliver(start, memory, ptr, room);
}

// One of `readTrack`'s walks, after its length (u32, filled in once it is known). The byte arrays
// of a walk that stopped are let go; the others are numbered across the walks.
function part(v, depth, nodes, chars) {
  room(4);
  const lengthAt = at;
  at += 4;
  const kept = found.length;
  const status = walk(v, depth, nodes, chars);
  if (status !== OK && found !== none) found.length = kept;
  dv.setUint32(lengthAt, at - lengthAt - 4, true);
  return status;
}

/**
 * `track`'s three arguments in one call out of wasm: the event name, the properties and the
 * options, each walked as `readValue` walks a value (same limits; `budget` is shared by the three)
 * and written after its length (u32), then the time, `Date.now()` (f64), read once the walks are
 * over. After a name that could not be read, nothing more is walked (`track` throws). Copied into
 * wasm memory as by `readValue`.
 */
export function readTrack(event, properties, options, depth, nodes, chars, budget, memory, ptr, space) {
  const start = at;
  const outerFound = found, outerSpare = spare;
  found = none;
  spare = budget;
  if (part(event, depth, nodes, chars) === OK) {
    part(properties, depth, nodes, chars);
    part(options, depth, nodes, chars);
    room(8);
    dv.setFloat64(at, clock(), true);
    at += 8;
  }
  bytes = found;
  found = outerFound;
  spare = outerSpare;
  return deliver(start, memory, ptr, space);
}

/**
 * `Date.now()`, or 0 when a page's (or a test's) fake clock throws: a clock before 2001, which
 * vitrine takes as wrong (as the module's own `catch` import of it does).
 */
function clock() {
  try {
    return Date.now();
  } catch {
    return 0;
  }
}

/** Copies the tape `readValue` kept into `into` (wasm memory, as long as the tape). */
export function takeTape(into) {
  into.set(pending);
  pending = new Uint8Array(0);
}

/** `track`'s result, made here: no tape for a result of one or two fields. */
export function trackResult(accepted, reason) {
  return reason === undefined ? { accepted } : { accepted, reason };
}

/** The length of the `k`th byte array of the last walk (0 when there is none). */
export function bytesLength(k) {
  const b = bytes[k];
  return b === undefined ? 0 : b.length;
}

// A typed array's own bytes, read by the intrinsic getters: a subclass or an own property may
// redefine `length`, `byteLength` or `subarray`, never what these read.
const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
const intrinsic = (name) => Object.getOwnPropertyDescriptor(typedArray, name).get;
const bufferOf = intrinsic('buffer'), offsetOf = intrinsic('byteOffset'), lengthOf = intrinsic('byteLength');
const tagOf = intrinsic(Symbol.toStringTag);

/** The bytes of `piece` when it is a genuine `Uint8Array` (whatever its getters say), else -1. */
function pieceLength(piece) {
  return ArrayBuffer.isView(piece) && tagOf.call(piece) === 'Uint8Array' ? lengthOf.call(piece) : -1;
}

/** Whether `piece` is a genuine `Uint8Array` of at least `n` bytes. */
export function pieceHolds(piece, n) {
  return pieceLength(piece) >= n;
}

/**
 * Copies `n` bytes of `piece` (a `Uint8Array` of a stream `Vitrine.load` reads), from `from`,
 * into wasm memory (`memory`) at `ptr`. False, nothing copied, when it does not hold them.
 */
export function copyPiece(piece, from, n, memory, ptr) {
  if (pieceLength(piece) < from + n) return false;
  wasmBytes(memory).set(new Uint8Array(bufferOf.call(piece), offsetOf.call(piece) + from, n), ptr);
  return true;
}

/**
 * Copies `n` bytes of the `k`th byte array of the last walk, from `from`, into wasm memory
 * (`memory`) at `ptr`; the walk's reference is dropped with the last piece. False when the array
 * is not that long.
 */
export function copyBytes(k, from, n, memory, ptr) {
  const b = bytes[k];
  if (b === undefined || from + n > b.length) return false;
  wasmBytes(memory).set(b.subarray(from, from + n), ptr);
  if (from + n === b.length) bytes[k] = undefined;
  return true;
}
