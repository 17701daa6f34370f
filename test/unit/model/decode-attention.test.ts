// The fused decode-step attention kernel on tfjs-wasm against a float64 reference written here
// (HF's rotate_half RoPE, grouped-query softmax attention), and its dispatch: a cached one-token
// step of a Llama-family model runs it instead of the stock chain, gives the logits of a full
// recomputation (with the fused residual add + norm of fused-wasm.ts), and leaks no tensor over many steps.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { disposeCache, forward } from '../../../src/model';
import { canFuseDecodeAttention, decodeAttention, MAX_FUSED_PAST } from '../../../src/model/decode-attention';
import { loadFixture, maxAbsDiff, useBackend } from './parity-helpers';

function seeded(seed: number, n: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 2 * scale;
  });
}

/** RoPE of one head vector at `position` (HF: x·cos + rotate_half(x)·sin, rotate_half([a, b]) = [−b, a]). */
function ropeReference(x: ArrayLike<number>, position: number, theta: number): number[] {
  const hd = x.length;
  const half = hd / 2;
  const out = new Array<number>(hd);
  for (let a = 0; a < half; a++) {
    const angle = position / Math.pow(theta, (2 * a) / hd);
    out[a] = x[a]! * Math.cos(angle) - x[a + half]! * Math.sin(angle);
    out[a + half] = x[a + half]! * Math.cos(angle) + x[a]! * Math.sin(angle);
  }
  return out;
}

beforeAll(async () => useBackend('wasm'));
afterAll(async () => {
  await tf.setBackend('cpu');
});

test('one decode step equals the float64 reference: rotated key appended, grouped-query attention over the cache', () => {
  const heads = 6;
  const kvHeads = 2;
  const hd = 8;
  const past = 5;
  const position = 11;
  const theta = 10000;
  const q = seeded(1, heads * hd, 2);
  const k = seeded(2, kvHeads * hd, 2);
  const v = seeded(3, kvHeads * hd, 2);
  const pastKey = seeded(4, kvHeads * past * hd, 2);
  const pastValue = seeded(5, kvHeads * past * hd, 2);
  const out = decodeAttention(
    tf.tensor2d(q, [1, heads * hd]),
    tf.tensor2d(k, [1, kvHeads * hd]),
    tf.tensor2d(v, [1, kvHeads * hd]),
    tf.tensor4d(pastKey, [1, kvHeads, past, hd]),
    tf.tensor4d(pastValue, [1, kvHeads, past, hd]),
    { heads, kvHeads, headDim: hd, position, ropeTheta: theta },
  );
  expect(out.key.shape).toEqual([1, kvHeads, past + 1, hd]);
  expect(out.value.shape).toEqual([1, kvHeads, past + 1, hd]);
  const keyRows: number[][][] = [];
  const valueRows: number[][][] = [];
  for (let g = 0; g < kvHeads; g++) {
    keyRows.push([]);
    valueRows.push([]);
    for (let j = 0; j < past; j++) {
      const at = (g * past + j) * hd;
      keyRows[g]!.push(Array.from(pastKey.subarray(at, at + hd)));
      valueRows[g]!.push(Array.from(pastValue.subarray(at, at + hd)));
    }
    keyRows[g]!.push(ropeReference(k.subarray(g * hd, (g + 1) * hd), position, theta));
    valueRows[g]!.push(Array.from(v.subarray(g * hd, (g + 1) * hd)));
  }
  const expected: number[] = [];
  for (let h = 0; h < heads; h++) {
    const g = Math.floor(h / (heads / kvHeads));
    const query = ropeReference(q.subarray(h * hd, (h + 1) * hd), position, theta);
    const scores = keyRows[g]!.map((row) => row.reduce((s, x, i) => s + x * query[i]!, 0) / Math.sqrt(hd));
    const max = Math.max(...scores);
    const weights = scores.map((s) => Math.exp(s - max));
    const total = weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < hd; i++) expected.push(valueRows[g]!.reduce((s, row, j) => s + (weights[j]! / total) * row[i]!, 0));
  }
  expect(maxAbsDiff(out.y.dataSync(), expected)).toBeLessThan(1e-5);
  expect(maxAbsDiff(out.key.dataSync(), keyRows.flat(2))).toBeLessThan(1e-5);
  expect(Array.from(out.value.dataSync())).toEqual(Array.from(Float32Array.from(valueRows.flat(2))));
  tf.dispose([out.y, out.key, out.value]);
});

test('a cached step of a grouped-query model runs the fused kernel and matches the full recomputation; no tensor leaks over 40 steps', async () => {
  const model = await loadFixture('tiny-qwen2'); // 4 query heads over 2 kv heads
  try {
    const ids = Array.from({ length: 48 }, (_, i) => (i * 37 + 5) % model.config.vocabSize);
    const V = model.config.vocabSize;
    const full = forward(model, { ids: [ids] });
    const fullData = full.logits.dataSync();
    full.logits.dispose();
    let step = forward(model, { ids: [ids.slice(0, 8)], useCache: true });
    const profiled = await tf.profile(() => forward(model, { ids: [[ids[8]!]], cache: step.cache }) as unknown as tf.TensorContainer);
    const probe = profiled.result as unknown as ReturnType<typeof forward>;
    expect(profiled.kernelNames).toContain('AttuneDecodeAttention');
    expect(profiled.kernelNames).not.toContain('Concat');
    expect(profiled.kernelNames).not.toContain('Softmax');
    expect(profiled.kernelNames).toContain('AttuneAddRmsNorm'); // the residual add and the norm after attention
    expect(maxAbsDiff(probe.logits.dataSync(), fullData.slice(8 * V, 9 * V))).toBeLessThan(1e-4);
    disposeCache(probe.cache);
    probe.logits.dispose();
    const tensorsBefore = tf.memory().numTensors;
    for (let t = 8; t < ids.length; t++) {
      const next = forward(model, { ids: [[ids[t]!]], cache: step.cache });
      disposeCache(step.cache);
      step.logits.dispose();
      step = next;
      expect(maxAbsDiff(step.logits.dataSync(), fullData.slice(t * V, (t + 1) * V)), `step ${t}`).toBeLessThan(1e-4);
      expect(tf.memory().numTensors, `tensors after step ${t}`).toBe(tensorsBefore);
    }
    disposeCache(step.cache);
    step.logits.dispose();
  } finally {
    model.dispose();
  }
});

test('the fused step is chosen only for one float32 sequence, a head size of a multiple of 4 and a cache of at most MAX_FUSED_PAST positions', () => {
  const q = tf.zeros([1, 16]);
  const cache = (batch: number, past: number, dtype: 'float32' | 'int32' = 'float32') => tf.zeros([batch, 2, past, 8], dtype);
  const fits = cache(1, MAX_FUSED_PAST);
  const long = cache(1, MAX_FUSED_PAST + 1);
  const batched = cache(2, 4);
  const ints = cache(1, 4, 'int32');
  expect(canFuseDecodeAttention(q, fits, fits, 8)).toBe(true);
  expect(canFuseDecodeAttention(q, long, long, 8)).toBe(false);
  expect(canFuseDecodeAttention(q, fits, fits, 6)).toBe(false);
  expect(canFuseDecodeAttention(q, batched, batched, 8)).toBe(false);
  expect(canFuseDecodeAttention(q, ints, ints, 8)).toBe(false);
  tf.dispose([q, fits, long, batched, ints]);
});
