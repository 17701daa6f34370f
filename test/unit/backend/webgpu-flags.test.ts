// Which tfjs-webgpu flags an adapter gets: software adapters get the packed matmul program.
import { webgpu_util } from '@tensorflow/tfjs-backend-webgpu';
import { expect, test } from 'vitest';
import { isSoftwareAdapter, isSoftwareRenderer } from '../../../src/backend/software';
import { webgpuFlagsFor } from '../../../src/backend/webgpu-flags';
import type { GpuAdapterSummary } from '../../../src/backend/types';

const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 };
// What Dawn reports for SwiftShader here (npm `webgpu` in Node, same as headless Chromium).
const swiftShader: GpuAdapterSummary = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'swiftshader-device-subzero-',
  description: 'SwiftShader driver 5.0.0',
  isFallbackAdapter: true,
  limits,
};
const realGpu: GpuAdapterSummary = {
  vendor: 'nvidia',
  architecture: 'ada',
  device: '',
  description: '',
  isFallbackAdapter: false,
  limits,
};

test('SwiftShader is a software adapter, by flag or by name alone', () => {
  expect(isSoftwareAdapter(swiftShader)).toBe(true);
  expect(isSoftwareAdapter({ ...swiftShader, isFallbackAdapter: false })).toBe(true);
  expect(isSoftwareAdapter({ ...realGpu, isFallbackAdapter: true })).toBe(true);
  expect(isSoftwareAdapter(realGpu)).toBe(false);
  expect(isSoftwareAdapter(null)).toBe(false);
});

test('WebGL renderer strings of software rasterisers are recognised, real GPUs are not', () => {
  expect(
    isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'),
  ).toBe(true);
  expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
  expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(
    false,
  );
  expect(isSoftwareRenderer(null)).toBe(false);
});

test('only a software adapter gets the packed matmul program; real GPUs keep tfjs defaults', () => {
  // The number is tfjs's own enum value (the module avoids importing the WebGPU chunk for it).
  expect(webgpuFlagsFor(swiftShader)).toEqual({
    WEBGPU_MATMUL_PROGRAM_TYPE: webgpu_util.MatMulProgramType.MatMulPackedProgram,
  });
  expect(webgpuFlagsFor(realGpu)).toEqual({});
  expect(webgpuFlagsFor(null)).toEqual({});
});
