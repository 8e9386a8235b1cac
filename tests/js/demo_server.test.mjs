// The demo server's caching: the package is cacheable and revalidated at every use (so a return
// visit starts with the optimized code Chromium keeps with the cached module, docs/API.md), the
// pages never stored.
import test from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../www/serve.mjs';

test('the package is revalidated by ETag, the pages are not stored', async (t) => {
  const server = await startServer({ port: 0 });
  t.after(() => new Promise((ok) => server.close(ok)));
  const base = `http://127.0.0.1:${server.address().port}`;

  const first = await fetch(`${base}/pkg/vitrine_bg.wasm`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-type'), 'application/wasm');
  assert.equal(first.headers.get('cache-control'), 'no-cache');
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-z]+-[0-9a-z]+"$/);
  assert.ok((await first.arrayBuffer()).byteLength > 0);

  const again = await fetch(`${base}/pkg/vitrine_bg.wasm`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  assert.ok(again.headers.get('content-security-policy'), 'a 304 keeps the security headers');

  const stale = await fetch(`${base}/pkg/vitrine_bg.wasm`, { headers: { 'if-none-match': '"0-0"' } });
  assert.equal(stale.status, 200);

  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.equal(page.headers.get('etag'), null);
  await page.arrayBuffer();
});
