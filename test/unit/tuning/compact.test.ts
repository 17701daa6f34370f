// Compact frozen block weights (model/compact-weights.ts): exact for F16 and BF16 checkpoints
// (logits and greedy tokens identical to the float32 model), about 1e-3 for float32 ones rounded to
// half; training on a compact model gives the float32 model's gradients, with and without
// recomputed blocks; the block weights leave the backend; tensor counts stay flat; expanding
// gives the float32 model back.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactModel, expandModel } from '../../../src/model/compact-model';
import { forwardHidden, projectToVocab } from '../../../src/model/forward';
import { generate } from '../../../src/model/generate';
import type { LoadedModel } from '../../../src/model/model';
import { parameterCount } from '../../../src/model/model';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { disposeBatch, padBatch, toTensors } from '../../../src/tuning/train/data';
import { chunkedMaskedNllSum } from '../../../src/tuning/train/loss';
import type { Adapter } from '../../../src/tuning/types';
import { adapterContext, inputLogits, loadFixture, maxAbsDiff, perturb, randomExamples, useCpu } from './helpers';

const IDS = [
  [5, 17, 42, 99, 3, 250, 7, 8],
  [11, 2, 3, 4, 5, 6, 7, 8],
];

/** recompute: false, true (whole blocks) or 'selective' (the blocks' frozen products kept). */
function gradients(model: LoadedModel, adapter: Adapter, recompute: boolean | 'selective'): { loss: number; grads: number[] } {
  const tensors = toTensors(padBatch(randomExamples(model.config.vocabSize, 3, 14, 5)));
  const variables = adapter.trainable().map(({ variable }) => variable);
  const hooks = adapter.hooks({ training: true, seed: 3 });
  const { value, grads } = tf.variableGrads(() => {
    const out = forwardHidden(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks, recompute: recompute ? { variables, keepFrozenProducts: recompute === 'selective' } : null });
    const project = (rows: tf.Tensor2D) => projectToVocab(model, rows, hooks);
    return chunkedMaskedNllSum({ hidden: out.hidden, project, ids: tensors.ids, lossMask: tensors.lossMask, prepended: 0, chunkRows: 9, variables });
  }, variables);
  const result = { loss: value.dataSync()[0]!, grads: variables.flatMap((v) => Array.from(grads[v.name]!.dataSync())) };
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  disposeBatch(tensors);
  return result;
}

describe.each([
  ['tiny-gpt2-f16', 'f16'],
  ['tiny-llama-bf16-sharded', 'bf16'],
])('compact block weights on %s (stored as %s)', (fixture, encoding) => {
  let full: LoadedModel;
  let compact: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    full = await loadFixture(fixture);
    compact = compactModel(await loadFixture(fixture));
  });
  afterAll(() => {
    full.dispose();
    compact.dispose();
  });

  it('moves the block linears out of the backend, keeps every parameter, and stores them exactly', () => {
    expect(compact.compact!.encoding).toBe(encoding);
    expect(parameterCount(compact)).toBe(parameterCount(full));
    const resident = [...compact.weights.values()].reduce((sum, t) => sum + t.size, 0);
    expect(resident).toBeLessThan(parameterCount(full) * 0.8);
    expect(compact.compact!.bytes).toBe(2 * (parameterCount(full) - resident));
  });

  it('loads compact straight from the file with the same words as compacting the float32 model, none of them in the backend', async () => {
    const reference = inputLogits(full, null, IDS); // first, so caches a forward pass fills are counted in `before`
    const before = tf.memory().numTensors;
    const loaded = await loadFixture(fixture, { compact: true });
    expect(loaded.compact!.encoding).toBe(encoding);
    expect(loaded.compact!.bytes).toBe(compact.compact!.bytes);
    expect([...loaded.weights.keys()].sort()).toEqual([...compact.weights.keys()].sort());
    const fromFile = loaded.compact!.widenAll();
    const fromModel = compact.compact!.widenAll();
    expect([...fromFile.keys()].sort()).toEqual([...fromModel.keys()].sort());
    for (const [name, tensor] of fromFile) {
      expect(tensor.shape, name).toEqual(fromModel.get(name)!.shape);
      expect(maxAbsDiff(tensor.dataSync(), fromModel.get(name)!.dataSync()), name).toBe(0);
    }
    [...fromFile.values(), ...fromModel.values()].forEach((t) => t.dispose());
    expect(maxAbsDiff(inputLogits(loaded, null, IDS), reference)).toBe(0);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the float32 model\'s logits exactly and the same greedy tokens', async () => {
    expect(maxAbsDiff(inputLogits(compact, null, IDS), inputLogits(full, null, IDS))).toBe(0);
    const a = await generate(full, IDS[0]!, { maxNewTokens: 6, greedy: true, stopTokenIds: [] });
    const b = await generate(compact, IDS[0]!, { maxNewTokens: 6, greedy: true, stopTokenIds: [] });
    expect(a.tokens).toHaveLength(6);
    expect(b.tokens).toEqual(a.tokens);
  });

  // Selective: a widened weight is freed with its block's scope, so the kept products' backward
  // saves the recomputation's own widened weight (layers.ts matMulFrozenWeight).
  it.each([false, true, 'selective'] as const)('gives the float32 model\'s gradients (recomputed blocks: %s) and leaks nothing', (recompute) => {
    const make = (model: LoadedModel) => {
      const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, dropout: 0.1 }, adapterContext(model, 3));
      perturb(adapter, 9);
      return adapter;
    };
    const fullAdapter = make(full);
    const compactAdapter = make(compact);
    const reference = gradients(full, fullAdapter, false);
    gradients(compact, compactAdapter, recompute);
    const before = tf.memory().numTensors;
    const lean = gradients(compact, compactAdapter, recompute);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(lean.loss - reference.loss) / reference.loss).toBeLessThan(1e-6);
    const scale = Math.max(...reference.grads.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(lean.grads, reference.grads) / scale).toBeLessThan(1e-5);
    fullAdapter.dispose();
    compactAdapter.dispose();
  });
});

describe('compact weights of a float32 checkpoint', () => {
  it('round to half (logits within 0.2 % of their scale here: lossy, unlike F16/BF16 files), and expanding restores the rounded values', async () => {
    await useCpu();
    const full = await loadFixture('tiny-llama');
    const compact = compactModel(await loadFixture('tiny-llama'));
    expect(compact.compact!.encoding).toBe('f16');
    const reference = inputLogits(full, null, IDS);
    const diff = maxAbsDiff(inputLogits(compact, null, IDS), reference);
    expect(diff).toBeGreaterThan(0); // really rounded
    expect(diff / Math.max(...Array.from(reference, Math.abs))).toBeLessThan(2e-3);
    const compactLogits = inputLogits(compact, null, IDS);
    expandModel(compact);
    expect(compact.compact).toBeNull();
    expect(compact.weights.size).toBe(full.weights.size);
    expect(maxAbsDiff(inputLogits(compact, null, IDS), compactLogits)).toBe(0);
    full.dispose();
    compact.dispose();
  });
});
