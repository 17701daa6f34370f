// One error class per way getting a model onto the device can fail, each with a message the
// user can act on. File-content problems reuse the runtime's CorruptModelFileError and
// MissingModelFileError (src/model/errors.ts) so a bad file reads the same wherever it is found.

// The model's errors an import can raise (a missing or corrupt file, an unsupported config), part
// of the store's API so its callers (the Models view) can tell them apart without importing the
// model, which the UI never does.
export { CorruptModelFileError, MissingModelFileError, UnsupportedModelError } from '../model/errors';

const MIB = 1024 * 1024;
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** What the user typed is not an http(s) address of a model folder. */
export class InvalidModelUrlError extends Error {
  override readonly name = 'InvalidModelUrlError';
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(
      `"${input}" is not a model address: ${detail}. Enter a folder URL such as ` +
        `https://huggingface.co/<org>/<name>/resolve/main/`,
    );
  }
}

/** The server answered with an HTTP error status. */
export class ModelDownloadHttpError extends Error {
  override readonly name = 'ModelDownloadHttpError';
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`Downloading ${url} failed: the server answered HTTP ${status}${hint(status)}.`);
  }
}

function hint(status: number): string {
  if (status === 401 || status === 403)
    return ' (the model may be private or gated; download it in the browser and import the files instead)';
  if (status === 404) return ' (no such file: check the address and the branch, e.g. resolve/main/)';
  if (status >= 500) return ' (a server problem; try again later)';
  return '';
}

/** The request never got an answer (offline, DNS, blocked by CORS). */
export class ModelDownloadNetworkError extends Error {
  override readonly name = 'ModelDownloadNetworkError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `Could not reach ${url} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Check your connection and the address; the server must allow downloads from the browser.',
      { cause },
    );
  }
}

/** The connection closed before the whole file arrived. */
export class TruncatedDownloadError extends Error {
  override readonly name = 'TruncatedDownloadError';
  constructor(
    readonly fileName: string,
    readonly receivedBytes: number,
    readonly expectedBytes: number,
  ) {
    super(
      `${fileName} stopped after ${formatBytes(receivedBytes)} of ${formatBytes(expectedBytes)} ` +
        `(${receivedBytes} of ${expectedBytes} bytes). Nothing was kept; try the download again.`,
    );
  }
}

/** Not enough browser storage for the model (estimated before downloading, or hit while writing). */
export class ModelStorageFullError extends Error {
  override readonly name = 'ModelStorageFullError';
  constructor(
    readonly neededBytes: number | null,
    readonly availableBytes: number | null,
    cause?: unknown,
  ) {
    super(
      (neededBytes !== null && availableBytes !== null
        ? `The model needs ${formatBytes(neededBytes)} but only ${formatBytes(availableBytes)} of browser storage is free. `
        : 'Browser storage ran out while saving the model; nothing was kept. ') +
        'Remove models you no longer use, free disk space, or choose a smaller model.',
      { cause },
    );
  }
}

/** The user declined the host permission the download needs. */
export class HostPermissionDeniedError extends Error {
  override readonly name = 'HostPermissionDeniedError';
  constructor(readonly origin: string) {
    super(
      `${origin} does not allow downloads from the browser, so Attune needs your permission to read from it. ` +
        'Press Download again and choose "Allow".',
    );
  }
}

/** The user pressed Cancel. Nothing was kept. */
export class ModelDownloadCancelledError extends Error {
  override readonly name = 'ModelDownloadCancelledError';
  constructor() {
    super('The download was cancelled; nothing was kept.');
  }
}

/** A model id that is not in the store (removed in another tab, or never imported). */
export class StoredModelNotFoundError extends Error {
  override readonly name = 'StoredModelNotFoundError';
  constructor(readonly id: string) {
    super(`The model "${id}" is not on this device any more; reload the model list.`);
  }
}

/** The bundled default model cannot be removed (it is part of the extension). */
export class BundledModelRemovalError extends Error {
  override readonly name = 'BundledModelRemovalError';
  constructor() {
    super('The default model ships with Attune and cannot be removed.');
  }
}
