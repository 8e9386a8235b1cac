// Makes the wasm-bindgen loader pick the build the engine can run: `init()` without arguments
// fetches vitrine_bg.wasm (SIMD128) where WebAssembly SIMD validates, vitrine_scalar_bg.wasm
// elsewhere. `init(url)`, `init({module_or_path})` and `initSync({module})` load what they are
// given, as before. And a call made before the module is loaded says so (below).
//
// Each file is named in its own `new URL('…', import.meta.url)` with a literal name: that is the
// form bundlers (Vite, webpack 5, Parcel, Rollup's asset plugins) recognise to emit the file with
// the bundle and rewrite the URL. A name chosen inside the call (`new URL(simd() ? … : …)`) is
// left alone by them, and a production build then fetches a wasm file it never emitted.
//
//   node scripts/loader.mjs pkg/vitrine.js
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const glue = readFileSync(file, 'utf8');
const from = "module_or_path = new URL('vitrine_bg.wasm', import.meta.url);";
const to = `module_or_path = simd()
            ? new URL('vitrine_bg.wasm', import.meta.url)
            : new URL('vitrine_scalar_bg.wasm', import.meta.url);`;
if (glue.split(from).length !== 2) throw new Error(`loader: expected one "${from}" in ${file}`);

// The smallest module using SIMD: a function returning i8x16.popcnt(i8x16.splat(0)).
const detect = `
/** Whether this engine runs WebAssembly SIMD (a one-function module using v128 validates). */
function simd() {
    return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
}
`;
const anchor = 'async function __wbg_init_once(';
if (!glue.includes(anchor)) throw new Error(`loader: no "${anchor}" in ${file}`);

// Before `init()` (or `initSync`) every call read a property of an undefined `wasm` and threw
// "Cannot read properties of undefined (reading 'vitrine_open')". Until the module is loaded,
// `wasm` is an object whose every property says what to do instead; the loader's own checks of
// whether it is loaded compare with that object.
const declared = 'let wasmModule, wasmInstance, wasm;';
const notLoaded = `const notLoaded = new Proxy({}, {
    get() {
        throw new Error('vitrine: the module is not loaded yet: \`await init()\` first (in Node: \`initSync({ module: bytes })\`)');
    },
});
let wasmModule, wasmInstance, wasm = notLoaded;`;
const loadedCheck = 'if (wasm !== undefined)';
const count = (text) => glue.split(text).length - 1;
if (count(declared) !== 1 || count(loadedCheck) !== 2) {
  throw new Error(`loader: expected one "${declared}" and two "${loadedCheck}" in ${file}`);
}
// `await init()` in Node fetches the file: URL next to the module, which Node's fetch cannot
// read: it rejected with a bare "TypeError: fetch failed"; in a bundled server render (Next.js)
// the bundler has made the URL a path of the site (`/_next/static/media/…`), and it rejected
// with "Failed to parse URL". A failed fetch of a file: URL, or any failed fetch outside a page
// and a worker, now says what to do instead (Deno and Bun, whose fetch reads files, are
// unaffected). The fetch itself is left as it is: tests/js/network_proof.test.mjs recognises the
// loader by it (and by the glue's only two `new URL(…)`s, hence no `new URL` in the message).
const awaited = 'const { instance, module } = await __wbg_load(await module_or_path, imports);';
if (count(awaited) !== 1) throw new Error(`loader: expected one "${awaited}" in ${file}`);
const fetching = "    if (typeof module_or_path === 'string' || (typeof Request";
if (count(fetching) !== 1) throw new Error(`loader: expected one "${fetching.trim()}" in ${file}`);
const onDisk = `    const onDisk = (typeof module_or_path === 'string' || (typeof URL === 'function' && module_or_path instanceof URL))
        && (String(module_or_path).startsWith('file:')
            || (typeof document === 'undefined' && typeof WorkerGlobalScope === 'undefined'));
${fetching}`;
const caught = awaited.replace('await module_or_path', 'await (onDisk ? module_or_path.catch(notOnDisk) : module_or_path)');
const hint = `
/** A failed fetch on a server (\`await init()\` in Node or a server render): what to do instead. */
function notOnDisk(e) {
    throw new Error(\`vitrine: \\\`init()\\\` fetches the .wasm file, which a server cannot (\${e?.message ?? e}); load the file with \\\`initSync({ module: bytes })\\\`: in Node \\\`fs.readFileSync(fileURLToPath(import.meta.resolve('vitrine/vitrine_bg.wasm')))\\\`, in a bundled server render (Next.js) \\\`fs.readFileSync(path.join(process.cwd(), 'node_modules/vitrine/vitrine_bg.wasm'))\\\`; or open vitrine in the browser only (in React, inside useEffect)\`, { cause: e });
}
`;

writeFileSync(file, glue.replace(from, to).replace(anchor, `${detect.trimStart()}${hint}\n${anchor}`)
  .replace(fetching, onDisk).replace(awaited, caught)
  .replace(declared, notLoaded).replaceAll(loadedCheck, 'if (wasm !== notLoaded)'));
