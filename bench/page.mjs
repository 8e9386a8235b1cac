// The Chromium side of the benchmark: loads vitrine and the peers from the local server and runs
// the same suite as Node. bench/browser.mjs reads `window.benchResult`.
import init, * as vitrine from '/pkg/vitrine.js';
import * as orama from '/node_modules/@orama/orama/dist/browser/index.js';
import * as voy from '/node_modules/voy-search/voy_search_bg.js';
import { speed } from '/bench/suite.mjs';

const params = new URLSearchParams(location.search);
const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

try {
  const exports = await init();
  const { instance } = await WebAssembly.instantiate(await bytes('/node_modules/voy-search/voy_search_bg.wasm'), { './voy_search_bg.js': voy });
  voy.__wbg_set_wasm(instance.exports);
  const tf = window.tf;
  tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  await tf.setBackend('wasm');
  await tf.ready();
  const probeModule = await WebAssembly.compile(await bytes('/.bench/probe.wasm'));
  const model = await bytes(`/.bench/${params.get('model')}`);
  // The scalar build, in a second instance of the glue.
  const scalarGlue = await import('/pkg/vitrine.js?scalar');
  await scalarGlue.default({ module_or_path: '/pkg/vitrine_scalar_bg.wasm' });
  const lib = {
    Vitrine: vitrine.Vitrine, memory: () => exports.memory.buffer.byteLength,
    scalar: { Vitrine: scalarGlue.Vitrine }, tf, voy, orama, probeModule,
  };
  const result = await speed(lib, model, { reps: +params.get('reps'), quick: params.has('quick') });
  window.benchResult = { result, tfSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') };
} catch (e) {
  window.benchResult = { error: String(e && e.stack || e) };
}
