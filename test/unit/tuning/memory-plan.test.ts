// The memory plan: parameter counts of published shapes, the estimate's direction (more rows,
// more bytes; recomputation, fewer), the choice of micro-batch and accumulation under a budget,
// and typed refusals. The estimate's absolute figures are checked against measured heaps by
// tools/bench/_memory_probe.ts, not here.
import { describe, expect, it } from 'vitest';
import {
  WASM32_LIMITS,
  describePlan,
  estimatePeak,
  frozenParameterCount,
  keptProductFloatsPerToken,
  planInference,
  planMemory,
  realmBytes,
  type PlanInput,
  type PlanModelShape,
} from '../../../src/tuning/train/memory-plan';

const SMOLLM2_135M: PlanModelShape = {
  family: 'llama',
  vocabSize: 49152,
  hiddenSize: 576,
  numLayers: 30,
  numHeads: 9,
  numKvHeads: 3,
  headDim: 64,
  intermediateSize: 1536,
  maxPositions: 8192,
  tieWordEmbeddings: true,
};
const SMOLLM2_360M: PlanModelShape = { ...SMOLLM2_135M, hiddenSize: 960, numLayers: 32, numHeads: 15, numKvHeads: 5, intermediateSize: 2560 };
const QWEN25_05B: PlanModelShape = { ...SMOLLM2_135M, vocabSize: 151936, hiddenSize: 896, numLayers: 24, numHeads: 14, numKvHeads: 2, intermediateSize: 4864, maxPositions: 32768 };
const GPT2_124M: PlanModelShape = {
  family: 'gpt2',
  vocabSize: 50257,
  hiddenSize: 768,
  numLayers: 12,
  numHeads: 12,
  numKvHeads: 12,
  headDim: 64,
  intermediateSize: 3072,
  maxPositions: 1024,
  tieWordEmbeddings: true,
};

/** LoRA r = 8 on q, k, v, o of the 135M shape, as the probe trains it. */
const LORA_135M = 30 * (2 * 8 * (576 + 576) + 2 * 8 * (576 + 192));

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return { model: SMOLLM2_135M, trainableParams: LORA_135M, batch: 4, length: 128, bytesPerFrozenWeight: 4, limits: WASM32_LIMITS, ...overrides };
}

