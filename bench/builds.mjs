// The builds that the same-process A/B scripts compare (bench/open.mjs, bench/track.mjs,
// bench/recommend.mjs): each argument is `PKG_DIR[=MODEL_FILE]`; and the synthetic model files
// every Node benchmark opens.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The model file of `items` × `dims` that bench/run.mjs writes (seed 7). The format version and
 * the latest optional sections are in the name, so that a file an older writer made is not reused.
 */
export function catalogPath(items, dims) {
  return fileURLToPath(new URL(`../.bench/catalog-${items}x${dims}-s7-v3-idhx.vtr`, import.meta.url));
}

/**
 * The package in PKG_DIR, loaded into this process beside any other, and the model file it is to
 * open: MODEL_FILE (a build that predates a format reads a file in the format it knows), else
 * `model`.
 */
export async function loadBuild(arg, model) {
  const [dir, own] = arg.split('=');
  const path = resolve(dir);
  const mod = await import(`${path}/vitrine.js?${path}`);
  mod.initSync({ module: readFileSync(`${path}/vitrine_bg.wasm`) });
  return { dir, Vitrine: mod.Vitrine, model: own ? readFileSync(own) : model };
}
