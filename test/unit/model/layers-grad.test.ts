// Hand-written backwards of RMSNorm (frozen weight) and SwiGLU (src/model/layers.ts) against stock
// tfjs autodiff of the plain formulas and central finite differences, on cpu and wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { matMulLastAxis, rmsNorm, silu, swiGlu } from '../../../src/model/layers';
import { maxAbsDiff, useBackend } from './parity-helpers';

const plainRmsNorm = (x: tf.Tensor, w: tf.Tensor, eps: number) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), w);
const plainSwiGlu = (g: tf.Tensor, u: tf.Tensor) => tf.mul(tf.mul(g, tf.sigmoid(g)), u);

/** d/dε of f(inputs + ε·direction on input i) at 0, by central differences. */
function directional(f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: tf.Tensor[], i: number, direction: tf.Tensor, eps = 1e-2): number {
  const at = (sign: number) => tf.tidy(() => f(...inputs.map((x, j) => (j === i ? tf.add(x, tf.mul(direction, sign * eps)) : x))).dataSync()[0]!);
  return (at(1) - at(-1)) / (2 * eps);
}

describe.each(['cpu', 'wasm'] as const)('layer backwards on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('RMSNorm with a frozen weight: value and dx equal stock autodiff and finite differences', () => {
    const x = tf.randomNormal([6, 8], 0, 1.5, 'float32', 1);
    const w = tf.randomNormal([8], 1, 0.2, 'float32', 2);
    const up = tf.randomNormal([6, 8], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const mine = (a: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a, w, 1e-5), up)) as tf.Scalar;
    const stock = (a: tf.Tensor) => tf.sum(tf.mul(plainRmsNorm(a, w, 1e-5), up)) as tf.Scalar;
    const a = tf.valueAndGrad(mine)(x);
    const b = tf.valueAndGrad(stock)(x);
    expect(Math.abs(a.value.dataSync()[0]! - b.value.dataSync()[0]!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(a.grad.dataSync(), b.grad.dataSync())).toBeLessThan(1e-5);
    const direction = tf.randomNormal(x.shape, 0, 1, 'float32', 4);
    const analytic = tf.tidy(() => tf.sum(tf.mul(a.grad, direction)).dataSync()[0]!);
    expect(Math.abs(directional(mine, [x], 0, direction) - analytic)).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
    tf.dispose([a.value, a.grad, b.value, b.grad, direction]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, up]);
  });

  test.each([false, true])('RMSNorm (trainable weight: %s): an all-zero row keeps a deep stack\'s weight gradients finite and exact', (trainableNorm) => {
    // A residual stack h ← h + rmsNorm(h) @ W_l, like a transformer's blocks. Row 0 is all zero (a
    // zero embedding row) and so stays zero; the norm's derivative there, 1/√eps ≈ 316 per layer,
    // used to overflow float32 within the 30 layers and turn every W_l gradient into 0 · ∞ = NaN.
    const D = 16;
    const w0 = tf.randomNormal([D], 1, 0.2, 'float32', 20);
    const w = trainableNorm ? tf.variable(w0) : w0;
    const Ws = Array.from({ length: 30 }, (_, l) => tf.variable(tf.randomNormal([D, D], 0, 0.1, 'float32', 30 + l)) as tf.Variable<tf.Rank.R2>);
    const liveRows = tf.randomNormal([3, D], 0, 1, 'float32', 21);
    const withZeroRow = tf.concat([tf.zeros([1, D]), liveRows]);
    const up = tf.randomNormal([4, D], 0, 1, 'float32', 22);
    const upLive = tf.slice(up, [1, 0], [3, D]);
    const before = tf.memory().numTensors;
    const loss = (x: tf.Tensor, u: tf.Tensor) => () => {
      let h = x;
      for (const W of Ws) h = tf.add(h, matMulLastAxis(rmsNorm(h, w, 1e-5), W));
      return tf.sum(tf.mul(h, u)) as tf.Scalar;
    };
    const trained: tf.Variable[] = trainableNorm ? [...Ws, w as tf.Variable] : Ws;
    const mine = tf.variableGrads(loss(withZeroRow, up), trained);
    // Reference: in exact arithmetic the zero row adds nothing to the loss or to any W_l gradient,
    // so the same batch without it has the same gradients.
    const reference = tf.variableGrads(loss(liveRows, upLive), trained);
    expect(Math.abs(mine.value.dataSync()[0]! - reference.value.dataSync()[0]!)).toBeLessThan(1e-3);
    for (const W of trained) {
      const got = mine.grads[W.name]!.dataSync();
      expect(got.every(Number.isFinite), W.name).toBe(true);
      const want = reference.grads[W.name]!.dataSync();
      const scale = Math.max(1, ...Array.from(want, Math.abs));
      expect(maxAbsDiff(got, want) / scale, W.name).toBeLessThan(1e-4);
    }
    // And against central differences of the full batch's loss (forward passes only), first and last layer.
    for (const W of [Ws[0]!, Ws[29]!]) {
      const direction = tf.randomNormal([D, D], 0, 1, 'float32', 23);
      const analytic = tf.tidy(() => tf.sum(tf.mul(mine.grads[W.name]!, direction)).dataSync()[0]!);
      const at = (sign: number) =>
        tf.tidy(() => {
          const original = W.clone();
          W.assign(tf.add(original, tf.mul(direction, sign * 1e-2)));
          const value = loss(withZeroRow, up)().dataSync()[0]!;
          W.assign(original);
          return value;
        });
      const numeric = (at(1) - at(-1)) / 2e-2;
      expect(Math.abs(numeric - analytic), W.name).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
      direction.dispose();
    }
    tf.dispose([mine.value, reference.value, ...Object.values(mine.grads), ...Object.values(reference.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w0, w, liveRows, withZeroRow, up, upLive, ...Ws]);
  });

  test('RMSNorm with a trainable weight: the weight gradient and dx equal stock autodiff', () => {
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 5);
    const w = tf.variable(tf.randomNormal([8], 1, 0.2, 'float32', 6));
    const mine = tf.variableGrads(() => tf.sum(tf.square(rmsNorm(x, w, 1e-5))) as tf.Scalar, [w]);
    const stock = tf.variableGrads(() => tf.sum(tf.square(plainRmsNorm(x, w, 1e-5))) as tf.Scalar, [w]);
    expect(maxAbsDiff(mine.grads[w.name]!.dataSync(), stock.grads[w.name]!.dataSync())).toBeLessThan(1e-5);
    // And dx, which the trainable weight's own hand-written backward also computes.
    const dxMine = tf.grad((a: tf.Tensor) => tf.sum(tf.square(rmsNorm(a, w, 1e-5))) as tf.Scalar)(x);
    const dxStock = tf.grad((a: tf.Tensor) => tf.sum(tf.square(plainRmsNorm(a, w, 1e-5))) as tf.Scalar)(x);
    expect(maxAbsDiff(dxMine.dataSync(), dxStock.dataSync())).toBeLessThan(1e-5);
    tf.dispose([dxMine, dxStock]);
    tf.dispose([x, w, mine.value, stock.value, ...Object.values(mine.grads), ...Object.values(stock.grads)]);
  });

  test('SwiGLU: value and both gradients equal stock autodiff and finite differences', () => {
    const g = tf.randomNormal([5, 7], 0, 2, 'float32', 7);
    const u = tf.randomNormal([5, 7], 0, 1, 'float32', 8);
    const up = tf.randomNormal([5, 7], 0, 1, 'float32', 9);
    const before = tf.memory().numTensors;
    const mine = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(swiGlu(a, b), up)) as tf.Scalar;
    const stock = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(plainSwiGlu(a, b), up)) as tf.Scalar;
    // Inference value (on wasm the fused kernel, computed in float64 and rounded once): within float32 rounding.
    expect(maxAbsDiff(tf.tidy(() => swiGlu(g, u).dataSync()), tf.tidy(() => tf.mul(silu(g), u).dataSync()))).toBeLessThan(1e-5);
    const a = tf.grads(mine)([g, u]);
    const b = tf.grads(stock)([g, u]);
    a.forEach((grad, i) => expect(maxAbsDiff(grad.dataSync(), b[i]!.dataSync()), `input ${i}`).toBeLessThan(1e-5));
    [g, u].forEach((_, i) => {
      const direction = tf.randomNormal([5, 7], 0, 1, 'float32', 10 + i);
      const analytic = tf.tidy(() => tf.sum(tf.mul(a[i]!, direction)).dataSync()[0]!);
      expect(Math.abs(directional(mine, [g, u], i, direction) - analytic), `input ${i}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
      direction.dispose();
    });
    tf.dispose([...a, ...b]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([g, u, up]);
  });
});
