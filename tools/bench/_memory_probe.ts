// Memory probe: a random model in a published shape (default SmolLM2-135M) trains a few LoRA steps
// on tfjs-wasm, one process per setting (peak RSS is per process). Prints peak RSS, the wasm heap
// (it only grows, so its size at the end is its peak), tokens/s of the last step, and the memory
// plan's estimate for the same setting, so the plan can be checked against what really happened.
//   nice -n 10 node --import tsx tools/bench/_memory_probe.ts --batch 4 --len 128 --mode plan
// --mode plain: whole-model activations and [B, T, V] logits (the path before the memory work);
// --mode lean: recomputed blocks + chunked head at the full batch; --mode plan: what the plan chose.
// --full-recompute: recompute whole blocks instead of keeping their frozen products.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

const SHAPES = {
  'smollm2-135m': { hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true },
  'gpt2-124m': { model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257, tie_word_embeddings: true, layer_norm_epsilon: 1e-5 },
  'qwen2.5-0.5b': { model_type: 'qwen2', hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, intermediate_size: 4864, vocab_size: 151936, rope_theta: 1000000, rms_norm_eps: 1e-6, tie_word_embeddings: true },
  'smollm2-360m': { hidden_size: 960, num_hidden_layers: 32, num_attention_heads: 15, num_key_value_heads: 5, intermediate_size: 2560, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true },
} as const;

