// Where one real training step's time goes: the Trainer (forwardHidden, chunked loss, the memory
// plan's micro-batch and recomputation) under tf.profile on wasm, by kernel name and by kernel +
// input shapes, with the matMul FLOP rate. One warm-up step, then one profiled step.
//   node --import tsx tools/bench/_profile_step.ts <model_dir> [batch=4] [seq=256] [prefer=largest-micro-batch|no-recompute]
import * as tf from '@tensorflow/tfjs';
import { startNodeBackend } from '../../src/cli/node-backend';

const [modelDir, batchArg = '4', seqArg = '256', prefer = 'largest-micro-batch'] = process.argv.slice(2);
const BATCH = Number(batchArg);
const LENGTH = Number(seqArg);
/** PROFILE_FULL_RECOMPUTE=1: recompute whole blocks where the plan chose selective recomputation. */
const FULL_RECOMPUTE = process.env.PROFILE_FULL_RECOMPUTE === '1';

/** Bytes of the wasm instance's memory (it only grows: the most the run needed at once, rounded up to its growth steps). */
function heapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? 0;
}

async function main(): Promise<void> {
  if (!modelDir) throw new Error('usage: _profile_step.ts <model_dir> [batch] [seq] [prefer]');
  const started = await startNodeBackend('wasm');
  if (started.note) throw new Error(started.note);
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { Trainer } = await import('../../src/tuning/train/trainer');
  const { chooseDefaults } = await import('../../src/tuning/train/defaults');
  const { Rng } = await import('../../src/tuning/rng');
  const { planMemory, WASM32_LIMITS, describePlan } = await import('../../src/tuning/train/memory-plan');
  const model = await loadModelFromDirectory(modelDir);
  const adapter = loraMethod.create(loraMethod.defaultConfig(model.config), { model: model.config, weights: model.weights, baseModelId: 'bench', seed: 0 });
  const plan = planMemory({ model: model.config, trainableParams: adapter.parameterCount(), batch: BATCH, length: LENGTH, bytesPerFrozenWeight: 4, limits: WASM32_LIMITS, prefer: prefer as 'no-recompute' });
  if (!plan.fits) throw new Error(describePlan(plan));
  console.log(`plan: ${describePlan(plan)}${FULL_RECOMPUTE && plan.keepFrozenProducts ? " (run with full recomputation: PROFILE_FULL_RECOMPUTE)" : ""}`);
  const rng = new Rng(0);
  const make = (steps: number) =>
    Array.from({ length: BATCH * steps }, () => {
      const ids = Array.from({ length: LENGTH }, () => rng.int(model.config.vocabSize));
      return { ids, lossMask: ids.map(() => 1) };
    });
  const runSteps = async (steps: number) => {
    const train = make(steps);
    const defaults = chooseDefaults({ stats: { count: train.length, meanTokens: LENGTH, maxTokens: LENGTH, p95Tokens: LENGTH }, optimizer: loraMethod.optimizer, contextTokens: LENGTH });
    const settings = { ...defaults, batchSize: plan.microBatch, gradAccumSteps: plan.accumulation, maxSteps: steps, maxLength: LENGTH, earlyStoppingPatience: 0 };
    const trainer = new Trainer({ model, adapter, train, heldOut: [], settings, recompute: plan.recompute, keepFrozenProducts: plan.keepFrozenProducts && !FULL_RECOMPUTE, headChunkRows: plan.headChunkRows });
    await trainer.run();
  };
  await runSteps(1); // warm-up (XNNPACK packs each weight on first use)
  let t0 = performance.now();
  await runSteps(1);
  const plainMs = performance.now() - t0;
  t0 = performance.now();
  const profile = await tf.profile(() => runSteps(1) as unknown as tf.TensorContainer);
  const profiledMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; n: number; flop: number }>();
  const byShape = new Map<string, { ms: number; n: number; flop: number }>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    let flop = 0;
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const [a, b] = k.inputShapes as number[][];
      const out = k.outputShapes[0] as number[];
      const inner = a![a!.length - 1] === out[out.length - 2] && a!.length > 1 ? a![a!.length - 2]! : a![a!.length - 1]!;
      // inner = the contracted length: for out [n, M, N], 2·n·M·N·K.
      const K = (a!.reduce((p, v) => p * v, 1) * b!.reduce((p, v) => p * v, 1)) / 1;
      void K;
      const outSize = out.reduce((p, v) => p * v, 1);
      const aSize = a!.reduce((p, v) => p * v, 1);
      const M = out[out.length - 2]!;
      const n = outSize / (M * out[out.length - 1]!);
      flop = 2 * outSize * (aSize / (n * M));
      void inner;
    }
    const add = (map: Map<string, { ms: number; n: number; flop: number }>, key: string) => {
      const e = map.get(key) ?? { ms: 0, n: 0, flop: 0 };
      e.ms += ms;
      e.n += 1;
      e.flop += flop;
      map.set(key, e);
    };
    add(byName, k.name);
    add(byShape, `${k.name} ${JSON.stringify(k.inputShapes)}`.slice(0, 120));
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  const tokens = BATCH * LENGTH;
  console.log(`step ${plainMs.toFixed(0)} ms unprofiled = ${((tokens * 1000) / plainMs).toFixed(1)} tok/s; profiled ${profiledMs.toFixed(0)} ms, kernel sum ${total.toFixed(0)} ms, ${profile.kernels.length} kernels`);
  const GiB = 1024 ** 3;
  console.log(`tensor memory: peak ${(profile.peakBytes / GiB).toFixed(2)} GiB during the profiled step; wasm heap ${(heapBytes() / GiB).toFixed(2)} GiB; peak RSS ${(process.resourceUsage().maxRSS / 1024 ** 2).toFixed(2)} GiB`);
  const print = (map: Map<string, { ms: number; n: number; flop: number }>, top: number) => {
    for (const [key, e] of [...map.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
      const rate = e.flop > 0 ? `  ${(e.flop / 1e9).toFixed(1)} GFLOP ${(e.flop / 1e6 / e.ms).toFixed(1)} GFLOP/s` : '';
      console.log(`  ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ×${String(e.n).padStart(5)}  ${key}${rate}`);
    }
  };
  console.log('by kernel:');
  print(byName, 25);
  console.log('by kernel and input shapes:');
  print(byShape, 40);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
