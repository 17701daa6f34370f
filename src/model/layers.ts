// The building blocks both architectures share. Every linear layer of every model goes through
// `linear` below, which (1) applies the tuning hook under the layer's HF module name and
// (2) uses a hand-written backward made of explicit transposes and plain 2-D matMuls: tfjs-wasm's
// matMul with transposeA/transposeB falls off the XNNPACK fast path, so the stock gradient is
// about 3x slower (see DESIGN.md, "Facts measured").
import * as tf from '@tensorflow/tfjs';
import { blockSlice } from './block-slice';
import { isWidenedWeight } from './compact-weights';
import { canFuseOnWasm, fusedRmsNorm, fusedSwiGlu } from './fused-wasm';
import { activeKeptProducts } from './kept-products';
import type { ForwardHooks, WeightMap } from './types';

function sameShapes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** True when a weight should receive gradients (tuning methods train Variables, never plain tensors). */
function isTrainable(t: tf.Tensor): boolean {
  return t instanceof tf.Variable && t.trainable;
}

/**
 * dw = xᵀ [in, N] @ dy [N, out]. For a narrow weight (a LoRA A: out = r ≪ in) it is computed as
 * (dyᵀ @ x)ᵀ, transposing the small [N, out] and [out, in] instead of the [N, in] activations
 * (on wasm a [1024, 576] transpose took ≈ 6 ms, 120 of them per 135M step).
 */
function weightGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  const [N, inDim] = x.shape;
  const outDim = dy.shape[1];
  if (N * outDim + inDim * outDim >= N * inDim) return tf.matMul(tf.transpose(x), dy);
  return tf.transpose(tf.matMul<tf.Tensor2D>(tf.transpose(dy), x));
}

/** x [N, in] @ w [in, out] with a backward that only uses untransposed 2-D matMuls. */
function matMulTrainableWeight(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      // In a tidy: the backward pass frees a gradient function's intermediates (here the
      // transposes) only when the whole pass ends, unless the function frees them itself.
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          const dx = tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)); // [N, in]
          return [dx, weightGrad(xs, dy as tf.Tensor2D)];
        }),
    };
  });
  return op(x, w) as tf.Tensor2D;
}

/**
 * Frozen weights whose [out, in] transpose is resident anyway: a tied head's [D, V] weight, whose
 * transpose is the embedding table itself. The input gradient reads it instead of transposing.
 */
const residentTransposes = new WeakMap<tf.Tensor, tf.Tensor2D>();

/** Records that `wT` (resident as long as `w` is used) equals transpose(w). */
export function registerResidentTranspose(w: tf.Tensor2D, wT: tf.Tensor2D): void {
  if (w.dtype === 'float32' && wT.dtype === 'float32' && wT.shape[0] === w.shape[1] && wT.shape[1] === w.shape[0]) residentTransposes.set(w, wT);
}

/**
 * Bytes of one slice of a large frozen weight in its input gradient on wasm (see frozenInputGrad):
 * small enough to stay in the CPU's last-level cache while every row tile of dy passes over it.
 * Weights up to SLICE_ABOVE_BYTES (every block weight up to 0.5B) fit that cache whole.
 */
const INPUT_GRAD_SLICE_BYTES = 4 * 1024 * 1024;
const SLICE_ABOVE_BYTES = 16 * 1024 * 1024;

/** Rows of wᵀ per slice of frozenInputGrad: all of them (one product) unless slicing pays. */
function inputGradSliceRows(w: tf.Tensor2D): number {
  const [inDim, outDim] = w.shape;
  if (tf.getBackend() !== 'wasm' || 4 * inDim * outDim <= SLICE_ABOVE_BYTES) return outDim;
  return Math.max(1, Math.floor(INPUT_GRAD_SLICE_BYTES / (4 * inDim)));
}

/**
 * dx = dy [N, out] @ wᵀ [out, in], for a frozen w [in, out]. XNNPACK computes a product a few rows
 * of dy at a time, each pass reading the whole packed right-hand side: for a tied head's
 * [49152, 576] transpose (113 MB) that streamed the table from memory once per 4-row tile (14–16
 * GFLOP/s). Cut along `out` into slices of `sliceRows` rows of wᵀ, each slice's product reads a
 * cache-sized block, and dx is the sum of the slices' products (the same terms, added in another
 * order). A resident transpose is sliced as it is; otherwise each slice is transposed from w's
 * columns, so no whole [out, in] transpose exists. Weights of one slice or less take one product.
 */
