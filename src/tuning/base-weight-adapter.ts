// What the methods that train base weights (full fine-tuning, lightweight, LN tuning) share as
// adapters: no hooks, the model run with their trainable copies in place of the base entries,
// those copies as the trainable set. Each method adds only its name, its keys and its file.
import type { ForwardHooks, WeightMap } from '../model/types';
import type { BaseWeightCopies } from './base-weight-copies';
import type { Adapter, MethodConfigMap, MethodName, NamedVariable, PeftAdapter } from './types';

export abstract class BaseWeightAdapter<N extends MethodName> implements Adapter<N> {
  abstract readonly method: N;
  readonly virtualTokens = 0;

  constructor(
    readonly config: MethodConfigMap[N],
    readonly baseModelId: string,
    protected readonly copies: BaseWeightCopies,
  ) {}

  hooks(): ForwardHooks {
    return {};
  }

  weights(base: WeightMap): WeightMap {
    return this.copies.over(base);
  }

  /** The key a trained entry is saved under: its WeightMap name unless the method's file says otherwise. */
  protected key(name: string): string {
    return name;
  }

  trainable(): NamedVariable[] {
    return this.copies.trainable().map(({ key, variable }) => ({ key: this.key(key), variable }));
  }

  parameterCount(): number {
    return this.copies.parameterCount();
  }

  /** `base` with the trained values as plain tensors in place (what merging these methods means). */
  merged(base: WeightMap): WeightMap {
    return this.copies.merged(base);
  }

  abstract toPeft(): PeftAdapter;

  dispose(): void {
    this.copies.dispose();
  }
}
