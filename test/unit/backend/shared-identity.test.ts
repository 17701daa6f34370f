// The sharing Identity kernel for tfjs-wasm (src/backend/shared-identity.ts): a clone shares the
// input's buffer and outlives it; no caller of Identity writes into what it returns (each is run
// and its input checked unchanged); and a LoRA training run's losses and weights are bit-identical
// with and without it.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installSharedIdentity } from '../../../src/backend/shared-identity';
import { forwardHidden, projectToVocab } from '../../../src/model/forward';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import { disposeBatch, padBatch, toTensors } from '../../../src/tuning/train/data';
import { chunkedMaskedNllSum } from '../../../src/tuning/train/loss';
import { FIXTURES, adapterContext, loadFixture, perturb, randomExamples } from '../tuning/helpers';

let copying: tf.KernelConfig;

beforeAll(async () => {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(FIXTURES, '..', '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  copying = tf.getKernel('Identity', 'wasm')!;
});

afterAll(() => {
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(copying);
});

function useCopyingIdentity(): void {
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(copying);
}

/** Three Adam steps of LoRA on tiny-llama (recomputed blocks, chunked head): losses and final weights. */
async function trainLora(): Promise<{ losses: number[]; weights: number[] }> {
  const model = await loadFixture('tiny-llama');
  const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, dropout: 0.1 }, adapterContext(model, 3));
  perturb(adapter, 9);
  const variables = adapter.trainable().map(({ variable }) => variable);
  const tensors = toTensors(padBatch(randomExamples(model.config.vocabSize, 3, 14, 5)));
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const hooks = adapter.hooks({ training: true, seed: 4 + step });
    const loss = optimizer.minimize(() => {
      const out = forwardHidden(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks, recompute: { variables } });
      const project = (rows: tf.Tensor2D) => projectToVocab(model, rows, hooks);
      return chunkedMaskedNllSum({ hidden: out.hidden, project, ids: tensors.ids, lossMask: tensors.lossMask, prepended: 0, chunkRows: 6, variables });
    }, true, variables)!;
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  const weights = variables.flatMap((v) => Array.from(v.dataSync()));
  optimizer.dispose();
  disposeBatch(tensors);
  adapter.dispose();
  model.dispose();
  return { losses, weights };
}

describe('sharing Identity on wasm', () => {
  test('a LoRA run gives bit-identical losses and weights with the copying and the sharing Identity', async () => {
    useCopyingIdentity();
    const copied = await trainLora();
    installSharedIdentity();
    const before = tf.memory().numTensors;
    const shared = await trainLora();
    expect(tf.memory().numTensors).toBe(before);
    expect(shared.losses).toEqual(copied.losses);
    expect(shared.weights).toEqual(copied.weights);
    expect(copied.losses[2]).not.toBe(copied.losses[0]); // the steps did train
  });

  test('a clone shares the buffer, outlives its source, and frees it with the last reference', () => {
    installSharedIdentity();
    const start = tf.memory().numBytes;
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(start);
  });

  test('no caller of Identity writes into what it returns: each leaves its input unchanged', () => {
    installSharedIdentity();
    const values = [1.5, -2, 3.25, 0, 7, -8];
    const x = tf.tensor2d(values, [2, 3]);
    const empty = tf.zeros([2, 0]);
    const scalar = tf.scalar(4.5);
    const before = tf.memory().numTensors;
    // tfjs-core ops that return a clone when they have nothing to do, and wasm kernels that call
    // identity internally (Concat with one non-empty input, Reverse of a scalar, Transpose with an
    // identity permutation); each result is then used by an op that writes a new output.
    const cases: [string, () => tf.Tensor][] = [
      ['clone', () => tf.clone(x)],
      ['broadcastTo same shape', () => tf.broadcastTo(x, [2, 3])],
      ['concat of one', () => tf.concat([x])],
      ['concat with an empty tensor (wasm Concat → identity)', () => tf.concat([x, empty], 1)],
      ['transpose identity permutation', () => tf.transpose(x, [0, 1])],
      ['reverse of a scalar (wasm Reverse → identity)', () => tf.reverse(scalar)],
      ['dropout rate 0', () => tf.dropout(x, 0)],
      ['cast to its own dtype', () => tf.cast(x, 'float32')],
    ];
    for (const [name, op] of cases) {
      const out = tf.tidy(() => tf.add(tf.mul(op(), 2), 1));
      expect(Array.from(x.dataSync()), name).toEqual(values);
      expect(scalar.dataSync()[0], name).toBe(4.5);
      out.dispose();
    }
    // Gradients that clone (AddN's, Cast's) and the engine's clones of saved tensors.
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.addN([tf.cast(a, 'float32'), b]), tf.exp(a))))([x, x]);
    expect(Array.from(x.dataSync())).toEqual(values);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, empty, scalar]);
  });

  test('a value saved for the backward pass keeps its data when the variable it came from is assigned', () => {
    installSharedIdentity();
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => {
      const loss = tf.sum(tf.square(v)) as tf.Scalar; // Square's gradient saves v (a shared clone)
      v.assign(tf.tensor1d([10, 20, 30])); // swaps v's buffer; the saved clone must keep [1, 2, 3]
      return loss;
    }, [v]);
    expect(value.dataSync()[0]).toBe(14);
    expect(Array.from(grads[v.name]!.dataSync())).toEqual([2, 4, 6]);
    expect(Array.from(v.dataSync())).toEqual([10, 20, 30]);
    tf.dispose([value, grads[v.name]!, v]);
  });
});
