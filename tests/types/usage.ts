// Compiled with `tsc -p tests/types` against the built pkg/vitrine.d.ts: correct use type-checks,
// and each `@ts-expect-error` line must really be an error (tsc fails if it is not).
import init, { decodeTcString, initSync, npsSummary, Vitrine, version } from 'vitrine';
import type {
  Assistance, AssistanceReason, AuditReport, CatalogItem, Channel, ConsentInput, ConsentState, DecodedTcString, ExportData,
  HistoryEntry, ImportRecord, ImportResult, LoadOptions, NpsClass, NpsSummary, ProfileSummary, PublisherRestriction,
  Recommendation, RefusalReason, ShelfExplanation, TrackResult,
} from 'vitrine';

export async function storefront(catalog: CatalogItem[]): Promise<void> {
  await init();
  const v: Vitrine = Vitrine.open({ catalog, consent: { personalization: true, storage: false }, storage: 'memory' });
  const r1: TrackResult = v.track('Product Viewed', { product_id: 'sku-1', price: 12 });
  const r2: TrackResult = v.track('view_item', { items: [{ item_id: 'sku-1' }] }, { timestamp: new Date(), channel: 'instagram' });
  v.track('Cart Viewed');
  v.track('a_custom_event_name_is_allowed_and_refused_at_run_time');
  if (!r1.accepted && r1.reason === 'no_consent') console.log(r2);
  const shelf: Recommendation[] = v.recommend({ scenario: 'for_you', k: 8, filter: { category: ['Candles'], maxPrice: 30 } });
  const first: string | undefined = shelf[0]?.itemId;
  const reasons: string[] = shelf[0]?.reasons ?? [];
  const state: ConsentState = v.setConsent({ personalization: false });
  const profile: ProfileSummary | null = v.profile();
  const audit: AuditReport = v.audit();
  const exported: ExportData = v.exportData();
  const capable: false = audit.network.capable;
  v.erase();
  console.log(first, reasons, state.source, profile?.categories[0]?.share, exported.profile?.items, capable, version());
  v.free();
}

export function consentSignals(v: Vitrine, tc: string): void {
  const decoded: DecodedTcString = decodeTcString(tc);
  const p5: boolean = decoded.purposeConsents.includes(5);
  const r: PublisherRestriction | undefined = decoded.publisherRestrictions[0];
  const custom: number[] = decoded.publisherTC?.customPurposeConsents ?? [];
  v.setConsent({ tcf: tc });
  v.setConsent({ googleConsentMode: { personalization_storage: 'granted', ad_storage: 'denied', wait_for_update: 500 } });
  v.setConsent({ personalization: true, storage: true, tcf: tc });
  const listening: boolean = Vitrine.listenTcf(v);
  const a: AuditReport = v.audit();
  const gpc: boolean = a.gpc;
  const handling: 'deny' | 'ignore' = a.policy.gpc;
  const last: HistoryEntry | undefined = a.history.at(-1);
  if (last?.type === 'sync') console.log(last.what);
  if (last?.type === 'ignored') console.log(last.reason);
  console.log(p5, r?.restrictionType, custom, listening, gpc, handling, a.profile.mergeBuffer);
  // @ts-expect-error: Consent Mode values are 'granted' or 'denied'
  v.setConsent({ googleConsentMode: { personalization_storage: true } });
  // @ts-expect-error: not a Consent Mode v2 key
  v.setConsent({ googleConsentMode: { personalisation_storage: 'granted' } });
  // @ts-expect-error: a TC string is a string
  decodeTcString(42);
}

export async function streamed(url: string, blob: Blob, bytes: Uint8Array): Promise<void> {
  const v: Vitrine = await Vitrine.load({ model: fetch(url), policy: { diversity: 0.2 }, storage: 'memory' });
  const w: Vitrine = await Vitrine.load({ model: blob.stream() });
  const x: Vitrine = await Vitrine.load({ model: await fetch(url) });
  const y: Vitrine = await Vitrine.load({ model: bytes, consent: { personalization: true } });
  const z: LoadOptions = { catalog: [{ id: 'sku-1' }] };
  await Vitrine.load(z);
  // @ts-expect-error: a URL is not fetched by vitrine; the page fetches it
  await Vitrine.load({ model: url });
  // @ts-expect-error: load returns a promise
  Vitrine.load({ model: blob }).recommend({ scenario: 'trending' });
  [v, w, x, y].forEach((s) => s.free());
}

