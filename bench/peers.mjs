// The peers of the speed benchmark, each doing the same job as vitrine's `for_you` scan: score
// every row of the same n × d matrix of unit vectors against one query and keep the best ten.
// Shared by the Node run (bench/run.mjs) and the Chromium run (bench/browser.mjs): every
// function takes the already-loaded library, so the caller decides how it is loaded.

/** Plain JavaScript: a Float32Array, four accumulators per row, a sorted top-10 kept inline. */
export function jsScan(matrix, dims) {
  const n = matrix.length / dims;
  return (query, k) => {
    const best = new Float32Array(k).fill(-Infinity);
    const ids = new Int32Array(k).fill(-1);
    for (let i = 0, o = 0; i < n; i++, o += dims) {
      let a = 0, b = 0, c = 0, d = 0;
      for (let j = 0; j < dims; j += 4) {
        a += matrix[o + j] * query[j];
        b += matrix[o + j + 1] * query[j + 1];
        c += matrix[o + j + 2] * query[j + 2];
        d += matrix[o + j + 3] * query[j + 3];
      }
      const s = a + b + c + d;
      if (s > best[k - 1]) {
        let p = k - 1;
        while (p > 0 && best[p - 1] < s) { best[p] = best[p - 1]; ids[p] = ids[p - 1]; p--; }
        best[p] = s; ids[p] = i;
      }
    }
    return ids;
  };
}

/**
 * TensorFlow.js on its WebAssembly backend (XNNPACK, SIMD where the engine has it; no threads,
 * which need cross-origin isolation): `topk(matMul(E, q))`, E uploaded once.
 */
export function tfScan(tf, matrix, dims) {
  const n = matrix.length / dims;
  const E = tf.tensor2d(matrix, [n, dims]);
  return {
    run(query, k) {
      // `tidy` frees every tensor of the call (the product and its reshape too), as an app would.
      return tf.tidy(() => tf.topk(tf.reshape(tf.matMul(E, tf.tensor2d(query, [dims, 1])), [n]), k).indices.dataSync());
    },
    dispose() { E.dispose(); },
  };
}

/** voy-search (a k-d tree in WebAssembly): built once from the rows, then `search(query, k)`. */
export function voyScan(voy, matrix, dims) {
  const n = matrix.length / dims;
  const embeddings = [];
  for (let i = 0; i < n; i++) {
    embeddings.push({ id: String(i), title: '', url: '', embeddings: Array.from(matrix.subarray(i * dims, (i + 1) * dims)) });
  }
  const index = new voy.Voy({ embeddings });
  return {
    run(query, k) { return index.search(query, k).neighbors.map((x) => +x.id); },
    dispose() { index.free(); },
  };
}

/**
 * Orama's vector search (cosine over every vector in JavaScript, keeping those above a
 * similarity threshold, then sorting them). The threshold is 0.5 so that every query of the
 * benchmark keeps at least its ten best; Orama's default, 0.8, would keep fewer.
 */
export async function oramaScan(orama, matrix, dims) {
  const n = matrix.length / dims;
  const db = await orama.create({ schema: { id: 'string', embedding: `vector[${dims}]` } });
  const docs = [];
  for (let i = 0; i < n; i++) docs.push({ id: String(i), embedding: Array.from(matrix.subarray(i * dims, (i + 1) * dims)) });
  await orama.insertMultiple(db, docs, 5000);
  return {
    run(query, k) {
      const r = orama.search(db, {
        mode: 'vector', vector: { value: query, property: 'embedding' }, similarity: 0.5, limit: k, includeVectors: false,
      });
      return r.hits.map((h) => +h.id);
    },
    dispose() {},
  };
}

/**
 * The memory-bandwidth probe: a WebAssembly loop that reads a buffer once, 64 bytes per step into
 * four independent SIMD accumulators, and nothing else. Its time over as many bytes as vitrine's
 * embedding codes is the floor one pass over them can reach on this machine.
 */
export const PROBE_WAT = `(module
  (memory (export "memory") 1)
  (func (export "sum") (param $p i32) (param $n i32) (result i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (i32x4.add (local.get $a) (v128.load offset=0 (local.get $p))))
        (local.set $b (i32x4.add (local.get $b) (v128.load offset=16 (local.get $p))))
        (local.set $c (i32x4.add (local.get $c) (v128.load offset=32 (local.get $p))))
        (local.set $d (i32x4.add (local.get $d) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (local.set $a (i32x4.add (i32x4.add (local.get $a) (local.get $b)) (i32x4.add (local.get $c) (local.get $d))))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $a)) (i32x4.extract_lane 1 (local.get $a)))
             (i32.add (i32x4.extract_lane 2 (local.get $a)) (i32x4.extract_lane 3 (local.get $a))))))`;

/** The bandwidth probe module, assembled from its text by binaryen (a dev dependency; Node only —
 * the browser run fetches the bytes bench/run.mjs wrote). */
export async function probeBytes() {
  const { default: binaryen } = await import('binaryen');
  const m = binaryen.parseText(PROBE_WAT);
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
  if (!m.validate()) throw new Error('the probe module does not validate');
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/** A probe instance over `bytes` bytes of seeded data: `run()` reads them all once. */
export function probe(module, bytes) {
  const { exports } = new WebAssembly.Instance(module, {});
  const size = Math.ceil(bytes / 64) * 64;
  exports.memory.grow(Math.ceil(size / 65536));
  const view = new Uint8Array(exports.memory.buffer, 0, size);
  for (let i = 0; i < size; i += 4096) view[i] = i & 255;
  return { bytes: size, run: () => exports.sum(0, size) };
}
