import * as tf from '@tensorflow/tfjs';
import { startNodeBackend } from '../../src/cli/node-backend';
import { loadModelFromDirectory } from '../../src/model/node-files';
import { forward } from '../../src/model/forward';
import { loraMethod } from '../../src/tuning/methods/lora/method';
import { maskedNllSum } from '../../src/tuning/train/loss';
import { writeRandomDefaultShape } from './_random_model';
const dir = process.argv[2]!;
await startNodeBackend('wasm');
await writeRandomDefaultShape(dir);
const model = await loadModelFromDirectory(dir);
const adapter = loraMethod.create(loraMethod.defaultConfig(model.config), { model: model.config, weights: model.weights, baseModelId: 'b', seed: 0 });
const B = 16, T = 128, V = model.config.vocabSize;
const ids = tf.tensor2d(Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 131 + t * 7) % V)), undefined, 'int32');
const mask = tf.ones([B, T]) as tf.Tensor2D;
const vars = adapter.trainable().map((p) => p.variable);
async function time(label: string, f: () => tf.Tensor | tf.Tensor[] | { value: tf.Tensor; grads: Record<string, tf.Tensor> }) {
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const out = f();
    const ts = out instanceof tf.Tensor ? [out] : Array.isArray(out) ? out : [out.value, ...Object.values(out.grads)];
    await Promise.all(ts.map((t) => t.data()));
    ts.forEach((t) => t.dispose());
    if (i === 1) console.log(label, ((performance.now() - t0) / 1000).toFixed(2), 's');
  }
}
await time('forward base', () => forward(model, { ids }).logits);
await time('forward lora', () => forward(model, { ids, hooks: adapter.hooks({ training: true, seed: 1 }) }).logits);
await time('forward lora + loss', () => tf.tidy(() => { const o = forward(model, { ids, attentionMask: mask, hooks: adapter.hooks({ training: true, seed: 1 }) }); return maskedNllSum(o.logits, ids, mask, 0); }));
await time('grad lora + loss', () => tf.variableGrads(() => { const o = forward(model, { ids, attentionMask: mask, hooks: adapter.hooks({ training: true, seed: 1 }) }); return maskedNllSum(o.logits, ids, mask, 0); }, vars));
await time('grad lora no mask no dropout', () => tf.variableGrads(() => { const o = forward(model, { ids, hooks: adapter.hooks({ training: false }) }); return maskedNllSum(o.logits, ids, mask, 0); }, vars));
const logits = tf.randomNormal([B, T, V]) as tf.Tensor3D;
await time('loss only fwd', () => maskedNllSum(logits, ids, mask, 0));
const lv = tf.variable(logits);
await time('loss only grad', () => tf.variableGrads(() => maskedNllSum(lv as tf.Tensor3D, ids, mask, 0), [lv]));
