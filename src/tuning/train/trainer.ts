// The training loop, nanoGPT-flat: for each optimizer step, sum gradients over micro-batches,
// guard against NaN/Inf, clip by global norm, AdamW with warmup + cosine, evaluate the held-out
// loss after every epoch, stop early when it stops improving. Only the adapter's own variables are
// updated. Progress goes to a callback; pause/resume/cancel are methods; `snapshot()` returns
// plain data that `restore()` continues from exactly.
import * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../model/model';
import { TrainingDataError, TrainingDivergedError, SnapshotMismatchError } from '../errors';
import { Rng } from '../rng';
import type { Adapter, NamedVariable } from '../types';
import { clipByGlobalNorm, globalNorm } from './clip';
import { disposeBatch, epochBatches, evalBatches, toTensors, type BatchShapes, type EncodedExample, type HostBatch } from './data';
import type { TrainSettings } from './defaults';
import { localGradientSource, nllSum, type ForwardSetup, type GradientSource } from './gradients';
import { AdamW, DEFAULT_ADAMW } from './optimizer';
import { getLr } from './schedule';
import {
  SNAPSHOT_VERSION,
  assignClones,
  cloneVariables,
  disposeClones,
  readVariables,
  writeVariables,
  type EvalRecord,
  type TrainerSnapshot,
} from './snapshot';

export interface TrainProgress {
  /** Optimizer steps completed and planned. */
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean training loss per output token of this step. */
  loss: number;
  lr: number;
  gradNorm: number;
  /** Latest held-out loss (null until the first evaluation, or without a held-out set). */
  heldOutLoss: number | null;
  tokensPerSecond: number;
  etaSeconds: number;
}

export type TrainStatus = 'completed' | 'early-stopped' | 'cancelled' | 'diverged';

export interface TrainResult {
  status: TrainStatus;
  steps: number;
  initialHeldOutLoss: number | null;
  /** Held-out loss of the adapter as left (the best one when early stopping restored it). */
  finalHeldOutLoss: number | null;
  lastTrainLoss: number | null;
  tokensPerSecond: number;
  evals: EvalRecord[];
  /** Set when status is 'diverged': the adapter holds the last good values. */
  error?: TrainingDivergedError;
}

export interface TrainerInit {
  model: LoadedModel;
  adapter: Adapter;
  train: readonly EncodedExample[];
  heldOut: readonly EncodedExample[];
  settings: TrainSettings;
  padId?: number;
  /** 'stable' (few distinct batch shapes) suits GPU backends that compile per shape; default 'tight'. */
  batchShapes?: 'tight' | 'stable';
  onProgress?: (progress: TrainProgress) => void;
  /**
   * Awaited between optimizer steps, after any end-of-epoch evaluation: the one point where
   * `snapshot()` sees a consistent state while the loop waits (the engine checkpoints here).
   */
  betweenSteps?: () => Promise<void>;
  /**
   * Recompute each transformer block in the backward pass instead of keeping its activations
   * (memory-plan.ts decides when a run needs it: it costs about one more forward pass).
   */
  recompute?: boolean;
  /** With `recompute`: keep the blocks' frozen-product outputs for the recomputation (selective; gradients.ts). */
  keepFrozenProducts?: boolean;
  /** Rows projected to the vocabulary at once; default: 32 MiB of float32 logits (loss.ts). */
  headChunkRows?: number;
  /**
   * Where each step's summed gradients come from; default: every micro-batch in this realm
   * (gradients.ts). A parallel source shares the micro-batches out (parallel/leader.ts) and
   * sums them in the same order, so the run's results are the same.
   */
  gradients?: GradientSource;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

export class Trainer {
  private readonly params: NamedVariable[];
  private readonly forward: ForwardSetup;
  private readonly gradients: GradientSource;
  private readonly optimizer: AdamW;
  private readonly rng: Rng;
  private readonly totalSteps: number;
  private readonly microBatchesPerEpoch: number;
  private step = 0;
  private epoch = 0;
  private cursor = 0;
  private batches: HostBatch[] | null = null;
  private evals: EvalRecord[] = [];
  private initialHeldOutLoss: number | null = null;
  private bestHeldOutLoss = Infinity;
  private best: Map<string, tf.Tensor> | null = null;
  private evalsWithoutImprovement = 0;
  private lastGood: Map<string, tf.Tensor> | null = null;
  private lastTrainLoss: number | null = null;
  private trainMs = 0;
  private tokensSeen = 0;
  private paused: { promise: Promise<void>; release: () => void } | null = null;
  private cancelled = false;
  private running = false;

