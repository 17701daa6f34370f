// LoRA settings as plain data, PEFT's meaning for every field: W' = W + scale · B·A with
// scale = alpha / r (or alpha / sqrt(r) with rsLoRA), A Kaiming-uniform and B zero at creation;
// with DoRA, W' = magnitude · (W + scale · B·A) / ‖W + scale · B·A‖ per output feature.
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { linearModules, matchesTarget } from '../../model-linears';
import {
  isNonEmpty,
  readBoolean,
  readNumber,
  readString,
  readTargets,
  refuseUnsupported,
  type JsonObject,
} from '../../peft/fields';

export interface LoraConfig {
  /** Rank of the update. */
  r: number;
  /** Scale numerator (`lora_alpha`). */
  alpha: number;
  /** Dropout on the LoRA branch's input while training (`lora_dropout`). */
  dropout: number;
  /** PEFT `target_modules`: names matched as suffixes, or one regular expression over full names. */
  targetModules: string | string[];
  /** rsLoRA: scale by alpha / sqrt(r) instead of alpha / r, which keeps high ranks learning. */
  useRslora: boolean;
  /**
   * DoRA (PEFT `use_dora`): a trainable magnitude per output feature rescales W + scale·B·A to
   * magnitude · (W + scale·B·A) / ‖W + scale·B·A‖, the norm taken per output feature and held
   * constant in the backward pass, as PEFT does.
   */
  useDora: boolean;
}

declare module '../../types' {
  interface MethodConfigMap {
    lora: LoraConfig;
  }
}

/** Attention projections only; the LoRA paper's best trade-off and PEFT's usual choice. */
export function defaultTargets(model: ModelConfig, includeMlp = false): string[] {
  if (model.family === 'gpt2') {
    // Suffixes with the parent name: a bare "c_proj" would also hit the MLP's c_proj.
    return includeMlp ? ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'] : ['attn.c_attn', 'attn.c_proj'];
  }
  const attention = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
  return includeMlp ? [...attention, 'gate_proj', 'up_proj', 'down_proj'] : attention;
}

export function defaultLoraConfig(model: ModelConfig): LoraConfig {
  return { r: 8, alpha: 16, dropout: 0.05, targetModules: defaultTargets(model), useRslora: false, useDora: false };
}

export function loraScale(config: Pick<LoraConfig, 'r' | 'alpha' | 'useRslora'>): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.r) : config.alpha / config.r;
}

/** Throws TuningConfigError naming the first bad field. */
export function validateLoraConfig(config: LoraConfig, model?: ModelConfig): void {
  if (!Number.isInteger(config.r) || config.r < 1) {
    throw new TuningConfigError('r', 'the rank must be a whole number of at least 1');
  }
  if (!Number.isFinite(config.alpha) || config.alpha <= 0) {
    throw new TuningConfigError('alpha', 'must be a positive number (16 is usual)');
  }
  if (!Number.isFinite(config.dropout) || config.dropout < 0 || config.dropout >= 1) {
    throw new TuningConfigError('dropout', 'must be at least 0 and below 1 (0.05 is usual)');
  }
  if (config.useDora !== undefined && typeof config.useDora !== 'boolean') {
    throw new TuningConfigError('useDora', 'must be true or false');
  }
  checkTargetsShape(config.targetModules);
  if (model) {
    const targeted = linearModules(model).filter((m) => matchesTarget(m.name, config.targetModules));
    if (targeted.length === 0) {
      throw new TuningConfigError(
        'targetModules',
        `no ${model.family} module matches ${JSON.stringify(config.targetModules)}; try ${defaultTargets(model).join(', ')}`,
      );
    }
    if (config.useDora && model.tieWordEmbeddings && targeted.some((m) => m.name === 'lm_head')) {
      // DoRA normalises the layer's own weight; a tied head has none apart from the embedding table.
      throw new TuningConfigError('useDora', 'DoRA cannot adapt a tied lm_head; leave lm_head out of the targets');
    }
    const smallest = Math.min(...targeted.map((m) => Math.min(m.inFeatures, m.outFeatures)));
    if (config.r > smallest) {
      throw new TuningConfigError('r', `the rank ${config.r} exceeds the smallest targeted layer width ${smallest}`);
    }
  }
}

function checkTargetsShape(targets: string | string[]): void {
  if (typeof targets === 'string') {
    try {
      new RegExp(targets);
    } catch {
      throw new TuningConfigError('targetModules', `"${targets}" is not a valid regular expression`);
    }
    return;
  }
  if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== 'string' || t === '')) {
    throw new TuningConfigError('targetModules', 'list at least one module name, e.g. q_proj');
  }
}

/** PEFT adapter_config.json fields for this config (the shared fields are added by peft/). */
export function loraToPeftFields(config: LoraConfig, model: ModelConfig): JsonObject {
  return {
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: config.targetModules,
    use_rslora: config.useRslora,
    // GPT-2 stores Conv1D weights as [in, out]; PEFT needs this to merge the right way round.
    fan_in_fan_out: model.family === 'gpt2',
    bias: 'none',
    init_lora_weights: true,
    use_dora: config.useDora,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
}

/** Reads the LoRA fields of adapter_config.json, refusing PEFT features Attune does not implement. */
export function loraFromPeftFields(json: JsonObject): LoraConfig {
  refuseUnsupported(json, {
    bias: (v) => v !== 'none' && v !== undefined,
    modules_to_save: isNonEmpty,
    layers_to_transform: isNonEmpty,
    rank_pattern: isNonEmpty,
    alpha_pattern: isNonEmpty,
    layer_replication: isNonEmpty,
  });
  readString(json, 'bias', 'none');
  return {
    r: readNumber(json, 'r'),
    alpha: readNumber(json, 'lora_alpha'),
    dropout: readNumber(json, 'lora_dropout', 0),
    targetModules: readTargets(json, 'target_modules'),
    useRslora: readBoolean(json, 'use_rslora', false),
    useDora: readBoolean(json, 'use_dora', false),
  };
}
