// WebGPU parity in Node through the npm `webgpu` package (Dawn; SwiftShader's software Vulkan on
// machines without a GPU). Tiny on purpose: shader compilation dominates.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { webGpuRelaunchEnv } from '../../../src/cli/node-backend';

const HERE = dirname(fileURLToPath(import.meta.url));

test('tfjs-webgpu (Dawn in Node) matches the PyTorch reference within 1e-3', () => {
  const env = webGpuRelaunchEnv(process.env) ?? process.env;
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'webgpu-parity.script.ts')], { env, encoding: 'utf8', timeout: 240_000 });
  expect(child.status, child.stderr).toBe(0);
  const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { backend: string; errors: Record<string, number> };
  expect(result.backend).toBe('webgpu');
  expect(Object.keys(result.errors)).toEqual(['tiny-gpt2', 'tiny-qwen2']);
  for (const error of Object.values(result.errors)) expect(error).toBeLessThan(1e-3);
}, 300_000);
