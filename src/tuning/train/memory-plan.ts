// The memory plan of a training run, made before anything is allocated: an estimate of the peak
// bytes a backend must hold for a model shape, method, batch and length, and the choice of
// micro-batch, gradient accumulation and block recomputation that keeps it within what the
// backend can hold (the wasm32 heap's 4 GiB, a WebGPU device's buffers). When even one example at
// a time does not fit, a typed refusal says by how much, so the caller can say what to change
// before a run aborts the heap. Pure arithmetic: no tensors here.
//
// The estimate follows what the runtime really keeps (model/forward.ts, model/recompute.ts,
// train/loss.ts, train/trainer.ts); its constants were checked against the wasm heap measured by
// tools/bench/_memory_probe.ts (docs/tuning.md lists the figures).

import type { ModelConfig } from '../../model/types';

/** The part of a model's config the plan reads. */
export type PlanModelShape = Pick<
  ModelConfig,
  'family' | 'vocabSize' | 'hiddenSize' | 'numLayers' | 'numHeads' | 'numKvHeads' | 'headDim' | 'intermediateSize' | 'maxPositions' | 'tieWordEmbeddings'
>;

export interface BackendLimits {
  /** For messages: 'wasm', 'webgpu', … */
  name: string;
  /** Bytes the backend can hold at once (the wasm32 heap: 4 GiB; a GPU: its memory). */
  budgetBytes: number;
  /** Largest single buffer (WebGPU maxStorageBufferBindingSize / maxBufferSize), when limited. */
  maxBufferBytes?: number;
}

/** tfjs-wasm is a wasm32 module: its heap cannot grow past 4 GiB. */
export const WASM32_LIMITS: BackendLimits = { name: 'wasm', budgetBytes: 4 * 2 ** 30 };

/**
 * What a run on this tfjs backend may use; null where no plan is made. WASM: its 4 GiB heap.
 * WebGPU: the page cannot learn the GPU's memory, so 4 GiB, the size of the smallest GPUs that run
 * these models (a too-large single weight is caught when the model loads, backend/limits.ts).
 * CPU and WebGL hold tensors in JavaScript memory or textures with no fixed ceiling: no plan.
 */
export function memoryLimitsFor(backend: string): BackendLimits | null {
  if (backend === 'wasm') return WASM32_LIMITS;
  if (backend === 'webgpu') return { name: 'webgpu', budgetBytes: 4 * 2 ** 30 };
  return null;
}

export interface PlanInput {
  model: PlanModelShape;
  /** Numbers the method trains (Adapter.parameterCount()). */
  trainableParams: number;
  /** Rows a method prepends to every sequence (a soft prompt's virtual tokens). */
  virtualTokens?: number;
  /** Examples per optimizer step. */
  batch: number;
  /** Tokens per example (the run's maxLength). */
  length: number;
  /**
   * Bytes of one frozen block linear weight as held: 4 for float32; 2 for compact weights
   * (model/compact-weights.ts), widened to float32 one block at a time. Embeddings, head and norms
   * are float32 either way.
   */
  bytesPerFrozenWeight: number;
  limits: BackendLimits;
  /** Part of the budget the plan may use; the rest absorbs allocator fragmentation. Default 0.9. */
  headroom?: number;
  /**
   * Which fitting setting comes first. 'largest-micro-batch' (default): the largest micro-batch,
   * recomputing blocks when only that makes it fit; suits GPUs, whose throughput grows with the
   * batch. 'no-recompute': a micro-batch that fits without recomputation, recomputing only when
   * not even micro-batch 1 fits without it; among those, the smallest with FULL_SPEED_ROWS rows
   * (cpuMicroBatchOrder). Suits CPU backends (wasm), whose throughput does not grow past a few
   * hundred rows while memory does, and where recomputation costs one more forward pass. Either
   * way a recomputing setting is first tried selective (the blocks' frozen products kept, not run
   * again), then full.
   */
  prefer?: 'largest-micro-batch' | 'no-recompute';
  /** Rows of logits projected at once (train/loss.ts headChunkRows). Default: 32 MiB of logits. */
  headChunkRows?: number;
  /**
   * Realms that may compute a step's gradients at once (data parallelism, train/parallel/), each
   * holding the model and its own backend memory (a wasm heap each) and computing whole
   * micro-batches: with more than one, the micro-batch is at most ceil(batch / workers), so every
   * realm gets one. Default 1.
   */
  workers?: number;
  /**
   * Memory the machine can give every realm together; fewer workers are planned where that many
   * would not fit. Unset: not checked.
   */
  hostMemoryBytes?: number;
}

