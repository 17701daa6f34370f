// The masked cross-entropy (src/tuning/train/loss.ts) against the plain formula: its value equals
// tf.logSumExp's arithmetic exactly, and its hand-written gradient (softmax kept from the forward
// pass as exp(x − max) over its sum) equals stock autodiff of the plain formula, on cpu and wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { maskedNllSum } from '../../../src/tuning/train/loss';
import { maxAbsDiff, useBackend } from '../model/parity-helpers';

/** Row n's target (ids shifted left) and weight (mask shifted left; 0 for each sequence's last row). */
function shifted(ids: number[][], mask: number[][]): { targets: number[]; weights: number[] } {
  return {
    targets: ids.flatMap((row) => [...row.slice(1), 0]),
    weights: mask.flatMap((row) => [...row.slice(1), 0]),
  };
}

/** The loss as it was computed before (tf.logSumExp, then a gather of the target logits). */
function logSumExpLoss(logits: tf.Tensor3D, ids: number[][], mask: number[][]): tf.Scalar {
  const V = logits.shape[2];
  const { targets, weights } = shifted(ids, mask);
  const x = tf.reshape(logits, [-1, V]);
  const flat = tf.tensor1d(targets.map((id, n) => n * V + id), 'int32');
  const lse = tf.reshape(tf.logSumExp(x, -1, true), [-1]);
  return tf.sum(tf.mul(tf.sub(lse, tf.gather(tf.reshape(x, [-1]), flat)), tf.tensor1d(weights))) as tf.Scalar;
}

/** −Σ weight · log_softmax · one-hot, written with ops whose stock gradients run on cpu and wasm. */
function plainLoss(logits: tf.Tensor3D, ids: number[][], mask: number[][]): tf.Scalar {
  const V = logits.shape[2];
  const { targets, weights } = shifted(ids, mask);
  const picked = targets.map((id, n) => Array.from({ length: V }, (_, v) => (v === id ? weights[n]! : 0)));
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.reshape(logits, [-1, V])), tf.tensor2d(picked)))) as tf.Scalar;
}

describe.each(['cpu', 'wasm'] as const)('masked cross-entropy on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('value equals the logSumExp formula bit for bit; gradient equals stock autodiff of −Σ log_softmax within 1e-6', () => {
    const [B, T, V] = [2, 6, 50];
    const logits = tf.mul(tf.randomNormal([B, T, V], 0, 1, 'float32', 11), 4) as tf.Tensor3D;
    const ids = [
      [3, 17, 49, 0, 22, 8],
      [1, 1, 30, 12, 5, 44],
    ];
    const mask = [
      [0, 0, 1, 1, 1, 0],
      [0, 1, 1, 0, 1, 1],
    ];
    const idsT = tf.tensor2d(ids, [B, T], 'int32');
    const maskT = tf.tensor2d(mask, [B, T]);
    const before = tf.memory().numTensors;
    const mine = tf.valueAndGrad((x: tf.Tensor) => maskedNllSum(x as tf.Tensor3D, idsT, maskT, 0))(logits);
    const stock = tf.valueAndGrad((x: tf.Tensor) => plainLoss(x as tf.Tensor3D, ids, mask))(logits);
    const before2 = tf.memory().numTensors;
    const previous = tf.tidy(() => logSumExpLoss(logits, ids, mask));
    // The loss keeps tf.logSumExp's ops in their order: the value is exactly what it was.
    expect(mine.value.dataSync()[0]).toBe(previous.dataSync()[0]);
    previous.dispose();
    expect(tf.memory().numTensors).toBe(before2);
    expect(Math.abs(mine.value.dataSync()[0]! - stock.value.dataSync()[0]!)).toBeLessThan(1e-4);
    expect(maxAbsDiff(mine.grad.dataSync(), stock.grad.dataSync())).toBeLessThan(1e-6);
    // Rows whose next token is masked get no gradient at all.
    const grad = mine.grad.arraySync() as number[][][];
    expect(grad[0]![0]!.every((g) => g === 0)).toBe(true);
    expect(grad[1]![5]!.every((g) => g === 0)).toBe(true);
    tf.dispose([mine.value, mine.grad, stock.value, stock.grad]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, idsT, maskT]);
  });
});
