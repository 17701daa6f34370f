// Training in the real extension (Chromium, WebGPU on SwiftShader): the tiny fixture model is
// downloaded into the extension, 20 examples are imported through the dashboard, one click on
// Train runs a few steps in the offscreen engine, the adapter lands in the list and in IndexedDB,
// survives a reload, changes generation, and generates exactly what the CLI generates with the
// exported PEFT zip. Then a browser killed mid-run continues from its checkpoint on relaunch.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync, zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startModelServer, type ModelServer } from '../unit/model-store/model-server';
import { extensionUrl, launchExtension, type LaunchedExtension } from './harness';

const run = promisify(execFile);
const WORDS = ['apple', 'river', 'stone', 'cloud', 'green', 'tiger', 'lemon', 'piano', 'ocean', 'candle'];
const JSONL = Array.from({ length: 20 }, (_, i) => {
  const word = WORDS[i % WORDS.length]!;
  return JSON.stringify({ instruction: `Echo ${word} ${i}`, output: `${word} ${word}`, tags: [i % 2 ? 'odd' : 'even'] });
}).join('\n');
const PROMPT = 'Echo tiger';
/** Long enough that the browser is closed well before the end, even on an idle machine. */
const LONG_RUN_STEPS = 60;

let server: ModelServer;
const opened: LaunchedExtension[] = [];
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(async () => {
  for (const ext of opened) await ext.close().catch(() => undefined);
  await server?.close();
});

async function launch(profileDir?: string): Promise<LaunchedExtension> {
  const ext = await launchExtension({ webgpu: true, ...(profileDir ? { profileDir } : {}) });
  opened.push(ext);
  return ext;
}

async function dashboard(ext: LaunchedExtension, view: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, `/dashboard.html#${view}`));
  await page.getByTestId(`${view}-view`).waitFor();
  return page;
}

/**
 * Chooses the WASM backend, downloads tiny-llama into the extension, makes it active, and imports
 * the 20 examples. WASM, not WebGPU: on the SwiftShader software adapter every new batch shape
 * compiles new shaders, and on this shared 2-core machine the first step took minutes; the
 * WebGPU path itself is exercised in webgpu.test.ts. The CLI also runs on WASM, so the
 * parity check compares like with like.
 */
async function prepare(ext: LaunchedExtension): Promise<void> {
  const models = await dashboard(ext, 'models');
  await models.getByTestId('models-backend-override').selectOption('wasm');
  await expect.poll(() => models.getByTestId('models-backend-active').getAttribute('data-backend'), { timeout: 60_000 }).toBe('wasm');
  await models.getByTestId('models-url-input').fill(server.folderUrl('tiny-llama'));
  await models.getByTestId('models-url-download').click();
  const row = models.getByTestId('model-row').filter({ hasText: 'tiny-llama' });
  await row.waitFor({ timeout: 60_000 });
  await row.getByTestId('model-set-active').click();
  await row.getByTestId('model-active-badge').waitFor();
  await models.goto(extensionUrl(ext, '/dashboard.html#examples'));
  await models.getByTestId('examples-import-file').setInputFiles({ name: 'examples.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(JSONL) });
  await models.getByTestId('import-confirm').click();
  await expect.poll(() => models.getByTestId('examples-count').getAttribute('data-total'), { timeout: 30_000 }).toBe('20');
  await models.close();
}

interface EngineReply {
  type: 'result' | 'error';
  result?: unknown;
  error?: { code: string; message: string };
  progress: unknown[];
}

/** One request over the engine protocol, from inside an extension page (raw Port, as the client does). */
function engineRequest(page: Page, kind: string, payload: unknown): Promise<EngineReply> {
  return page.evaluate(
    async ({ kind, payload }) => {
      type Port = { postMessage(m: unknown): void; disconnect(): void; onMessage: { addListener(l: (m: Record<string, unknown>) => void): void } };
      const runtime = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<{ ok: boolean }>; connect(o: { name: string }): Port } } }).chrome.runtime;
      const ensured = await runtime.sendMessage({ target: 'attune-engine-service', kind: 'engine.ensure' });
      if (!ensured?.ok) throw new Error(`engine.ensure failed: ${JSON.stringify(ensured)}`);
      const port = runtime.connect({ name: 'attune-engine' });
      return new Promise<EngineReply>((resolve) => {
        const progress: unknown[] = [];
        port.onMessage.addListener((message) => {
          if (message.type === 'ready') return port.postMessage({ kind, id: 'e2e', payload });
          if (message.id !== 'e2e') return;
          if (message.type === 'progress') return void progress.push(message.progress);
          port.disconnect();
          resolve({ ...(message as unknown as EngineReply), progress });
        });
      });
    },
    { kind, payload },
  );
}