export function node(bytes: Uint8Array): void {
  initSync({ module: bytes });
  const v = Vitrine.open({});
  // @ts-expect-error: unknown scenario
  v.recommend({ scenario: 'for_them' });
  // @ts-expect-error: scenario is required
  v.recommend({ k: 3 });
  // @ts-expect-error: consent flags are booleans
  v.setConsent({ personalization: 'yes' });
  // @ts-expect-error: storage is 'local' or 'memory'
  Vitrine.open({ storage: 'cookie' });
  // @ts-expect-error: catalog items need an id
  Vitrine.open({ catalog: [{ title: 'no id' }] });
}

export function humanFirst(v: Vitrine, catalog: CatalogItem[]): void {
  const items: CatalogItem[] = [...catalog, { id: 'sku-tt', popularityByChannel: { tiktok: 120, instagram: 4 }, sensitive: false }];
  const w = Vitrine.open({ catalog: items, policy: { sensitiveCategories: ['Health'], maxSignalShare: 0.4, detractors: 'gentle' } });
  const channel: Channel | null = w.channel();
  w.track('Product Viewed', { product_id: 'sku-1' }, { channel: 'in_store' });
  w.track('Survey Answered', { score: 9, comment: 'great' });
  w.track('Order Completed', { order_id: 'A-1', products: [{ product_id: 'sku-1' }] });
  const records: ImportRecord[] = [{ order_id: 'POS-1', timestamp: new Date(), channel: 'in_store', products: [{ product_id: 'sku-1', quantity: 1 }] }];
  const imported: ImportResult = w.importHistory(records);
  const help: Assistance = w.assistance();
  const why: AssistanceReason | undefined = help.reasons[0];
  const shelf: ShelfExplanation = w.explainShelf({ scenario: 'trending', channel: 'tiktok' });
  const served: string | null = shelf.served;
  const cls: NpsClass | undefined = w.profile()?.nps?.class;
  const state: ConsentState = w.setConsent({ personalization: true, storage: true, sensitive: true });
  const sensitive: boolean = state.sensitive;
  const summary: NpsSummary = npsSummary([10, 9, 3], { level: 0.9 });
  const low: number | undefined = summary.interval?.low;
  const fromBytes: NpsSummary = npsSummary(new Uint8Array([10, 0]));
  // What the runtime takes as "no options" (a form's empty field, a default left null).
  npsSummary([10], { level: undefined });
  npsSummary([10], null);
  const removed = w.exportData().profile?.cartRemovals;
  console.log(channel, imported.duplicates, help.suggestHuman, why, served, cls, sensitive, low, fromBytes.nps, removed, v);
  // @ts-expect-error: detractors is 'gentle' or 'same'
  Vitrine.open({ policy: { detractors: 'ignore' } });
  // @ts-expect-error: tcfPurposes is 'core' or 'publisher'
  Vitrine.open({ policy: { tcfPurposes: 'vendors' } });
  // @ts-expect-error: an imported order needs its timestamp
  w.importHistory([{ order_id: 'x', products: [] }]);
  // @ts-expect-error: sensitive consent is a boolean
  w.setConsent({ sensitive: 'yes' });
  w.free();
}

// track's answer is a union: a refusal always has a reason, an accepted event none.
export function trackResults(v: Vitrine, say: Record<RefusalReason, string>): string {
  const spec: RefusalReason = 'ignored_event'; // the vocabularies' events vitrine has no use for
  void spec;
  v.track('Wishlist Product Added to Cart', { product_id: 'sku-1', quantity: 1 });
  const r = v.track('Product Viewed', { product_id: 'sku-1' });
  if (r.accepted) {
    const none: undefined = r.reason;
    return String(none);
  }
  const reason: RefusalReason = r.reason;
  const ok: TrackResult = { accepted: true };
  // @ts-expect-error: a refusal says why
  const silent: TrackResult = { accepted: false };
  // @ts-expect-error: an accepted event has no reason
  const both: TrackResult = { accepted: true, reason: 'no_consent' };
  console.log(ok, silent, both);
  return say[reason];
}

