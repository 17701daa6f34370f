// Inference-only fused kernels for tfjs-wasm. A decode step of a small model is bound by the number
// of kernels, not by arithmetic: each tfjs-wasm kernel costs tens of microseconds of dispatch
// whatever its size. RMSNorm is six kernels there (square, mean, add, rsqrt, mul, mul) and SwiGLU
// three (sigmoid, mul, mul); these do each in one pass over the wasm heap (wasm-kernel.ts), like
// the split kernel in batched-matmul.ts. Used only outside gradient recording (the training paths
// keep their hand-written backwards in layers.ts) and only on wasm with float32 tensors; other
// backends and dtypes fall back to the tf ops. Arithmetic is in float64, rounded once to float32 per output.
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel, type WasmKernelArgs } from './wasm-kernel';

const RMS_NORM_KERNEL = 'AttuneRmsNorm';
const SWIGLU_KERNEL = 'AttuneSwiGlu';
const ADD_RMS_NORM_KERNEL = 'AttuneAddRmsNorm';

/** y = x · rsqrt(mean(x²) + eps) · w over the last axis. */
function rmsNormKernel({ inputs, backend: wasm, attrs }: WasmKernelArgs): tf.TensorInfo {
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

/**
 * sum = x + y (rounded to float32, as tf.add gives it) and RMSNorm(sum) · w over the last axis: a
 * block's residual add and the norm after it, one kernel instead of two.
 */
function addRmsNormKernel({ inputs, backend: wasm, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const x = inputs.x!;
  const eps = attrs!.eps as number;
  const width = x.shape[x.shape.length - 1]!;
  const sum = wasm.makeOutput(x.shape, 'float32');
  const normed = wasm.makeOutput(x.shape, 'float32');
  const xs = wasm.typedArrayFromHeap(x);
  const ys = wasm.typedArrayFromHeap(inputs.y!);
  const ws = wasm.typedArrayFromHeap(inputs.weight!);
  const ss = wasm.typedArrayFromHeap(sum);
  const ns = wasm.typedArrayFromHeap(normed);
  for (let start = 0; start < xs.length; start += width) {
    let squares = 0;
    for (let i = start; i < start + width; i++) {
      ss[i] = xs[i]! + ys[i]!;
      squares += ss[i]! * ss[i]!;
    }
    const scale = 1 / Math.sqrt(squares / width + eps);
    for (let i = 0; i < width; i++) ns[start + i] = ss[start + i]! * scale * ws[i]!;
  }
  return [sum, normed];
}

/** silu(gate) · up, elementwise. */
function swiGluKernel({ inputs, backend: wasm }: WasmKernelArgs): tf.TensorInfo {
  const out = wasm.makeOutput(inputs.gate!.shape, 'float32');
  const gs = wasm.typedArrayFromHeap(inputs.gate!);
  const us = wasm.typedArrayFromHeap(inputs.up!);
  const ys = wasm.typedArrayFromHeap(out);
  for (let i = 0; i < ys.length; i++) ys[i] = (gs[i]! / (1 + Math.exp(-gs[i]!))) * us[i]!;
  return out;
}

/** Whether the fused kernels apply to these tensors now (wasm backend, float32 inputs). */
export function canFuseOnWasm(...tensors: tf.Tensor[]): boolean {
  return tf.getBackend() === 'wasm' && tensors.every((t) => t.dtype === 'float32');
}

/** Fused RMSNorm (inference only: it has no gradient). weight is [D], x is [..., D]. */
export function fusedRmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  return runWasmKernel(RMS_NORM_KERNEL, rmsNormKernel, { x, weight }, { eps });
}

/** Fused silu(gate) · up (inference only: it has no gradient); gate and up have the same shape. */
export function fusedSwiGlu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  return runWasmKernel(SWIGLU_KERNEL, swiGluKernel, { gate, up });
}

/**
 * Fused residual add and RMSNorm (inference only: it has no gradient): x and y [..., D], weight
 * [D]. Returns x + y and RMSNorm(x + y) · weight.
 */
export function fusedAddRmsNorm(x: tf.Tensor, y: tf.Tensor, weight: tf.Tensor, eps: number): { sum: tf.Tensor; normed: tf.Tensor } {
  const [sum, normed] = runWasmKernel<tf.Tensor[]>(ADD_RMS_NORM_KERNEL, addRmsNormKernel, { x, y, weight }, { eps });
  return { sum: sum!, normed: normed! };
}