  constructor(private readonly init: TrainerInit) {
    if (init.train.length === 0) throw new TrainingDataError('There are no training examples.');
    this.params = init.adapter.trainable();
    this.forward = { model: init.model, adapter: init.adapter, params: this.params, recompute: init.recompute, keepFrozenProducts: init.keepFrozenProducts, headChunkRows: init.headChunkRows };
    this.gradients = init.gradients ?? localGradientSource(this.forward);
    const { settings } = init;
    this.optimizer = new AdamW(this.params, { ...DEFAULT_ADAMW, weightDecay: settings.weightDecay });
    this.rng = new Rng(settings.seed);
    this.microBatchesPerEpoch = Math.ceil(init.train.length / settings.batchSize);
    const stepsPerEpoch = Math.ceil(this.microBatchesPerEpoch / settings.gradAccumSteps);
    this.totalSteps = settings.maxSteps ?? settings.epochs * stepsPerEpoch;
  }

  get plannedSteps(): number {
    return this.totalSteps;
  }

  // ---- control -----------------------------------------------------------------------------

  /** Stops before the next step until `resume()`. */
  pause(): void {
    if (this.paused) return;
    let release = () => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.paused = { promise, release };
  }

  resume(): void {
    this.paused?.release();
    this.paused = null;
  }

  /** Ends the run after the current step; the adapter keeps what it learned so far. */
  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  // ---- the loop ----------------------------------------------------------------------------

  async run(): Promise<TrainResult> {
    if (this.running) throw new Error('This trainer is already running.');
    this.running = true;
    try {
      return await this.loop();
    } finally {
      this.running = false;
    }
  }

  private async loop(): Promise<TrainResult> {
    if (this.step === 0 && this.cursor === 0 && this.init.heldOut.length > 0 && this.initialHeldOutLoss === null) {
      this.initialHeldOutLoss = await this.evaluate();
    }
    while (this.step < this.totalSteps) {
      await this.waitIfPaused();
      if (this.cancelled) return this.finish('cancelled');
      const micro = this.nextMicroBatches();
      const outcome = await this.trainStep(micro);
      if (outcome === 'diverged') return this.finish('diverged');
      if (this.cursor >= this.microBatchesPerEpoch) {
        const stop = await this.endEpoch();
        if (stop) return this.finish('early-stopped');
      }
    }
    return this.finish('completed');
  }

  private async waitIfPaused(): Promise<void> {
    await this.init.betweenSteps?.();
    // Yield once per step so pause/cancel messages reach us even on a busy worker.
    await new Promise((resolve) => setTimeout(resolve, 0));
    while (this.paused) await this.paused.promise;
  }

  /** The micro-batches of the next optimizer step (never crossing an epoch boundary). */
  private nextMicroBatches(): HostBatch[] {
    const { settings, train, padId } = this.init;
    this.batches ??= epochBatches(train, settings.batchSize, settings.seed, this.epoch, padId ?? 0, this.shapes());
    const end = Math.min(this.cursor + settings.gradAccumSteps, this.batches.length);
    const micro = this.batches.slice(this.cursor, end);
    this.cursor = end;
    return micro;
  }

  private async endEpoch(): Promise<boolean> {
    this.epoch += 1;
    this.cursor = 0;
    this.batches = null;
    if (this.init.heldOut.length === 0) return false;
    const heldOutLoss = await this.evaluate();
    this.evals.push({ step: this.step, epoch: this.epoch, heldOutLoss });
    if (heldOutLoss < this.bestHeldOutLoss) {
      this.bestHeldOutLoss = heldOutLoss;
      disposeClones(this.best);
      this.best = cloneVariables(this.params);
      this.evalsWithoutImprovement = 0;
      return false;
    }
    this.evalsWithoutImprovement += 1;
    const patience = this.init.settings.earlyStoppingPatience;
    return patience > 0 && this.evalsWithoutImprovement >= patience;
  }

