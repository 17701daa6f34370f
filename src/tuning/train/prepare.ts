// From "these examples, this method" to a ready Trainer with one-click settings: the glue the CLI
// and the engine share. Creates the adapter, splits and tokenises the data, picks defaults from
// the data's size and lengths, and applies any overrides the user gave.
import * as tf from '@tensorflow/tfjs';
import { compactModel, expandModel } from '../../model/compact-model';
import type { LoadedModel } from '../../model/model';
import { TooLargeToTrainError, TrainingDataError, TuningConfigError } from '../errors';
import { getMethod } from '../registry';
import type { Adapter, MethodConfigMap, MethodName, TuningMethod } from '../types';
import { memoryLimitsFor, planMemory, type BackendLimits, type FittingPlan, type PlanInput, type Refusal } from './memory-plan';
import { dataStats, fitExamples, promptWithinLength, splitExamples, tokenizeExamples, type TrainingExample } from './data';
import { tokenizeWithDemonstrations } from './demonstrations';
import { chooseDefaults, warmupFor, type TrainSettings } from './defaults';
import type { HostArray } from './optimizer';
import { ParallelGradientSource, type StartWorker } from './parallel/leader';
import { writeVariables } from './snapshot';
import { Trainer, type TrainProgress } from './trainer';

/** Gradient workers a caller can start (the CLI: worker threads, src/cli/parallel/). */
export interface ParallelInput {
  /** Realms computing each step, the leader included; default on wasm: min(cores, examples per step). */
  workers?: number;
  cores: number;
  /** Memory the machine can give every realm together (Node: free memory plus this process's). */
  hostMemoryBytes: number;
  start: StartWorker;
  /** Where a worker loads the model from: what the leader loaded (a folder or a .gguf file). */
  modelSource: string;
}

export interface PrepareInput<N extends MethodName = MethodName> {
  model: LoadedModel;
  baseModelId: string;
  method: N;
  /** Changes to the method's default config (e.g. {r: 16}). */
  methodConfig?: Partial<MethodConfigMap[N]>;
  examples: readonly TrainingExample[];
  /** A separate held-out set; when absent, one is split off when there are enough examples. */
  heldOutExamples?: readonly TrainingExample[];
  /** Changes to the one-click settings (steps, epochs, learning rate, seed...). */
  overrides?: Partial<TrainSettings>;
  onProgress?: (progress: TrainProgress) => void;
  /** Passed to the Trainer: awaited between steps (checkpoints). */
  betweenSteps?: () => Promise<void>;
  /** Batch shape policy; by default 'stable' on GPU backends (they compile per shape), else 'tight'. */
  batchShapes?: 'tight' | 'stable';
  /** What the backend can hold; by default the active tfjs backend's (memoryLimitsFor). null: no plan. */
  memoryLimits?: BackendLimits | null;
  /** Warm start: trainable values to begin from (continued training), by NamedVariable key. */
  initialVariables?: Record<string, HostArray>;
  /**
   * Workers this caller can start: on wasm, where one tfjs instance computes on one core, the
   * plan may share each step's micro-batches between several realms. Absent: this realm only.
   */
  parallel?: ParallelInput;
}

export interface PreparedRun {
  adapter: Adapter;
  trainer: Trainer;
  /** How the run fits the backend's memory; null where no plan is made (CPU). */
  memory: FittingPlan | null;
  settings: TrainSettings;
  trainCount: number;
  heldOutCount: number;
  /** Things the user should know: held-out choice, truncations, skipped examples. */
  notes: string[];
  /** Ends the run's gradient workers, if it has any (call when the run ends, however it ends). */
  close(): Promise<void>;
}

/** Everything about a run that needs no tensors: its config, data and settings. */
export interface TrainingPlan<N extends MethodName = MethodName> {
  config: MethodConfigMap[N];
  /** How the run fits the backend's memory (micro-batch, accumulation, recomputation); null: not planned. */
  memory: FittingPlan | null;
  /** When `memory` holds the block weights compact: the float32 plan's refusal (for methods that need float32). */
  float32Refusal: Refusal | null;
  settings: TrainSettings;
  train: ReturnType<typeof fitExamples>;
  heldOut: ReturnType<typeof fitExamples>;
  splitNote: string;
}

/**
 * The one place a run's settings are decided: the method's default config with the user's
 * changes, the held-out split, and the one-click settings for this data with the overrides
 * applied. prepareTraining builds on it; the engine shows it before a run (`train.defaults`).
 */
