// The checks `open` makes of a model file's int8 codes and of its ids' hash table, run by the
// shipped (SIMD) module: damage behind valid checksums, which only these checks can catch. The
// Rust tests make the same cases natively (src/model/file_tests.rs), where the scalar code runs
// instead. The checksums are recomputed (tests/js/checksums.mjs) and checked first against the
// fixtures' own, unchanged.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine from './load.mjs';
import { reseal } from './checksums.mjs';

const { Vitrine } = vitrine;
const fixture = (name) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

/** The `EMBQ` section: where row `i`'s scale and codes are, and the stride. */
function codes(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const count = dv.getUint32(12, true);
  for (let e = 32; e < 32 + 16 * count; e += 16) {
    if (String.fromCharCode(...bytes.subarray(e, e + 4)) !== 'EMBQ') continue;
    const at = dv.getUint32(e + 4, true);
    const [dims, stride] = [dv.getUint32(at, true), dv.getUint32(at + 4, true)];
    const n = (dv.getUint32(e + 8, true) - 8) / (4 + stride);
    return { dims, stride, scale: (i) => at + 8 + 4 * i, row: (i) => at + 8 + 4 * n + stride * i };
  }
  throw new Error('no EMBQ section');
}

/** The scale of a version-3 row: 1 / sqrt(Σ codes²), in f32. */
const unitScale = (squares) => (squares ? Math.fround(1 / Math.fround(Math.sqrt(squares))) : 0);

const open = (model) => Vitrine.open({ model, storage: 'memory' });
const opensOrSays = (model) => {
  try {
    open(model).free();
    return 'opens';
  } catch (e) {
    return e.message;
  }
};

test('the checksums written here are the fixtures\' own', () => {
  for (const name of ['tiny-v3-idhx.vtr', 'tiny-v2-idhx.vtr', 'tiny-v3.vtr', 'tiny-v2-orders.vtr']) {
    const good = fixture(name);
    assert.deepEqual(reseal(good.slice()), good, name);
  }
});

test('int8-only files: damaged codes and scales behind valid checksums are refused', () => {
  const good = fixture('tiny-v3-idhx.vtr');
  const { dims, stride, scale, row } = codes(good);
  assert.ok(stride > dims, 'the fixture has padding to damage');
  /** The file with row 0's codes (and, unless `keep`, its scale to match them) replaced. */
  const withRow = (values, { keep = false, scaleBits } = {}) => {
    const bytes = good.slice();
    const dv = new DataView(bytes.buffer);
    values.forEach((c, j) => dv.setInt8(row(0) + j, c));
    const squares = values.reduce((s, c) => s + c * c, 0);
    if (!keep) dv.setFloat32(scale(0), unitScale(squares), true);
    if (scaleBits !== undefined) dv.setUint32(scale(0), scaleBits, true);
    return reseal(bytes);
  };
  const original = [...good.subarray(row(0), row(0) + stride)].map((c) => (c << 24) >> 24);
  const pad = new Array(stride - dims).fill(0);
  // The fixture row itself, rewritten: still valid (the scale formula matches the builder's).
  assert.equal(opensOrSays(withRow(original)), 'opens');
  const bits = new DataView(good.buffer, good.byteOffset).getUint32(scale(0), true);
  assert.match(opensOrSays(withRow(original, { scaleBits: bits ^ 1 })), /a scale does not match its row/);
  const changed = original.slice();
  changed[0] = changed[0] === 5 ? 6 : 5;
  assert.match(opensOrSays(withRow(changed, { keep: true })), /a scale does not match its row/);
  // Consistent scales, but the codes do not reach ±127, or reach −128.
  const one = (c) => [c, ...new Array(dims - 1).fill(0), ...pad];
  assert.match(opensOrSays(withRow(one(100))), /codes are out of range or do not match its scale/);
  assert.match(opensOrSays(withRow(one(-128))), /codes are out of range or do not match its scale/);
  const both = [127, -128, ...new Array(dims - 2).fill(0), ...pad];
  assert.match(opensOrSays(withRow(both)), /codes are out of range or do not match its scale/);
  assert.equal(opensOrSays(withRow(one(-127))), 'opens');
  assert.equal(opensOrSays(withRow(new Array(stride).fill(0))), 'opens', 'a zero row has scale 0');
  // A code moved into the padding: the same length and scale.
  const moved = original.slice();
  [moved[0], moved[dims]] = [0, moved[0] || 1];
  assert.match(opensOrSays(withRow(moved)), /padding is not zero/);
});

