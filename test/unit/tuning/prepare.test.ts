// prepareTraining: one call from examples to a ready trainer, with defaults from the data,
// overrides applied, and the user told about the held-out split and truncations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { TrainingDataError, TuningConfigError } from '../../../src/tuning/errors';
import { prepareTraining } from '../../../src/tuning/train/prepare';
import { loadFixture, useCpu } from './helpers';

let model: LoadedModel;
beforeAll(async () => {
  await useCpu();
  model = await loadFixture('tiny-llama');
});
afterAll(() => model.dispose());

const examples = Array.from({ length: 30 }, (_, i) => ({ instruction: `Say ${i}`, output: `number ${i}` }));

describe('prepareTraining', () => {
  it('splits off a held-out set, chooses defaults, and sizes warmup to an overridden run length', () => {
    const run = prepareTraining({ model, baseModelId: 'tiny', method: 'lora', examples, overrides: { maxSteps: 4 } });
    expect(run.trainCount + run.heldOutCount).toBe(30);
    expect(run.heldOutCount).toBe(3);
    expect(run.notes[0]).toMatch(/3 of 30 examples held out/);
    expect(run.settings.maxSteps).toBe(4);
    expect(run.settings.warmupSteps).toBe(1);
    expect(run.trainer.plannedSteps).toBe(4);
    expect(run.adapter.method).toBe('lora');
    run.trainer.dispose();
    run.adapter.dispose();
  });

  it('applies method config changes and validates them against the model', () => {
    const run = prepareTraining({ model, baseModelId: 'tiny', method: 'prompt-tuning', methodConfig: { numVirtualTokens: 3 }, examples: examples.slice(0, 5) });
    expect(run.adapter.virtualTokens).toBe(3);
    expect(run.heldOutCount).toBe(0);
    expect(run.notes[0]).toMatch(/No held-out set/);
    expect(run.settings.maxLength).toBeLessThanOrEqual(model.config.maxPositions - 3);
    run.trainer.dispose();
    run.adapter.dispose();
    expect(() => prepareTraining({ model, baseModelId: 'tiny', method: 'lora', methodConfig: { r: 0 }, examples })).toThrow(TuningConfigError);
    expect(() => prepareTraining({ model, baseModelId: 'tiny', method: 'lora', examples: [] })).toThrow(TrainingDataError);
  });
});