export function frozenInputGrad(dy: tf.Tensor2D, w: tf.Tensor2D, sliceRows = inputGradSliceRows(w)): tf.Tensor2D {
  const [inDim, outDim] = w.shape;
  const wT = residentTransposes.get(w);
  if (outDim <= sliceRows) return tf.tidy(() => tf.matMul(dy, wT ?? tf.transpose(w)));
  const N = dy.shape[0];
  let dx: tf.Tensor2D | null = null;
  for (let start = 0; start < outDim; start += sliceRows) {
    const size = Math.min(sliceRows, outDim - start);
    const sum = tf.tidy((): tf.Tensor2D => {
      const part = wT ? blockSlice(wT, start, 0, size, inDim) : tf.transpose(blockSlice(w, 0, start, inDim, size));
      const product = tf.matMul<tf.Tensor2D>(blockSlice(dy, 0, start, N, size), part);
      return dx ? tf.add<tf.Tensor2D>(dx, product) : product;
    });
    dx?.dispose();
    dx = sum;
  }
  return dx!;
}

/**
 * x [N, in] @ w [in, out] for a frozen weight: only dx is computed. A resident base weight outlives
 * the backward pass, so the closure reads it: save() would copy it (tfjs-wasm's clone copies the
 * data). A compact model's widened weight is freed when its block's scope ends, before the
 * backward pass, so that one is saved.
 */
function matMulFrozenWeight(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  // Selective recomputation (kept-products.ts): a recomputed block's first run (tape off, so no
  // gradient function is needed) keeps each product's output; its recomputation returns the kept
  // output with the same backward instead of multiplying again.
  const kept = activeKeptProducts();
  if (kept?.recording) {
    const y = tf.matMul<tf.Tensor2D>(x, w);
    kept.record(y);
    return y;
  }
  const reused = kept?.replaying ? kept.take(x.shape[0], w.shape) : null;
  const transient = isWidenedWeight(w);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    if (transient) save([w]);
    return {
      value: reused ?? tf.matMul(xIn, w),
      // The transposes are freed at once (see matMulTrainableWeight), not at the pass's end.
      gradFunc: (dy, saved) => frozenInputGrad(dy as tf.Tensor2D, transient ? (saved[0] as tf.Tensor2D) : w),
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * True inside tf.grad / variableGrads / optimizer.minimize. Outside (inference, decoding) the
 * custom-gradient wrapper is pure overhead (a scope per call), so plain matMul is used.
 */
export function recordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return state?.gradientDepth === undefined || state.gradientDepth > 0;
}

/**
 * y = x @ W (+ b) for x of any rank [..., in]; W is [in, out]. `trained`: W needs a gradient (a
 * trainable Variable, or a tensor computed from one in this pass, like a trained tied table's
 * transpose, which a frozen weight's backward could not even read once the pass's scope ended).
 */
export function matMulLastAxis(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor, trained = isTrainable(w)): tf.Tensor {
  const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, w.shape[0]])) as tf.Tensor2D; // [N, in]
  let y: tf.Tensor2D;
  if (!recordingGradients()) y = tf.matMul(x2, w);
  else y = trained ? matMulTrainableWeight(x2, w) : matMulFrozenWeight(x2, w);
  if (bias) y = tf.add(y, bias);
  return y;
}

/**
 * The one linear function of the runtime. `name` is the HF module path without `.weight`
 * (`model.layers.0.self_attn.q_proj`, `transformer.h.0.attn.c_attn`, `lm_head`).
 * x [..., in] -> [..., out].
 */
export function linear(
  weights: WeightMap,
  name: string,
  x: tf.Tensor,
  hooks?: ForwardHooks,
  weightOverride?: tf.Tensor2D,
  /** The override is computed from a trained weight (a trained tied table's transpose). */
  overrideTrained = false,
): tf.Tensor {
  const w = weightOverride ?? (weights.get(`${name}.weight`) as tf.Tensor2D);
  const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, w.shape[0]])) as tf.Tensor2D; // [N, in]
  let y = matMulLastAxis(x2, w, weights.get(`${name}.bias`), overrideTrained || isTrainable(w)) as tf.Tensor2D; // [N, out]
  if (hooks?.linear) y = hooks.linear(name, x2, y);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]]);
}

/** Llama RMSNorm: x * rsqrt(mean(x^2) + eps) * w over the last axis. */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  // While training: hand-written backwards (they save x and one scale per row instead of every
  // intermediate; stock autodiff keeps ≈ 5 row-sized tensors per norm until the end of the backward
  // pass) that also pass no gradient through an all-zero row (see rmsNormInputGrad).
  const recording = recordingGradients();
  if (recording) return isTrainable(weight) ? rmsNormTrainableWeight(x, weight, eps) : rmsNormFrozenWeight(x, weight, eps);
  if (!recording && canFuseOnWasm(x, weight) && sameShapes(weight.shape, x.shape.slice(-1))) return fusedRmsNorm(x, weight, eps);
  return tf.mul(tf.mul(x, rmsScale(x, eps)), weight);
}

/** rsqrt(mean(x^2) + eps) over the last axis, keeping it: [..., 1]. */
function rmsScale(x: tf.Tensor, eps: number): tf.Tensor {
  return tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps));
}

