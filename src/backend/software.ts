// Recognises GPUs that are emulated on the CPU (SwiftShader, llvmpipe, Microsoft's basic renderer).
// They compute correctly but slowly: training the default model on SwiftShader WebGPU ran at about
// 1 token/s here against about 230 on WASM (docs/backends.md), so automatic selection ranks them
// below WASM. Pure: reads only the probed description, so tests and the selector share it.
import type { GpuAdapterSummary } from './types';

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** A CPU-emulated WebGPU adapter: it says so, or names SwiftShader (some browsers omit the flag). */
export function isSoftwareAdapter(adapter: GpuAdapterSummary | null): boolean {
  if (!adapter) return false;
  const names = `${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}`;
  return adapter.isFallbackAdapter || SOFTWARE_RENDERER.test(names);
}

/** A WebGL renderer string that names a software rasteriser ("ANGLE (Google, Vulkan … SwiftShader …)"). */
export function isSoftwareRenderer(renderer: string | null | undefined): boolean {
  return typeof renderer === 'string' && SOFTWARE_RENDERER.test(renderer);
}
