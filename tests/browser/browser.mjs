// Headless Debian Chromium driven by playwright-core, and the demo server on a free port.
import { chromium } from 'playwright-core';
import { startServer } from '../../www/serve.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  const server = await startServer({ port: 0 });
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * A page that records every request and every error. `problems` must stay empty in a good run.
 */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), postData: r.postData() }));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { context, page, requests, problems };
}

/** vitrine's keys in this page's localStorage. */
export function vitrineKeys(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('vitrine:')));
}
