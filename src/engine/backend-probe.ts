// Probes the real environment (browser page, worker or Node) into an EnvironmentDescription.
// Kept apart from selection so selection stays pure and testable.
import type { EnvironmentDescription, GpuAdapterSummary } from './backend-types';

/** The slice of the WebGPU API we read; avoids depending on @webgpu/types here. */
interface GpuAdapterLike {
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

export function summariseAdapter(adapter: GpuAdapterLike): GpuAdapterSummary {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    limits: {
      maxBufferSize: Number(adapter.limits.maxBufferSize),
      maxStorageBufferBindingSize: Number(adapter.limits.maxStorageBufferBindingSize),
    },
  };
}

async function probeWebGpu(): Promise<GpuAdapterSummary | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return null;
  try {
    // Same power preference tfjs-backend-webgpu asks for, so we describe the adapter it gets.
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter ? summariseAdapter(adapter) : null;
  } catch {
    return null;
  }
}

function probeWebGl(): boolean {
  try {
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(1, 1);
      return Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
    }
    if (typeof document !== 'undefined') {
      const canvas = document.createElement('canvas');
      return Boolean(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
    }
  } catch {
    // A throwing getContext means no usable WebGL.
  }
  return false;
}

export async function probeEnvironment(): Promise<EnvironmentDescription> {
  return {
    webgpuAdapter: await probeWebGpu(),
    webgl: probeWebGl(),
    wasm: typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function',
  };
}