export interface MemoryEstimate {
  /** Frozen weights the backend holds, plus the tied head's [D, V] copy. */
  weights: number;
  /**
   * Compact block weights: 16-bit words in JavaScript ArrayBuffers, outside the backend's memory
   * (the wasm heap, GPU buffers), so not part of `total`, which is what the backend must hold.
   */
  hostWeights: number;
  /** Matrix-product workspace that lives with the weights (XNNPACK's packed copies on wasm). */
  weightWorkspace: number;
  /** Trainable values, gradients, AdamW moments, the last-good and best copies. */
  trainableState: number;
  /** Activations and their gradients at the backward pass's peak. */
  activations: number;
  /** Logits of the rows projected at once, with the loss's working copies. */
  logits: number;
  total: number;
}

export interface FittingPlan {
  fits: true;
  /** The backend planned for (BackendLimits.name). */
  backend: string;
  microBatch: number;
  /** Micro-batches summed into one optimizer step: ceil(batch / microBatch). */
  accumulation: number;
  /** Recompute each block in the backward pass (costs about one more forward pass). */
  recompute: boolean;
  /**
   * With `recompute`: selective recomputation (model/kept-products.ts). Each block keeps its frozen
   * matrix products' outputs from the forward pass and the recomputation reuses them, so only its
   * cheap parts run again; false with `recompute`: the whole block runs again (chosen only when the
   * kept outputs do not fit).
   */
  keepFrozenProducts: boolean;
  /** Realms computing each step's micro-batches at once (1: this one only); each holds `estimatedPeakBytes`. */
  workers: number;
  /** Frozen block weights held compact (16-bit, model/compact-weights.ts): planned with bytesPerFrozenWeight < 4. */
  compactWeights: boolean;
  headChunkRows: number;
  estimatedPeakBytes: number;
  budgetBytes: number;
  estimate: MemoryEstimate;
}

export type RefusalReason =
  /** The frozen weights alone exceed the budget: a smaller model or compact weights are needed. */
  | 'weights-exceed-budget'
  /** One example of this length does not fit even with recomputation: shorten the examples. */
  | 'batch-one-exceeds-budget'
  /** A single tensor (usually the embedding table) exceeds the backend's largest buffer. */
  | 'buffer-too-large';

export interface Refusal {
  fits: false;
  reason: RefusalReason;
  /** The backend planned for (BackendLimits.name). */
  backend: string;
  /** The example length planned for. */
  length: number;
  /** Estimated peak at micro-batch 1 with recomputation (the leanest setting). */
  estimatedPeakBytes: number;
  budgetBytes: number;
  /** The part of the budget a plan may fill (budget × headroom). */
  usableBytes: number;
  /** Weights, their working copies and the trainable state: what no batch size changes. */
  fixedBytes: number;
  /** For 'buffer-too-large': the largest tensor and the limit. */
  largestBufferBytes?: number;
  maxBufferBytes?: number;
  /** Longest example length that would fit at micro-batch 1 (0 when none does). */
  lengthThatFits: number;
  /** Whether the same run would fit with compact block weights (2 bytes each). */
  compactWouldFit: boolean;
}

