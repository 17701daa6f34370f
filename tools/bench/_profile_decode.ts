// Where a decode step's time goes on a backend: per-kernel wall time (tf.profile) of cached
// one-token steps of public/model, summed by kernel name, against the step's own wall time.
// node --import tsx tools/bench/_profile_decode.ts [wasm|cpu] [model dir]
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { startNodeBackend, type NodeBackend } from '../../src/cli/node-backend';
import { disposeCache, forward } from '../../src/model';
import { loadModelFromDirectory } from '../../src/model/node-files';

const backend = (process.argv[2] ?? 'wasm') as NodeBackend;
await startNodeBackend(backend);
const model = await loadModelFromDirectory(process.argv[3] ?? join(import.meta.dirname, '..', '..', 'public', 'model'));
const out = forward(model, { ids: [[5, 17, 99, 23, 8, 41, 7, 300]], useCache: true, logits: 'last' });
out.logits.dispose();
let cache = out.cache;
const step = () => {
  const next = forward(model, { ids: [[42]], cache, useCache: true, logits: 'last' });
  if (cache !== next.cache) disposeCache(cache);
  cache = next.cache;
  return next.logits;
};
for (let i = 0; i < 10; i++) {
  const warm = step();
  await warm.data();
  warm.dispose();
}
const started = performance.now();
const STEPS = 20;
for (let i = 0; i < STEPS; i++) {
  const logits = step();
  await logits.data();
  logits.dispose();
}
const wall = (performance.now() - started) / STEPS;
const totals = new Map<string, { ms: number; count: number }>();
const profile = await tf.profile(async () => {
  const logits = step();
  await logits.data();
  logits.dispose();
});
for (const k of profile.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const key = k.name === 'BatchMatMul' ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join('·')}` : k.name;
  const entry = totals.get(key) ?? { ms: 0, count: 0 };
  totals.set(key, { ms: entry.ms + ms, count: entry.count + 1 });
}
const kernelMs = [...totals.values()].reduce((s, e) => s + e.ms, 0);
console.log(`${backend}: ${wall.toFixed(2)} ms per step (${(1000 / wall).toFixed(0)} tokens/s); ${profile.kernels.length} kernels, ${kernelMs.toFixed(2)} ms inside them`);
for (const [name, e] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20))
  console.log(`  ${name.padEnd(44)} ${String(e.count).padStart(4)}× ${e.ms.toFixed(3).padStart(8)} ms`);
disposeCache(cache);
model.dispose();
