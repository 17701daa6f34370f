// The ForwardHooks contract tuning methods build on, checked by exact equivalences:
// prepending the embeddings of a real prefix through `inputEmbeddings`, or its cached keys and
// values through `keyValuePrefix`, must reproduce the logits of running the whole sequence.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { disposeCache, forward, type ForwardHooks, type LoadedModel } from '../../../src/model';
import { architectureOf } from '../../../src/model/families';
import { embed, matMulLastAxis, recordingGradients } from '../../../src/model/layers';
import { loadFixture, maxAbsDiff, useBackend } from './parity-helpers';

const IDS = [5, 17, 250, 3, 99, 42, 7, 300, 11];
const SPLIT = 4;
let models: Record<string, LoadedModel>;

beforeAll(async () => {
  await useBackend('wasm');
  models = { gpt2: await loadFixture('tiny-gpt2'), qwen2: await loadFixture('tiny-qwen2') };
});
afterAll(() => Object.values(models).forEach((m) => m.dispose()));

function logitsOf(model: LoadedModel, ids: number[], hooks?: ForwardHooks): { data: Float32Array; prepended: number } {
  const out = forward(model, { ids: [ids], hooks });
  const data = out.logits.dataSync() as Float32Array;
  out.logits.dispose();
  return { data, prepended: out.prependedRows };
}

describe.each(['gpt2', 'qwen2'])('%s hooks', (family) => {
  test('linear hook sees every HF module name once per layer, and identity hooks change nothing', () => {
    const model = models[family]!;
    const seen: string[] = [];
    const hooks: ForwardHooks = {
      linear: (name, x, y) => {
        seen.push(name);
        expect(x.shape[0]).toBe(y.shape[0]);
        return y;
      },
      blockOutput: (_layer, h) => h,
      inputEmbeddings: (e) => e,
    };
    const plain = logitsOf(model, IDS).data;
    expect(maxAbsDiff(logitsOf(model, IDS, hooks).data, plain)).toBe(0);
    const expected =
      family === 'gpt2'
        ? ['transformer.h.0.attn.c_attn', 'transformer.h.0.attn.c_proj', 'transformer.h.0.mlp.c_fc', 'transformer.h.0.mlp.c_proj']
        : ['q_proj', 'k_proj', 'v_proj', 'o_proj'].map((n) => `model.layers.0.self_attn.${n}`).concat(['gate_proj', 'up_proj', 'down_proj'].map((n) => `model.layers.0.mlp.${n}`));
    expect(seen.slice(0, expected.length)).toEqual(expected);
    expect(seen.at(-1)).toBe('lm_head');
    expect(seen.length).toBe(expected.length * model.config.numLayers + 1);
  });

  test('a linear hook that changes the output changes the logits', () => {
    const model = models[family]!;
    const hooks: ForwardHooks = { linear: (name, _x, y) => (name.endsWith('c_fc') || name.endsWith('up_proj') ? tf.mul(y, 0) : y) };
    expect(maxAbsDiff(logitsOf(model, IDS, hooks).data, logitsOf(model, IDS).data)).toBeGreaterThan(1e-2);
  });

  test('inputEmbeddings: prepending the prefix embeddings reproduces the full run', () => {
    const model = models[family]!;
    const table = model.weights.get(architectureOf(model.config).embeddingName) as tf.Tensor2D;
    const hooks: ForwardHooks = {
      inputEmbeddings: (e) => tf.concat([embed(table, tf.tensor2d([IDS.slice(0, SPLIT)], undefined, 'int32')), e], 1),
    };
    const full = logitsOf(model, IDS).data;
    const out = logitsOf(model, IDS.slice(SPLIT), hooks);
    expect(out.prepended).toBe(SPLIT);
    expect(maxAbsDiff(out.data, full)).toBeLessThan(1e-4);
  });

  test('keyValuePrefix: the cached keys/values of a prefix reproduce the full run', () => {
    const model = models[family]!;
    const first = forward(model, { ids: [IDS.slice(0, SPLIT)], useCache: true });
    first.logits.dispose();
    const hooks: ForwardHooks = { keyValuePrefix: (layer) => first.cache!.layers[layer]! };
    const V = model.config.vocabSize;
    const full = logitsOf(model, IDS).data.slice(SPLIT * V);
    expect(maxAbsDiff(logitsOf(model, IDS.slice(SPLIT), hooks).data, full)).toBeLessThan(1e-4);
    disposeCache(first.cache);
  });

  test('a soft prompt gets gradients on wasm, and forward leaks no tensors', () => {
    const model = models[family]!;
    const prompt = tf.variable(tf.randomNormal([1, 3, model.config.hiddenSize], 0, 0.1, 'float32', 1));
    const hooks: ForwardHooks = { inputEmbeddings: (e) => tf.concat([prompt, e], 1) as tf.Tensor3D };
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = forward(model, { ids: [IDS], hooks });
      return tf.mean(tf.square(logits)) as tf.Scalar;
    }, [prompt]);
    const grad = grads[prompt.name]!;
    expect(grad.shape).toEqual([1, 3, model.config.hiddenSize]);
    expect(Math.max(...Array.from(grad.dataSync(), Math.abs))).toBeGreaterThan(0);
    value.dispose();
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    prompt.dispose();
  });
});

describe('hand-written linear gradient', () => {
  test('is used while gradients are recorded, and skipped (plain matMul) in inference', () => {
    expect(recordingGradients()).toBe(false);
    let inside: boolean | undefined;
    tf.grad((a: tf.Tensor) => {
      inside = recordingGradients();
      return tf.sum(a);
    })(tf.ones([2]));
    expect(inside).toBe(true);
  });

  test('matches the stock matMul gradient for x and a trainable weight', () => {
    const x = tf.randomNormal([5, 7], 0, 1, 'float32', 3) as tf.Tensor2D;
    const w = tf.variable(tf.randomNormal([7, 4], 0, 1, 'float32', 4) as tf.Tensor2D);
    const upstream = tf.randomNormal([5, 4], 0, 1, 'float32', 5);
    const loss = (f: (a: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor2D), upstream));
    const custom = tf.grad(loss((a) => matMulLastAxis(a, w)))(x);
    const stock = tf.grad(loss((a) => tf.matMul(a, w)))(x);
    expect(maxAbsDiff(custom.dataSync(), stock.dataSync())).toBeLessThan(1e-5);
    const customW = tf.variableGrads(() => tf.sum(tf.mul(matMulLastAxis(x, w), upstream)) as tf.Scalar, [w]).grads[w.name]!;
    const stockW = tf.variableGrads(() => tf.sum(tf.mul(tf.matMul(x, w), upstream)) as tf.Scalar, [w]).grads[w.name]!;
    expect(maxAbsDiff(customW.dataSync(), stockW.dataSync())).toBeLessThan(1e-5);
  });

  test('a trainable embedding table gets the scatter-added gradient on wasm (gather grad is missing there)', () => {
    const table = tf.variable(tf.randomNormal([6, 3], 0, 1, 'float32', 6) as tf.Tensor2D);
    const ids = tf.tensor2d([[1, 4, 1]], undefined, 'int32');
    const { grads } = tf.variableGrads(() => tf.sum(embed(table, ids)) as tf.Scalar, [table]);
    expect(Array.from(grads[table.name]!.dataSync())).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  });
});