export type MemoryPlan = FittingPlan | Refusal;

const F32 = 4;
const MIB = 2 ** 20;
/** The wasm module, tfjs's own tables and the allocator's slack before any tensor. */
const BASE_OVERHEAD = 128 * MIB;
/**
 * The heap holds more than the tensors' bytes: the allocator rounds and fragments, and the wasm
 * heap grows in steps. Measured: 1.10–1.20 × the tensor peak on SmolLM2-135M shapes.
 */
const ALLOCATOR_FACTOR = 1.15;
/** Rows of float32 logits per chunk: 32 MiB, as train/loss.ts HEAD_CHUNK_BYTES. */
const HEAD_CHUNK_BYTES = 32 * MIB;
/**
 * Floats per token per block that a block's forward and backward hold at the backward's peak,
 * in units of the hidden width D, the MLP width I and the keys per head. tfjs keeps every saved
 * tensor until the backward reaches it and every intermediate gradient until the whole backward
 * ends, so this is several times the saved activations alone. Fitted to the tensor peak of LoRA
 * on SmolLM2-135M (1 × 128: 1.72 GiB with 0.61 GiB of weights, ≈ 61 k floats per token per block).
 */
const HELD_PER_D = 80;
/**
 * GPT-2's MLP (GELU-tanh through stock autodiff: pow, tanh, several products) and LayerNorm hold
 * more per MLP unit than Llama's hand-written SwiGLU backward; fitted to GPT-2 124M at 2 × 128
 * without recomputation (heap 3.19 GiB).
 */
const HELD_PER_I = { llama: 6, gpt2: 14 } as const;
const HELD_PER_HEAD_KEY = 4;
/** Per token per block with recomputation: the block's input and its gradient at the boundary. */
const BOUNDARY_PER_D = 2;
/** Live [rows, V] float32 tensors in the loss's backward (logits, exp, one-hot int and float, dlogits). */
const LOGIT_COPIES = 5;
/** Trainable values: value, gradient, clipped gradient, AdamW m and v, last-good and best copies. */
const TRAINABLE_COPIES = 7;
/**
 * What a realm holds outside its backend's memory: the JavaScript engine, tfjs and the model's
 * files while they load (Node: a worker thread's share of the process's resident memory).
 */
const REALM_OVERHEAD = 384 * MIB;

/** Parameters of the base model (a tied head counted once); GPT-2 with its biases and LayerNorm biases. */
export function frozenParameterCount(m: PlanModelShape): number {
  const D = m.hiddenSize;
  const I = m.intermediateSize;
  const q = m.numHeads * m.headDim;
  const kv = m.numKvHeads * m.headDim;
  const gpt2 = m.family === 'gpt2';
  const embeddings = m.vocabSize * D + (gpt2 ? m.maxPositions * D : 0);
  const head = m.tieWordEmbeddings ? 0 : m.vocabSize * D;
  const attention = D * q + 2 * D * kv + q * D;
  const mlp = (gpt2 ? 2 : 3) * D * I;
  // GPT-2: two LayerNorms (weight + bias) and biases on every linear; Llama: two RMSNorm weights.
  const small = gpt2 ? 4 * D + (q + 2 * kv) + D + I + D : 2 * D;
  const finalNorm = gpt2 ? 2 * D : D;
  return embeddings + head + m.numLayers * (attention + mlp + small) + finalNorm;
}

/** Parameters that go through matrix products (every linear weight and the head). */
function matMulParameterCount(m: PlanModelShape): number {
  const D = m.hiddenSize;
  const q = m.numHeads * m.headDim;
  const kv = m.numKvHeads * m.headDim;
  const perLayer = D * q + 2 * D * kv + q * D + (m.family === 'gpt2' ? 2 : 3) * D * m.intermediateSize;
  return m.numLayers * perLayer + m.vocabSize * D;
}

