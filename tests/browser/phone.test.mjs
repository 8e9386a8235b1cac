// The three demo pages on a phone (390 × 844, touch), where most social-commerce visits land: no
// page scrolls sideways, nothing sticks out of its panel (the cart's lines and summary, the audit's
// storage table), the audit's time chart stays readable, the storefront's help aside ends the page
// instead of floating over a third of the screen, and the audit says "none yet" of a profile that
// holds no signal; on a tablet and on a desktop the aside ends the page too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, ready } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const phone = () => env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** The page's width against the viewport's, and the elements (outermost only) that stick out. */
const sideways = (page) => page.evaluate(() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !(e.parentElement?.getBoundingClientRect().right > width + 1);
  });
  return { scroll: document.documentElement.scrollWidth, width, out: out.map((e) => `${e.tagName}.${e.className}`) };
});

test('on a phone no page scrolls sideways and the help aside ends the page', async () => {
  const context = await phone();
  const { page, problems } = await newPage(env.browser, { context });
  await page.goto(`${env.base}/?utm_source=ig`);
  await page.click('[data-consent="accept-all"]');
  await page.waitForSelector('aside.human .channel-badge');
  await page.waitForSelector('[data-slot="for_you"] .card');
  const aside = await page.evaluate(() => {
    const a = document.querySelector('aside.human');
    return { position: getComputedStyle(a).position, next: a.nextElementSibling?.tagName };
  });
  assert.deepEqual(aside, { position: 'static', next: 'FOOTER' });
  const s = await sideways(page);
  assert.equal(s.scroll, s.width, `the storefront: ${s.out.join(', ')}`);

  for (const path of ['/console', '/audit']) {
    await page.goto(`${env.base}${path}`);
    await page.waitForSelector('body[data-ready="true"]');
    const p = await sideways(page);
    assert.equal(p.scroll, p.width, `${path}: ${p.out.join(', ')}`);
  }
  // Consent was given on the shop, but nothing was viewed: the profile holds no signal yet.
  const glance = await page.$$eval('dt', (dts) => dts.find((dt) => dt.textContent === 'First and last signal')?.nextElementSibling.textContent);
  assert.equal(glance, 'none yet');
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * How far each element sticks out past the right edge of the content box of its container (its
 * `closest(container)`): 0 when it fits.
 */
const overhang = (page, selector, container) => page.$$eval(selector, (els, container) => els.map((e) => {
  const box = e.parentElement.closest(container);
  const padding = parseFloat(getComputedStyle(box).paddingRight) + parseFloat(getComputedStyle(box).borderRightWidth);
  return Math.max(0, Math.round(e.getBoundingClientRect().right - (box.getBoundingClientRect().right - padding)));
}), container);

test('on a phone the cart and the audit fit their panels, and the time chart is readable', async () => {
  const context = await phone();
  const { page, problems } = await newPage(env.browser, { context });
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await page.goto(`${env.base}/#/p/can-0001`);
  await page.waitForSelector('article.product[data-item-id="can-0001"]');
  await page.click('article.product button.primary');
  await page.click('a.cart-link');
  await page.waitForSelector('.lines li');
  assert.deepEqual(await overhang(page, '.lines li, .summary', 'main'), [0, 0], 'the cart line and the summary');
  const s = await sideways(page);
  assert.equal(s.scroll, s.width, `the cart: ${s.out.join(', ')}`);

  await page.goto(`${env.base}/audit`);
  await ready(page);
  assert.deepEqual(await overhang(page, '#storage table', '.panel'), [0], 'the storage table');
  const p = await sideways(page);
  assert.equal(p.scroll, p.width, `/audit: ${p.out.join(', ')}`);
  const chart = await page.$eval('#time svg.chart.time', (svg) => {
    const r = svg.getBoundingClientRect();
    const labels = [...svg.querySelectorAll('text.tick, .grid text')].map((t) => t.getBoundingClientRect());
    return { width: r.width, height: r.height, labels: labels.length, smallest: Math.min(...labels.map((l) => l.height)), overlaps: labels.filter((l, i) => labels.some((m, j) => j !== i && l.top === m.top && l.left < m.right && m.left < l.right)).length };
  });
  assert.ok(chart.height >= 200, `the time chart is ${Math.round(chart.width)} × ${Math.round(chart.height)} px`);
  assert.ok(chart.labels >= 6 && chart.smallest >= 11, `its axis labels are ${chart.smallest} px tall`);
  assert.equal(chart.overlaps, 0, 'no two axis labels run into each other');
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a tablet and on a desktop the help aside ends the page too', async () => {
  for (const [width, position] of [[820, 'static'], [1280, 'static']]) {
    const context = await env.browser.newContext({ viewport: { width, height: 1000 }, hasTouch: width < 1000 });
    const { page, problems } = await newPage(env.browser, { context });
    await page.goto(`${env.base}/?utm_source=ig`);
    await page.click('[data-consent="accept-all"]');
    await page.waitForSelector('aside.human .channel-badge');
    assert.equal(await page.$eval('aside.human', (a) => getComputedStyle(a).position), position, `${width} px`);
    const s = await sideways(page);
    assert.equal(s.scroll, s.width, `${width} px: ${s.out.join(', ')}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});
