// The demo server: static files only, with a Content-Security-Policy that forbids every network
// connection except loading vitrine's own .wasm (and the demo's model file).
//
//   node www/serve.mjs [--port 8080] [--host 127.0.0.1]
//
// Routes: / (storefront), /console, /audit → their HTML; /pkg/* → the built package;
// /vendor/<package>/* → the ES modules of the few npm packages the demo's TCF CMP is made of
// (served from node_modules, never copied into the repository); the rest of www/ as files. Only GET
// and HEAD are answered.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const www = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.vtr': 'application/octet-stream',
  '.ts': 'text/plain; charset=utf-8',
};

const PAGES = { '/': 'index.html', '/console': 'console.html', '/audit': 'audit.html' };

/**
 * npm packages the pages import, by their ES module folder. The IAB's CMP API imports its sibling
 * by bare name (`from '@iabtechlabtcf/core'`); those specifiers are rewritten to these URLs when
 * served, which is what an import map would do without an inline script.
 */
const VENDOR = {
  '@iabtechlabtcf/core': 'node_modules/@iabtechlabtcf/core/lib/mjs',
  '@iabtechlabtcf/cmpapi': 'node_modules/@iabtechlabtcf/cmpapi/lib/mjs',
};
const BARE = new RegExp(`(from\\s*|import\\s*\\(?\\s*)(['"])(${Object.keys(VENDOR).map((k) => k.replace(/[/.]/g, '\\$&')).join('|')})\\2`, 'g');
const vendorSpecifiers = (js) => js.replace(BARE, (_, lead, q, name) => `${lead}${q}/vendor/${name}/index.js${q}`);

/**
 * Files the page may fetch: the module's own wasm (the SIMD build, or the scalar one on engines
 * without SIMD) and the demo model. Nothing else.
 */
export const FETCHABLE = ['/pkg/vitrine_bg.wasm', '/pkg/vitrine_scalar_bg.wasm', '/generated/model.vtr'];

export function csp(origin) {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `connect-src ${FETCHABLE.map((p) => origin + p).join(' ')}`,
    "img-src 'self' data: blob:",
    "style-src 'self'",
    "font-src 'none'",
    "manifest-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The file a URL path maps to (`{file, page?, vendor?}`), or null when it maps to none. */
export function resolve(pathname) {
  if (PAGES[pathname]) return { file: join(www, PAGES[pathname]), page: true };
  let rel;
  try {
    rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    return null;
  }
  if (rel.split(sep).includes('..')) return null;
  if (rel.startsWith(`vendor${sep}`)) {
    const name = Object.keys(VENDOR).find((n) => rel.startsWith(`vendor${sep}${n}${sep}`));
    if (!name || extname(rel) !== '.js') return null;
    return { file: join(root, VENDOR[name], rel.slice(`vendor${sep}${name}${sep}`.length)), vendor: true };
  }
  const base = rel.startsWith(`pkg${sep}`) ? root : www;
  return { file: join(base, rel) };
}

export function startServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host || host}`);
    const headers = {
      'Content-Security-Policy': csp(`http://${req.headers.host || `${host}:${port}`}`),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const found = resolve(url.pathname);
    const file = found?.file;
    try {
      const info = file && (await stat(file));
      if (!info?.isFile()) throw new Error('not a file');
      // The package and the model may be cached, revalidated at every use (a rebuild shows at
      // once): a browser then keeps the optimized code of the cached module between visits,
      // as on a storefront that serves the package with a cache lifetime (docs/API.md).
      if (FETCHABLE.includes(url.pathname) || url.pathname.startsWith('/pkg/')) {
        headers['Cache-Control'] = 'no-cache';
        headers.ETag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
        if (req.headers['if-none-match'] === headers.ETag) {
          res.writeHead(304, headers).end();
          return;
        }
      }
      let body = await readFile(file);
      if (found.vendor) body = Buffer.from(vendorSpecifiers(body.toString('utf8')));
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const port = Number(arg('port', process.env.PORT || 8080));
  const host = arg('host', '127.0.0.1');
  const server = await startServer({ port, host });
  const url = `http://${host}:${server.address().port}`;
  console.log(`vitrine demo on ${url}  (Ctrl-C to stop)\n  storefront       ${url}/\n  consent console  ${url}/console\n  privacy audit    ${url}/audit`);
}