describe('memory plan', () => {
  it('counts the published parameter numbers', () => {
    expect(frozenParameterCount(SMOLLM2_135M)).toBe(134_515_008);
    expect(frozenParameterCount(GPT2_124M)).toBe(124_439_808);
    expect(frozenParameterCount(QWEN25_05B)).toBeGreaterThan(490e6); // 494 M with q/k/v biases, which the plan leaves out
    expect(frozenParameterCount(QWEN25_05B)).toBeLessThan(494.1e6);
  });

  it('estimates more bytes for more rows, fewer with recomputation, and fewer for compact weights', () => {
    const at = (micro: number, recompute: boolean, extra: Partial<PlanInput> = {}) => estimatePeak(input(extra), micro, recompute).total;
    expect(at(2, false)).toBeGreaterThan(at(1, false));
    expect(at(4, true)).toBeGreaterThan(at(2, true));
    expect(at(4, true)).toBeLessThan(at(4, false) / 2);
    expect(at(1, true, { length: 256 })).toBeGreaterThan(at(1, true));
    expect(at(1, true, { bytesPerFrozenWeight: 2 })).toBeLessThan(at(1, true));
    // The chunked head bounds the logits whatever the batch.
    expect(estimatePeak(input(), 64, true).logits).toBe(estimatePeak(input(), 8, true).logits);
  });

  it('135M LoRA at 4 × 128 on wasm: the whole batch at once, blocks selectively recomputed, within 90 % of 4 GiB', () => {
    const plan = planMemory(input());
    expect(plan.fits).toBe(true);
    if (!plan.fits) return;
    expect(plan).toMatchObject({ microBatch: 4, accumulation: 1, recompute: true, keepFrozenProducts: true });
    expect(plan.estimatedPeakBytes).toBeLessThanOrEqual(0.9 * 4 * 2 ** 30);
    expect(describePlan(plan)).toMatch(/micro-batch 4, blocks recomputed reusing their kept products; estimated peak \d\.\d\d GiB of 4\.00 GiB/);
  });

  it("'no-recompute' (CPU backends) takes accumulation over recomputation while a micro-batch fits without it", () => {
    // 4 × 128: micro-batch 4 fits only recomputed, micro-batch 2 without.
    expect(estimatePeak(input(), 4, 'none').total).toBeGreaterThan(0.9 * 4 * 2 ** 30);
    expect(planMemory(input({ prefer: 'no-recompute' }))).toMatchObject({ fits: true, microBatch: 2, accumulation: 2, recompute: false, keepFrozenProducts: false });
    // 4 × 256: not even one example fits without recomputation, so recomputed, and of the
    // micro-batches the smallest with 512 rows (products at full speed, half the activations of 4).
    expect(planMemory(input({ prefer: 'no-recompute', length: 256 }))).toMatchObject({ fits: true, microBatch: 2, accumulation: 2, recompute: true, keepFrozenProducts: true });
  });

  it("'no-recompute' takes the smallest micro-batch of at least 512 rows, else the largest below", () => {
    const small: PlanModelShape = { ...SMOLLM2_135M, vocabSize: 6144, hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 4, headDim: 32, intermediateSize: 704 };
    const cpu = (extra: Partial<PlanInput>) => planMemory(input({ model: small, trainableParams: 73_728, prefer: 'no-recompute', ...extra }));
    // 16 × 128: micro-batches 16, 8, 6, 4, 3, 2, 1 all fit; 4 × 128 is the first with 512 rows.
    expect(cpu({ batch: 16, length: 128 })).toMatchObject({ fits: true, microBatch: 4, accumulation: 4, recompute: false });
    // Two workers: the same micro-batch, two per realm.
    expect(cpu({ batch: 16, length: 128, workers: 2 })).toMatchObject({ fits: true, microBatch: 4, accumulation: 4, workers: 2 });
    // Virtual tokens count as rows: 4 × (100 + 28) reaches 512.
    expect(cpu({ batch: 16, length: 100, virtualTokens: 28 })).toMatchObject({ microBatch: 4 });
    // Below 512 rows at the whole batch: the whole batch (the largest), not a smaller one.
    expect(cpu({ batch: 3, length: 64 })).toMatchObject({ fits: true, microBatch: 3, accumulation: 1 });
    // Largest-micro-batch (GPUs) still takes the whole batch.
    expect(planMemory(input({ model: small, trainableParams: 73_728, batch: 16, length: 128 }))).toMatchObject({ microBatch: 16, accumulation: 1 });
  });

  it('counts the frozen products a block keeps under selective recomputation', () => {
    // q 576 + k, v 2 × 192 + o 576 + gate, up 2 × 1536 + down 576.
    expect(keptProductFloatsPerToken(SMOLLM2_135M)).toBe(5184);
    // c_attn 3 × 768 + c_proj 768 + c_fc 3072 + the MLP's c_proj 768.
    expect(keptProductFloatsPerToken(GPT2_124M)).toBe(6912);
    // Every block's kept outputs are alive when the backward starts: layers × floats × tokens.
    const selective = estimatePeak(input({ length: 256 }), 2, 'selective');
    const full = estimatePeak(input({ length: 256 }), 2, 'full');
    expect(selective.activations - full.activations).toBe(30 * 5184 * 2 * 256 * 4);
    expect(full).toEqual(estimatePeak(input({ length: 256 }), 2, true));
    expect(selective.total).toBeGreaterThan(full.total);
    expect(selective.total).toBeLessThan(estimatePeak(input({ length: 256 }), 2, 'none').total);
  });

  it('picks selective recomputation where it fits, full recomputation where only that fits', () => {
    const at = (micro: number, mode: 'selective' | 'full') => estimatePeak(input({ length: 256 }), micro, mode).total;
    // As the bench trains: 4 × 256 over 2 workers, micro-batch 2 each.
    const bench = planMemory(input({ length: 256, prefer: 'no-recompute', workers: 2, hostMemoryBytes: 64 * 2 ** 30 }));
    expect(bench).toMatchObject({ fits: true, microBatch: 2, accumulation: 2, workers: 2, recompute: true, keepFrozenProducts: true });
    // A budget between micro-batch 1's full and selective estimates (both need recomputation at this length).
    const between = { name: 'wasm', budgetBytes: (at(1, 'full') + at(1, 'selective')) / 2 / 0.9 };
    const plan = planMemory(input({ length: 256, prefer: 'no-recompute', limits: between }));
    expect(plan).toMatchObject({ fits: true, microBatch: 1, accumulation: 4, recompute: true, keepFrozenProducts: false });
    expect(describePlan(plan)).toMatch(/micro-batch 1 × 4 accumulated, blocks recomputed; estimated/);
    // 'no-recompute' (wasm) takes selective recomputation at any micro-batch before full
    // recomputation at any: a budget that holds micro-batch 1 selective (and 2 only fully recomputed).
    const small = { name: 'wasm', budgetBytes: (at(1, 'selective') + 1) / 0.9 };
    expect(at(2, 'selective')).toBeGreaterThan(at(1, 'selective') + 1);
    expect(at(2, 'full')).toBeLessThan(at(1, 'selective'));
    expect(planMemory(input({ length: 256, prefer: 'no-recompute', limits: small }))).toMatchObject({ fits: true, microBatch: 1, recompute: true, keepFrozenProducts: true });
    // 'largest-micro-batch' (GPUs) takes the larger micro-batch, fully recomputed, first.
    const gpu = { name: 'webgpu', budgetBytes: (at(4, 'full') + at(4, 'selective')) / 2 / 0.9 };
    expect(planMemory(input({ length: 256, limits: gpu }))).toMatchObject({ fits: true, microBatch: 4, recompute: true, keepFrozenProducts: false });
  });

  it('counts no head-sized transpose where the head needs none (tied, or sliced on wasm); an untied head on WebGPU makes one', () => {
    const packedFloats = (m: PlanModelShape) => frozenParameterCount(m) - 2 * m.hiddenSize * m.numLayers - m.hiddenSize; // every matmul weight
    expect(estimatePeak(input(), 1, true).weightWorkspace).toBe(packedFloats(SMOLLM2_135M) * 4);
    const untied = { ...SMOLLM2_135M, tieWordEmbeddings: false };
    const untiedWasm = estimatePeak(input({ model: untied }), 1, true).weightWorkspace;
    const untiedGpu = estimatePeak(input({ model: untied, limits: { name: 'webgpu', budgetBytes: 4 * 2 ** 30 } }), 1, true).weightWorkspace;
    expect(untiedGpu - untiedWasm).toBe(49152 * 576 * 4);
  });

  it('a small model keeps every activation (no recomputation) at batch 16', () => {
    const small: PlanModelShape = { ...SMOLLM2_135M, vocabSize: 4096, hiddenSize: 256, numLayers: 4, numHeads: 4, numKvHeads: 4, intermediateSize: 688 };
    const plan = planMemory(input({ model: small, batch: 16, trainableParams: 65_536 }));
    expect(plan).toMatchObject({ fits: true, microBatch: 16, accumulation: 1, recompute: false });
  });

  it('under a tighter budget: the largest micro-batch that fits, accumulation = ceil(batch / micro)', () => {
    const perRow = estimatePeak(input(), 2, true).total - estimatePeak(input(), 1, true).total;
    // A budget between micro-batch 2 and 3 with recomputation.
    const budget = (estimatePeak(input(), 2, true).total + perRow / 2) / 0.9;
    const limits = { name: 'test', budgetBytes: budget };
    expect(planMemory(input({ limits }))).toMatchObject({ fits: true, microBatch: 2, accumulation: 2, recompute: true });
    expect(planMemory(input({ limits, batch: 5 }))).toMatchObject({ fits: true, microBatch: 2, accumulation: 3 });
    const plan = planMemory(input({ limits, batch: 7 }));
    expect(plan.fits && plan.microBatch * plan.accumulation).toBeGreaterThanOrEqual(7);
  });

  it('refuses with a typed reason when even batch 1 cannot fit, and says which length would', () => {
    const plan = planMemory(input({ length: 8192, batch: 1 }));
    expect(plan.fits).toBe(false);
    if (plan.fits) return;
    expect(plan.reason).toBe('batch-one-exceeds-budget');
    expect(plan.estimatedPeakBytes).toBeGreaterThan(0.9 * plan.budgetBytes);
    expect(plan.lengthThatFits).toBeGreaterThan(128);
    expect(plan.lengthThatFits).toBeLessThan(8192);
    expect(planMemory(input({ length: plan.lengthThatFits, batch: 1 })).fits).toBe(true);
    expect(planMemory(input({ length: plan.lengthThatFits + 8, batch: 1 })).fits).toBe(false);
    expect(describePlan(plan)).toMatch(new RegExp(`limit examples to ${plan.lengthThatFits} tokens`));
  });

  it('refuses a model whose weights alone exceed the budget', () => {
    const plan = planMemory(input({ model: QWEN25_05B, batch: 1, limits: { name: 'wasm', budgetBytes: 2 * 2 ** 30 } }));
    expect(plan).toMatchObject({ fits: false, reason: 'weights-exceed-budget' });
    expect(plan.fits === false && plan.fixedBytes).toBeGreaterThan(0.9 * 2 * 2 ** 30);
    expect(plan).toMatchObject({ compactWouldFit: false }); // 0.5B's float32 table and head alone fill 2 GiB
    expect(describePlan(plan)).toMatch(/weights and their working copies need an estimated \d+\.\d\d GiB, more than the 1\.80 GiB/);
  });

  it('refuses when one tensor exceeds the backend\'s largest buffer (a WebGPU binding limit)', () => {
    const plan = planMemory(input({ model: QWEN25_05B, batch: 1, limits: { name: 'webgpu', budgetBytes: 16 * 2 ** 30, maxBufferBytes: 128 * 2 ** 20 } }));
    expect(plan).toMatchObject({ fits: false, reason: 'buffer-too-large', largestBufferBytes: 151936 * 896 * 4 });
    expect(planMemory(input({ model: QWEN25_05B, batch: 1, limits: { name: 'webgpu', budgetBytes: 16 * 2 ** 30, maxBufferBytes: 2 ** 30 } })).fits).toBe(true);
  });

  it('360M: float32 weights, their packed copies and one example of 128 tokens exceed the wasm heap; compact weights would fit', () => {
    const trainableParams = 32 * (2 * 8 * (960 + 960) + 2 * 8 * (960 + 320));
    const refused = planMemory(input({ model: SMOLLM2_360M, trainableParams, batch: 1 }));
    expect(refused).toMatchObject({ fits: false, reason: 'batch-one-exceeds-budget', compactWouldFit: true });
    expect(describePlan(refused)).toMatch(/limit examples to \d+ tokens/);
    // On a 3 GiB budget the float32 weights and their working copies alone are too much.
    const small = planMemory(input({ model: SMOLLM2_360M, trainableParams, batch: 1, limits: { name: 'wasm', budgetBytes: 3 * 2 ** 30 } }));
    expect(small).toMatchObject({ fits: false, reason: 'weights-exceed-budget', compactWouldFit: true });
    expect(describePlan(small)).toMatch(/keep the weights compact/);
    expect(planMemory(input({ model: SMOLLM2_360M, trainableParams, batch: 4, bytesPerFrozenWeight: 2 }))).toMatchObject({ fits: true });
  });

  it('rejects a batch or length below 1', () => {
    expect(() => planMemory(input({ batch: 0 }))).toThrow(RangeError);
    expect(() => planMemory(input({ length: 0 }))).toThrow(RangeError);
  });
});

