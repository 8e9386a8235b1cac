// Screenshots of the demo for the README (docs/screenshots/*.png), taken in Debian's Chromium
// after a scripted visit: `make screenshots`. Not a test (node --test skips this file name).
//
// The shopper arrives from Instagram, accepts, and her earlier visits are replayed through
// vitrine.track with the `timestamp` option (events dated over the last two weeks), so the audit
// page's time chart has a past to show; everything on screen is the SDK's real output.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, ready } from './browser.mjs';

const out = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
mkdirSync(out, { recursive: true });
const env = await launch();
const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
page.on('pageerror', (e) => { console.error(e); process.exitCode = 1; });
const shot = async (name, options = {}) => {
  await page.waitForTimeout(250);
  await page.screenshot({ path: `${out}${name}.png`, ...options });
  console.log(`docs/screenshots/${name}.png`);
};
const view = async (id) => {
  await page.goto(`${env.base}/?utm_source=instagram#/p/${id}`);
  await page.waitForSelector(`article.product[data-item-id="${id}"]`);
};

// First visit: the banner, choices open.
await page.goto(`${env.base}/?utm_source=instagram`);
await ready(page);
await page.click('#consent-choices summary');
await shot('consent-banner');

await page.click('[data-consent="accept-all"]');
await page.evaluate(() => {
  const day = 86_400_000;
  const past = [
    [13, 'Product Viewed', { product_id: 'lam-0000' }], [13, 'Product Viewed', { product_id: 'lam-0002' }],
    [13, 'Product Viewed', { product_id: 'thr-0001' }], [12, 'Order Completed', { products: [{ product_id: 'lam-0002' }] }],
    [8, 'Product Viewed', { product_id: 'tea-0000' }], [8, 'Order Completed', { products: [{ product_id: 'tea-0000', quantity: 2 }] }],
    [5, 'Product Viewed', { product_id: 'pla-0004' }], [5, 'Product Viewed', { product_id: 'pla-0001' }],
  ];
  for (const [d, name, props] of past) window.vitrine.track(name, props, { timestamp: Date.now() - d * day, channel: 'instagram' });
});
for (const id of ['can-0001', 'can-0004', 'can-0007', 'can-0012']) await view(id);
await view('can-0004');
await page.click('article.product button.primary');
await page.click('a.cart-link');
await page.waitForSelector('[data-slot="cart"] .card');
await page.click('.summary button.primary');
await page.waitForSelector('.thanks');
await view('can-0001');
await shot('product', { fullPage: true });
await page.click('a.logo');
await page.waitForSelector('[data-slot="for_you"] .card');
await shot('storefront', { clip: { x: 0, y: 0, width: 1280, height: 1400 }, fullPage: true });

// The TCF path.
const tcf = await context.newPage();
await tcf.goto(`${env.base}/?cmp=tcf`);
await tcf.waitForSelector('.cmp[role="dialog"]');
await tcf.check('#tcf-p5');
await tcf.waitForTimeout(250);
await tcf.screenshot({ path: `${out}tcf-cmp.png` });
console.log('docs/screenshots/tcf-cmp.png');
await tcf.close();

await page.goto(`${env.base}/console`);
await ready(page);
await shot('console', { fullPage: true });

await page.goto(`${env.base}/audit`);
await ready(page);
await shot('audit', { fullPage: true });

await context.close();
await env.close();
