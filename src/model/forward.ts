// The forward pass: embeddings -> blocks -> final norm -> head, with tuning hooks, padding masks
// and an optional KV cache. Family-specific parts live in gpt2.ts and llama.ts.
import * as tf from '@tensorflow/tfjs';
import type { Architecture, BlockContext } from './architecture';
import { attentionBias, ropeMatrix, ropeTables } from './attention';
import { InvalidInputError } from './errors';
import { architectureOf } from './families';
import type { KVCache } from './kv-cache';
import { embed, linear } from './layers';
import type { LoadedModel } from './model';
import { recompute } from './recompute';
import type { ForwardHooks, ModelConfig, WeightMap } from './types';

export interface ForwardInput {
  /** Token ids [B, T] (int32), or nested arrays. */
  ids: tf.Tensor2D | number[][];
  /** [B, T], 1 = real token, 0 = padding. Right padding keeps positions identical to unpadded rows. */
  attentionMask?: tf.Tensor2D | number[][];
  hooks?: ForwardHooks;
  /** Continue from this cache (not disposed here). */
  cache?: KVCache | null;
  /** Return a cache that includes this step (implied by `cache`). */
  useCache?: boolean;
  /** 'last' computes logits for the final position only (generation). Default 'all'. */
  logits?: 'all' | 'last';
}

export interface ForwardOutput {
  /** [B, T', V]; T' = T + rows an inputEmbeddings hook prepended (or 1 with logits: 'last'). */
  logits: tf.Tensor3D;
  /** The cache after this step, when requested. The caller disposes it (disposeCache). */
  cache: KVCache | null;
  /** Rows an inputEmbeddings hook prepended in this call (a soft prompt's length). */
  prependedRows: number;
}

/**
 * Runs the model. Hooks that prepend (inputEmbeddings, keyValuePrefix) are applied only on a
 * pass without a past cache: their rows then live in the cache for the following steps.
 */
export function forward(model: LoadedModel, input: ForwardInput): ForwardOutput {
  const arch = architectureOf(model.config);
  // tidy's types only admit TensorContainer; the object holds tensors and a number, which tidy keeps.
  return tf.tidy((): tf.TensorContainer => {
    const run = trunk(model, arch, input, null);
    const { batch: B, rows } = run;
    let h = run.hidden;
    const D = h.shape[1];
    const outRows = input.logits === 'last' ? 1 : rows;
    if (input.logits === 'last' && rows > 1) h = tf.reshape(tf.slice(tf.reshape(h, [B, rows, D]), [0, rows - 1, 0], [B, 1, D]), [B, D]);
    const flatLogits = head(model, arch, arch.finalNorm(model.config, model.weights, h), input.hooks); // [B*T', V]
    const logits = tf.reshape(flatLogits, [B, outRows, flatLogits.shape[1]]) as tf.Tensor3D; // [B, T', V]
    return { logits, cache: run.cache, prependedRows: run.prependedRows } as unknown as tf.TensorContainer;
  }) as unknown as ForwardOutput;
}

export interface HiddenInput {
  ids: tf.Tensor2D | number[][];
  attentionMask?: tf.Tensor2D | number[][];
  hooks?: ForwardHooks;
  /**
   * While computing gradients, recompute each block in the backward pass instead of keeping its
   * activations (only block inputs are kept). `variables` are the trainable variables the hooks
   * may read inside blocks; their gradients flow through the recomputation.
   * `keepFrozenProducts`: selective recomputation (kept-products.ts): each block also keeps its
   * frozen products' outputs ([tokens, out] each) until its backward, and the recomputation
   * reuses them instead of multiplying again.
   */
  recompute?: { variables: readonly tf.Variable[]; keepFrozenProducts?: boolean } | null;
}

export interface HiddenOutput {
  /** Final-normed hidden states [B*T', D], row-major over (batch, row). */
  hidden: tf.Tensor2D;
  batch: number;
  /** T' = T + rows an inputEmbeddings hook prepended. */
  rows: number;
  prependedRows: number;
}

/**
 * The forward pass without the vocabulary projection, for callers that project in chunks (the
 * training loss: [B, T', V] logits of a 49k–152k vocabulary need not exist at once). No cache.
 */
export function forwardHidden(model: LoadedModel, input: HiddenInput): HiddenOutput {
  const arch = architectureOf(model.config);
  return tf.tidy((): tf.TensorContainer => {
    const run = trunk(model, arch, input, input.recompute ?? null);
    const hidden = arch.finalNorm(model.config, model.weights, run.hidden);
    return { hidden, batch: run.batch, rows: run.rows, prependedRows: run.prependedRows } as unknown as tf.TensorContainer;
  }) as unknown as HiddenOutput;
}

/** hidden [N, D] (final-normed) -> logits [N, V], through the lm_head hook like `forward`. */
export function projectToVocab(model: LoadedModel, hidden: tf.Tensor2D, hooks?: ForwardHooks): tf.Tensor2D {
  return head(model, architectureOf(model.config), hidden, hooks);
}

