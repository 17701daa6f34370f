// A run's plan: what it needs to start, or to start again from its checkpoint after the engine
// was closed. The plan lives in the run's IndexedDB record; this file writes and reads it back.
import type { TrainingRunRecord } from '../../../storage/schema';
import { isMethodName } from '../../../tuning/registry';
import type { TrainSettings } from '../../../tuning/train/defaults';
import type { TrainerSnapshot } from '../../../tuning/train/snapshot';
import type { MethodName } from '../../../tuning/types';
import type { ConfigValue, ExampleSelection, LossPoint } from '../../protocol/types';
import { continuationFromRecord, type ContinuationPlan } from './continuation-record';

export interface RunPlan {
  runId: string;
  name: string;
  method: MethodName;
  methodConfig: Record<string, ConfigValue>;
  selection: ExampleSelection;
  /** Examples in the order training saw them (a resumed run must see the same data). */
  exampleIds: string[];
  overrides: Partial<TrainSettings>;
  modelId: string | null;
  startedAt: number;
  checkpoint: TrainerSnapshot | null;
  /** Loss curve up to the checkpoint. */
  curve: LossPoint[];
  /** The run was paused when its checkpoint was written: it comes back paused. */
  paused: boolean;
  /** Continued training of an adapter: its next version (absent: a new adapter). */
  continuation?: ContinuationPlan;
}

/** The record of a run that starts now, with the settings it resolved to. */
export function newRunRecord(plan: RunPlan, model: { id: string; peftBaseId: string }, settings: TrainSettings): TrainingRunRecord {
  return {
    id: plan.runId,
    modelId: model.id,
    method: plan.method,
    status: 'running',
    config: {
      name: plan.name,
      selection: plan.selection,
      exampleIds: plan.exampleIds,
      methodConfig: plan.methodConfig,
      // The full settings, so a resumed run gets exactly the same ones (the snapshot checks it).
      settings,
      baseModelId: model.peftBaseId,
      ...(plan.continuation ? { continuation: plan.continuation } : {}),
    },
    metrics: [],
    startedAt: plan.startedAt,
  };
}

/** Rebuilds the plan of a stored run; null when the record is not one the engine wrote. */
export function planFromRecord(run: TrainingRunRecord): RunPlan | null {
  const c = run.config as Partial<{
    name: string;
    selection: ExampleSelection;
    exampleIds: string[];
    methodConfig: Record<string, ConfigValue>;
    settings: TrainSettings;
  }>;
  if (!c.name || !c.selection || !Array.isArray(c.exampleIds) || !c.settings || !isMethodName(run.method)) return null;
  const continuation = continuationFromRecord((run.config as { continuation?: unknown }).continuation);
  if (continuation === 'unreadable') return null;
  const heldOutByStep = new Map((run.checkpoint?.evals ?? []).map((e) => [e.step, e.heldOutLoss]));
  let heldOut: number | null = run.checkpoint?.initialHeldOutLoss ?? null;
  const curve = (run.checkpoint ? run.metrics.filter((m) => m.step <= run.checkpoint!.step) : []).map((m) => {
    heldOut = heldOutByStep.get(m.step) ?? heldOut;
    return { step: m.step, loss: m.loss, heldOutLoss: heldOut };
  });
  return {
    runId: run.id,
    name: c.name,
    method: run.method,
    methodConfig: c.methodConfig ?? {},
    selection: c.selection,
    exampleIds: c.exampleIds,
    overrides: c.settings,
    modelId: run.modelId,
    startedAt: run.startedAt,
    checkpoint: run.checkpoint ?? null,
    curve,
    paused: run.checkpoint !== undefined && (run.config as { paused?: unknown }).paused === true,
    ...(continuation ? { continuation } : {}),
  };
}

/** A finished run keeps its figures but not its checkpoint (the snapshot is the run's bulk). */
export function withoutCheckpoint(run: TrainingRunRecord): TrainingRunRecord {
  const { checkpoint: _dropped, ...rest } = run;
  return rest;
}
