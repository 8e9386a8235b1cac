// Compiled with `tsc -p tests/types` against the built pkg/vitrine.d.ts: correct use type-checks,
// and each `@ts-expect-error` line must really be an error (tsc fails if it is not).
import init, { initSync, Vitrine, version } from 'vitrine';
import type {
  AuditReport, CatalogItem, ConsentState, ExportData, ProfileSummary, Recommendation, TrackResult,
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
