// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_): if the norm of all gradients
// together exceeds maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6).
import * as tf from '@tensorflow/tfjs';

/** The global L2 norm of a set of gradients (scalar tensor). */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.sqrt(tf.addN([...grads].map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/** New, clipped gradients (inputs are not disposed). `norm` is the pre-clip global norm. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, norm: number, maxNorm: number): Map<string, tf.Tensor> {
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  const out = new Map<string, tf.Tensor>();
  for (const [key, grad] of grads) out.set(key, scale === 1 ? tf.clone(grad) : tf.mul(grad, scale));
  return out;
}
