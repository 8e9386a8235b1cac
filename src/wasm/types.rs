//! The TypeScript shapes of everything that crosses the boundary, emitted into `vitrine.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** An item of the `catalog` passed to `Vitrine.open`. Only `id` is required. */
export interface CatalogItem {
  id: string | number;
  title?: string;
  category?: string;
  brand?: string;
  /** Shop currency; finite and non-negative. */
  price?: number;
  /** At most 64. */
  tags?: string[];
  /** Default true. Out-of-stock items are never recommended unless `filter.inStock` is false. */
  inStock?: boolean;
  /** Never used for personalization without the shopper's separate consent. Default false. */
  sensitive?: boolean;
  /** Same width for every item (1–1024). */
  embedding?: number[];
  /** Any non-negative number (units sold, views); drives `trending` for catalog-only shops. */
  popularity?: number;
}

/**
 * A consent decision. Banner flags (a purpose left out is denied), a TC string, Google Consent Mode
 * v2, or several at once: banner flags decide over `tcf`, and `tcf` over `googleConsentMode`.
 */
export interface ConsentInput {
  personalization?: boolean;
  storage?: boolean;
  /** An IAB TCF v2 TC string: storage needs purpose 1, personalization purposes 5 and 6. */
  tcf?: string;
  googleConsentMode?: GoogleConsentMode;
}

export type ConsentModeValue = 'granted' | 'denied';

/**
 * Google Consent Mode v2. `personalization_storage` decides personalization and storage; the
 * other keys are accepted and do not change anything in vitrine (it does no advertising,
 * analytics, functionality or security storage). Unknown keys throw.
 */
export interface GoogleConsentMode {
  personalization_storage?: ConsentModeValue;
  ad_storage?: ConsentModeValue;
  ad_user_data?: ConsentModeValue;
  ad_personalization?: ConsentModeValue;
  analytics_storage?: ConsentModeValue;
  functionality_storage?: ConsentModeValue;
  security_storage?: ConsentModeValue;
  wait_for_update?: number;
  region?: string[];
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
  halfLifeDays?: number;
  /** Days after which a signal is deleted. 1–730, default 30. */
  retentionDays?: number;
  /**
   * Global Privacy Control handling. 'deny' (default): GPC denies personalization unless the
   * shopper opted in explicitly on this site while sending it. 'ignore': reported only.
   */
  gpc?: 'deny' | 'ignore';
  /** Categories never used for personalization without separate consent. */
  sensitiveCategories?: string[];
  /** Default diversity of shelves, 0–1. Default 0.2. */
  diversity?: number;
  /** Remember a refusal in storage (a small consent record) so the banner need not ask again. Default false. */
  rememberRefusal?: boolean;
}

/** Options of `Vitrine.open`. */
export interface OpenOptions {
  /** A model file made by `vitrine-model build`. */
  model?: Uint8Array;
  /** Or: the catalog itself (small shops). */
  catalog?: CatalogItem[];
  /** Absent: the shopper's stored decision, if any; otherwise everything is denied. */
  consent?: ConsentInput;
  /** Default 'local' where `window.localStorage` exists, 'memory' otherwise. */
  storage?: 'local' | 'memory';
  /** Storage key prefix, default 'vitrine'. 1–64 of A-Z a-z 0-9 - _ . */
  namespace?: string;
  policy?: Policy;
}

/** Segment e-commerce v2 event names. */
export type SegmentEventName =
  | 'Product Viewed' | 'Product Clicked' | 'Product Added' | 'Product Removed'
  | 'Products Searched' | 'Product List Viewed' | 'Product List Filtered' | 'Cart Viewed'
  | 'Checkout Started' | 'Order Completed' | 'Product Added to Wishlist';
/** GA4 recommended e-commerce event names. */
export type Ga4EventName =
  | 'view_item' | 'select_item' | 'add_to_cart' | 'remove_from_cart' | 'view_item_list'
  | 'search' | 'view_search_results' | 'view_cart' | 'begin_checkout' | 'purchase' | 'add_to_wishlist';
/** Shopify Web Pixels standard event names. */
export type ShopifyEventName =
  | 'product_viewed' | 'product_added_to_cart' | 'product_removed_from_cart' | 'search_submitted'
  | 'collection_viewed' | 'cart_viewed' | 'checkout_started' | 'checkout_completed';
/** Any supported event name; other strings are refused with `reason: 'unknown_event'`. */
export type EventName = SegmentEventName | Ga4EventName | ShopifyEventName | (string & {});

/** One product, in Segment (`product_id`, `sku`) or GA4 (`item_id`, `item_category`) names. */
export interface ProductProperties {
  product_id?: string | number;
  sku?: string | number;
  item_id?: string | number;
  id?: string | number;
  category?: string;
  item_category?: string;
  brand?: string;
  item_brand?: string;
  price?: number | string;
  quantity?: number;
  [key: string]: unknown;
}

