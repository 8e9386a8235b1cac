// The consent console in real Chromium: three live vitrine instances, one per policy; changing a
// setting changes that column's shelf; the exported policy is one `Vitrine.open` accepts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { assertOnlyStaticRequests, launch, newPage, ready, vitrineKeys } from './browser.mjs';

const env = await launch();
test.after(() => env.close());

const column = (page, i) => page.$$eval(`.column[data-variant="${i}"] [data-slot="for_you"] li`, (li) => li.map((x) => ({ id: x.dataset.itemId, category: x.dataset.category, reason: x.querySelector('.rec-reason').textContent })));
const text = (page, sel) => page.textContent(sel);

test('the preview follows each setting, and the export opens vitrine', async () => {
  const { page, requests, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  assert.equal((await page.$$('.column')).length, 3);
  for (const i of [0, 1, 2]) assert.equal((await column(page, i)).length, 6, `column ${i} has a shelf`);
  assert.match(await text(page, '.column[data-variant="0"] .tally'), /29 events replayed: 21 kept, 8 refused \(older than retention\)/);
  assert.match(await text(page, '.column[data-variant="2"] .tally'), /29 events replayed: 29 kept$/);

  // Half-life from 14 days to 12 hours (keyboard on the slider): only column A changes.
  const a0 = await column(page, 0);
  const b0 = await column(page, 1);
  await page.focus('#half-life');
  await page.keyboard.press('Home');
  assert.equal(await text(page, '#half-life-out'), '12 hours');
  const a1 = await column(page, 0);
  assert.notDeepEqual(a1.map((x) => x.id), a0.map((x) => x.id), 'column A changed');
  assert.deepEqual(await column(page, 1), b0, 'column B did not');
  assert.match(await text(page, '.column[data-variant="0"] .knobs'), /half-life 12 hours/);

  // Retention to the maximum: nothing is refused any more.
  await page.focus('#retention');
  await page.keyboard.press('End');
  assert.match(await text(page, '.column[data-variant="0"] .tally'), /29 kept$/);

  // Wellness marked sensitive: recorded, but never ranked or named.
  const wellnessBefore = (await column(page, 0)).filter((x) => x.category === 'Wellness').length;
  assert.ok(wellnessBefore > 0, 'column A recommends wellness products before');
  await page.check('[data-sensitive="Wellness"]');
  const sensitive = await column(page, 0);
  assert.equal(sensitive.filter((x) => x.category === 'Wellness' || /wellness/i.test(x.reason)).length, 0, JSON.stringify(sensitive));

  // The shopper's choice through a TCF CMP while her browser sends GPC: policy 'deny' (A, B)
  // turns personalisation off; 'ignore' (C) does not.
  await page.selectOption('#route', 'tcf');
  await page.waitForFunction(() => document.querySelector('.column[data-variant="0"] .source')?.textContent.includes('tcf'));
  await page.check('#sim-gpc');
  await page.waitForFunction(() => document.querySelector('.column[data-variant="0"] .source')?.textContent === 'source: gpc');
  assert.match(await text(page, '.column[data-variant="0"] .outcome'), /Not personalised/);
  assert.match(await text(page, '.column[data-variant="2"] .outcome'), /Personalised/);
  await page.uncheck('#sim-gpc');
  await page.selectOption('#route', 'banner');

  // A refusal: no shelf is personal and, unless the policy remembers refusals, nothing is kept.
  await page.selectOption('#answer', 'refuse');
  assert.match(await text(page, '.column[data-variant="0"] .stored'), /Nothing kept/);
  assert.match(await text(page, '.column[data-variant="1"] .stored'), /console-preview:consent/, 'B remembers the refusal');
  await page.selectOption('#answer', 'accept');

  // Export: the JSON and the snippet; the policy opens vitrine as is.
  await page.click('#export');
  assert.match(await text(page, '#export-code'), /Vitrine\.load\(\{[\s\S]*"halfLifeDays": 0\.5[\s\S]*"retentionDays": 730[\s\S]*"sensitiveCategories": \[\s*"Wellness"\s*\]/);
  assert.match(await text(page, '#export-box > p'), /The policy goes to Vitrine\.load\(\), as below/, 'the text names what the snippet calls');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  assert.equal(download.suggestedFilename(), 'policy.json');
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.deepEqual(exported.banner, { purposes: ['personalization', 'storage', 'sensitive'], preTicked: false });
  const opened = await page.evaluate(async (policy) => {
    const { Vitrine } = await import('/pkg/vitrine.js');
    const v = Vitrine.open({ policy, storage: 'memory' });
    const p = v.audit().policy;
    v.free();
    return p;
  }, exported.policy);
  assert.deepEqual(opened, { ...exported.policy, sensitiveCategories: ['wellness'] });

  // Reset to presets: the export of a policy that is gone goes too.
  await page.click('#reset');
  assert.equal(await page.isVisible('#export-box'), false);
  assert.equal(await text(page, '#export-code'), '');
  assert.equal(await page.inputValue('#v-name'), 'SDK defaults');
  assert.match(await text(page, 'label[for="remember-refusal"]'), /a 29-byte record/);

  // Editing B leaves A alone.
  await page.click('.column[data-variant="1"] [data-edit]');
  assert.equal(await page.inputValue('#v-name'), 'Privacy first');
  const aBefore = await column(page, 0);
  await page.selectOption('#gpc', 'ignore');
  assert.deepEqual(await column(page, 0), aBefore);

  assert.deepEqual(await vitrineKeys(page), [], 'the preview stores nothing');
  assertOnlyStaticRequests(requests, env.base);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an open export follows the policy as it is edited', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.click('#export');
  assert.match(await text(page, '#export-code'), /"halfLifeDays": 14,/);
  await page.focus('#half-life');
  await page.keyboard.press('Home');
  await page.fill('#v-name', 'Short memory');
  const code = await text(page, '#export-code');
  assert.match(code, /"halfLifeDays": 0\.5,/, 'the snippet shows the half-life now in force');
  assert.match(code, /“Short memory”/, 'and the name');
  assert.deepEqual(problems, []);
  await context.close();
});

test('each column says what its signal told vitrine, and why the outcome differs from the banner', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  const col = (i, sel) => text(page, `.column[data-variant="${i}"] ${sel}`);
  const note = (i) => page.$eval(`.column[data-variant="${i}"]`, (c) => c.querySelector('.note')?.textContent ?? null);
  assert.match(await col(1, '.signal'), /personalisation yes, storage no/);

  // TCF: B's banner offers no storage, so its TC string carries purposes 5 and 6 only; B reads
  // the site's own purposes (tcfPurposes 'publisher'), which its CMP asks for too.
  await page.selectOption('#route', 'tcf');
  await page.waitForFunction(() => document.querySelector('.column[data-variant="1"] .source')?.textContent.includes('tcf'));
  assert.match(await text(page, '#route-help'), /Purpose 1 .* storage; purposes 5 and 6/);
  assert.match(await col(0, '.signal'), /TC string consenting to purposes 1, 5, 6$/);
  assert.match(await col(1, '.signal'), /TC string consenting to purposes 5, 6 as the site's own$/);
  assert.match(await col(1, '.outcome'), /this visit only/);

  // Consent Mode: one key grants both, so B remembers her although its banner does not offer it.
  await page.selectOption('#route', 'gcm');
  assert.match(await col(1, '.outcome'), /Personalised, remembered/);
  assert.match(await col(1, '.stored'), /console-preview:profile/, 'vitrine does keep her profile');
  assert.match(await note(1), /does not offer storage.*personalization_storage/);
  assert.equal(await note(0), null, 'A offers storage: nothing to explain');

  // GPC: denied through Consent Mode (A), not through an opt-in on the banner (A), ignored (C).
  await page.check('#sim-gpc');
  assert.match(await col(0, '.outcome'), /Not personalised/);
  assert.match(await note(0), /GPC.*denies/);
  assert.match(await note(2), /ignores it/);
  await page.selectOption('#route', 'banner');
  assert.match(await col(0, '.outcome'), /Personalised, remembered/);
  assert.match(await note(0), /opted in on your own banner.*overrides GPC/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the longest source, googleConsentMode, stays inside its column on a laptop screen', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  await page.selectOption('#route', 'gcm');
  const overflow = await page.$$eval('.column', (columns) => columns.map((c) => {
    const inner = c.getBoundingClientRect().right - parseFloat(getComputedStyle(c).paddingRight);
    return [...c.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > inner + 0.5).map((e) => `${e.className}: ${e.textContent}`);
  }).flat());
  assert.deepEqual(overflow, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('stored sizes say how they are counted, next to the 29-byte consent record', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  const consentKey = await text(page, '.column[data-variant="0"] .stored');
  const [, size] = consentKey.match(/console-preview:consent \((\d+) B\)/);
  const record = await page.evaluate(() => window.consolePreview.simulate(0));
  assert.ok(record.consent.storage);
  // 29 bytes stored as 48 characters, under a 23-character key, counted in UTF-16.
  assert.equal(Number(size), 2 * ('console-preview:consent'.length + 48));
  assert.match(await page.$eval('.column[data-variant="0"] .stored + .footnote', (p) => p.textContent), /storage quota.*key and value, 2 bytes a character/);
  assert.equal(await page.$('.column[data-variant="1"] .stored + .footnote'), null, 'nothing kept, nothing to count');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the tally names each refusal in words, with the counts vitrine gave', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  const tally = await page.evaluate(() => window.consolePreview.simulate(1).tally);
  assert.ok(tally.sensitive > 0, 'Privacy first marks Wellness sensitive');
  assert.match(await text(page, '.column[data-variant="1"] .tally'),
    new RegExp(`${tally.kept} kept, ${tally.expired} refused \\(older than retention\\), ${tally.sensitive} refused \\(sensitive category, no separate consent\\)$`));
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the introduction does not send the marketer to a preview "on the right"', async () => {
  const context = await env.browser.newContext({ viewport: { width: 375, height: 800 } });
  const { page, problems } = await newPage(env.browser, { context });
  await page.goto(`${env.base}/console`);
  await ready(page);
  const [editor, preview] = await Promise.all(['#editor', '.preview'].map((s) => page.$eval(s, (e) => e.getBoundingClientRect().toJSON())));
  assert.ok(preview.top >= editor.bottom, 'the preview is below the policy');
  const intro = await text(page, '.intro p');
  assert.doesNotMatch(intro, /on the right/i);
  assert.match(intro, /below it on a narrow screen/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a change is announced in one line, not by reading out three whole columns', async () => {
  const { page, problems, context } = await newPage(env.browser);
  await page.goto(`${env.base}/console`);
  await ready(page);
  assert.equal(await page.$('#columns[aria-live], .columns [aria-live]'), null, 'the columns are no live region');
  await page.selectOption('#answer', 'refuse');
  assert.equal(await text(page, '[role="status"]#preview-status'), 'Preview updated: A, Not personalised; B, Not personalised; C, Not personalised.');
  await page.selectOption('#answer', 'accept');
  assert.equal(await text(page, '#preview-status'), 'Preview updated: A, Personalised, remembered; B, Personalised, this visit only; C, Personalised, remembered.');
  assert.deepEqual(problems, []);
  await context.close();
});
