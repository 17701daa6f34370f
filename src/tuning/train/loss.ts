// Causal-LM cross-entropy with a loss mask: position t's logits predict token t+1, and only tokens
// the mask marks (the example's output) count. Soft prompts prepend rows to the logits; those are
// skipped here so masks and labels stay in input coordinates.
//
// The gradient is written by hand, d(sum of masked NLL)/d logits = (softmax − one-hot) · mask:
// one pass over [N, V] instead of the stock chain through logSumExp (max, exp, sum, log) and the
// one-hot product, which costs several passes over the largest tensor of a step.
import * as tf from '@tensorflow/tfjs';

/**
 * logits [B, P + T, V] (P rows prepended by a soft prompt), ids [B, T] int32,
 * lossMask [B, T] float (1 where the token is an output token to predict).
 * Returns the summed NLL of predicting ids[:, 1:] from logits[:, P : P+T-1] where lossMask[:, 1:] = 1.
 */
export function maskedNllSum(logits: tf.Tensor3D, ids: tf.Tensor2D, lossMask: tf.Tensor2D, prepended: number): tf.Scalar {
  return tf.tidy(() => {
    const [B, , V] = logits.shape;
    const T = ids.shape[1];
    const predicting = tf.slice(logits, [0, prepended, 0], [B, T - 1, V]); // [B, T-1, V]
    const targets = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [-1]) as tf.Tensor1D; // [N]
    const mask = tf.reshape(tf.slice(lossMask, [0, 1], [B, T - 1]), [-1]) as tf.Tensor1D; // [N]
    return crossEntropySum(tf.reshape(predicting, [-1, V]) as tf.Tensor2D, targets, mask);
  });
}

/** Σ_n mask[n] · (logsumexp(logits[n]) − logits[n, target[n]]), gradient only w.r.t. logits. */
function crossEntropySum(logits: tf.Tensor2D, targets: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const V = logits.shape[1];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // tf.oneHot(..., 'float32') misbehaves on wasm: cast an int one-hot instead.
    const oneHot = tf.cast(tf.oneHot(targets, V), 'float32') as tf.Tensor2D; // [N, V]
    const logSumExp = tf.logSumExp(x, -1, true); // [N, 1]
    const targetLogit = tf.sum(tf.mul(x, oneHot), -1, true); // [N, 1]
    const weights = tf.reshape(mask, [-1, 1]); // [N, 1]
    const value = tf.sum(tf.mul(tf.sub(logSumExp, targetLogit), weights)) as tf.Scalar;
    save([tf.exp(tf.sub(x, logSumExp)), oneHot, weights]); // softmax [N, V], one-hot, mask
    return {
      value,
      gradFunc: (dy, saved) => {
        const [probs, hot, w] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        return [tf.mul(tf.sub(probs, hot), tf.mul(w, dy))];
      },
    };
  });
  return op(logits) as tf.Scalar;
}
