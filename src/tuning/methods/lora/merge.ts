// Merging folds each LoRA update into its base weight (W' = W + scale·Aᵀ·Bᵀ in the WeightMap's
// [in, out] layout), so a merged model runs at the base model's speed with no hooks; unmerging
// subtracts it again. Tensors are immutable in TF.js, so both return a new map that shares every
// untouched tensor with its input; `disposeReplaced` (src/tuning/weight-maps.ts) frees the ones a merge created.
import * as tf from '@tensorflow/tfjs';
import type { WeightMap } from '../../../model/types';
import { TuningConfigError } from '../../errors';

/** What merging needs of a LoRA adapter: its target modules and each one's weight update. */
export interface MergeableLora {
  modules(): { module: { name: string } }[];
  /** scale·Aᵀ·Bᵀ for one module, in the WeightMap's [in, out] layout. */
  delta(moduleName: string): tf.Tensor;
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
        return sign === 1 ? tf.add(weight, delta) : tf.sub(weight, delta);
      }),
    );
  }
  return out;
}
