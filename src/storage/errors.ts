// One error class per storage failure; the wording is in the error catalogue (src/i18n/errors.ts).

import type { Example, ExampleProblem } from '../dataset/example';
import { AttuneError } from '../errors/attune-error';

/** The browser refused a write for lack of quota; nothing of that write was kept. */
export class StorageFullError extends AttuneError {
  constructor(cause?: unknown) {
    super('error.storage-full', {}, { cause });
  }
}

/** IndexedDB could not be opened (private mode, a broken profile, a failed migration). */
export class StorageUnavailableError extends AttuneError {
  constructor(cause?: unknown, blocked = false) {
    super(blocked ? 'error.storage-blocked' : 'error.storage-unavailable', blocked ? {} : { cause: describeCause(cause) }, { cause });
  }
}

/** An open tab holds the database at an older version, so the upgrade cannot run. */
export class StorageBlockedError extends StorageUnavailableError {
  constructor() {
    super(undefined, true);
  }
}

export class InvalidExampleError extends AttuneError {
  constructor(readonly problems: ExampleProblem[]) {
    super('error.invalid-example', { problems: problems.map((p) => p.message).join(' ') });
  }
}

export class ExampleNotFoundError extends AttuneError {
  constructor(readonly id: string) {
    super('error.example-missing', { id });
  }
}

export class DuplicateExampleError extends AttuneError {
  constructor(readonly existing: Example) {
    super('error.example-duplicate');
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

/** True for the browser's quota failure, however it surfaces (DOMException, wrapped, or by name). */
export function isQuotaError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error || isNamed(e); e = (e as { cause?: unknown }).cause) {
    const name = (e as { name?: unknown }).name;
    if (name === 'QuotaExceededError') return true;
    if (!(e as { cause?: unknown }).cause) break;
  }
  return false;
}

function isNamed(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'name' in value;
}

/** Turns low-level IndexedDB failures into this module's errors; others pass through unchanged. */
export function mapStorageError(error: unknown): unknown {
  return isQuotaError(error) ? new StorageFullError(error) : error;
}