interface TrunkOutput {
  /** Last block's output [B*T', D], before the final norm. */
  hidden: tf.Tensor2D;
  cache: KVCache | null;
  batch: number;
  rows: number;
  prependedRows: number;
}

/** Embeddings and blocks; runs inside the caller's tidy. */
function trunk(model: LoadedModel, arch: Architecture, input: ForwardInput, recomputeBlocks: HiddenInput['recompute']): TrunkOutput {
  const { config, weights } = model;
  const past = input.cache ?? null;
  const hooks = input.hooks;
  const ids = toIds(input.ids, config.vocabSize);
  const [B, T] = ids.shape;
  let x = embed(weights.get(arch.embeddingName) as tf.Tensor2D, ids); // [B, T, D]
  if (!past && hooks?.inputEmbeddings) x = hooks.inputEmbeddings(x); // [B, T', D]
  const prependedRows = x.shape[1] - T;
  const rows = x.shape[1];
  const prefixes = past ? null : collectPrefixes(hooks, config.numLayers, B);
  const prefixLength = prefixes?.[0]?.key.shape[2] ?? 0;
  const pastLength = (past?.length ?? 0) + prefixLength;
  if (pastLength + rows > config.maxPositions) {
    throw new InvalidInputError(`The sequence needs ${pastLength + rows} positions; the model has ${config.maxPositions}.`);
  }
  const keyMask = buildKeyMask(past, input.attentionMask, B, T, prependedRows, prefixLength);
  const bias = attentionBias(keyMask, B, rows, pastLength);
  const rope = arch.usesRope ? rotary(config, pastLength, rows) : null;
  x = arch.addPositions(weights, x, pastLength);
  const D = x.shape[2];
  let h = tf.reshape(x, [B * rows, D]) as tf.Tensor2D; // [B*T', D]: blocks work on 2-D rows
  const wantCache = input.useCache === true || past !== null;
  const layers: KVCache['layers'] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    const layerPast = past ? past.layers[layer]! : (prefixes?.[layer] ?? null);
    const ctx: BlockContext = { config, weights, hooks, layer, batch: B, rows, bias, positionOffset: pastLength, past: layerPast, rope };
    // A compact model's block weights are widened inside the block's scope (and again when a
    // recomputed block runs in the backward pass), so one block's float32 weights exist at a time.
    const blockWeights = () => (model.compact ? model.compact.layerWeights(weights, layer) : weights);
    // One scope per block: its intermediates are freed when it ends, not when the whole pass
    // does (while training, what the backward needs is kept by the gradient tape itself).
    const out = tf.tidy(() => {
      if (recomputeBlocks && !wantCache) return { hidden: recomputedBlock(arch, ctx, blockWeights, h, recomputeBlocks) };
      ctx.weights = blockWeights();
      const o = arch.block(ctx, h);
      const hidden = withBlockOutputHook(ctx, o.hidden);
      return wantCache ? { hidden, key: o.key, value: o.value } : { hidden };
    }) as { hidden: tf.Tensor2D; key?: tf.Tensor4D; value?: tf.Tensor4D };
    if (layer > 0) h.dispose(); // the previous block's output (the first block's input may be shared)
    h = out.hidden;
    if (out.key && out.value) layers.push({ key: out.key, value: out.value });
  }
  const cache: KVCache | null = wantCache ? { layers, mask: keyMask, length: pastLength + rows } : null;
  return { hidden: h, cache, batch: B, rows, prependedRows };
}

function withBlockOutputHook(ctx: BlockContext, hidden: tf.Tensor2D): tf.Tensor2D {
  const { hooks, batch: B, rows, layer } = ctx;
  if (!hooks?.blockOutput) return hidden;
  const D = hidden.shape[1];
  return tf.reshape(hooks.blockOutput(layer, tf.reshape(hidden, [B, rows, D])), [B * rows, D]) as tf.Tensor2D;
}

/**
 * One block as a recomputed section: its input (and a prefix's keys/values, which may depend on
 * trainable variables) are differentiable inputs; the mask and rotary tables are constants.
 */
function recomputedBlock(
  arch: Architecture,
  ctx: BlockContext,
  blockWeights: () => WeightMap,
  h: tf.Tensor2D,
  options: NonNullable<HiddenInput['recompute']>,
): tf.Tensor2D {
  const inputs: tf.Tensor[] = [h];
  if (ctx.past) inputs.push(ctx.past.key, ctx.past.value);
  const constants: tf.Tensor[] = [];
  if (ctx.bias) constants.push(ctx.bias);
  if (ctx.rope) constants.push(ctx.rope.cos, ctx.rope.sin);
  const hasPast = ctx.past !== null;
  const run = (...tensors: tf.Tensor[]): tf.Tensor => {
    let i = 0;
    const x = tensors[i++] as tf.Tensor2D;
    const past = hasPast ? { key: tensors[i++] as tf.Tensor4D, value: tensors[i++] as tf.Tensor4D } : null;
    const bias = ctx.bias ? (tensors[i++] as tf.Tensor4D) : null;
    const rope = ctx.rope ? { cos: tensors[i++] as tf.Tensor2D, sin: tensors[i++] as tf.Tensor2D, single: null } : null;
    const blockCtx: BlockContext = { ...ctx, weights: blockWeights(), past, bias, rope };
    return withBlockOutputHook(blockCtx, arch.block(blockCtx, x).hidden);
  };
  return recompute(run, inputs, constants, options.variables, { keepFrozenProducts: options.keepFrozenProducts === true }) as tf.Tensor2D;
}

