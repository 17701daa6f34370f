// A float32 tensor whose values are written in place by the caller. On tfjs-wasm they are written
// straight into the tensor's bytes in the wasm heap: loading a model that way makes no JavaScript
// array per weight and no copy of it into the heap (that copy was 0.3 s of a 135M model's load).
// Elsewhere the values go through a host array, as tf.tensor would take them.
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasm-kernel';

/**
 * Allocates a float32 tensor of `shape` and lets `fill` write every value. If `fill` throws (a
 * refused weight), the tensor is freed before the error goes on: nothing stays allocated.
 * `fill` must not make tensors: on wasm an allocation may grow the heap and detach the view.
 */
export function filledFloat32Tensor(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  if (tf.getBackend() !== 'wasm') {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(out);
    return tf.tensor(out, shape, 'float32');
  }
  // tfjs-backend-wasm 4.22 internals, as our wasm kernels use them (wasm-kernel.ts): makeOutput
  // allocates the tensor's bytes in the heap, typedArrayFromHeap views them.
  const backend = tf.backend() as unknown as WasmBackendLike;
  const info = backend.makeOutput(shape, 'float32');
  const tensor = tf.engine().makeTensorFromTensorInfo(info, backend as unknown as tf.KernelBackend);
  try {
    fill(backend.typedArrayFromHeap(info));
  } catch (error) {
    tensor.dispose();
    throw error;
  }
  return tensor;
}
