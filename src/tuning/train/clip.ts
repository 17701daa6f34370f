// Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_): if the norm of all gradients
// together exceeds maxNorm, every gradient is scaled by maxNorm / (norm + 1e-6).
import * as tf from '@tensorflow/tfjs';

/** The global L2 norm of a set of gradients (scalar tensor). */
export function globalNorm(grads: Iterable<tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    // Summed pairwise, not with tf.addN: WebGPU's addN binds every input as its own storage
    // buffer, and a device may allow only 8 per shader (LoRA on 2 layers already has 16 tensors;
    // the pipeline was invalid and the step silently read zeros).
    const total = [...grads].reduce<tf.Tensor>((sum, g) => tf.add(sum, tf.sum(tf.square(g))), tf.scalar(0));
    return tf.sqrt(total) as tf.Scalar;
  });
}

/** New, clipped gradients (inputs are not disposed). `norm` is the pre-clip global norm. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, norm: number, maxNorm: number): Map<string, tf.Tensor> {
  const scale = norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  const out = new Map<string, tf.Tensor>();
  for (const [key, grad] of grads) out.set(key, scale === 1 ? tf.clone(grad) : tf.mul(grad, scale));
  return out;
}
