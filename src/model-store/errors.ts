// One error class per way getting a model onto the device can fail, each with a message the
// user can act on. File-content problems reuse the runtime's CorruptModelFileError and
// MissingModelFileError (src/model/errors.ts) so a bad file reads the same wherever it is found.

// The model's errors an import can raise (a missing or corrupt file, an unsupported config), part
// of the store's API so its callers (the Models view) can tell them apart without importing the
// model, which the UI never does.
export { CorruptModelFileError, MissingModelFileError, UnsupportedModelError } from '../model/errors';

import { AttuneError, type ErrorKey } from '../errors/attune-error';

const MIB = 1024 * 1024;
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** What the user typed is not an http(s) address of a model folder. */
/** What the user typed is not a URL of a model folder. */
export class InvalidModelUrlError extends AttuneError {
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super('error.model-url-invalid', { input, detail });
  }
}

/** The server answered, but not with the file. */
export class ModelDownloadHttpError extends AttuneError {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(httpKey(status), { url, status });
  }
}

function httpKey(status: number): ErrorKey {
  if (status === 401 || status === 403) return 'error.download-http.gated';
  if (status === 404) return 'error.download-http.not-found';
  if (status >= 500) return 'error.download-http.server';
  return 'error.download-http';
}

/** No answer at all (offline, DNS, or the server does not allow cross-origin downloads). */
export class ModelDownloadNetworkError extends AttuneError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super('error.download-network', { url, cause: cause instanceof Error ? cause.message : String(cause) }, { cause });
  }
}

/** The download ended before the announced size. */
export class TruncatedDownloadError extends AttuneError {
  constructor(
    readonly fileName: string,
    readonly receivedBytes: number,
    readonly expectedBytes: number,
  ) {
    super('error.download-truncated', {
      file: fileName,
      received: formatBytes(receivedBytes),
      expected: formatBytes(expectedBytes),
      receivedBytes,
      expectedBytes,
    });
  }
}

/** OPFS has no room for the model (known before writing, or found out while writing). */
export class ModelStorageFullError extends AttuneError {
  constructor(
    readonly neededBytes: number | null,
    readonly availableBytes: number | null,
    cause?: unknown,
  ) {
    super(
      neededBytes !== null && availableBytes !== null ? 'error.model-storage-full.estimate' : 'error.model-storage-full',
      neededBytes !== null && availableBytes !== null ? { needed: formatBytes(neededBytes), available: formatBytes(availableBytes) } : {},
      { cause },
    );
  }
}

/** The server needs host permission and the person did not grant it. */
export class HostPermissionDeniedError extends AttuneError {
  constructor(readonly origin: string) {
    super('error.host-permission', { origin });
  }
}

export class ModelDownloadCancelledError extends AttuneError {
  constructor() {
    super('error.download-cancelled');
  }
}

export class StoredModelNotFoundError extends AttuneError {
  constructor(readonly id: string) {
    super('error.stored-model-missing', { id });
  }
}

export class BundledModelRemovalError extends AttuneError {
  constructor() {
    super('error.bundled-model-removal');
  }
}
