// Data-parallel training on wasm (src/tuning/train/parallel/, src/cli/parallel/): with the same
// seeds and micro-batches, a run whose micro-batches are shared between the leader and worker
// threads gives the same losses, gradient norms and trained values as the one-realm Trainer
// (dropout on: the workers use the leader's seeds); a failing worker ends the run with one
// TrainingWorkerError and leaves no thread running; the leader's tensor count stays flat.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startNodeBackend } from '../../../src/cli/node-backend';
import { nodeWorkers } from '../../../src/cli/parallel/node-workers';
import type { LoadedModel } from '../../../src/model/model';
import { TrainingWorkerError } from '../../../src/tuning/errors';
import { getMethod } from '../../../src/tuning/registry';
import { chooseDefaults } from '../../../src/tuning/train/defaults';
import { ParallelGradientSource } from '../../../src/tuning/train/parallel/leader';
import { shareOut } from '../../../src/tuning/train/parallel/protocol';
import { readVariables } from '../../../src/tuning/train/snapshot';
import { Trainer } from '../../../src/tuning/train/trainer';
import type { MethodConfigMap, MethodName } from '../../../src/tuning/types';
import { FIXTURES, adapterContext, loadFixture, randomExamples } from './helpers';

const FIXTURE = 'tiny-llama';
const CRASHING = new URL('../../fixtures/parallel/crashing-thread.ts', import.meta.url);

interface RunOutcome {
  losses: number[];
  norms: number[];
  values: Record<string, Float32Array>;
  initial: Record<string, Float32Array>;
  tensorsAfterStep: number[];
}

beforeAll(async () => {
  const started = await startNodeBackend('wasm');
  expect(started.name).toBe('wasm');
});

async function train(method: MethodName, realms: number, options: { steps?: number; script?: URL; modelSource?: string } = {}): Promise<RunOutcome & { running: () => number; live: () => number }> {
  const model: LoadedModel = await loadFixture(FIXTURE);
  const tuning = getMethod(method);
  // LoRA with dropout on: equal results then need the leader's seeds in the workers.
  const config = (method === 'lora' ? { ...tuning.testConfig(model.config), dropout: 0.2 } : tuning.testConfig(model.config)) as MethodConfigMap[MethodName];
  const adapter = tuning.create(config, adapterContext(model, 5));
  const params = adapter.trainable();
  const initial = Object.fromEntries(Object.entries(await readVariables(params)).map(([k, v]) => [k, v.data.slice()]));
  const steps = options.steps ?? 2;
  const train = randomExamples(model.config.vocabSize, 4 * steps, 10, 11);
  const defaults = chooseDefaults({ stats: { count: train.length, meanTokens: 10, maxTokens: 10, p95Tokens: 10 }, optimizer: tuning.optimizer, contextTokens: 64 });
  // Micro-batch 1 × 4 accumulated: with 2 realms the leader and the worker take two each.
  const settings = { ...defaults, batchSize: 1, gradAccumSteps: 4, maxSteps: steps, maxLength: 16, warmupSteps: 0, earlyStoppingPatience: 0, seed: 9 };
  const workers = nodeWorkers(options.script);
  const forward = { model, adapter, params, recompute: false };
  const source =
    realms > 1
      ? new ParallelGradientSource({
          forward,
          realms,
          start: workers.start,
          setup: {
            backend: 'wasm',
            modelSource: options.modelSource ?? join(FIXTURES, FIXTURE),
            compactWeights: false,
            method,
            methodConfig: config,
            baseModelId: 'fixture',
            seed: 5,
            recompute: false,
            keepFrozenProducts: false,
            headChunkRows: 1024,
          },
        })
      : undefined;
  const outcome: RunOutcome = { losses: [], norms: [], values: {}, initial, tensorsAfterStep: [] };
  const trainer = new Trainer({
    model,
    adapter,
    train,
    heldOut: [],
    settings,
    ...(source ? { gradients: source } : {}),
    headChunkRows: 1024,
    onProgress: (p) => {
      outcome.losses.push(p.loss);
      outcome.norms.push(p.gradNorm);
      outcome.tensorsAfterStep.push(tf.memory().numTensors);
    },
  });
  try {
    const result = await trainer.run();
    expect(result.status).toBe('completed');
    outcome.values = Object.fromEntries(Object.entries(await readVariables(params)).map(([k, v]) => [k, v.data.slice()]));
    return { ...outcome, running: workers.running, live: () => source?.liveWorkers ?? 0 };
  } finally {
    await source?.close();
    trainer.dispose();
    adapter.dispose();
    model.dispose();
  }
}

function maxDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let diff = 0;
  for (const key of Object.keys(a)) a[key]!.forEach((x, i) => (diff = Math.max(diff, Math.abs(x - b[key]![i]!))));
  return diff;
}

describe('data-parallel training on wasm', () => {
  it('shares micro-batches contiguously, earlier realms taking one more', () => {
    expect(shareOut(4, 2)).toEqual([{ start: 0, end: 2 }, { start: 2, end: 4 }]);
    expect(shareOut(3, 2)).toEqual([{ start: 0, end: 2 }, { start: 2, end: 3 }]);
    expect(shareOut(1, 3)).toEqual([{ start: 0, end: 1 }, { start: 1, end: 1 }, { start: 1, end: 1 }]);
  });

  it.each(['lora', 'prompt-tuning'] as const)('%s: 2 realms give the one-realm losses, norms and values after 3 steps', async (method) => {
    const one = await train(method, 1, { steps: 3 });
    const two = await train(method, 2, { steps: 3 });
    expect(two.losses.length).toBe(3);
    // Training moved the values, so equal values are not just equal initial ones.
    expect(maxDiff(one.values, one.initial)).toBeGreaterThan(1e-4);
    expect(maxDiff(two.values, one.values)).toBeLessThan(1e-5);
    two.losses.forEach((loss, i) => expect(Math.abs(loss - one.losses[i]!)).toBeLessThan(1e-5));
    two.norms.forEach((norm, i) => expect(Math.abs(norm - one.norms[i]!)).toBeLessThan(1e-5 * Math.max(1, one.norms[i]!)));
    // The leader's tensors: after the first step (optimizer moments, last-good copy) no growth.
    expect(two.tensorsAfterStep[2]).toBe(two.tensorsAfterStep[1]);
    expect(two.running()).toBe(0);
    expect(two.live()).toBe(0);
  }, 60_000);

  it('a worker whose model cannot load ends the run with one clear error and no thread left', async () => {
    const missing = join(FIXTURES, 'no-such-model');
    const error = await train('lora', 2, { modelSource: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingWorkerError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Training worker 1 stopped: /);
    expect(message).toContain('no-such-model');
    expect(message).not.toContain('\n');
  }, 30_000);

  it('a worker thread that crashes mid-run ends it with the crash, and every thread has exited', async () => {
    const workers = nodeWorkers(CRASHING);
    const model = await loadFixture(FIXTURE);
    const tuning = getMethod('lora');
    const config = tuning.testConfig(model.config);
    const adapter = tuning.create(config, adapterContext(model, 5));
    const params = adapter.trainable();
    const source = new ParallelGradientSource({
      forward: { model, adapter, params },
      realms: 3,
      start: workers.start,
      setup: { backend: 'wasm', modelSource: join(FIXTURES, FIXTURE), compactWeights: false, method: 'lora', methodConfig: config, baseModelId: 'fixture', seed: 5, recompute: false, keepFrozenProducts: false, headChunkRows: 1024 },
    });
    const train = randomExamples(model.config.vocabSize, 9, 10, 11);
    const defaults = chooseDefaults({ stats: { count: 9, meanTokens: 10, maxTokens: 10, p95Tokens: 10 }, optimizer: tuning.optimizer, contextTokens: 64 });
    const trainer = new Trainer({ model, adapter, train, heldOut: [], settings: { ...defaults, batchSize: 1, gradAccumSteps: 3, maxSteps: 3, maxLength: 16, earlyStoppingPatience: 0 }, gradients: source });
    let steps = 0;
    const error = await trainer.run().then(
      () => null,
      (e: unknown) => e,
    );
    steps = trainer['step'] as number;
    expect(error).toBeInstanceOf(TrainingWorkerError);
    expect((error as Error).message).toMatch(/^Training worker [12] stopped: the wasm heap ran out \(test crash\)$/);
    expect(steps).toBe(1);
    // The error is raised only once every thread has ended.
    expect(workers.running()).toBe(0);
    expect(source.liveWorkers).toBe(0);
    trainer.dispose();
    adapter.dispose();
    model.dispose();
  }, 30_000);
});
