// A marketer's audit of the consent console and the storefront's consent paths, in real Chromium:
// what the console and the shop SHOW (state, source, explanations, shelves) against what the
// page's vitrine instance reports (consent(), audit(), profile(), localStorage) and what
// docs/API.md and docs/PRIVACY.md say. Tests marked "defect" assert the expected behaviour and fail
// on the current code; the others guard what works.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, newPage, ready, vitrineKeys } from './browser.mjs';

const SHOTS = '/tmp/console_audit';
mkdirSync(SHOTS, { recursive: true });

const env = await launch();
test.after(() => env.close());

const gpcOn = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
const col = (page, i, sel) => page.$eval(`.column[data-variant="${i}"] ${sel}`, (e) => e.textContent);
const consent = (page) => page.evaluate(() => window.vitrine.consent());
/** Settles a page that may end in `data-ready="error"` (showFatal). */
const settled = (page) => page.waitForSelector('body[data-ready]');

// --- the console --------------------------------------------------------------------------------

test('guard: every route × answer × GPC: each column shows the consent its vitrine instance holds, mapped as the docs say', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  for (const gpc of [false, true]) {
    await page.setChecked('#sim-gpc', gpc);
    for (const route of ['banner', 'tcf', 'gcm']) {
      await page.selectOption('#route', route);
      if (route === 'tcf') await page.waitForFunction(() => document.querySelector('.column .signal').textContent.includes('TC string'));
      for (const answer of ['accept', 'refuse']) {
        await page.selectOption('#answer', answer);
        for (const i of [0, 1, 2]) {
          const truth = await page.evaluate((i) => window.consolePreview.simulate(i).consent, i);
          const at = `GPC ${gpc}, ${route}, ${answer}, column ${i}`;
          assert.equal(await col(page, i, '.source'), `source: ${truth.source}`, at);
          const pill = await col(page, i, '.pill');
          assert.equal(pill, truth.personalization ? (truth.storage ? 'Personalised, remembered' : 'Personalised, this visit only') : 'Not personalised', at);
          const stored = await col(page, i, '.stored');
          assert.equal(/console-preview:profile/.test(stored), truth.personalization && truth.storage, `${at}: ${stored}`);
        }
      }
    }
  }
  // PRIVACY.md: Consent Mode's personalization_storage decides both purposes; GPC 'deny' denies
  // personalisation (storage unaffected) unless the opt-in was made on the banner; 'ignore' reports it.
  await page.selectOption('#answer', 'accept');
  await page.selectOption('#route', 'gcm');
  const a = await page.evaluate(() => window.consolePreview.simulate(0).consent);
  assert.deepEqual([a.personalization, a.storage, a.source], [false, true, 'gpc']);
  assert.match(await col(page, 0, '.note'), /GPC, and this policy denies on it/);
  assert.match(await col(page, 2, '.outcome'), /Personalised, remembered/);
  assert.deepEqual(await vitrineKeys(page), [], 'the preview stores nothing in the page');
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: back to the console after choosing the TCF route, the console does not crash', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.selectOption('#route', 'tcf');
  await page.waitForFunction(() => document.querySelector('.column[data-variant="0"] .source')?.textContent === 'source: tcf');
  await page.click('.demo-bar a[href="/audit"]');
  await ready(page);
  await page.goBack();
  await settled(page);
  await page.screenshot({ path: `${SHOTS}/back-after-tcf-route.png` });
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true',
    `the console starts again; it shows: ${await page.textContent('main')}`);
  assert.deepEqual(problems, [], 'no error in the page console');
  await context.close();
});

