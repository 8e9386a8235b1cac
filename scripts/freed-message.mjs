// wasm-bindgen throws "null pointer passed to rust" when a method is called on an instance whose
// memory free() already released; a page sees that message and no hint of its cause. The glue's
// throw shim says what happened instead (every other message passes through unchanged).
//
//   node scripts/freed-message.mjs pkg/vitrine.js
import { readFileSync, writeFileSync } from 'node:fs';

const [js] = process.argv.slice(2);
const shim = /(__wbg___wbindgen_throw: function ?\(arg0, arg1\) \{\n)(\s*)throw new Error\(getStringFromWasm0\(arg0, arg1\)\);\n/g;
const glue = readFileSync(js, 'utf8');
if (glue.match(shim)?.length !== 1) throw new Error(`freed-message: expected one wasm-bindgen throw shim in ${js}`);
writeFileSync(js, glue.replace(shim, (_, head, indent) => `${head}${indent}const message = getStringFromWasm0(arg0, arg1);
${indent}throw new Error(message === 'null pointer passed to rust'
${indent}    ? 'vitrine: this instance was freed (free() was called); open a new one' : message);
`));
