// The input gradient of a frozen linear weight (src/model/layers.ts frozenInputGrad): cut along the
// output axis into cache-sized slices on wasm, and read from a resident transpose (a tied head's
// embedding table) when there is one. Each variant must equal the plain dy @ wᵀ, on cpu and wasm;
// likewise a trainable weight's gradient, which narrow weights take as (dyᵀ x)ᵀ.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { blockSlice } from '../../../src/model/block-slice';
import { frozenInputGrad, matMulLastAxis, registerResidentTranspose } from '../../../src/model/layers';
import { maxAbsDiff, useBackend } from './parity-helpers';

/** Largest |a − b| relative to the largest |b|. */
function relativeDiff(a: tf.Tensor, b: tf.Tensor): number {
  const bs = b.dataSync();
  return maxAbsDiff(a.dataSync(), bs) / Math.max(...Array.from(bs, Math.abs));
}

describe.each(['cpu', 'wasm'] as const)('frozen input gradient on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('blockSlice equals tf.slice for row, column and inner blocks, and refuses a block outside', () => {
    const x = tf.randomNormal([9, 13], 0, 1, 'float32', 1) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (const [r0, c0, rows, cols] of [[2, 0, 5, 13], [0, 4, 9, 6], [3, 7, 4, 6], [8, 12, 1, 1]] as const) {
      const mine = blockSlice(x, r0, c0, rows, cols);
      const stock = tf.slice(x, [r0, c0], [rows, cols]);
      expect(mine.shape).toEqual([rows, cols]);
      expect(Array.from(mine.dataSync())).toEqual(Array.from(stock.dataSync()));
      tf.dispose([mine, stock]);
    }
    expect(() => blockSlice(x, 5, 0, 5, 13)).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  test.each([false, true])('sliced dy @ wᵀ (resident transpose: %s) equals one product within 1e-5, for any slice size', (resident) => {
    const w = tf.randomNormal([24, 1000], 0, 1, 'float32', 2) as tf.Tensor2D; // [in, out]
    const wT = tf.transpose(w) as tf.Tensor2D;
    if (resident) registerResidentTranspose(w, wT);
    const dy = tf.randomNormal([11, 1000], 0, 1, 'float32', 3) as tf.Tensor2D;
    const reference = tf.matMul(dy, wT);
    const before = tf.memory().numTensors;
    for (const sliceRows of [1000, 333, 128, 999, 1]) {
      const dx = frozenInputGrad(dy, w, sliceRows);
      expect(dx.shape).toEqual([11, 24]);
      expect(relativeDiff(dx, reference)).toBeLessThan(1e-5);
      dx.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, wT, dy, reference]);
  });

  test('a frozen head with a registered transpose: matMulLastAxis gives the stock gradient of x', () => {
    const table = tf.randomNormal([300, 16], 0, 1, 'float32', 4) as tf.Tensor2D; // [V, D], like an embedding table
    const head = tf.transpose(table) as tf.Tensor2D; // [D, V]
    registerResidentTranspose(head, table);
    const x = tf.randomNormal([5, 16], 0, 1, 'float32', 5) as tf.Tensor2D;
    const up = tf.randomNormal([5, 300], 0, 1, 'float32', 6);
    const before = tf.memory().numTensors;
    const mine = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(matMulLastAxis(a, head), up)))(x);
    const stock = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, head), up)))(x);
    expect(relativeDiff(mine, stock)).toBeLessThan(1e-5);
    tf.dispose([mine, stock]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([table, head, x, up]);
  });

  test.each([[40, 4], [6, 50]])('a trainable weight [in %i, out %i]: dx and dw equal stock autodiff (narrow ones take (dyᵀ x)ᵀ)', (inDim, outDim) => {
    const w = tf.variable(tf.randomNormal([inDim, outDim], 0, 1, 'float32', 9)) as tf.Variable<tf.Rank.R2>;
    const x = tf.randomNormal([30, inDim], 0, 1, 'float32', 10) as tf.Tensor2D;
    const up = tf.randomNormal([30, outDim], 0, 1, 'float32', 11);
    const before = tf.memory().numTensors;
    const mine = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(matMulLastAxis(a, b as tf.Tensor2D, undefined, true), up)))([x, w]);
    const stock = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), up)))([x, w]);
    expect(relativeDiff(mine[0]!, stock[0]!)).toBeLessThan(1e-5);
    expect(mine[1]!.shape).toEqual([inDim, outDim]);
    expect(relativeDiff(mine[1]!, stock[1]!)).toBeLessThan(1e-5);
    tf.dispose([...mine, ...stock]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x, up]);
  });

  test('a weight over 16 MiB is sliced on wasm only, and its gradient is unchanged', async () => {
    const w = tf.randomNormal([64, 70_000], 0, 1, 'float32', 7) as tf.Tensor2D; // 17.1 MiB
    const dy = tf.randomNormal([3, 70_000], 0, 1, 'float32', 8) as tf.Tensor2D;
    const reference = tf.tidy(() => tf.matMul(dy, tf.transpose(w)));
    const before = tf.memory().numTensors;
    let dx: tf.Tensor | null = null;
    const profile = await tf.profile(() => {
      dx = frozenInputGrad(dy, w);
      return dx;
    });
    const slices = profile.kernels.filter((k) => k.name === 'AttuneBlockSlice2D' || k.name === 'Slice').length;
    // 4 MiB slices of 64 floats a row: 16,384 rows each, 5 slices, two block copies each.
    expect(slices).toBe(backend === 'wasm' ? 10 : 0);
    expect(relativeDiff(dx!, reference)).toBeLessThan(1e-5);
    dx!.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, dy, reference]);
  });
});
