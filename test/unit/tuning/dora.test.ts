// DoRA (LoRA with `useDora`, PEFT `use_dora`): the magnitude's init, the forward formula with and
// without dropout, gradients with the weight norm held constant (PEFT detaches it), the PEFT key
// and shape, loading errors, merge/unmerge, parameter counts and stable tensor counts.
// Parity with PyTorch is in peft-parity.test.ts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodFromFlags } from '../../../src/cli/method-flags';
import { forward } from '../../../src/model/forward';
import type { LoadedModel } from '../../../src/model/model';
import type { ForwardHooks } from '../../../src/model/types';
import { AdapterFormatError, AdapterMismatchError, TuningConfigError } from '../../../src/tuning/errors';
import { defaultTargets, type LoraConfig } from '../../../src/tuning/methods/lora/config';
import { mergeLora, unmergeLora } from '../../../src/tuning/methods/lora/merge';
import { LoraAdapter, columnNorm, loraMethod, magnitudeKey } from '../../../src/tuning/methods/lora/method';
import { decodePeft, exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { Rng } from '../../../src/tuning/rng';
import { disposeReplaced } from '../../../src/tuning/weight-maps';
import { disposeBatch, toTensors, type HostBatch } from '../../../src/tuning/train/data';
import { maskedNllSum } from '../../../src/tuning/train/loss';
import { chooseDefaults } from '../../../src/tuning/train/defaults';
import { Trainer } from '../../../src/tuning/train/trainer';
import { adapterContext, centralDifference, fixedBatch, inputLogits, loadFixture, maxAbsDiff, meanLoss, perturb, randomExamples, useCpu } from './helpers';

const ids = [
  [5, 17, 42, 99, 3, 250, 7, 8],
  [11, 2, 3, 4, 5, 6, 7, 8],
];

describe.each(['tiny-gpt2', 'tiny-llama', 'tiny-qwen2'])('DoRA on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  const doraConfig = (overrides: Partial<LoraConfig> = {}): LoraConfig => ({
    ...loraMethod.defaultConfig(model.config),
    r: 4,
    alpha: 8,
    dropout: 0,
    useDora: true,
    targetModules: defaultTargets(model.config, true),
    ...overrides,
  });
  const create = (config = doraConfig(), seed = 11) => loraMethod.create(config, adapterContext(model, seed, 'org/tiny')) as LoraAdapter;

  it('starts the magnitude at ‖W‖ per output feature and leaves the logits unchanged', () => {
    const adapter = create();
    for (const pair of adapter.modules()) {
      const w = model.weights.get(`${pair.module.name}.weight`)!.arraySync() as number[][]; // [in, out]
      const expected = w[0]!.map((_, o) => Math.sqrt(w.reduce((sum, row) => sum + row[o]! ** 2, 0)));
      expect(pair.magnitude!.shape).toEqual([pair.module.outFeatures]);
      expect(maxAbsDiff(pair.magnitude!.dataSync(), expected)).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(inputLogits(model, null, ids), inputLogits(model, adapter, ids))).toBeLessThan(1e-5);
    adapter.dispose();
  });

  it('counts the magnitudes as trainable parameters, before and after creating', () => {
    const config = doraConfig();
    const adapter = create(config);
    const plain = loraMethod.parameterCount({ ...config, useDora: false }, model.config);
    const magnitudes = adapter.modules().reduce((sum, p) => sum + p.module.outFeatures, 0);
    expect(loraMethod.parameterCount(config, model.config)).toBe(plain + magnitudes);
    expect(adapter.parameterCount()).toBe(plain + magnitudes);
    expect(adapter.trainable().reduce((sum, { variable }) => sum + variable.size, 0)).toBe(plain + magnitudes);
    adapter.dispose();
  });

  it("computes PEFT's formula, with the base term on the dropped input while training", () => {
    const config = doraConfig({ dropout: 0.3 });
    const adapter = create(config);
    perturb(adapter, 3, 0.2);
    const index = 1; // the second module: the dropout seed is offset by the module's position
    const pair = adapter.modules()[index]!;
    const name = pair.module.name;
    const w = model.weights.get(`${name}.weight`)! as tf.Tensor2D;
    const bias = model.weights.get(`${name}.bias`);
    const x = tf.randomNormal([3, pair.module.inFeatures], 0, 1, 'float32', 1) as tf.Tensor2D;
    const y = tf.tidy(() => (bias ? tf.add(tf.matMul(x, w), bias) : tf.matMul(x, w)) as tf.Tensor2D);
    for (const training of [false, true]) {
      const mode = { training, seed: 40 };
      const out = tf.tidy(() => adapter.hooks(mode).linear!(name, x, y));
      const expected = tf.tidy(() => {
        const scale = 8 / 4;
        const delta = tf.mul(tf.matMul(pair.a, pair.b), scale);
        const norm = tf.sqrt(tf.sum(tf.square(tf.add(w, delta)), 0));
        const k = tf.div(pair.magnitude!, norm);
        const xd = training ? tf.dropout(x, 0.3, undefined, 40 + index) : x;
        const baseNoBias = training ? tf.matMul(xd, w) : bias ? tf.sub(y, bias) : y;
        return tf.add(tf.add(y, tf.mul(tf.sub(k, 1), baseNoBias)), tf.mul(k, tf.matMul(xd, tf.mul(tf.matMul(pair.a, pair.b), scale))));
      });
      expect(maxAbsDiff(out.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      // Not the plain LoRA output.
      const lora = tf.tidy(() => tf.add(y, tf.matMul(x, tf.mul(tf.matMul(pair.a, pair.b), 2))));
      if (!training) expect(maxAbsDiff(out.dataSync(), lora.dataSync())).toBeGreaterThan(1e-3);
      [out, expected, lora].forEach((t) => t.dispose());
    }
    [x, y].forEach((t) => t.dispose());
    adapter.dispose();
  });

  it('gradients equal central differences of the loss with the weight norm held constant (PEFT detaches it)', () => {
    const adapter = create(doraConfig({ targetModules: defaultTargets(model.config) }));
    perturb(adapter, 5, 0.1);
    const batch = fixedBatch(model.config.vocabSize);
    const params = adapter.trainable();
    const { value, grads } = tf.variableGrads(() => meanLoss(model, adapter, batch), params.map((p) => p.variable));
    // The reference: DoRA written out here, with each norm computed once from the starting factors.
    const norms = new Map(adapter.modules().map((p) => [p.module.name, columnNorm(model.weights.get(`${p.module.name}.weight`)! as tf.Tensor2D, adapter.delta(p.module.name))]));
    const pairs = new Map(adapter.modules().map((p) => [p.module.name, p]));
    const hooks: ForwardHooks = {
      linear: (name, x, y) => {
        const pair = pairs.get(name);
        if (!pair) return y;
        const k = tf.div(pair.magnitude!, norms.get(name)!);
        const bias = model.weights.get(`${name}.bias`);
        const update = tf.matMul(tf.matMul(x, pair.a), tf.mul(pair.b, adapter.scale));
        return tf.add(tf.add(y, tf.mul(tf.sub(k, 1), bias ? tf.sub(y, bias) : y)), tf.mul(k, update));
      },
    };
    const frozenLoss = () => lossWith(model, hooks, batch);
    // The written-out reference is the same function at the starting point.
    const start = frozenLoss();
    expect(Math.abs(start.dataSync()[0]! - value.dataSync()[0]!)).toBeLessThan(1e-5);
    start.dispose();
    value.dispose();
    const rng = new Rng(9);
    const h = 1e-2;
    let checked = 0;
    let fullDifference = 0;
    // A, B and magnitude of the first module and A of the second.
    for (const { key, variable } of params.slice(0, 4)) {
      const grad = Array.from(grads[variable.name]!.dataSync());
      const largest = grad.reduce((best, g, i) => (Math.abs(g) > Math.abs(grad[best]!) ? i : best), 0);
      for (const index of [largest, rng.int(grad.length), rng.int(grad.length)]) {
        const numeric = centralDifference(frozenLoss, variable, index, h);
        const analytic = grad[index]!;
        expect(Math.abs(analytic - numeric), `${key}[${index}] ${analytic} vs ${numeric}`).toBeLessThanOrEqual(
          2e-3 + 0.03 * Math.max(Math.abs(analytic), Math.abs(numeric)),
        );
        if (index === largest && !key.endsWith('lora_magnitude_vector')) {
          // Through the adapter itself the norm moves with the factors, so the derivative differs.
          const full = centralDifference(() => meanLoss(model, adapter, batch), variable, index, h);
          fullDifference = Math.max(fullDifference, Math.abs(full - analytic) / Math.max(Math.abs(analytic), 1e-6));
        }
        checked += 1;
      }
    }
    expect(checked).toBe(12);
    expect(fullDifference).toBeGreaterThan(0.02);
    const magnitudeGrad = grads[params[2]!.variable.name]!;
    expect(tf.max(tf.abs(magnitudeGrad)).dataSync()[0]!).toBeGreaterThan(1e-4);
    norms.forEach((t) => t.dispose());
    Object.values(grads).forEach((g) => g.dispose());
    adapter.dispose();
  });

  it('exports lora_magnitude_vector [out] with use_dora and loads it back to identical logits', async () => {
    const adapter = create();
    perturb(adapter, 13, 0.2);
    const files = await exportAdapter(adapter);
    const peft = decodePeft(files);
    const first = adapter.modules()[0]!.module;
    expect(peft.tensors.get(magnitudeKey(first.name))!.shape).toEqual([first.outFeatures]);
    expect(magnitudeKey(first.name)).toBe(`base_model.model.${first.name}.lora_magnitude_vector`);
    expect(peft.tensors.size).toBe(3 * adapter.modules().length);
    expect(peft.config).toMatchObject({ use_dora: true, fan_in_fan_out: model.config.family === 'gpt2' });
    peft.tensors.forEach((t) => t.dispose());
    const loaded = importAdapter(files, adapterContext(model, 99, 'org/tiny'));
    expect(loaded.config).toEqual(adapter.config);
    expect(maxAbsDiff(inputLogits(model, adapter, ids), inputLogits(model, loaded, ids))).toBe(0);
    expect(maxAbsDiff(inputLogits(model, null, ids), inputLogits(model, loaded, ids))).toBeGreaterThan(1e-3);
    loaded.dispose();
    adapter.dispose();
  });

  it('refuses a missing or extra magnitude (AdapterFormatError) and one of the wrong shape (AdapterMismatchError)', async () => {
    const adapter = create();
    const files = await exportAdapter(adapter);
    const peft = decodePeft(files);
    const key = magnitudeKey(adapter.modules()[0]!.module.name);
    const context = adapterContext(model, 1, 'org/tiny');
    const withTensors = (tensors: Map<string, tf.Tensor>, config = peft.config) => loraMethod.fromPeft({ config, tensors }, context);
    const missing = new Map(peft.tensors);
    missing.delete(key);
    expect(() => withTensors(missing)).toThrow(AdapterFormatError);
    expect(() => withTensors(peft.tensors, { ...peft.config, use_dora: false })).toThrow(AdapterFormatError);
    const short = tf.zeros([adapter.modules()[0]!.module.outFeatures - 1]);
    expect(() => withTensors(new Map(peft.tensors).set(key, short))).toThrow(AdapterMismatchError);
    expect(() => withTensors(new Map(peft.tensors).set(key, short))).toThrow(/shape/);
    short.dispose();
    peft.tensors.forEach((t) => t.dispose());
    adapter.dispose();
  });

  it('merges to (m / ‖W + ΔW‖)·(W + ΔW) with the unmerged logits (1e-4); unmerging restores the base (1e-4)', () => {
    const adapter = create();
    perturb(adapter, 17, 0.3);
    const base = inputLogits(model, null, ids);
    const adapted = inputLogits(model, adapter, ids);
    expect(maxAbsDiff(base, adapted)).toBeGreaterThan(1e-2);
    // Merging and unmerging create only the tensors they return (forward passes on a new weight map
    // cache their own, so the count is taken around these calls alone).
    const before = tf.memory().numTensors;
    const merged = loraMethod.merge!(adapter, model.weights);
    const unmerged = unmergeLora(adapter, merged);
    expect(tf.memory().numTensors).toBe(before + 2 * adapter.modules().length);
    expect(maxAbsDiff(inputLogits({ ...model, weights: merged }, null, ids), adapted)).toBeLessThan(1e-4);
    expect(maxAbsDiff(inputLogits({ ...model, weights: unmerged }, null, ids), base)).toBeLessThan(1e-4);
    // The biases are not touched by a DoRA merge.
    for (const pair of adapter.modules()) {
      const bias = `${pair.module.name}.bias`;
      if (model.weights.has(bias)) expect(merged.get(bias)).toBe(model.weights.get(bias));
    }
    disposeReplaced(unmerged, merged);
    disposeReplaced(merged, model.weights);
    // mergeLora is the same function.
    const again = mergeLora(adapter, model.weights);
    expect(maxAbsDiff(inputLogits({ ...model, weights: again }, null, ids), adapted)).toBeLessThan(1e-4);
    disposeReplaced(again, model.weights);
    adapter.dispose();
  });

  it('keeps the tensor count stable across training-mode passes with dropout and their gradients', () => {
    const adapter = create(doraConfig({ dropout: 0.1 }));
    perturb(adapter, 7);
    const batch = fixedBatch(model.config.vocabSize);
    const variables = adapter.trainable().map((p) => p.variable);
    const step = (seed: number) => {
      const { value, grads } = tf.variableGrads(() => lossWith(model, adapter.hooks({ training: true, seed }), batch), variables);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    };
    step(1);
    const before = tf.memory().numTensors;
    for (let seed = 2; seed < 5; seed++) step(seed);
    expect(tf.memory().numTensors).toBe(before);
    adapter.dispose();
  });
});

