// Causal-LM cross-entropy with a loss mask: position t's logits predict token t+1, and only tokens
// the mask marks (the example's output) count. Soft prompts prepend rows to the logits; those rows
// get a zero mask here, so masks and labels stay in input coordinates.
//
// Written for the largest tensor of a training step, the logits [N, V]:
// - no copy of the logits: targets and mask are shifted instead of slicing the logits;
// - no one-hot in the forward pass: the target logit is a gather on the flat logits;
// - a hand-written gradient, d(Σ masked NLL)/d logits = (softmax − one-hot) · mask, computed in
//   one tidy in the backward pass, instead of the stock chain through logSumExp and a one-hot
//   product that keeps several [N, V] tensors alive between forward and backward.
import * as tf from '@tensorflow/tfjs';
import { gradientNow, recompute } from '../../model/recompute';

/**
 * logits [B, P + T, V] (P rows prepended by a soft prompt), ids [B, T] int32,
 * lossMask [B, T] float (1 where the token is an output token to predict).
 * Returns the summed NLL of predicting ids[:, 1:] from logits[:, P : P+T-1] where lossMask[:, 1:] = 1.
 */
export function maskedNllSum(logits: tf.Tensor3D, ids: tf.Tensor2D, lossMask: tf.Tensor2D, prepended: number): tf.Scalar {
  return tf.tidy(() => {
    const [B, rows, V] = logits.shape;
    const { targets, mask } = shiftedTargets(ids, lossMask, prepended);
    if (targets.shape[0] !== B * rows) throw new RangeError(`logits have ${rows} rows, ids need ${prepended + ids.shape[1]}`);
    return crossEntropySum(tf.reshape(logits, [-1, V]) as tf.Tensor2D, targets, mask);
  });
}

/** Bytes of float32 logits one chunk of the chunked loss may hold: a few times this is live at once. */
export const HEAD_CHUNK_BYTES = 32 * 1024 * 1024;

/** Rows per chunk so that one chunk's [rows, V] float32 logits take at most `bytes`. */
export function headChunkRows(vocabSize: number, bytes = HEAD_CHUNK_BYTES): number {
  return Math.max(1, Math.floor(bytes / (vocabSize * 4)));
}

export interface ChunkedLossInput {
  /** Final-normed hidden states [B * (P + T), D]. */
  hidden: tf.Tensor2D;
  /** hidden [n, D] -> logits [n, V] (the model's head, with the method's hooks). */
  project: (hidden: tf.Tensor2D) => tf.Tensor2D;
  ids: tf.Tensor2D;
  lossMask: tf.Tensor2D;
  prepended: number;
  /** Rows projected at once (headChunkRows). */
  chunkRows: number;
  /** Trainable variables `project` may read (a LoRA on lm_head, a trainable tied table). */
  variables?: readonly tf.Variable[];
  /**
   * Most bytes of those variables' gradients kept from the forward pass over all chunks (default
   * HEAD_CHUNK_BYTES). Within it each chunk's gradient is taken in the forward pass; beyond it
   * (a trained embedding table) chunks are recomputed in the backward pass.
   */
  keptVariableGradBytes?: number;
}

/**
 * maskedNllSum without the whole [N, V] logits: rows are projected and reduced a chunk at a time.
 * While training, each chunk's gradient is taken in the forward pass (`gradientNow`,
 * model/recompute.ts): its logits, their gradient and the head's backward product are made and
 * freed there, and only the gradient of the chunk's hidden rows (and of small head variables, a
 * LoRA on lm_head) is kept, so one chunk's logits are alive at a time and no chunk is projected
 * twice. When the head's variables' gradients would keep too much (a trained tied table), chunks
 * are recomputed sections instead: the backward pass projects them again. When every row fits in
 * one chunk it is the plain path.
 */