test('files with f32 rows: codes that do not fit their rows behind valid checksums are refused', () => {
  const good = fixture('tiny-v2-idhx.vtr');
  const { stride, row } = codes(good);
  const at = [...good.subarray(row(0), row(0) + stride)].findIndex((c) => c === 127 || c === 129);
  assert.ok(at >= 0, 'row 0 has a full code');
  const bad = good.slice();
  bad[row(0) + at] = 0x80; // −128: the scale still matches the row, the code is out of range
  assert.match(opensOrSays(reseal(bad)), /codes are out of range or do not match its scale/);
  const padded = good.slice();
  padded[row(0) + stride - 1] = 1;
  assert.match(opensOrSays(reseal(padded)), /padding is not zero/);
});

test('int8-only files without padding: damaged rows are refused wherever they are', async () => {
  // 9 items of 16 dimensions (rows of one SIMD vector, no padding). Written by the Rust tool, seeded.
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/vitrine-checks-`);
  const file = `${dir}/nine.vtr`;
  execFileSync('cargo', ['run', '--quiet', '--bin', 'vitrine-bench', '--', 'catalog', '--items', '9', '--dims', '16',
    '--seed', '5', '--out', file], { cwd: new URL('../../', import.meta.url), stdio: 'inherit' });
  const good = new Uint8Array(readFileSync(file));
  rmSync(dir, { recursive: true });
  const { dims, stride, scale, row } = codes(good);
  assert.equal(dims, stride);
  assert.equal(opensOrSays(good), 'opens');
  for (const r of [0, 5, 8]) {
    const edit = (values, keep = false) => {
      const bytes = good.slice();
      const dv = new DataView(bytes.buffer);
      values.forEach((c, j) => dv.setInt8(row(r) + j, c));
      if (!keep) dv.setFloat32(scale(r), unitScale(values.reduce((s, c) => s + c * c, 0)), true);
      return reseal(bytes);
    };
    const one = (...c) => [...c, ...new Array(dims - c.length).fill(0)];
    assert.equal(opensOrSays(edit(one(-127, 3))), 'opens', `row ${r}`);
    assert.equal(opensOrSays(edit(one(0))), 'opens', `row ${r}: a zero row`);
    assert.match(opensOrSays(edit(one(126, 3))), /codes are out of range/, `row ${r}`);
    assert.match(opensOrSays(edit(one(127, -128))), /codes are out of range/, `row ${r}`);
    assert.match(opensOrSays(edit(one(127, 4), true)), /a scale does not match its row/, `row ${r}`);
  }
});

test('the ids\' hash table (IDHX): every id found through it; an unusable one refused', () => {
  const good = fixture('tiny-v3-idhx.vtr');
  const dv = new DataView(good.buffer, good.byteOffset);
  const count = dv.getUint32(12, true);
  let at = -1, len = 0;
  for (let e = 32; e < 32 + 16 * count; e += 16) {
    if (String.fromCharCode(...good.subarray(e, e + 4)) === 'IDHX') [at, len] = [dv.getUint32(e + 4, true), dv.getUint32(e + 8, true)];
  }
  assert.ok(at > 0 && len === 64 * 4, 'the builder wrote a 64-slot table for 30 items');
  const ids = (model) => {
    const v = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
    // An id is found when excluding it takes it off the shelf.
    const shelf = v.recommend({ scenario: 'trending', k: 50 }).map((r) => r.itemId);
    const found = [...shelf, 'nope'].map((id) => v.recommend({ scenario: 'trending', k: 50, exclude: [id] }).length < shelf.length);
    v.free();
    return found;
  };
  const answers = ids(good);
  assert.ok(answers.length > 10, 'a shelf of many items');
  assert.deepEqual(answers, [...answers.slice(0, -1).map(() => true), false]);
  // The file written before the table existed (the table built on load): the same answers.
  assert.deepEqual(ids(fixture('tiny-v3.vtr')), answers);
  const slots = [...Array(len / 4).keys()].map((k) => dv.getUint32(at + 4 * k, true));
  const damaged = (slot, value) => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(at + 4 * slot, value, true);
    return reseal(bad);
  };
  const named = slots.findIndex((s) => s !== 0);
  assert.match(opensOrSays(damaged(named, 31)), /the id hash table \(IDHX\) is not a power of two long, is more than half full, or names an item that does not exist/);
  assert.match(opensOrSays(damaged(named, 0)), /IDHX/);
});
