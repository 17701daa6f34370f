// tfjs-webgpu settings for the adapter at hand. On a software adapter (SwiftShader, which is what
// headless Chromium and GPU-less machines get) a compute shader's workgroup runs as CPU
// coroutines, so every workgroup barrier is a round of context switches. tfjs picks, for small
// matmuls (a decode step, [1, D] · [D, D]), a "reduce" program with 256 invocations and a
// barrier tree: measured here on SwiftShader, 120–240 ms per matmul, against 2–5 ms for the
// tiled "packed" program. Decoding one token of the tiny test model fell from ≈ 5 s to ≈ 0.3 s
// with the packed program forced. Real GPUs keep tfjs's own choice.
import * as tf from '@tensorflow/tfjs';
import { isSoftwareAdapter } from './software';
import type { GpuAdapterSummary } from './types';

/** tfjs-backend-webgpu's MatMulProgramType.MatMulPackedProgram (webgpu_util.ts, tfjs 4.22). */
const MATMUL_PACKED_PROGRAM = 3;

/** The tfjs environment flags to set for this adapter (empty: tfjs's defaults are right). */
export function webgpuFlagsFor(adapter: GpuAdapterSummary | null): Record<string, number> {
  return isSoftwareAdapter(adapter) ? { WEBGPU_MATMUL_PROGRAM_TYPE: MATMUL_PACKED_PROGRAM } : {};
}

/** Sets them on the running tfjs (call once WebGPU is the active backend). */
export function applyWebgpuFlags(adapter: GpuAdapterSummary | null): void {
  for (const [flag, value] of Object.entries(webgpuFlagsFor(adapter))) tf.env().set(flag, value);
}
