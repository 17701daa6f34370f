// The failures a GGUF file (or an export to one) can meet, one class each; the wording is in the
// error catalogue (src/i18n/errors.ts, errors.zh_CN.ts).
import { AttuneError } from '../../errors/attune-error';

/** The bytes are not a GGUF file, or not a whole one (truncated, offsets outside the file). */
export class GgufCorruptError extends AttuneError {
  constructor(file: string, detail: string) {
    super('error.gguf-corrupt', { file, detail });
  }
}

/** A tensor stored in a ggml type this reader does not dequantise. */
export class GgufTensorTypeError extends AttuneError {
  constructor(file: string, tensor: string, type: string) {
    super('error.gguf-unsupported.tensor-type', { file, tensor, type });
  }
}

/** general.architecture names a model family Attune does not run. */
export class GgufArchitectureError extends AttuneError {
  constructor(file: string, architecture: string) {
    super('error.gguf-unsupported.architecture', { file, architecture });
  }
}

/** The tokenizer metadata describes a tokenizer Attune cannot rebuild. */
export class GgufTokenizerError extends AttuneError {
  constructor(file: string, detail: string) {
    super('error.gguf-unsupported.tokenizer', { file, detail });
  }
}

/** The model or adapter cannot be written as GGUF (family, tokenizer, adapter kind). */
export class GgufExportError extends AttuneError {
  constructor(detail: string) {
    super('error.gguf-export', { detail });
  }
}
