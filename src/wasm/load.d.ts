    /**
     * Opens vitrine like `open`, with the model file read as it arrives: give `model` the page's
     * `fetch()` of the file (or its `Response`, a `Blob`, a `ReadableStream` of bytes, or the
     * bytes themselves). Each piece is copied into wasm memory and checked as it comes, and
     * what is left runs in four short tasks once the stream ends, so the page never holds the
     * whole file in JavaScript and no task copies and checks all of it at once. The options are
     * checked as `open` checks them before any of the stream is read (a wrong one rejects with
     * what `open` throws, and the stream is cancelled). Rejects with what `open` throws; also when the response is not `ok`, when the stream
     * fails (its own error) or gives something other than bytes, and — as soon as the first 32
     * bytes have arrived, the rest of the stream then cancelled — when the file does not start
     * like a vitrine model file (`model: not a usable model file: it does not start with the vitrine model signature`),
     * and when something else is reading the stream (`load: the model stream is locked: …`).
     * The instance is opened, its `consent` applied, when `load` is called, and is given the
     * model when the file has arrived: a decision made meanwhile in another instance of the page
     * or another tab reaches it through storage, and stands.
     *
     * ```js
     * const v = await Vitrine.load({ model: fetch('/models/shop.vtr'), policy: { diversity: 0.2 } });
     * ```
     */
    static load(options: LoadOptions): Promise<Vitrine>;
