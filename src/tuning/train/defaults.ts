// One-click settings: chosen from how many examples there are and how long they are, so pressing
// "Train" gives a good adapter without anyone knowing what a learning rate is. Every value can be
// overridden; the reasoning for each is next to it.
import type { MethodOptimizerDefaults } from '../types';
import type { DataStats } from './data';

export interface TrainSettings {
  /** Passes over the training set (ignored when maxSteps is set). */
  epochs: number;
  /** Stop after this many optimizer steps instead of counting epochs. */
  maxSteps: number | null;
  batchSize: number;
  /** Micro-batches summed into one optimizer step. */
  gradAccumSteps: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  /** Longest example in tokens (prompt + output); longer ones are truncated. */
  maxLength: number;
  /** Stop when the held-out loss has not improved for this many evaluations (0: never). */
  earlyStoppingPatience: number;
  seed: number;
}

export interface DefaultsInput {
  stats: DataStats;
  /** The method's own optimizer settings (learning rate, floor, weight decay). */
  optimizer: MethodOptimizerDefaults;
  /** Context the examples may use: the model's positions minus virtual tokens. */
  contextTokens: number;
}

/** Tokens one micro-batch should hold: big enough to use the hardware, small enough for memory. */
const TARGET_BATCH_TOKENS = 2048;
/** Optimizer steps a run aims for: enough to fit small data, not so many that it memorises. */
const TARGET_STEPS = 120;

export function chooseDefaults({ stats, optimizer, contextTokens }: DefaultsInput): TrainSettings {
  const maxLength = Math.max(8, Math.min(contextTokens, 512, roundUp(stats.p95Tokens * 1.1, 8)));
  const typical = Math.max(1, Math.min(stats.meanTokens, maxLength));
  // At least ~4 steps per epoch so small datasets still get many updates.
  const batchSize = clamp(Math.floor(TARGET_BATCH_TOKENS / typical), 1, Math.min(16, Math.max(1, Math.floor(stats.count / 4))));
  const stepsPerEpoch = Math.max(1, Math.ceil(stats.count / batchSize));
  // Few examples -> more passes (each pass is short); many -> fewer (each pass already teaches a lot).
  const epochs = clamp(Math.round(TARGET_STEPS / stepsPerEpoch), 2, 10);
  const totalSteps = epochs * stepsPerEpoch;
  return {
    epochs,
    maxSteps: null,
    batchSize,
    gradAccumSteps: 1,
    lr: optimizer.lr,
    minLr: optimizer.minLr,
    warmupSteps: warmupFor(totalSteps),
    weightDecay: optimizer.weightDecay,
    maxGradNorm: 1,
    maxLength,
    earlyStoppingPatience: 2,
    seed: 1,
  };
}

/** Warmup length for a run of `totalSteps` optimizer steps: 6 %, between 1 and 50. */
export function warmupFor(totalSteps: number): number {
  return clamp(Math.round(totalSteps * 0.06), 1, 50);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
