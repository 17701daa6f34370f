// Switching a loaded model between float32 block weights and compact ones (compact-weights.ts).
// Training a large model keeps its block weights compact; merging a LoRA, exporting weights and
// fast decoding want them float32 again (a compact model widens every block on every pass).
import { compactBlockLinears } from './compact-weights';
import type { LoadedModel } from './model';

/** Moves the model's block linear weights into compact host storage (in place). */
export function compactModel(model: LoadedModel): LoadedModel {
  if (model.compact) return model;
  model.compact = compactBlockLinears(model.weights, model.config.numLayers);
  return model;
}

/** Gives a compact model its float32 block weights back (in place). */
export function expandModel(model: LoadedModel): LoadedModel {
  if (!model.compact) return model;
  for (const [name, tensor] of model.compact.widenAll()) model.weights.set(name, tensor);
  model.compact = null;
  return model;
}
