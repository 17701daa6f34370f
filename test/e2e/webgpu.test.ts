// WebGPU in a real extension page: automatic selection passes over headless Chromium's SwiftShader
// adapter (a GPU emulated on the CPU) for WASM; chosen explicitly, it initialises the tfjs WebGPU
// backend, and a tiny matmul on it matches a plain-JavaScript CPU reference.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';

let ext: LaunchedExtension;
beforeAll(async () => {
  ext = await launchExtension({ webgpu: true });
});
afterAll(async () => ext?.close());

test('a software WebGPU adapter is passed over for WASM, runs when chosen, and computes a matmul correctly', async () => {
  const page = await ext.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(extensionUrl(ext, '/dashboard.html#models'));

  // Automatic: SwiftShader emulates the GPU on the CPU, so WASM wins and the page says why.
  await page.getByTestId('models-backend-override').selectOption('auto');
  const active = page.getByTestId('models-backend-active');
  await expect.poll(() => active.getAttribute('data-backend'), { timeout: 120_000 }).toBe('wasm');
  const skipped = (await page.getByTestId('models-backend-skipped').allTextContents()).join(' | ');
  expect(skipped).toMatch(/WebGPU \(GPU\) was passed over: this GPU is emulated/);

  // Chosen explicitly, the software adapter runs.
  await page.getByTestId('models-backend-override').selectOption('webgpu');
  await expect.poll(() => active.getAttribute('data-backend'), { timeout: 120_000 }).toBe('webgpu');
  const adapter = (await page.getByTestId('models-backend-adapter').textContent()) ?? '';
  expect(adapter.toLowerCase()).toContain('swiftshader');

  await page.getByTestId('models-backend-check').click();
  const result = page.getByTestId('models-backend-check-result');
  await result.waitFor({ timeout: 120_000 });
  expect(await result.getAttribute('data-backend')).toBe('webgpu');
  expect(await result.getAttribute('data-matches')).toBe('true');
  expect(Number(await result.getAttribute('data-max-diff'))).toBeLessThan(1e-4);
  expect(errors).toEqual([]);
});
