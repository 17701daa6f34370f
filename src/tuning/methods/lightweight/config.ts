// Lightweight tuning settings as plain data: which parts of the frozen model are trained. `head`:
// the LM head; `norms`: every RMSNorm / LayerNorm weight (and LayerNorm bias); `bias`: every
// linear layer's bias (BitFit, Ben Zaken et al. 2022). Any non-empty subset.
import type { ModelConfig } from '../../../model/types';
import { expectedTensors } from '../../../model/weights';
import { MissingModelPartError, TuningConfigError } from '../../errors';
import { linearModules } from '../../model-linears';
import { normModules, normParameterNames } from '../../model-norms';

export const LIGHTWEIGHT_PARTS = ['head', 'norms', 'bias'] as const;
export type LightweightPart = (typeof LIGHTWEIGHT_PARTS)[number];

export interface LightweightConfig {
  /** The parts to train: a list, or the comma-separated list `attune train --parts` gives. */
  parts: string | string[];
}

declare module '../../types' {
  interface MethodConfigMap {
    lightweight: LightweightConfig;
  }
}

/** The name under which the head is trained; tied models get a separate copy there (see method.ts). */
export const HEAD_WEIGHT = 'lm_head.weight';

/** The parts as a list, in the order written (comma lists split, blanks dropped). */
export function partList(config: LightweightConfig): string[] {
  const raw = typeof config.parts === 'string' ? config.parts.split(',') : Array.isArray(config.parts) ? config.parts : [];
  return raw.map((part) => (typeof part === 'string' ? part.trim() : String(part))).filter((part) => part !== '');
}

/**
 * Weight-map names of every linear bias the model has. GPT-2: all of them; Qwen2 (attention_bias):
 * q/k/v; other Llama-family models with attention_bias also o_proj; plain Llama: none.
 */
export function linearBiasNames(model: ModelConfig): string[] {
  const required = new Set(expectedTensors(model).filter((spec) => !spec.optional).map((spec) => spec.name));
  const names = linearModules(model).map((m) => `${m.name}.bias`);
  const withOProj = model.family === 'llama' && model.attentionBias && model.modelType !== 'qwen2';
  return names.filter((name) => required.has(name) || (withOProj && name.endsWith('.self_attn.o_proj.bias')));
}

/** The parts this model has (every model has a head and norms; biases depend on the family). */
export function availableParts(model: ModelConfig): LightweightPart[] {
  return LIGHTWEIGHT_PARTS.filter((part) => part !== 'bias' || linearBiasNames(model).length > 0);
}

/** One click: every part the model has. */
export function defaultLightweightConfig(model: ModelConfig): LightweightConfig {
  return { parts: availableParts(model) };
}

/** Throws TuningConfigError naming the field, or MissingModelPartError for a part the model lacks. */
export function validateLightweightConfig(config: LightweightConfig, model?: ModelConfig): void {
  if (typeof config.parts !== 'string' && !Array.isArray(config.parts)) throw new TuningConfigError('parts', 'list the parts to train: head, norms, bias');
  const parts = partList(config);
  if (parts.length === 0) throw new TuningConfigError('parts', 'list at least one part to train: head, norms, bias');
  const unknown = parts.find((part) => !(LIGHTWEIGHT_PARTS as readonly string[]).includes(part));
  if (unknown !== undefined) throw new TuningConfigError('parts', `"${unknown}" is not a part; use head, norms, bias`);
  const repeated = parts.find((part, i) => parts.indexOf(part) !== i);
  if (repeated !== undefined) throw new TuningConfigError('parts', `"${repeated}" is listed twice`);
  if (!model) return;
  const available = availableParts(model);
  const missing = parts.find((part) => !(available as string[]).includes(part));
  if (missing !== undefined) throw new MissingModelPartError(missing, model.modelType, available);
}

/** Weight-map names trained for these parts, in a fixed order (head, norms, biases). */
export function trainedNames(config: LightweightConfig, model: ModelConfig): string[] {
  const parts = new Set(partList(config));
  return [
    ...(parts.has('head') ? [HEAD_WEIGHT] : []),
    ...(parts.has('norms') ? normParameterNames(normModules(model)) : []),
    ...(parts.has('bias') ? linearBiasNames(model) : []),
  ];
}