/**
 * Floats per token per block that selective recomputation keeps from the forward pass to the
 * backward: the outputs of the block's frozen products (Llama: q, k, v, o, gate, up, down; GPT-2:
 * c_attn, c_proj, c_fc, the MLP's c_proj). 5,184 at SmolLM2-135M (D 576, I 1536, 3 of 9 heads for
 * keys and values).
 */
export function keptProductFloatsPerToken(m: PlanModelShape): number {
  const q = m.numHeads * m.headDim;
  const kv = m.numKvHeads * m.headDim;
  const mlpIn = (m.family === 'gpt2' ? 1 : 2) * m.intermediateSize;
  return q + 2 * kv + m.hiddenSize + mlpIn + m.hiddenSize;
}

/** How a plan treats the blocks in the backward pass. */
export type Recomputation = 'none' | 'selective' | 'full';

/** Floats one block holds per token at its backward's peak, for sequences of `keys` positions. */
function heldPerTokenPerBlock(m: PlanModelShape, keys: number): number {
  return HELD_PER_D * m.hiddenSize + HELD_PER_I[m.family] * m.intermediateSize + HELD_PER_HEAD_KEY * m.numHeads * keys;
}

export function defaultHeadChunkRows(vocabSize: number): number {
  return Math.max(1, Math.floor(HEAD_CHUNK_BYTES / (vocabSize * F32)));
}

/**
 * Peak bytes of one training step at this micro-batch. `recompute`: true (or 'full') recomputes
 * whole blocks; 'selective' also keeps every block's frozen-product outputs (model/kept-products.ts).
 */
export function estimatePeak(input: PlanInput, microBatch: number, recompute: boolean | Recomputation): MemoryEstimate {
  const mode: Recomputation = recompute === true ? 'full' : recompute === false ? 'none' : recompute;
  const m = input.model;
  const rows = input.length + (input.virtualTokens ?? 0);
  const tokens = microBatch * rows;
  const D = m.hiddenSize;
  // Compact storage (model/compact-weights.ts) holds the block linears only; embeddings, head and
  // norms stay float32, and so does the tied head's [D, V] copy.
  const tiedCopy = m.tieWordEmbeddings ? m.vocabSize * D * F32 : 0;
  const blockLinears = matMulParameterCount(m) - m.vocabSize * D;
  const compact = input.bytesPerFrozenWeight < F32;
  const hostWeights = compact ? blockLinears * input.bytesPerFrozenWeight : 0;
  const weights = (compact ? 0 : blockLinears * F32) + (frozenParameterCount(m) - blockLinears) * F32 + tiedCopy;
  // XNNPACK packs each float32 weight it multiplies by and keeps the packed copy as long as the
  // weight lives; a frozen weight's backward also multiplies by its transpose (the largest such
  // transient: the head's [V, D]). Weights held compact are widened one layer at a time, so only
  // one layer's widened float32 copy and its packed copy exist at once, beside the resident head's
  // packed copy.
  const headFloats = m.vocabSize * D;
  const perLayerMatMul = (matMulParameterCount(m) - headFloats) / m.numLayers;
  const packed = input.bytesPerFrozenWeight >= F32 ? matMulParameterCount(m) : 2 * perLayerMatMul + headFloats;
  // The head's backward multiplies by its [V, D] transpose (model/layers.ts frozenInputGrad). A
  // tied head reads the embedding table itself, resident anyway; on wasm an untied head's
  // transpose is made a cache-sized slice at a time. Only an untied head elsewhere (WebGPU) makes
  // a whole transient [V, D] copy. (Earlier kernels made two head-sized copies on every backend:
  // the plan counted them until the heap measured without them, docs/tuning.md.)
  const headTranspose = m.tieWordEmbeddings || input.limits.name === 'wasm' ? 0 : headFloats;
  const weightWorkspace = (packed + headTranspose) * F32;
  const trainableState = input.trainableParams * F32 * TRAINABLE_COPIES;
  const perBlock = heldPerTokenPerBlock(m, rows) * tokens * F32;
  // Without recomputation every block's share is held at once; with it, the block boundaries plus
  // the one block being recomputed, and with selective recomputation every block's kept products
  // (all alive when the backward starts). Four more [tokens, D]: embeddings, final norm, their
  // gradients.
  const boundaries = m.numLayers * BOUNDARY_PER_D * tokens * D * F32;
  const kept = mode === 'selective' ? m.numLayers * keptProductFloatsPerToken(m) * tokens * F32 : 0;
  const activations = (mode === 'none' ? m.numLayers * perBlock : boundaries + kept + perBlock) + 4 * tokens * D * F32;
  const chunkRows = input.headChunkRows ?? defaultHeadChunkRows(m.vocabSize);
  const logits = Math.min(tokens, chunkRows) * m.vocabSize * F32 * LOGIT_COPIES;
  const tensors = weights + weightWorkspace + trainableState + activations + logits;
  const total = BASE_OVERHEAD + tensors * ALLOCATOR_FACTOR;
  return { weights, hostWeights, weightWorkspace, trainableState, activations, logits, total };
}

