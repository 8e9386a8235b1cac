// What pkg/vitrine.d.ts declares against what the built package does: the literal unions and the
// result shapes a TypeScript page relies on (tests/types checks the declarations compile; this
// checks they are true).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vitrine, { makeCatalog, pkgDir } from './load.mjs';

const { Vitrine } = vitrine;
const dts = readFileSync(new URL('vitrine.d.ts', `file://${pkgDir}`), 'utf8');
const repo = new URL('../../', import.meta.url);

/** The string literals of `export type name = 'a' | 'b' …;`. */
function union(name) {
  const m = dts.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(m, `vitrine.d.ts has no "export type ${name}"`);
  return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
}

/** The members of `export interface name { … }` (its own, not inherited): name → optional. */
function members(name) {
  const m = dts.match(new RegExp(`export interface ${name}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}`));
  assert.ok(m, `vitrine.d.ts has no "export interface ${name}"`);
  const lines = [...m[1].matchAll(/^( +)(\w+)(\??):/gm)];
  const indent = Math.min(...lines.map((x) => x[1].length));
  return Object.fromEntries(lines.filter((x) => x[1].length === indent).map((x) => [x[2], x[3] === '?']));
}

test("track's reasons: the RefusalReason union is every code the core refuses with, and a refusal always has one", () => {
  const rust = readFileSync(new URL('src/event/mod.rs', repo), 'utf8');
  const codes = [...rust.matchAll(/Refusal::\w+ => "(\w+)"/g)].map((x) => x[1]);
  assert.ok(codes.length > 10);
  assert.deepEqual([...union('RefusalReason')].sort(), [...codes].sort());

  const v = Vitrine.open({ catalog: makeCatalog(20), storage: 'memory' });
  assert.deepEqual(v.track('Product Viewed', { product_id: 'candles-0' }), { accepted: false, reason: 'no_consent' });
  v.setConsent({ personalization: true });
  const calls = [
    ['Product Viewed', { product_id: 'candles-0' }],
    ['Bogus Event', {}],
    ['Product Viewed', {}],
    ['Product Viewed', { product_id: 'candles-0', price: -1 }],
    ['Products Searched', {}],
    ['Survey Answered', { score: 11 }],
    ['Product Viewed', { product_id: 'candles-0' }, { timestamp: 'yesterday' }],
    ['Order Completed', { order_id: 'o-1', products: [{ product_id: 'candles-0' }] }],
    ['Order Completed', { order_id: 'o-1', products: [{ product_id: 'candles-0' }] }],
  ];
  const reasons = union('RefusalReason');
  for (const [name, props, opts] of calls) {
    const r = v.track(name, props, opts);
    if (r.accepted) assert.deepEqual(r, { accepted: true }, `${name}: an accepted event has no reason`);
    else {
      assert.deepEqual(Object.keys(r), ['accepted', 'reason'], `${name}: ${JSON.stringify(r)}`);
      assert.ok(reasons.includes(r.reason), `${name}: reason ${r.reason} is not declared`);
    }
  }
  v.free();
});
