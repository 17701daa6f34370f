// One error class per failure a tuning user can meet. The wording lives in the error catalogue
// (src/i18n/errors.ts); details that come from a file or a validator (a field name, a reason)
// travel as parameters.
import { AttuneError, type ErrorKey, type ErrorParams } from '../errors/attune-error';
import type { Refusal } from './train/memory-plan';

/** Any tuning failure: callers that only need "tuning failed" test for this. */
export class TuningError extends AttuneError {
  constructor(key: ErrorKey, params: ErrorParams = {}) {
    super(key, params);
  }
}

/** A method config value is out of range or of the wrong type; `field` names it. */
export class TuningConfigError extends TuningError {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super('error.tuning-config', { field, detail });
  }
}

/** A part of the model a method was asked to train that this model family does not have (biases in Llama). */
export class MissingModelPartError extends TuningError {
  readonly field = 'parts';
  constructor(
    readonly part: string,
    family: string,
    available: readonly string[],
  ) {
    super('error.tuning-config.missing-part', { part, family, available: available.join(', ') });
  }
}

/**
 * A method name (or an adapter's PEFT type) that no registered method has. The caller passes the
 * known names, read from the registry, so the message never goes stale.
 */
export class UnknownMethodError extends TuningError {
  constructor(
    readonly method: string,
    known: readonly string[],
    kind: 'method' | 'peft-type' = 'method',
  ) {
    super(kind === 'method' ? 'error.unknown-method' : 'error.unknown-peft-type', kind === 'method' ? { method, known: known.join(', ') } : { peftType: method, known: known.join(', ') });
  }
}

/** The adapter was made for another base model (ids, shapes or vocabulary differ). */
export class AdapterMismatchError extends TuningError {
  constructor(readonly reason: string) {
    super('error.adapter-mismatch', { reason });
  }
}

/** The adapter files are unreadable or inconsistent. */
export class AdapterFormatError extends TuningError {
  constructor(readonly reason: string) {
    // A reason that is a whole sentence already says what to do.
    super(/[.!?]$/.test(reason) ? 'error.adapter-format.complete' : 'error.adapter-format', { reason });
  }
}

/** The examples cannot be trained on (none, none usable, unreadable). */
export class TrainingDataError extends TuningError {
  constructor(detail: string | { key: ErrorKey; params?: ErrorParams }) {
    if (typeof detail === 'string') super('error.training-data', { detail });
    else super(detail.key, detail.params);
  }
}

/**
 * The memory plan found that the run cannot fit the backend even one example at a time; raised
 * before anything is allocated, so nothing aborts and nothing is lost.
 */
export class TooLargeToTrainError extends TuningError {
  constructor(readonly plan: Refusal) {
    super(...tooLargeWording(plan));
  }
}

function tooLargeWording(plan: Refusal): [ErrorKey, ErrorParams] {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  const common = { backend: plan.backend, usable: gib(plan.usableBytes), needed: gib(plan.estimatedPeakBytes) };
  if (plan.reason === 'buffer-too-large') {
    return ['error.too-large-to-train.buffer', { ...common, largest: gib(plan.largestBufferBytes ?? 0), limit: gib(plan.maxBufferBytes ?? 0) }];
  }
  if (plan.reason === 'weights-exceed-budget') return ['error.too-large-to-train.weights', { ...common, fixed: gib(plan.fixedBytes) }];
  if (plan.lengthThatFits > 0) return ['error.too-large-to-train.length', { ...common, length: plan.length, fits: plan.lengthThatFits }];
  return ['error.too-large-to-train.model', common];
}

/** The loss became NaN or infinite; the last good adapter is kept. */
export class TrainingDivergedError extends TuningError {
  constructor(readonly step: number) {
    super('error.training-diverged', { step });
  }
}

/**
 * A realm computing part of each step's gradients (a worker thread) failed or exited: the run
 * ends, every worker is stopped, and `detail` says what the worker met (its own error's message).
 */
export class TrainingWorkerError extends TuningError {
  constructor(
    readonly worker: number,
    readonly detail: string,
  ) {
    super('error.training-worker', { worker, detail: detail.replace(/\s*\n\s*/g, ' ') });
  }
}

/** A checkpoint does not belong to this run's settings, data or model. */
export class SnapshotMismatchError extends TuningError {
  constructor(readonly reason: string) {
    super('error.snapshot-mismatch', { reason });
  }
}
