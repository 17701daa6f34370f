// Batched matrix products [n, M, K] @ [n, K, N] for attention. tfjs-wasm 4.22 sends a product to
// XNNPACK only when it is untransposed and has batch 1; anything else (every attention product,
// every transposed gradient product) runs a naive loop at ≈ 0.5–2 GFLOP/s instead of ≈ 15. On wasm
// the operands are therefore cut into n batch-1 matrices (transposed while they are copied, when
// asked) and multiplied one by one; other backends (WebGPU, cpu) keep one batched kernel.
//
// The cutting is a kernel of our own: wasm's Slice/Split copy the *whole* input out of the heap for
// every piece (readSync), so n pieces cost n full copies; this one copies each element once.
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel, type WasmKernelArgs } from './wasm-kernel';

const SPLIT_KERNEL = 'AttuneSplitBatch';

/** x [n, R, C] -> n tensors [1, R, C], or [1, C, R] with `transpose`. Float32 only. */
function splitBatchKernel({ inputs, backend: wasm, attrs }: WasmKernelArgs): tf.TensorInfo[] {
  const x = inputs.x!;
  const [n, rows, cols] = x.shape as [number, number, number];
  const transpose = attrs?.transpose === true;
  const size = rows * cols;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < n; i++) {
    const out = wasm.makeOutput(transpose ? [1, cols, rows] : [1, rows, cols], 'float32');
    // Views after the allocation: makeOutput may grow the heap, which detaches older views.
    const src = wasm.typedArrayFromHeap(x).subarray(i * size, (i + 1) * size);
    const dst = wasm.typedArrayFromHeap(out);
    if (!transpose) dst.set(src);
    else for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c]!;
    outs.push(out);
  }
  return outs;
}

function splitBatch(x: tf.Tensor3D, transpose: boolean): tf.Tensor3D[] {
  return runWasmKernel<tf.Tensor3D[]>(SPLIT_KERNEL, splitBatchKernel, { x }, { transpose });
}

/** op(a) @ op(b) per batch entry, op = transpose of the last two axes when its flag is set. */
export function batchedMatMul(a: tf.Tensor3D, b: tf.Tensor3D, transposeA = false, transposeB = false): tf.Tensor3D {
  if (tf.getBackend() !== 'wasm' || a.dtype !== 'float32' || b.dtype !== 'float32') return tf.matMul(a, b, transposeA, transposeB);
  // One tidy: the pieces and per-entry products are freed at once, not at the end of the caller's scope.
  return tf.tidy(() => {
    const lefts = splitBatch(a, transposeA); // n × [1, M, K]
    const rights = splitBatch(b, transposeB); // n × [1, K, N]
    return tf.concat(lefts.map((l, i) => tf.matMul(l, rights[i]!)), 0) as tf.Tensor3D; // [n, M, N]
  });
}
