// Writes pkg/package.json from Cargo.toml, and copies the README and licence into pkg/.
import { readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"$`, 'm'))?.[1];

const pkg = {
  name: 'vitrine',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  repository: field('repository'),
  keywords: ['recommendations', 'personalization', 'privacy', 'consent', 'gdpr', 'tcf', 'webassembly'],
  type: 'module',
  main: 'vitrine.js',
  module: 'vitrine.js',
  types: 'vitrine.d.ts',
  exports: {
    '.': { types: './vitrine.d.ts', default: './vitrine.js' },
    './vitrine_bg.wasm': './vitrine_bg.wasm',
    './vitrine_scalar_bg.wasm': './vitrine_scalar_bg.wasm',
  },
  files: ['vitrine_bg.wasm', 'vitrine_scalar_bg.wasm', 'vitrine.js', 'snippets/', 'vitrine.d.ts', 'vitrine_bg.wasm.d.ts', 'README.md', 'LICENSE'],
  sideEffects: false,
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
// The package holds the README but not docs/: its links to the repository's files become links
// to the repository (npm's page and an installed copy would otherwise point nowhere).
const readme = readFileSync('README.md', 'utf8').replace(
  /(!?)(\[[^\]]*\])\((?![a-z]+:|#)([^)\s]+)\)/g,
  (_, image, text, path) => `${image}${text}(${pkg.repository}/${image ? 'raw' : 'blob'}/main/${path})`,
);
writeFileSync('pkg/README.md', readme);
if (existsSync('LICENSE')) copyFileSync('LICENSE', 'pkg/LICENSE');
