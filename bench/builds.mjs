// The builds that the same-process A/B scripts compare (bench/open.mjs, bench/track.mjs,
// bench/recommend.mjs): each argument is `PKG_DIR[=MODEL_FILE]`.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

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
