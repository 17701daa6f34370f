// Training on wasm as `attune train` runs it, for the benches: the memory plan made before the
// model loads (micro-batch, accumulation, recomputation, compact block weights, and realms for the
// machine's cores against its memory), then gradient workers (worker threads, one core each) when
// the plan chose several realms. The train and scale benches measure this path, so their figures
// are the product's and not a one-thread variant of it.
import { readFileSync } from 'node:fs';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import type { LoadedModel } from '../../src/model';
import type { ModelConfig } from '../../src/model/types';
import type { FittingPlan } from '../../src/tuning/train/memory-plan';
import type { GradientSource } from '../../src/tuning/train/gradients';
import type { Adapter, MethodConfigMap } from '../../src/tuning/types';

export type BenchMethod = 'lora' | 'prompt-tuning';

export interface WasmTrainingInput<M extends BenchMethod> {
  modelDir: string;
  method: M;
  /** The method's config from the model's config (its defaults, or the bench's variant). */
  methodConfig: (config: ModelConfig) => MethodConfigMap[M];
  /** Examples per optimizer step. */
  batch: number;
  length: number;
  /** Realms computing each step (`--workers`); default as the CLI: min(cores, batch). */
  workers?: number;
  /** Recompute whole blocks where the plan chose selective recomputation (the path before it, for comparison). */
  fullRecompute?: boolean;
}

export interface WasmTraining {
  plan: FittingPlan;
  model: LoadedModel;
  adapter: Adapter;
  /** What the Trainer takes from the plan: recomputation, head chunks and the workers, if any. */
  trainerOptions: { recompute: boolean; keepFrozenProducts: boolean; headChunkRows: number; gradients?: GradientSource };
  /** Settings the plan decides: examples per micro-batch and micro-batches per step. */
  batchSettings: { batchSize: number; gradAccumSteps: number };
  /** One line for the bench's output. */
  describe(): string;
  /** Ends the gradient workers (call however the run ends). */
  close(): Promise<void>;
}

/** Plans, loads and sets up a wasm training run; the wasm backend must already be started. */
export async function prepareWasmTraining<M extends BenchMethod>(input: WasmTrainingInput<M>): Promise<WasmTraining> {
  const { parseConfig } = await import('../../src/model/config');
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { getMethod } = await import('../../src/tuning/registry');
  const { planMemory, WASM32_LIMITS, describePlan } = await import('../../src/tuning/train/memory-plan');
  const { gradientWorkers, planForwardOptions } = await import('../../src/tuning/train/prepare');
  const { nodeWorkers } = await import('../../src/cli/parallel/node-workers');
  const config = parseConfig(readFileSync(join(input.modelDir, 'config.json'), 'utf8'));
  const method = getMethod(input.method);
  const methodConfig = input.methodConfig(config);
  // As prepareTraining plans on wasm: float32 first, compact block weights only when they alone fit.
  const planInput = {
    model: config,
    trainableParams: method.parameterCount(methodConfig, config),
    virtualTokens: method.virtualTokens(methodConfig),
    batch: input.batch,
    length: input.length,
    bytesPerFrozenWeight: 4,
    limits: WASM32_LIMITS,
    prefer: 'no-recompute' as const,
    workers: input.workers ?? Math.min(availableParallelism(), input.batch),
    hostMemoryBytes: Math.min(totalmem(), freemem() + process.memoryUsage().rss),
  };
  let plan = planMemory(planInput);
  if (!plan.fits && plan.compactWouldFit) plan = planMemory({ ...planInput, bytesPerFrozenWeight: 2 });
  if (!plan.fits) throw new Error(`the memory plan refuses: ${describePlan(plan)}`);
  const fitting = input.fullRecompute && plan.keepFrozenProducts ? { ...plan, keepFrozenProducts: false } : plan;
  const model = await loadModelFromDirectory(input.modelDir, { compact: fitting.compactWeights });
  const adapter = method.create(methodConfig, { model: model.config, weights: model.weights, baseModelId: 'bench', seed: 0 });
  const gradients =
    gradientWorkers(fitting, { model, adapter, start: nodeWorkers().start, modelSource: input.modelDir, method: input.method, methodConfig, baseModelId: 'bench', seed: 0 }) ??
    undefined;
  return {
    plan: fitting,
    model,
    adapter,
    trainerOptions: { ...planForwardOptions(fitting), ...(gradients ? { gradients } : {}) },
    batchSettings: { batchSize: fitting.microBatch, gradAccumSteps: fitting.accumulation },
    describe: () =>
      `micro-batch ${fitting.microBatch} × ${fitting.accumulation} accumulation, ${fitting.workers} worker${fitting.workers > 1 ? 's (threads, one core each)' : ''}${fitting.recompute ? (fitting.keepFrozenProducts ? ', recomputed blocks (selective: frozen products kept)' : ', recomputed blocks') : ''}${fitting.compactWeights ? ', block weights 16-bit' : ''}, estimated ${(fitting.estimatedPeakBytes / 2 ** 30).toFixed(2)} GiB`,
    close: async () => {
      await gradients?.close();
    },
  };
}