  private async trainStep(micro: HostBatch[]): Promise<'ok' | 'diverged'> {
    const started = this.now();
    const lossTokens = Math.max(1, micro.reduce((sum, b) => sum + b.lossTokens, 0));
    // One dropout seed per micro-batch, in micro-batch order, whoever computes it.
    const seeds = micro.map(() => this.rng.seed());
    const { loss, grads } = await this.gradients.compute({ micro, seeds, lossTokens });
    const norm = globalNorm(grads.values());
    const [lossValue, normValue] = (await readScalars(loss, norm)) as [number, number];
    if (!Number.isFinite(lossValue) || !Number.isFinite(normValue)) {
      disposeAll(grads);
      // The current values produced a non-finite loss: go back to the values before the last update.
      if (this.lastGood) assignClones(this.params, this.lastGood);
      return 'diverged';
    }
    const lr = getLr(this.step, this.schedule());
    disposeClones(this.lastGood);
    this.lastGood = cloneVariables(this.params);
    const clipped = clipByGlobalNorm(grads, normValue, this.init.settings.maxGradNorm);
    this.optimizer.step(clipped, lr);
    disposeAll(grads);
    disposeAll(clipped);
    this.step += 1;
    this.lastTrainLoss = lossValue;
    this.trainMs += this.now() - started;
    this.tokensSeen += micro.reduce((sum, b) => sum + b.tokens, 0);
    this.report(lossValue, lr, normValue);
    return 'ok';
  }

  /** Mean held-out loss per output token, adapter in inference mode (no dropout). */
  async evaluate(): Promise<number> {
    const { heldOut, settings, padId } = this.init;
    let total = 0;
    let tokens = 0;
    for (const batch of evalBatches(heldOut, settings.batchSize, padId ?? 0, this.shapes())) {
      const tensors = toTensors(batch);
      const sum = tf.tidy(() => nllSum(this.forward, tensors, false, 0));
      disposeBatch(tensors);
      total += (await sum.data())[0]!;
      sum.dispose();
      tokens += batch.lossTokens;
    }
    return tokens === 0 ? NaN : total / tokens;
  }

  private shapes(): BatchShapes {
    const { settings } = this.init;
    return this.init.batchShapes === 'stable' ? { kind: 'stable', rows: settings.batchSize, maxWidth: settings.maxLength } : { kind: 'tight' };
  }

  private schedule() {
    const { settings } = this.init;
    return { maxLr: settings.lr, minLr: settings.minLr, warmupSteps: settings.warmupSteps, decaySteps: this.totalSteps };
  }

  private report(loss: number, lr: number, gradNorm: number): void {
    const seconds = this.trainMs / 1000;
    const perStep = seconds / Math.max(1, this.step);
    this.init.onProgress?.({
      step: this.step,
      totalSteps: this.totalSteps,
      epoch: this.epoch,
      loss,
      lr,
      gradNorm,
      heldOutLoss: this.evals.at(-1)?.heldOutLoss ?? this.initialHeldOutLoss,
      tokensPerSecond: seconds > 0 ? this.tokensSeen / seconds : 0,
      etaSeconds: perStep * (this.totalSteps - this.step),
    });
  }

  private async finish(status: TrainStatus): Promise<TrainResult> {
    let finalHeldOutLoss = this.evals.at(-1)?.heldOutLoss ?? null;
    if (status !== 'diverged' && this.init.heldOut.length > 0) {
      if (this.best && this.bestHeldOutLoss < (finalHeldOutLoss ?? Infinity)) {
        assignClones(this.params, this.best); // early stopping keeps the best adapter, not the last
        finalHeldOutLoss = this.bestHeldOutLoss;
      } else if (finalHeldOutLoss === null || this.cursor > 0) {
        finalHeldOutLoss = await this.evaluate(); // ended mid-epoch: measure what we hand back
      }
    }
    const result: TrainResult = {
      status,
      steps: this.step,
      initialHeldOutLoss: this.initialHeldOutLoss,
      finalHeldOutLoss,
      lastTrainLoss: this.lastTrainLoss,
      tokensPerSecond: this.trainMs > 0 ? this.tokensSeen / (this.trainMs / 1000) : 0,
      evals: [...this.evals],
    };
    if (status === 'diverged') result.error = new TrainingDivergedError(this.step + 1);
    return result;
  }

