// The run lifecycle, one run at a time: start, pause, resume, cancel; streams the run's state to
// every page that watches, writes checkpoints when due (checkpoints.ts), continues an unfinished
// run after a restart (run-plan.ts), and at the end saves the adapter with its metrics and the
// base-vs-tuned comparison (comparison.ts), or, for a method whose result is a whole model, stores
// that model with the model source (trained-model.ts).
import type { AttuneDb } from '../../../storage/db';
import { listAdapters } from '../../../storage/adapters-repo';
import { StorageFullError } from '../../../storage/errors';
import { listTrainingRuns, saveTrainingRun, updateTrainingRun } from '../../../storage/training-runs-repo';
import { getMethod, METHOD_NAMES } from '../../../tuning/registry';
import type { TrainingExample } from '../../../tuning/train/data';
import { planTraining, prepareTraining, type PreparedRun } from '../../../tuning/train/prepare';
import type { TrainProgress, TrainResult } from '../../../tuning/train/trainer';
import type { MethodConfigMap, MethodName } from '../../../tuning/types';
import { adapterRecordFrom } from '../adapters';
import { AdapterNotSavedError, CheckpointNotSavedError, EngineError, NoExamplesError, NotRunningError, TrainingBusyError, toErrorInfo } from '../errors';
import type { ActiveModel, ModelCache } from '../models';
import { continuationSummary, planContinuation } from './continuation';
import { saveRunVersion } from './version-save';
import { checkWarmStart, warmStartFor } from './warm-start';
import {
  idleTrainState,
  isActivePhase,
  type ConfigValue,
  type ExampleSelection,
  type LossPoint,
  type TrainDefaults,
  type TrainDefaultsPayload,
  type TrainStartPayload,
  type TrainState,
} from '../../protocol/types';
import { isCheckpointDue, type CheckpointPolicy } from './checkpoints';
import { compareOnHeldOut, comparisonExamples, comparisonPool } from './comparison';
import { examplesById, selectExamples } from './example-selection';
import { measuredSpeeds, methodEstimate } from './method-estimates';
import { newRunRecord, planFromRecord, withoutCheckpoint, type RunPlan } from './run-plan';
import { makesModel, saveTrainedModel } from './trained-model';

export interface TrainDeps {
  db: () => Promise<AttuneDb>;
  models: ModelCache;
  now: () => number;
  newId: () => string;
  checkpoints: CheckpointPolicy;
  /** Told when an adapter was saved (caches of stale adapters can go). */
  onAdapterSaved?: (adapterId: string) => void;
}

type Listener = (state: TrainState) => void;

export class TrainController {
  private state: TrainState = idleTrainState();
  private readonly listeners = new Set<Listener>();
  private prepared: PreparedRun | null = null;
  private cancelRequested = false;
  private lastCheckpoint = { step: 0, at: 0 };
  private finished: Promise<TrainState> | null = null;
  /** Set while resumeUnfinished() is still reading the run records (before the run launches). */
  private pendingResume: Promise<void> | null = null;

  constructor(private readonly deps: TrainDeps) {}

  status(): TrainState {
    return structuredClone(this.state);
  }

  /** Calls `listener` with every new state until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the final state of the current run (at once when none is active). A page that
   * asks while an interrupted run is being looked up at engine start waits for that run.
   */
  async whenDone(): Promise<TrainState> {
    if (this.pendingResume) await this.pendingResume;
    return this.finished ?? this.status();
  }

  /** Starts a run; resolves with its final state. Throws TrainingBusyError while one is active. */
  async start(payload: TrainStartPayload): Promise<TrainState> {
    if (this.pendingResume) await this.pendingResume; // an interrupted run comes first
    if (isActivePhase(this.state.phase)) throw new TrainingBusyError();
    const db = await this.deps.db();
    const continuation = payload.continueAdapterId
      ? await planContinuation(db, payload.continueAdapterId, payload.examples, payload.overrides?.seed ?? 1, payload.replayExamples)
      : null;
    const exampleIds = continuation ? [...continuation.newIds, ...continuation.replayIds] : (await selectExamples(db, payload.examples)).map((e) => e.id);
    if (exampleIds.length === 0) throw new NoExamplesError(payload.examples.kind === 'tag' ? payload.examples.tag : null);
    // Checked again after the reads: a second page's Train that arrived meanwhile may have launched.
    if (isActivePhase(this.state.phase)) throw new TrainingBusyError();
    const startedAt = this.deps.now();
    return this.launch({
      runId: this.deps.newId(),
      // A continued run keeps the adapter's name, method and config (its weights are the start).
      name: continuation?.name ?? (payload.name?.trim() || defaultAdapterName(payload.method, startedAt)),
      method: continuation?.method ?? payload.method,
      methodConfig: continuation ? {} : (payload.methodConfig ?? {}),
      selection: payload.examples,
      exampleIds,
      overrides: payload.overrides ?? {},
      modelId: null,
      startedAt,
      checkpoint: null,
      curve: [],
      paused: false,
      ...(continuation ? { continuation } : {}),
    });
  }

