// The trainer's promises: snapshot/restore continues bit-for-bit, gradient accumulation equals
// one big batch, a NaN stops the run and keeps the last good adapter, pause holds, cancel ends.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadedModel } from '../../../src/model/model';
import { TrainingDivergedError } from '../../../src/tuning/errors';
import { loraMethod } from '../../../src/tuning/methods/lora/method';
import type { EncodedExample } from '../../../src/tuning/train/data';
import { chooseDefaults, type TrainSettings } from '../../../src/tuning/train/defaults';
import { Trainer, type TrainProgress } from '../../../src/tuning/train/trainer';
import type { Adapter } from '../../../src/tuning/types';
import { adapterContext, loadFixture, maxAbsDiff, randomExamples, useCpu } from './helpers';

let model: LoadedModel;
let train: EncodedExample[];
let heldOut: EncodedExample[];

beforeAll(async () => {
  await useCpu();
  model = await loadFixture('tiny-llama');
  train = randomExamples(model.config.vocabSize, 8, 12, 1);
  heldOut = randomExamples(model.config.vocabSize, 3, 12, 2);
});
afterAll(() => model.dispose());

function lora(dropout = 0.1): Adapter {
  return loraMethod.create({ ...loraMethod.defaultConfig(model.config), r: 4, dropout }, adapterContext(model, 5));
}

function settings(overrides: Partial<TrainSettings> = {}): TrainSettings {
  const base = chooseDefaults({ stats: { count: 8, meanTokens: 12, maxTokens: 12, p95Tokens: 12 }, optimizer: loraMethod.optimizer, contextTokens: 64 });
  return { ...base, batchSize: 2, gradAccumSteps: 1, maxSteps: 6, lr: 1e-2, ...overrides };
}

function values(adapter: Adapter): number[] {
  return adapter.trainable().flatMap(({ variable }) => Array.from(variable.dataSync()));
}

async function untilStep(progress: TrainProgress[], step: number): Promise<void> {
  while (!progress.some((p) => p.step === step)) await new Promise((r) => setTimeout(r, 5));
}

describe('Trainer', () => {
  it('continues from a structured-cloned snapshot exactly as an uninterrupted run', async () => {
    const straight = lora();
    const full = new Trainer({ model, adapter: straight, train, heldOut, settings: settings() });
    await full.run();
    full.dispose();

    const first = lora();
    const progress: TrainProgress[] = [];
    const interrupted = new Trainer({
      model,
      adapter: first,
      train,
      heldOut,
      settings: settings(),
      onProgress: (p) => {
        progress.push(p);
        if (p.step === 3) interrupted.pause();
      },
    });
    const running = interrupted.run();
    await untilStep(progress, 3);
    const snapshot = structuredClone(await interrupted.snapshot());
    interrupted.cancel();
    expect((await running).status).toBe('cancelled');
    interrupted.dispose();

    const second = lora();
    const resumed = new Trainer({ model, adapter: second, train, heldOut, settings: settings() });
    resumed.restore(snapshot);
    const result = await resumed.run();
    expect(result.steps).toBe(6);
    expect(maxAbsDiff(values(second), values(straight))).toBeLessThan(1e-6);
    expect(maxAbsDiff(values(second), values(first))).toBeGreaterThan(0); // the first run really stopped early
    resumed.dispose();
    [straight, first, second].forEach((a) => a.dispose());
  });

  it('refuses a snapshot from other settings', async () => {
    const adapter = lora();
    const trainer = new Trainer({ model, adapter, train, heldOut, settings: settings() });
    const snapshot = await trainer.snapshot();
    const other = new Trainer({ model, adapter, train, heldOut, settings: settings({ lr: 5e-3 }) });
    expect(() => other.restore(snapshot)).toThrow(/settings differ/);
    trainer.dispose();
    other.dispose();
    adapter.dispose();
  });

  it('gradient accumulation over 2 micro-batches equals one batch of 4 (same update)', async () => {
    const four = train.slice(0, 4);
    const big = lora(0);
    const t1 = new Trainer({ model, adapter: big, train: four, heldOut: [], settings: settings({ batchSize: 4, maxSteps: 1 }) });
    await t1.run();
    const small = lora(0);
    const t2 = new Trainer({ model, adapter: small, train: four, heldOut: [], settings: settings({ batchSize: 2, gradAccumSteps: 2, maxSteps: 1 }) });
    await t2.run();
    expect(maxAbsDiff(values(big), values(small))).toBeLessThan(1e-6);
    const before = lora(0);
    expect(maxAbsDiff(values(big), values(before))).toBeGreaterThan(1e-4); // one step really moved it
    [t1, t2].forEach((t) => t.dispose());
    [big, small, before].forEach((a) => a.dispose());
  });

  it('stops on a NaN loss with TrainingDivergedError and keeps the last good adapter', async () => {
    const adapter = lora();
    let afterStep1: number[] = [];
    const trainer = new Trainer({
      model,
      adapter,
      train,
      heldOut,
      settings: settings(),
      onProgress: (p) => {
        if (p.step === 1) afterStep1 = values(adapter);
        if (p.step === 2) {
          // Simulate a blow-up: the update of step 2 left a NaN in the adapter.
          const { variable } = adapter.trainable()[1]!;
          tf.tidy(() => variable.assign(tf.fill(variable.shape, NaN)));
        }
      },
    });
    const result = await trainer.run();
    expect(result.status).toBe('diverged');
    expect(result.error).toBeInstanceOf(TrainingDivergedError);
    expect(result.error!.message).toMatch(/step 3.*last good step was kept/);
    expect(values(adapter).every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(values(adapter), afterStep1)).toBe(0);
    trainer.dispose();
    adapter.dispose();
  });

  it('holds while paused, then finishes after resume; reports progress with ETA and speed', async () => {
    const adapter = lora();
    const progress: TrainProgress[] = [];
    const trainer = new Trainer({
      model,
      adapter,
      train,
      heldOut,
      settings: settings({ maxSteps: 4 }),
      onProgress: (p) => {
        progress.push(p);
        if (p.step === 2) trainer.pause();
      },
    });
    // On the CPU backend a run waits on nothing but promises and its one timer per step (the
    // yield before each step). Firing timers until none is left therefore ends exactly where the
    // loop waits for something else: the pause after step 2, or the end of the run if the pause
    // did not hold.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const running = trainer.run();
    try {
      await vi.runAllTimersAsync();
    } finally {
      vi.useRealTimers();
    }
    expect(progress).toHaveLength(2);
    trainer.resume();
    const result = await running;
    expect(result.status).toBe('completed');
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    expect(progress[0]!.tokensPerSecond).toBeGreaterThan(0);
    expect(progress[0]!.etaSeconds).toBeGreaterThan(0);
    expect(progress[3]!.etaSeconds).toBe(0);
    expect(progress[0]!.heldOutLoss).toBe(result.initialHeldOutLoss);
    trainer.dispose();
    adapter.dispose();
  });
});
