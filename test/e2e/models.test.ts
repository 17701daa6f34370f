// The Models view in the real extension: WASM from the packaged binaries, a URL download from a
// local HTTP server into OPFS (with progress), activation, and removal.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { fixtureFileSizes } from '../unit/model-store/helpers';
import { FIXTURES, startModelServer, type ModelServer } from '../unit/model-store/model-server';
import { join } from 'node:path';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';

let ext: LaunchedExtension;
let server: ModelServer;
beforeAll(async () => {
  [ext, server] = await Promise.all([launchExtension(), startModelServer()]);
});
afterAll(async () => {
  await ext?.close();
  await server?.close();
});

async function openModels() {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/dashboard.html#models'));
  await page.getByTestId('models-view').waitFor();
  return page;
}

test('automatic selection passes over the software WebGL renderer for WASM and says why', async () => {
  const page = await openModels();
  await page.getByTestId('models-backend-override').selectOption('auto');
  const active = page.getByTestId('models-backend-active');
  await expect.poll(() => active.getAttribute('data-backend'), { timeout: 60_000 }).toBe('wasm');
  // Headless Chromium here renders WebGL with SwiftShader through ANGLE: a GPU emulated on the CPU.
  const skipped = (await page.getByTestId('models-backend-skipped').allTextContents()).join(' | ');
  expect(skipped).toMatch(/WebGL \(GPU\) was passed over: this GPU is emulated/);
  await page.close();
});

