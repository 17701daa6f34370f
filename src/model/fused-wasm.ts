// Inference-only fused kernels for tfjs-wasm. A decode step of a small model is bound by the number
// of kernels, not by arithmetic: each tfjs-wasm kernel costs tens of microseconds of dispatch
// whatever its size. RMSNorm is six kernels there (square, mean, add, rsqrt, mul, mul) and SwiGLU
// three (sigmoid, mul, mul); these do each in one pass over the wasm heap, like the split kernel in
// batched-matmul.ts. Used only outside gradient recording (the training paths keep their
// hand-written backwards in layers.ts) and only on wasm with float32 tensors; other backends and
// dtypes fall back to the tf ops. Arithmetic is in float64, rounded once to float32 per output.
import * as tf from '@tensorflow/tfjs';

const RMS_NORM_KERNEL = 'AttuneRmsNorm';
const SWIGLU_KERNEL = 'AttuneSwiGlu';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** y = x · rsqrt(mean(x²) + eps) · w over the last axis. */
function rmsNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const x = inputs.x!;
  const eps = attrs!.eps as number;
  const width = x.shape[x.shape.length - 1]!;
  const out = wasm.makeOutput(x.shape, 'float32');
  // Views after the allocation: makeOutput may grow the heap, which detaches older views.
  const xs = wasm.typedArrayFromHeap(x);
  const ws = wasm.typedArrayFromHeap(inputs.weight!);
  const ys = wasm.typedArrayFromHeap(out);
  for (let start = 0; start < xs.length; start += width) {
    let squares = 0;
    for (let i = start; i < start + width; i++) squares += xs[i]! * xs[i]!;
    const scale = 1 / Math.sqrt(squares / width + eps);
    for (let i = 0; i < width; i++) ys[start + i] = xs[start + i]! * scale * ws[i]!;
  }
  return out;
}

/** silu(gate) · up, elementwise. */
function swiGluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const out = wasm.makeOutput(inputs.gate!.shape, 'float32');
  const gs = wasm.typedArrayFromHeap(inputs.gate!);
  const us = wasm.typedArrayFromHeap(inputs.up!);
  const ys = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < ys.length; i++) ys[i] = (gs[i]! / (1 + Math.exp(-gs[i]!))) * us[i]!;
  return out;
}

function ensureRegistered(name: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo): void {
  if (!tf.getKernel(name, 'wasm')) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Whether the fused kernels apply to these tensors now (wasm backend, float32 inputs). */
export function canFuseOnWasm(...tensors: tf.Tensor[]): boolean {
  return tf.getBackend() === 'wasm' && tensors.every((t) => t.dtype === 'float32');
}

/** Fused RMSNorm (inference only: it has no gradient). weight is [D], x is [..., D]. */
export function fusedRmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  ensureRegistered(RMS_NORM_KERNEL, rmsNormKernel);
  const attrs = { eps } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(RMS_NORM_KERNEL, { x, weight } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor;
}

/** Fused silu(gate) · up (inference only: it has no gradient); gate and up have the same shape. */
export function fusedSwiGlu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  ensureRegistered(SWIGLU_KERNEL, swiGluKernel);
  return tf.engine().runKernel(SWIGLU_KERNEL, { gate, up } as unknown as tf.NamedTensorMap) as tf.Tensor;
}
