// The engine's own failures, one class each, and the mapping of any thrown error to the
// ErrorInfo a page receives. Every error of the model, tuning, storage and backend modules is an
// AttuneError and keeps its own code across the Port; anything else is 'internal'.
import { AttuneError, type ErrorInfo, type ErrorKey, type ErrorParams } from '../../errors/attune-error';
import { GenerationAbortedError } from '../../model/errors';

export class EngineError extends AttuneError {
  constructor(key: ErrorKey, params: ErrorParams = {}) {
    super(key, params);
  }
}

/** No base model is installed (or the active one was removed). */
export class NoModelError extends EngineError {
  constructor() {
    super('error.no-model');
  }
}

/** A request names an adapter that is not stored (deleted in another tab). */
export class AdapterNotFoundError extends EngineError {
  constructor(id: string) {
    super('error.adapter-not-found', { id });
  }
}

/** The adapter belongs to another base model than the active one. */
export class AdapterModelMismatchError extends EngineError {
  constructor(adapterName: string, modelId: string) {
    super('error.adapter-mismatch.other-model', { name: adapterName, modelId });
  }
}

/** A second run was started while one is active. */
export class TrainingBusyError extends EngineError {
  constructor() {
    super('error.busy');
  }
}

/** pause/resume/cancel without a run that can take it. */
export class NotRunningError extends EngineError {
  constructor(action: string) {
    super('error.not-running', { action });
  }
}

/** The chosen selection holds no examples. */
export class NoExamplesError extends EngineError {
  constructor(tag: string | null) {
    super(tag ? 'error.no-examples.tag' : 'error.no-examples', tag ? { tag } : {});
  }
}

/** The page cancelled the request (a generation). */
export class RequestCancelledError extends EngineError {
  constructor() {
    super('error.cancelled');
  }
}

/** A merge was asked for an adapter that cannot be merged (soft prompts, tied heads). */
export class NotMergeableError extends EngineError {
  constructor(reason: string) {
    super('error.not-mergeable', { reason });
  }
}

/** A mix was asked for an adapter that is not LoRA (only LoRA updates can be mixed). */
export class NotMixableError extends EngineError {
  constructor(adapterName: string, method: string) {
    super('error.not-mixable', { name: adapterName, method });
  }
}

/**
 * Storage was full when a run's checkpoint was written. Training goes on: a checkpoint only
 * protects against an interruption, and the previous one is still in place.
 */
export class CheckpointNotSavedError extends EngineError {
  constructor(step: number, savedStep: number | null) {
    super(savedStep === null ? 'error.storage-full.checkpoint-none' : 'error.storage-full.checkpoint', savedStep === null ? { step } : { step, savedStep });
  }
}

/** Storage was full when the trained adapter was saved: the run failed, other adapters are unchanged. */
export class AdapterNotSavedError extends EngineError {
  constructor() {
    super('error.storage-full.adapter');
  }
}

export function toErrorInfo(error: unknown): ErrorInfo {
  // A generation stopped by its page reads as the page's own Stop.
  if (error instanceof GenerationAbortedError) return new RequestCancelledError().toInfo();
  if (error instanceof AttuneError) return error.toInfo();
  const detail = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: detail, key: 'error.internal', params: { detail } };
}