// With exactOptionalPropertyTypes, an option given as `undefined` is one left out, as the runtime
// reads it (a product page's `product?.id`, a banner state not filled in for every purpose).
export async function undefinedIsLeftOut(
  v: Vitrine,
  product: { id: string; category?: string } | undefined,
  banner: { personalization?: boolean; storage?: boolean },
): Promise<void> {
  const item: CatalogItem = {
    id: 'sku-1', title: undefined, category: product?.category, brand: undefined, price: undefined, tags: undefined,
    inStock: undefined, sensitive: undefined, embedding: undefined, popularity: undefined, popularityByChannel: undefined,
  };
  const w = Vitrine.open({
    catalog: [item], model: undefined, consent: undefined, storage: undefined, namespace: undefined, currency: 'EUR',
    policy: {
      halfLifeDays: undefined, retentionDays: undefined, gpc: undefined, sensitiveCategories: undefined, diversity: undefined,
      rememberRefusal: undefined, maxSignalShare: undefined, detractors: undefined, consentMaxAgeDays: undefined,
      tcfPurposes: undefined,
    },
  });
  const x = await Vitrine.load({ model: undefined, catalog: [item], consent: undefined });
  w.setConsent({
    personalization: banner.personalization, storage: banner.storage, sensitive: undefined, tcf: undefined,
    googleConsentMode: {
      personalization_storage: 'granted', ad_storage: undefined, ad_user_data: undefined, ad_personalization: undefined,
      analytics_storage: undefined, functionality_storage: undefined, security_storage: undefined,
      wait_for_update: undefined, region: undefined,
    },
  });
  w.track('Product Viewed', { product_id: product?.id, category: product?.category, price: undefined, quantity: undefined },
    { timestamp: undefined, channel: undefined });
  w.track('Order Completed', { order_id: undefined, products: [{ product_id: 'sku-1', item_brand: undefined }], items: undefined });
  w.recommend({
    scenario: 'similar', itemId: product?.id, itemIds: undefined, k: undefined, exclude: undefined, diversity: undefined,
    explore: undefined, excludePurchased: undefined, channel: undefined,
    filter: { category: product?.category, brand: undefined, minPrice: undefined, maxPrice: undefined, inStock: undefined },
  });
  w.explainShelf({ scenario: 'for_you', itemId: undefined });
  w.importHistory([{ timestamp: Date.now(), channel: undefined, products: [{ product_id: 'sku-1' }] }]);
  // The policy in force has every knob.
  const policy = w.audit().policy;
  const halfLife: number = policy.halfLifeDays;
  const gpc: 'deny' | 'ignore' = policy.gpc;
  const categories: string[] = policy.sensitiveCategories;
  const tcfPurposes: 'core' | 'publisher' = policy.tcfPurposes;
  console.log(halfLife, gpc, categories, tcfPurposes, v, x);
  // @ts-expect-error: scenario is still required
  w.recommend({ scenario: undefined });
  // @ts-expect-error: an imported order's timestamp is still required
  w.importHistory([{ timestamp: undefined, products: [] }]);
}

// open takes a model file's bytes as an ArrayBuffer too, and a consent not known yet as null.
export function openInputs(v: Vitrine, bytes: ArrayBuffer, stored: ConsentInput | null): void {
  Vitrine.open({ model: bytes, consent: stored }).free();
  Vitrine.open({ model: new Uint8Array(bytes), consent: null }).free();
  // @ts-expect-error: setConsent needs a decision (null throws)
  v.setConsent(null);
}

