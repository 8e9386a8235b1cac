// The page's copies of vitrine: two bundles that each hold their own (a theme and an app embed,
// two micro-frontends), or the module a dev server loads again on a hot reload. Each copy lists
// its instances in its own wasm memory, and the browser sends the `storage` event only to other
// pages, so a copy tells the others of its writes through this list, which every copy on the page
// shares under one global symbol. Each entry is a copy's function, called with the namespace
// whose records it wrote: keep that contract, copies of other versions call it.
const KEY = Symbol.for('vitrine.copies');

function copies() {
  let all = globalThis[KEY];
  if (!Array.isArray(all)) {
    all = [];
    Object.defineProperty(globalThis, KEY, { value: all, configurable: true });
  }
  return all;
}

export function joinCopies(told) {
  // A page that took the symbol for something else, or froze the list or `globalThis`: this copy
  // then works on its own, as before there was a list.
  try {
    const all = copies();
    if (!all.includes(told)) all.push(told);
  } catch {}
}

/** How deep this copy is telling the others (what one writes in turn is told again): three at most. */
let telling = 0;

export function tellCopies(told, namespace) {
  if (telling >= 3) return;
  let all;
  try {
    all = Array.from(globalThis[KEY]);
  } catch {
    return;
  }
  if (all.length < 2) return;
  // A call made from deep in the page's own recursion: the stack could run out in the middle of
  // another copy's work, leaving that copy's instances stuck (the copies' re-audit), so they are
  // told once the page's code has returned.
  if (!roomy()) {
    queueMicrotask(() => tellCopies(told, namespace));
    return;
  }
  telling += 1;
  try {
    for (const other of all) {
      if (other === told || typeof other !== 'function') continue;
      // A copy that fails (its module trapped) must not stop this one or the others.
      try {
        other(namespace);
      } catch {}
    }
  } finally {
    telling -= 1;
  }
}

/**
 * Whether the stack has room for ROOM more small frames: about twice what opening an instance on a
 * stored profile and writing a decision takes (measured in Chromium: 1,000 of these frames take
 * the stack 3,000 frames of a plain recursion take, that work 1,500), so another copy's work fits.
 */
const ROOM = 1000;
function roomy() {
  try {
    return depth(ROOM) === ROOM;
  } catch {
    return false;
  }
}

function depth(n) {
  return n === 0 ? 0 : depth(n - 1) + 1;
}
