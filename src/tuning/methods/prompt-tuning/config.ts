// Soft-prompt settings as plain data (Lester et al. 2021; PEFT PROMPT_TUNING): n trainable
// "virtual token" embeddings placed before every input at positions 0…n−1.
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { readNumber, readString, type JsonObject } from '../../peft/fields';
import { AdapterFormatError } from '../../errors';

/** text: the embeddings of a phrase; sample-vocab: random vocabulary rows; random: N(0, 1). */
export type PromptInit = 'text' | 'sample-vocab' | 'random';

export interface PromptTuningConfig {
  numVirtualTokens: number;
  init: PromptInit;
  /** Used when init is 'text'; its tokens are repeated or cut to numVirtualTokens. */
  initText: string;
}

declare module '../../types' {
  interface MethodConfigMap {
    'prompt-tuning': PromptTuningConfig;
  }
}

export const DEFAULT_INIT_TEXT = 'Answer the request the way I would, in my own words and style.';

export function defaultPromptTuningConfig(model: ModelConfig): PromptTuningConfig {
  // 20 virtual tokens is PEFT's usual example; never more than an eighth of the context.
  return { numVirtualTokens: Math.max(1, Math.min(20, Math.floor(model.maxPositions / 8))), init: 'text', initText: DEFAULT_INIT_TEXT };
}

export function validatePromptTuningConfig(config: PromptTuningConfig, model?: ModelConfig): void {
  if (!Number.isInteger(config.numVirtualTokens) || config.numVirtualTokens < 1) {
    throw new TuningConfigError('numVirtualTokens', 'must be a whole number of at least 1 (20 is usual)');
  }
  if (!['text', 'sample-vocab', 'random'].includes(config.init)) {
    throw new TuningConfigError('init', 'must be "text", "sample-vocab" or "random"');
  }
  if (config.init === 'text' && config.initText.trim() === '') {
    throw new TuningConfigError('initText', 'give a short phrase describing the task, or choose another init');
  }
  if (model && config.numVirtualTokens >= model.maxPositions / 2) {
    throw new TuningConfigError(
      'numVirtualTokens',
      `${config.numVirtualTokens} virtual tokens would take half or more of the model's ${model.maxPositions}-token context`,
    );
  }
}

const PEFT_INIT: Record<PromptInit, string> = { text: 'TEXT', 'sample-vocab': 'SAMPLE_VOCAB', random: 'RANDOM' };

export function promptTuningToPeftFields(config: PromptTuningConfig, model: ModelConfig, baseModelId: string): JsonObject {
  return {
    num_virtual_tokens: config.numVirtualTokens,
    token_dim: model.hiddenSize,
    num_transformer_submodules: 1,
    num_attention_heads: model.numHeads,
    num_layers: model.numLayers,
    prompt_tuning_init: PEFT_INIT[config.init],
    prompt_tuning_init_text: config.init === 'text' ? config.initText : null,
    tokenizer_name_or_path: config.init === 'text' ? baseModelId : null,
    tokenizer_kwargs: null,
  };
}

/** Reads the prompt-tuning fields; `token_dim` etc. are checked against the model by the method. */
export function promptTuningFromPeftFields(json: JsonObject): PromptTuningConfig {
  const peftInit = readString(json, 'prompt_tuning_init', 'RANDOM');
  const init = (Object.keys(PEFT_INIT) as PromptInit[]).find((key) => PEFT_INIT[key] === peftInit);
  if (!init) throw new AdapterFormatError(`"prompt_tuning_init" is ${JSON.stringify(peftInit)}, expected TEXT, SAMPLE_VOCAB or RANDOM`);
  const text = json.prompt_tuning_init_text;
  return {
    numVirtualTokens: readNumber(json, 'num_virtual_tokens'),
    init,
    initText: typeof text === 'string' ? text : '',
  };
}
