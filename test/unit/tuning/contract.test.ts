// The shared contract every registered tuning method must satisfy, on a tiny random model of each
// family (float32 CPU backend): an untouched adapter leaves logits unchanged (where the method can),
// gradients match central finite differences, one optimizer step lowers the loss, the PEFT layout
// round-trips to identical logits, and training does not leak tensors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { forward } from '../../../src/model';
import { disposeReplaced } from '../../../src/tuning/weight-maps';
import { exportAdapter, importAdapter } from '../../../src/tuning/peft/files';
import { allMethods } from '../../../src/tuning/registry';
import { Rng } from '../../../src/tuning/rng';
import { chooseDefaults } from '../../../src/tuning/train/defaults';
import { AdamW } from '../../../src/tuning/train/optimizer';
import { Trainer } from '../../../src/tuning/train/trainer';
import type { TuningMethod } from '../../../src/tuning/types';
import {
  FAMILY_FIXTURES,
  adapterContext,
  centralDifference,
  fixedBatch,
  inputLogits,
  loadFixture,
  maxAbsDiff,
  meanLoss,
  perturb,
  randomExamples,
  smallConfig,
  useCpu,
} from './helpers';

const methods = allMethods().map((method) => [method.name, method] as [string, TuningMethod]);

describe.each(FAMILY_FIXTURES)('tuning contract on %s', (fixture) => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture(fixture);
  });
  afterAll(() => model.dispose());

  describe.each(methods)('%s', (_name, method) => {
    const create = (seed = 11) => method.create(smallConfig(method, model), adapterContext(model, seed));
    const ids = [
      [5, 17, 42, 99, 3, 250, 7, 8],
      [1, 2, 3, 4, 5, 6, 7, 8],
    ];

    it('an untouched adapter leaves the logits unchanged (or, for soft prompts, only adds positions)', () => {
      const adapter = create();
      const base = inputLogits(model, null, ids);
      const adapted = inputLogits(model, adapter, ids);
      if (method.preservesOutputsAtInit) {
        expect(adapter.virtualTokens).toBe(0);
        expect(maxAbsDiff(base, adapted)).toBe(0);
      } else {
        // A soft prompt changes what the input attends to by design; its own test checks that a
        // text-initialised prompt equals typing the text. Here: the real positions are all there.
        expect(adapter.virtualTokens).toBeGreaterThan(0);
        expect(adapted.length).toBe(base.length);
      }
      adapter.dispose();
    });

    it("knows its trainable-parameter count before creating anything", () => {
      const adapter = create();
      expect(method.parameterCount(smallConfig(method, model), model.config)).toBe(adapter.parameterCount());
      expect(adapter.parameterCount()).toBe(adapter.trainable().reduce((sum, { variable }) => sum + variable.size, 0));
      adapter.dispose();
    });

    it('gradients match central finite differences', async () => {
      const adapter = create();
      perturb(adapter, 5);
      const batch = fixedBatch(model.config.vocabSize);
      const params = adapter.trainable();
      const { value, grads } = tf.variableGrads(() => meanLoss(model, adapter, batch), params.map((p) => p.variable));
      value.dispose();
      const rng = new Rng(9);
      const h = 1e-2;
      let checked = 0;
      for (const { variable } of params.slice(0, 4)) {
        const grad = Array.from(grads[variable.name]!.dataSync());
        // The largest-gradient entry (a meaningful relative check) and two random ones.
        const largest = grad.reduce((best, g, i) => (Math.abs(g) > Math.abs(grad[best]!) ? i : best), 0);
        for (const index of [largest, rng.int(grad.length), rng.int(grad.length)]) {
          const numeric = centralDifference(() => meanLoss(model, adapter, batch), variable, index, h);
          const analytic = grad[index]!;
          expect(Math.abs(analytic - numeric), `${variable.name}[${index}] ${analytic} vs ${numeric}`).toBeLessThanOrEqual(
            2e-3 + 0.03 * Math.max(Math.abs(analytic), Math.abs(numeric)),
          );
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(3);
      // At least one checked gradient is far from zero, so the comparison is not vacuous.
      const biggest = Math.max(...Object.values(grads).map((g) => tf.max(tf.abs(g)).dataSync()[0]!));
      expect(biggest).toBeGreaterThan(1e-3);
      Object.values(grads).forEach((g) => g.dispose());
      adapter.dispose();
    });

    it('one optimizer step lowers the loss', () => {
      const adapter = create();
      const batch = fixedBatch(model.config.vocabSize);
      const params = adapter.trainable();
      const optimizer = new AdamW(params, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
      const before = meanLoss(model, adapter, batch);
      const { value, grads } = tf.variableGrads(() => meanLoss(model, adapter, batch), params.map((p) => p.variable));
      optimizer.step(new Map(params.map(({ key, variable }) => [key, grads[variable.name]!])), 1e-2);
      const after = meanLoss(model, adapter, batch);
      expect(after.dataSync()[0]!).toBeLessThan(before.dataSync()[0]! - 1e-4);
      [before, after, value, ...Object.values(grads)].forEach((t) => t.dispose());
      optimizer.dispose();
      adapter.dispose();
    });

    it('save -> load in the PEFT layout gives identical logits', async () => {
      const adapter = create();
      perturb(adapter, 13);
      const files = await exportAdapter(adapter);
      expect([...files.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
      const loaded = importAdapter(files, adapterContext(model, 99));
      expect(loaded.method).toBe(method.name);
      expect(loaded.config).toEqual(adapter.config);
      expect(maxAbsDiff(inputLogits(model, adapter, ids), inputLogits(model, loaded, ids))).toBe(0);
      // And the loaded adapter really differs from the base model (the check is not vacuous).
      expect(maxAbsDiff(inputLogits(model, null, ids), inputLogits(model, loaded, ids))).toBeGreaterThan(1e-3);
      adapter.dispose();
      loaded.dispose();
    });

    // Only methods that can merge have this test: soft prompts add positions, not weights, and
    // bottleneck adapters put a nonlinearity between their projections.
    const merge = method.merge;
    if (merge) it('merging gives the logits of the unmerged adapter', () => {
      const adapter = create();
      perturb(adapter, 13);
      const unmerged = inputLogits(model, adapter, ids);
      const base = inputLogits(model, null, ids);
      let merged;
      try {
        merged = merge(adapter, model.weights);
      } catch (error) {
        // Tied embeddings leave no separate weight to fold into; the method must say so.
        expect(String(error)).toMatch(/tied/);
        return adapter.dispose();
      }
      const before = tf.memory().numTensors;
      const mergedLogits = tf.tidy(() => forward({ ...model, weights: merged }, { ids }).logits.dataSync() as Float32Array);
      expect(maxAbsDiff(unmerged, mergedLogits)).toBeLessThan(1e-4);
      expect(maxAbsDiff(base, mergedLogits)).toBeGreaterThan(1e-3);
      expect(tf.memory().numTensors).toBe(before);
      disposeReplaced(merged, model.weights);
      adapter.dispose();
    });

    it('keeps tf.memory().numTensors stable over 50 training steps', async () => {
      const adapter = create();
      const examples = randomExamples(model.config.vocabSize, 6, 10, 21);
      const settings = {
        ...chooseDefaults({ stats: { count: 6, meanTokens: 10, maxTokens: 10, p95Tokens: 10 }, optimizer: method.optimizer, contextTokens: 60 }),
        batchSize: 2,
        gradAccumSteps: 2,
        maxSteps: 50,
        earlyStoppingPatience: 0,
      };
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      const trainer = new Trainer({
        model,
        adapter,
        train: examples,
        heldOut: examples.slice(0, 2),
        settings,
        onProgress: () => counts.push(tf.memory().numTensors),
      });
      const result = await trainer.run();
      expect(result.steps).toBe(50);
      expect(counts).toHaveLength(50);
      // 3 micro-batches per epoch, 2 per step: the first epoch ends after step 2, creating the
      // "best" copies (the "last good" copies exist from step 1). From then on: constant.
      expect(new Set(counts.slice(2)).size).toBe(1);
      expect(result.evals.length).toBeGreaterThanOrEqual(20);
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(before);
      adapter.dispose();
    });
  });
});
