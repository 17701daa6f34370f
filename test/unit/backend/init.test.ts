// Real initialisation in Node: tfjs-wasm from node_modules and the CPU backend, no mocks.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, expect, test } from 'vitest';
import { checkMatmul } from '../../../src/backend/check';
import { getActiveBackend, initBackend } from '../../../src/backend/init';
import { wasmPrefixForNode } from '../../../src/backend/wasm-node';

const nodeEnvironment = { webgpuAdapter: null, webgl: false, wasm: true };

afterAll(async () => {
  await tf.setBackend('cpu');
});

test('auto in Node starts WASM from node_modules and it computes a matmul correctly', async () => {
  const active = await initBackend({ environment: nodeEnvironment, wasmPrefix: wasmPrefixForNode() });
  expect(active.name).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(getActiveBackend()).toEqual(active);
  const check = await checkMatmul();
  expect(check.backend).toBe('wasm');
  expect(check.matches).toBe(true);
});

test('the CPU override starts the CPU backend', async () => {
  const active = await initBackend({
    override: 'cpu',
    environment: nodeEnvironment,
    wasmPrefix: wasmPrefixForNode(),
  });
  expect(active).toMatchObject({ name: 'cpu', requested: 'cpu', adapter: null });
  expect(tf.getBackend()).toBe('cpu');
  expect((await checkMatmul()).matches).toBe(true);
});

test('a WebGL override in Node is skipped with a reason and WASM takes over', async () => {
  // The environment wrongly claims WebGL: the real tfjs registry is what rules it out.
  const active = await initBackend({
    override: 'webgl',
    environment: { ...nodeEnvironment, webgl: true },
    wasmPrefix: wasmPrefixForNode(),
  });
  expect(active.name).toBe('wasm');
  expect(active.skipped[0]).toMatchObject({ name: 'webgl' });
  expect(active.skipped[0]!.reason).toMatch(/webgl/i);
});

test('auto passes over a software GPU for WASM and tells the user why', async () => {
  // A SwiftShader WebGPU adapter and a SwiftShader WebGL renderer: both rank below WASM.
  const active = await initBackend({
    environment: {
      ...nodeEnvironment,
      webgl: true,
      webglRenderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)',
    },
    wasmPrefix: wasmPrefixForNode(),
  });
  expect(active.name).toBe('wasm');
  expect(active.skipped).toEqual([
    { name: 'webgl', reason: expect.stringContaining('software GPU'), code: 'software-gpu' },
  ]);
});

test('the matmul check notices a wrong result', async () => {
  await initBackend({ override: 'cpu', environment: nodeEnvironment });
  // Sabotage the CPU kernel's output through a tfjs kernel override to prove the check can fail.
  const { BatchMatMul } = tf;
  const original = tf.getKernel(BatchMatMul, 'cpu')!;
  tf.unregisterKernel(BatchMatMul, 'cpu');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const out = original.kernelFunc(args) as tf.TensorInfo;
      const backend = args.backend as unknown as { data: { get(id: object): { values: Float32Array } } };
      backend.data.get(out.dataId).values[0]! += 1;
      return out;
    },
  });
  try {
    const check = await checkMatmul();
    expect(check.matches).toBe(false);
    expect(check.maxAbsDiff).toBeCloseTo(1, 3);
  } finally {
    tf.unregisterKernel(BatchMatMul, 'cpu');
    tf.registerKernel(original);
  }
});

test('the saved backend setting is what initBackendFromSettings starts', async () => {
  const { openAttuneDb } = await import('../../../src/storage/db');
  const { updateSettings } = await import('../../../src/storage/settings-repo');
  const { initBackendFromSettings } = await import('../../../src/backend/settings');
  const db = await openAttuneDb({ name: `backend-settings-${Math.random()}` });
  await updateSettings(db, { backend: 'cpu' });
  const active = await initBackendFromSettings(db, {
    environment: nodeEnvironment,
    wasmPrefix: wasmPrefixForNode(),
  });
  expect(active).toMatchObject({ name: 'cpu', requested: 'cpu' });
  db.close();
});
