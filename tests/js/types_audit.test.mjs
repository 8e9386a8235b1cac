// The TypeScript audit: do pkg/vitrine.d.ts's declarations tell the truth, both ways?
// A temp dir installs the packed package (`npm pack pkg/`, `npm i --offline`) as a consumer would,
// strict integration code is compiled against it with node_modules/.bin/tsc (bundler, node16,
// nodenext; strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, verbatimModuleSyntax) and
// run; every result the runtime returns is checked against a checker written from the .d.ts.
// Tests named `defect:` fail until the declarations are fixed; the others guard what was verified.
// (tests/types/usage.ts, types_runtime.test.mjs and contract.test.mjs cover other ground.)
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vitrine, { makeCatalog, pkgDir } from './load.mjs';

const { Vitrine } = vitrine;
const repo = new URL('../../', import.meta.url);
const TSC = new URL('node_modules/.bin/tsc', repo).pathname;
const TYPES = new URL('node_modules/@types', repo).pathname;
const FIXTURE = new URL('tests/fixtures/tiny-v3-idhx.vtr', repo).pathname;
const TC = 'CP_h-0AP_lRwABRACBENAPEgALIAAEAAAAqIAewAwABAAlAB6ABBFABCQAQA9gAA';

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitrine-types-audit-'));
  execFileSync('npm', ['pack', pkgDir, '--pack-destination', dir, '--silent'], { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['i', './vitrine-0.1.0.tgz', '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: dir, stdio: 'pipe' });
});
/** Starts, once, three programs at once: every file under bundler resolution; the integration code under
 * node16, and under nodenext emitted to run. */
function start() {
  compiled ??= tsc('strict', { 'shop.ts': INTEGRATION, ...FILES });
  integration ??= Promise.all([
    tsc('node16', { 'shop.ts': INTEGRATION }, { module: 'node16', moduleResolution: 'node16' }),
    tsc('run', { 'shop.ts': INTEGRATION }, { module: 'nodenext', moduleResolution: 'nodenext', noEmit: false, outDir: 'out',
      lib: ['ESNext', 'DOM', 'esnext.disposable'] }),
  ]);
}
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const STRICT = {
  target: 'ES2022', strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true,
  skipLibCheck: false, lib: ['ESNext', 'DOM'], typeRoots: [TYPES], types: ['node'],
};
/** Writes `files` into a folder of the consumer project and compiles them; resolves to tsc's diagnostics, one a line. */
function tsc(name, files, options = {}) {
  const sub = join(dir, name);
  mkdirSync(sub, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(sub, file), text);
  const compilerOptions = { module: 'esnext', moduleResolution: 'bundler', noEmit: true, ...STRICT, ...options };
  writeFileSync(join(sub, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
  return new Promise((resolve, reject) => {
    const child = spawn(TSC, ['-p', join(sub, 'tsconfig.json'), '--pretty', 'false'], { cwd: sub });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', () => resolve(out.split('\n').filter((l) => /error TS\d+/.test(l))));
  });
}
/** The TS files each test adds to the one strict program compiled (bundler resolution), by name. */
const FILES = {};
let compiled;
let integration;
/** tsc's diagnostics for one of FILES. */
async function diagnostics(file) {
  start();
  const all = await compiled;
  return all.filter((l) => l.startsWith(`${file}(`));
}
const attempt = (f) => { try { return { value: f() }; } catch (e) { return { error: e }; } };

// ---------------------------------------------------------------------------------------------
// Strict integration code, as a shop writes it, compiled as a consumer of the npm package and run.

const INTEGRATION = `
import { readFileSync } from 'node:fs';
import { initSync, npsSummary, decodeTcString, Vitrine } from 'vitrine';
import type { CatalogItem, ConsentInput, ImportRecord, LoadOptions, Recommendation, TrackResult, HistoryEntry } from 'vitrine';

initSync({ module: readFileSync(new URL(import.meta.resolve('vitrine/vitrine_bg.wasm'))) });
const fail = (what: string): never => { throw new Error(what); };
const ok = (r: TrackResult, what: string): void => { if (!r.accepted) fail(what + ': ' + r.reason); };

const catalog: CatalogItem[] = [
  { id: 'sku-9', title: 'Amber candle', category: 'Candles', brand: 'Lumen', price: 12, tags: ['amber'], popularity: 9 },
  { id: 'sku-2', category: 'Candles', price: '14.50', tags: 'fig, summer', popularityByChannel: { tiktok: 40 } },
  { id: 7, category: 'Mugs', inStock: true, sensitive: false },
  { id: 'gid://shopify/Product/1', category: 'Mugs', brand: null },
];
const banner: ConsentInput = { personalization: true, storage: false };
const v = Vitrine.open({
  catalog, consent: banner, storage: 'memory', namespace: 'shop-1', currency: 'EUR',
  policy: { halfLifeDays: 14, retentionDays: 30, gpc: 'deny', sensitiveCategories: ['Health'], diversity: 0.2, rememberRefusal: false,
    maxSignalShare: 0.5, detractors: 'gentle', consentMaxAgeDays: 395, tcfPurposes: 'core' },
});

// Every vocabulary's names, and whole event objects.
ok(v.track('Product Viewed', { product_id: 'sku-9', category: 'Candles', price: 12 }), 'segment');
ok(v.track('view_item', { items: [{ item_id: 'sku-9', item_name: 'Amber', price: 12, quantity: 1 }] }, { timestamp: new Date() }), 'ga4');
ok(v.track('view_item', { event: 'view_item', ecommerce: { currency: 'EUR', value: 12, items: [{ item_id: 'sku-2' }] } }), 'datalayer push');
ok(v.track('product_viewed', { id: 'sh-1', name: 'product_viewed', timestamp: '2026-01-02T03:04:05.000Z', clientId: 'c',
  data: { productVariant: { id: 'v1', price: { amount: 12, currencyCode: 'EUR' }, product: { id: 'gid://shopify/Product/1', type: 'Mugs' } } } }), 'shopify event');
ok(v.track('product_added_to_cart', { cartLine: { quantity: 2, merchandise: { product: { id: 'sku-9' } } } }), 'shopify data');
ok(v.track('Product Added', { type: 'track', event: 'Product Added', properties: { product_id: 'sku-2', quantity: '2' }, context: { page: {} } }), 'segment message');
ok(v.track('Product Viewed', { product_id: 7 }, { timestamp: Date.now() - 1000, channel: 'IG', integrations: { All: true } }), 'ms + channel');
ok(v.track('Product Clicked', { product_id: 'sku-2' }, { timestamp: new Date(Date.now() - 3_600_000).toISOString().replace('T', ' ').replace(/\\.\\d+Z$/, ' +0000') }), 'iso text');
ok(v.track('Products Searched', { query: 'amber' }), 'search');
ok(v.track('search_submitted', { searchResult: { query: 'fig' } }), 'shopify search');
ok(v.track('Product List Viewed', { category: 'Candles', products: [{ product_id: 'sku-9', position: 1 }] }), 'list');
ok(v.track('Page Viewed'), 'page');
ok(v.track('Survey Answered', { score: 9, comment: 'nice' }), 'survey');
ok(v.track('Order Completed', { order_id: 'o-1', products: [{ product_id: 'sku-9', price: 12, quantity: 1 }] }, { channel: 'instagram' }), 'order');
const ignored = v.track('Coupon Applied', {});
if (ignored.accepted || ignored.reason !== 'ignored_event') fail('ignored_event');
const custom = v.track('my_custom_event');
if (custom.accepted || custom.reason !== 'unknown_event') fail('unknown_event');

// Every scenario and option.
const shelves: Recommendation[][] = [
  v.recommend({ scenario: 'for_you', k: 8 }),
  v.recommend({ scenario: 'similar', itemId: 'sku-9', filter: { maxPrice: 30, minPrice: 0, inStock: true } }),
  v.recommend({ scenario: 'similar', itemId: 7 }),
  v.recommend({ scenario: 'bought_together', itemIds: ['sku-9', 7] }),
  v.recommend({ scenario: 'cart', itemIds: ['sku-9'], diversity: 0.5, exclude: ['sku-2'] }),
  v.recommend({ scenario: 'cart' }),
  v.recommend({ scenario: 'trending', channel: 'tiktok' }),
  v.recommend({ scenario: 'recently_viewed', k: 1 }),
  v.recommend({ scenario: 'buy_again', excludePurchased: ['Sofas'] }),
  v.recommend({ scenario: 'for_you', explore: 0.2, excludePurchased: true, filter: { category: ['Candles', 'Mugs'], brand: 'Lumen' } }),
];
const first: string | undefined = shelves[0]?.[0]?.itemId;
if (typeof first !== 'string') fail('for_you is empty');
const why = v.explainShelf({ scenario: 'trending', channel: 'tiktok' });
const served: string = why.served ?? 'none';

// Consent in every form and mix.
const tc = '${TC}';
v.setConsent({ tcf: tc });
v.setConsent({ googleConsentMode: { personalization_storage: 'granted', ad_storage: 'denied', region: ['ES'], wait_for_update: 500 } });
v.setConsent({ personalization: true, tcf: tc, googleConsentMode: { personalization_storage: 'denied' } });
const state = v.setConsent({ personalization: true, storage: true, sensitive: true });
const since: number | null = state.updatedAt;

// Past orders in each shape.
const records: ImportRecord[] = [
  { order_id: 'POS-1', timestamp: Date.now() - 86_400_000, channel: 'in_store', products: [{ product_id: 'sku-9', quantity: 2, price: 12 }] },
  { transaction_id: 'T-2', timestamp: new Date(Date.now() - 2 * 86_400_000), items: [{ item_id: 'sku-2' }] },
  { event: 'purchase', timestamp: new Date(Date.now() - 3 * 86_400_000).toISOString(), ecommerce: { transaction_id: 'T-3', items: [{ item_id: 7 }] } },
  { name: 'checkout_completed', timestamp: new Date(Date.now() - 4 * 86_400_000).toISOString(),
    data: { checkout: { order: { id: 'S-4' }, lineItems: [{ quantity: 1, variant: { product: { id: 'sku-2' } } }] } } },
];
const imported = v.importHistory(records);
if (imported.imported !== 4) fail('importHistory: ' + JSON.stringify(imported));

const history: HistoryEntry[] = v.audit().history;
const kinds = history.map((h) => (h.type === 'consent' ? h.source : h.type));
const summary = npsSummary(new Uint8Array([10, 9, 3]), { level: 0.9 });
const decoded = decodeTcString(tc);
console.log(JSON.stringify({ served, since: typeof since, kinds, nps: summary.nps, purposes: decoded.purposeConsents,
  help: v.assistance().suggestHuman, profile: v.profile()?.categories[0]?.name ?? null }));
v.free();

// Vitrine.load, from every documented source.
const bytes = new Uint8Array(readFileSync(process.env.MODEL ?? fail('MODEL')));
const sources: LoadOptions[] = [
  { model: new Response(bytes) }, { model: Promise.resolve(new Response(bytes)) }, { model: new Blob([bytes]) },
  { model: new Blob([bytes]).stream() }, { model: bytes }, { model: bytes.slice().buffer }, { catalog },
];
for (const options of sources) {
  using w = await Vitrine.load({ ...options, storage: 'memory' });
  if (w.recommend({ scenario: 'trending', k: 1 }).length !== 1) fail('load');
}
`;

test('strict integration code compiles as a consumer of the packed package (bundler, node16, nodenext) and runs', async () => {
  assert.deepEqual(await diagnostics('shop.ts'), [], 'bundler');
  start();
  const [node16, nodenext] = await integration;
  assert.deepEqual(node16, [], 'node16');
  assert.deepEqual(nodenext, [], 'nodenext');
  const out = execFileSync(process.execPath, [join(dir, 'run', 'out', 'shop.js')], { cwd: dir, encoding: 'utf8', env: { ...process.env, MODEL: FIXTURE } });
  const seen = JSON.parse(out.trim().split('\n').at(-1));
  assert.equal(seen.served, 'trending');
  assert.equal(seen.since, 'number');
  assert.deepEqual(seen.purposes, [1, 3, 4, 7]);
  assert.ok(seen.kinds.includes('tcf') && seen.kinds.includes('googleConsentMode') && seen.kinds.includes('explicit'), seen.kinds.join());
});

FILES['wrong.ts'] = `
import { Vitrine } from 'vitrine';
declare const v: Vitrine;
declare const blob: Blob;
export function wrong(): void {
  // @ts-expect-error properties as a bare id
  v.track('Product Viewed', 'sku-1');
  // @ts-expect-error options as a bare channel
  v.track('Product Viewed', { product_id: 'a' }, 'instagram');
  // @ts-expect-error a whole event object as the event name
  v.track({ name: 'product_viewed', data: {} });
  // @ts-expect-error products as a string
  v.track('Order Completed', { products: 'sku-1' });
  // @ts-expect-error a bigint timestamp
  v.track('Product Viewed', { product_id: 'a' }, { timestamp: 10n });
  // @ts-expect-error a channel is a string
  v.track('Product Viewed', { product_id: 'a' }, { channel: 5 });
  // @ts-expect-error k is a number
  v.recommend({ scenario: 'for_you', k: '8' });
  // @ts-expect-error misspelt option
  v.recommend({ scenario: 'for_you', itemID: 'a' });
  // @ts-expect-error misspelt filter key
  v.recommend({ scenario: 'for_you', filter: { max_price: 3 } });
  // @ts-expect-error itemIds as a string
  v.recommend({ scenario: 'cart', itemIds: 'sku-1' });
  // @ts-expect-error a Set is not an array
  v.recommend({ scenario: 'cart', itemIds: new Set(['sku-1']) });
  // @ts-expect-error excludePurchased as a category string
  v.recommend({ scenario: 'for_you', excludePurchased: 'Sofas' });
  // @ts-expect-error unknown policy knob
  Vitrine.open({ policy: { halfLife: 3 } });
  // @ts-expect-error gpc values
  Vitrine.open({ policy: { gpc: 'respect' } });
  // @ts-expect-error a DataView is not a model
  Vitrine.open({ model: new DataView(new ArrayBuffer(8)) });
  // @ts-expect-error a Blob is read by load, not open
  Vitrine.open({ model: blob });
  // @ts-expect-error one record, not an array
  v.importHistory({ timestamp: 1, products: [] });
  // @ts-expect-error a tcf string, not its decoded form
  v.setConsent({ tcf: { purposeConsents: [1] } });
}
`;
test('the declarations reject the wrong calls the runtime throws on (each @ts-expect-error is used)', async () => {
  assert.deepEqual(await diagnostics('wrong.ts'), []);
  // …and each of those throws at run time (a sample of them).
  const v = Vitrine.open({ catalog: makeCatalog(10), consent: { personalization: true }, storage: 'memory' });
  for (const f of [() => v.track('Product Viewed', 'sku-1'), () => v.track('Product Viewed', {}, 'instagram'),
    () => v.track({ name: 'product_viewed', data: {} }), () => v.recommend({ scenario: 'for_you', k: '8' }),
    () => v.recommend({ scenario: 'for_you', itemID: 'a' }), () => v.recommend({ scenario: 'cart', itemIds: new Set(['a']) }),
    () => v.importHistory({ timestamp: 1, products: [] })]) assert.ok(attempt(f).error instanceof Error, String(f));
  v.free();
});

// ---------------------------------------------------------------------------------------------
// Defects: valid, documented calls the declarations reject.

FILES['load.ts'] = `
import { Vitrine } from 'vitrine';
export async function shelf(url: string, hasModel: boolean): Promise<void> {
  const v = await Vitrine.load({ model: hasModel ? fetch(url) : Promise.resolve(undefined) });
  const w = await Vitrine.load({ model: fetch(url).then((r) => (r.status === 204 ? null : r)) });
  v.free(); w.free();
}
`;
FILES['channel.ts'] = `
import { Vitrine } from 'vitrine';
// A page hands its visit's channel to a worker, which passes it on (docs/API.md, "A Web Worker").
export function onMessage(w: Vitrine, page: Vitrine): void {
  const channel = page.channel();
  w.track('Product Viewed', { product_id: 'lamp' }, { channel });
  w.recommend({ scenario: 'trending', channel });
  w.recommend({ scenario: 'trending', channel: w.explainShelf({ scenario: 'trending' }).channel });
}
`;
FILES['init.ts'] = `
import { initSync } from 'vitrine';
// @ts-expect-error a path is not the module's bytes (initSync does not fetch)
initSync({ module: '/assets/vitrine_bg.wasm' });
// @ts-expect-error a number is neither bytes nor a module
initSync(42);
// Left: any object still fits lib.dom's WebAssembly.Module (an empty interface), so
// initSync({ module: { bytes } }) and initSync({ bytes }) compile, and throw at once.
`;
FILES['props.ts'] = `
import { Vitrine } from 'vitrine';
declare const lines: { product_id: string }[];
export function checkout(v: Vitrine): void {
  // @ts-expect-error the lines, not an event's properties ({ products: lines })
  v.track('Order Completed', lines);
  // @ts-expect-error a function is not properties
  v.track('Product Viewed', () => ({ product_id: 'a' }));
  // @ts-expect-error options are an object
  v.track('Product Viewed', { product_id: 'a' }, [{ channel: 'ig' }]);
}
`;


test('Vitrine.load takes a promise that resolves to no model (API.md), and LoadFromModel.model declares it', async () => {
  // The runtime: "A promise that resolves to no model (undefined, null) gives the instance without one".
  for (const model of [Promise.resolve(undefined), Promise.resolve(null)]) {
    const w = await Vitrine.load({ model, storage: 'memory' });
    assert.equal(w.explainShelf({ scenario: 'trending' }).explanation.startsWith('nothing to show: the catalog is empty'), true);
    w.free();
  }
  assert.deepEqual(await diagnostics('load.ts'), []);
});

test("channel() returns Channel | null, and track's, recommend's and importHistory's channel options take null, as the runtime does", async () => {
  const v = Vitrine.open({ catalog: [{ id: 'lamp', popularity: 90 }, { id: 'mug', popularity: 20, popularityByChannel: { tiktok: 300 } }],
    consent: { personalization: true }, storage: 'memory' });
  assert.equal(v.channel(), null); // outside a page; a worker's too
  assert.deepEqual(v.recommend({ scenario: 'trending', channel: null }), v.recommend({ scenario: 'trending' }));
  assert.deepEqual(v.track('Product Viewed', { product_id: 'lamp' }, { channel: null }), { accepted: true });
  assert.deepEqual(v.importHistory([{ timestamp: Date.now(), channel: null, order_id: 'o', products: [{ product_id: 'mug' }] }]),
    { imported: 1, duplicates: 0, refused: [] });
  v.free();
  assert.deepEqual(await diagnostics('channel.ts'), []);
});

// Defects: invalid calls the declarations accept, that throw at run time.

test('SyncInitInput / InitInput refuse a path or a number (lib.dom\'s WebAssembly.Module alone is an empty interface, which any value fits)', async () => {
  const fresh = await import(new URL('../../pkg/vitrine.js?types-audit-init', import.meta.url));
  assert.throws(() => fresh.initSync({ module: '/assets/vitrine_bg.wasm' }), TypeError);
  assert.throws(() => fresh.initSync({ module: { bytes: new Uint8Array(8) } }), TypeError);
  assert.deepEqual(await diagnostics('init.ts'), []);
});

test("EventProperties / TrackOptions (index signature any) refuse an array or a function as track's properties or options, which throw", async () => {
  const v = Vitrine.open({ catalog: makeCatalog(10), consent: { personalization: true }, storage: 'memory' });
  assert.throws(() => v.track('Order Completed', [{ product_id: 'candles-0' }]), /properties must be an object/);
  assert.throws(() => v.track('Product Viewed', () => ({ product_id: 'a' })), /properties must be an object/);
  assert.throws(() => v.track('Product Viewed', { product_id: 'candles-0' }, [{ channel: 'ig' }]), /options must be an object/);
  v.free();
  assert.deepEqual(await diagnostics('props.ts'), []);
});

// ---------------------------------------------------------------------------------------------
// Results against the declarations: a checker written from pkg/vitrine.d.ts, driven through many states.

const str = { k: 'string' }, num = { k: 'number' }, bool = { k: 'boolean' }, nul = { k: 'null' };
const lit = (...v) => ({ k: 'lit', v }), arr = (e) => ({ k: 'arr', e }), or = (...o) => ({ k: 'or', o });
const obj = (req, opt = {}) => ({ k: 'obj', req, opt }), rec = (keys, e) => ({ k: 'rec', keys, e });
const show = (v) => (v === undefined ? 'undefined' : JSON.stringify(v)?.slice(0, 60));
const plain = (v) => v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
function check(t, v, path = '$', out = []) {
  if (t.k === 'string' || t.k === 'number' || t.k === 'boolean') {
    if (typeof v !== t.k || (t.k === 'number' && !Number.isFinite(v))) out.push(`${path}: ${t.k} expected, got ${show(v)}`);
  } else if (t.k === 'null') { if (v !== null) out.push(`${path}: null expected, got ${show(v)}`); }
  else if (t.k === 'lit') { if (!t.v.includes(v)) out.push(`${path}: one of ${t.v.join('|')} expected, got ${show(v)}`); }
  else if (t.k === 'arr') {
    if (!Array.isArray(v)) out.push(`${path}: array expected, got ${show(v)}`);
    else v.forEach((x, i) => check(t.e, x, `${path}[${i}]`, out));
  } else if (t.k === 'or') {
    const tries = t.o.map((o) => check(o, v, path, []));
    if (!tries.some((e) => e.length === 0)) out.push(tries.sort((a, b) => a.length - b.length)[0].join('; '));
  } else if (t.k === 'rec') {
    if (!plain(v)) out.push(`${path}: object expected, got ${show(v)}`);
    else for (const [k, x] of Object.entries(v)) { if (!t.keys.includes(k)) out.push(`${path}.${k}: undeclared key`); check(t.e, x, `${path}.${k}`, out); }
  } else if (t.k === 'obj') {
    if (!plain(v)) { out.push(`${path}: object expected, got ${show(v)}`); return out; }
    for (const [k, kt] of Object.entries(t.req)) { if (!(k in v)) out.push(`${path}.${k}: missing`); else check(kt, v[k], `${path}.${k}`, out); }
    for (const [k, kt] of Object.entries(t.opt)) if (k in v) check(kt, v[k], `${path}.${k}`, out);
    for (const k of Object.keys(v)) if (!(k in t.req) && !(k in t.opt)) out.push(`${path}.${k}: not declared`);
  }
  return out;
}
const Scenario = lit('for_you', 'similar', 'bought_together', 'trending', 'recently_viewed', 'buy_again', 'cart');
const RefusalReason = lit('no_consent', 'unknown_event', 'ignored_event', 'missing_item_id', 'invalid_item_id', 'invalid_price',
  'invalid_quantity', 'string_too_long', 'too_many_items', 'missing_query', 'missing_list', 'invalid_property', 'invalid_timestamp',
  'invalid_channel', 'too_large', 'expired', 'invalid_score', 'duplicate', 'sensitive');
const TrackResult = or(obj({ accepted: lit(true) }, { reason: lit(undefined) }), obj({ accepted: lit(false), reason: RefusalReason }));
const Recommendation = obj({ itemId: str, score: num, reasons: arr(str) });
const ConsentSource = lit('default', 'explicit', 'tcf', 'googleConsentMode', 'gpc', 'stored');
const ConsentState = obj({ personalization: bool, storage: bool, sensitive: bool, source: ConsentSource, updatedAt: or(num, nul) });
const Affinity = obj({ name: str, weight: num, share: num });
const Stamped = obj({ value: str, at: num });
const Stamped2 = obj({ name: str, weight: num, share: num, updatedAt: num });
const NpsAnswer = obj({ score: num, class: lit('promoter', 'passive', 'detractor'), at: num });
const Counts = rec(['view', 'click', 'add', 'remove', 'search', 'list_view', 'cart_view', 'checkout', 'purchase', 'wishlist', 'survey', 'page_view'], num);
const ProfileSummary = obj({ counts: Counts, events: num, categories: arr(Affinity), brands: arr(Affinity),
  priceBand: or(obj({ min: num, max: or(num, nul) }), nul), channels: arr(Affinity), recentlyViewed: arr(str), cart: arr(str),
  purchasedItems: num, signals: num, firstSeen: or(num, nul), lastSeen: or(num, nul), nps: or(NpsAnswer, nul) });
const ProfileExport = obj({ halfLifeDays: num, counts: Counts, sensitiveCounts: Counts,
  items: arr(obj({ itemId: str, weight: num, views: num, adds: num, updatedAt: num })), categories: arr(Stamped2), brands: arr(Stamped2),
  channels: arr(Stamped2), priceBands: arr(obj({ min: num, max: or(num, nul), weight: num, updatedAt: num })), recentlyViewed: arr(Stamped),
  purchases: arr(obj({ itemId: str, count: num, quantity: num, firstAt: num, lastAt: num })), cart: arr(obj({ value: str, at: num, quantity: num })),
  searches: arr(Stamped), firstSeen: or(num, nul), lastSeen: or(num, nul), survey: or(NpsAnswer, nul), cartRemovals: arr(Stamped),
  checkoutStartedAt: or(num, nul), orders: arr(obj({ fingerprint: str, at: num })) });
const StorageKey = obj({ key: str, bytes: num });
const HistoryEntry = or(
  obj({ type: lit('consent'), at: num, personalization: bool, storage: bool, sensitive: bool, source: ConsentSource }),
  obj({ type: lit('erase'), at: num, what: lit('profile', 'storage', 'sensitive', 'all') }),
  obj({ type: lit('reset'), at: num, key: str, reason: str }), obj({ type: lit('prune'), at: num, signals: num }),
  obj({ type: lit('clock'), at: num, ahead: num }), obj({ type: lit('storageError'), at: num, message: str }),
  obj({ type: lit('ignored'), at: num, source: lit('tcf', 'stored'), reason: str }),
  obj({ type: lit('sync'), at: num, what: lit('consent', 'profile') }), obj({ type: lit('cleared'), at: num }));
const AuditReport = obj({ mode: lit('local-only'), version: str, network: obj({ capable: lit(false), imports: str, proof: str }),
  consent: ConsentState, gpc: bool,
  policy: obj({ halfLifeDays: num, retentionDays: num, gpc: lit('deny', 'ignore'), sensitiveCategories: arr(str), diversity: num,
    rememberRefusal: bool, maxSignalShare: num, detractors: lit('gentle', 'same'), consentMaxAgeDays: num, tcfPurposes: lit('core', 'publisher') }),
  storage: obj({ backend: lit('local', 'memory'), namespace: str, persistent: bool, keys: arr(StorageKey), totalBytes: num }),
  profile: obj({ held: bool, signals: num, oldest: or(num, nul), retentionDays: num, halfLifeDays: num, memoryBytes: num, mergeBuffer: num }),
  history: arr(HistoryEntry), generatedAt: num });
const ExportData = obj({ format: lit('vitrine-export'), version: str, exportedAt: num, consent: ConsentState, profile: or(ProfileExport, nul),
  writers: arr(obj({ writer: num, events: num, lastWriteAt: num })), profileBeganAt: or(num, nul),
  erasedAt: obj({ profile: or(num, nul), sensitive: or(num, nul) }), storage: arr(StorageKey), history: arr(HistoryEntry) });
const ImportResult = obj({ imported: num, duplicates: num, refused: arr(obj({ index: num, reason: RefusalReason })) }, { reason: lit('no_consent') });
const Assistance = obj({ suggestHuman: bool, reasons: arr(lit('detractor', 'checkout_abandoned', 'cart_hesitation', 'searches_without_click')) });
const ShelfExplanation = obj({ scenario: Scenario, served: or(Scenario, nul), personal: bool, explanation: str,
  signals: arr(lit('views', 'cart', 'purchases', 'categories', 'brands', 'priceBand', 'channel', 'survey')), channel: or(str, nul),
  sensitiveExcluded: bool, maxSignalShare: num });
const NpsSummary = obj({ responses: num, promoters: num, passives: num, detractors: num, nps: or(num, nul), standardError: or(num, nul),
  interval: or(obj({ level: num, low: num, high: num }), nul), method: lit('adjusted-wald') });
const DecodedTcString = obj({ version: lit(2), created: num, lastUpdated: num, cmpId: num, cmpVersion: num, consentScreen: num,
  consentLanguage: str, vendorListVersion: num, policyVersion: num, isServiceSpecific: bool, useNonStandardStacks: bool,
  specialFeatureOptins: arr(num), purposeConsents: arr(num), purposeLegitimateInterests: arr(num), purposeOneTreatment: bool,
  publisherCountryCode: str, maxVendorIdConsent: num, vendorConsents: arr(num), maxVendorIdLegitimateInterest: num,
  vendorLegitimateInterests: arr(num), publisherRestrictions: arr(obj({ purposeId: num, restrictionType: lit(0, 1, 2, 3), vendors: arr(num) })),
  disclosedVendors: arr(num), allowedVendors: arr(num),
  publisherTC: or(obj({ purposeConsents: arr(num), purposeLegitimateInterests: arr(num), numCustomPurposes: num,
    customPurposeConsents: arr(num), customPurposeLegitimateInterests: arr(num) }), nul) });

test('the checker agrees with pkg/vitrine.d.ts: every union it lists is the declared one', () => {
  const dts = readFileSync(new URL('vitrine.d.ts', `file://${pkgDir}`), 'utf8');
  const union = (name) => [...dts.match(new RegExp(`export type ${name} =([^;]*);`))[1].matchAll(/'([^']*)'/g)].map((m) => m[1]).sort();
  assert.deepEqual(union('Scenario'), [...Scenario.v].sort());
  assert.deepEqual(union('RefusalReason'), [...RefusalReason.v].sort());
  assert.deepEqual(union('ConsentSource'), [...ConsentSource.v].sort());
  assert.deepEqual(union('ShelfSignal'), [...ShelfExplanation.req.signals.e.v].sort());
  assert.deepEqual(union('AssistanceReason'), [...Assistance.req.reasons.e.v].sort());
  const kinds = dts.match(/counts: Partial<Record<([^,]*),/)[1];
  assert.deepEqual([...kinds.matchAll(/'([^']*)'/g)].map((m) => m[1]).sort(), [...Counts.keys].sort());
  const history = dts.match(/export type HistoryEntry =([\s\S]*?)\n\n/)[1];
  assert.deepEqual([...history.matchAll(/type: '(\w+)'/g)].map((m) => m[1]).sort(), HistoryEntry.o.map((o) => o.req.type.v[0]).sort());
});

/** Checks every reading method of `v`, and `recommend`/`explainShelf` for each of `shelves`. */
function readAll(v, tag, shelves, problems) {
  const note = (what, errs) => { for (const e of errs) problems.push(`${tag} ${what}: ${e}`); };
  note('consent()', check(ConsentState, v.consent()));
  note('profile()', check(or(ProfileSummary, nul), v.profile()));
  note('audit()', check(AuditReport, v.audit()));
  note('exportData()', check(ExportData, v.exportData()));
  note('assistance()', check(Assistance, v.assistance()));
  note('channel()', check(or(str, nul), v.channel()));
  for (const o of shelves) {
    note(`recommend(${JSON.stringify(o)})`, check(arr(Recommendation), v.recommend(o)));
    note(`explainShelf(${JSON.stringify(o)})`, check(ShelfExplanation, v.explainShelf(o)));
  }
}
const shelvesFor = (id) => [{ scenario: 'for_you' }, { scenario: 'trending' }, { scenario: 'recently_viewed' }, { scenario: 'buy_again' },
  { scenario: 'cart' }, { scenario: 'cart', itemIds: [id] }, { scenario: 'cart', itemIds: ['not-in-catalog'] }, { scenario: 'similar', itemId: id },
  { scenario: 'bought_together', itemIds: [id] }, { scenario: 'similar', itemId: 'not-in-catalog' }, { scenario: 'trending', channel: 'tiktok' },
  { scenario: 'for_you', k: 100, diversity: 1, explore: 1 }, { scenario: 'for_you', filter: { category: 'nothing' } }];

test('results match their declared types: consent states, activity, sensitive items, empty catalog, model, detractor, erase', async () => {
  const problems = [];
  const tr = (v, ...a) => { for (const e of check(TrackResult, v.track(...a))) problems.push(`track(${a[0]}): ${e}`); };
  const catalog = makeCatalog(40);
  catalog[1].sensitive = true;
  catalog[2].popularityByChannel = { tiktok: 500 };
  let v = Vitrine.open({ catalog, storage: 'memory' });
  readAll(v, 'no consent', shelvesFor('candles-0'), problems);
  tr(v, 'Product Viewed', { product_id: 'candles-0' });
  problems.push(...check(ImportResult, v.importHistory([{ timestamp: Date.now(), products: [{ product_id: 'candles-0' }] }])));
  v.free();

  v = Vitrine.open({ catalog, consent: { personalization: true, storage: true }, storage: 'memory', policy: { sensitiveCategories: ['Lamps'] } });
  for (const call of [
    ['Product Viewed', { product_id: 'candles-0', price: 12 }], ['view_item', { items: [{ item_id: 'mugs-1', price: '9.5' }] }],
    ['product_viewed', { productVariant: { product: { id: 'candles-5', type: 'Candles' }, price: { amount: 3, currencyCode: 'EUR' } } }],
    ['Product Viewed', { product_id: 'lamps-3' }], ['Product Viewed', { product_id: 'mugs-1' }, { channel: 'IG' }],
    ['Product Clicked', { product_id: 'tea-4' }], ['add_to_cart', { items: [{ item_id: 'candles-10', quantity: 2 }] }],
    ['Product Removed', { product_id: 'candles-10' }], ['Product Added', { product_id: 'candles-10' }], ['Product Removed', { product_id: 'candles-10' }],
    ['Product Added', { product_id: 'candles-10' }], ['Products Searched', { query: 'lamp' }], ['search', { search_term: 'lamp 2' }],
    ['search_submitted', { searchResult: { query: 'lamp 3' } }], ['Product List Viewed', { category: 'Mugs', products: [{ product_id: 'mugs-6' }] }],
    ['Cart Viewed', {}], ['Checkout Started', {}], ['Order Completed', { order_id: 'o1', products: [{ product_id: 'throws-2', quantity: 1, price: 30 }] }],
    ['Order Completed', { order_id: 'o1', products: [{ product_id: 'throws-2', quantity: 1, price: 30 }] }],
    ['Product Added to Wishlist', { product_id: 'tea-9' }], ['Survey Answered', { score: 3 }], ['Page Viewed'], ['page_view'],
    ['Coupon Applied', {}], ['Bogus', {}], ['Product Viewed', {}], ['Product Viewed', { product_id: 'x', price: -1 }],
    ['Product Viewed', { product_id: 'candles-1' }], ['Product Viewed', { product_id: 'a' }, { timestamp: 'yesterday' }],
    ['Product Viewed', { product_id: 'a' }, { timestamp: 1 }], ['Product Viewed', { product_id: 'a', category: 5 }],
    ['Checkout Started', { products: [{ product_id: 'candles-10' }] }],
  ]) tr(v, ...call);
  problems.push(...check(ImportResult, v.importHistory([{ timestamp: Date.now() - 86_400_000, order_id: 'p', channel: 'in_store',
    products: [{ product_id: 'tea-14' }] }, { order_id: 'x' }, { timestamp: 1 }, { name: 'product_viewed', timestamp: Date.now(), data: {} }])));
  readAll(v, 'activity', shelvesFor('candles-0'), problems);
  v.setConsent({ personalization: true, storage: true, sensitive: true });
  tr(v, 'Product Viewed', { product_id: 'lamps-3' });
  readAll(v, 'sensitive consent', shelvesFor('lamps-3'), problems);
  v.setConsent({ personalization: true, storage: true });
  readAll(v, 'sensitive withdrawn', shelvesFor('candles-0'), problems);
  v.setConsent({ personalization: false });
  readAll(v, 'withdrawn', shelvesFor('candles-0'), problems);
  v.setConsent({ tcf: TC });
  v.setConsent({ googleConsentMode: { personalization_storage: 'granted' } });
  readAll(v, 'consent mode', shelvesFor('candles-0'), problems);
  v.erase();
  readAll(v, 'erased', shelvesFor('candles-0'), problems);
  v.free();

  v = Vitrine.open({});
  readAll(v, 'no catalog', shelvesFor('a'), problems);
  v.free();
  v = Vitrine.open({ catalog: [], consent: { personalization: true }, storage: 'memory' });
  tr(v, 'Product Viewed', { product_id: 'a', category: 'X', price: 5 });
  readAll(v, 'empty catalog', shelvesFor('a'), problems);
  v.free();

  const model = new Uint8Array(readFileSync(FIXTURE));
  v = Vitrine.open({ model, consent: { personalization: true }, storage: 'memory' });
  const top = v.recommend({ scenario: 'trending', k: 3 });
  for (const r of top) tr(v, 'Product Viewed', { product_id: r.itemId });
  readAll(v, 'model', shelvesFor(top[0].itemId), problems);
  v.free();
  v = await Vitrine.load({ model: new Response(model), consent: { personalization: true }, storage: 'memory' });
  readAll(v, 'loaded', shelvesFor(top[0].itemId), problems);
  v.free();

  v = Vitrine.open({ catalog, consent: { personalization: true }, storage: 'memory' });
  tr(v, 'Survey Answered', { score: 2 });
  readAll(v, 'detractor', shelvesFor('candles-0'), problems);
  v.free();

  for (const s of [[], [10], [0, 0], [10, 9, 7, 3], new Uint8Array([5, 5, 9])]) problems.push(...check(NpsSummary, vitrine.npsSummary(s)));
  problems.push(...check(DecodedTcString, vitrine.decodeTcString(TC)));
  assert.deepEqual(problems, []);
});

test('results match their declared types with a CMP, GPC and localStorage: every history entry kind', () => {
  const problems = [];
  const catalog = makeCatalog(20);
  let callback;
  globalThis.__tcfapi = (command, version, cb) => { if (command === 'addEventListener') callback = cb; };
  Object.defineProperty(globalThis, 'navigator', { value: { globalPrivacyControl: true }, configurable: true });
  const proto = Object.getPrototypeOf(globalThis);
  class Window {}
  Object.setPrototypeOf(Window.prototype, proto);
  const store = new Map();
  const listeners = [];
  const globals = {
    Window, document: { URL: 'https://shop.example/?utm_source=ig', referrer: '' },
    localStorage: {
      getItem: (k) => (store.has(k) ? store.get(k) : null),
      setItem: (k, val) => { if (k.startsWith('full:')) throw new DOMException('full', 'QuotaExceededError'); store.set(k, String(val)); },
      removeItem: (k) => void store.delete(k), key: (i) => [...store.keys()][i] ?? null, get length() { return store.size; }, clear: () => store.clear(),
    },
    addEventListener: (type, f) => listeners.push([type, f]), removeEventListener: () => {},
  };
  const saved = Object.fromEntries(Object.keys(globals).map((k) => [k, Object.getOwnPropertyDescriptor(globalThis, k)]));
  Object.assign(globalThis, globals);
  Object.setPrototypeOf(globalThis, Window.prototype);
  const kinds = new Set();
  try {
    const t = Vitrine.open({ catalog, storage: 'memory' });
    assert.equal(Vitrine.listenTcf(t), true);
    for (const data of [{ gdprApplies: false, tcString: 'x' }, { gdprApplies: true, tcString: 'CAA' }, { gdprApplies: true },
      { gdprApplies: true, tcString: TC }]) callback({ eventStatus: 'useractioncomplete', listenerId: 1, ...data }, true);
    t.setConsent({ personalization: true });
    readAll(t, 'cmp + gpc', [{ scenario: 'for_you' }], problems);
    assert.equal(t.channel(), 'instagram');
    for (const h of t.audit().history) kinds.add(h.type);
    t.free();

    const a = Vitrine.open({ catalog, consent: { personalization: true, storage: true, sensitive: true } });
    a.track('Product Viewed', { product_id: 'candles-0' });
    a.free();
    store.set('vitrine:profile', 'damaged');
    const c = Vitrine.open({ catalog });
    c.track('Product Viewed', { product_id: 'candles-5' });
    store.clear();
    c.track('Product Viewed', { product_id: 'candles-10' });
    readAll(c, 'local', [{ scenario: 'for_you' }], problems);
    for (const h of c.audit().history) kinds.add(h.type);
    c.free();
    const f = Vitrine.open({ catalog, namespace: 'full', consent: { personalization: true, storage: true } });
    f.track('Product Viewed', { product_id: 'candles-0' });
    readAll(f, 'storage full', [{ scenario: 'for_you' }], problems);
    for (const h of f.audit().history) kinds.add(h.type);
    f.free();
  } finally {
    Object.setPrototypeOf(globalThis, proto);
    for (const [k, d] of Object.entries(saved)) { if (d) Object.defineProperty(globalThis, k, d); else delete globalThis[k]; }
    delete globalThis.navigator;
    delete globalThis.__tcfapi;
  }
  assert.deepEqual(problems, []);
  for (const kind of ['consent', 'ignored', 'reset', 'cleared', 'storageError', 'erase']) assert.ok(kinds.has(kind), `${kind}: ${[...kinds]}`);
});

test('Vitrine.load takes each documented source (Response, promise of one, Blob, stream, Uint8Array, ArrayBuffer) and open an ArrayBuffer', async () => {
  const bytes = new Uint8Array(readFileSync(FIXTURE));
  for (const model of [new Response(bytes), Promise.resolve(new Response(bytes)), new Blob([bytes]), new Blob([bytes]).stream(), bytes,
    bytes.slice().buffer, Promise.resolve(new Blob([bytes]))]) {
    const v = await Vitrine.load({ model, storage: 'memory' });
    assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2);
    v.free();
  }
  const v = Vitrine.open({ model: bytes.slice().buffer, storage: 'memory' });
  assert.equal(v.recommend({ scenario: 'trending', k: 2 }).length, 2);
  v.free();
});
