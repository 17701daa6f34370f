// (IA)³ settings as plain data (Liu et al. 2022; PEFT IA3): which linear layers get a learned
// scaling vector, and which of those are feed-forward layers (scaled on their input, the others on
// their output).
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { linearModules, matchesTarget } from '../../model-linears';
import { isNonEmpty, readBoolean, readTargets, refuseUnsupported, type JsonObject } from '../../peft/fields';

export interface Ia3Config {
  /** PEFT `target_modules`: names matched as suffixes, or one regular expression over full names. */
  targetModules: string | string[];
  /** PEFT `feedforward_modules`: the targeted layers scaled on their input. */
  feedforwardModules: string | string[];
}

declare module '../../types' {
  interface MethodConfigMap {
    ia3: Ia3Config;
  }
}

/**
 * PEFT's defaults per model type (TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING and
 * ..._FEEDFORWARD_MODULES_MAPPING): keys, values and the feed-forward output layer.
 */
export function defaultIa3Config(model: ModelConfig): Ia3Config {
  if (model.family === 'gpt2') return { targetModules: ['c_attn', 'mlp.c_proj'], feedforwardModules: ['mlp.c_proj'] };
  if (model.modelType === 'qwen2') return { targetModules: ['q_proj', 'v_proj', 'down_proj'], feedforwardModules: ['down_proj'] };
  return { targetModules: ['k_proj', 'v_proj', 'down_proj'], feedforwardModules: ['down_proj'] };
}

/** Throws TuningConfigError naming the first bad field. */
export function validateIa3Config(config: Ia3Config, model?: ModelConfig): void {
  checkTargets('targetModules', config.targetModules);
  checkTargets('feedforwardModules', config.feedforwardModules);
  if (!model) return;
  const targeted = linearModules(model).filter((m) => matchesTarget(m.name, config.targetModules));
  if (targeted.length === 0) {
    throw new TuningConfigError('targetModules', `no ${model.family} module matches ${JSON.stringify(config.targetModules)}`);
  }
  // PEFT refuses feed-forward modules outside the targets: they would never be scaled.
  const stray = linearModules(model).find((m) => matchesTarget(m.name, config.feedforwardModules) && !matchesTarget(m.name, config.targetModules));
  if (stray) throw new TuningConfigError('feedforwardModules', `${stray.name} is a feed-forward module but not a target`);
}

function checkTargets(field: string, targets: string | string[]): void {
  if (typeof targets === 'string') {
    try {
      new RegExp(targets);
    } catch {
      throw new TuningConfigError(field, `"${targets}" is not a valid regular expression`);
    }
    return;
  }
  if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string' || t === '')) {
    throw new TuningConfigError(field, 'list module names, e.g. down_proj');
  }
  if (field === 'targetModules' && targets.length === 0) throw new TuningConfigError(field, 'list at least one module name, e.g. v_proj');
}

/** PEFT adapter_config.json fields for this config (the shared fields are added by peft/). */
export function ia3ToPeftFields(config: Ia3Config, model: ModelConfig): JsonObject {
  return {
    target_modules: config.targetModules,
    feedforward_modules: config.feedforwardModules,
    // GPT-2 stores Conv1D weights as [in, out]; PEFT needs this to merge the right way round.
    fan_in_fan_out: model.family === 'gpt2',
    init_ia3_weights: true,
    modules_to_save: null,
  };
}

/**
 * Reads the IA3 fields of adapter_config.json, refusing PEFT features Attune does not implement.
 * Without `feedforward_modules` PEFT takes its default for the model type, as the loader does here.
 */
export function ia3FromPeftFields(json: JsonObject, model: ModelConfig): Ia3Config {
  refuseUnsupported(json, { modules_to_save: isNonEmpty, exclude_modules: isNonEmpty });
  readBoolean(json, 'init_ia3_weights', true);
  const feedforward = json.feedforward_modules === undefined || json.feedforward_modules === null ? defaultIa3Config(model).feedforwardModules : readTargets(json, 'feedforward_modules');
  return { targetModules: readTargets(json, 'target_modules'), feedforwardModules: feedforward };
}
