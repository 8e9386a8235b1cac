// Adds `Vitrine.load` (src/wasm/load.js, which needs the glue's `Vitrine` and `ModelLoad`
// classes, so it is part of the glue rather than a snippet) to the wasm-bindgen output, and its
// declaration (src/wasm/load.d.ts) to the class in vitrine.d.ts, after `open`'s.
//
//   node scripts/load-glue.mjs pkg/vitrine.js pkg/vitrine.d.ts
import { readFileSync, writeFileSync } from 'node:fs';

const [js, dts] = process.argv.slice(2);
const src = (name) => readFileSync(new URL(`../src/wasm/${name}`, import.meta.url), 'utf8');

const glue = readFileSync(js, 'utf8');
for (const name of ['class Vitrine', 'class ModelLoad']) {
  if (!glue.includes(`export ${name} `)) throw new Error(`load-glue: no "export ${name}" in ${js}`);
}
writeFileSync(js, `${glue.trimEnd()}\n\n${src('load.js')}`);

const types = readFileSync(dts, 'utf8');
const anchor = '    static open(options: OpenOptions): Vitrine;\n';
if (types.split(anchor).length !== 2) throw new Error(`load-glue: expected one "${anchor.trim()}" in ${dts}`);
writeFileSync(dts, types.replace(anchor, anchor + src('load.d.ts')));
