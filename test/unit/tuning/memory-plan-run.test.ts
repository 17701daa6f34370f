// The memory plan where runs are prepared (planTraining / prepareTraining, shared by the engine
// and the CLI): a batch that does not fit is split into micro-batches with accumulation, a run
// that cannot fit is refused before anything is allocated, with a message naming what to change.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { TooLargeToTrainError } from '../../../src/tuning/errors';
import { getMethod } from '../../../src/tuning/registry';
import { estimatePeak, type BackendLimits } from '../../../src/tuning/train/memory-plan';
import { planTraining, prepareTraining } from '../../../src/tuning/train/prepare';
import { loadFixture, useCpu } from './helpers';

const examples = Array.from({ length: 40 }, (_, i) => ({ instruction: `Join word ${i} and word ${i + 1}`, input: '', output: `word${i}-word${i + 1}` }));

describe('the memory plan before a run', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useCpu();
    model = await loadFixture('tiny-llama');
  });
  afterAll(() => model.dispose());

  function budgetBetween(micro: number, batch: number, length: number): BackendLimits {
    const method = getMethod('lora');
    const config = method.defaultConfig(model.config);
    const input = { model: model.config, trainableParams: method.parameterCount(config, model.config), batch, length, bytesPerFrozenWeight: 4, limits: { name: 'wasm', budgetBytes: 1 } };
    // Enough for `micro` examples at once without recomputation, not for the whole batch.
    const fitsMicro = estimatePeak(input, micro, false).total;
    const whole = estimatePeak(input, batch, false).total;
    expect(whole).toBeGreaterThan(fitsMicro);
    return { name: 'wasm', budgetBytes: Math.ceil((fitsMicro + (estimatePeak(input, micro + 1, false).total - fitsMicro) / 2) / 0.9) };
  }

  it('splits a batch that does not fit into micro-batches whose gradients are summed', () => {
    const free = planTraining({ model, method: 'lora', examples, overrides: { batchSize: 8, maxLength: 32 }, memoryLimits: { name: 'wasm', budgetBytes: 4 * 2 ** 30 } });
    expect(free.memory).toMatchObject({ fits: true, microBatch: 8, accumulation: 1 });
    expect(free.settings).toMatchObject({ batchSize: 8, gradAccumSteps: 1 });
    const tight = planTraining({ model, method: 'lora', examples, overrides: { batchSize: 8, maxLength: 32 }, memoryLimits: budgetBetween(2, 8, 32) });
    expect(tight.memory).toMatchObject({ fits: true, microBatch: 2, accumulation: 4 });
    expect(tight.settings).toMatchObject({ batchSize: 2, gradAccumSteps: 4 }); // still 8 examples per optimizer step
    // A resumed run plans again from its stored settings and gets the same split.
    const resumed = planTraining({ model, method: 'lora', examples, overrides: tight.settings, memoryLimits: budgetBetween(2, 8, 32) });
    expect(resumed.settings).toEqual(tight.settings);
  });

  it('refuses a run that cannot fit before allocating anything, saying what to change', () => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      prepareTraining({ model, baseModelId: 'fixture', method: 'lora', examples, overrides: { maxLength: 32 }, memoryLimits: { name: 'wasm', budgetBytes: 1024 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TooLargeToTrainError);
    expect((error as TooLargeToTrainError).code).toBe('too-large-to-train');
    expect((error as Error).message).toMatch(/more than the wasm backend can use .* Choose a smaller model\.$/);
    expect(tf.memory().numTensors).toBe(before);
  });

  /** A budget that micro-batch 1 fits with compact block weights but not with float32 ones. */
  function budgetForCompactOnly(method: 'lora' | 'full', length: number): BackendLimits {
    const m = getMethod(method);
    const input = { model: model.config, trainableParams: m.parameterCount(m.defaultConfig(model.config), model.config), batch: 1, length, bytesPerFrozenWeight: 4, limits: { name: 'wasm', budgetBytes: 1 } };
    const float32 = estimatePeak(input, 1, true).total;
    const compact = estimatePeak({ ...input, bytesPerFrozenWeight: 2 }, 1, true).total;
    expect(compact).toBeLessThan(float32);
    return { name: 'wasm', budgetBytes: Math.ceil((compact + float32) / 2 / 0.9) };
  }

  it('holds the block weights compact when only that fits, and trains LoRA on them with recomputed blocks', async () => {
    const own = await loadFixture('tiny-llama');
    const limits = budgetForCompactOnly('lora', 32);
    const run = prepareTraining({ model: own, baseModelId: 'fixture', method: 'lora', examples, overrides: { batchSize: 2, maxLength: 32, maxSteps: 2 }, memoryLimits: limits });
    expect(run.memory).toMatchObject({ fits: true, compactWeights: true, recompute: true, microBatch: 1, accumulation: 2 });
    expect(own.compact).not.toBeNull();
    expect([...own.weights.keys()].some((name) => name.includes('.layers.') && name.endsWith('_proj.weight'))).toBe(false);
    await run.trainer.run();
    const before = tf.memory().numTensors;
    run.trainer.dispose();
    run.adapter.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    own.dispose();
  });

  it('refuses with the float32 plan a method that needs the float32 block weights, and gives them back', async () => {
    const own = await loadFixture('tiny-llama');
    const limits = budgetForCompactOnly('full', 32);
    const before = tf.memory().numTensors;
    expect(() => prepareTraining({ model: own, baseModelId: 'fixture', method: 'full', examples, overrides: { batchSize: 1, maxLength: 32 }, memoryLimits: limits })).toThrow(TooLargeToTrainError);
    expect(own.compact ?? null).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    own.dispose();
  });

  it('is not made on backends without a fixed ceiling (CPU) unless limits are given', () => {
    expect(planTraining({ model, method: 'lora', examples }).memory).toBeNull();
  });
});
