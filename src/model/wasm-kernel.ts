// Our own tfjs-wasm kernels, written in JS over the wasm heap (batched-matmul.ts, fused-wasm.ts).
// They rely on two tfjs-backend-wasm 4.22 internals: makeOutput allocates an output tensor in the
// heap, and typedArrayFromHeap views a tensor's bytes there (a tfjs upgrade must recheck them).
import * as tf from '@tensorflow/tfjs';

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackendLike;
  attrs?: tf.NamedAttrMap;
}

type WasmKernel = (args: WasmKernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Runs `kernel` under `name` on the wasm backend, registering it on first use. */
export function runWasmKernel<T extends tf.Tensor | tf.Tensor[]>(
  name: string,
  kernel: WasmKernel,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown> = {},
): T {
  if (!tf.getKernel(name, 'wasm')) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc });
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as unknown as T;
}
