// Full fine-tuning has nothing to choose: every weight of the model is trained. Its config is an
// empty object (plain data like every method's), so the registry and the files treat it alike.
import type { ModelConfig } from '../../../model/types';
import { expectedTensors } from '../../../model/weights';
import { TuningConfigError } from '../../errors';

export type FullConfig = Record<string, never>;

declare module '../../types' {
  interface MethodConfigMap {
    full: FullConfig;
  }
}

export function defaultFullConfig(): FullConfig {
  return {};
}

export function validateFullConfig(config: FullConfig): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new TuningConfigError('config', 'full fine-tuning takes no settings ({})');
  const field = Object.keys(config)[0];
  if (field !== undefined) throw new TuningConfigError(field, 'full fine-tuning takes no settings: every weight is trained');
}

/**
 * The weight-map names trained: every tensor the architecture has, in checkpoint order. Optional
 * tensors (a Llama o_proj or MLP bias) are trained when the loaded model has them.
 */
export function fullWeightNames(model: ModelConfig, present?: (name: string) => boolean): string[] {
  return expectedTensors(model)
    .filter((spec) => !spec.optional || (present?.(spec.name) ?? false))
    .map((spec) => spec.name);
}

/** Numbers trained: the model's parameters (a tied head once; optional biases not counted). */
export function fullParameterCount(model: ModelConfig): number {
  return expectedTensors(model)
    .filter((spec) => !spec.optional)
    .reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
}