  // ---- snapshots ---------------------------------------------------------------------------

  /** Plain data to continue this run later (call between steps, e.g. while paused). */
  async snapshot(): Promise<TrainerSnapshot> {
    const { adapter, settings } = this.init;
    return {
      version: SNAPSHOT_VERSION,
      method: adapter.method,
      baseModelId: adapter.baseModelId,
      settings: { ...settings },
      step: this.step,
      epoch: this.epoch,
      cursor: this.cursor,
      rngState: this.rng.getState(),
      variables: await readVariables(this.params),
      optimizer: await this.optimizer.getState(),
      best: this.best ? { heldOutLoss: this.bestHeldOutLoss, variables: await readClones(this.best) } : null,
      evalsWithoutImprovement: this.evalsWithoutImprovement,
      initialHeldOutLoss: this.initialHeldOutLoss,
      evals: [...this.evals],
      trainMs: this.trainMs,
      tokensSeen: this.tokensSeen,
    };
  }

  /** Continues from a snapshot of the same adapter layout, data and settings. */
  restore(snapshot: TrainerSnapshot): void {
    const { adapter, settings } = this.init;
    if (snapshot.version !== SNAPSHOT_VERSION) throw new SnapshotMismatchError(`it has format version ${snapshot.version}`);
    if (snapshot.method !== adapter.method) throw new SnapshotMismatchError(`it trains ${snapshot.method}, not ${adapter.method}`);
    if (snapshot.baseModelId !== adapter.baseModelId) throw new SnapshotMismatchError(`it was made for model "${snapshot.baseModelId}"`);
    if (JSON.stringify(snapshot.settings) !== JSON.stringify(settings)) {
      throw new SnapshotMismatchError('its training settings differ from this run');
    }
    writeVariables(this.params, snapshot.variables);
    this.optimizer.setState(snapshot.optimizer);
    this.step = snapshot.step;
    this.epoch = snapshot.epoch;
    this.cursor = snapshot.cursor;
    this.batches = null;
    this.rng.setState(snapshot.rngState);
    disposeClones(this.best);
    this.best = null;
    this.bestHeldOutLoss = Infinity;
    if (snapshot.best) {
      this.best = new Map(Object.entries(snapshot.best.variables).map(([key, host]) => [key, tf.tensor(host.data, host.shape)]));
      this.bestHeldOutLoss = snapshot.best.heldOutLoss;
    }
    this.evalsWithoutImprovement = snapshot.evalsWithoutImprovement;
    this.initialHeldOutLoss = snapshot.initialHeldOutLoss;
    this.evals = [...snapshot.evals];
    this.trainMs = snapshot.trainMs;
    this.tokensSeen = snapshot.tokensSeen;
  }

  /** Frees the optimizer moments and saved states (not the adapter or the model). */
  dispose(): void {
    this.optimizer.dispose();
    disposeClones(this.best);
    disposeClones(this.lastGood);
    this.best = null;
    this.lastGood = null;
  }

  private now(): number {
    return (this.init.now ?? (() => performance.now()))();
  }
}

async function readScalars(...scalars: tf.Scalar[]): Promise<number[]> {
  const stacked = tf.stack(scalars);
  const values = Array.from(await stacked.data());
  stacked.dispose();
  for (const scalar of scalars) scalar.dispose();
  return values;
}

async function readClones(clones: Map<string, tf.Tensor>): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [key, tensor] of clones) out[key] = { shape: [...tensor.shape], data: (await tensor.data()) as Float32Array };
  return out;
}

function disposeAll(tensors: Map<string, tf.Tensor>): void {
  for (const tensor of tensors.values()) tensor.dispose();
}
