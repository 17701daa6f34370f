// Forward-pass properties beyond the golden prompts: batched cached decoding, the decode fast
// path's rotation matrices, and input validation.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { disposeCache, forward, InvalidInputError, type LoadedModel } from '../../../src/model';
import { applyRope, ropeMatrix, ropeTables } from '../../../src/model/attention';
import { loadFixture, maxAbsDiff, useBackend } from './parity-helpers';

let models: LoadedModel[];
beforeAll(async () => {
  await useBackend('wasm');
  models = [await loadFixture('tiny-gpt2'), await loadFixture('tiny-qwen2')];
});
afterAll(() => models.forEach((m) => m.dispose()));

describe('forward', () => {
  test('a batch of two decoded with the cache equals each row run alone in full', () => {
    const rows = [
      [3, 14, 15, 92, 65, 35],
      [27, 18, 28, 182, 84, 59],
    ];
    for (const model of models) {
      const V = model.config.vocabSize;
      let step = forward(model, { ids: rows.map((r) => r.slice(0, 3)), useCache: true });
      for (let t = 3; t < 6; t++) {
        const next = forward(model, { ids: rows.map((r) => [r[t]!]), cache: step.cache });
        disposeCache(step.cache);
        step.logits.dispose();
        step = next;
      }
      const batched = step.logits.dataSync(); // [2, 1, V]
      rows.forEach((row, b) => {
        const alone = forward(model, { ids: [row] });
        expect(maxAbsDiff(batched.slice(b * V, (b + 1) * V), alone.logits.dataSync().slice(5 * V))).toBeLessThan(1e-4);
        alone.logits.dispose();
      });
      disposeCache(step.cache);
      step.logits.dispose();
    }
  });

  test('the single-position rotation matrix equals elementwise RoPE (times the scale)', () => {
    const heads = 3;
    const hd = 8;
    const x = tf.randomNormal([1, heads, 1, hd], 0, 1, 'float32', 2) as tf.Tensor4D;
    const { cos, sin } = ropeTables(37, 1, hd, 10000);
    const elementwise = tf.mul(applyRope(x, cos, sin), 0.5);
    const viaMatrix = tf.matMul(tf.reshape(x, [heads, hd]) as tf.Tensor2D, ropeMatrix(37, hd, 10000, 0.5));
    expect(maxAbsDiff(viaMatrix.dataSync(), elementwise.dataSync())).toBeLessThan(1e-6);
  });

  test('bad ids, masks and over-long inputs are InvalidInputError', () => {
    const model = models[0]!;
    expect(() => forward(model, { ids: [[1, 320]] })).toThrow(InvalidInputError);
    expect(() => forward(model, { ids: [[]] })).toThrow(InvalidInputError);
    expect(() => forward(model, { ids: [[1, 2]], attentionMask: [[1, 1, 1]] })).toThrow(/attentionMask/);
    expect(() => forward(model, { ids: [Array.from({ length: 65 }, () => 1)] })).toThrow(/positions/);
  });
});
