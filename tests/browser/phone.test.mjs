// The three demo pages on a phone (390 × 844, touch), where most social-commerce visits land: no
// page scrolls sideways, the storefront's help aside ends the page instead of floating over a
// third of the screen, and the audit says "none yet" of a profile that holds no signal; on a
// tablet the aside ends the page too, on a desktop it floats.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage } from './browser.mjs';

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

test('on a tablet the help aside ends the page too; on a desktop it floats', async () => {
  for (const [width, position] of [[820, 'static'], [1280, 'fixed']]) {
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