// Payloads typed as interfaces (as @types/gtag.js and Shopify's web-pixels types declare them, with
// no index signature of their own) pass to track as they are; the properties vitrine declares are
// still checked.
interface Ga4Item { item_id?: string; item_name?: string; item_category?: string; price?: number; quantity?: number }
interface Ga4Params { currency?: string; value?: number; transaction_id?: string; items?: Ga4Item[] }
interface ShopifyProductViewed {
  productVariant: { id: string | null; sku: string | null; product: { id: string; title: string; type: string | null } };
}
interface SegmentOptions { integrations?: Record<string, boolean>; context?: { ip?: string } }
export function typedPayloads(v: Vitrine, ga4: Ga4Params, shopify: ShopifyProductViewed, options: SegmentOptions): void {
  v.track('purchase', ga4);
  v.track('product_viewed', shopify, options);
  v.importHistory([{ ...ga4, timestamp: Date.now() }]);
  // @ts-expect-error: an id is a string or a number
  v.track('Product Viewed', { product_id: true });
  // @ts-expect-error: a timestamp is ms, a Date or ISO 8601 text
  v.track('Product Viewed', { product_id: 'sku-1' }, { timestamp: { iso: '2024-05-01' } });
}

// Found by the storefront audit: readonly arrays, quantities as strings (Tag Manager variables)
// and a shop's own product objects are correct use; a model beside a catalog is not.
interface ShopProduct extends CatalogItem { url: string; image: { src: string } }
export function readonlyInputs(products: readonly ShopProduct[], bytes: Uint8Array, ids: readonly string[]): void {
  const v = Vitrine.open({ catalog: products, policy: { sensitiveCategories: ['Health'] as const } });
  v.track('Product Added', { product_id: 'a', quantity: '2' });
  v.track('Order Completed', { order_id: 'o1', products: [{ product_id: 'a', quantity: '' }] as const });
  v.recommend({ scenario: 'cart', itemIds: ids, exclude: ids, filter: { category: ['Mugs'] as const } });
  v.importHistory([{ order_id: 'o2', timestamp: 1, products: [{ product_id: 'a' }] }] as const);
  Vitrine.open({ model: bytes });
  Vitrine.open({ model: bytes.buffer as ArrayBuffer, catalog: undefined });
  // @ts-expect-error: giving both model and catalog throws
  Vitrine.open({ model: bytes, catalog: products });
  // @ts-expect-error: so does `load`
  void Vitrine.load({ model: fetch('/shop.vtr'), catalog: products });
  v.free();
}

// Found by the storefront audit: a Shopify event's or Segment message's own ISO timestamp.
export function isoTimes(v: Vitrine): void {
  v.track('Product Viewed', { product_id: 'a' }, { timestamp: '2026-11-25T09:14:03.512Z' });
  v.importHistory([{ name: 'checkout_completed', timestamp: '2026-11-20T09:14:03.512Z', data: {} }]);
  // @ts-expect-error: not a time
  v.track('Product Viewed', { product_id: 'a' }, { timestamp: true });
}

// Found by the re-audits: a shop's products typed by its own interface (or class) are catalog
// items with their other fields, as the runtime takes them; price as text and tags as one string.
interface Product { id: string; title: string; url: string; price: string; tags: string }
class Variant { constructor(public id: number, public sku: string) {} }
export function shopObjects(products: Product[], variants: Variant[]): void {
  Vitrine.open({ catalog: products });
  Vitrine.open({ catalog: variants });
  Vitrine.open({ catalog: [{ id: 'a', price: '21.99', tags: 'summer, linen' }] });
  // @ts-expect-error: a misspelt field in a literal is caught
  Vitrine.open({ catalog: [{ id: 'a', in_stock: true }] });
  // @ts-expect-error: a known field keeps its type
  Vitrine.open({ catalog: [{ id: 'a', inStock: 'yes' }] });
}

// Found by the third re-audit: a product API's null fields are fields not given, as the runtime takes them.
export function nullFields(): void {
  Vitrine.open({ catalog: [{ id: 'a', title: null, category: null, price: null, tags: null, inStock: null }] });
}
