// One error class per backend failure, each with a message the user can act on.
import { AttuneError } from '../errors/attune-error';
import type { BackendName, GpuBufferLimits } from './types';

const MIB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/** A weight tensor is larger than one WebGPU buffer may be on this GPU. */
export class ModelTooLargeForGpuError extends AttuneError {
  /** The backend the UI offers instead (WASM runs any size that fits in memory). */
  readonly fallback: BackendName = 'wasm';

  constructor(
    readonly tensorName: string,
    readonly tensorBytes: number,
    readonly limitName: keyof GpuBufferLimits,
    readonly limitBytes: number,
  ) {
    super('error.model-too-large-for-gpu', { tensor: tensorName, size: mib(tensorBytes), tensorBytes, limit: mib(limitBytes), limitName, limitBytes });
  }
}

/** Every candidate backend failed to initialise (should not happen: CPU always exists). */
export class NoBackendAvailableError extends AttuneError {
  constructor(readonly failures: { name: BackendName; reason: string }[]) {
    super('error.no-backend', { failures: failures.map((f) => `${f.name} (${f.reason})`).join('; ') });
  }
}