  /** What a run on this selection would use when the user changes nothing. */
  async defaults(selection: ExampleSelection, method: MethodName, continuing: Pick<TrainDefaultsPayload, 'continueAdapterId' | 'replayExamples'> = {}): Promise<TrainDefaults> {
    const db = await this.deps.db();
    // Continuing: the settings are chosen for the new + replayed examples it would train on.
    const continuation = continuing.continueAdapterId ? await planContinuation(db, continuing.continueAdapterId, selection, 1, continuing.replayExamples) : null;
    const examples = continuation ? await examplesById(db, [...continuation.newIds, ...continuation.replayIds]) : await selectExamples(db, selection);
    const heldOutExamples = continuation ? await examplesById(db, continuation.heldOutIds) : undefined;
    if (examples.length === 0) throw new NoExamplesError(selection.kind === 'tag' ? selection.tag : null);
    return this.deps.models.use(async (active) => {
      const { model } = active;
      if (!model.tokenizer) throw new EngineError('error.training-data.no-tokenizer');
      if (continuation) await checkWarmStart(db, continuation.adapterId, active);
      const plan = planTraining({ model, method: continuation?.method ?? method, examples, ...(heldOutExamples ? { heldOutExamples } : {}) });
      const speeds = measuredSpeeds(await listAdapters(db, active.id));
      const estimates = METHOD_NAMES.map((name) => methodEstimate(model, name, examples, speeds.get(name) ?? null));
      return {
        settings: plan.settings,
        methodConfig: plan.config as unknown as Record<string, ConfigValue>,
        exampleCount: examples.length,
        memory: plan.memory,
        estimates,
        ...(continuation ? { continuation: continuationSummary(continuation) } : {}),
      };
    });
  }

  /** After a restart: continues the newest run still marked running, from its last checkpoint. */
  async resumeUnfinished(): Promise<TrainState | null> {
    if (isActivePhase(this.state.phase) || this.pendingResume) return null;
    let looked!: () => void;
    this.pendingResume = new Promise<void>((resolve) => (looked = resolve));
    try {
      const plan = await this.unfinishedPlan();
      // Launched before the waiters are released, so they find the run.
      return plan && !isActivePhase(this.state.phase) ? this.launch(plan) : null;
    } finally {
      this.pendingResume = null;
      looked();
    }
  }

  /** The interrupted run's plan, or null; an unreadable record is marked failed. */
  private async unfinishedPlan(): Promise<RunPlan | null> {
    const db = await this.deps.db();
    const unfinished = (await listTrainingRuns(db)).find((run) => run.status === 'running');
    if (!unfinished) return null;
    const plan = planFromRecord(unfinished);
    if (!plan) {
      await updateTrainingRun(db, unfinished.id, (r) => ({ ...r, status: 'failed', error: 'The run record is unreadable.', finishedAt: this.deps.now() }));
    }
    return plan;
  }

  pause(): TrainState {
    if (this.state.phase !== 'running' || !this.prepared) throw new NotRunningError('pause');
    this.prepared.trainer.pause();
    this.update({ phase: 'paused' });
    return this.status();
  }

  resume(): TrainState {
    if (this.state.phase !== 'paused' || !this.prepared) throw new NotRunningError('resume');
    this.prepared.trainer.resume();
    this.update({ phase: 'running' });
    return this.status();
  }

  cancel(): TrainState {
    if (!isActivePhase(this.state.phase)) throw new NotRunningError('cancel');
    this.cancelRequested = true;
    this.prepared?.trainer.cancel();
    return this.status();
  }

  // ---- one run ---------------------------------------------------------------------------------

