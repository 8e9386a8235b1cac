// Every ```js block of README.md and docs/API.md runs against the built package, as written,
// except that `import … from 'vitrine'` points at pkg/ and `await init()` loads the wasm from disk.
// Blocks fenced as ```js browser need a page (fetch, localStorage) and are left to the browser tests.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = new URL('../../', import.meta.url);
const pkg = new URL('pkg/vitrine.js', repo).href;
const wasm = new URL('pkg/vitrine_bg.wasm', repo);
const dir = mkdtempSync(join(tmpdir(), 'vitrine-readme-'));

function blocks(file) {
  const text = readFileSync(new URL(file, repo), 'utf8');
  return [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

for (const file of ['README.md', 'docs/API.md']) {
  blocks(file).forEach((code, i) => {
    test(`${file} snippet ${i + 1} runs`, async () => {
      let src = code.replace(/from 'vitrine'/g, `from ${JSON.stringify(pkg)}`);
      if (!/\binitSync\(/.test(src)) {
        src = src.replace(/^import init, \{/m, 'import init, { initSync,')
          .replace(/await init\(\);/, `initSync({ module: (await import('node:fs')).readFileSync(${JSON.stringify(wasm.pathname)}) });`);
      } else {
        src = src.replace(/fs\.readFileSync\('pkg\/vitrine_bg\.wasm'\)/g, `fs.readFileSync(${JSON.stringify(wasm.pathname)})`);
      }
      const path = join(dir, `${file.replace(/\W/g, '_')}_${i}.mjs`);
      writeFileSync(path, src);
      await assert.doesNotReject(import(pathToFileURL(path).href));
    });
  });
}

test("the package's README links to the repository for the files the package does not hold", () => {
  const packed = readFileSync(new URL('pkg/README.md', repo), 'utf8');
  const { files, repository } = JSON.parse(readFileSync(new URL('pkg/package.json', repo), 'utf8'));
  const targets = [...packed.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  assert.ok(targets.some((t) => t.startsWith(`${repository}/blob/main/docs/`)), 'docs links rewritten');
  assert.ok(targets.some((t) => t.startsWith(`${repository}/raw/main/docs/screenshots/`)), 'images rewritten');
  for (const t of targets) {
    const local = !/^[a-z]+:/.test(t) && !t.startsWith('#');
    assert.ok(!local || files.includes(t.split('#')[0]), `${t} is not in the package`);
    // Each rewritten link names a file of this repository.
    const path = t.startsWith(`${repository}/`) ? t.replace(/^.*?\/(?:blob|raw)\/main\//, '').split('#')[0] : null;
    if (path) assert.ok(readFileSync(new URL(path, repo)), path);
  }
});
