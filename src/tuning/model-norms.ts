// The normalisation layers a model has, named as Hugging Face (and so PEFT) names the modules:
// GPT-2's LayerNorms (weight and bias), the Llama family's RMSNorms (weight only). Methods that
// train norms (LN tuning, lightweight tuning) target these names.
import type { ModelConfig } from '../model/types';

export interface NormModule {
  /** HF module path, e.g. `model.layers.0.input_layernorm`, `transformer.ln_f`. */
  name: string;
  /** Its parameters' suffixes: `weight` (RMSNorm) or `weight` and `bias` (LayerNorm). */
  params: readonly ('weight' | 'bias')[];
  size: number;
}

/** Every norm of the model in forward order, the final norm last. */
export function normModules(model: ModelConfig): NormModule[] {
  const D = model.hiddenSize;
  const out: NormModule[] = [];
  if (model.family === 'gpt2') {
    const params = ['weight', 'bias'] as const;
    for (let i = 0; i < model.numLayers; i++) out.push({ name: `transformer.h.${i}.ln_1`, params, size: D }, { name: `transformer.h.${i}.ln_2`, params, size: D });
    out.push({ name: 'transformer.ln_f', params, size: D });
    return out;
  }
  const params = ['weight'] as const;
  for (let i = 0; i < model.numLayers; i++) {
    out.push({ name: `model.layers.${i}.input_layernorm`, params, size: D }, { name: `model.layers.${i}.post_attention_layernorm`, params, size: D });
  }
  out.push({ name: 'model.norm', params, size: D });
  return out;
}

/** WeightMap names of these norms' parameters. */
export function normParameterNames(norms: readonly NormModule[]): string[] {
  return norms.flatMap((norm) => norm.params.map((p) => `${norm.name}.${p}`));
}