/** Rotary tables for the new rows; one decode row also gets the fused rotation matrices. */
function rotary(config: ModelConfig, offset: number, rows: number): NonNullable<BlockContext['rope']> {
  const { headDim: hd, ropeTheta: theta } = config;
  // Prefill/training keep the elementwise form: its tables are [T, hd] instead of [n*hd, n*hd].
  // (Folding 1/sqrt(hd) into the query's tables was tried: it moves logits by ~1e-4 against the
  // unfused order, more than merge/unmerge parity allows, to save one elementwise op.)
  const single =
    rows === 1
      ? { query: ropeMatrix(offset, hd, theta, 1 / Math.sqrt(hd)), key: ropeMatrix(offset, hd, theta, 1) }
      : null;
  return { ...ropeTables(offset, rows, hd, theta), single };
}

function toIds(ids: tf.Tensor2D | number[][], vocabSize: number): tf.Tensor2D {
  const tensor = Array.isArray(ids) ? tf.tensor2d(ids, undefined, 'int32') : ids;
  if (tensor.rank !== 2 || tensor.shape[1] === 0) throw new InvalidInputError('ids must be a non-empty [batch, tokens] array.');
  if (Array.isArray(ids)) {
    const bad = ids.flat().find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
    if (bad !== undefined) throw new InvalidInputError(`Token id ${bad} is outside the vocabulary (0..${vocabSize - 1}).`);
  }
  return tensor.dtype === 'int32' ? tensor : tf.cast(tensor, 'int32');
}

function collectPrefixes(hooks: ForwardHooks | undefined, numLayers: number, batch: number): KVCache['layers'] | null {
  if (!hooks?.keyValuePrefix) return null;
  const prefixes: KVCache['layers'] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    const prefix = hooks.keyValuePrefix(layer, batch);
    if (!prefix) return null;
    prefixes.push(prefix);
  }
  return prefixes;
}

/**
 * The mask over every key position [B, S + P + T'], or null when nothing is padding:
 * cached positions, then prefix rows and prepended rows (always visible), then the new tokens.
 */
function buildKeyMask(
  past: KVCache | null,
  attentionMask: tf.Tensor2D | number[][] | undefined,
  batch: number,
  tokens: number,
  prependedRows: number,
  prefixLength: number,
): tf.Tensor2D | null {
  if (!attentionMask && !past?.mask) return null;
  const parts: tf.Tensor2D[] = [];
  if (past) parts.push(past.mask ?? tf.ones([batch, past.length]));
  const visible = prefixLength + prependedRows;
  if (visible > 0) parts.push(tf.ones([batch, visible]));
  const mask = attentionMask ? tf.cast(Array.isArray(attentionMask) ? tf.tensor2d(attentionMask) : attentionMask, 'float32') : tf.ones([batch, tokens]);
  if (mask.shape[0] !== batch || mask.shape[1] !== tokens) {
    throw new InvalidInputError(`attentionMask has shape [${mask.shape.join(', ')}]; ids are [${batch}, ${tokens}].`);
  }
  parts.push(mask as tf.Tensor2D);
  return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D);
}

/**
 * Final projection to the vocabulary; tied models reuse the embedding table unless the weight map
 * holds an `lm_head.weight` (never loaded for a tied model: a tuning method that unties the head).
 */
function head(model: LoadedModel, arch: Architecture, x: tf.Tensor2D, hooks: ForwardHooks | undefined): tf.Tensor2D {
  if (!model.config.tieWordEmbeddings || model.weights.has('lm_head.weight')) return linear(model.weights, 'lm_head', x, hooks) as tf.Tensor2D;
  const table = model.weights.get(arch.embeddingName) as tf.Tensor2D;
  // The [D, V] transpose is made once at load for the plain base table; a replaced (e.g. trainable)
  // table is transposed inside the graph so its gradient flows.
  const tied = model.tiedHead && model.tiedHead.source === table ? model.tiedHead.transposed : tf.transpose(table);
  // A trained table (full fine-tuning) gets the head's gradient through its in-graph transpose.
  const trained = table instanceof tf.Variable && table.trainable;
  return linear(model.weights, 'lm_head', x, hooks, tied, trained) as tf.Tensor2D;
}
