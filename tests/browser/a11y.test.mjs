// Accessibility in real Chromium: axe-core (from npm) finds no serious or critical WCAG 2.1 A/AA
// or best-practice violation on the consent banner, the TCF dialog, the console and the other
// pages; the banner and the console work from the keyboard alone.
import test from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, launch, newPage, ready } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e.dataset?.consent || e.dataset?.cmp || e.id || e.tagName.toLowerCase();
});

test('the consent banner: axe finds nothing serious, and a keyboard user can choose per purpose', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  assert.deepEqual(await axeViolations(page, '#consent-banner'), []);
  assert.equal(await focused(page), 'accept-all', 'the banner takes the focus when it opens');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'reject-all');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(page), 'summary', 'then the per-purpose choices');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'consent-personalization');
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'consent-storage');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'save-choices');
  assert.deepEqual(await axeViolations(page, '#consent-banner'), [], 'with the choices open');
  await page.keyboard.press('Enter');
  assert.equal(await page.isVisible('#consent-banner'), false);
  assert.deepEqual(await page.evaluate(() => { const c = window.vitrine.consent(); return [c.personalization, c.storage]; }), [true, false]);
  assert.equal(await focused(page), 'main', 'the focus goes back to the page');
  assert.deepEqual(await axeViolations(page, 'body'), [], 'the home page');
  await page.click('[data-slot="for_you"] .card');
  await page.waitForSelector('article.product');
  assert.deepEqual(await axeViolations(page, 'body'), [], 'a product page');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the TCF dialog: axe finds nothing serious, the focus stays inside until the shopper decides', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  await page.waitForSelector('.cmp[role="dialog"]');
  assert.deepEqual(await axeViolations(page, '.cmp'), []);
  assert.equal(await focused(page), 'accept-all');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'tcf-p1', 'Tab wraps round to the first control');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(page), 'accept-all');
  await page.keyboard.press('Enter');
  assert.equal(await page.isVisible('.cmp[role="dialog"]'), false);
  assert.equal(await page.evaluate(() => window.vitrine.consent().source), 'tcf');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the console: axe finds nothing serious, every control is reachable and works from the keyboard', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  assert.deepEqual(await axeViolations(page, 'body'), []);
  // Walk the page with Tab from the top: every control of the editor and the preview is reached.
  const controls = await page.$$eval('#editor input, #editor select, #editor button, .scenario-controls select, .scenario-controls input',
    (els) => els.filter((e) => !e.disabled).map((e) => e.id || `${e.name}=${e.value}`));
  const reached = new Set();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(() => { const e = document.activeElement; return e.id || `${e.name}=${e.value}`; });
    reached.add(here);
  }
  // Radio groups take one Tab stop (arrows move inside), so only the checked variant is reached.
  const missing = controls.filter((c) => !reached.has(c) && !/^variant=[12]$/.test(c));
  assert.deepEqual(missing, [], `unreachable by Tab: ${missing.join(', ')}`);
  // Arrow keys on the variant radios switch the column being edited.
  await page.focus('input[name="variant"][value="0"]');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue('#v-name'), 'Privacy first');
  assert.equal(await page.getAttribute('.column[data-variant="1"] [data-edit]', 'aria-pressed'), 'true');
  await page.focus('#diversity');
  const before = await page.textContent('#diversity-out');
  await page.keyboard.press('ArrowRight');
  assert.notEqual(await page.textContent('#diversity-out'), before);
  await page.click('#export');
  assert.deepEqual(await axeViolations(page, 'body'), [], 'with the export shown');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the audit page: axe finds nothing serious', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await page.goto(`${env.base}/#/p/can-0001`);
  await page.waitForSelector('article.product[data-item-id="can-0001"]');
  await page.goto(`${env.base}/audit`);
  await ready(page);
  assert.deepEqual(await axeViolations(page, 'body'), []);
  assert.deepEqual(problems, []);
  await context.close();
});
