// What keeping frozen weights as fp16 and widening them per layer would cost on tfjs-wasm, before
// building it: (1) widening one SmolLM2-135M layer's weights from fp16 to float32 in a heap kernel,
// (2) the matMul cost of a weight XNNPACK has not packed yet (a widened weight is a new tensor every
// time) against a cached one, (3) the logits' change when a 135M-shaped random model's weights are
// rounded to fp16.
//   nice -n 10 node --import tsx tools/bench/_fp16_probe.ts
import { loadavg } from 'node:os';

/** float32 -> IEEE half bits (round to nearest even), enough for weights (no NaN payloads). */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    const m = (mant | 0x800000) >>> (1 - exp);
    return sign | ((m + 0x1000 + ((m >>> 13) & 1) - 1) >>> 13);
  }
  if (exp >= 31) return sign | 0x7c00;
  let h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h += 1;
  return h;
}

function halfTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    table[h] = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
}

async function main(): Promise<void> {
  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  const tf = await import('@tensorflow/tfjs');
  const { runWasmKernel } = await import('../../src/model/wasm-kernel');
  const table = halfTable();
  const D = 576;
  const I = 1536;
  const layerShapes = [[D, 576], [D, 192], [D, 192], [576, D], [D, I], [D, I], [I, D]];
  const layerParams = layerShapes.reduce((sum, [a, b]) => sum + a! * b!, 0);

  // (1) Widening: halves packed two per int32 in the heap -> a float32 tensor, one layer.
  const widen = (packed: import('@tensorflow/tfjs').Tensor, shape: number[]) =>
    runWasmKernel<import('@tensorflow/tfjs').Tensor>(
      'ProbeWidenF16',
      ({ inputs, backend }) => {
        const out = backend.makeOutput(shape, 'float32');
        const src = new Uint16Array(backend.typedArrayFromHeap(inputs.x!).buffer, backend.typedArrayFromHeap(inputs.x!).byteOffset, shape.reduce((a, b) => a * b, 1));
        const dst = backend.typedArrayFromHeap(out);
        for (let i = 0; i < dst.length; i++) dst[i] = table[src[i]!]!;
        return out;
      },
      { x: packed },
    );
  const layerPacked = layerShapes.map(([a, b]) => {
    const halves = new Uint16Array(a! * b! + ((a! * b!) % 2));
    for (let i = 0; i < halves.length; i++) halves[i] = toHalf((Math.random() - 0.5) * 0.04);
    return { packed: tf.tensor1d(new Int32Array(halves.buffer), 'int32'), shape: [a!, b!] };
  });
  const timeIt = (label: string, repeats: number, f: () => void) => {
    f();
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) f();
    const ms = (performance.now() - t0) / repeats;
    console.log(`${label}: ${ms.toFixed(1)} ms`);
    return ms;
  };
  const widenMs = timeIt(`widen one 135M layer (${(layerParams / 1e6).toFixed(2)} M weights) fp16 -> f32`, 5, () => {
    for (const { packed, shape } of layerPacked) widen(packed, shape).dispose();
  });

  // (2) matMul with a cached (packed) weight vs a new one of the same values each call.
  const x = tf.randomNormal([512, D]);
  const weights = layerShapes.map(([a, b]) => tf.randomNormal([a!, b!], 0, 0.02));
  const inputs = layerShapes.map(([a]) => (a === D ? x : tf.randomNormal([512, a!])));
  const cachedMs = timeIt('one layer of matMuls at 512 rows, cached weights', 5, () => {
    weights.forEach((w, i) => tf.matMul(inputs[i] as import('@tensorflow/tfjs').Tensor2D, w as import('@tensorflow/tfjs').Tensor2D).dispose());
  });
  const copyMs = timeIt('copying one layer of weights (tf.add(w, 0))', 5, () => {
    weights.forEach((w) => tf.add(w, 0).dispose());
  });
  const freshMs = timeIt('one layer of matMuls at 512 rows, a new weight tensor each time (incl. copy)', 5, () => {
    weights.forEach((w, i) => {
      const fresh = tf.add(w, 0) as import('@tensorflow/tfjs').Tensor2D;
      tf.matMul(inputs[i] as import('@tensorflow/tfjs').Tensor2D, fresh).dispose();
      fresh.dispose();
    });
  });

  // (3) Accuracy: fp16-rounded weights vs float32 on a 135M-shaped random model.
  const { parseConfig } = await import('../../src/model/config');
  const { expectedTensors } = await import('../../src/model/weights');
  const { assembleModel } = await import('../../src/model/model');
  const { forward } = await import('../../src/model/forward');
  const hf = { model_type: 'llama', hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true, max_position_embeddings: 2048, rms_norm_eps: 1e-5 };
  const config = parseConfig(JSON.stringify(hf));
  const full = new Map<string, import('@tensorflow/tfjs').Tensor>();
  const half = new Map<string, import('@tensorflow/tfjs').Tensor>();
  let seed = 1;
  for (const spec of expectedTensors(config)) {
    if (spec.optional) continue;
    const dims = spec.layout === 'linear-out-in' ? [...spec.shape].reverse() : spec.shape;
    const t = dims.length === 1 ? tf.ones(dims) : tf.randomNormal(dims, 0, 0.02, 'float32', seed++);
    full.set(spec.name, t);
    const values = t.dataSync() as Float32Array;
    const rounded = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) rounded[i] = table[toHalf(values[i]!)]!;
    half.set(spec.name, tf.tensor(rounded, dims));
  }
  const ids = [Array.from({ length: 32 }, (_, i) => (i * 7919) % 49152)];
  const a = assembleModel(config, full);
  const la = forward(a, { ids }).logits;
  const fullLogits = la.dataSync() as Float32Array;
  const ga = tf.argMax(la, -1).dataSync();
  la.dispose();
  a.dispose();
  const b = assembleModel(config, half);
  const lb = forward(b, { ids }).logits;
  const halfLogits = lb.dataSync() as Float32Array;
  const gb = tf.argMax(lb, -1).dataSync();
  lb.dispose();
  b.dispose();
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < fullLogits.length; i++) {
    worst = Math.max(worst, Math.abs(fullLogits[i]! - halfLogits[i]!));
    scale = Math.max(scale, Math.abs(fullLogits[i]!));
  }
  const sameArgmax = Array.from(ga).filter((v, i) => v === gb[i]).length;
  console.log(
    JSON.stringify({
      widenLayerMs: +widenMs.toFixed(1),
      widenModelPerPassMs: +(widenMs * 30).toFixed(0),
      layerMatMulCachedMs: +cachedMs.toFixed(1),
      layerMatMulFreshMs: +freshMs.toFixed(1),
      layerCopyMs: +copyMs.toFixed(1),
      fp16LogitsMaxAbsDiff: +worst.toExponential(2),
      logitsMaxAbs: +scale.toFixed(3),
      sameArgmaxPositions: `${sameArgmax}/${ga.length}`,
      loadavg: loadavg().map((v) => +v.toFixed(2)),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
