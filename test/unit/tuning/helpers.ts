// Shared helpers for the tuning tests: the runtime's tiny fixture models, a fixed batch, and the
// masked loss of a model + adapter on it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { forward } from '../../../src/model/forward';
import type { LoadedModel, LoadOptions } from '../../../src/model/model';
import { loadModelFromDirectory } from '../../../src/model/node-files';
import { adaptedModel } from '../../../src/tuning/adapted-model';
import { Rng } from '../../../src/tuning/rng';
import { padBatch, toTensors, disposeBatch, type EncodedExample, type HostBatch } from '../../../src/tuning/train/data';
import { maskedNllSum } from '../../../src/tuning/train/loss';
import type { Adapter, AdapterContext, MethodName, MethodConfigMap, TuningMethod } from '../../../src/tuning/types';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(HERE, '..', '..', 'fixtures', 'models');
/** One fixture per family, plus Qwen2 (q/k/v biases). */
export const FAMILY_FIXTURES = ['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'] as const;

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export function loadFixture(name: string, options: LoadOptions = {}): Promise<LoadedModel> {
  return loadModelFromDirectory(join(FIXTURES, name), options);
}

export function adapterContext(model: LoadedModel, seed = 7, baseModelId = 'fixture'): AdapterContext {
  const tokenizer = model.tokenizer;
  return {
    model: model.config,
    weights: model.weights,
    baseModelId,
    seed,
    encode: tokenizer ? (text) => tokenizer.encode(text, { addSpecialTokens: false }) : undefined,
  };
}

/** A config small enough for the tiny fixtures (prompt tuning: 4 virtual tokens). */
export function smallConfig<N extends MethodName>(method: TuningMethod<N>, model: LoadedModel): MethodConfigMap[N] {
  return method.testConfig(model.config);
}

/** Random examples: the second half of each is "output". */
export function randomExamples(vocabSize: number, count: number, length: number, seed: number): EncodedExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const n = length - (i % 3);
    const ids = Array.from({ length: n }, () => rng.int(vocabSize));
    return { ids, lossMask: ids.map((_, t) => (t >= n / 2 ? 1 : 0)) };
  });
}

export function fixedBatch(vocabSize: number, seed = 3): HostBatch {
  return padBatch(randomExamples(vocabSize, 3, 12, seed));
}

/** Mean masked NLL of the batch under model + adapter (inference mode). */
export function meanLoss(model: LoadedModel, adapter: Adapter | null, batch: HostBatch): tf.Scalar {
  return tf.tidy(() => {
    const tensors = toTensors(batch);
    const out = forward(adaptedModel(model, adapter), {
      ids: tensors.ids,
      attentionMask: tensors.attentionMask,
      hooks: adapter?.hooks({ training: false }),
    });
    const loss = tf.div(maskedNllSum(out.logits, tensors.ids, tensors.lossMask, out.prependedRows), batch.lossTokens) as tf.Scalar;
    disposeBatch(tensors);
    return loss;
  });
}

/** Logits of the real positions only ([B, T, V] as a flat array). */
export function inputLogits(model: LoadedModel, adapter: Adapter | null, ids: number[][]): Float32Array {
  const logits = tf.tidy(() => {
    const out = forward(adaptedModel(model, adapter), { ids, hooks: adapter?.hooks({ training: false }) });
    const [B, rows, V] = out.logits.shape;
    return tf.slice(out.logits, [0, out.prependedRows, 0], [B, rows - out.prependedRows, V]);
  });
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  return data;
}

/** Adds seeded noise to every trainable value so gradients and round trips are not trivial. */
export function perturb(adapter: Adapter, seed: number, scale = 0.1): void {
  const rng = new Rng(seed);
  for (const { variable } of adapter.trainable()) {
    tf.tidy(() => {
      const noise = Float32Array.from({ length: variable.size }, () => rng.normal() * scale);
      variable.assign(tf.add(variable, tf.tensor(noise, variable.shape)));
    });
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** (f(x + h) - f(x - h)) / 2h for one entry of a variable, restoring the variable afterwards. */
export function centralDifference(loss: () => tf.Scalar, variable: tf.Variable, index: number, h: number): number {
  const original = variable.dataSync().slice();
  const evaluate = (delta: number) => {
    const shifted = original.slice();
    shifted[index] = shifted[index]! + delta;
    tf.tidy(() => variable.assign(tf.tensor(shifted, variable.shape)));
    const value = loss();
    const result = value.dataSync()[0]!;
    value.dispose();
    return result;
  };
  const numeric = (evaluate(h) - evaluate(-h)) / (2 * h);
  tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
  return numeric;
}