  private launch(plan: RunPlan): Promise<TrainState> {
    this.cancelRequested = false;
    this.state = {
      ...idleTrainState(),
      phase: 'loading',
      runId: plan.runId,
      method: plan.method,
      curve: [...plan.curve],
      resumedFromStep: plan.checkpoint ? plan.checkpoint.step : null,
      checkpointStep: plan.checkpoint ? plan.checkpoint.step : null,
      ...(plan.continuation ? { continuation: continuationSummary(plan.continuation) } : {}),
    };
    this.emit();
    const finished = this.execute(plan).finally(() => {
      if (this.finished === finished) this.finished = null;
    });
    this.finished = finished;
    return finished;
  }

  private async execute(plan: RunPlan): Promise<TrainState> {
    const db = await this.deps.db();
    try {
      return await this.deps.models.use(async (active) => {
        const examples = await examplesById(db, plan.exampleIds);
        const warm = plan.continuation ? await warmStartFor(db, plan.continuation, active) : null;
        const prepared = prepareTraining({
          model: active.model,
          baseModelId: active.peftBaseId,
          method: plan.method,
          methodConfig: (warm?.config ?? plan.methodConfig) as Partial<MethodConfigMap[MethodName]>,
          examples,
          ...(warm ? { heldOutExamples: warm.heldOut, initialVariables: warm.variables } : {}),
          overrides: plan.overrides,
          onProgress: (progress) => this.onProgress(progress),
          betweenSteps: () => this.betweenSteps(db),
        });
        this.prepared = prepared;
        try {
          if (plan.checkpoint) prepared.trainer.restore(plan.checkpoint);
          else await saveTrainingRun(db, newRunRecord(plan, active, prepared.settings));
          this.lastCheckpoint = { step: plan.checkpoint?.step ?? 0, at: this.deps.now() };
          this.update({
            phase: 'running',
            modelId: active.id,
            step: plan.checkpoint?.step ?? 0,
            totalSteps: prepared.trainer.plannedSteps,
            trainCount: prepared.trainCount,
            heldOutCount: prepared.heldOutCount,
            notes: prepared.notes,
          });
          if (plan.paused) {
            prepared.trainer.pause();
            this.update({ phase: 'paused' });
          }
          if (this.cancelRequested) prepared.trainer.cancel();
          const result = await prepared.trainer.run();
          return await this.finish(db, plan, active, prepared, examples, result);
        } finally {
          this.prepared = null;
          prepared.trainer.dispose();
          prepared.adapter.dispose();
        }
      }, plan.modelId ?? undefined);
    } catch (error) {
      return this.fail(db, plan.runId, error);
    }
  }

  private onProgress(progress: TrainProgress): void {
    const point: LossPoint = { step: progress.step, loss: progress.loss, heldOutLoss: progress.heldOutLoss };
    this.update({
      step: progress.step,
      totalSteps: progress.totalSteps,
      loss: progress.loss,
      heldOutLoss: progress.heldOutLoss,
      tokensPerSecond: progress.tokensPerSecond,
      etaSeconds: progress.etaSeconds,
      curve: [...this.state.curve.filter((p) => p.step < progress.step), point],
    });
  }

  /** The trainer's safe point between steps: write a checkpoint when one is due. */
  private async betweenSteps(db: AttuneDb): Promise<void> {
    const step = this.state.step;
    const prepared = this.prepared;
    if (!prepared || this.cancelRequested) return;
    if (!isCheckpointDue(this.deps.checkpoints, this.lastCheckpoint, step, this.deps.now(), this.state.phase === 'paused')) return;
    const snapshot = await prepared.trainer.snapshot();
    const metrics = this.state.curve.map(({ step: s, loss }) => ({ step: s, loss }));
    const paused = this.state.phase === 'paused';
    try {
      await updateTrainingRun(db, this.state.runId!, (run) => ({ ...run, checkpoint: snapshot, metrics, config: { ...run.config, paused } }));
    } catch (error) {
      if (!(error instanceof StorageFullError)) throw error;
      // The refused write changed nothing, so the previous checkpoint is still there. Stopping
      // would throw away the training done since; go on, say so, and try again when next due.
      this.lastCheckpoint = { step, at: this.deps.now() };
      this.update({ checkpointError: toErrorInfo(new CheckpointNotSavedError(step, this.state.checkpointStep)) });
      return;
    }
    this.lastCheckpoint = { step, at: this.deps.now() };
    this.update({ checkpointStep: step, checkpointError: null });
  }