export function planTraining<N extends MethodName>(
  input: Omit<PrepareInput<N>, 'baseModelId' | 'onProgress' | 'betweenSteps' | 'batchShapes' | 'initialVariables' | 'parallel'> & {
    parallel?: Pick<ParallelInput, 'workers' | 'cores' | 'hostMemoryBytes'>;
  },
): TrainingPlan<N> {
  const { model } = input;
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new TrainingDataError({ key: 'error.training-data.no-tokenizer' });
  if (input.examples.length === 0) throw new TrainingDataError({ key: 'error.training-data.none' });
  const seed = input.overrides?.seed ?? 1;
  const method = getMethod(input.method);
  const config = { ...method.defaultConfig(model.config), ...input.methodConfig } as MethodConfigMap[N];
  method.validate(config, model.config);

  const split = input.heldOutExamples
    ? { train: [...input.examples], heldOut: [...input.heldOutExamples], note: `${input.heldOutExamples.length} held-out examples given.` }
    : splitExamples(input.examples, seed);
  // Methods trained with retrieved demonstrations get them from the training examples only, so a
  // held-out example never sees its own answer (nor does a training example: never itself).
  const k = method.demonstrations?.(config) ?? 0;
  const tokenize = (examples: readonly TrainingExample[]) =>
    k > 0 ? tokenizeWithDemonstrations(tokenizer, examples, split.train, k) : tokenizeExamples(tokenizer, examples);
  const trainTokens = tokenize(split.train);
  const heldOutTokens = tokenize(split.heldOut);

  const contextTokens = model.config.maxPositions - method.virtualTokens(config);
  const stats = dataStats(trainTokens.map((t) => promptWithinLength(t, contextTokens).prompt.length + t.completion.length));
  const settings: TrainSettings = { ...chooseDefaults({ stats, optimizer: method.optimizer, contextTokens }), ...input.overrides };
  if (settings.maxLength > contextTokens) settings.maxLength = contextTokens;
  const { plan: memory, float32Refusal } = fitMemory(input, method, config, settings);
  const train = fitExamples(trainTokens, settings.maxLength);
  if (input.overrides?.warmupSteps === undefined) {
    // The run length may come from the overrides (--steps, --epochs, batch size): size warmup to it.
    const stepsPerEpoch = Math.ceil(Math.ceil(train.examples.length / settings.batchSize) / settings.gradAccumSteps);
    settings.warmupSteps = warmupFor(settings.maxSteps ?? settings.epochs * stepsPerEpoch);
  }
  const heldOut = fitExamples(heldOutTokens, settings.maxLength);
  if (train.examples.length === 0) throw new TrainingDataError({ key: 'error.training-data.none-usable' });
  const splitNote = k > 0 ? `${split.note} ${demonstrationNote(train, k, settings.maxLength)}` : split.note;
  return { config, memory, float32Refusal, settings, train, heldOut, splitNote };
}

/** How many of the K demonstrations the training examples kept (fewer: no similar ones, or no room). */
function demonstrationNote(train: ReturnType<typeof fitExamples>, k: number, maxLength: number): string {
  const mean = train.demonstrations / train.examples.length;
  return `Demonstrations: ${mean.toFixed(2)} of ${k} per training example on average (fewer where no other example is similar or they do not fit ${maxLength} tokens).`;
}

/**
 * The memory plan, made before anything is allocated: when the batch does not fit the backend at
 * once, it is split into micro-batches whose gradients are summed (settings change accordingly);
 * when the float32 block weights leave no room for even one example, they are held compact
 * (16-bit, widened one recomputed block at a time: prepareTraining compacts the model); when not
 * even that fits, TooLargeToTrainError says what to change.
 */
function fitMemory<N extends MethodName>(
  input: Pick<PrepareInput<N>, 'model' | 'memoryLimits'> & { parallel?: Pick<ParallelInput, 'workers' | 'cores' | 'hostMemoryBytes'> },
  method: TuningMethod<N>,
  config: MethodConfigMap[N],
  settings: TrainSettings,
): { plan: FittingPlan | null; float32Refusal: Refusal | null } {
  const limits = input.memoryLimits === undefined ? memoryLimitsFor(tf.getBackend()) : input.memoryLimits;
  if (!limits) return { plan: null, float32Refusal: null };
  const model = input.model.config;
  const batch = settings.batchSize * settings.gradAccumSteps;
  // Several realms only on wasm, where each tfjs instance computes on one core; GPU backends
  // already use the whole device from one.
  const parallel = limits.name === 'wasm' ? input.parallel : undefined;
  const planInput: PlanInput = {
    model,
    trainableParams: method.parameterCount(config, model),
    virtualTokens: method.virtualTokens(config),
    batch,
    length: settings.maxLength,
    ...(parallel ? { workers: parallel.workers ?? Math.min(parallel.cores, batch), hostMemoryBytes: parallel.hostMemoryBytes } : {}),
    bytesPerFrozenWeight: input.model.compact ? 2 : 4,
    limits,
    // On CPU backends throughput hardly depends on the micro-batch, while recomputation costs a
    // forward pass: prefer smaller micro-batches first. GPUs gain from larger ones.
    prefer: limits.name === 'wasm' ? 'no-recompute' : 'largest-micro-batch',
  };
  let plan = planMemory(planInput);
  let float32Refusal: Refusal | null = null;
  // float32 first: compact weights cost a widening per block per pass and a recomputed forward.
  if (!plan.fits && plan.compactWouldFit) {
    float32Refusal = plan;
    plan = planMemory({ ...planInput, bytesPerFrozenWeight: 2 });
  }
  if (!plan.fits) throw new TooLargeToTrainError(plan);
  settings.batchSize = plan.microBatch;
  settings.gradAccumSteps = plan.accumulation;
  return { plan, float32Refusal };
}

