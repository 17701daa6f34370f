// Methods that train base weights (full fine-tuning, LN tuning, head/norm/bias-only) hold a
// trainable copy of each entry they train, under its WeightMap name, and run the model with a map
// where those copies stand in for the base entries (Adapter.weights). The base map is never
// changed, so the same loaded model serves other adapters and the base comparison.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, WeightMap } from '../model/types';
import { expectedTensors } from '../model/weights';
import { TuningConfigError } from './errors';
import type { NamedVariable } from './types';
import { variableFrom } from './variables';

/** Trainable copies of named base entries. Dispose it when done. */
export class BaseWeightCopies {
  private constructor(private readonly variables: Map<string, tf.Variable>) {}

  /** Copies of `names` from `base` (values shared until the first update; tensors are immutable). */
  static of(base: WeightMap, names: readonly string[]): BaseWeightCopies {
    // Every name is checked before any copy is made, so a refusal leaves no variable behind.
    const missing = names.find((name) => !base.has(name));
    if (missing) throw new TuningConfigError('weights', `the loaded model has no "${missing}" to train (a compact model must be expanded first)`);
    const variables = new Map<string, tf.Variable>();
    for (const name of names) variables.set(name, variableFrom(tf.clone(base.get(name)!)));
    return new BaseWeightCopies(variables);
  }

  /** Variables holding `values` (WeightMap layout), which stay the caller's. */
  static holding(values: ReadonlyMap<string, tf.Tensor>): BaseWeightCopies {
    return new BaseWeightCopies(new Map([...values].map(([name, value]) => [name, variableFrom(tf.clone(value))])));
  }

  get names(): string[] {
    return [...this.variables.keys()];
  }

  get(name: string): tf.Variable | undefined {
    return this.variables.get(name);
  }

  /** `base` with the copies in place of their entries (no tensor is created). */
  over(base: WeightMap): WeightMap {
    const out: WeightMap = new Map(base);
    for (const [name, variable] of this.variables) out.set(name, variable);
    return out;
  }

  /** `base` with plain tensors (fresh copies of the trained values) in place: a merge. */
  merged(base: WeightMap): WeightMap {
    const out: WeightMap = new Map(base);
    for (const [name, variable] of this.variables) out.set(name, tf.clone(variable));
    return out;
  }

  trainable(): NamedVariable[] {
    return [...this.variables].map(([key, variable]) => ({ key, variable }));
  }

  parameterCount(): number {
    let total = 0;
    for (const variable of this.variables.values()) total += variable.size;
    return total;
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    this.variables.clear();
  }
}

/**
 * Whether a WeightMap entry is stored transposed from its checkpoint layout: Llama-family
 * nn.Linear weights and any model's `lm_head.weight` are [out, in] on disk and [in, out] in the
 * map (model/weights.ts). Files written in the Hugging Face layout transpose these back.
 */
export function isTransposedInMap(model: ModelConfig, name: string): boolean {
  if (name === 'lm_head.weight') return true;
  return expectedTensors(model).some((spec) => spec.name === name && spec.layout === 'linear-out-in');
}

/**
 * A WeightMap entry in its checkpoint layout, or a checkpoint tensor in the WeightMap layout (the
 * same transpose either way): a fresh tensor.
 */
export function swapLayout(model: ModelConfig, name: string, tensor: tf.Tensor): tf.Tensor {
  return isTransposedInMap(model, name) ? tf.transpose(tensor) : tf.clone(tensor);
}

/** The checkpoint shape of an entry the architecture has (`lm_head.weight`: [vocab, hidden], tied or not). */
export function checkpointShape(model: ModelConfig, name: string): number[] | null {
  if (name === 'lm_head.weight') return [model.vocabSize, model.hiddenSize];
  return expectedTensors(model).find((spec) => spec.name === name)?.shape ?? null;
}