async function generateText(page: Page, adapterId: string | null): Promise<string> {
  const reply = await engineRequest(page, 'generate', { prompt: PROMPT, adapterId, sampling: { greedy: true, maxNewTokens: 12 } });
  expect(reply.error).toBeUndefined();
  return (reply.result as { text: string }).text;
}

/** The run record and adapter count, read from the extension's IndexedDB in the page. */
function readDb(page: Page): Promise<{ runs: { id: string; status: string; checkpointStep: number | null }[]; adapters: { id: string; bytes: number }[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('attune');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const runs = (await all<{ id: string; status: string; checkpoint?: { step: number } }>('trainingRuns')).map((r) => ({ id: r.id, status: r.status, checkpointStep: r.checkpoint?.step ?? null }));
    const adapters = (await all<{ id: string; weights: ArrayBuffer }>('adapters')).map((a) => ({ id: a.id, bytes: a.weights.byteLength }));
    db.close();
    return { runs, adapters };
  });
}

test('one click trains an adapter that survives a reload, generates what the CLI generates from its PEFT export, and is managed in the Adapters view', async () => {
  const ext = await launch();
  await prepare(ext);
  const page = await dashboard(ext, 'train');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill('8');
  await page.getByTestId('train-setting-lr').fill('0.05');
  await page.getByTestId('train-start').click();

  const progress = page.getByTestId('train-progress');
  await expect.poll(async () => Number(await progress.getAttribute('data-step').catch(() => '0')), { timeout: 240_000 }).toBeGreaterThan(0);
  await page.getByTestId('loss-chart').waitFor();
  const status = page.getByTestId('train-status');
  await expect.poll(() => status.getAttribute('data-phase'), { timeout: 300_000 }).toBe('completed');
  const adapterId = (await status.getAttribute('data-adapter-id'))!;
  expect(await page.getByTestId('train-compare-row').count()).toBe(2); // 2 held-out of 20
  expect(await page.getByTestId('train-loss-after').textContent()).toMatch(/\d\.\d{3}/);

  await page.goto(extensionUrl(ext, '/dashboard.html#adapters'));
  await page.reload();
  const row = page.locator(`[data-testid="adapter-row"][data-adapter-id="${adapterId}"]`);
  await row.waitFor();
  const stored = await readDb(page);
  expect(stored.adapters.find((a) => a.id === adapterId)?.bytes).toBeGreaterThan(0);
  expect(stored.runs).toEqual([expect.objectContaining({ status: 'completed', checkpointStep: null })]);

  const base = await generateText(page, null);
  const tuned = await generateText(page, adapterId);
  expect(tuned).not.toBe(base);

  // Export the PEFT zip, unpack it, and ask the CLI for the same greedy continuation.
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByTestId('adapter-export').click()]);
  const zipPath = join(mkdtempSync(join(tmpdir(), 'attune-adapter-')), 'adapter.zip');
  await download.saveAs(zipPath);
  const dir = join(mkdtempSync(join(tmpdir(), 'attune-peft-')), 'adapter');
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(zipPath))))) writeFileSync(join(dir, name), bytes);
  const cli = await run('node', ['--import', 'tsx', 'src/cli/main.ts', 'generate', '--model', 'test/fixtures/models/tiny-llama', '--adapter', dir, '--greedy', '--max-tokens', '12', '--prompt', PROMPT], { timeout: 120_000 });
  expect(cli.stdout.replace(/\n$/, '')).toBe(tuned);

  // Adapters view: merge (same answer, no hooks), use in chat, rename, import, refusal, delete.
  await row.getByTestId('adapter-merge').click();
  await row.getByTestId('adapter-merged-badge').waitFor();
  expect(await generateText(page, adapterId)).toBe(tuned);
  await row.getByTestId('adapter-merge').click();
  await row.getByTestId('adapter-merged-badge').waitFor({ state: 'detached' });
  await row.getByTestId('adapter-set-active').click();
  await row.getByTestId('adapter-active-badge').waitFor();
  await row.getByTestId('adapter-rename').click();
  await page.getByTestId('adapters-rename-input').fill('My voice');
  await page.getByTestId('adapters-rename-save').click();
  await expect.poll(() => row.getByTestId('adapter-name').textContent()).toBe('My voice');

  const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
  await page.getByTestId('adapters-import-file').setInputFiles({ name: 'copy.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) });
  await expect.poll(() => page.getByTestId('adapter-row').count(), { timeout: 30_000 }).toBe(2);
  const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json'])) as Record<string, unknown>;
  const foreign = { ...files, 'adapter_config.json': new TextEncoder().encode(JSON.stringify({ ...config, base_model_name_or_path: 'someone/other-model' })) };
  await page.getByTestId('adapters-import-file').setInputFiles({ name: 'foreign.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(foreign)) });
  await expect.poll(() => page.getByTestId('adapters-import-error').textContent(), { timeout: 30_000 }).toContain('someone/other-model');
  expect(await page.getByTestId('adapter-row').count()).toBe(2);

  await row.getByTestId('adapter-delete').click();
  await page.getByTestId('adapters-delete-confirm').click();
  await row.waitFor({ state: 'detached' });
  expect((await readDb(page)).adapters.map((a) => a.id)).not.toContain(adapterId);
  await page.close();
});

test('a run goes on when its page closes; a browser killed mid-run continues from its checkpoint after relaunch and finishes', async () => {
  const first = await launch();
  await prepare(first);
  const page = await dashboard(first, 'train');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill(String(LONG_RUN_STEPS));
  await page.getByTestId('train-start').click();
  await expect.poll(async () => Number(await page.getByTestId('train-progress').getAttribute('data-step').catch(() => '0')), { timeout: 120_000 }).toBeGreaterThan(0);
  // Closing the page that started the run does not stop it: a new page finds it further on.
  const stepWhenClosed = Number(await page.getByTestId('train-progress').getAttribute('data-step'));
  await page.close();
  const reopened = await dashboard(first, 'train');
  await expect.poll(async () => Number(await reopened.getByTestId('train-progress').getAttribute('data-step').catch(() => '0')), { timeout: 120_000 }).toBeGreaterThan(stepWhenClosed);
  // The engine checkpoints every 5 steps: wait for one, then close the browser mid-run.
  const checkpoint = reopened.getByTestId('train-checkpoint');
  await expect.poll(async () => Number(await checkpoint.getAttribute('data-step').catch(() => '0')), { timeout: 300_000 }).toBeGreaterThanOrEqual(5);
  const seenCheckpoint = Number(await checkpoint.getAttribute('data-step'));
  expect(Number(await reopened.getByTestId('train-progress').getAttribute('data-step'))).toBeLessThan(LONG_RUN_STEPS);
  await first.close();

  const second = await launch(first.profileDir);
  const watcher = await second.context.newPage();
  await watcher.goto(extensionUrl(second, '/dashboard.html#train'));
  const final = await engineRequest(watcher, 'train.watch', {});
  expect(final.error).toBeUndefined();
  const state = final.result as { phase: string; step: number; totalSteps: number; resumedFromStep: number | null; curve: { step: number }[] };
  expect(state.phase).toBe('completed');
  expect(state.step).toBe(LONG_RUN_STEPS);
  expect(state.resumedFromStep).toBeGreaterThanOrEqual(seenCheckpoint); // continued, not restarted
  // Every state seen after the relaunch is at or past the checkpoint (the restored state reports
  // the checkpoint's step), and training went on from there.
  const stepsSeenAfterRelaunch = (final.progress as { phase: string; step: number }[]).filter((p) => p.phase === 'running').map((p) => p.step);
  expect(Math.min(...stepsSeenAfterRelaunch)).toBeGreaterThanOrEqual(state.resumedFromStep!);
  expect(stepsSeenAfterRelaunch.filter((s) => s > state.resumedFromStep!).length).toBeGreaterThan(0);
  expect(state.curve.map((p) => p.step)).toEqual(Array.from({ length: LONG_RUN_STEPS }, (_, i) => i + 1));
  const stored = await readDb(watcher);
  expect(stored.runs).toEqual([expect.objectContaining({ status: 'completed', checkpointStep: null })]);
  expect(stored.adapters).toHaveLength(1);
});
