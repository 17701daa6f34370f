// tf.variable keeps a reference to its initial tensor's data but does not take ownership of the
// tensor object, so the initial tensor must be disposed or it counts as a leak. This does both.
import * as tf from '@tensorflow/tfjs';

/** A variable holding `initial`'s values; `initial` is disposed. */
export function variableFrom(initial: tf.Tensor, trainable = true): tf.Variable {
  const variable = tf.variable(initial, trainable);
  initial.dispose();
  return variable;
}