/**
 * The first setting that fits in the order `prefer` gives (accumulation = ceil(batch / micro));
 * a refusal when micro-batch 1 with recomputation does not fit.
 */
export function planMemory(input: PlanInput): MemoryPlan {
  if (!(input.batch >= 1) || !(input.length >= 1)) throw new RangeError('batch and length must be at least 1');
  const single = planForWorkers(input, 1);
  const wanted = Math.min(Math.floor(input.workers ?? 1), input.batch);
  for (let workers = wanted; workers > 1 && single.fits; workers--) {
    const plan = planForWorkers(input, workers);
    if (!plan.fits) continue;
    // Small micro-batches forced by memory may leave fewer micro-batches than workers.
    const realms = Math.min(workers, plan.accumulation);
    if (input.hostMemoryBytes !== undefined && realms * realmBytes(plan) > input.hostMemoryBytes) continue;
    return { ...plan, workers: realms };
  }
  return single;
}

/** What one realm of a plan holds in the machine's memory: its backend's peak, host-side weights and the engine. */
export function realmBytes(plan: FittingPlan): number {
  return plan.estimatedPeakBytes + plan.estimate.hostWeights + REALM_OVERHEAD;
}

/** The plan with micro-batches of at most ceil(batch / workers) examples. */
function planForWorkers(input: PlanInput, workers: number): MemoryPlan {
  const budget = input.limits.budgetBytes * (input.headroom ?? 0.9);
  const chunkRows = input.headChunkRows ?? defaultHeadChunkRows(input.model.vocabSize);
  const largest = largestBufferBytes(input, chunkRows);
  const leanest = estimatePeak(input, 1, true);
  const fixed = BASE_OVERHEAD + (leanest.weights + leanest.weightWorkspace + leanest.trainableState) * ALLOCATOR_FACTOR;
  const refusal = (reason: RefusalReason): Refusal => ({
    fits: false,
    reason,
    backend: input.limits.name,
    length: input.length,
    estimatedPeakBytes: leanest.total,
    budgetBytes: input.limits.budgetBytes,
    usableBytes: budget,
    fixedBytes: fixed,
    ...(reason === 'buffer-too-large' ? { largestBufferBytes: largest, maxBufferBytes: input.limits.maxBufferBytes } : {}),
    lengthThatFits: lengthThatFits(input, budget),
    compactWouldFit: input.bytesPerFrozenWeight > 2 && planMemory({ ...input, bytesPerFrozenWeight: 2 }).fits,
  });
  if (input.limits.maxBufferBytes !== undefined && largest > input.limits.maxBufferBytes) return refusal('buffer-too-large');
  if (fixed > budget) return refusal('weights-exceed-budget');
  const largestMicro = Math.ceil(input.batch / workers);
  const micros = microBatchSizes(input.batch).filter((micro) => micro <= largestMicro);
  const cpuOrder = cpuMicroBatchOrder(micros, input.length + (input.virtualTokens ?? 0));
  // Selective recomputation costs the kept outputs' memory and saves most of a forward pass (the
  // frozen products), so it comes before full recomputation wherever recomputation does.
  const modes: Recomputation[] = ['none', 'selective', 'full'];
  const order: [number, Recomputation][] =
    input.prefer === 'no-recompute'
      ? modes.flatMap((mode) => cpuOrder.map((micro): [number, Recomputation] => [micro, mode]))
      : micros.flatMap((micro) => modes.map((mode): [number, Recomputation] => [micro, mode]));
  for (const [micro, mode] of order) {
    // Compact weights are widened per block only when blocks are recomputed; otherwise the
    // backward pass keeps every widened weight (float32) until it ends.
    if (input.bytesPerFrozenWeight < F32 && mode === 'none') continue;
    const estimate = estimatePeak(input, micro, mode);
    if (estimate.total <= budget) {
      return {
        fits: true,
        backend: input.limits.name,
        microBatch: micro,
        accumulation: Math.ceil(input.batch / micro),
        recompute: mode !== 'none',
        keepFrozenProducts: mode === 'selective',
        workers: 1,
        compactWeights: input.bytesPerFrozenWeight < F32,
        headChunkRows: chunkRows,
        estimatedPeakBytes: estimate.total,
        budgetBytes: input.limits.budgetBytes,
        estimate,
      };
    }
  }
  return refusal('batch-one-exceeds-budget');
}