/**
 * dx = r · (g − x · r² · mean(g · x)) with g = dy · w and r = rs the row scale, and dx = 0 for a row
 * of x that is exactly zero.
 *
 * Why the zero rows: an all-zero embedding row (padding and special tokens in real checkpoints) as
 * the first token of a sequence stays exactly zero through every layer (it attends only to itself,
 * and its values are zero). At such a row the norm's derivative is r · w with r = 1/√eps ≈ 316, and
 * through that row's own attention it compounds layer after layer (≈ 80× per layer at SmolLM2-135M's
 * shape), overflowing float32 within about 16 layers; the resulting ∞ then meets the row's exactly
 * zero activations in every weight gradient as 0 · ∞ = NaN (PyTorch does the same). In exact
 * arithmetic the row adds exactly zero to every weight gradient (each is a product with the row's
 * zero activations), so passing no gradient back through it keeps all weight gradients exact; what
 * is dropped is only the gradient into the zero row itself (a frozen embedding row, or a soft-prompt
 * row initialised to exactly zero).
 */
function rmsNormInputGrad(dy: tf.Tensor, xs: tf.Tensor, rs: tf.Tensor, weight: tf.Tensor): tf.Tensor {
  const g = tf.mul(dy, weight);
  const along = tf.mean(tf.mul(g, xs), -1, true); // [..., 1]
  const live = tf.cast(tf.greater(tf.max(tf.abs(xs), -1, true), 0), 'float32'); // [..., 1]: 0 for an all-zero row
  return tf.mul(tf.sub(g, tf.mul(xs, tf.mul(tf.square(rs), along))), tf.mul(rs, live));
}

function rmsNormFrozenWeight(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const r = rmsScale(xIn, eps);
    save([xIn, r]);
    return {
      value: tf.mul(tf.mul(xIn, r), weight),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs, rs] = saved as [tf.Tensor, tf.Tensor];
          return rmsNormInputGrad(dy, xs, rs, weight);
        }),
    };
  });
  return op(x) as tf.Tensor;
}

/** A trainable weight (LN tuning, full fine-tuning): dx as above, dw = Σ over rows of dy · x · r. */
function rmsNormTrainableWeight(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const r = rmsScale(xIn, eps);
    save([xIn, r, w]);
    return {
      value: tf.mul(tf.mul(xIn, r), w),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs, rs, ws] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          const width = xs.shape[xs.shape.length - 1]!;
          const dw = tf.reshape(tf.sum(tf.reshape(tf.mul(dy, tf.mul(xs, rs)), [-1, width]), 0), ws.shape);
          return [rmsNormInputGrad(dy, xs, rs, ws), dw];
        }),
    };
  });
  return op(x, weight) as tf.Tensor;
}

/**
 * Llama's MLP activation silu(gate) · up. While training, one hand-written backward
 * (d gate = dy · up · σ · (1 + gate · (1 − σ)), d up = dy · silu(gate)) saves gate and up only.
 */
export function swiGlu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  if (!recordingGradients()) {
    if (canFuseOnWasm(gate, up) && sameShapes(gate.shape, up.shape)) return fusedSwiGlu(gate, up);
    return tf.mul(silu(gate), up);
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [g, u, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([g, u]);
    return {
      value: tf.mul(silu(g), u),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [gs, us] = saved as [tf.Tensor, tf.Tensor];
          const sig = tf.sigmoid(gs);
          const dSilu = tf.mul(sig, tf.add(1, tf.mul(gs, tf.sub(1, sig))));
          return [tf.mul(tf.mul(dy, us), dSilu), tf.mul(dy, tf.mul(gs, sig))];
        }),
    };
  });
  return op(gate, up) as tf.Tensor;
}

/** GPT-2 LayerNorm over the last axis (biased variance, like torch). */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, weight), bias);
}

/** GPT-2 "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** SiLU / swish: x * sigmoid(x). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * Embedding rows for ids [B, T] -> [B, T, D]. A frozen table uses gather. A trainable one
 * (full fine-tuning) gets a custom gradient through a one-hot matMul, because gather's gradient
 * needs UnsortedSegmentSum, which the wasm backend lacks.
 */
export function embed(table: tf.Tensor2D, ids: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = ids.shape;
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const rows = isTrainable(table) ? gatherTrainable(table, flat) : tf.gather(table, flat);
  return tf.reshape(rows, [B, T, table.shape[1]]);
}

function gatherTrainable(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const vocab = table.shape[0];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [tableIn, idsIn, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([idsIn]);
    return {
      value: tf.gather(tableIn, idsIn),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          // tf.oneHot(..., 'float32') returns garbage on wasm; cast an int one-hot instead.
          const oneHot = tf.cast(tf.oneHot(saved[0] as tf.Tensor1D, vocab), 'float32') as tf.Tensor2D; // [N, V]
          const dTable = tf.matMul(tf.transpose(oneHot), dy as tf.Tensor2D); // [V, D]
          return [dTable, tf.zerosLike(saved[0]!)];
        }),
    };
  });
  return op(table, ids) as tf.Tensor2D;
}
