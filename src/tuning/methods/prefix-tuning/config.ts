// Prefix-tuning settings as plain data (Li & Liang 2021; PEFT PREFIX_TUNING with
// prefix_projection: true): the key/value prefixes of every layer come from a two-layer MLP.
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { defaultVirtualTokens, validateVirtualTokens } from '../p-tuning-v2/config';
import { prefixGeometry } from '../p-tuning-v2/prefix';

export interface PrefixTuningConfig {
  /** PEFT `num_virtual_tokens`: the prefix length P at every layer. */
  numVirtualTokens: number;
  /** PEFT `encoder_hidden_size`: the MLP's hidden width. */
  encoderHiddenSize: number;
}

declare module '../../types' {
  interface MethodConfigMap {
    'prefix-tuning': PrefixTuningConfig;
  }
}

export function defaultPrefixTuningConfig(model: ModelConfig): PrefixTuningConfig {
  // PEFT's default encoder_hidden_size is token_dim (`_prepare_prompt_learning_config`).
  return { numVirtualTokens: defaultVirtualTokens(model), encoderHiddenSize: prefixGeometry(model).tokenDim };
}

export function validatePrefixTuningConfig(config: PrefixTuningConfig, model?: ModelConfig): void {
  validateVirtualTokens(config.numVirtualTokens, model);
  if (!Number.isInteger(config.encoderHiddenSize) || config.encoderHiddenSize < 1) {
    throw new TuningConfigError('encoderHiddenSize', "must be a whole number of at least 1 (PEFT's default is the key width)");
  }
}