test('the WASM backend starts in an extension page from the .wasm files shipped in the build', async () => {
  const page = await openModels();
  await page.getByTestId('models-backend-override').selectOption('wasm');
  const active = page.getByTestId('models-backend-active');
  await expect.poll(() => active.getAttribute('data-backend'), { timeout: 60_000 }).toBe('wasm');
  // The manifest's cross_origin_* keys isolate extension pages, so the threaded build starts from
  // the pthread worker served at /wasm/ (a blob: worker would be refused by the CSP): one thread
  // per core up to 4 cores, half the logical cores above.
  const { isolated, cores } = await page.evaluate(() => ({ isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  expect(isolated).toBe(true);
  const expectedThreads = cores <= 4 ? cores : Math.min(8, Math.floor(cores / 2));
  expect(await active.getAttribute('data-threads')).toBe(expectedThreads > 1 ? String(expectedThreads) : '');
  if (expectedThreads > 1) expect(await active.textContent()).toContain(`${expectedThreads} threads`);
  await page.getByTestId('models-backend-check').click();
  const result = page.getByTestId('models-backend-check-result');
  await result.waitFor();
  expect(await result.getAttribute('data-backend')).toBe('wasm');
  expect(await result.getAttribute('data-matches')).toBe('true');
  await page.close();
});

/** Files in OPFS under /models/<id>/ (name -> size), read in the page itself. */
function opfsFiles(page: Page, modelId: string): Promise<Record<string, number> | null> {
  return page.evaluate(async (id) => {
    try {
      const models = await (await navigator.storage.getDirectory()).getDirectoryHandle('models');
      const folder = (await models.getDirectoryHandle(id)) as FileSystemDirectoryHandle & {
        values(): AsyncIterable<FileSystemFileHandle>;
      };
      const sizes: Record<string, number> = {};
      for await (const handle of folder.values()) sizes[handle.name] = (await handle.getFile()).size;
      return sizes;
    } catch {
      return null;
    }
  }, modelId);
}

test('a model downloads from a URL into OPFS with progress, survives a reload, is activated and removed', async () => {
  const page = await openModels();
  // Slow weights so the progress bar is observable.
  server.faults.set('/tiny-gpt2/model.safetensors', { kind: 'slow', chunkBytes: 16_384, delayMs: 100 });
  await page.getByTestId('models-url-input').fill(server.folderUrl('tiny-gpt2'));
  await page.getByTestId('models-url-download').click();
  const bar = page.getByTestId('models-url-progress').locator('progress');
  await expect
    .poll(async () => Number(await bar.getAttribute('data-received').catch(() => '0')), { timeout: 30_000 })
    .toBeGreaterThan(0);

  const row = page.getByTestId('model-row').filter({ hasText: 'tiny-gpt2' });
  await row.waitFor({ timeout: 60_000 });
  server.faults.clear();
  const expectedSizes = fixtureFileSizes('tiny-gpt2');
  const totalBytes = Object.values(expectedSizes).reduce((a, b) => a + b, 0);
  expect(Number(await row.getByTestId('model-size').getAttribute('data-bytes'))).toBe(totalBytes);
  expect(await row.getByTestId('model-source').textContent()).toContain(server.folderUrl('tiny-gpt2'));
  const modelId = (await row.getAttribute('data-model-id'))!;
  expect(await opfsFiles(page, modelId)).toEqual(expectedSizes);

  // Offline afterwards: the server is not asked again when the list is reloaded.
  const requestsBefore = server.requests.length;
  await page.reload();
  await row.waitFor();
  expect(server.requests.length).toBe(requestsBefore);

  // A second (sharded) model; it is not active, so it can be chosen.
  await page.getByTestId('models-url-input').fill(server.folderUrl('tiny-llama-bf16-sharded'));
  await page.getByTestId('models-url-download').click();
  const sharded = page.getByTestId('model-row').filter({ hasText: 'tiny-llama-bf16-sharded' });
  await sharded.waitFor({ timeout: 60_000 });
  const shardedId = (await sharded.getAttribute('data-model-id'))!;
  expect(Object.keys((await opfsFiles(page, shardedId)) ?? {}).sort()).toEqual(
    Object.keys(fixtureFileSizes('tiny-llama-bf16-sharded')).sort(),
  );
  await sharded.getByTestId('model-set-active').click();
  await sharded.getByTestId('model-active-badge').waitFor();
  expect(await page.getByTestId('model-active-badge').count()).toBe(1);

  for (const [target, id] of [
    [sharded, shardedId],
    [row, modelId],
  ] as const) {
    await target.getByTestId('model-remove').click();
    await page.getByTestId('models-remove-confirm').click();
    await target.waitFor({ state: 'detached' });
    expect(await opfsFiles(page, id)).toBeNull();
  }
  await page.close();
});

test('a missing file is reported with its HTTP status and nothing is kept', async () => {
  const page = await openModels();
  server.faults.set('/tiny-llama/model.safetensors', { kind: 'status', status: 404 });
  await page.getByTestId('models-url-input').fill(server.folderUrl('tiny-llama'));
  await page.getByTestId('models-url-download').click();
  const error = page.getByTestId('models-error');
  await error.waitFor({ timeout: 30_000 });
  expect(await error.textContent()).toMatch(/HTTP 404.*model\.safetensors|model\.safetensors.*HTTP 404/);
  expect(await page.getByTestId('model-row').filter({ hasText: 'tiny-llama' }).count()).toBe(0);
  server.faults.clear();
  await page.close();
});

test('cancel stops a download and keeps nothing', async () => {
  const page = await openModels();
  server.faults.set('/tiny-qwen2/model.safetensors', { kind: 'slow', chunkBytes: 4096, delayMs: 200 });
  await page.getByTestId('models-url-input').fill(server.folderUrl('tiny-qwen2'));
  await page.getByTestId('models-url-download').click();
  const bar = page.getByTestId('models-url-progress').locator('progress');
  await expect
    .poll(async () => Number(await bar.getAttribute('data-received').catch(() => '0')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await page.getByTestId('models-url-cancel').click();
  await page.getByTestId('models-url-progress').waitFor({ state: 'detached' });
  expect(await page.getByTestId('models-error').count()).toBe(0);
  expect(await page.getByTestId('model-row').filter({ hasText: 'tiny-qwen2' }).count()).toBe(0);
  const leftovers = await page.evaluate(async () => {
    const models = await (
      await navigator.storage.getDirectory()
    ).getDirectoryHandle('models', { create: true });
    const names: string[] = [];
    for await (const name of (models as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> }).keys())
      names.push(name);
    return names;
  });
  expect(leftovers).toEqual([]);
  server.faults.clear();
  await page.close();
});

test('a model folder picked with the directory picker is imported into OPFS', async () => {
  const page = await openModels();
  await page.getByTestId('models-import-folder').setInputFiles(join(FIXTURES, 'tiny-qwen2'));
  const row = page.getByTestId('model-row').filter({ hasText: 'tiny-qwen2' });
  await row.waitFor({ timeout: 30_000 });
  expect(await row.getByTestId('model-source').textContent()).toBe('Local files');
  const id = (await row.getAttribute('data-model-id'))!;
  expect(await opfsFiles(page, id)).toEqual(fixtureFileSizes('tiny-qwen2'));
  await row.getByTestId('model-remove').click();
  await page.getByTestId('models-remove-confirm').click();
  await row.waitFor({ state: 'detached' });
  await page.close();
});

test('picked files without tokenizer.json are refused with the missing file named', async () => {
  const page = await openModels();
  const folder = join(FIXTURES, 'tiny-gpt2');
  await page
    .getByTestId('models-import-files')
    .setInputFiles(['config.json', 'model.safetensors'].map((n) => join(folder, n)));
  const error = page.getByTestId('models-error');
  await error.waitFor({ timeout: 30_000 });
  expect(await error.textContent()).toContain('tokenizer.json');
  expect(await page.getByTestId('model-row').filter({ hasText: 'gpt2' }).count()).toBe(0);
  await page.close();
});