/**
 * Rows (tokens) from which a CPU backend's products run at full speed: XNNPACK's tiles are full
 * and the weights are streamed once per many rows. Measured on the shipped model's shape, 2
 * gradient workers, batch 16 × 128: micro-batches of 256 and 512 rows trained at 1,450–1,500
 * tokens/s against 1,250–1,340 at 1,024 rows (activations beyond the caches), and the peak RSS
 * fell from 1,759 to 1,121 MB (docs/tuning.md).
 */
const FULL_SPEED_ROWS = 512;

/**
 * CPU order of micro-batch sizes (given largest first): the smallest that still has
 * FULL_SPEED_ROWS rows, then the larger ones (each more memory for no more speed), then the
 * smaller ones, largest first (fewer rows per product run slower).
 */
function cpuMicroBatchOrder(micros: readonly number[], rowsPerExample: number): number[] {
  const full = micros.filter((micro) => micro * rowsPerExample >= FULL_SPEED_ROWS).reverse();
  const short = micros.filter((micro) => micro * rowsPerExample < FULL_SPEED_ROWS);
  return [...full, ...short];
}

/** Micro-batch sizes ceil(batch / k) for k = 1, 2, …, largest first, each once. */
function microBatchSizes(batch: number): number[] {
  const sizes: number[] = [];
  for (let accumulation = 1; accumulation <= batch; accumulation++) {
    const micro = Math.ceil(batch / accumulation);
    if (sizes.at(-1) !== micro) sizes.push(micro);
  }
  return sizes;
}

/** The largest single tensor of a step: the embedding table, a logits chunk, or attention scores. */
function largestBufferBytes(input: PlanInput, chunkRows: number): number {
  const m = input.model;
  const rows = input.length + (input.virtualTokens ?? 0);
  const table = m.vocabSize * m.hiddenSize * F32;
  const logits = Math.min(rows, chunkRows) * m.vocabSize * F32;
  const scores = m.numHeads * rows * rows * F32;
  return Math.max(table, logits, scores);
}