describe('DoRA in the trainer', () => {
  it('trains with recomputed blocks and dropout: finite losses, a stable tensor count, the magnitudes move', async () => {
    await useCpu();
    const model = await loadFixture('tiny-qwen2');
    const adapter = loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, useDora: true, dropout: 0.1 }, adapterContext(model, 3)) as LoraAdapter;
    const startMagnitude = adapter.modules()[0]!.magnitude!.dataSync().slice();
    const examples = randomExamples(model.config.vocabSize, 6, 10, 21);
    const settings = {
      ...chooseDefaults({ stats: { count: 6, meanTokens: 10, maxTokens: 10, p95Tokens: 10 }, optimizer: loraMethod.optimizer, contextTokens: 60 }),
      batchSize: 2,
      gradAccumSteps: 2,
      maxSteps: 12,
      earlyStoppingPatience: 0,
    };
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const trainer = new Trainer({ model, adapter, train: examples, heldOut: examples.slice(0, 2), settings, recompute: true, onProgress: () => counts.push(tf.memory().numTensors) });
    const result = await trainer.run();
    expect(result.steps).toBe(12);
    expect(result.evals.every((e) => Number.isFinite(e.heldOutLoss))).toBe(true);
    expect(new Set(counts.slice(2)).size).toBe(1);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff(adapter.modules()[0]!.magnitude!.dataSync(), startMagnitude)).toBeGreaterThan(1e-4);
    adapter.dispose();
    model.dispose();
  });
});

