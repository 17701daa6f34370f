import { expect, test } from 'vitest';
import { ModelTooLargeForGpuError } from '../../../src/backend/errors';
import { assertModelFitsBackend, assertTensorFitsGpu } from '../../../src/backend/limits';
import type { ActiveBackend } from '../../../src/backend/types';

const limits = { maxBufferSize: 256 * 1024 * 1024, maxStorageBufferBindingSize: 128 * 1024 * 1024 };

test('a tensor within both limits passes', () => {
  expect(() =>
    assertTensorFitsGpu({ name: 'wte', bytes: limits.maxStorageBufferBindingSize }, limits),
  ).not.toThrow();
});

test('a tensor over the binding limit fails with sizes and the limit name in the message', () => {
  const bytes = limits.maxStorageBufferBindingSize + 4;
  let error: unknown;
  try {
    assertTensorFitsGpu({ name: 'model.embed_tokens.weight', bytes }, limits);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelTooLargeForGpuError);
  const tooLarge = error as ModelTooLargeForGpuError;
  expect(tooLarge.limitName).toBe('maxStorageBufferBindingSize');
  expect(tooLarge.fallback).toBe('wasm');
  expect(tooLarge.message).toContain(String(bytes));
  expect(tooLarge.message).toContain(String(limits.maxStorageBufferBindingSize));
  expect(tooLarge.message).toContain('model.embed_tokens.weight');
});

test('maxBufferSize is checked too when it is the smaller limit', () => {
  const odd = { maxBufferSize: 1000, maxStorageBufferBindingSize: 5000 };
  expect(() => assertTensorFitsGpu({ name: 'w', bytes: 2000 }, odd)).toThrow(/maxBufferSize = 1000/);
});

test('only WebGPU has per-buffer limits: the same tensor passes on WASM', () => {
  const huge = { name: 'w', bytes: 10 * limits.maxBufferSize };
  const gpu: ActiveBackend = {
    name: 'webgpu',
    requested: 'auto',
    adapter: { vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false, limits },
    skipped: [],
  };
  expect(() => assertModelFitsBackend(gpu, huge)).toThrow(ModelTooLargeForGpuError);
  expect(() => assertModelFitsBackend({ ...gpu, name: 'wasm', adapter: null }, huge)).not.toThrow();
});