test('defect: back to the console with "Her browser sends GPC" ticked, the preview follows the ticked box', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.selectOption('#route', 'gcm');
  await page.check('#sim-gpc');
  assert.equal(await col(page, 0, '.source'), 'source: gpc');
  await page.click('.demo-bar a[href="/"]');
  await ready(page);
  await page.goBack();
  await ready(page);
  await page.screenshot({ path: `${SHOTS}/back-with-gpc-ticked.png` });
  const ticked = await page.isChecked('#sim-gpc');
  const source = await col(page, 0, '.source');
  const note = await page.$eval('.column[data-variant="0"]', (c) => c.querySelector('.note')?.textContent ?? null);
  // Whatever the box shows after the page comes back, the columns must agree with it.
  assert.equal(source === 'source: gpc', ticked,
    `"Her browser sends GPC" shows ${ticked ? 'ticked' : 'unticked'}, column A shows ${source}, ${await col(page, 0, '.pill')}, note: ${note}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: when the marketer\'s own browser sends GPC, the "Her browser sends GPC" box does not show it unticked', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await context.addInitScript(gpcOn);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.selectOption('#route', 'gcm');
  const ticked = await page.isChecked('#sim-gpc');
  const source = await col(page, 0, '.source');
  await page.screenshot({ path: `${SHOTS}/real-gpc-box-unticked.png` });
  assert.equal(ticked, source === 'source: gpc',
    `box ${ticked ? 'ticked' : 'unticked'}, yet column A: ${await col(page, 0, '.outcome')} — ${await col(page, 0, '.note')}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: "Shoppers who said they are unhappy" and "Ask again after" show some effect in the edited column', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  const columnA = () => page.$eval('.column[data-variant="0"]', (c) => c.innerText);
  const unchanged = [];
  for (const [sel, value] of [['#detractors', 'same'], ['#consent-age', '180']]) {
    const before = await columnA();
    await page.selectOption(sel, value);
    if ((await columnA()) === before) unchanged.push(sel);
  }
  assert.deepEqual(unchanged, [], 'a setting the marketer changes leaves column A exactly as it was (not even its summary line names it)');
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: a policy marking sensitive categories exports a banner that offers the separate sensitive consent', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.click('.column[data-variant="1"] [data-edit]'); // Privacy first: Wellness is sensitive
  await page.click('#export');
  const code = await page.textContent('#export-code');
  assert.match(code, /"sensitiveCategories": \[\s*"Wellness"/);
  const banner = JSON.parse(code.match(/Your banner: (\{.*\})/)[1]);
  assert.ok(banner.purposes.includes('sensitive'),
    `Wellness is only ever used with the separate consent (PRIVACY.md P17), but the banner to build offers ${JSON.stringify(banner.purposes)}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: the "TCF purposes" help does not say that "as answered" gives no consent', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  const help = await page.$eval('#tcf-purposes', (s) => s.closest('p').nextElementSibling.textContent);
  // Its "Otherwise" follows "Choose “the site's own” when…": read as "if you keep 'as answered'",
  // it says a string gives no consent — the opposite of the default (PRIVACY.md: core purposes count).
  assert.doesNotMatch(help, /Otherwise a string carries no such answers and gives no consent/, help);
  assert.deepEqual(problems, []);
  await context.close();
});

test('guard: the console at a phone width does not scroll sideways; screenshots', async () => {
  const context = await env.browser.newContext({ viewport: { width: 375, height: 800 } });
  const { page, problems } = await newPage(env.browser, { context });
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.check('#sim-gpc');
  await page.selectOption('#route', 'gcm');
  await page.screenshot({ path: `${SHOTS}/phone-console.png`, fullPage: true });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375);
  await page.click('#export');
  await page.screenshot({ path: `${SHOTS}/phone-console-export.png` });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375);
  assert.deepEqual(problems, []);
  await context.close();
});

// --- the storefront ------------------------------------------------------------------------------

test('guard: banner yes, no, yes again, reload: chip, storage and profile agree with vitrine each time; GPC waits for the banner', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await context.addInitScript(gpcOn);
  await page.goto(env.base);
  await ready(page);
  assert.equal(await page.isVisible('#consent-banner'), true, 'GPC on: the banner still asks');
  assert.equal((await consent(page)).source, 'default');
  await page.click('[data-consent="accept-all"]');
  let c = await consent(page);
  assert.deepEqual([c.personalization, c.storage, c.source], [true, true, 'explicit'], 'an opt-in on the banner overrides GPC');
  assert.equal(await page.textContent('#privacy-chip'), 'Personalised on this device');
  await page.goto(`${env.base}/#/p/can-0001`);
  await page.waitForSelector('article.product[data-item-id="can-0001"]');
  await page.click('#privacy-chip');
  await page.click('[data-consent="reject-all"]');
  assert.equal(await page.textContent('#privacy-chip'), 'Personalisation off');
  assert.deepEqual(await vitrineKeys(page), []);
  assert.equal(await page.evaluate(() => window.vitrine.profile()), null);
  await page.click('#privacy-chip');
  assert.equal(await page.isChecked('#consent-personalization'), false, 'the banner opens on the decision in force');
  await page.click('[data-consent="accept-all"]');
  await page.reload();
  await ready(page);
  c = await consent(page);
  assert.deepEqual([c.personalization, c.storage, c.source], [true, true, 'stored'], 'P12: an opt-in made while GPC was on stands after a reload');
  assert.equal(await page.isVisible('#consent-banner'), false);
  assert.equal(await page.evaluate(() => window.vitrine.profile()?.events ?? 0) > 0, true);
  await page.goto(`${env.base}/audit`);
  await ready(page);
  assert.match(await page.textContent('#summary'), /Global Privacy Controlsentpolicy: deny/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: "Accept all" in the shop\'s banner does not withdraw the sensitive consent and erase what it kept', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await page.check('#consent-sensitive');
  await page.goto(`${env.base}/#/p/wel-0001`);
  await page.waitForSelector('article.product[data-item-id="wel-0001"]');
  assert.deepEqual(await page.evaluate(() => window.vitrine.profile().categories.map((x) => x.name)), ['wellness']);
  // She opens Privacy settings and confirms "Accept all".
  await page.click('#privacy-chip');
  await page.click('[data-consent="accept-all"]');
  const after = await page.evaluate(() => ({
    sensitive: window.vitrine.consent().sensitive,
    categories: window.vitrine.profile().categories.map((x) => x.name),
    erased: window.vitrine.audit().history.filter((e) => e.type === 'erase').map((e) => e.what),
  }));
  assert.deepEqual(after, { sensitive: true, categories: ['wellness'], erased: [] }, '"Accept all" took away a consent she had given');
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: the privacy audit shows the sensitive purpose, granted or denied', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(env.base);
  await ready(page);
  await page.click('[data-consent="accept-all"]');
  await page.check('#consent-sensitive');
  await page.goto(`${env.base}/audit`);
  await ready(page);
  assert.equal(await page.evaluate(() => window.vitrine.consent().sensitive), true);
  await page.screenshot({ path: `${SHOTS}/audit-no-sensitive-row.png`, fullPage: true });
  const panel = await page.textContent('#consent');
  assert.match(panel, /sensitive/i, `the Consent panel shows personalisation and storage only: ${panel}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('defect: another tab\'s yes redraws this tab\'s home page for it (caption, hero button)', async () => {
  const { page: a, problems, context } = await newPage(env.browser);
  await a.goto(env.base);
  await ready(a);
  await a.click('[data-consent="reject-all"]');
  const b = await newPage(env.browser, { context });
  await b.page.goto(env.base);
  await ready(b.page);
  await b.page.click('[data-consent="accept-all"]');
  await a.waitForFunction(() => document.querySelector('#privacy-chip').textContent === 'Personalised on this device');
  await a.waitForTimeout(100);
  await a.screenshot({ path: `${SHOTS}/tab-a-after-tab-b-accepts.png` });
  const shown = await a.evaluate(() => ({
    note: document.querySelector('[data-slot="for_you"] .shelf-note')?.textContent ?? '',
    offer: document.querySelector('.hero [data-open-consent]')?.textContent ?? null,
  }));
  assert.equal((await consent(a)).personalization, true);
  assert.doesNotMatch(shown.note, /Allow personalisation/, 'the shelf asks her to allow what she allowed');
  assert.equal(shown.offer, null, `the hero still offers "${shown.offer}"`);
  assert.deepEqual(problems, []);
  assert.deepEqual(b.problems, []);
  await context.close();
});

test('defect: TCF, two tabs: after "Reject all" in one, the other\'s strip and CMP dialog do not show the old yes', async () => {
  const { page: a, problems, context } = await newPage(env.browser);
  await a.goto(`${env.base}/?cmp=tcf`);
  await ready(a);
  await a.click('[data-cmp="accept-all"]');
  const b = await newPage(env.browser, { context });
  await b.page.goto(`${env.base}/?cmp=tcf`);
  await ready(b.page);
  await b.page.click('#privacy-chip');
  await b.page.click('[data-cmp="reject-all"]');
  await a.waitForFunction(() => window.vitrine.consent().personalization === false);
  await a.waitForTimeout(100);
  const strip = await a.textContent('#tcf-status');
  await a.click('#privacy-chip');
  const boxes = await a.$$eval('.cmp input[type="checkbox"]', (x) => x.filter((i) => i.checked).map((i) => i.id));
  await a.screenshot({ path: `${SHOTS}/tcf-tab-a-stale-cmp.png` });
  assert.match(strip, /purposes consented: none/, strip);
  assert.deepEqual(boxes, [], 'the dialog opens ticked for purposes she refused in the other tab: "Save choices" would grant them again');
  assert.deepEqual(problems, []);
  assert.deepEqual(b.problems, []);
  await context.close();
});

test('defect: TCF mode: after the sensitive box, the TCF strip and the chip name the source vitrine reports', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/?cmp=tcf`);
  await ready(page);
  await page.click('[data-cmp="accept-all"]');
  await page.check('#consent-sensitive');
  const { source } = await consent(page);
  assert.equal(source, 'explicit', 'the box is a banner decision (setConsent with banner flags)');
  const strip = await page.textContent('#tcf-status');
  const chip = await page.getAttribute('#privacy-chip', 'title');
  assert.match(strip, new RegExp(`source: ${source}`), strip);
  assert.match(chip, new RegExp(`source: ${source}`), chip);
  assert.deepEqual(problems, []);
  await context.close();
});
