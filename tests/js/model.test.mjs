// Vitrine.open({model}) with a model file made by vitrine-model (tests/fixtures/tiny-v3-idhx.vtr,
// int8 codes only; tiny-v2-idhx.vtr is the same model with f32 rows, as `--embeddings f32` writes
// it; tiny-v3.vtr and tiny-v2-orders.vtr the same written before the optional IDHX section existed,
// tiny-v2.vtr the same written before the optional ORDP and ORDT sections existed,
// tiny-v1-repeat.vtr the same in format version 1, tiny-v1.vtr the same written before the
// optional REPT section existed).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine from './load.mjs';

const { Vitrine } = vitrine;
const fixture = (name) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
const model = fixture('tiny-v3-idhx.vtr');
const granted = { personalization: true, storage: true };

test('a model file opens and drives every scenario', () => {
  const v = Vitrine.open({ model, consent: granted, storage: 'memory' });
  const together = v.recommend({ scenario: 'bought_together', itemId: 'candles-0', k: 5 });
  assert.equal(together.length, 5);
  for (const r of together) assert.ok(r.itemId.startsWith('candles-') && r.itemId !== 'candles-0', JSON.stringify(r));
  assert.ok(together[0].reasons.includes('often bought with candles-0'), JSON.stringify(together[0]));
  const similar = v.recommend({ scenario: 'similar', itemId: 'mugs-1', k: 4 });
  assert.ok(similar.every((r) => r.itemId.startsWith('mugs-')), JSON.stringify(similar));
  assert.equal(v.recommend({ scenario: 'trending', k: 3 }).length, 3);
  v.track('Order Completed', { products: [{ product_id: 'throws-2' }, { product_id: 'throws-5' }] });
  v.track('Product Viewed', { product_id: 'throws-8' });
  const shelf = v.recommend({ scenario: 'for_you', k: 6, diversity: 0 });
  assert.ok(shelf.filter((r) => r.itemId.startsWith('throws-')).length >= 5, JSON.stringify(shelf));
  assert.ok(!shelf.some((r) => r.itemId === 'throws-29'), 'out of stock items are not shown');
  const fresh = v.recommend({ scenario: 'for_you', k: 6, excludePurchased: true });
  assert.ok(!fresh.some((r) => ['throws-2', 'throws-5'].includes(r.itemId)));
  assert.equal(v.profile().categories[0].name, 'throws', 'categories come from the model');
  v.free();
});

test('the same model in older files opens and ranks the same', () => {
  const names = ['tiny-v2-idhx.vtr', 'tiny-v2-orders.vtr', 'tiny-v2.vtr', 'tiny-v1-repeat.vtr', 'tiny-v3-idhx.vtr', 'tiny-v3.vtr'];
  const shelves = names.map((name) => {
    const v = Vitrine.open({ model: fixture(name), consent: granted, storage: 'memory' });
    v.track('Order Completed', { products: [{ product_id: 'throws-2' }, { product_id: 'mugs-1' }] });
    v.track('Product Viewed', { product_id: 'candles-3' });
    const shelf = v.recommend({ scenario: 'for_you', k: 8 }).map((r) => [r.itemId, r.score]);
    v.free();
    return shelf;
  });
  assert.equal(shelves[0].length, 8);
  for (const k of [1, 2, 3]) assert.deepEqual(shelves[k], shelves[0], names[k]);
  assert.deepEqual(shelves[5], shelves[4], names[5]);
  // With int8 codes only, the same shelf; scores move by the codes' rounding at most.
  const [int8, f32] = [shelves[4], shelves[0]];
  assert.deepEqual(int8.map(([id]) => id), f32.map(([id]) => id));
  for (const [k, [, score]] of int8.entries()) assert.ok(Math.abs(score - f32[k][1]) < 1e-3, `${score} vs ${f32[k][1]}`);
});

test('a file without repeat rates (written before they existed) still opens', () => {
  const v = Vitrine.open({ model: fixture('tiny-v1.vtr'), consent: granted, storage: 'memory' });
  v.track('Order Completed', { products: [{ product_id: 'throws-2' }, { product_id: 'mugs-1' }] });
  assert.deepEqual(v.recommend({ scenario: 'buy_again' }).map((r) => r.itemId).sort(), ['mugs-1', 'throws-2']);
  v.free();
});

test('damaged, foreign and compressed files throw a clear Error', () => {
  const cut = model.slice(0, model.length - 10);
  assert.throws(() => Vitrine.open({ model: cut }), { name: 'Error', message: /^model: .*truncated/ });
  const flipped = model.slice();
  flipped[200] ^= 0xff;
  assert.throws(() => Vitrine.open({ model: flipped }), { name: 'Error', message: /^model: .*checksum/ });
  const newer = model.slice();
  newer[8] = 9;
  assert.throws(() => Vitrine.open({ model: newer }), /^Error: model: /);
  assert.throws(() => Vitrine.open({ model: new TextEncoder().encode('item_id,title\n') }), /vitrine model signature/);
  assert.throws(() => Vitrine.open({ model: new Uint8Array([0x1f, 0x8b, 8, 0]) }), /gzip-compressed/);
  assert.throws(() => Vitrine.open({ model: 'model.vtr' }), /options.model must be a Uint8Array/);
});

test('a model file of many pieces opens whole, and damage anywhere in it is caught', async () => {
  // 20,000 items of 32 dimensions (about 4 MB with int8 codes only, 6 MB with f32 rows too):
  // copied in by pieces of 256 KB, each checksummed and checked on the way (docs/MODEL.md,
  // "Loading"). Written by the Rust tool, seeded.
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/vitrine-model-`);
  const root = new URL('../../', import.meta.url);
  for (const embeddings of ['int8', 'f32']) {
    const file = `${dir}/pieces-${embeddings}.vtr`;
    execFileSync('cargo', ['run', '--quiet', '--bin', 'vitrine-bench', '--', 'catalog', '--items', '20000', '--dims', '32',
      '--seed', '3', '--embeddings', embeddings, '--out', file], { cwd: root, stdio: 'inherit' });
    const big = new Uint8Array(readFileSync(file));
    assert.ok(big.length > 16 * 256 * 1024, `${embeddings}: ${big.length} bytes`);
    const v = Vitrine.open({ model: big, consent: granted, storage: 'memory' });
    const trending = v.recommend({ scenario: 'trending', k: 5 });
    assert.equal(trending.length, 5);
    v.track('Product Viewed', { product_id: trending[0].itemId });
    assert.equal(v.recommend({ scenario: 'for_you', k: 10 }).length, 10);
    assert.equal(v.recommend({ scenario: 'similar', itemId: trending[0].itemId, k: 4 }).length, 4);
    v.free();
    // One flipped bit in the first piece, at a piece boundary, at 60 % and in the last byte.
    for (const at of [300, 256 * 1024, Math.floor(big.length * 0.6), big.length - 1]) {
      const bad = big.slice();
      bad[at] ^= 0x04;
      assert.throws(() => Vitrine.open({ model: bad }), { name: 'Error', message: /^model: .*checksum/ },
        `${embeddings}: byte ${at}`);
    }
  }
  rmSync(dir, { recursive: true });
});
