// Trainer snapshots: everything needed to continue a run exactly where it stopped, as plain
// structured-cloneable data (numbers, strings, Float32Arrays), so the engine can put it in
// IndexedDB or post it between workers without knowing about tensors.
import * as tf from '@tensorflow/tfjs';
import { SnapshotMismatchError } from '../errors';
import type { MethodName, NamedVariable } from '../types';
import type { TrainSettings } from './defaults';
import { assignHost, type AdamWState, type HostArray } from './optimizer';

export const SNAPSHOT_VERSION = 1;

export interface EvalRecord {
  step: number;
  epoch: number;
  heldOutLoss: number;
}

export interface TrainerSnapshot {
  version: typeof SNAPSHOT_VERSION;
  method: MethodName;
  baseModelId: string;
  settings: TrainSettings;
  /** Optimizer steps completed. */
  step: number;
  /** Current epoch (0-based) and the next micro-batch inside it. */
  epoch: number;
  cursor: number;
  /** State of the generator that draws per-micro-batch dropout seeds. */
  rngState: number;
  variables: Record<string, HostArray>;
  optimizer: AdamWState;
  /** Best held-out loss so far and the adapter values that reached it (early stopping). */
  best: { heldOutLoss: number; variables: Record<string, HostArray> } | null;
  evalsWithoutImprovement: number;
  initialHeldOutLoss: number | null;
  evals: EvalRecord[];
  /** Wall time spent in training steps and real tokens seen, for tokens/s across resumes. */
  trainMs: number;
  tokensSeen: number;
}

export async function readVariables(params: readonly NamedVariable[]): Promise<Record<string, HostArray>> {
  const out: Record<string, HostArray> = {};
  for (const { key, variable } of params) out[key] = { shape: [...variable.shape], data: (await variable.data()) as Float32Array };
  return out;
}

/** Writes host values into the variables, refusing a snapshot from another adapter layout. */
export function writeVariables(params: readonly NamedVariable[], values: Record<string, HostArray>): void {
  const keys = Object.keys(values);
  if (keys.length !== params.length || params.some(({ key }) => !(key in values))) {
    throw new SnapshotMismatchError('it was saved for an adapter with different layers');
  }
  for (const { key, variable } of params) {
    try {
      assignHost(variable, values[key], key);
    } catch {
      throw new SnapshotMismatchError(`"${key}" has another shape in the checkpoint`);
    }
  }
}

/** Device-side copies of the variables (for "last good" and "best" states). */
export function cloneVariables(params: readonly NamedVariable[]): Map<string, tf.Tensor> {
  return new Map(params.map(({ key, variable }) => [key, tf.clone(variable)]));
}

export function assignClones(params: readonly NamedVariable[], clones: ReadonlyMap<string, tf.Tensor>): void {
  for (const { key, variable } of params) {
    const value = clones.get(key);
    if (value) variable.assign(value);
  }
}

export function disposeClones(clones: Map<string, tf.Tensor> | null): void {
  if (!clones) return;
  for (const tensor of clones.values()) tensor.dispose();
  clones.clear();
}
