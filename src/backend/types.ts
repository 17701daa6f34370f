// Shared vocabulary of the compute-backend layer: which backends exist, what the environment
// offers, and what ended up active. Plain data so the UI, the engine and tests can all use it.

/** tfjs backends Attune can run on, fastest first. */
export const BACKEND_PREFERENCE = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_PREFERENCE)[number];

/** The user's choice in settings: 'auto' follows BACKEND_PREFERENCE. */
export type BackendOverride = 'auto' | BackendName;
export const BACKEND_OVERRIDES: readonly BackendOverride[] = ['auto', ...BACKEND_PREFERENCE];

export function isBackendOverride(value: unknown): value is BackendOverride {
  return typeof value === 'string' && (BACKEND_OVERRIDES as readonly string[]).includes(value);
}

/** The two WebGPU limits a single weight tensor must fit in (bytes). */
export interface GpuBufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** What the UI shows about a GPU adapter (from GPUAdapterInfo) plus the limits we check. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters (SwiftShader): correct but slow. */
  isFallbackAdapter: boolean;
  limits: GpuBufferLimits;
}

/**
 * What the current JS environment can offer, probed once. Selection logic only ever reads this
 * description, so tests inject any environment without touching the real navigator.
 */
export interface EnvironmentDescription {
  /** null when navigator.gpu is missing or requestAdapter() found no adapter. */
  webgpuAdapter: GpuAdapterSummary | null;
  webgl: boolean;
  /** The WebGL renderer string, when WebGL is available and tells. */
  webglRenderer?: string | null;
  wasm: boolean;
}

/** Why a backend was skipped on the way to the active one. */
export interface SkippedBackend {
  name: BackendName;
  reason: string;
  /** Set when the UI has its own translated text for the reason. */
  code?: 'software-gpu';
}

/** The backend tfjs is running on now, reported to the UI. */
export interface ActiveBackend {
  name: BackendName;
  /** What the user asked for (setting `backendOverride`). */
  requested: BackendOverride;
  /** Present when name is 'webgpu'. */
  adapter: GpuAdapterSummary | null;
  /** The GPU as WebGL names it, when name is 'webgl'. */
  glRenderer?: string | null;
  /** Present when name is 'wasm': the threads its matrix products run on. */
  threads?: number;
  /** Backends tried or ruled out before this one, in order. */
  skipped: SkippedBackend[];
}
