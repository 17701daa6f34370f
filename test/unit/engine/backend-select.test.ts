import { describe, expect, test } from 'vitest';
import { planBackends } from '../../../src/engine/backend-select';
import type { EnvironmentDescription, GpuAdapterSummary } from '../../../src/engine/backend-types';

const adapter: GpuAdapterSummary = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader',
  isFallbackAdapter: true,
  limits: { maxBufferSize: 268_435_456, maxStorageBufferBindingSize: 134_217_728 },
};

function env(parts: Partial<EnvironmentDescription>): EnvironmentDescription {
  return { webgpuAdapter: null, webgl: false, wasm: false, ...parts };
}

describe('automatic backend order', () => {
  test('prefers WebGPU when an adapter exists, then WebGL, WASM, CPU', () => {
    const plan = planBackends(env({ webgpuAdapter: adapter, webgl: true, wasm: true }), 'auto');
    expect(plan.candidates).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(plan.ruledOut).toEqual([]);
  });

  test('without a WebGPU adapter starts at WebGL', () => {
    expect(planBackends(env({ webgl: true, wasm: true }), 'auto').candidates).toEqual([
      'webgl',
      'wasm',
      'cpu',
    ]);
  });

  test('without GPU APIs (Node, locked-down browsers) starts at WASM', () => {
    expect(planBackends(env({ wasm: true }), 'auto').candidates).toEqual(['wasm', 'cpu']);
  });

  test('CPU is always the last resort', () => {
    expect(planBackends(env({}), 'auto').candidates).toEqual(['cpu']);
  });
});

describe('user override', () => {
  test('an available override goes first, the rest keep their order as fallbacks', () => {
    const plan = planBackends(env({ webgpuAdapter: adapter, webgl: true, wasm: true }), 'wasm');
    expect(plan.candidates).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(plan.ruledOut).toEqual([]);
  });

  test('CPU override is honoured even when a GPU exists', () => {
    expect(planBackends(env({ webgpuAdapter: adapter, wasm: true }), 'cpu').candidates[0]).toBe('cpu');
  });

  test('an unavailable override is reported with its reason and the automatic order follows', () => {
    const plan = planBackends(env({ webgl: true, wasm: true }), 'webgpu');
    expect(plan.candidates).toEqual(['webgl', 'wasm', 'cpu']);
    expect(plan.ruledOut).toEqual([{ name: 'webgpu', reason: expect.stringContaining('WebGPU') }]);
  });
});
