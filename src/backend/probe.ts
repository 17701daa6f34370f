// Probes the real environment (browser page, worker or Node) into an EnvironmentDescription.
// Kept apart from selection so selection stays pure and testable.
import type { EnvironmentDescription, GpuAdapterSummary } from './types';

/** The slice of the WebGPU API we read; avoids depending on @webgpu/types here. */
interface GpuAdapterLike {
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
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

interface WebGlProbe {
  available: boolean;
  renderer: string | null;
}

function webGlCanvas(): OffscreenCanvas | HTMLCanvasElement | null {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  if (typeof document !== 'undefined') return document.createElement('canvas');
  return null;
}

function probeWebGl(): WebGlProbe {
  try {
    const canvas = webGlCanvas();
    const gl = (canvas?.getContext('webgl2') ?? canvas?.getContext('webgl')) as
      WebGLRenderingContext | null | undefined;
    if (!gl) return { available: false, renderer: null };
    // The unmasked renderer names the real GPU ("ANGLE (NVIDIA …)"); RENDERER alone is often generic.
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    // Give the context back now: browsers cap live WebGL contexts and tfjs will create its own.
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { available: true, renderer: renderer || null };
  } catch {
    return { available: false, renderer: null }; // a throwing getContext means no usable WebGL
  }
}

export async function probeEnvironment(): Promise<EnvironmentDescription> {
  const webgl = probeWebGl();
  return {
    webgpuAdapter: await probeWebGpu(),
    webgl: webgl.available,
    webglRenderer: webgl.renderer,
    wasm: typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function',
  };
}
