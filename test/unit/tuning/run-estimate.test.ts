// The pre-training time estimate of the Train view: training tokens of a run, and the speed it
// assumes before a run of the method has been measured. Expectations derived by hand.
import { describe, expect, test } from 'vitest';
import type { ModelConfig } from '../../../src/model/types';
import { frozenParameterCount } from '../../../src/tuning/train/memory-plan';
import { assumedTokensPerSecond, estimateRun, trainingTokens } from '../../../src/tuning/train/run-estimate';

const settings = { epochs: 3, maxSteps: null, batchSize: 2, gradAccumSteps: 1 };

describe('run estimate', () => {
  test('counts every epoch of the examples, or the share of it a step cap reaches', () => {
    // 5 examples, 50 tokens per epoch; 3 steps per epoch at batch 2.
    const lengths = [10, 10, 10, 10, 10];
    expect(trainingTokens(lengths, settings)).toBe(150);
    expect(trainingTokens(lengths, { ...settings, maxSteps: 6 })).toBe(100); // two epochs' worth
    expect(trainingTokens(lengths, { ...settings, gradAccumSteps: 3 })).toBe(150); // 1 step per epoch, still 3 epochs
    expect(trainingTokens([], settings)).toBe(0);
  });

  test('assumes speed from the model size and the trained parameters, and prefers a measured one', () => {
    const model = {
      family: 'llama',
      vocabSize: 1000,
      hiddenSize: 64,
      intermediateSize: 128,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 4,
      headDim: 16,
      maxPositions: 64,
      tieWordEmbeddings: true,
    } as ModelConfig;
    const base = frozenParameterCount(model);
    // wasm: 1.2e10 FLOP/s over 4 FLOPs per base parameter and 2 per trained one.
    expect(assumedTokensPerSecond(model, 1000, 'wasm')).toBeCloseTo(1.2e10 / (4 * base + 2000), 6);
    // Training every weight costs more per token than training a few.
    expect(assumedTokensPerSecond(model, base, 'wasm')).toBeLessThan(assumedTokensPerSecond(model, 1000, 'wasm'));
    const assumed = estimateRun({ tokens: 600, model, trainableParameters: 1000, backend: 'wasm' });
    expect(assumed.measured).toBe(false);
    expect(assumed.seconds).toBeCloseTo(600 / assumed.tokensPerSecond, 9);
    const measured = estimateRun({ tokens: 600, model, trainableParameters: 1000, backend: 'wasm', measuredTokensPerSecond: 200 });
    expect(measured).toEqual({ tokens: 600, tokensPerSecond: 200, measured: true, seconds: 3 });
  });
});
