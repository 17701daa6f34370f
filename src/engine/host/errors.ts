// The engine's own failures, one class each, and the mapping of any thrown error to the
// `{code, message}` a page receives. Messages come from the failing module's error class (model,
// tuning, storage), which already say what the user can do.
import { GenerationAbortedError, InvalidInputError, ModelError } from '../../model/errors';
import { StorageFullError } from '../../storage/errors';
import { AdapterFormatError, AdapterMismatchError, TrainingDataError, TuningConfigError, TuningError, UnknownMethodError } from '../../tuning/errors';
import type { EngineErrorCode, EngineErrorInfo } from '../protocol/types';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No base model is installed (or the active one was removed). */
export class NoModelError extends EngineError {
  constructor() {
    super('no-model', 'No model is installed. Open the Models tab and import or download one.');
  }
}

/** A request names an adapter that is not stored (deleted in another tab). */
export class AdapterNotFoundError extends EngineError {
  constructor(id: string) {
    super('adapter-not-found', `Adapter ${id} no longer exists; reload the adapter list.`);
  }
}

/** The adapter belongs to another base model than the active one. */
export class AdapterModelMismatchError extends EngineError {
  constructor(adapterName: string, modelId: string) {
    super('adapter-mismatch', `"${adapterName}" was trained on another model (${modelId}). Make that model active in the Models tab to use it.`);
  }
}

/** A second run was started while one is active. */
export class TrainingBusyError extends EngineError {
  constructor() {
    super('busy', 'A training run is already going on. Wait for it to finish, or cancel it first.');
  }
}

/** pause/resume/cancel without a run that can take it. */
export class NotRunningError extends EngineError {
  constructor(action: string) {
    super('not-running', `There is no training run to ${action}.`);
  }
}

/** The chosen selection holds no examples. */
export class NoExamplesError extends EngineError {
  constructor(tag: string | null) {
    super('no-examples', tag ? `No examples have the tag "${tag}". Choose another tag or all examples.` : 'There are no examples yet. Capture or import some first.');
  }
}

/** The page cancelled the request (a generation). */
export class RequestCancelledError extends EngineError {
  constructor() {
    super('cancelled', 'Stopped.');
  }
}

/** A merge was asked for an adapter that cannot be merged (soft prompts, tied heads). */
export class NotMergeableError extends EngineError {
  constructor(reason: string) {
    super('not-mergeable', `This adapter cannot be merged: ${reason}. It still works unmerged.`);
  }
}

/**
 * Storage was full when a run's checkpoint was written. Training goes on: a checkpoint only
 * protects against an interruption, and the previous one is still in place.
 */
export class CheckpointNotSavedError extends EngineError {
  constructor(step: number, savedStep: number | null) {
    super(
      'storage-full',
      `Browser storage is full, so the checkpoint at step ${step} was not saved. Training goes on; if it is interrupted, it ${savedStep === null ? 'starts again from the beginning' : `continues from step ${savedStep}`}. Free some space (Dashboard → Settings shows usage) and the next checkpoint is saved.`,
    );
  }
}

/** Storage was full when the trained adapter was saved: the run failed, other adapters are unchanged. */
export class AdapterNotSavedError extends EngineError {
  constructor() {
    super(
      'storage-full',
      'Browser storage is full, so the trained adapter was not saved (your other adapters are unchanged). Delete examples, models or adapters you no longer need (Dashboard → Settings shows usage), then train again.',
    );
  }
}

export function toErrorInfo(error: unknown): EngineErrorInfo {
  if (error instanceof EngineError) return { code: error.code, message: error.message };
  if (error instanceof StorageFullError) return { code: 'storage-full', message: error.message };
  if (error instanceof AdapterMismatchError) return { code: 'adapter-mismatch', message: error.message };
  if (error instanceof AdapterFormatError || error instanceof UnknownMethodError) return { code: 'adapter-mismatch', message: error.message };
  if (error instanceof TrainingDataError) return { code: 'no-examples', message: error.message };
  if (error instanceof TuningConfigError || error instanceof TuningError) return { code: 'training-failed', message: error.message };
  if (error instanceof GenerationAbortedError) return { code: 'cancelled', message: 'Stopped.' };
  if (error instanceof InvalidInputError) return { code: 'malformed', message: error.message };
  if (error instanceof ModelError) return { code: 'no-model', message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
