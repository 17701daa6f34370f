// Causal-LM cross-entropy with a loss mask: position t's logits predict token t+1, and only tokens
// the mask marks (the example's output) count. Soft prompts prepend rows to the logits; those are
// skipped here so masks and labels stay in input coordinates.
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
    const targets = tf.slice(ids, [0, 1], [B, T - 1]); // [B, T-1]
    const mask = tf.slice(lossMask, [0, 1], [B, T - 1]); // [B, T-1]
    const flat = tf.reshape(predicting, [-1, V]) as tf.Tensor2D; // [N, V]
    // tf.oneHot(..., 'float32') misbehaves on wasm and gather's gradient is missing there: cast a one-hot.
    const oneHot = tf.cast(tf.oneHot(tf.reshape(targets, [-1]) as tf.Tensor1D, V), 'float32'); // [N, V]
    const targetLogit = tf.sum(tf.mul(flat, oneHot), -1); // [N]
    const nll = tf.sub(tf.logSumExp(flat, -1), targetLogit); // [N]
    return tf.sum(tf.mul(nll, tf.reshape(mask, [-1])));
  });
}
