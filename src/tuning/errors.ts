// One error class per failure a tuning user can meet, each with a message that says what to do.
// The engine forwards `name` and `message` to the UI unchanged, so keep messages plain English.

/** Base class so callers can tell tuning failures from programming errors with one instanceof. */
export class TuningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A method config has an impossible value (r = 0, dropout 1.5, no target module matched...). */
export class TuningConfigError extends TuningError {
  constructor(
    readonly field: string,
    /** What is wrong with the value, without the field name (callers that name the field their way reuse it). */
    readonly detail: string,
  ) {
    super(`Invalid tuning setting "${field}": ${detail}`);
  }
}

/**
 * The registry was asked for a method it does not know (a typo, or a newer adapter file). With
 * `peftTypes`, the name came from an adapter_config.json "peft_type" and the message says so.
 */
export class UnknownMethodError extends TuningError {
  constructor(
    readonly method: string,
    peftTypes?: readonly string[],
  ) {
    super(
      peftTypes
        ? `Cannot read the adapter: adapter_config.json "peft_type" is "${method}"; Attune reads ${peftTypes.join(', ')}. ` +
            'Load an adapter of one of those types.'
        : `Unknown tuning method "${method}". Known methods: lora, prompt-tuning.`,
    );
  }
}

/** An adapter was trained for another base model (id, family or tensor shapes differ). */
export class AdapterMismatchError extends TuningError {
  constructor(readonly reason: string) {
    super(`This adapter does not fit the loaded model: ${reason}. Load the base model it was trained on.`);
  }
}

/** adapter_config.json / adapter_model.safetensors are missing, unreadable or inconsistent. */
export class AdapterFormatError extends TuningError {
  /** @param reason what is wrong; end it with "." when it already says what to do. */
  constructor(readonly reason: string) {
    const advice = /[.!?]$/.test(reason) ? '' : '. Export the adapter again (PEFT save_pretrained or Attune) and load that.';
    super(`Cannot read the adapter: ${reason}${advice}`);
  }
}

/** Training data cannot be used as given (no examples, nothing to learn after truncation...). */
export class TrainingDataError extends TuningError {}

/** The loss or a gradient became NaN/Inf; the last good adapter state was kept. */
export class TrainingDivergedError extends TuningError {
  constructor(readonly step: number) {
    super(
      `Training stopped at step ${step}: the loss became NaN or infinite. The adapter from the last ` +
        `good step was kept. Try a lower learning rate.`,
    );
  }
}

/** A snapshot does not match the run it is being restored into. */
export class SnapshotMismatchError extends TuningError {
  constructor(readonly reason: string) {
    super(`Cannot resume training from this checkpoint: ${reason}. Start a new run instead.`);
  }
}
