// A JavaScript exception that goes through a call into the module — a call made so deep in the
// page's own recursion that the engine's stack runs out inside it — leaves the Rust code it
// interrupted unfinished: that code never gives back the part of the module's shadow stack it
// took (each such exception cost the module some of it for good, and after a few hundred every
// call of every instance trapped with `memory access out of bounds`), and the instance it ran on
// stays borrowed (its calls then said it was "called again while a call … was running", and
// `free()` threw).
//
// This script exports the shadow stack pointer (the global Rust's linker names
// `__stack_pointer`) as `sp`, and makes the glue call every export that runs Rust code through
// a guard that puts the pointer back when an exception comes out. The instance the call was on
// is then stopped: its state is what the interrupted code left, so its calls throw an error that
// says so, and its `free()` returns quietly (its memory stays; a freed instance's listeners skip a
// busy instance, so they do nothing). Other instances, and new ones, work on. And `free()`
// called in the middle of a call on the instance (page code a CMP runs synchronously inside
// `listenTcf`, a getter of an argument) threw wasm-bindgen's "attempted to take ownership of Rust
// value while it was borrowed" into the page's cleanup code: it now returns quietly. That free
// has done its work before it throws (wasm-bindgen gives up the page's reference, and drops the
// instance when the call that borrows it returns); calling it again once the call returned — as
// this guard first did — freed the instance's memory a second time and corrupted the heap.
//
//   node scripts/unwind-guard.mjs pkg/vitrine.js -- A.wasm [B.wasm …]   (before wasm-opt)
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split !== 1 || args.length < 3) {
  console.error('usage: node scripts/unwind-guard.mjs GLUE.js -- FILE.wasm…');
  process.exit(2);
}
const [glue] = args;

binaryen.setDebugInfo(true);
const F = binaryen.Features;
for (const file of args.slice(2)) {
  const m = binaryen.readBinary(readFileSync(file));
  m.setFeatures(F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt |
    F.SignExt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong);
  let found = false;
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
    if (g.name === '__stack_pointer' && g.mutable) {
      m.addGlobalExport(g.name, 'sp');
      found = true;
    }
  }
  if (!found) throw new Error(`unwind-guard: no mutable __stack_pointer global in ${file} (is its name section there?)`);
  writeFileSync(file, m.emitBinary());
  m.dispose();
}

const guard = `// An exception out of a call puts the module's shadow stack pointer back, and stops the instance
// the call was on; free() in the middle of a call on the instance (page code a CMP runs inside
// listenTcf, a getter) returns quietly: the instance goes when that call returns
// (scripts/unwind-guard.mjs).
const stopped = new Set();
let depth = 0;
function guarded(exports) {
    const sp = exports.sp;
    const out = {};
    for (const [name, f] of Object.entries(exports)) {
        const internal = typeof f !== 'function' || /^__(wbindgen|externref)/.test(name);
        const method = /^vitrine_(?!open)/.test(name); // a method on an instance: its pointer first
        const free = name === '__wbg_vitrine_free';
        out[name] = internal ? f : (...args) => {
            if (stopped.has(args[0]) && (method || free)) {
                if (free) return void stopped.delete(args[0]);
                throw new Error("vitrine: a JavaScript error went through an earlier call on this instance (the page's stack ran out in the middle of it) and stopped it halfway; open a new one");
            }
            const at = sp.value;
            depth += 1;
            try {
                return f(...args);
            } catch (e) {
                sp.value = at;
                if (free && depth > 1) return;
                if (method && args[0]) stopped.add(args[0]);
                throw e;
            } finally {
                depth -= 1;
            }
        };
    }
    return out;
}
`;
const js = readFileSync(glue, 'utf8');
const init = 'function __wbg_finalize_init(instance, module) {\n';
const assign = '    wasm = instance.exports;\n';
if (js.split(init).length !== 2 || js.split(assign).length !== 2) {
  throw new Error(`unwind-guard: expected one __wbg_finalize_init assigning wasm = instance.exports in ${glue}`);
}
writeFileSync(glue, js.replace(init, guard + init).replace(assign, '    wasm = guarded(instance.exports);\n'));
