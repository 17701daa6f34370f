// The inference-only fused kernels on tfjs-wasm against the plain tf ops they replace, computed in
// float64 in the test as an independent reference; and the dispatch around them: gradients never
// reach a fused kernel, and other backends keep the plain ops.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { canFuseOnWasm, fusedAddRmsNorm, fusedRmsNorm, fusedSwiGlu } from '../../../src/model/fused-wasm';
import { rmsNorm, swiGlu } from '../../../src/model/layers';
import { maxAbsDiff, useBackend } from './parity-helpers';

const EPS = 1e-5;

function seeded(seed: number, n: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 2 * scale;
  });
}

/** Llama RMSNorm in float64, row by row. */
function rmsNormReference(x: Float32Array, w: Float32Array): number[] {
  const d = w.length;
  const out: number[] = [];
  for (let r = 0; r < x.length / d; r++) {
    const row = Array.from(x.subarray(r * d, (r + 1) * d));
    const scale = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / d + EPS);
    row.forEach((v, i) => out.push(v * scale * w[i]!));
  }
  return out;
}

beforeAll(async () => useBackend('wasm'));
afterAll(async () => {
  await tf.setBackend('cpu');
});

test('fused RMSNorm equals the float64 reference and the plain tf ops, for 2-D and 3-D input', () => {
  const w = seeded(1, 48, 2);
  for (const shape of [[5, 48], [2, 3, 48]]) {
    const x = seeded(2, shape.reduce((a, b) => a * b), 3);
    const fused = tf.tidy(() => fusedRmsNorm(tf.tensor(x, shape), tf.tensor1d(w), EPS).dataSync());
    const plain = tf.tidy(() => {
      const xt = tf.tensor(x, shape);
      return tf.mul(tf.mul(xt, tf.rsqrt(tf.add(tf.mean(tf.square(xt), -1, true), EPS))), tf.tensor1d(w)).dataSync();
    });
    expect(maxAbsDiff(fused, rmsNormReference(x, w))).toBeLessThan(1e-5);
    expect(maxAbsDiff(fused, plain)).toBeLessThan(1e-5);
  }
});

test('fused residual add + RMSNorm equals the float32 sum and the float64 reference norm of that sum', () => {
  const w = seeded(11, 48, 2);
  const x = seeded(12, 3 * 48, 3);
  const y = seeded(13, 3 * 48, 3);
  const { sum, normed } = fusedAddRmsNorm(tf.tensor2d(x, [3, 48]), tf.tensor2d(y, [3, 48]), tf.tensor1d(w), EPS);
  const expectedSum = Float32Array.from(x, (v, i) => v + y[i]!); // rounded to float32 as tf.add's
  expect(Array.from(sum.dataSync())).toEqual(Array.from(expectedSum));
  expect(maxAbsDiff(normed.dataSync(), rmsNormReference(expectedSum, w))).toBeLessThan(1e-5);
  tf.dispose([sum, normed]);
});

test('fused SwiGLU equals silu(gate) · up', () => {
  const gate = seeded(3, 64, 6);
  const up = seeded(4, 64, 2);
  const fused = tf.tidy(() => fusedSwiGlu(tf.tensor2d(gate, [4, 16]), tf.tensor2d(up, [4, 16])).dataSync());
  const reference = Array.from(gate, (g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
  expect(maxAbsDiff(fused, reference)).toBeLessThan(1e-5);
});

test('rmsNorm and swiGlu dispatch one fused kernel each in inference and leak no tensor', async () => {
  const x = tf.tensor2d(seeded(5, 96), [2, 48]);
  const w = tf.tensor1d(seeded(6, 48));
  const before = tf.memory().numTensors;
  // (tfjs reuses one profile object: read each before the next profile starts.)
  const norm = await tf.profile(() => rmsNorm(x, w, EPS));
  expect(norm.kernelNames).toEqual(['AttuneRmsNorm']);
  (norm.result as tf.Tensor).dispose();
  const act = await tf.profile(() => swiGlu(x, x));
  expect(act.kernelNames).toEqual(['AttuneSwiGlu']);
  (act.result as tf.Tensor).dispose();
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
  w.dispose();
});

test('while gradients are recorded the fused kernels are not used: gradients still flow', () => {
  const x = tf.tensor2d(seeded(7, 96), [2, 48]);
  const w = tf.tensor1d(seeded(8, 48));
  // Finite differences on one input element as the reference for d sum(rmsNorm(x)·swiGlu) / dx.
  const f = (xt: tf.Tensor) => tf.sum(swiGlu(rmsNorm(xt, w, EPS), xt));
  const grad = tf.grad(f)(x).dataSync();
  const h = 1e-2;
  const values = x.dataSync().slice();
  const at = (delta: number) => {
    const shifted = values.slice();
    shifted[5]! += delta;
    return tf.tidy(() => f(tf.tensor2d(shifted, [2, 48])).dataSync()[0]!);
  };
  expect(grad[5]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 2);
  x.dispose();
  w.dispose();
});

test('other backends and dtypes keep the plain ops', async () => {
  const ints = tf.tensor1d([1, 2], 'int32');
  expect(canFuseOnWasm(ints)).toBe(false);
  ints.dispose();
  await tf.setBackend('cpu');
  const x = tf.tensor1d([1, 2]);
  expect(canFuseOnWasm(x)).toBe(false);
  x.dispose();
  await useBackend('wasm');
});
