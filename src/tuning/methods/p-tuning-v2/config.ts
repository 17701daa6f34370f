// P-tuning v2 settings as plain data (Liu et al. 2022; PEFT PREFIX_TUNING with
// prefix_projection: false): P trainable key/value rows in front of every layer's attention.
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';

export interface PTuningV2Config {
  /** PEFT `num_virtual_tokens`: the prefix length P at every layer. */
  numVirtualTokens: number;
}

declare module '../../types' {
  interface MethodConfigMap {
    'p-tuning-v2': PTuningV2Config;
  }
}

/** 20 virtual tokens is PEFT's usual example; never more than an eighth of the context. */
export function defaultVirtualTokens(model: ModelConfig): number {
  return Math.max(1, Math.min(20, Math.floor(model.maxPositions / 8)));
}

export function defaultPTuningV2Config(model: ModelConfig): PTuningV2Config {
  return { numVirtualTokens: defaultVirtualTokens(model) };
}

/**
 * The prefix takes positions from the context (real tokens start at P, as in HF with
 * past_key_values), so it is held to less than half of it, like a soft prompt.
 */
export function validateVirtualTokens(numVirtualTokens: number, model?: ModelConfig): void {
  if (!Number.isInteger(numVirtualTokens) || numVirtualTokens < 1) {
    throw new TuningConfigError('numVirtualTokens', 'must be a whole number of at least 1 (20 is usual)');
  }
  if (model && numVirtualTokens >= model.maxPositions / 2) {
    throw new TuningConfigError(
      'numVirtualTokens',
      `${numVirtualTokens} virtual tokens would take half or more of the model's ${model.maxPositions}-token context`,
    );
  }
}

export function validatePTuningV2Config(config: PTuningV2Config, model?: ModelConfig): void {
  validateVirtualTokens(config.numVirtualTokens, model);
}
