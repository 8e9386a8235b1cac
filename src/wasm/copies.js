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

export function tellCopies(told, namespace) {
  let all;
  try {
    all = Array.from(globalThis[KEY]);
  } catch {
    return;
  }
  if (all.length < 2) return;
  for (const other of all) {
    if (other === told || typeof other !== 'function') continue;
    // A copy that fails (its module trapped) must not stop this one or the others.
    try {
      other(namespace);
    } catch {}
  }
}
