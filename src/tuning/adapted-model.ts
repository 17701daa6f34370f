// The model as an adapter runs it: methods that train base weights (full fine-tuning, LN tuning,
// head/norm/bias-only) put their trained copies in place of the base entries; the others leave the
// weights alone and act through hooks. Every forward pass with an adapter (training, generation,
// scoring) goes through here or Adapter.weights, so those methods are never run on stale weights.
import type { LoadedModel } from '../model/model';
import type { Adapter } from './types';

/** `model` with `adapter`'s weights in place (the same object when the adapter changes none). */
export function adaptedModel(model: LoadedModel, adapter: Pick<Adapter, 'weights'> | null | undefined): LoadedModel {
  if (!adapter) return model;
  const weights = adapter.weights(model.weights);
  return weights === model.weights ? model : { ...model, weights };
}
