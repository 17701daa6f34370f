// Where a LoRA training step's time goes: runs the trainer's step (forward + loss + variableGrads)
// under tf.profile on one backend and prints time per kernel name and per kernel + shape.
//   node --import tsx tools/bench/_profile_train.ts [model_dir=public/model] [backend=wasm] [batch=16] [seq=128]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { startNodeBackend, type NodeBackend } from '../../src/cli/node-backend';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [modelDir = join(ROOT, 'public', 'model'), backend = 'wasm', batchArg = '16', seqArg = '128'] = process.argv.slice(2);
const BATCH = Number(batchArg);
const SEQ = Number(seqArg);

async function main(): Promise<void> {
  const started = await startNodeBackend(backend as NodeBackend);
  if (started.note) throw new Error(started.note);
  const { loadModelFromDirectory } = await import('../../src/model/node-files');
  const { forward } = await import('../../src/model/forward');
  const { loraMethod } = await import('../../src/tuning/methods/lora/method');
  const { maskedNllSum } = await import('../../src/tuning/train/loss');
  const model = await loadModelFromDirectory(modelDir);
  const adapter = loraMethod.create(loraMethod.defaultConfig(model.config), { model: model.config, weights: model.weights, baseModelId: 'bench', seed: 0 });
  const varList = adapter.trainable().map(({ variable }) => variable);
  const ids = tf.tensor2d(
    Array.from({ length: BATCH }, (_, b) => Array.from({ length: SEQ }, (_, t) => (b * 131 + t * 17) % model.config.vocabSize)),
    undefined,
    'int32',
  );
  const mask = tf.ones([BATCH, SEQ]) as tf.Tensor2D;
  const step = () => {
    const result = tf.variableGrads(() => {
      const out = forward(model, { ids, attentionMask: mask, hooks: adapter.hooks({ training: true, seed: 1 }) });
      return maskedNllSum(out.logits, ids, mask, out.prependedRows);
    }, varList);
    const norm = tf.addN(Object.values(result.grads).map((g) => tf.sum(tf.square(g))));
    norm.dataSync();
    tf.dispose([result.value, norm, ...Object.values(result.grads)]);
  };
  step(); // warm-up
  let t0 = performance.now();
  const cpu0 = process.cpuUsage();
  step();
  const plainMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  t0 = performance.now();
  const profile = await tf.profile(step);
  const profiledMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; n: number }>();
  const byShape = new Map<string, { ms: number; n: number }>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const add = (map: Map<string, { ms: number; n: number }>, key: string) => {
      const e = map.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n += 1;
      map.set(key, e);
    };
    add(byName, k.name);
    add(byShape, `${k.name} ${JSON.stringify(k.inputShapes)} ${JSON.stringify((k.extraInfo as unknown) ?? '')}`.slice(0, 160));
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`${backend}: step ${plainMs.toFixed(0)} ms unprofiled (CPU ${cpuMs.toFixed(0)} ms), ${profiledMs.toFixed(0)} ms profiled, kernel sum ${total.toFixed(0)} ms, ${profile.kernels.length} kernels; peakBytes ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB`);
  const print = (map: Map<string, { ms: number; n: number }>, top: number) => {
    for (const [key, e] of [...map.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
      console.log(`  ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ×${String(e.n).padStart(4)}  ${key}`);
    }
  };
  // Live tensor bytes over the step (every 5 % of the kernels) and the kernel at the peak.
  const peakAt = profile.kernels.reduce((best, k, i) => (k.totalBytesSnapshot > profile.kernels[best]!.totalBytesSnapshot ? i : best), 0);
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  const stride = Math.max(1, Math.floor(profile.kernels.length / 20));
  console.log(`live MiB: ${profile.kernels.filter((_, i) => i % stride === 0).map((k) => mib(k.totalBytesSnapshot)).join(' ')}`);
  console.log(`peak at kernel ${peakAt}/${profile.kernels.length}: ${profile.kernels[peakAt]!.name} ${JSON.stringify(profile.kernels[peakAt]!.inputShapes)}`);
  console.log('by kernel:');
  print(byName, 25);
  console.log('by kernel and input shapes:');
  print(byShape, 30);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
