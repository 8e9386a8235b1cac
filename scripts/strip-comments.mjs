// Strips the comments from the package's JavaScript — the wasm-bindgen glue (`pkg/vitrine.js`)
// and its snippet (`src/wasm/tape.js`) — as `make pkg` publishes them. The API's documentation is
// in `vitrine.d.ts`, where editors read it (the glue repeated it as JSDoc), and the code's own
// comments stay in the repository; a page that loads the package without a bundler downloads
// about half the JavaScript. TypeScript's printer does it: a parser, not a pattern, so strings,
// regular expressions and template literals are left as they are. Nothing is minified or renamed.
//
//   node scripts/strip-comments.mjs FILE…
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

// Kept: tells Deno and JSR where the glue's types are.
const pragma = /^\/\* @ts-self-types="[^"]*" \*\/\n/;

for (const file of process.argv.slice(2)) {
  const source = readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      allowJs: true,
      removeComments: true,
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
    },
  });
  writeFileSync(file, (source.match(pragma)?.[0] ?? '') + outputText);
}
