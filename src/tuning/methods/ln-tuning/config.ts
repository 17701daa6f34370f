// LN tuning settings as plain data (Zhao et al. 2023; PEFT LN_TUNING): which normalisation layers
// are trained. Nothing else: PEFT's LNTuningConfig has only target_modules (and exclude_modules /
// modules_to_save, which Attune refuses).
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { matchesTarget } from '../../model-linears';
import { normModules, type NormModule } from '../../model-norms';
import { isNonEmpty, readTargets, refuseUnsupported, type JsonObject } from '../../peft/fields';

export interface LnTuningConfig {
  /** PEFT `target_modules`: norm names matched as suffixes, or one regular expression over full names. */
  targetModules: string | string[];
}

declare module '../../types' {
  interface MethodConfigMap {
    'ln-tuning': LnTuningConfig;
  }
}

/**
 * PEFT's TRANSFORMERS_MODELS_TO_LNTUNING_TARGET_MODULES_MAPPING (peft/utils/constants.py):
 * GPT-2 every LayerNorm; Llama (and Mistral) both block norms and the final norm; Qwen2 only the
 * norm before each MLP, as PEFT lists it.
 */
export function defaultLnTuningConfig(model: ModelConfig): LnTuningConfig {
  if (model.family === 'gpt2') return { targetModules: ['ln_1', 'ln_2', 'ln_f'] };
  if (model.modelType === 'qwen2') return { targetModules: ['post_attention_layernorm'] };
  return { targetModules: ['input_layernorm', 'post_attention_layernorm', 'norm'] };
}

/** The model's norms the config targets (PEFT's check_target_module_exists). */
export function targetedNorms(config: LnTuningConfig, model: ModelConfig): NormModule[] {
  return normModules(model).filter((norm) => matchesTarget(norm.name, config.targetModules));
}

/** Throws TuningConfigError naming the first bad field. */
export function validateLnTuningConfig(config: LnTuningConfig, model?: ModelConfig): void {
  const targets = config.targetModules;
  if (typeof targets === 'string') {
    try {
      new RegExp(targets);
    } catch {
      throw new TuningConfigError('targetModules', `"${targets}" is not a valid regular expression`);
    }
  } else if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => typeof t !== 'string' || t === '')) {
    throw new TuningConfigError('targetModules', 'list norm names, e.g. post_attention_layernorm');
  }
  if (model && targetedNorms(config, model).length === 0) {
    throw new TuningConfigError('targetModules', `no ${model.modelType} normalisation layer matches ${JSON.stringify(targets)}`);
  }
}

export function lnTuningToPeftFields(config: LnTuningConfig): JsonObject {
  return { target_modules: config.targetModules, exclude_modules: null, modules_to_save: null };
}

/** Without `target_modules` PEFT takes its default for the model type, as the loader does here. */
export function lnTuningFromPeftFields(json: JsonObject, model: ModelConfig): LnTuningConfig {
  refuseUnsupported(json, { modules_to_save: isNonEmpty, exclude_modules: isNonEmpty });
  if (json.target_modules === undefined || json.target_modules === null) return defaultLnTuningConfig(model);
  return { targetModules: readTargets(json, 'target_modules') };
}