  private async finish(
    db: AttuneDb,
    plan: RunPlan,
    active: ActiveModel,
    prepared: PreparedRun,
    examples: TrainingExample[],
    result: TrainResult,
  ): Promise<TrainState> {
    const metrics = this.state.curve.map(({ step, loss }) => ({ step, loss }));
    if (result.status === 'diverged' || result.status === 'cancelled') {
      const status = result.status === 'cancelled' ? 'cancelled' : 'failed';
      await updateTrainingRun(db, plan.runId, (run) => withoutCheckpoint({ ...run, status, metrics, finishedAt: this.deps.now(), ...(result.error ? { error: result.error.message } : {}) }));
      this.update({ phase: status, error: result.error ? toErrorInfo(result.error) : null, etaSeconds: null });
      return this.status();
    }
    this.update({ phase: 'saving', etaSeconds: null });
    const seed = prepared.settings.seed;
    const samples = await compareOnHeldOut(active, prepared.adapter, comparisonExamples(examples, seed), comparisonPool(examples, seed));
    const summary = {
      status: result.status,
      steps: result.steps,
      heldOutLossBefore: result.initialHeldOutLoss,
      heldOutLossAfter: result.finalHeldOutLoss,
      lastTrainLoss: result.lastTrainLoss,
      tokensPerSecond: result.tokensPerSecond,
      trainableParameters: prepared.adapter.parameterCount(),
      samples,
    };
    const method = getMethod(plan.method);
    if (makesModel(method)) {
      const savedModel = await saveTrainedModel(this.deps.models, active, method, prepared.adapter, {
        // A name the person typed; the default run name gives way to one after the base model.
        ...(plan.name !== defaultAdapterName(plan.method, plan.startedAt) ? { name: plan.name } : {}),
        trainedFrom: {
          baseModelId: active.id,
          method: plan.method,
          runId: plan.runId,
          trainExamples: prepared.trainCount,
          heldOutExamples: prepared.heldOutCount,
          heldOutLossBefore: summary.heldOutLossBefore,
          heldOutLossAfter: summary.heldOutLossAfter,
        },
      });
      await updateTrainingRun(db, plan.runId, (run) => withoutCheckpoint({ ...run, status: 'completed', resultModelId: savedModel.id, metrics, finishedAt: this.deps.now() }));
      this.update({ phase: 'completed', savedModel, summary });
      return this.status();
    }
    const adapterId = plan.continuation?.adapterId ?? this.deps.newId();
    const record = await adapterRecordFrom(prepared.adapter, {
      id: adapterId,
      name: plan.name,
      modelId: active.id,
      now: this.deps.now(),
      metrics: {
        heldOutLossBefore: summary.heldOutLossBefore,
        heldOutLossAfter: summary.heldOutLossAfter,
        lastTrainLoss: summary.lastTrainLoss,
        steps: summary.steps,
        tokensPerSecond: summary.tokensPerSecond,
        trainExamples: prepared.trainCount,
        heldOutExamples: prepared.heldOutCount,
        runId: plan.runId,
      },
    });
    await saveRunVersion(db, plan, record, seed, this.deps.now()).catch((error: unknown) => {
      throw error instanceof StorageFullError ? new AdapterNotSavedError() : error;
    });
    await updateTrainingRun(db, plan.runId, (run) => withoutCheckpoint({ ...run, status: 'completed', adapterId, metrics, finishedAt: this.deps.now() }));
    this.deps.onAdapterSaved?.(adapterId);
    this.update({ phase: 'completed', adapterId, summary });
    return this.status();
  }

  private async fail(db: AttuneDb, runId: string, error: unknown): Promise<TrainState> {
    const info = toErrorInfo(error);
    await updateTrainingRun(db, runId, (run) => withoutCheckpoint({ ...run, status: 'failed', error: info.message, finishedAt: this.deps.now() })).catch(() => undefined);
    this.update({ phase: 'failed', error: info, etaSeconds: null });
    return this.status();
  }

  private update(change: Partial<TrainState>): void {
    this.state = { ...this.state, ...change };
    this.emit();
  }

  private emit(): void {
    const state = this.status();
    for (const listener of this.listeners) listener(state);
  }
}

/** "LoRA 2026-12-07 12:30": the method's label and the start time, until the person renames it. */
function defaultAdapterName(method: MethodName, now: number): string {
  const stamp = new Date(now).toISOString().slice(0, 16).replace('T', ' ');
  return `${getMethod(method).text.en.label} ${stamp}`;
}
