// Errors in the reader's language. Every error a page meets is an AttuneError or its data
// (ErrorInfo from the engine or the background): both carry a catalogue key and parameters, so
// the text comes from src/i18n/errors.ts in the active locale. Anything else (a bug, a browser
// failure) shows its own message.
import { isErrorKey, type ErrorInfo } from '../errors/attune-error';
import { t } from '../i18n';
import '../i18n/errors';

/** The error as data: its code, key and params when it has them. */
export function errorInfoOf(error: unknown): ErrorInfo {
  if (typeof error === 'object' && error !== null) {
    const { code, message, key, params } = error as Partial<Record<keyof ErrorInfo, unknown>>;
    if (typeof code === 'string' && typeof message === 'string') {
      const info: ErrorInfo = { code, message };
      if (typeof key === 'string') info.key = key;
      if (typeof params === 'object' && params !== null) info.params = params as ErrorInfo['params'] & object;
      return info;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, key: 'error.internal', params: { detail: message } };
}

export function describeError(error: unknown): string {
  const info = errorInfoOf(error);
  return isErrorKey(info.key) ? t(info.key, info.params ?? {}) : info.message;
}
