// Merging folds each LoRA update into its base weight (W' = W + scale·Aᵀ·Bᵀ in the WeightMap's
// [in, out] layout), so a merged model runs at the base model's speed with no hooks; unmerging
// subtracts it again. Tensors are immutable in TF.js, so both return a new map that shares every
// untouched tensor with its input; `disposeReplaced` (src/tuning/weight-maps.ts) frees the ones a merge created.
// DoRA (PEFT's DoraLinearVariant.merge_safe): W' = (m / ‖W + ΔW‖) · (W + ΔW) per output feature
// (column of the [in, out] layout), the norm taken on the weight merged into; the bias is untouched.
// Unmerging divides by the same factor, taken from the base weights the adapter was built on (PEFT
// caches the merge-time norm for the same reason: the merged weight no longer determines it).
import * as tf from '@tensorflow/tfjs';
import type { WeightMap } from '../../../model/types';
import { TuningConfigError } from '../../errors';

/** What merging needs of a LoRA adapter: its target modules and each one's weight update. */
export interface MergeableLora {
  modules(): { module: { name: string } }[];
  /** scale·Aᵀ·Bᵀ for one module, in the WeightMap's [in, out] layout. */
  delta(moduleName: string): tf.Tensor;
  /** DoRA: magnitude / ‖weight + delta‖ per output feature ([out]); null (or absent) without DoRA. */
  magnitudeScale?(moduleName: string, weight?: tf.Tensor2D): tf.Tensor | null;
}

export function mergeLora(adapter: MergeableLora, base: WeightMap): WeightMap {
  return applyDeltas(adapter, base, 1);
}

export function unmergeLora(adapter: MergeableLora, merged: WeightMap): WeightMap {
  return applyDeltas(adapter, merged, -1);
}


function applyDeltas(adapter: MergeableLora, weights: WeightMap, sign: 1 | -1): WeightMap {
  const out: WeightMap = new Map(weights);
  for (const { module } of adapter.modules()) {
    const name = `${module.name}.weight`;
    const weight = weights.get(name);
    if (!weight) {
      throw new TuningConfigError(
        'targetModules',
        `cannot merge into ${module.name}: the model has no separate weight there (tied embeddings); use the adapter unmerged`,
      );
    }
    out.set(
      name,
      tf.tidy(() => {
        const delta = adapter.delta(module.name);
        if (sign === 1) {
          const scale = adapter.magnitudeScale?.(module.name, weight as tf.Tensor2D);
          const sum = tf.add(weight, delta);
          return scale ? tf.mul(sum, scale) : sum;
        }
        const scale = adapter.magnitudeScale?.(module.name);
        return tf.sub(scale ? tf.div(weight, scale) : weight, delta);
      }),
    );
  }
  return out;
}
