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

/**
 * logits [B, P + T, V] (P rows prepended by a soft prompt), ids [B, T] int32,
 * lossMask [B, T] float (1 where the token is an output token to predict).
 * Returns the summed NLL of predicting ids[:, 1:] from logits[:, P : P+T-1] where lossMask[:, 1:] = 1.
 */
export function maskedNllSum(logits: tf.Tensor3D, ids: tf.Tensor2D, lossMask: tf.Tensor2D, prepended: number): tf.Scalar {
  return tf.tidy(() => {
    const [B, rows, V] = logits.shape;
    const T = ids.shape[1];
    // Row r of the logits predicts input token r − P + 1: shift labels and mask left by one and
    // pad with P leading and 1 trailing masked positions, to [B, P + T].
    const shift = (x: tf.Tensor2D) => {
      const parts = [tf.slice(x, [0, 1], [B, T - 1]), tf.zeros([B, 1], x.dtype)];
      if (prepended > 0) parts.unshift(tf.zeros([B, prepended], x.dtype));
      return tf.reshape(tf.concat(parts, 1), [-1]) as tf.Tensor1D; // [N]
    };
    const targets = shift(ids);
    const mask = shift(tf.cast(lossMask, 'float32') as tf.Tensor2D);
    if (targets.shape[0] !== B * rows) throw new RangeError(`logits have ${rows} rows, ids need ${prepended + T}`);
    return crossEntropySum(tf.reshape(logits, [-1, V]) as tf.Tensor2D, targets, mask);
  });
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
