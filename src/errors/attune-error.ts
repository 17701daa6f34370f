// One base class for every error a person can meet. It carries a stable code (pages branch on it,
// tests assert it), the catalogue key of its wording and the parameters that fill it; its message
// is the English text from the catalogue (logs, the CLI), and pages show the reader's language
// by rendering the key (src/ui/describe-error.ts). Errors cross the engine Port and runtime
// messages as ErrorInfo, which keeps the same three fields.
import { fillPlaceholders } from '../i18n';
import { errorsEn, type ErrorKey } from '../i18n/errors';

export type { ErrorKey };
export type ErrorParams = Record<string, string | number>;

/** `error.storage-full.checkpoint` -> `storage-full`. */
type CodeOf<K> = K extends `error.${infer Code}.${string}` ? Code : K extends `error.${infer Code}` ? Code : never;
export type ErrorCode = CodeOf<ErrorKey>;

/** An error as data: what a page receives and renders. */
export interface ErrorInfo {
  code: string;
  /** English; for logs, and shown when the key is unknown to this page's catalogue. */
  message: string;
  key?: string;
  params?: ErrorParams;
}

export class AttuneError extends Error {
  readonly code: ErrorCode;
  readonly key: ErrorKey;
  readonly params: ErrorParams;

  constructor(key: ErrorKey, params: ErrorParams = {}, options?: ErrorOptions) {
    super(fillPlaceholders(errorsEn[key], params), options);
    this.name = new.target.name;
    this.key = key;
    this.code = codeOfKey(key);
    this.params = params;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, key: this.key, params: this.params };
  }
}

export function codeOfKey(key: ErrorKey): ErrorCode {
  return key.split('.')[1] as ErrorCode;
}

export function isErrorKey(key: unknown): key is ErrorKey {
  return typeof key === 'string' && Object.hasOwn(errorsEn, key);
}

/**
 * The code of any error: an AttuneError's, or the `code` field of error data that crossed a
 * message boundary. Pages compare codes instead of matching classes from other modules.
 */
export function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}

/**
 * An error that crossed from another context as data (the engine, the background). It keeps the
 * code, key and params it came with, so the page renders and branches on it like the original.
 */
export class RemoteError extends Error implements ErrorInfo {
  readonly code: string;
  readonly key?: string;
  readonly params?: ErrorParams;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = new.target.name;
    this.code = info.code;
    if (info.key !== undefined) this.key = info.key;
    if (info.params !== undefined) this.params = info.params;
  }
}