const { values: args } = parseArgs({
  options: {
    shape: { type: 'string', default: 'smollm2-135m' },
    batch: { type: 'string', default: '1' },
    len: { type: 'string', default: '128' },
    steps: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'plan' },
    // With --mode manual: the micro-batch and whether blocks are recomputed.
    micro: { type: 'string', default: '1' },
    recompute: { type: 'boolean', default: false },
    // With --recompute (manual) or a recomputing plan: --full-recompute recomputes whole blocks
    // instead of keeping their frozen products (selective recomputation, the default).
    'full-recompute': { type: 'boolean', default: false },
    prefer: { type: 'string', default: 'largest-micro-batch' },
    // Keep block linear weights compact (model/compact-weights.ts): the random float32 weights are
    // rounded to half, as a float32 checkpoint would be.
    compact: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const shape = SHAPES[args.shape as keyof typeof SHAPES];
  if (!shape) throw new Error(`unknown shape ${args.shape}; one of ${Object.keys(SHAPES).join(', ')}`);
  const batch = Number(args.batch);
  const len = Number(args.len);
  const steps = Number(args.steps);
  const mode = args.mode as 'plain' | 'lean' | 'plan' | 'manual';

  const { startNodeBackend } = await import('../../src/cli/node-backend');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  const tf = await import('@tensorflow/tfjs');
  if (process.env.PROBE_SHARED_IDENTITY) {
    // Experiment: tfjs-wasm's Identity (behind every save() of a gradient) copies the data; the CPU
    // backend shares it. Tensors are immutable, so sharing is safe; this measures what copying costs.
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel({
      kernelName: 'Identity',
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const x = inputs.x as import('@tensorflow/tfjs').TensorInfo;
        (backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      },
    });
  }
  const { parseConfig } = await import('../../src/model/config');
  const { expectedTensors } = await import('../../src/model/weights');
  const { assembleModel } = await import('../../src/model/model');
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { Trainer } = await import('../../src/tuning/train/trainer');
  const { chooseDefaults } = await import('../../src/tuning/train/defaults');
  const { Rng } = await import('../../src/tuning/rng');
  const { planMemory, WASM32_LIMITS, describePlan, estimatePeak } = await import('../../src/tuning/train/memory-plan');

  const hf = { model_type: 'llama', max_position_embeddings: 2048, rms_norm_eps: 1e-5, bos_token_id: 0, eos_token_id: 0, ...shape };
  const isBias = (name: string) => name.endsWith('.bias');
  const config = parseConfig(JSON.stringify(hf));
  // Weights straight into the runtime's layout ([in, out] linears): no checkpoint bytes in the JS heap.
  const weights = new Map<string, import('@tensorflow/tfjs').Tensor>();
  let seed = 1;
  for (const spec of expectedTensors(config)) {
    if (spec.optional) continue;
    const dims = spec.layout === 'linear-out-in' ? [...spec.shape].reverse() : spec.shape;
    const isVector = dims.length === 1;
    weights.set(spec.name, isVector ? (isBias(spec.name) ? tf.zeros(dims) : tf.ones(dims)) : tf.randomNormal(dims, 0, 0.02, 'float32', seed++));
  }
  const model = assembleModel(config, weights);
  if (args.compact) {
    const { compactModel } = await import('../../src/model/compact-model');
    compactModel(model);
  }
  const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
  const trace = (label: string) => {
    if (process.env.PROBE_TRACE) console.error(`${label}: heap ${(heapBytes() / 2 ** 30).toFixed(2)} GiB, tensors ${(tf.memory().numBytes / 2 ** 30).toFixed(2)} GiB, rss ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GiB`);
  };
  trace('model built');
  const loraConfig = loraMethod.defaultConfig(config);
  const adapter = loraMethod.create(loraConfig, { model: config, weights, baseModelId: 'probe', seed: 0 });

  const plan = planMemory({
    model: config,
    trainableParams: adapter.parameterCount(),
    batch,
    length: len,
    bytesPerFrozenWeight: args.compact ? 2 : 4,
    limits: WASM32_LIMITS,
    prefer: args.prefer as 'largest-micro-batch' | 'no-recompute',
  });
  let micro = batch;
  let recompute = false;
  let keepFrozenProducts = args['full-recompute'] !== true;
  if (mode === 'lean') recompute = true;
  if (mode === 'manual') {
    micro = Number(args.micro);
    recompute = args.recompute === true;
  }
  if (mode === 'plan') {
    if (!plan.fits) throw new Error(`plan refuses: ${describePlan(plan)}`);
    micro = plan.microBatch;
    recompute = plan.recompute;
    keepFrozenProducts = plan.keepFrozenProducts && args['full-recompute'] !== true;
  }
  keepFrozenProducts &&= recompute;
  const estimateFor = estimatePeak({ model: config, trainableParams: adapter.parameterCount(), batch, length: len, bytesPerFrozenWeight: args.compact ? 2 : 4, limits: WASM32_LIMITS }, micro, recompute ? (keepFrozenProducts ? 'selective' : 'full') : 'none');
  const accumulation = Math.ceil(batch / micro);
  const rng = new Rng(0);
  const examples = Array.from({ length: batch * steps }, () => {
    const ids = Array.from({ length: len }, () => rng.int(config.vocabSize));
    return { ids, lossMask: ids.map((_, t) => (t >= len / 2 ? 1 : 0)) };
  });
  const base = chooseDefaults({ stats: { count: examples.length, meanTokens: len, maxTokens: len, p95Tokens: len }, optimizer: loraMethod.optimizer, contextTokens: len });
  const settings = { ...base, batchSize: micro, gradAccumSteps: accumulation, maxSteps: steps, maxLength: len, earlyStoppingPatience: 0 };
  const stepTimes: number[] = [];
  let last = performance.now();
  const trainer = new Trainer({
    model,
    adapter,
    train: examples,
    heldOut: [],
    settings,
    recompute,
    keepFrozenProducts,
    headChunkRows: mode === 'plain' ? Number.MAX_SAFE_INTEGER : undefined,
    onProgress: () => {
      trace(`step ${stepTimes.length + 1}`);
      const now = performance.now();
      stepTimes.push(now - last);
      last = now;
    },
  });
  const started2 = performance.now();
  last = started2;
  let result!: Awaited<ReturnType<typeof trainer.run>>;
  if (process.env.PROBE_PROFILE) {
    // Tensor-level peak (what tfjs itself holds), to tell tensors from allocator and kernel workspace.
    const info = await tf.profile(async () => {
      result = await trainer.run();
    });
    console.error(`tfjs tensor peak ${(info.peakBytes / 2 ** 30).toFixed(2)} GiB`);
    const top = [...info.kernels].sort((a, b) => b.totalBytesSnapshot - a.totalBytesSnapshot)[0];
    if (top) console.error(`at kernel ${top.name} ${JSON.stringify(top.inputShapes)} -> ${JSON.stringify(top.outputShapes)}`);
  } else {
    result = await trainer.run();
  }
  const heap = heapBytes();
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
  const lastStepTokens = batch * len;
  console.log(
    JSON.stringify({
      shape: args.shape,
      mode,
      compact: args.compact === true,
      batch,
      len,
      microBatch: micro,
      accumulation,
      recompute,
      keepFrozenProducts,
      status: result.status,
      loss: result.lastTrainLoss,
      peakRssGiB: gib(process.resourceUsage().maxRSS * 1024),
      wasmHeapGiB: gib(heap),
      planEstimateGiB: plan.fits ? gib(plan.estimatedPeakBytes) : null,
      planRefusal: plan.fits ? null : describePlan(plan),
      planChose: plan.fits ? { microBatch: plan.microBatch, accumulation: plan.accumulation, recompute: plan.recompute, keepFrozenProducts: plan.keepFrozenProducts } : null,
      // The plan's estimate for the setting that ran (manual settings included), and its parts.
      estimateGiB: gib(estimateFor.total),
      estimateParts: Object.fromEntries(Object.entries(estimateFor).map(([k, v]) => [k, gib(v)])),
      stepSeconds: stepTimes.map((ms) => +(ms / 1000).toFixed(1)),
      lastStepTokensPerSecond: +(lastStepTokens / (stepTimes.at(-1)! / 1000)).toFixed(1),
      loadavg: loadavg().map((x) => +x.toFixed(2)),
    }),
  );
  trainer.dispose();
  adapter.dispose();
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
