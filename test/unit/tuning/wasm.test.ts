// The training path on the tfjs-wasm backend (what the extension and CLI use without WebGPU):
// loss and gradients for both methods equal the float32 CPU backend's, which the contract test
// checks against finite differences.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { allMethods } from '../../../src/tuning/registry';
import { FIXTURES, adapterContext, fixedBatch, loadFixture, maxAbsDiff, meanLoss, perturb, smallConfig } from './helpers';

async function use(backend: 'cpu' | 'wasm'): Promise<void> {
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(FIXTURES, '..', '..', '..', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + '/');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  await tf.setBackend(backend);
  await tf.ready();
  expect(tf.getBackend()).toBe(backend);
}

async function lossAndGrads(fixture: string, methodName: string): Promise<{ loss: number; grads: number[] }> {
  const model = await loadFixture(fixture);
  const method = allMethods().find((m) => m.name === methodName)!;
  const adapter = method.create(smallConfig(method, model), adapterContext(model, 3));
  perturb(adapter, 4);
  const batch = fixedBatch(model.config.vocabSize);
  const vars = adapter.trainable().map((p) => p.variable);
  const { value, grads } = tf.variableGrads(() => meanLoss(model, adapter, batch), vars);
  const result = { loss: value.dataSync()[0]!, grads: vars.flatMap((v) => Array.from(grads[v.name]!.dataSync())) };
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  adapter.dispose();
  model.dispose();
  return result;
}

describe.each(['tiny-gpt2', 'tiny-llama'])('wasm training path on %s', (fixture) => {
  it.each(allMethods().map((m) => m.name))('%s: loss and gradients match the CPU backend', async (method) => {
    await use('cpu');
    const cpu = await lossAndGrads(fixture, method);
    await use('wasm');
    const wasm = await lossAndGrads(fixture, method);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4);
    const scale = Math.max(...cpu.grads.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(wasm.grads, cpu.grads)).toBeLessThan(1e-3 * scale);
  });
});
