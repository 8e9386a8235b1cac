// scripts/dead-locations.mjs zeroes only the panic locations (and their paths) that nothing names:
// a module built here holds records named by each kind of reference the script looks for, and
// two named by nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';

const script = new URL('../../scripts/dead-locations.mjs', import.meta.url).pathname;
const BASE = 0x100000;

function layout() {
  const data = new Uint8Array(160);
  const view = new DataView(data.buffer);
  const text = (at, s) => data.set(Buffer.from(s, 'latin1'), at);
  const record = (at, path, length, line) => {
    view.setUint32(at, BASE + path, true);
    view.setUint32(at + 4, length, true);
    view.setUint32(at + 8, line, true);
    view.setUint32(at + 12, 9, true);
  };
  text(0, 'src/example.rs'); // 14 bytes
  record(16, 0, 14, 101); // A: named by an i32.const
  record(32, 0, 14, 102); // B: named by nothing
  record(48, 0, 14, 103); // C: named by the high half of an i64.const
  record(64, 0, 14, 104); // D: named by a data word (at 96)
  record(80, 112, 12, 105); // E: named by nothing, and the only one naming its path
  view.setUint32(96, BASE + 64, true);
  text(112, 'src/alone.rs'); // 12 bytes
  record(128, 0, 14, 106); // F: named by a load's offset
  return data;
}

function build() {
  const m = new binaryen.Module();
  m.setMemory(17, 17, 'memory', [{ offset: m.i32.const(BASE), data: layout(), passive: false }]);
  m.addFunction('a', binaryen.none, binaryen.i32, [], m.i32.const(BASE + 16));
  m.addFunction('c', binaryen.none, binaryen.i64, [], m.i64.const((BigInt(BASE + 48) << 32n) | 7n));
  m.addFunction('f', binaryen.none, binaryen.i32, [], m.i32.load(BASE + 128, 4, m.i32.const(0)));
  for (const name of ['a', 'c', 'f']) m.addFunctionExport(name, name);
  assert.ok(m.validate());
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

function memoryOf(bytes) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return { exports, at: (offset, length) => new Uint8Array(exports.memory.buffer, BASE + offset, length) };
}

test('dead-locations zeroes the records and paths nothing names, and only those', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-dead-locations-'));
  const file = join(dir, 'm.wasm');
  const before = build();
  writeFileSync(file, before);
  const said = execFileSync('node', [script, file], { encoding: 'utf8' });
  assert.match(said, /2 of 6 panic locations and 1 of 2 paths/);

  const was = memoryOf(before);
  const now = memoryOf(readFileSync(file));
  const zero16 = new Uint8Array(16);
  for (const kept of [0, 16, 48, 64, 96, 128]) assert.deepEqual(now.at(kept, 16), was.at(kept, 16), `bytes at ${kept} kept`);
  assert.deepEqual(now.at(32, 16), zero16, 'record B zeroed');
  assert.deepEqual(now.at(80, 16), zero16, 'record E zeroed');
  assert.deepEqual(now.at(112, 12), new Uint8Array(12), "E's path zeroed");
  assert.equal(now.exports.a(), BASE + 16);
  assert.equal(now.exports.f(), was.exports.f());
});

test('dead-locations fails on a module without any panic location', () => {
  const m = new binaryen.Module();
  m.setMemory(17, 17, 'memory', [{ offset: m.i32.const(BASE), data: new Uint8Array(64), passive: false }]);
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-dead-locations-'));
  const file = join(dir, 'none.wasm');
  writeFileSync(file, m.emitBinary());
  m.dispose();
  assert.throws(() => execFileSync('node', [script, file], { stdio: 'pipe' }), /no panic location found/);
});