describe('compact block weights in the plan', () => {
  it('Qwen2.5-0.5B LoRA at 1 × 128 on wasm: float32 is refused, compact fits, its 16-bit words counted as host memory outside the heap', () => {
    const trainableParams = 24 * 8 * (896 + 896 + 896 + 128 + 896 + 128 + 896 + 896);
    const base = input({ model: QWEN25_05B, trainableParams, batch: 1, length: 128 });
    expect(planMemory(base)).toMatchObject({ fits: false, compactWouldFit: true });
    const plan = planMemory({ ...base, bytesPerFrozenWeight: 2 });
    expect(plan).toMatchObject({ fits: true, compactWeights: true, recompute: true, microBatch: 1 });
    if (!plan.fits) return;
    const blockLinears = 24 * (896 * 896 * 2 + 896 * 128 * 2 + 3 * 896 * 4864);
    expect(plan.estimate.hostWeights).toBe(2 * blockLinears);
    expect(estimatePeak(base, 1, true).weights - plan.estimate.weights).toBe(4 * blockLinears);
  });
});

describe('the inference plan', () => {
  it('keeps float32 block weights for decoding where they fit, compact ones where only those do, and refuses past that', () => {
    expect(planInference(SMOLLM2_135M, WASM32_LIMITS)).toMatchObject({ fits: true, compactWeights: false });
    // Qwen2.5-0.5B in float32 with XNNPACK's packed copies (≈ 2 × 2 GB) exceeds the wasm32 heap.
    const qwen = planInference(QWEN25_05B, WASM32_LIMITS);
    expect(qwen).toMatchObject({ fits: true, compactWeights: true });
    expect(qwen.estimatedPeakBytes).toBeLessThan(0.9 * WASM32_LIMITS.budgetBytes);
    expect(planInference(QWEN25_05B, { name: 'wasm', budgetBytes: 2 ** 30 })).toMatchObject({ fits: false });
  });
});

