// A 2-D block of a matrix, x[r0 : r0 + rows, c0 : c0 + cols]. On wasm it is a kernel of our own:
// tfjs-wasm 4.22's Slice copies the *whole* input out of the heap first (readSync), so taking
// twelve 9 MB slices of the 113 MB embedding table cost 12 full copies (≈ 0.75 s); this one copies
// only the block's elements. Other backends use tf.slice.
import * as tf from '@tensorflow/tfjs';
import { runWasmKernel, type WasmKernelArgs } from './wasm-kernel';

const BLOCK_KERNEL = 'AttuneBlockSlice2D';

function blockSliceKernel({ inputs, backend: wasm, attrs }: WasmKernelArgs): tf.TensorInfo {
  const x = inputs.x!;
  const cols = x.shape[1]!;
  const [r0, c0, rows, width] = attrs!.block as number[] as [number, number, number, number];
  const out = wasm.makeOutput([rows, width], 'float32');
  // Views after the allocation: makeOutput may grow the heap, which detaches older views.
  const src = wasm.typedArrayFromHeap(x);
  const dst = wasm.typedArrayFromHeap(out);
  if (width === cols) dst.set(src.subarray(r0 * cols, (r0 + rows) * cols));
  else for (let r = 0; r < rows; r++) dst.set(src.subarray((r0 + r) * cols + c0, (r0 + r) * cols + c0 + width), r * width);
  return out;
}

/** x[r0 : r0 + rows, c0 : c0 + cols] of a float32 matrix, as a new tensor (no gradient: backward passes only). */
export function blockSlice(x: tf.Tensor2D, r0: number, c0: number, rows: number, cols: number): tf.Tensor2D {
  const [R, C] = x.shape;
  if (r0 < 0 || c0 < 0 || rows < 1 || cols < 1 || r0 + rows > R || c0 + cols > C) throw new RangeError(`block [${r0}+${rows}, ${c0}+${cols}] is outside [${R}, ${C}]`);
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tf.slice(x, [r0, c0], [rows, cols]);
  return runWasmKernel<tf.Tensor2D>(BLOCK_KERNEL, blockSliceKernel, { x }, { block: [r0, c0, rows, cols] });
}
