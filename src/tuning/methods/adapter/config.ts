// Bottleneck-adapter settings as plain data (Houlsby et al. 2019; Pfeiffer et al. 2021): which
// output projections of every block get an adapter, how narrow its bottleneck is, and its
// nonlinearity. PEFT has no such type, so the file format is Attune's own (docs/tuning.md).
import type { ModelConfig } from '../../../model/types';
import { AdapterFormatError, TuningConfigError } from '../../errors';
import { readNumber, readString, type JsonObject } from '../../peft/fields';

/** houlsby: after the attention output and after the MLP output; pfeiffer: after the MLP output only. */
export type AdapterKind = 'houlsby' | 'pfeiffer';
/** swish (x·sigmoid x), relu, or gelu (GPT-2's tanh approximation). */
export type AdapterActivation = 'swish' | 'relu' | 'gelu';

export interface BottleneckAdapterConfig {
  kind: AdapterKind;
  /** The bottleneck is hidden size / reduction (rounded down), as AdapterHub's `reduction_factor`. */
  reduction: number;
  activation: AdapterActivation;
}

declare module '../../types' {
  interface MethodConfigMap {
    adapter: BottleneckAdapterConfig;
  }
}

const KINDS: readonly AdapterKind[] = ['houlsby', 'pfeiffer'];
const ACTIVATIONS: readonly AdapterActivation[] = ['swish', 'relu', 'gelu'];

/**
 * Houlsby (two adapters per block) with AdapterHub's reduction factor 16 and its Houlsby default
 * nonlinearity, swish: smooth, so the zero-initialised up-projection gets useful gradients at once.
 */
export function defaultAdapterConfig(): BottleneckAdapterConfig {
  return { kind: 'houlsby', reduction: 16, activation: 'swish' };
}

/** Width of the bottleneck: hidden size / reduction, rounded down (AdapterHub's `input_size // reduction_factor`). */
export function bottleneckSize(config: Pick<BottleneckAdapterConfig, 'reduction'>, model: Pick<ModelConfig, 'hiddenSize'>): number {
  return Math.floor(model.hiddenSize / config.reduction);
}

/** Throws TuningConfigError naming the first bad field. */
export function validateAdapterConfig(config: BottleneckAdapterConfig, model?: ModelConfig): void {
  if (!KINDS.includes(config.kind)) throw new TuningConfigError('kind', 'must be "houlsby" or "pfeiffer"');
  if (!Number.isInteger(config.reduction) || config.reduction < 1) {
    throw new TuningConfigError('reduction', 'must be a whole number of at least 1 (16 is usual)');
  }
  if (!ACTIVATIONS.includes(config.activation)) throw new TuningConfigError('activation', 'must be "swish", "relu" or "gelu"');
  if (model && bottleneckSize(config, model) < 1) {
    throw new TuningConfigError('reduction', `${config.reduction} leaves no bottleneck: the model's hidden size is ${model.hiddenSize}`);
  }
}

/**
 * The output projections that get an adapter, as module-name suffixes (matched like PEFT's
 * `target_modules` lists): the attention output (Houlsby only) and the MLP output.
 */
export function adapterTargets(kind: AdapterKind, model: Pick<ModelConfig, 'family'>): string[] {
  const attention = model.family === 'gpt2' ? 'attn.c_proj' : 'self_attn.o_proj';
  const mlp = model.family === 'gpt2' ? 'mlp.c_proj' : 'mlp.down_proj';
  return kind === 'houlsby' ? [attention, mlp] : [mlp];
}

/** adapter_config.json fields for this config (the shared fields come from peft/common). */
export function adapterToFileFields(config: BottleneckAdapterConfig, model: ModelConfig): JsonObject {
  return {
    adapter_kind: config.kind,
    reduction_factor: config.reduction,
    bottleneck_size: bottleneckSize(config, model),
    hidden_size: model.hiddenSize,
    non_linearity: config.activation,
    target_modules: adapterTargets(config.kind, model),
  };
}

/** Reads the config fields; their fit to the model is checked by the method. */
export function adapterFromFileFields(json: JsonObject): BottleneckAdapterConfig {
  const kind = readString(json, 'adapter_kind');
  const activation = readString(json, 'non_linearity', 'swish');
  if (!KINDS.includes(kind as AdapterKind)) throw new AdapterFormatError(`adapter_config.json field "adapter_kind" is ${JSON.stringify(kind)}, expected houlsby or pfeiffer`);
  if (!ACTIVATIONS.includes(activation as AdapterActivation)) {
    throw new AdapterFormatError(`adapter_config.json field "non_linearity" is ${JSON.stringify(activation)}, expected swish, relu or gelu`);
  }
  return { kind: kind as AdapterKind, reduction: readNumber(json, 'reduction_factor'), activation: activation as AdapterActivation };
}
