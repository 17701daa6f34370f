import { describe, expect, test } from 'vitest';
import { planBackends } from '../../../src/backend/select';
import type { EnvironmentDescription, GpuAdapterSummary } from '../../../src/backend/types';

const adapter: GpuAdapterSummary = {
  vendor: 'nvidia',
  architecture: 'ampere',
  device: '',
  description: 'NVIDIA GeForce RTX 3060',
  isFallbackAdapter: false,
  limits: { maxBufferSize: 268_435_456, maxStorageBufferBindingSize: 134_217_728 },
};
const swiftShader: GpuAdapterSummary = {
  ...adapter,
  vendor: 'google',
  architecture: 'swiftshader',
  description: 'SwiftShader',
  isFallbackAdapter: true,
};
const softwareGl =
  'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';

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

describe('software GPUs', () => {
  test('a software WebGPU adapter ranks below WASM, and the plan says why', () => {
    const plan = planBackends(env({ webgpuAdapter: swiftShader, webgl: true, wasm: true }), 'auto');
    expect(plan.candidates).toEqual(['webgl', 'wasm', 'webgpu', 'cpu']);
    expect(plan.demoted).toEqual([
      { name: 'webgpu', reason: expect.stringContaining('software GPU'), code: 'software-gpu' },
    ]);
  });

  test('a WebGL renderer named SwiftShader ranks below WASM too', () => {
    const plan = planBackends(
      env({ webgpuAdapter: swiftShader, webgl: true, webglRenderer: softwareGl, wasm: true }),
      'auto',
    );
    expect(plan.candidates).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(plan.demoted.map((d) => d.name)).toEqual(['webgpu', 'webgl']);
  });

  test('without WASM a software GPU still beats the plain CPU backend and is not demoted', () => {
    const plan = planBackends(env({ webgpuAdapter: swiftShader }), 'auto');
    expect(plan.candidates).toEqual(['webgpu', 'cpu']);
    expect(plan.demoted).toEqual([]);
  });

  test('choosing the software GPU explicitly puts it first and reports nothing', () => {
    const plan = planBackends(env({ webgpuAdapter: swiftShader, webgl: true, wasm: true }), 'webgpu');
    expect(plan.candidates).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(plan.demoted).toEqual([]);
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
