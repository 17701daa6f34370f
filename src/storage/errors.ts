// One error class per storage failure, each with a message a person can act on.

import type { Example, ExampleProblem } from '../dataset/example';

/** Codes pages receive with storage failures (engine errors, UI), stable across messages. */
export type StorageErrorCode = 'storage-full' | 'storage-unavailable' | 'storage-blocked';

/** The browser refused to store more (quota). The failed write left nothing behind. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  readonly code = 'storage-full';
  constructor(cause?: unknown) {
    super(
      'Browser storage for Attune is full, so nothing was saved. Delete examples, models or adapters you no longer need (Dashboard → Settings shows usage), then try again.',
      { cause },
    );
  }
}

/** IndexedDB could not be opened or upgraded (private mode, disk error, failed migration). */
export class StorageUnavailableError extends Error {
  override readonly name: string = 'StorageUnavailableError';
  readonly code: 'storage-unavailable' | 'storage-blocked' = 'storage-unavailable';
  constructor(cause?: unknown, message?: string) {
    super(
      message ??
        `Attune could not open its local database (${describeCause(cause)}). Your data has not been changed; close other Attune tabs and reload, or restart the browser.`,
      { cause },
    );
  }
}

/**
 * The database needs an upgrade, and a page still running an older Attune holds a connection
 * that does not step aside. The upgrade would wait for that page forever, so the user is told
 * which page to close instead.
 */
export class StorageBlockedError extends StorageUnavailableError {
  override readonly name = 'StorageBlockedError';
  override readonly code = 'storage-blocked';
  constructor() {
    super(undefined, 'Another Attune tab or window is still open with an older version; close it, then reload.');
  }
}

export class InvalidExampleError extends Error {
  override readonly name = 'InvalidExampleError';
  constructor(readonly problems: ExampleProblem[]) {
    super(`The example was not saved: ${problems.map((p) => p.message).join(' ')}`);
  }
}

export class ExampleNotFoundError extends Error {
  override readonly name = 'ExampleNotFoundError';
  constructor(readonly id: string) {
    super(`Example ${id} no longer exists (it may have been deleted in another tab); reload the list.`);
  }
}

/** An edit would make an example identical to another one. */
export class DuplicateExampleError extends Error {
  override readonly name = 'DuplicateExampleError';
  constructor(readonly existing: Example) {
    super('An example with the same instruction, input and output already exists; nothing was changed.');
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
