// Model files for tests, built by the release `vitrine-model` (`make test-js` and `make
// test-browser` build it first) from order lines and a catalog the test generates, in a
// temporary folder of the test file's own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILDER = fileURLToPath(new URL('../target/release/vitrine-model', import.meta.url));

/** A catalog CSV row of an item `{id, category?, brand?, price?, inStock?, sensitive?}`. */
const row = (i) => `${i.id},${i.id},${i.category ?? ''},${i.brand ?? ''},${i.price ?? ''},${i.inStock === false ? 'false' : 'true'},${i.sensitive ? 'true' : 'false'}`;

/**
 * The model files of one test file, in a folder named from `prefix`: `build(name, lines, items,
 * {dims, f32, seed})` writes `lines` (the order log: a CSV header, then `user_id,order_id,
 * item_id,quantity,price,timestamp,event` lines) and the catalog of `items`, builds `name.vtr`
 * and returns its bytes; `remove()` deletes the folder.
 */
export function modelFiles(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    build(name, lines, items, { dims = 8, f32 = false, seed } = {}) {
      const orders = `${dir}/${name}-orders.csv`;
      const catalog = `${dir}/${name}-catalog.csv`;
      const out = `${dir}/${name}.vtr`;
      writeFileSync(orders, `${lines.join('\n')}\n`);
      writeFileSync(catalog, `${['item_id,title,category,brand,price,in_stock,sensitive', ...items.map(row)].join('\n')}\n`);
      execFileSync(BUILDER, ['build', '--interactions', orders, '--catalog', catalog, '--out', out, '--dims', String(dims), '--quiet',
        ...(seed === undefined ? [] : ['--seed', String(seed)]), ...(f32 ? ['--embeddings', 'f32'] : [])],
      { stdio: ['ignore', 'ignore', 'pipe'] });
      return readFileSync(out);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