describe('DoRA config', () => {
  it('is off by default, on with `attune train --dora`, and refused on a tied lm_head', async () => {
    await useCpu();
    const model = await loadFixture('tiny-llama');
    expect(loraMethod.defaultConfig(model.config).useDora).toBe(false);
    expect(methodFromFlags({ method: 'lora', dora: true })).toEqual({ method: 'lora', config: { useDora: true } });
    if (model.config.tieWordEmbeddings) {
      let error: unknown;
      try {
        loraMethod.validate({ ...loraMethod.defaultConfig(model.config), r: 4, useDora: true, targetModules: ['q_proj', 'lm_head'] }, model.config);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TuningConfigError);
      expect((error as TuningConfigError).field).toBe('useDora');
    }
    model.dispose();
  });
});

/** Mean masked NLL of the batch under the model with these hooks. */
function lossWith(model: LoadedModel, hooks: ForwardHooks, batch: HostBatch): tf.Scalar {
  return tf.tidy(() => {
    const tensors = toTensors(batch);
    const out = forward(model, { ids: tensors.ids, attentionMask: tensors.attentionMask, hooks });
    const loss = tf.div(maskedNllSum(out.logits, tensors.ids, tensors.lossMask, out.prependedRows), batch.lossTokens) as tf.Scalar;
    disposeBatch(tensors);
    return loss;
  });
}
