// `Vitrine.load`, appended to the wasm-bindgen glue by scripts/load-glue.mjs (it needs the glue's
// `Vitrine` and `ModelLoad` classes; its declaration is src/wasm/load.d.ts). It reads a model file
// as it arrives and hands each piece to wasm, where it is copied to its place and checked
// (src/wasm/load.rs): the page never holds the whole file in JavaScript. Once the stream has
// ended, the file's sections are read, the parts checked, the model built and given to the
// instance in four tasks, the page's own work free to run between them, so no task of the load
// does all of it. The options are checked first, as `open` checks them, before any of the stream
// is read, and the instance is opened then (its consent applied when the page asks).
// Reading a stream is all it does with the network's data: the page makes the request.

const bodyOf = (source) => {
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) {
      throw new Error(`load: the model file's response is ${source.status} ${source.statusText}`.trim() + (source.url ? ` (${source.url})` : ''));
    }
    if (source.bodyUsed || source.body === null) throw new Error("load: the model file's response has no body left to read");
    return source.body;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.stream();
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return source;
  return undefined;
};

// A view of the chunk's own bytes, made here: the piece's length is this view's, never what the
// chunk's own getters (a subclass's `length`) say; wasm checks it again (src/wasm/tape.js).
const bytesOf = (chunk) => {
  try {
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  } catch {
    // A view whose getters point outside its buffer.
  }
  throw new TypeError(`load: the model stream gave ${chunk === null ? 'null' : typeof chunk}, not bytes`);
};

// The most of a stream's piece taken in one task.
const PIECE = 1 << 20;

// The next task: `scheduler.yield()` where the browser has it, a message to itself elsewhere (not a
// timer: timers of a background tab wait a second or more).
const nextTask = () => {
  if (typeof scheduler === 'object' && typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
};

// Whether the model is still to come (a promise, a `Response`, a `Blob`, a stream): bytes, or no
// model at all, are `open`'s, at once.
const later = (m) => (m !== null && typeof m === 'object' && typeof m.then === 'function')
  || (typeof Response !== 'undefined' && m instanceof Response)
  || (typeof Blob !== 'undefined' && m instanceof Blob)
  || (typeof ReadableStream !== 'undefined' && m instanceof ReadableStream);

// Hands `bytes` to the load, a megabyte per task.
const feed = async (file, bytes) => {
  for (let at = 0; at < bytes.length; at += PIECE) {
    if (at > 0) await nextTask();
    const part = bytes.subarray(at, at + PIECE);
    file.push(part, part.length);
  }
};

// Reads `body` into the load; the reader is taken before anything else.
const read = async (file, body) => {
  let reader;
  try {
    reader = body.getReader();
  } catch {
    throw new TypeError('load: the model stream is locked: something else is reading it (give each load a stream of its own, such as a new fetch)');
  }
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      // A large piece (a Response made from bytes arrives whole) is taken a megabyte per task.
      await feed(file, bytesOf(value));
    }
  } catch (e) {
    reader.cancel(e).catch(() => {});
    throw e;
  }
};

Vitrine.load = async function load(options) {
  const given = options !== null && typeof options === 'object' ? options.model : undefined;
  if (!later(given)) return Vitrine.open(options);
  // The options are checked (a wrong one costs no download), and the instance is opened, its
  // consent applied, now, when the page asks: a decision the shopper makes while the file arrives
  // reaches it as it reaches every instance of the page, and stands (Session::set_model).
  let file;
  try {
    file = new ModelLoad(options);
  } catch (e) {
    Promise.resolve(given).then((source) => bodyOf(source)?.cancel(e)).catch(() => {});
    throw e;
  }
  try {
    const source = await given;
    const body = bodyOf(source);
    if (body !== undefined) {
      await read(file, body);
    } else if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
      await feed(file, bytesOf(source));
    } else if (source === undefined || source === null) {
      // No model after all (a cache that does not hold the file): the instance opened at the
      // call, as `open` without a model gives it.
      return file.instance();
    } else {
      // What `open` refuses: its error.
      file.free();
      file = undefined;
      return Vitrine.open({ ...options, model: source });
    }
    // Three steps: the file's sections read, the parts checked, the model built.
    for (let step = 0; step < 3; step++) {
      await nextTask();
      file.step();
    }
    await nextTask();
  } catch (e) {
    file?.free();
    throw e;
  }
  return Vitrine.openLoaded(file);
};