/** Longest length (a multiple of 8, at least 8) that fits at micro-batch 1 with recomputation; 0 if none. */
function lengthThatFits(input: PlanInput, budget: number): number {
  let best = 0;
  for (let length = 8; length <= Math.max(8, input.length); length += 8) {
    if (estimatePeak({ ...input, length }, 1, true).total > budget) break;
    best = length;
  }
  return best;
}

/** English summary for logs and the command line (the UI words the typed fields itself). */
export function describePlan(plan: MemoryPlan): string {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (plan.fits) {
    const steps = plan.accumulation > 1 ? ` × ${plan.accumulation} accumulated` : '';
    const workers = plan.workers > 1 ? `, shared by ${plan.workers} workers (one core each)` : '';
    const each = plan.workers > 1 ? ' per worker' : '';
    return `micro-batch ${plan.microBatch}${steps}${workers}${plan.recompute ? (plan.keepFrozenProducts ? ', blocks recomputed reusing their kept products' : ', blocks recomputed') : ''}${plan.compactWeights ? ', block weights held 16-bit' : ''}; estimated peak ${gib(plan.estimatedPeakBytes)} of ${gib(plan.budgetBytes)}${each}`;
  }
  switch (plan.reason) {
    case 'buffer-too-large':
      return `a single tensor needs ${gib(plan.largestBufferBytes ?? 0)}, more than the backend's largest buffer (${gib(plan.maxBufferBytes ?? 0)}); use a smaller model or another backend`;
    case 'weights-exceed-budget':
      return `the model's weights and their working copies need an estimated ${gib(plan.fixedBytes)}, more than the ${gib(plan.usableBytes)} this backend can safely use (of ${gib(plan.budgetBytes)}); ${plan.compactWouldFit ? 'keep the weights compact (16-bit)' : 'use a smaller model'}`;
    case 'batch-one-exceeds-budget':
      return plan.lengthThatFits > 0
        ? `one example of this length needs an estimated ${gib(plan.estimatedPeakBytes)}, more than the ${gib(plan.usableBytes)} this backend can safely use; limit examples to ${plan.lengthThatFits} tokens`
        : `one example needs an estimated ${gib(plan.estimatedPeakBytes)}, more than the ${gib(plan.usableBytes)} this backend can safely use; use a smaller model`;
  }
}

/** How a model is held for generation: float32 block weights, compact ones, or not at all. */
export type InferencePlan =
  | { fits: true; compactWeights: boolean; estimatedPeakBytes: number; budgetBytes: number }
  | { fits: false; estimatedPeakBytes: number; budgetBytes: number };

/**
 * Generation holds the frozen weights, XNNPACK's packed copy of every weight it multiplies by, the
 * tied head's [D, V] copy and a KV cache (small next to them at these lengths). float32 when that
 * fits (a compact model widens every block for every token: several times slower decoding); else
 * compact block weights, of which one layer is widened and packed at a time.
 */
export function planInference(model: PlanModelShape, limits: BackendLimits, headroom = 0.9): InferencePlan {
  const budget = limits.budgetBytes * headroom;
  const estimate = (bytesPerFrozenWeight: number) => {
    // As wasm: no backward pass, so no transient [V, D] transpose of the head either.
    const e = estimatePeak({ model, trainableParams: 0, batch: 1, length: 1, bytesPerFrozenWeight, limits: { ...limits, name: 'wasm' }, headChunkRows: 1 }, 1, bytesPerFrozenWeight < F32);
    return BASE_OVERHEAD + (e.weights + e.weightWorkspace) * ALLOCATOR_FACTOR;
  };
  const float32 = estimate(F32);
  if (float32 <= budget) return { fits: true, compactWeights: false, estimatedPeakBytes: float32, budgetBytes: limits.budgetBytes };
  const compact = estimate(2);
  if (compact <= budget) return { fits: true, compactWeights: true, estimatedPeakBytes: compact, budgetBytes: limits.budgetBytes };
  return { fits: false, estimatedPeakBytes: compact, budgetBytes: limits.budgetBytes };
}
