// Calls made with the engine's stack nearly used up, as from deep in a page's own recursion: the
// RangeError then comes out of the middle of the call (tests/js/unwind.test.mjs and
// tests/browser/unwind.test.mjs; the functions are plain, so a browser test can send their text).

/** Calls `call` at the bottom of `depth` frames of recursion: `{threw}` when it was reached. */
export function atDepth(depth, call) {
  let reached = false;
  let threw = null;
  const down = (n) => {
    if (n > 0) return down(n - 1);
    reached = true;
    try {
      call();
    } catch (e) {
      threw = e; // nothing here that needs the stack
    }
    return undefined;
  };
  try {
    down(depth);
  } catch {
    // The recursion itself ran out of stack before reaching the call.
  }
  return reached ? { threw } : null;
}

/**
 * The first error `call` threw when reached with the stack nearly used up: the depth at which it
 * stops being reached is found by halves, then the depths just before it are tried one by one
 * (the window in which it is reached but runs out of stack is a frame or two wide). `null` when
 * it never threw.
 */
export function nearlyOut(call) {
  let first = null;
  const reached = (depth) => {
    const outcome = atDepth(depth, call);
    first ??= outcome?.threw ?? null;
    return outcome !== null;
  };
  let low = 0;
  let high = 1;
  while (reached(high)) [low, high] = [high, high * 2];
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (reached(mid)) low = mid;
    else high = mid;
  }
  for (let depth = Math.max(0, low - 8); depth <= low && !first; depth++) reached(depth);
  return first;
}
