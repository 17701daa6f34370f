// The 2-D matrix product the adapters use on their own branch: the runtime's matMul, whose
// gradient for a trainable weight is built from explicit transposes and plain 2-D matMuls (stock
// matMul gradients emit transposed matMuls that fall off tfjs-wasm's fast path; DESIGN.md).
import type * as tf from '@tensorflow/tfjs';
import { matMulLastAxis } from '../model/layers';

/** x [N, in] @ w [in, out] -> [N, out]. */
export function matMul2d(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return matMulLastAxis(x, w) as tf.Tensor2D;
}