/** Properties of `track`: Segment, GA4 or Shopify shapes. Strings are limited to 256 bytes, ids to 128. */
export interface EventProperties extends ProductProperties {
  /** Segment lists and orders. */
  products?: ProductProperties[];
  /** GA4 items. */
  items?: ProductProperties[];
  /** Search query (Segment). */
  query?: string;
  /** Search query (GA4). */
  search_term?: string;
}

/** Options of `track` (analytics.js shape; other keys are ignored). */
export interface TrackOptions {
  /** When it happened: ms since the epoch, or a Date. Default now. */
  timestamp?: number | Date;
  /** Where the shopper came from, e.g. 'instagram'. */
  channel?: string;
  [key: string]: unknown;
}

/** Why `track` refused an event. */
export type RefusalReason =
  | 'no_consent' | 'unknown_event' | 'missing_item_id' | 'invalid_item_id' | 'invalid_price'
  | 'invalid_quantity' | 'string_too_long' | 'too_many_items' | 'missing_query' | 'missing_list'
  | 'invalid_property' | 'invalid_timestamp' | 'too_large' | 'expired';

export interface TrackResult {
  accepted: boolean;
  reason?: RefusalReason;
}

export type Scenario =
  | 'for_you' | 'similar' | 'bought_together' | 'trending' | 'recently_viewed' | 'buy_again' | 'cart';

export interface RecommendFilter {
  category?: string | string[];
  brand?: string | string[];
  minPrice?: number;
  maxPrice?: number;
  /** Default true: only items in stock. */
  inStock?: boolean;
}

export interface RecommendOptions {
  scenario: Scenario;
  /** The item on screen (required for 'similar' and 'bought_together'); never returned. */
  itemId?: string | number;
  /** Several items on screen, or the cart for 'cart'. */
  itemIds?: Array<string | number>;
  /** 1–100, default 10. */
  k?: number;
  exclude?: Array<string | number>;
  filter?: RecommendFilter;
  /** 0 = pure relevance … 1 = maximal spread. Default: the policy's (0.2). */
  diversity?: number;
  /** Chance 0–1 that a slot after the first shows something to discover. Default 0. */
  explore?: number;
  /** Leave out items the shopper already bought: `true` for all, or the durable categories whose purchases are left out (`['Sofas']`). Default false. */
  excludePurchased?: boolean | string[];
}

export interface Recommendation {
  itemId: string;
  /** At most 1; never increases down the list. */
  score: number;
  /** Short stable strings, e.g. "because you viewed sku-9", "popular in candles". */
  reasons: string[];
}

export type ConsentSource = 'default' | 'explicit' | 'tcf' | 'googleConsentMode' | 'gpc' | 'stored';

export interface ConsentState {
  personalization: boolean;
  storage: boolean;
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

export interface ProfileSummary {
  counts: Partial<Record<'view' | 'click' | 'add' | 'remove' | 'search' | 'list_view' | 'cart_view' | 'checkout' | 'purchase' | 'wishlist', number>>;
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
}

export interface Stamped {
  value: string;
  at: number;
}

export interface ProfileExport {
  halfLifeDays: number;
  counts: ProfileSummary['counts'];
  items: Array<{ itemId: string; weight: number; views: number; adds: number; updatedAt: number }>;
  categories: Affinity[];
  brands: Affinity[];
  channels: Affinity[];
  priceBands: Array<{ min: number; max: number | null; weight: number; updatedAt: number }>;
  recentlyViewed: Stamped[];
  purchases: Array<{ itemId: string; count: number; quantity: number; firstAt: number; lastAt: number }>;
  cart: Stamped[];
  searches: Stamped[];
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface StorageKey {
  key: string;
  /** Bytes the key and value take in storage (UTF-16). */
  bytes: number;
}

export type HistoryEntry =
  | { type: 'consent'; at: number; personalization: boolean; storage: boolean; source: ConsentSource }
  | { type: 'erase'; at: number; what: 'profile' | 'storage' | 'all' }
  | { type: 'reset'; at: number; key: string; reason: string }
  | { type: 'prune'; at: number; signals: number }
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
  policy: Required<Policy>;
  storage: { backend: 'local' | 'memory'; namespace: string; persistent: boolean; keys: StorageKey[]; totalBytes: number };
  profile: { held: boolean; signals: number; oldest: number | null; retentionDays: number; halfLifeDays: number; memoryBytes: number; mergeBuffer: number };
  history: HistoryEntry[];
  generatedAt: number;
}

export interface ExportData {
  format: 'vitrine-export';
  version: string;
  exportedAt: number;
  consent: ConsentState;
  profile: ProfileExport | null;
  storage: StorageKey[];
  history: HistoryEntry[];
}
"#;
