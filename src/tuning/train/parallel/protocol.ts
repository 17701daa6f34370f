// The messages between a training leader and its gradient workers (data parallelism: every
// worker holds the same model and adapter, computes the gradients of the micro-batches it is
// given for the values it is sent, and the leader sums them and updates). Plain structured-clone
// data only (numbers, strings, Float32Arrays), so any transport carries it: worker_threads in
// Node (src/cli/parallel/), a Web Worker's postMessage in a page.
import type { ErrorInfo } from '../../../errors/attune-error';
import type { MethodConfigMap, MethodName } from '../../types';
import type { HostBatch } from '../data';
import type { HostArray } from '../optimizer';

/** Everything a worker needs to rebuild the leader's model, adapter and forward settings. */
export interface WorkerSetup {
  /** The tfjs backend to start (the leader's). */
  backend: string;
  /**
   * Where the transport's loader finds the checkpoint the leader loaded: in Node its folder or
   * .gguf file; a Web Worker transport would name a model-store entry.
   */
  modelSource: string;
  /** Load the block weights compact (16-bit): the memory plan chose it for the leader too. */
  compactWeights: boolean;
  method: MethodName;
  methodConfig: MethodConfigMap[MethodName];
  baseModelId: string;
  /** The adapter's seed: any frozen random state a method draws at creation matches the leader's. */
  seed: number;
  recompute: boolean;
  /** Selective recomputation (the plan's keepFrozenProducts); absent: whole blocks recomputed. */
  keepFrozenProducts?: boolean;
  headChunkRows: number;
}

export type LeaderMessage =
  | { type: 'init'; setup: WorkerSetup }
  | {
      type: 'step';
      /** Counts up from 1; the reply names it. */
      step: number;
      micro: HostBatch[];
      /** One dropout seed per micro-batch, drawn by the leader. */
      seeds: number[];
      /** Output tokens in the whole step (every micro-batch's NLL is divided by it). */
      lossTokens: number;
      /** The trainable values to compute with, by NamedVariable key. */
      values: Record<string, HostArray>;
    }
  | { type: 'dispose' };

/** One micro-batch's result: NLL / lossTokens and the gradient of every trainable variable. */
export interface MicroBatchReply {
  loss: number;
  grads: Record<string, Float32Array>;
}

export type WorkerReply =
  /** The model and adapter are built; `keys` are its trainable variables' keys, in order. */
  | { type: 'ready'; keys: string[] }
  /** Results in the order of the step's micro-batches. */
  | { type: 'gradients'; step: number; parts: MicroBatchReply[] }
  | { type: 'error'; error: ErrorInfo };

/**
 * Checks a worker's reply before the leader uses it: the kind, the step it answers, and for
 * gradients one part per micro-batch with a loss and, for trainable keys only, Float32Arrays of
 * the right length. Returns a reason when it is not what was expected.
 */
export function replyProblem(
  reply: unknown,
  expected: { type: 'ready'; keys: readonly string[] } | { type: 'gradients'; step: number; parts: number; sizes: ReadonlyMap<string, number> },
): string | null {
  if (typeof reply !== 'object' || reply === null) return 'it sent something that is not a message';
  const r = reply as Record<string, unknown>;
  if (r.type !== expected.type) return `it sent "${String(r.type)}" where "${expected.type}" was expected`;
  if (expected.type === 'ready') {
    const keys = r.keys;
    if (!Array.isArray(keys) || keys.length !== expected.keys.length || keys.some((k, i) => k !== expected.keys[i])) {
      return "its adapter's trainable variables differ from the leader's";
    }
    return null;
  }
  if (r.step !== expected.step) return `it answered step ${String(r.step)} during step ${expected.step}`;
  const parts = r.parts;
  if (!Array.isArray(parts) || parts.length !== expected.parts) return `it sent ${Array.isArray(parts) ? parts.length : 'no'} results for ${expected.parts} micro-batches`;
  for (const part of parts as unknown[]) {
    const p = part as Partial<MicroBatchReply> | null;
    if (typeof p?.loss !== 'number' || typeof p.grads !== 'object' || p.grads === null) return 'a result has no loss or gradients';
    // A variable the loss does not reach has no gradient (tf.variableGrads leaves it out).
    for (const [key, grad] of Object.entries(p.grads)) {
      const size = expected.sizes.get(key);
      if (size === undefined) return `it sent a gradient for "${key}", which the leader does not train`;
      if (!(grad instanceof Float32Array) || grad.length !== size) return `the gradient of "${key}" has the wrong type or size`;
    }
  }
  return null;
}

/**
 * The micro-batches of a step shared out between realms: contiguous runs in micro-batch order,
 * as even as possible, earlier realms taking one more. Realm 0 is the leader.
 */
export function shareOut(count: number, realms: number): { start: number; end: number }[] {
  const shares: { start: number; end: number }[] = [];
  let start = 0;
  for (let r = 0; r < realms; r++) {
    const size = Math.floor(count / realms) + (r < count % realms ? 1 : 0);
    shares.push({ start, end: start + size });
    start += size;
  }
  return shares;
}
