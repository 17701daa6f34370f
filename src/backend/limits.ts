// Checks a model's largest weight against the active GPU's buffer limits before loading, so an
// oversized model fails with a clear ModelTooLargeForGpuError instead of a driver error mid-load.
import { ModelTooLargeForGpuError } from './errors';
import type { TensorSize } from '../model-store/model-store';
import type { ActiveBackend, GpuBufferLimits } from './types';

/** Throws ModelTooLargeForGpuError when the tensor does not fit in one buffer binding. */
export function assertTensorFitsGpu(tensor: TensorSize, limits: GpuBufferLimits): void {
  // The binding limit is normally the smaller one; check both so odd adapters are covered.
  const checks: (keyof GpuBufferLimits)[] = ['maxStorageBufferBindingSize', 'maxBufferSize'];
  for (const limitName of checks) {
    if (tensor.bytes > limits[limitName]) {
      throw new ModelTooLargeForGpuError(tensor.name, tensor.bytes, limitName, limits[limitName]);
    }
  }
}

/** No-op on backends without per-buffer limits (WebGL textures are checked by tfjs itself). */
export function assertModelFitsBackend(active: ActiveBackend, largestTensor: TensorSize | null): void {
  if (active.name !== 'webgpu' || !active.adapter || !largestTensor) return;
  assertTensorFitsGpu(largestTensor, active.adapter.limits);
}