describe('memory plan with workers (data parallelism)', () => {
  const GIB = 2 ** 30;

  it('spreads a batch of 4 over 2 workers as micro-batch 2 × 2, one micro-batch each', () => {
    // 4 × 256: recomputed either way (selectively), so the micro-batch alone sets each realm's peak.
    const one = planMemory(input({ length: 256 }));
    const two = planMemory(input({ length: 256, workers: 2, hostMemoryBytes: 64 * GIB }));
    if (!one.fits || !two.fits) throw new Error('expected plans that fit');
    expect([one.microBatch, one.accumulation, one.workers]).toEqual([4, 1, 1]);
    expect([two.microBatch, two.accumulation, two.workers]).toEqual([2, 2, 2]);
    // Each worker holds a micro-batch of 2: less than the one realm's micro-batch of 4.
    expect(two.estimatedPeakBytes).toBeLessThan(one.estimatedPeakBytes);
    expect(describePlan(two)).toMatch(/^micro-batch 2 × 2 accumulated, shared by 2 workers \(one core each\), blocks recomputed reusing their kept products; estimated peak [\d.]+ GiB of 4\.00 GiB per worker$/);
  });

  it('never plans more workers than micro-batches, nor more than the batch', () => {
    const plan = planMemory(input({ batch: 3, workers: 8, hostMemoryBytes: 64 * GIB }));
    if (!plan.fits) throw new Error('expected a plan that fits');
    expect(plan.workers).toBe(3);
    expect(plan.microBatch * plan.accumulation).toBeGreaterThanOrEqual(3);
    expect(plan.accumulation).toBeGreaterThanOrEqual(plan.workers);
  });

  it("plans fewer workers where the machine's memory does not hold that many realms", () => {
    const roomy = (workers: number) => planMemory(input({ workers, hostMemoryBytes: 64 * GIB }));
    const four = roomy(4);
    const two = roomy(2);
    if (!four.fits || !two.fits) throw new Error('expected plans that fit');
    expect(four.workers).toBe(4);
    // One byte short of four realms: fewer workers, all of whose realms fit.
    const host = 4 * realmBytes(four) - 1;
    const fewer = planMemory(input({ workers: 4, hostMemoryBytes: host }));
    if (!fewer.fits) throw new Error('expected a plan that fits');
    expect(fewer.workers).toBeLessThan(4);
    expect(fewer.workers).toBeGreaterThan(1);
    expect(fewer.workers * realmBytes(fewer)).toBeLessThanOrEqual(host);
    // No room for two realms: the one-realm plan, unchanged.
    const none = planMemory(input({ workers: 2, hostMemoryBytes: 2 * realmBytes(two) - 1 }));
    expect(none).toEqual(planMemory(input()));
  });
});