/** What a run's forward passes take from its memory plan: recomputation and head chunks. */
export function planForwardOptions(plan: FittingPlan): { recompute: boolean; keepFrozenProducts: boolean; headChunkRows: number } {
  return { recompute: plan.recompute, keepFrozenProducts: plan.keepFrozenProducts, headChunkRows: plan.headChunkRows };
}

/** The run a gradient worker must reproduce: the leader's model, adapter and where a worker loads them from. */
export interface WorkerRun<N extends MethodName = MethodName> {
  model: LoadedModel;
  adapter: Adapter;
  start: StartWorker;
  modelSource: string;
  method: N;
  methodConfig: MethodConfigMap[N];
  baseModelId: string;
  seed: number;
}

/** The plan's gradient workers on the active backend; null when it plans this realm only. */
export function gradientWorkers<N extends MethodName>(plan: FittingPlan, run: WorkerRun<N>): ParallelGradientSource | null {
  if (plan.workers <= 1) return null;
  const forward = planForwardOptions(plan);
  return new ParallelGradientSource({
    forward: { model: run.model, adapter: run.adapter, params: run.adapter.trainable(), ...forward },
    realms: plan.workers,
    start: run.start,
    setup: {
      backend: tf.getBackend(),
      modelSource: run.modelSource,
      compactWeights: plan.compactWeights,
      method: run.method,
      methodConfig: run.methodConfig,
      baseModelId: run.baseModelId,
      seed: run.seed,
      ...forward,
    },
  });
}

export function prepareTraining<N extends MethodName>(input: PrepareInput<N>): PreparedRun {
  const { model } = input;
  const { config, memory, float32Refusal, settings, train, heldOut, splitNote } = planTraining(input);
  const tokenizer = model.tokenizer!;
  // The plan chose compact block weights: the model keeps them compact from here on (a later
  // generation widens them block by block; reloading the model gives float32 back).
  const compacting = memory?.compactWeights === true && !model.compact;
  if (compacting) compactModel(model);
  let adapter: Adapter;
  try {
    adapter = getMethod(input.method).create(config, {
      model: model.config,
      weights: model.weights,
      baseModelId: input.baseModelId,
      seed: settings.seed,
      encode: (text) => tokenizer.encode(text, { addSpecialTokens: false }),
    });
  } catch (error) {
    if (!compacting) throw error;
    expandModel(model);
    // A method that reads the frozen block weights themselves (full fine-tuning, DoRA, …) cannot
    // train on compact ones: the float32 plan's refusal says what to change.
    if (error instanceof TuningConfigError && float32Refusal) throw new TooLargeToTrainError(float32Refusal);
    throw error;
  }
  let workers: ParallelGradientSource | null = null;
  try {
    if (input.initialVariables) writeVariables(adapter.trainable(), input.initialVariables);
    if (memory && input.parallel) {
      workers = gradientWorkers(memory, {
        model,
        adapter,
        start: input.parallel.start,
        modelSource: input.parallel.modelSource,
        method: input.method,
        methodConfig: config,
        baseModelId: input.baseModelId,
        seed: settings.seed,
      });
    }
    const trainer = new Trainer({
      model,
      adapter,
      train: train.examples,
      heldOut: heldOut.examples,
      settings,
      padId: 0,
      onProgress: input.onProgress,
      betweenSteps: input.betweenSteps,
      batchShapes: input.batchShapes ?? batchShapesFor(tf.getBackend()),
      ...(memory ? planForwardOptions(memory) : {}),
      ...(workers ? { gradients: workers } : {}),
    });
    return {
      adapter,
      trainer,
      memory,
      settings,
      trainCount: train.examples.length,
      heldOutCount: heldOut.examples.length,
      notes: [splitNote, ...train.warnings, ...heldOut.warnings.map((w) => `Held-out: ${w}`)],
      close: () => workers?.close() ?? Promise.resolve(),
    };
  } catch (error) {
    void workers?.close();
    adapter.dispose();
    throw error;
  }
}

/** GPU backends compile a program per tensor shape: give them few shapes. */
export function batchShapesFor(backend: string): 'tight' | 'stable' {
  return backend === 'webgpu' || backend === 'webgl' ? 'stable' : 'tight';
}
