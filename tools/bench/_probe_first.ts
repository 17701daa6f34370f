import * as tf from '@tensorflow/tfjs';
const { startNodeBackend } = await import('../../src/cli/node-backend');
await startNodeBackend('wasm');
const { loadModelFromDirectory } = await import('../../src/model/node-files');
const { generate } = await import('../../src/model');
const model = await loadModelFromDirectory('/tmp/ttft-135m');
const PROMPT = Array.from({ length: 16 }, (_, i) => 100 + i * 7);
const mode = process.argv[2];
let t = performance.now();
const lap = (l: string) => { const n = performance.now(); console.log(l.padEnd(28), ((n - t) / 1000).toFixed(3)); t = n; };
if (mode === 'pack') {
  // one [1, in] product with every 2-D weight (and the tied head): XNNPACK packs each on first use
  for (const w of [...model.weights.values(), model.tiedHead!.transposed]) {
    if (w.rank !== 2 || w.shape[0] === 49152) continue;
    const y = tf.tidy(() => tf.matMul(tf.zeros([1, w.shape[0]!]), w as tf.Tensor2D));
    y.dataSync(); y.dispose();
  }
  lap('pack all (1-row products)');
}
await generate(model, PROMPT, { greedy: true, stopTokenIds: [], maxNewTokens: 1 }); lap('first generate');
await generate(model, PROMPT, { greedy: true, stopTokenIds: [], maxNewTokens: 1 }); lap('second generate');
