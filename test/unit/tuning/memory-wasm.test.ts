// The training-memory paths on the tfjs-wasm backend (where real checkpoints train without a
// GPU): recomputed blocks and the chunked head give the plain path's loss and gradients there too.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { forward, forwardHidden, projectToVocab } from '../../../src/model/forward';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { disposeBatch, padBatch, toTensors } from '../../../src/tuning/train/data';
import { chunkedMaskedNllSum, maskedNllSum } from '../../../src/tuning/train/loss';
import { FIXTURES, adapterContext, loadFixture, perturb, randomExamples } from './helpers';

describe.each(['tiny-gpt2', 'tiny-llama'])('training-memory paths on wasm, %s', (fixture) => {
  it('recomputed blocks (whole, and selective) + chunked head: same loss and gradients as the plain path', async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(FIXTURES, '..', '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    await tf.ready();
    expect(tf.getBackend()).toBe('wasm');
    const model = await loadFixture(fixture);
    const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, dropout: 0.1 }, adapterContext(model, 3));
    perturb(adapter, 9);
    const variables = adapter.trainable().map(({ variable }) => variable);
    const tensors = toTensors(padBatch(randomExamples(model.config.vocabSize, 3, 14, 5)));
    const run = (lean: boolean, keepFrozenProducts = false) => {
      const hooks = adapter.hooks({ training: true, seed: 4 });
      const { value, grads } = tf.variableGrads(() => {
        if (!lean) {
          const out = forward(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks });
          return maskedNllSum(out.logits, tensors.ids, tensors.lossMask, 0);
        }
        const out = forwardHidden(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks, recompute: { variables, keepFrozenProducts } });
        const project = (rows: tf.Tensor2D) => projectToVocab(model, rows, hooks);
        return chunkedMaskedNllSum({ hidden: out.hidden, project, ids: tensors.ids, lossMask: tensors.lossMask, prepended: 0, chunkRows: 6, variables });
      }, variables);
      const result = { loss: value.dataSync()[0]!, grads: variables.flatMap((v) => Array.from(grads[v.name]!.dataSync())) };
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
      return result;
    };
    const plain = run(false);
    const before = tf.memory().numTensors;
    const lean = run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(lean.loss - plain.loss) / plain.loss).toBeLessThan(1e-5);
    const scale = Math.max(...plain.grads.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    expect(Math.max(...plain.grads.map((g, i) => Math.abs(g - lean.grads[i]!))) / scale).toBeLessThan(1e-5);
    // Selective recomputation (the blocks' frozen products kept): the same numbers as full
    // recomputation, bit for bit, and nothing left behind.
    const selective = run(true, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(selective.loss).toBe(lean.loss);
    expect(selective.grads).toEqual(lean.grads);
    disposeBatch(tensors);
    adapter.dispose();
    model.dispose();
  });
});
