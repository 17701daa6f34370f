// One error class per failure a user or caller can meet while loading or running a model. The
// wording lives in the error catalogue (src/i18n/errors.ts) under each class's key; the fields
// stay on the instance for callers that act on them.
import { AttuneError, type ErrorKey, type ErrorParams } from '../errors/attune-error';

/** Any failure of the model: callers that only need "the model failed" test for this. */
export class ModelError extends AttuneError {
  constructor(key: ErrorKey, params: ErrorParams = {}) {
    super(key, params);
  }
}

/** A model file is there but unreadable (bad header, truncated, wrong type). */
export class CorruptModelFileError extends ModelError {
  constructor(
    readonly fileName: string,
    detail: string,
  ) {
    super('error.model-file-corrupt', { file: fileName, detail });
  }
}

/** A file the model needs is absent. `hint` says where it should come from. */
export class MissingModelFileError extends ModelError {
  constructor(readonly fileName: string, hint?: string) {
    super(hint ? 'error.model-file-missing.hint' : 'error.model-file-missing', hint ? { file: fileName, hint } : { file: fileName });
  }
}

/** The model folder itself does not exist. */
export class ModelNotFoundError extends ModelError {
  constructor(
    readonly path: string,
    hint: string,
  ) {
    super('error.model-folder-missing', { path, hint });
  }
}

export class MissingTensorError extends ModelError {
  constructor(
    readonly tensorName: string,
    readonly expectedShape: readonly number[],
  ) {
    super('error.tensor-missing', { tensor: tensorName, expected: expectedShape.join(', ') });
  }
}

export class UnexpectedTensorError extends ModelError {
  constructor(readonly tensorName: string) {
    super('error.tensor-unexpected', { tensor: tensorName });
  }
}

export class TensorShapeError extends ModelError {
  constructor(
    readonly tensorName: string,
    readonly expectedShape: readonly number[],
    readonly actualShape: readonly number[],
  ) {
    super('error.tensor-shape', { tensor: tensorName, expected: expectedShape.join(', '), actual: actualShape.join(', ') });
  }
}

/** tokenizer.json names ids beyond config.json's vocabulary: they belong to different models. */
export class TokenizerMismatchError extends ModelError {
  constructor(
    readonly tokenId: number,
    readonly vocabSize: number,
  ) {
    super('error.tokenizer-mismatch', { tokenId, vocabSize });
  }
}

export class UnsupportedModelError extends ModelError {
  constructor(detail: string) {
    super('error.model-unsupported', { detail });
  }
}

export class InvalidConfigError extends ModelError {
  constructor(detail: string) {
    super('error.model-config-invalid', { detail });
  }
}

/** A caller passed ids, masks or options the model cannot run (a programming or request error). */
export class InvalidInputError extends ModelError {
  constructor(detail: string) {
    super('error.invalid-input', { detail });
  }
}

/**
 * Selective recomputation (kept-products.ts): a recomputed block asked for other frozen products
 * than its first run made (a non-deterministic block: a bug, never the user's input).
 */
export class RecomputeMismatchError extends ModelError {
  constructor(readonly detail: string) {
    super('error.recompute-mismatch', { detail });
  }
}

/** Generation was cancelled through its AbortSignal. */
export class GenerationAbortedError extends ModelError {
  constructor() {
    super('error.generation-cancelled');
  }
}