export function chunkedMaskedNllSum(input: ChunkedLossInput): tf.Scalar {
  const { hidden, project, ids, lossMask, prepended, chunkRows } = input;
  return tf.tidy(() => {
    const { targets, mask } = shiftedTargets(ids, lossMask, prepended);
    const N = hidden.shape[0];
    if (targets.shape[0] !== N) throw new RangeError(`hidden has ${N} rows, ids need ${ids.shape[0] * (prepended + ids.shape[1])}`);
    if (N <= chunkRows) return crossEntropySum(project(hidden), targets, mask);
    const D = hidden.shape[1];
    const parts: tf.Scalar[] = [];
    const variables = input.variables ?? [];
    // Variable gradients kept over all chunks: at most one chunk of logits (what the plan budgets).
    const maxVariableGradElements = Math.floor((input.keptVariableGradBytes ?? HEAD_CHUNK_BYTES) / 4 / Math.ceil(N / chunkRows));
    let eager = true;
    for (let start = 0; start < N; start += chunkRows) {
      const size = Math.min(chunkRows, N - start);
      const rows = tf.slice(hidden, [start, 0], [size, D]);
      const chunkTargets = tf.slice(targets, [start], [size]);
      const chunkMask = tf.slice(mask, [start], [size]);
      const section = (x: tf.Tensor, t: tf.Tensor, m: tf.Tensor) => crossEntropySum(project(x as tf.Tensor2D), t as tf.Tensor1D, m as tf.Tensor1D);
      // The chunk's gradient is taken in the forward pass (one head product fewer than
      // recomputing it), unless the variables the head reads would keep too much: then every
      // chunk from here on is recomputed in the backward pass instead.
      const now = eager ? gradientNow(section, [rows], [chunkTargets, chunkMask], variables, maxVariableGradElements) : null;
      if (!now) eager = false;
      parts.push(now ?? (recompute(section, [rows], [chunkTargets, chunkMask], variables) as tf.Scalar));
    }
    return tf.addN(parts) as tf.Scalar;
  });
}

/**
 * Row r of the logits predicts input token r − P + 1: labels and mask shifted left by one and
 * padded with P leading and 1 trailing masked positions, to [B, P + T], flattened to [N].
 */
function shiftedTargets(ids: tf.Tensor2D, lossMask: tf.Tensor2D, prepended: number): { targets: tf.Tensor1D; mask: tf.Tensor1D } {
  const [B, T] = ids.shape;
  const shift = (x: tf.Tensor2D) => {
    const parts = [tf.slice(x, [0, 1], [B, T - 1]), tf.zeros([B, 1], x.dtype)];
    if (prepended > 0) parts.unshift(tf.zeros([B, prepended], x.dtype));
    return tf.reshape(tf.concat(parts, 1), [-1]) as tf.Tensor1D; // [N]
  };
  return { targets: shift(ids), mask: shift(tf.cast(lossMask, 'float32') as tf.Tensor2D) };
}

/** Σ_n mask[n] · (logsumexp(logits[n]) − logits[n, target[n]]), gradient only w.r.t. logits. */
function crossEntropySum(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // logsumexp as tf.logSumExp computes it (max + log Σ exp(x − max), the same ops, so the same
    // value), keeping exp(x − max): the backward's softmax is that over its sum, instead of a
    // second exp over the [N, V] logits (each one is ≈ 65 ms for 170 × 49,152 on wasm).
    const rowMax = tf.max(x, -1, true); // [N, 1]
    const shiftedExp = tf.exp(tf.sub(x, rowMax)); // [N, V]
    const expSum = tf.sum(shiftedExp, -1, true); // [N, 1]
    const logSumExp = tf.add(rowMax, tf.log(expSum)); // [N, 1]
    const flatIndex = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), tf.cast(targets, 'int32')); // [N]
    const targetLogit = tf.gather(tf.reshape(x, [-1]), flatIndex); // [N]
    const value = tf.sum(tf.mul(tf.sub(tf.reshape(logSumExp, [-1]), targetLogit), mask)) as tf.Scalar;
    save([shiftedExp, expSum, targets, mask]);
    return {
      value,
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [exps, sums, labels, weights] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          // tf.oneHot(..., 'float32') misbehaves on wasm: cast an int one-hot instead.
          const oneHot = tf.cast(tf.oneHot(labels, V), 'float32');
          const scale = tf.reshape(tf.mul(weights, dy), [-1, 1]); // [N, 1]
          return [tf.mul(tf.sub(tf.div(exps, sums), oneHot), scale)];
        }),
    };
  });
  return op(logits) as tf.Scalar;
}
