// The training attention (src/model/attention.ts: attentionCore) has a hand-written backward and,
// on wasm, per-head products cut by a kernel of our own (batched-matmul.ts). Both are checked
// against independent references: stock tfjs autodiff of the textbook formula, and central finite
// differences, on the cpu and wasm backends.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyRope, applyRopeRows, attentionBias, attentionCore, ropeTables, splitHeads } from '../../../src/model/attention';
import { batchedMatMul } from '../../../src/model/batched-matmul';
import { maxAbsDiff, useBackend } from './parity-helpers';

// 2 sequences, 4 query heads sharing 2 kv heads (groups of 2), 5 queries after 1 past key, hd 3.
const B = 2;
const HEADS = 4;
const KV = 2;
const T = 5;
const PAST = 1;
const K = PAST + T;
const HD = 3;
const M = (HEADS / KV) * T;
const dims = { batch: B, heads: HEADS, queries: T, keys: K };

/** softmax(q kᵀ + bias) v written the plain way, differentiated by stock tfjs. */
function referenceAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor4D): tf.Tensor3D {
  const scores = tf.reshape(tf.matMul(q, k, false, true), [B, HEADS, T, K]);
  const probs = tf.reshape(tf.softmax(tf.add(scores, bias)), [B * KV, M, K]);
  return tf.matMul(probs, v) as tf.Tensor3D;
}

describe.each(['cpu', 'wasm'] as const)('attention with a hand-written backward on %s', (backend) => {
  let q: tf.Tensor3D;
  let k: tf.Tensor3D;
  let v: tf.Tensor3D;
  let bias: tf.Tensor4D;
  let upstream: tf.Tensor3D;

  beforeAll(async () => {
    await useBackend(backend);
    q = tf.randomNormal([B * KV, M, HD], 0, 1, 'float32', 11) as tf.Tensor3D;
    k = tf.randomNormal([B * KV, K, HD], 0, 1, 'float32', 12) as tf.Tensor3D;
    v = tf.randomNormal([B * KV, K, HD], 0, 1, 'float32', 13) as tf.Tensor3D;
    // Causal, and the second sequence's last key is padding.
    bias = attentionBias(tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]]), B, T, PAST)!;
    upstream = tf.randomNormal([B * KV, M, HD], 0, 1, 'float32', 14) as tf.Tensor3D;
  });
  afterAll(() => tf.dispose([q, k, v, bias, upstream]));

  const lossOf = (f: (a: tf.Tensor3D, b: tf.Tensor3D, c: tf.Tensor3D) => tf.Tensor3D) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D), upstream)) as tf.Scalar;
  const custom = lossOf((a, b, c) => attentionCore(a, b, c, bias, dims));
  const reference = lossOf((a, b, c) => referenceAttention(a, b, c, bias));

  test('forward equals the plain formula, in inference and while recording gradients', () => {
    const expected = tf.tidy(() => referenceAttention(q, k, v, bias).dataSync());
    const inference = tf.tidy(() => attentionCore(q, k, v, bias, dims).dataSync());
    expect(maxAbsDiff(inference, expected)).toBeLessThan(1e-5);
    const mine = tf.valueAndGrads(custom)([q, k, v]);
    const stock = tf.valueAndGrads(reference)([q, k, v]);
    expect(Math.abs(mine.value.dataSync()[0]! - stock.value.dataSync()[0]!)).toBeLessThan(1e-4);
    tf.dispose([mine.value, ...mine.grads, stock.value, ...stock.grads]);
  });

  test('gradients for q, k and v equal stock autodiff', () => {
    const mine = tf.grads(custom)([q, k, v]);
    const stock = tf.grads(reference)([q, k, v]);
    mine.forEach((g, i) => {
      expect(g.shape).toEqual(stock[i]!.shape);
      expect(Math.max(...Array.from(stock[i]!.dataSync(), Math.abs))).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(g.dataSync(), stock[i]!.dataSync()), `input ${i}`).toBeLessThan(1e-4);
    });
    tf.dispose([...mine, ...stock]);
  });

  test('gradients match central finite differences along a random direction', () => {
    const inputs = [q, k, v];
    const grads = tf.grads(custom)(inputs);
    const eps = 1e-2;
    inputs.forEach((x, i) => {
      const direction = tf.randomNormal(x.shape, 0, 1, 'float32', 20 + i);
      const shifted = (sign: number) =>
        tf.tidy(() => {
          const moved = inputs.map((y, j) => (j === i ? tf.add(y, tf.mul(direction, sign * eps)) : y));
          return custom(moved[0]!, moved[1]!, moved[2]!).dataSync()[0]!;
        });
      const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
      const analytic = tf.tidy(() => tf.sum(tf.mul(grads[i]!, direction)).dataSync()[0]!);
      expect(Math.abs(numeric - analytic), `input ${i}: ${numeric} vs ${analytic}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(analytic)));
      direction.dispose();
    });
    tf.dispose(grads);
  });

  test('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    tf.dispose(tf.grads(reference)([q, k, v]));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(tf.grads(custom)([q, k, v]));
    expect(tf.memory().numTensors).toBe(before);
    attentionCore(q, k, v, bias, dims).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('RoPE on hidden rows equals the per-head rotate_half form, values and gradients', () => {
    const [batch, rows, heads, hd] = [2, 5, 3, 4];
    const x = tf.randomNormal([batch * rows, heads * hd], 0, 1, 'float32', 40) as tf.Tensor2D;
    const { cos, sin } = ropeTables(3, rows, hd, 10000);
    const up = tf.randomNormal([batch, heads, rows, hd], 0, 1, 'float32', 41);
    const rowsForm = (a: tf.Tensor) => splitHeads(applyRopeRows(a as tf.Tensor2D, batch, rows, heads, cos, sin), batch, rows, heads, hd);
    const headsForm = (a: tf.Tensor) => applyRope(splitHeads(a, batch, rows, heads, hd), cos, sin);
    expect(maxAbsDiff(tf.tidy(() => rowsForm(x).dataSync()), tf.tidy(() => headsForm(x).dataSync()))).toBeLessThan(1e-6);
    const loss = (f: (a: tf.Tensor) => tf.Tensor) => (a: tf.Tensor) => tf.sum(tf.mul(f(a), up)) as tf.Scalar;
    const mine = tf.grad(loss(rowsForm))(x);
    const stock = tf.grad(loss(headsForm))(x);
    expect(maxAbsDiff(mine.dataSync(), stock.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, cos, sin, up, mine, stock]);
  });

  test('batchedMatMul equals tf.matMul for every transpose combination', () => {
    const a = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 30) as tf.Tensor3D;
    const b = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 31) as tf.Tensor3D;
    const aT = tf.transpose(a, [0, 2, 1]) as tf.Tensor3D;
    const bT = tf.transpose(b, [0, 2, 1]) as tf.Tensor3D;
    const expected = tf.matMul(a, b).dataSync();
    for (const [x, y, ta, tb] of [[a, b, false, false], [aT, b, true, false], [a, bT, false, true], [aT, bT, true, true]] as const) {
      const out = batchedMatMul(x, y, ta, tb);
      expect(out.shape).toEqual([3, 4, 6]);
      expect(maxAbsDiff(out.dataSync(), expected), `transposeA ${ta}, transposeB ${tb}`).toBeLessThan(1e-5);
      out.dispose();
    }
    tf.dispose([a, b, aT, bT]);
  });
});
