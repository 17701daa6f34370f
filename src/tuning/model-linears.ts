// The linear layers a model has, named exactly as Hugging Face (and so PEFT) names the modules.
// Methods that attach to linears (LoRA today; IA3 and adapters later) target these names, and the
// PEFT importer uses the shapes to refuse adapters made for another model.
import type { ModelConfig } from '../model/types';

/**
 * How the weight is stored in the checkpoint: `out-in` is torch.nn.Linear ([out, in]);
 * `in-out` is GPT-2's Conv1D ([in, out], PEFT's `fan_in_fan_out: true`).
 */
export type WeightLayout = 'out-in' | 'in-out';

export interface LinearModule {
  /** HF module path without `.weight`, e.g. `model.layers.0.self_attn.q_proj`. */
  name: string;
  layer: number | null;
  kind: 'attention' | 'mlp' | 'head';
  inFeatures: number;
  outFeatures: number;
  layout: WeightLayout;
}

/** Every linear module of the model, in forward order, lm_head last. */
export function linearModules(config: ModelConfig): LinearModule[] {
  const modules = config.family === 'gpt2' ? gpt2Linears(config) : llamaLinears(config);
  const layout: WeightLayout = config.family === 'gpt2' ? 'in-out' : 'out-in';
  modules.push({
    name: 'lm_head',
    layer: null,
    kind: 'head',
    inFeatures: config.hiddenSize,
    outFeatures: config.vocabSize,
    layout: config.family === 'gpt2' ? 'out-in' : layout, // GPT-2's lm_head is an nn.Linear
  });
  return modules;
}

function llamaLinears(c: ModelConfig): LinearModule[] {
  const D = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const I = c.intermediateSize;
  const out: LinearModule[] = [];
  for (let layer = 0; layer < c.numLayers; layer++) {
    const attn = `model.layers.${layer}.self_attn`;
    const mlp = `model.layers.${layer}.mlp`;
    const add = (name: string, kind: LinearModule['kind'], inF: number, outF: number) =>
      out.push({ name, layer, kind, inFeatures: inF, outFeatures: outF, layout: 'out-in' });
    add(`${attn}.q_proj`, 'attention', D, q);
    add(`${attn}.k_proj`, 'attention', D, kv);
    add(`${attn}.v_proj`, 'attention', D, kv);
    add(`${attn}.o_proj`, 'attention', q, D);
    add(`${mlp}.gate_proj`, 'mlp', D, I);
    add(`${mlp}.up_proj`, 'mlp', D, I);
    add(`${mlp}.down_proj`, 'mlp', I, D);
  }
  return out;
}

function gpt2Linears(c: ModelConfig): LinearModule[] {
  const D = c.hiddenSize;
  const I = c.intermediateSize;
  const out: LinearModule[] = [];
  for (let layer = 0; layer < c.numLayers; layer++) {
    const h = `transformer.h.${layer}`;
    const add = (name: string, kind: LinearModule['kind'], inF: number, outF: number) =>
      out.push({ name, layer, kind, inFeatures: inF, outFeatures: outF, layout: 'in-out' });
    add(`${h}.attn.c_attn`, 'attention', D, 3 * D);
    add(`${h}.attn.c_proj`, 'attention', D, D);
    add(`${h}.mlp.c_fc`, 'mlp', D, I);
    add(`${h}.mlp.c_proj`, 'mlp', I, D);
  }
  return out;
}

/**
 * PEFT's `check_target_module_exists`: a string is a regular expression that must match the whole
 * module name; a list matches a name equal to an entry or ending with `.` + entry.
 */
export function matchesTarget(name: string, targets: string | readonly string[]): boolean {
  if (typeof targets === 'string') return new RegExp(`^(?:${targets})$`).test(name);
  return targets.some((target) => name === target || name.endsWith(`.${target}`));
}

/** Name of the token-embedding matrix ([V, D]) in the weight map. */
export function embeddingWeightName(config: ModelConfig): string {
  return config.family === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
}
