// One error class per failure a user or caller can meet while loading or running a model.
// Messages say what went wrong and what to do about it; `name` lets the engine forward the kind
// across a worker boundary.

/** Base class so callers can catch every model error at once. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A file is truncated or not what its name claims (bad safetensors header, bad JSON, offsets past the end). */
export class CorruptModelFileError extends ModelError {
  constructor(
    readonly fileName: string,
    detail: string,
  ) {
    super(`${fileName} is corrupt or truncated: ${detail}. Re-download or re-export the model file.`);
  }
}

/** A file the model needs (config.json, a weight shard, tokenizer.json) was not provided. */
export class MissingModelFileError extends ModelError {
  constructor(readonly fileName: string, hint = 'Add it next to the other model files.') {
    super(`The model is missing ${fileName}.${hint ? ' ' + hint : ''}`);
  }
}

/** The model folder (Node CLI, bench) does not exist. */
export class ModelNotFoundError extends ModelError {
  constructor(
    readonly path: string,
    hint: string,
  ) {
    super(`No model folder at ${path}. ${hint}`);
  }
}

/** The checkpoint lacks a tensor the architecture needs. */
export class MissingTensorError extends ModelError {
  constructor(
    readonly tensorName: string,
    readonly expectedShape: readonly number[],
  ) {
    super(
      `The checkpoint has no tensor "${tensorName}" (expected shape [${expectedShape.join(', ')}]). ` +
        'Check that config.json matches the weights.',
    );
  }
}

/** The checkpoint holds a tensor the architecture config.json describes has no place for. */
export class UnexpectedTensorError extends ModelError {
  constructor(readonly tensorName: string) {
    super(
      `The checkpoint has an unexpected tensor "${tensorName}" that the model config.json describes does not use ` +
        '(more layers or other modules). Check that config.json matches the weights.',
    );
  }
}

/** A tensor exists but its shape disagrees with config.json. */
export class TensorShapeError extends ModelError {
  constructor(
    readonly tensorName: string,
    readonly expectedShape: readonly number[],
    readonly actualShape: readonly number[],
  ) {
    super(
      `Tensor "${tensorName}" has shape [${actualShape.join(', ')}] but config.json implies ` +
        `[${expectedShape.join(', ')}]. The weights and config.json do not belong together.`,
    );
  }
}

/** tokenizer.json produces ids the model's embedding table (config.json vocab_size) has no row for. */
export class TokenizerMismatchError extends ModelError {
  constructor(
    readonly tokenId: number,
    readonly vocabSize: number,
  ) {
    super(
      `tokenizer.json has token id ${tokenId} but config.json's vocab_size is ${vocabSize}: the tokenizer ` +
        'belongs to another model. Use the tokenizer.json that came with these weights.',
    );
  }
}

/** The architecture, dtype or a config option is not one the runtime implements. */
export class UnsupportedModelError extends ModelError {
  constructor(detail: string) {
    super(`Unsupported model: ${detail}. Supported: GPT-2 and Llama/Qwen2/SmolLM/Mistral-style decoders.`);
  }
}

/** config.json is missing a field or has a value that cannot be right. */
export class InvalidConfigError extends ModelError {
  constructor(detail: string) {
    super(`config.json is invalid: ${detail}. Fix it or re-download the model.`);
  }
}

/** Bad arguments to forward/generate (empty prompt, ids out of the vocabulary, ...). */
export class InvalidInputError extends ModelError {}

/** Generation was cancelled through its AbortSignal. */
export class GenerationAbortedError extends ModelError {
  constructor() {
    super('Generation was cancelled.');
  }
}
