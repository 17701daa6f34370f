// Why WebGPU on a software adapter (SwiftShader) forces tfjs's packed matmul: times each tfjs-webgpu
// matmul program on the shapes a tiny model's decode and training steps use, and one cached decode
// step of tiny-llama with tfjs's own choice vs the packed program. Dawn in Node (npm `webgpu`).
//   node --import tsx tools/bench/_webgpu_software.ts
// Figures quoted in docs/backends.md and docs/engine.md come from this script.
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { startNodeBackend, webGpuRelaunchEnv } from '../../src/cli/node-backend';
import { disposeCache, forward } from '../../src/model';
import { loadModelFromDirectory } from '../../src/model/node-files';

const relaunchEnv = webGpuRelaunchEnv(process.env);
if (relaunchEnv) {
  // Dawn's loader variables must be set before the process starts.
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: relaunchEnv,
    stdio: 'inherit',
  });
  process.exit(child.status ?? 1);
}

/** tfjs-backend-webgpu's MatMulProgramType; -1 lets tfjs choose. */
const PROGRAMS = { 'tfjs choice': -1, reduce: 0, 'small output': 2, packed: 3 } as const;
const SHAPES: [string, number[], number[]][] = [
  ['decode q_proj [1,32]·[32,32]', [1, 32], [32, 32]],
  ['decode lm_head [1,32]·[32,320]', [1, 32], [32, 320]],
  ['decode scores [4,1,8]·[4,8,12]', [4, 1, 8], [4, 8, 12]],
  ['train q_proj [128,32]·[32,32]', [128, 32], [32, 32]],
  ['train attention [16,32,32]·[16,32,8]', [16, 32, 32], [16, 32, 8]],
];

async function msPerMatmul(a: tf.Tensor, b: tf.Tensor, repeats = 10): Promise<number> {
  for (let round = 0; ; round++) {
    const started = performance.now();
    const outs = Array.from({ length: repeats }, () => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D));
    await outs.at(-1)!.data();
    tf.dispose(outs);
    if (round === 1) return (performance.now() - started) / repeats; // round 0 compiles
  }
}

async function decodeStepMs(): Promise<number> {
  const model = await loadModelFromDirectory('test/fixtures/models/tiny-llama');
  const prefill = forward(model, { ids: [[1, 2, 3, 4, 5, 6, 7]], useCache: true, logits: 'last' });
  await prefill.logits.data();
  prefill.logits.dispose();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const step = forward(model, { ids: [[8]], cache: prefill.cache, useCache: true, logits: 'last' });
    await step.logits.data();
    best = Math.min(best, performance.now() - started);
    step.logits.dispose();
    disposeCache(step.cache);
  }
  disposeCache(prefill.cache);
  model.dispose();
  return best;
}

const started = await startNodeBackend('webgpu');
if (started.name !== 'webgpu') throw new Error(started.note ?? 'WebGPU did not start');
// Inputs made on the GPU (an add), so tfjs does not hand tiny CPU-resident tensors to its CPU path.
const onGpu = (shape: number[]) => tf.add(tf.randomNormal(shape, 0, 1, 'float32', 1), 0);
for (const [label, aShape, bShape] of SHAPES) {
  const [a, b] = [onGpu(aShape), onGpu(bShape)];
  const row: Record<string, string> = {};
  for (const [name, type] of Object.entries(PROGRAMS)) {
    tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', type);
    row[name] = `${(await msPerMatmul(a, b)).toFixed(1)} ms`;
  }
  console.log(label.padEnd(40), JSON.stringify(row));
  tf.dispose([a, b]);
}
for (const [name, type] of [
  ['tfjs choice', -1],
  ['packed', 3],
] as const) {
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', type);
  console.log(`tiny-llama cached decode step, ${name}: ${(await decodeStepMs()).toFixed(0)} ms`);
}
