// Gives `init` and `initSync` in vitrine.d.ts vitrine's documentation, with an example each, in
// place of wasm-bindgen's generic comments (which name neither file vitrine picks, nor Node).
//
//   node scripts/init-docs.mjs pkg/vitrine.d.ts
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let dts = readFileSync(file, 'utf8');

const docs = {
  'export function initSync(': `/**
 * Loads vitrine from bytes you already hold, at once (Node, tests, a worker that fetched them):
 * \`vitrine_bg.wasm\`, or \`vitrine_scalar_bg.wasm\` for engines without WebAssembly SIMD. Call it
 * (or \`init\`) once before anything else; a call before it throws, saying so.
 *
 * @example
 * import { readFileSync } from 'node:fs';
 * import { initSync, Vitrine } from 'vitrine';
 * initSync({ module: readFileSync(new URL(import.meta.resolve('vitrine/vitrine_bg.wasm'))) });
 * const v = Vitrine.open({ catalog: [{ id: 'sku-1' }], storage: 'memory' });
 */
`,
  'export default function __wbg_init ': `/**
 * Loads vitrine in the browser: with no argument it fetches \`vitrine_bg.wasm\` next to this module
 * where the engine runs WebAssembly SIMD, \`vitrine_scalar_bg.wasm\` elsewhere (bundlers such as
 * Vite and webpack 5 emit both). Given \`{ module_or_path }\` (a URL, a \`Response\` or bytes), it loads that. Resolves once
 * vitrine can be used; calling it again returns the same load (one that failed is tried again).
 *
 * @example
 * import init, { Vitrine } from 'vitrine';
 * await init();
 * const v = Vitrine.open({ catalog, consent: { personalization: true, storage: true } });
 */
`,
};

// The bare forms (`initSync(bytes)`, `init(url)`) still load, but wasm-bindgen's glue warns that
// they are deprecated: declared as overloads marked so, after the object forms.
const overloads = {
  'export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;':
    `export function initSync(module: { module: SyncInitInput }): InitOutput;
/** @deprecated Pass \`{ module: bytes }\`: the bare form loads, and the glue warns that it is deprecated. */
export function initSync(module: SyncInitInput & { module?: never }): InitOutput;`,
  'export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;':
    `export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> }): Promise<InitOutput>;
/** @deprecated Pass \`{ module_or_path }\`: the bare form loads, and the glue warns that it is deprecated. */
export default function __wbg_init (module_or_path: (InitInput & { module_or_path?: never }) | Promise<InitInput>): Promise<InitOutput>;`,
};

for (const [declaration, doc] of Object.entries(docs)) {
  const at = dts.indexOf(declaration);
  if (at < 0 || dts.indexOf(declaration, at + 1) >= 0) throw new Error(`init-docs: expected one "${declaration}" in ${file}`);
  const start = dts.lastIndexOf('/**', at);
  const end = dts.lastIndexOf('*/', at);
  if (start < 0 || end < start || dts.slice(end + 2, at).trim() !== '') {
    throw new Error(`init-docs: no comment right before "${declaration}" in ${file}`);
  }
  dts = dts.slice(0, start) + doc + dts.slice(at);
}
// lib.dom's `WebAssembly.Module` is an empty interface, which any value but null fits: `& object`
// keeps a string and a number out, and the bare forms' `{ module?: never }` the object form with
// something else in it (`initSync({ module: '/vitrine_bg.wasm' })`: initSync does not fetch).
// Any other object still fits, the price of taking a compiled module.
Object.assign(overloads, {
  'export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;':
    'export type InitInput = RequestInfo | URL | Response | ArrayBufferView | ArrayBuffer | (WebAssembly.Module & object);',
  'export type SyncInitInput = BufferSource | WebAssembly.Module;':
    'export type SyncInitInput = ArrayBufferView | ArrayBuffer | (WebAssembly.Module & object);',
});

for (const [declaration, replacement] of Object.entries(overloads)) {
  if (dts.split(declaration).length !== 2) throw new Error(`init-docs: expected one "${declaration}" in ${file}`);
  dts = dts.replace(declaration, replacement);
}
writeFileSync(file, dts);
