//! The TypeScript shapes of everything that crosses the boundary, emitted into `vitrine.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/**
 * An item of the `catalog` passed to `Vitrine.open`. Only `id` is required; a shop's own product
 * objects may carry other fields (`url`, `image`, …), which are passed over — except a known
 * field spelt another way (`in_stock`, `Category`: case, spaces, punctuation), which throws.
 * (TypeScript accepts such objects typed by the shop's own interface; an object literal written
 * in the call is checked for fields `CatalogItem` does not name, to catch misspellings.) An item
 * is read as `JSON.stringify` reads it: its own data fields, not a class's getters. A field that
 * is `null` is one not given (a product API's empty value).
 */
export interface CatalogItem {
  id: string | number;
  title?: string | null | undefined;
  category?: string | null | undefined;
  brand?: string | null | undefined;
  /** Shop currency; non-negative, at most 3.4e38 (held as a 32-bit float); a number as text (`'21.99'`) too. */
  price?: number | string | null | undefined;
  /** At most 64; or one string of them separated by commas (`'summer, linen'`, Shopify's). */
  tags?: readonly string[] | string | null | undefined;
  /** Default true. Out-of-stock items are never recommended unless `filter.inStock` is false. */
  inStock?: boolean | null | undefined;
  /** Never used for personalization without the shopper's separate consent. Default false. */
  sensitive?: boolean | null | undefined;
  /** Same width for every item (1–1024); finite values of at most 3.4e38 in size. */
  embedding?: readonly number[] | null | undefined;
  /** Any non-negative number up to 3.4e38 (units sold, views); drives `trending` for catalog-only shops. */
  popularity?: number | null | undefined;
  /**
   * What is trending among each channel's visitors, e.g. `{tiktok: 120, instagram: 40}`
   * (non-negative numbers; labels normalized like `track`'s `options.channel`). A visitor
   * arriving from that channel sees these first on `trending` (and on `for_you` before any
   * personalization). At most 32 channels per item, 64 in all.
   */
  popularityByChannel?: Record<string, number> | null | undefined;
}

/**
 * Where a visit or an event comes from. The labels vitrine detects from the landing URL and the
 * referrer (or, with no referrer, an app's in-app browser, by its user agent; only the label is
 * kept); a label a page passes is normalized like `utm_source` (`'IG'`, `'tiktok.com'` →
 * `'instagram'`, `'tiktok'`), any other kept as given (lower case, spaces as `_`).
 */
export type KnownChannel =
  | 'instagram' | 'facebook' | 'tiktok' | 'pinterest' | 'whatsapp' | 'youtube' | 'snapchat' | 'x'
  | 'linkedin' | 'reddit' | 'threads' | 'email' | 'sms' | 'social' | 'search' | 'ads' | 'referral'
  | 'direct' | 'in_store';
export type Channel = KnownChannel | (string & {});

/**
 * A consent decision. Banner flags (a purpose left out is denied), a TC string, Google Consent Mode
 * v2, or several at once: banner flags decide over `tcf`, and `tcf` over `googleConsentMode`.
 * It must give at least one of them: `{}` (or only `undefined` values) decides nothing and
 * throws, so a banner state not filled in yet never erases anything. A refusal is
 * `{ personalization: false }`.
 */
export interface ConsentInput {
  personalization?: boolean | undefined;
  storage?: boolean | undefined;
  /**
   * The separate consent to use sensitive categories (catalog `sensitive: true`, policy
   * `sensitiveCategories`). Only with `personalization: true`; only the site's own banner can give
   * it (TCF and Consent Mode cannot). Withdrawing it erases every sensitive signal at once.
   */
  sensitive?: boolean | undefined;
  /** An IAB TCF v2 TC string: storage needs purpose 1, personalization purposes 5 and 6 (of the segment `policy.tcfPurposes` names). */
  tcf?: string | undefined;
  googleConsentMode?: GoogleConsentMode | undefined;
}

export type ConsentModeValue = 'granted' | 'denied';

/**
 * Google Consent Mode v2. `personalization_storage` decides personalization and storage; the
 * other keys are accepted and do not change anything in vitrine (it does no advertising,
 * analytics, functionality or security storage). Unknown keys throw.
 */
export interface GoogleConsentMode {
  personalization_storage?: ConsentModeValue | undefined;
  ad_storage?: ConsentModeValue | undefined;
  ad_user_data?: ConsentModeValue | undefined;
  ad_personalization?: ConsentModeValue | undefined;
  analytics_storage?: ConsentModeValue | undefined;
  functionality_storage?: ConsentModeValue | undefined;
  security_storage?: ConsentModeValue | undefined;
  wait_for_update?: number | undefined;
  region?: readonly string[] | undefined;
}

/** A publisher restriction of a TC string. */
export interface PublisherRestriction {
  purposeId: number;
  /** 0 not allowed, 1 require consent, 2 require legitimate interest, 3 undefined. */
  restrictionType: 0 | 1 | 2 | 3;
  /** Sorted vendor ids; may be empty. */
  vendors: number[];
}

/** The publisher TC segment of a TC string. */
export interface PublisherTC {
  purposeConsents: number[];
  purposeLegitimateInterests: number[];
  numCustomPurposes: number;
  customPurposeConsents: number[];
  customPurposeLegitimateInterests: number[];
}

/** `decodeTcString`'s result. Ids are 1-based and sorted; times are ms since the epoch. */
export interface DecodedTcString {
  version: 2;
  created: number;
  lastUpdated: number;
  cmpId: number;
  cmpVersion: number;
  consentScreen: number;
  /** Two letters, e.g. 'EN'. */
  consentLanguage: string;
  vendorListVersion: number;
  policyVersion: number;
  isServiceSpecific: boolean;
  useNonStandardStacks: boolean;
  specialFeatureOptins: number[];
  purposeConsents: number[];
  purposeLegitimateInterests: number[];
  purposeOneTreatment: boolean;
  publisherCountryCode: string;
  maxVendorIdConsent: number;
  vendorConsents: number[];
  maxVendorIdLegitimateInterest: number;
  vendorLegitimateInterests: number[];
  publisherRestrictions: PublisherRestriction[];
  /** Empty without a disclosed vendors segment. */
  disclosedVendors: number[];
  /** Empty without an allowed vendors segment. */
  allowedVendors: number[];
  /** Null without a publisher TC segment. */
  publisherTC: PublisherTC | null;
}

/** The marketer's policy. Every knob has a default. */
export interface Policy {
  /** Days after which a signal weighs half as much. 0.1–365, default 14. */
  halfLifeDays?: number | undefined;
  /** Days after which a signal is deleted. 1–730, default 30. */
  retentionDays?: number | undefined;
  /**
   * Global Privacy Control handling. 'deny' (default): GPC denies personalization unless the
   * shopper opted in explicitly on this site while sending it. 'ignore': reported only.
   */
  gpc?: 'deny' | 'ignore' | undefined;
  /** Categories never used for personalization without separate consent. */
  sensitiveCategories?: readonly string[] | undefined;
  /** Default diversity of shelves, 0–1. Default 0.2. */
  diversity?: number | undefined;
  /** Remember a refusal in storage (a small consent record) so the banner need not ask again. Default false. */
  rememberRefusal?: boolean | undefined;
  /**
   * Largest share (0.1–1) of a personal shelf whose main reason may be one signal (one viewed
   * item, one category, one brand, the price band, the items viewed before taken together).
   * Default 0.5; 1 turns the cap off. It never
   * makes a shelf shorter: when nothing else the rules allow is left, it gives way.
   */
  maxSignalShare?: number | undefined;
  /**
   * Shelves for a shopper whose latest survey answer was 0–6. 'gentle' (default): `trending`
   * answers `[]`, nothing is explored, `for_you` leads with what they bought before. 'same': as
   * for everyone.
   */
  detractors?: 'gentle' | 'same' | undefined;
  /**
   * Days a stored decision stands (1–3650, default 395: 13 months): an older one is asked again —
   * `consent()` reads as no decision (`source: 'default'`) until the shopper answers, storage is
   * left as it is until then, and `audit().history` notes it (`{type: 'ignored', source: 'stored'}`).
   */
  consentMaxAgeDays?: number | undefined;
  /**
   * Which purpose consents of a TC string count. 'core' (default): the core segment's, the
   * purposes as the shopper answered them. 'publisher': the publisher TC segment's, for a CMP that
   * declares purposes 1, 5 and 6 as the site's own (vitrine is the site's code, not a vendor); a
   * string without that segment gives no consent.
   */
  tcfPurposes?: 'core' | 'publisher' | undefined;
}

/** The policy in force, as `audit().policy` reports it: every knob of `Policy` with its value. */
export interface PolicyInForce {
  halfLifeDays: number;
  retentionDays: number;
  gpc: 'deny' | 'ignore';
  sensitiveCategories: string[];
  diversity: number;
  rememberRefusal: boolean;
  maxSignalShare: number;
  detractors: 'gentle' | 'same';
  consentMaxAgeDays: number;
  tcfPurposes: 'core' | 'publisher';
}

/**
 * Options of `Vitrine.open`: a `model` or a `catalog` (giving both throws; giving neither opens
 * an instance without a catalog, whose shelves are empty).
 */
export type OpenOptions = OpenWithModel | OpenWithCatalog;

/** `Vitrine.open` with a model file. */
export interface OpenWithModel extends OpenSettings {
  /** A model file made by `vitrine-model build`: its bytes, as a `Uint8Array` or an `ArrayBuffer` (a `fetch` or stream: `Vitrine.load`). */
  model?: Uint8Array | ArrayBuffer | undefined;
  catalog?: undefined;
}

/** `Vitrine.open` (or `Vitrine.load`) with the catalog itself (small shops). */
export interface OpenWithCatalog extends OpenSettings {
  catalog?: readonly CatalogItem[] | undefined;
  model?: undefined;
}

/** What `Vitrine.open` and `Vitrine.load` take besides the model or catalog. */
export interface OpenSettings {
  /**
   * Absent, `undefined` or `null`: the shopper's stored decision, if any; otherwise everything is
   * denied. A consent that decides nothing (`{}`) throws, as `setConsent`'s does.
   */
  consent?: ConsentInput | null | undefined;
  /** Default 'local' where `window.localStorage` exists, 'memory' otherwise. */
  storage?: 'local' | 'memory' | undefined;
  /** Storage key prefix, default 'vitrine'. 1–64 of A-Z a-z 0-9 - _ . */
  namespace?: string | undefined;
  policy?: Policy | undefined;
  /**
   * The ISO 4217 code of the catalog's prices ('EUR'): an event's price in another currency (its
   * `currency`, a Shopify `price.currencyCode`) is left out, and the catalog's counts. Absent:
   * prices are taken as given.
   */
  currency?: string | undefined;
}

/** Where `Vitrine.load` reads a model file from: the page's request or its bytes. */
export type ModelSource = Response | Blob | ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer;

/** Options of `Vitrine.load`: those of `open`, with `model` read as it arrives. */
export type LoadOptions = LoadFromModel | OpenWithCatalog;

/** `Vitrine.load` with a model file. */
export interface LoadFromModel extends OpenSettings {
  /**
   * A model file from `vitrine-model build`, or a promise of one (`fetch('/shop.vtr')`); a promise
   * that resolves to no model (`null`, `undefined`) gives the instance without one.
   */
  model?: ModelSource | PromiseLike<ModelSource | null | undefined> | undefined;
  catalog?: undefined;
}

/** Segment e-commerce v2 event names. */
export type SegmentEventName =
  | 'Product Viewed' | 'Product Clicked' | 'Product Added' | 'Product Removed'
  | 'Products Searched' | 'Product List Viewed' | 'Product List Filtered' | 'Cart Viewed'
  | 'Checkout Started' | 'Order Completed' | 'Product Added to Wishlist'
  | 'Wishlist Product Added to Cart';
/** GA4 recommended e-commerce event names. */
export type Ga4EventName =
  | 'view_item' | 'select_item' | 'add_to_cart' | 'remove_from_cart' | 'view_item_list'
  | 'search' | 'view_search_results' | 'view_cart' | 'begin_checkout' | 'purchase' | 'add_to_wishlist'
  | 'page_view';
/** Shopify Web Pixels standard event names. */
export type ShopifyEventName =
  | 'product_viewed' | 'product_added_to_cart' | 'product_removed_from_cart' | 'search_submitted'
  | 'collection_viewed' | 'cart_viewed' | 'checkout_started' | 'checkout_completed' | 'page_viewed';
/**
 * vitrine's own names: a satisfaction survey answer, `{score: 0..10, comment?}`; a page view
 * (what `analytics.page()` reports), which keeps the visit's channel current.
 */
export type VitrineEventName = 'Survey Answered' | 'survey_answered' | 'Page Viewed';
/**
 * Any supported event name. The names of the three vocabularies vitrine has no use for
 * (`'Coupon Applied'`, `'add_shipping_info'`, `'checkout_contact_info_submitted'`, refunds, …)
 * are refused with `reason: 'ignored_event'`, other strings with `'unknown_event'`.
 */
export type EventName = SegmentEventName | Ga4EventName | ShopifyEventName | VitrineEventName | (string & {});

/** One product, in Segment (`product_id`, `sku`) or GA4 (`item_id`, `item_category`) names. */
export interface ProductProperties {
  product_id?: string | number | undefined;
  sku?: string | number | undefined;
  item_id?: string | number | undefined;
  id?: string | number | undefined;
  category?: string | undefined;
  item_category?: string | undefined;
  brand?: string | undefined;
  item_brand?: string | undefined;
  price?: number | string | undefined;
  quantity?: number | string | undefined;
  /** Never given: it keeps an array (an order's lines without their event: `{products: lines}`) or a function out, as `track` refuses them. */
  length?: undefined;
  /**
   * Other properties (GA4 `item_name`, Segment `name`, Shopify `productVariant`, …) are read as
   * the event mapping says, or ignored. `any`, not `unknown`, so that a payload typed as an
   * interface (`Gtag.EventParams`, Shopify's pixel event data) is accepted as it is.
   */
  [key: string]: any;
}

/**
 * Properties of `track`: Segment, GA4 or Shopify shapes, or a whole Segment message, Shopify event
 * or Tag Manager push. Categories, brands and queries are limited to 256 bytes, ids to 128, any
 * other string to 1,048,576 characters; an empty string is a property not given.
 */
export interface EventProperties extends ProductProperties {
  /** Segment lists and orders. */
  products?: readonly ProductProperties[] | undefined;
  /** GA4 items. */
  items?: readonly ProductProperties[] | undefined;
  /** Search query (Segment). */
  query?: string | undefined;
  /** Search query (GA4). */
  search_term?: string | undefined;
  /** The order of a purchase (Segment); the same order is counted once. */
  order_id?: string | number | undefined;
  /** The order of a purchase (GA4). */
  transaction_id?: string | number | undefined;
  /** `Survey Answered`: the answer to "how likely are you to recommend us?", an integer 0–10. */
  score?: number | undefined;
  /** `Survey Answered`: accepted and never kept (data minimisation: vitrine has no use for it). */
  comment?: string | undefined;
}

/** Options of `track` (analytics.js shape; other keys are ignored). */
export interface TrackOptions {
  /**
   * When it happened: ms since the epoch (up to the year 9999: a GA4 `event_timestamp`, in
   * microseconds, is refused `invalid_timestamp`), a Date, or ISO 8601 text with its zone
   * ('2026-11-25T09:14:03.512Z', as Segment and Shopify write it). Default now.
   */
  timestamp?: number | Date | string | undefined;
  /** Where the shopper came from, e.g. 'instagram'; default (or `null`, what `v.channel()` gives when it knows none): the visit's channel. */
  channel?: Channel | null | undefined;
  /** Never given: it keeps an array or a function out, as `track` refuses them. */
  length?: undefined;
  /** Other keys (analytics.js `integrations`, `context`, …) are ignored; `any` so that a typed options interface passes. */
  [key: string]: any;
}

/** Why `track` refused an event. */
export type RefusalReason =
  | 'no_consent' | 'unknown_event' | 'ignored_event' | 'missing_item_id' | 'invalid_item_id' | 'invalid_price'
  | 'invalid_quantity' | 'string_too_long' | 'too_many_items' | 'missing_query' | 'missing_list'
  | 'invalid_property' | 'invalid_timestamp' | 'invalid_channel' | 'too_large' | 'expired' | 'invalid_score'
  | 'duplicate' | 'sensitive';

/**
 * `track`'s answer: `{accepted: true}`, or `{accepted: false, reason}` — a refusal always says
 * why, and an accepted event has no reason. Narrow on `accepted` to read `reason`.
 */
export type TrackResult =
  | { accepted: true; reason?: undefined }
  | { accepted: false; reason: RefusalReason };

export type Scenario =
  | 'for_you' | 'similar' | 'bought_together' | 'trending' | 'recently_viewed' | 'buy_again' | 'cart';

export interface RecommendFilter {
  category?: string | readonly string[] | undefined;
  brand?: string | readonly string[] | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  /** Default true: only items in stock. */
  inStock?: boolean | undefined;
}

export interface RecommendOptions {
  scenario: Scenario;
  /**
   * The item on screen (it or `itemIds` is required for 'similar' and 'bought_together'); never returned. When the
   * catalog has none of the items given, the shelf is 'trending' (`explainShelf` says so).
   */
  itemId?: string | number | undefined;
  /** Several items on screen, or the cart for 'cart'. */
  itemIds?: ReadonlyArray<string | number> | undefined;
  /** How many at most: an integer from 1 to 100 (other values throw). Default 10. */
  k?: number | undefined;
  exclude?: ReadonlyArray<string | number> | undefined;
  filter?: RecommendFilter | undefined;
  /** 0 = pure relevance … 1 = maximal spread. Default: the policy's (0.2). */
  diversity?: number | undefined;
  /** Chance 0–1 that a slot after the first shows something to discover. Default 0. */
  explore?: number | undefined;
  /** Leave out items the shopper already bought: `true` for all, or the durable categories whose purchases are left out (`['Sofas']`). Default false. */
  excludePurchased?: boolean | readonly string[] | undefined;
  /** Channel context for `trending`: what trends among this channel's visitors first. Default (or `null`, what `v.channel()` gives when it knows none): the visit's channel. */
  channel?: Channel | null | undefined;
}

export interface Recommendation {
  /** The item's id, always as a string: a catalog id given as the integer `7` is `'7'` here. */
  itemId: string;
  /**
   * The shelf's ranking value: at most 1, never increasing down the list. Compare it within one
   * shelf only; with diversity re-ranking (`diversity` > 0) it can be 0 or negative, and such an
   * item is still a recommendation.
   */
  score: number;
  /**
   * Short stable strings, e.g. "because you viewed sku-9", "popular in candles". Plain text
   * quoting ids and names as the catalog gave them: render as text (`textContent`), never as HTML.
   */
  reasons: string[];
}

export type ConsentSource = 'default' | 'explicit' | 'tcf' | 'googleConsentMode' | 'gpc' | 'stored';

export interface ConsentState {
  personalization: boolean;
  storage: boolean;
  /** The separate consent to sensitive categories; never true without personalization. */
  sensitive: boolean;
  source: ConsentSource;
  /** ms since the epoch; null for the default. */
  updatedAt: number | null;
}

export interface Affinity {
  name: string;
  weight: number;
  /** Part of the collection's total weight, 0–1. */
  share: number;
}

export interface PriceBand {
  min: number;
  max: number | null;
}

export type NpsClass = 'promoter' | 'passive' | 'detractor';

/** The shopper's latest survey answer (the comment is never kept). */
export interface NpsAnswer {
  score: number;
  /** 9–10 promoter, 7–8 passive, 0–6 detractor. */
  class: NpsClass;
  at: number;
}

export interface ProfileSummary {
  counts: Partial<Record<'view' | 'click' | 'add' | 'remove' | 'search' | 'list_view' | 'cart_view' | 'checkout' | 'purchase' | 'wishlist' | 'survey' | 'page_view', number>>;
  events: number;
  categories: Affinity[];
  brands: Affinity[];
  priceBand: PriceBand | null;
  channels: Affinity[];
  recentlyViewed: string[];
  cart: string[];
  purchasedItems: number;
  signals: number;
  firstSeen: number | null;
  lastSeen: number | null;
  /** The latest survey answer, classified; null before any. */
  nps: NpsAnswer | null;
}

export interface Stamped {
  value: string;
  at: number;
}

export interface ProfileExport {
  halfLifeDays: number;
  counts: ProfileSummary['counts'];
  /** Of `counts`, the events kept under the `sensitive` consent (withdrawing it takes them out of both). */
  sensitiveCounts: ProfileSummary['counts'];
  items: Array<{ itemId: string; weight: number; views: number; adds: number; updatedAt: number }>;
  /** Every category (brand, channel) the profile holds by name, one whose weight has decayed to 0 too, with when it was last touched. */
  categories: Array<Affinity & { updatedAt: number }>;
  brands: Array<Affinity & { updatedAt: number }>;
  channels: Array<Affinity & { updatedAt: number }>;
  priceBands: Array<{ min: number; max: number | null; weight: number; updatedAt: number }>;
  recentlyViewed: Stamped[];
  purchases: Array<{ itemId: string; count: number; quantity: number; firstAt: number; lastAt: number }>;
  /** The cart's lines: the item id, when it was put in the cart, how many are in it. */
  cart: Array<Stamped & { quantity: number }>;
  searches: Stamped[];
  firstSeen: number | null;
  lastSeen: number | null;
  survey: NpsAnswer | null;
  /** Items taken out of the cart after being put in, most recent first (at most 8). */
  cartRemovals: Stamped[];
  /** A checkout started and not followed by a purchase yet. */
  checkoutStartedAt: number | null;
  /** Purchases already counted: a 16-hex-digit fingerprint of the order id and its items (never the id). */
  orders: Array<{ fingerprint: string; at: number }>;
}

export interface StorageKey {
  key: string;
  /** Bytes the key and value take in storage (UTF-16). */
  bytes: number;
}

export type HistoryEntry =
  | { type: 'consent'; at: number; personalization: boolean; storage: boolean; sensitive: boolean; source: ConsentSource }
  | { type: 'erase'; at: number; what: 'profile' | 'storage' | 'sensitive' | 'all' }
  | { type: 'reset'; at: number; key: string; reason: string }
  | { type: 'prune'; at: number; signals: number }
  | { type: 'clock'; at: number; ahead: number }
  | { type: 'storageError'; at: number; message: string }
  | { type: 'ignored'; at: number; source: 'tcf' | 'stored'; reason: string }
  | { type: 'sync'; at: number; what: 'consent' | 'profile' }
  | { type: 'cleared'; at: number };

export interface AuditReport {
  mode: 'local-only';
  version: string;
  network: { capable: false; imports: string; proof: string };
  consent: ConsentState;
  /** Whether the browser sends Global Privacy Control; `policy.gpc` says what it does. */
  gpc: boolean;
  policy: PolicyInForce;
  storage: {
    backend: 'local' | 'memory';
    namespace: string;
    /** Whether what vitrine holds is written to the browser's storage now: storage consent, `localStorage`, and the last write went through (false while it is full). */
    persistent: boolean;
    keys: StorageKey[];
    totalBytes: number;
  };
  profile: { held: boolean; signals: number; oldest: number | null; retentionDays: number; halfLifeDays: number; memoryBytes: number; mergeBuffer: number };
  history: HistoryEntry[];
  generatedAt: number;
}

/**
 * A past order for `importHistory`: the properties of an `Order Completed` (Segment) or
 * `purchase` (GA4) event, plus when it happened and where.
 */
export interface ImportRecord extends EventProperties {
  /** Required: ms since the epoch (a GA4 `event_timestamp` is in microseconds: divide it by 1000), a Date, or ISO 8601 text with its zone (a Shopify event's or Segment message's own). */
  timestamp: number | Date | string;
  /** E.g. 'in_store'; `null` or left out: none. */
  channel?: Channel | null | undefined;
}

export interface ImportResult {
  /** Orders folded into the profile. */
  imported: number;
  /** Orders already counted (seen live or imported before). */
  duplicates: number;
  /** Records refused, with `track`'s reason codes. */
  refused: Array<{ index: number; reason: RefusalReason }>;
  /** 'no_consent' when nothing was read at all. */
  reason?: 'no_consent';
}

export type AssistanceReason = 'detractor' | 'checkout_abandoned' | 'cart_hesitation' | 'searches_without_click';

/** `assistance()`: whether to offer a person, from frustration signals on the device. */
export interface Assistance {
  suggestHuman: boolean;
  reasons: AssistanceReason[];
}

export type ShelfSignal = 'views' | 'cart' | 'purchases' | 'categories' | 'brands' | 'priceBand' | 'channel' | 'survey';

/** `explainShelf(options)`: why `recommend(options)` shows what it shows. */
export interface ShelfExplanation {
  scenario: Scenario;
  /** The scenario served after fallbacks; null when the policy keeps the shelf empty (a detractor's, `policy.detractors: 'gentle'`). A shelf the rules leave empty (no consent, a `filter` nothing matches) keeps its scenario, and `recommend` answers `[]`. */
  served: Scenario | null;
  /** Whether anything from the shopper's profile shapes it. */
  personal: boolean;
  /** One sentence to show under the shelf, e.g. "picked for you from your activity on this device". */
  explanation: string;
  signals: ShelfSignal[];
  /** The channel whose own trending list is used. */
  channel: string | null;
  /** Whether sensitive items are left out: a shelf asked for a personal scenario without the `sensitive` consent, also when it falls back to popular items. */
  sensitiveExcluded: boolean;
  maxSignalShare: number;
}

/** `npsSummary(scores)`: Net Promoter Score with its confidence interval. */
export interface NpsSummary {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** %promoters − %detractors (−100…100); null without answers. */
  nps: number | null;
  /** Of the adjusted estimate, in NPS points. */
  standardError: number | null;
  interval: { level: number; low: number; high: number } | null;
  method: 'adjusted-wald';
}

export interface ExportData {
  format: 'vitrine-export';
  version: string;
  exportedAt: number;
  consent: ConsentState;
  profile: ProfileExport | null;
  /**
   * The writers' clock stored with the profile (empty without a profile): each page that wrote
   * it in the last minute (a random id per page), how many events it recorded, when it last wrote.
   */
  writers: Array<{ writer: number; events: number; lastWriteAt: number }>;
  /** When the profile held began (ms since the epoch; null without a profile). Stored with it. */
  profileBeganAt: number | null;
  /**
   * The last erasures this page knows of (ms since the epoch; null: none): of the profile (a
   * withdrawal of personalization, `erase()`) and of the sensitive signals (a decision without
   * `sensitive`). Both records carry them, so that a copy another tab made before one is not
   * taken back.
   */
  erasedAt: { profile: number | null; sensitive: number | null };
  storage: StorageKey[];
  history: HistoryEntry[];
}
"#;
