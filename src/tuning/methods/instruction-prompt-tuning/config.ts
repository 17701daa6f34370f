// Instruction prompt tuning (Singhal et al. 2022, Med-PaLM): a soft prompt trained with retrieved
// demonstrations in front of every example, so the prompt learns to use in-context examples the
// way the person's own examples answer. The soft prompt is plain prompt tuning's; this adds K.
import type { ModelConfig } from '../../../model/types';
import { TuningConfigError } from '../../errors';
import { MAX_DEMONSTRATIONS } from '../../peft/retrieval-settings';
import { defaultPromptTuningConfig, validatePromptTuningConfig, type PromptTuningConfig } from '../prompt-tuning/config';

export interface InstructionPromptTuningConfig extends PromptTuningConfig {
  /** Retrieved demonstrations before every example (training) and every request (use). */
  demonstrations: number;
}

declare module '../../types' {
  interface MethodConfigMap {
    'instruction-prompt-tuning': InstructionPromptTuningConfig;
  }
}

/** Two demonstrations: enough to show the pattern, few enough for a 256-token context. */
export const DEFAULT_DEMONSTRATIONS = 2;

export function defaultInstructionPromptTuningConfig(model: ModelConfig): InstructionPromptTuningConfig {
  return { ...defaultPromptTuningConfig(model), demonstrations: DEFAULT_DEMONSTRATIONS };
}

export function validateInstructionPromptTuningConfig(config: InstructionPromptTuningConfig, model?: ModelConfig): void {
  validatePromptTuningConfig(config, model);
  const k = config.demonstrations;
  if (!Number.isInteger(k) || k < 1 || k > MAX_DEMONSTRATIONS) {
    throw new TuningConfigError('demonstrations', `must be a whole number from 1 to ${MAX_DEMONSTRATIONS} (2 is usual); for none, choose the soft prompt`);
  }
}

/** The soft-prompt part alone, as prompt tuning reads it. */
export function promptPart(config: InstructionPromptTuningConfig): PromptTuningConfig {
  return { numVirtualTokens: config.numVirtualTokens, init: config.init, initText: config.initText };
}
