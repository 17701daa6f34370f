// Selective recomputation (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
// Transformer Models"): a recomputed section (model/recompute.ts) keeps the outputs of its frozen
// matrix products from its first forward pass, and its recomputation in the backward pass reuses
// them instead of multiplying again. The products are most of a block's forward cost and their
// outputs a small part of what a block's backward holds, so keeping them trades little memory
// for most of a recomputed forward pass; everything cheap (norms, RoPE, attention, adapters'
// small products, dropout) is still recomputed.
//
// Exact by construction: a product's input is the same in both runs of a section within one step
// (the section is deterministic; dropout seeds are replayed), so the kept output is the value the
// recomputation would have produced. Outputs are matched to calls by their order within the
// section; a recomputation that asks for a different sequence of products throws.
import * as tf from '@tensorflow/tfjs';
import { RecomputeMismatchError } from './errors';

/** One section's kept frozen-product outputs, from its first run to the end of its recomputation. */
export class KeptProducts {
  private readonly outputs: tf.Tensor2D[] = [];
  private taken = 0;
  private phase: 'record' | 'replay' | 'done' = 'record';

  constructor() {
    live.add(this);
  }

  get recording(): boolean {
    return this.phase === 'record';
  }

  get replaying(): boolean {
    return this.phase === 'replay';
  }

  /** Keeps `y` (the product's own output: no copy) until this store is disposed. */
  record(y: tf.Tensor2D): void {
    this.outputs.push(tf.keep(y));
  }

  /** The next kept output, for a product of `rows` rows by a weight of shape [in, out]. */
  take(rows: number, weightShape: readonly [number, number]): tf.Tensor2D {
    const index = this.taken++;
    const kept = this.outputs[index];
    if (!kept) throw mismatch(`asked for frozen product ${index + 1}; the first run made ${this.outputs.length}`);
    if (kept.isDisposed) throw mismatch(`frozen product ${index + 1}'s kept output was already freed`);
    const [keptRows, keptOut] = kept.shape;
    if (keptRows !== rows || keptOut !== weightShape[1]) {
      throw mismatch(`frozen product ${index + 1} is [${rows}, ${weightShape[1]}] now and was [${keptRows}, ${keptOut}] in the first run`);
    }
    return kept;
  }

  /** Runs the section's first forward pass with its frozen products recorded here. */
  runRecording<T>(fn: () => T): T {
    this.phase = 'record';
    return withActive(this, fn);
  }

  /** Runs the recomputation with the kept outputs replayed; every one must be asked for. */
  runReplaying<T>(fn: () => T): T {
    this.phase = 'replay';
    this.taken = 0;
    const result = withActive(this, fn);
    if (this.taken !== this.outputs.length) {
      tf.dispose(result as tf.TensorContainer);
      throw mismatch(`the recomputation asked for ${this.taken} frozen products; the first run made ${this.outputs.length}`);
    }
    return result;
  }

  dispose(): void {
    this.phase = 'done';
    tf.dispose(this.outputs);
    this.outputs.length = 0;
    live.delete(this);
  }
}

/** Stores whose section has not been recomputed yet (its backward pass has not run). */
const live = new Set<KeptProducts>();
let active: KeptProducts | null = null;

function withActive<T>(store: KeptProducts, fn: () => T): T {
  const previous = active;
  active = store;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** The store a frozen product should record into or replay from now, if any. */
export function activeKeptProducts(): KeptProducts | null {
  return active;
}

/**
 * Frees every kept output whose section was never recomputed: a gradient computation that threw
 * or was abandoned part-way, or a section the loss does not depend on (its backward never runs).
 * Call after each gradient computation; returns how many stores were freed.
 */
export function releaseKeptProducts(): number {
  const stores = [...live];
  for (const store of stores) store.dispose();
  return stores.length;
}

function mismatch(detail: string): RecomputeMismatchError {
  return new RecomputeMismatchError(detail);
}
