// The visit's channel from an in-app browser, against the built pkg/: with no referrer, the
// user agent names the app (only the label is kept), and a worker's navigator names nothing.
import test from 'node:test';
import assert from 'node:assert/strict';
import vitrine, { makeCatalog } from './load.mjs';

const { Vitrine } = vitrine;
const catalog = makeCatalog(10);
const IG = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 300.0.0.22.110 (iPhone14,5; iOS 17_0; en_US; en; scale=3.00; 1170x2532; 510745137)';
const TT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_33.1.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US BytedanceWebview/d8a21c6';

/** Opens with `document` and `navigator.userAgent` in place, as an in-app browser has them. */
function openIn(userAgent, document, options = { catalog, storage: 'memory' }) {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent }, configurable: true, writable: true });
  if (document) globalThis.document = document;
  try {
    return Vitrine.open(options);
  } finally {
    delete globalThis.document;
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete globalThis.navigator;
  }
}

test('an in-app browser with no referrer names its app; a referrer or a tagged source says more', () => {
  const cases = [
    [TT, 'https://shop.example/p/1', '', 'tiktok'],
    [IG, 'https://shop.example/p/1?fbclid=PAZXh0bgNhZW0', '', 'instagram'],
    [IG, 'https://shop.example/?utm_source=tiktok_ads&utm_medium=cpc', '', 'tiktok'],
    [IG, 'https://shop.example/', 'https://www.google.com/', 'search'],
    ['Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36', 'https://shop.example/', '', 'direct'],
  ];
  for (const [ua, URL, referrer, want] of cases) {
    const v = openIn(ua, { URL, referrer });
    assert.equal(v.channel(), want, `${URL} from ${referrer || 'nothing'}`);
    v.free();
  }
  const v = openIn(IG, { URL: 'https://shop.example/?igsh=MWQ1', referrer: '' }, { catalog, consent: { personalization: true }, storage: 'memory' });
  v.track('Product Viewed', { product_id: 'candles-0' });
  const text = JSON.stringify(v.exportData());
  assert.ok(!text.includes('iPhone') && !text.includes('Instagram 300') && !text.includes('android-app'), 'only the label is kept');
  v.free();
  const worker = openIn(IG, null);
  assert.equal(worker.channel(), null, 'no document, no visit: the user agent is not read');
  worker.free();
});
