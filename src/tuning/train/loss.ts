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
import { recompute } from '../../model/recompute';

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
}

/**
 * maskedNllSum without the whole [N, V] logits: rows are projected and reduced a chunk at a time.
 * While training, each chunk is a recomputed section (model/recompute.ts): the forward pass keeps
 * only the chunk's hidden rows and the backward pass projects the chunk again, so one chunk's
 * logits are alive at a time in either pass. When every row fits in one chunk it is the plain
 * path (no second projection).
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
    for (let start = 0; start < N; start += chunkRows) {
      const size = Math.min(chunkRows, N - start);
      const rows = tf.slice(hidden, [start, 0], [size, D]);
      const chunkTargets = tf.slice(targets, [start], [size]);
      const chunkMask = tf.slice(mask, [start], [size]);
      const part = recompute(
        (x, t, m) => crossEntropySum(project(x as tf.Tensor2D), t as tf.Tensor1D, m as tf.Tensor1D),
        [rows],
        [chunkTargets, chunkMask],
        input.variables ?? [],
      );
      parts.push(part as tf.Scalar);
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
    const logSumExp = tf.logSumExp(x, -1, true); // [N, 1]
    const flatIndex = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), tf.cast(targets, 'int32')); // [N]
    const targetLogit = tf.gather(tf.reshape(x, [-1]), flatIndex); // [N]
    const value = tf.sum(tf.mul(tf.sub(tf.reshape(logSumExp, [-1]), targetLogit), mask)) as tf.Scalar;
    save([x, logSumExp, targets, mask]);
    return {
      value,
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs, lse, labels, weights] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
          // tf.oneHot(..., 'float32') misbehaves on wasm: cast an int one-hot instead.
          const oneHot = tf.cast(tf.oneHot(labels, V), 'float32');
          const scale = tf.reshape(tf.mul(weights, dy), [-1, 1]); // [N, 1]
          return [tf.mul(tf.sub(tf.exp(tf.sub(xs, lse)), oneHot), scale)];
        }),
    };
  });
  return op(logits) as tf.Scalar;
}
