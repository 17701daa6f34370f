// One error class per backend failure, each with a message the user can act on.
import type { BackendName, GpuBufferLimits } from './types';

const MIB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/** A weight tensor is larger than one WebGPU buffer may be on this GPU. */
export class ModelTooLargeForGpuError extends Error {
  override readonly name = 'ModelTooLargeForGpuError';
  /** The backend the UI offers instead (WASM runs any size that fits in memory). */
  readonly fallback: BackendName = 'wasm';

  constructor(
    readonly tensorName: string,
    readonly tensorBytes: number,
    readonly limitName: keyof GpuBufferLimits,
    readonly limitBytes: number,
  ) {
    super(
      `The weight "${tensorName}" needs ${mib(tensorBytes)} (${tensorBytes} bytes) in one GPU buffer, ` +
        `but this GPU allows at most ${mib(limitBytes)} (${limitName} = ${limitBytes} bytes). ` +
        `Switch the compute backend to WASM, or choose a smaller model.`,
    );
  }
}

/** Every candidate backend failed to initialise (should not happen: CPU always exists). */
export class NoBackendAvailableError extends Error {
  override readonly name = 'NoBackendAvailableError';
  constructor(readonly failures: { name: BackendName; reason: string }[]) {
    super(
      `No compute backend could start: ${failures.map((f) => `${f.name} (${f.reason})`).join('; ')}. ` +
        `Try reloading the page or another browser.`,
    );
  }
}
