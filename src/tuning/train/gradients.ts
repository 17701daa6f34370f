// One training step's gradients, wherever they are computed: the loss of a micro-batch
// (forward + chunked head loss), its gradients by NamedVariable key, and their sum over the
// step's micro-batches in micro-batch order. The Trainer asks a GradientSource for a step's sum;
// the local source below computes every micro-batch in this realm, a parallel one
// (parallel/leader.ts) shares them out between realms. Both add in the same order, so the sums
// do not depend on who computed which micro-batch.
import * as tf from '@tensorflow/tfjs';
import { forwardHidden, projectToVocab } from '../../model/forward';
import { releaseKeptProducts } from '../../model/kept-products';
import type { LoadedModel } from '../../model/model';
import type { Adapter, NamedVariable } from '../types';
import { disposeBatch, toTensors, type BatchTensors, type HostBatch } from './data';
import { chunkedMaskedNllSum, headChunkRows } from './loss';

/** What a forward pass of the model with its adapter needs. */
export interface ForwardSetup {
  model: LoadedModel;
  adapter: Adapter;
  /** The adapter's trainable variables (adapter.trainable(), read once). */
  params: readonly NamedVariable[];
  /** Recompute each block in the backward pass (memory-plan.ts). */
  recompute?: boolean;
  /**
   * With `recompute`: keep each block's frozen products' outputs from its first run and reuse
   * them in the recomputation (selective recomputation, model/kept-products.ts; memory-plan.ts
   * says when they fit).
   */
  keepFrozenProducts?: boolean;
  /** Rows projected to the vocabulary at once; default: loss.ts headChunkRows. */
  headChunkRows?: number;
}

/** A step's loss (mean per output token of the whole step) and summed gradients by key. */
export interface StepGradients {
  loss: tf.Scalar;
  grads: Map<string, tf.Tensor>;
}

export interface GradientRequest {
  micro: readonly HostBatch[];
  /** One dropout seed per micro-batch, drawn by the trainer in micro-batch order. */
  seeds: readonly number[];
  /** Output tokens in the whole step: each micro-batch's NLL is divided by it. */
  lossTokens: number;
}

/** Where the Trainer gets a step's gradients from (for the variables' current values). */
export interface GradientSource {
  compute(request: GradientRequest): Promise<StepGradients>;
}

/** Summed masked NLL of a batch under model + adapter. */
export function nllSum(setup: ForwardSetup, tensors: BatchTensors, training: boolean, seed: number): tf.Scalar {
  const { model, adapter } = setup;
  const weights = adapter.weights(model.weights);
  const runModel = weights === model.weights ? model : { ...model, weights };
  const hooks = adapter.hooks({ training, seed });
  const variables = training ? setup.params.map(({ variable }) => variable) : [];
  const out = forwardHidden(runModel, {
    ids: tensors.ids,
    attentionMask: tensors.attentionMask,
    hooks,
    recompute: training && setup.recompute ? { variables, keepFrozenProducts: setup.keepFrozenProducts === true } : null,
  });
  const sum = chunkedMaskedNllSum({
    hidden: out.hidden,
    project: (rows) => projectToVocab(runModel, rows, hooks),
    ids: tensors.ids,
    lossMask: tensors.lossMask,
    prepended: out.prependedRows,
    chunkRows: setup.headChunkRows ?? headChunkRows(model.config.vocabSize),
    variables,
  });
  out.hidden.dispose();
  return sum;
}

/** One micro-batch's share of the step: NLL / lossTokens and its gradients by key (caller owns them). */
export interface MicroBatchGradients {
  value: tf.Scalar;
  grads: Map<string, tf.Tensor>;
}

export function microBatchGradients(setup: ForwardSetup, batch: HostBatch, seed: number, lossTokens: number): MicroBatchGradients {
  const keyByName = new Map(setup.params.map(({ key, variable }) => [variable.name, key]));
  const varList = setup.params.map(({ variable }) => variable);
  const tensors = toTensors(batch);
  try {
    const result = tf.variableGrads(() => tf.div(nllSum(setup, tensors, true, seed), lossTokens) as tf.Scalar, varList);
    const grads = new Map<string, tf.Tensor>();
    for (const [name, grad] of Object.entries(result.grads)) grads.set(keyByName.get(name)!, grad);
    return { value: result.value, grads };
  } finally {
    // Kept products of blocks whose backward never ran (the computation threw part-way).
    releaseKeptProducts();
    disposeBatch(tensors);
  }
}

/**
 * Adds micro-batch results in the order they are given (take them in micro-batch order), taking
 * ownership of each: float32 sums depend on the order, so every source must add in the same one.
 */
export class OrderedSum {
  private loss: tf.Scalar | null = null;
  private readonly grads = new Map<string, tf.Tensor>();

  add(part: MicroBatchGradients): void {
    // The first part is kept as it is (0 + x = x exactly), the rest added one by one.
    if (this.loss) {
      const nextLoss = tf.add(this.loss, part.value) as tf.Scalar;
      this.loss.dispose();
      part.value.dispose();
      this.loss = nextLoss;
    } else this.loss = part.value;
    for (const [key, grad] of part.grads) {
      const previous = this.grads.get(key);
      if (!previous) {
        this.grads.set(key, grad);
        continue;
      }
      this.grads.set(key, tf.add(previous, grad));
      previous.dispose();
      grad.dispose();
    }
  }

  /** The sums (the caller owns them); this accumulator is empty afterwards. */
  take(): StepGradients {
    const result = { loss: this.loss ?? tf.scalar(0), grads: new Map(this.grads) };
    this.loss = null;
    this.grads.clear();
    return result;
  }

  /** Frees what was added (a step that failed part-way). */
  dispose(): void {
    this.loss?.dispose();
    this.loss = null;
    for (const grad of this.grads.values()) grad.dispose();
    this.grads.clear();
  }
}

/** Every micro-batch in this realm, one after another: the source a Trainer uses by default. */
export function localGradientSource(setup: ForwardSetup): GradientSource {
  return {
    compute: ({ micro, seeds, lossTokens }) => {
      const sum = new OrderedSum();
      try {
        micro.forEach((batch, i) => sum.add(microBatchGradients(setup, batch, seeds[i]!, lossTokens)));
      } catch (error) {
        sum.dispose();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return Promise.resolve(sum.take());
    },
  };
}
