// Shared steps of the training e2e tests (train.test.ts on WASM, train-webgpu.test.ts on WebGPU):
// setting up the extension through the dashboard (backend, model, and for train.test.ts 20
// examples imported as JSONL; train-webgpu.test.ts captures its examples from pages instead), raw
// engine requests from an extension page, and reading the extension's IndexedDB.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ModelServer } from '../../unit/model-store/model-server';
import { extensionUrl, type LaunchedExtension } from '../../../tools/harness/browser';

/** Words of the short echo task the training tests use (a tiny model learns it in a few steps). */
export const ECHO_WORDS = [
  'apple',
  'river',
  'stone',
  'cloud',
  'green',
  'tiger',
  'lemon',
  'piano',
  'ocean',
  'candle',
];
export const EXAMPLES_JSONL = Array.from({ length: 20 }, (_, i) => {
  const word = ECHO_WORDS[i % ECHO_WORDS.length]!;
  return JSON.stringify({
    instruction: `Echo ${word} ${i}`,
    output: `${word} ${word}`,
    tags: [i % 2 ? 'odd' : 'even'],
  });
}).join('\n');
export const MODEL_DIR = 'test/fixtures/models/tiny-llama';

export async function dashboard(ext: LaunchedExtension, view: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, `/dashboard.html#${view}`));
  await page.getByTestId(`${view}-view`).waitFor();
  return page;
}

/**
 * Chooses the compute backend in the Models view, downloads tiny-llama into the extension and
 * makes it active. The offscreen engine starts later, on the first engine request, so it starts on
 * the chosen backend.
 */
export async function prepareModel(
  ext: LaunchedExtension,
  server: ModelServer,
  backend: 'wasm' | 'webgpu',
): Promise<void> {
  const models = await chooseBackend(ext, backend);
  await models.getByTestId('models-url-input').fill(server.folderUrl('tiny-llama'));
  await models.getByTestId('models-url-download').click();
  const row = models.getByTestId('model-row').filter({ hasText: 'tiny-llama' });
  await row.waitFor({ timeout: 60_000 });
  await row.getByTestId('model-set-active').click();
  await row.getByTestId('model-active-badge').waitFor();
  await models.close();
}

/** Chooses the compute backend in the Models view; returns that view, still open. */
export async function chooseBackend(ext: LaunchedExtension, backend: 'wasm' | 'webgpu'): Promise<Page> {
  const models = await dashboard(ext, 'models');
  await models.getByTestId('models-backend-override').selectOption(backend);
  const active = models.getByTestId('models-backend-active');
  await expect.poll(() => active.getAttribute('data-backend'), { timeout: 120_000 }).not.toBe(null);
  // A backend that could not start is listed as skipped, with the reason: show it on failure.
  const skipped = await models.getByTestId('models-backend-skipped').allTextContents();
  expect(await active.getAttribute('data-backend'), `skipped: ${skipped.join('; ')}`).toBe(backend);
  return models;
}

/** prepareModel, then the 20 EXAMPLES_JSONL examples imported through the Examples view. */
export async function prepare(
  ext: LaunchedExtension,
  server: ModelServer,
  backend: 'wasm' | 'webgpu',
): Promise<void> {
  await prepareModel(ext, server, backend);
  await importEchoExamples(ext);
}

/** The 20 EXAMPLES_JSONL examples, imported through the Examples view. */
export async function importEchoExamples(ext: LaunchedExtension): Promise<void> {
  const examples = await ext.context.newPage();
  await examples.goto(extensionUrl(ext, '/dashboard.html#examples')); // (no `examples-view` test id)
  await examples.getByTestId('examples-import-file').setInputFiles({
    name: 'examples.jsonl',
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(EXAMPLES_JSONL),
  });
  await examples.getByTestId('import-confirm').click();
  await expect
    .poll(() => examples.getByTestId('examples-count').getAttribute('data-total'), { timeout: 30_000 })
    .toBe('20');
  await examples.close();
}

export interface EngineReply {
  type: 'result' | 'error';
  result?: unknown;
  error?: { code: string; message: string };
  progress: unknown[];
}

/**
 * One request over the engine protocol, from inside an extension page (raw Port, as the client does).
 * With `untilStep`, it answers as soon as a progress event reaches that training step (the request
 * stays open in the engine only until the Port closes).
 */
export function engineRequest(
  page: Page,
  kind: string,
  payload: unknown,
  options: { untilStep?: number } = {},
): Promise<EngineReply> {
  return page.evaluate(
    async ({ kind, payload, untilStep }) => {
      type Port = {
        postMessage(m: unknown): void;
        disconnect(): void;
        onMessage: { addListener(l: (m: Record<string, unknown>) => void): void };
      };
      const runtime = (
        globalThis as unknown as {
          chrome: {
            runtime: {
              sendMessage(m: unknown): Promise<{ type?: string }>;
              connect(o: { name: string }): Port;
            };
          };
        }
      ).chrome.runtime;
      const ensured = await runtime.sendMessage({ kind: 'engine.ensure', payload: {} });
      if (ensured?.type !== 'result') throw new Error(`engine.ensure failed: ${JSON.stringify(ensured)}`);
      const port = runtime.connect({ name: 'attune-engine' });
      const id = `e2e-${Math.random().toString(36).slice(2)}`;
      return new Promise<EngineReply>((resolve) => {
        const progress: unknown[] = [];
        port.onMessage.addListener((message) => {
          if (message.type === 'ready') return port.postMessage({ kind, id, payload });
          if (message.id !== id) return;
          if (message.type === 'progress') {
            progress.push(message.progress);
            const step = (message.progress as { step?: unknown }).step;
            if (untilStep === undefined || typeof step !== 'number' || step < untilStep) return;
          }
          port.disconnect();
          resolve({ ...(message as unknown as EngineReply), progress });
        });
      });
    },
    { kind, payload, untilStep: options.untilStep },
  );
}

/** The compute backend the offscreen engine runs on (`engine.info`). */
export async function engineBackend(page: Page): Promise<string | null> {
  const reply = await engineRequest(page, 'engine.info', {});
  expect(reply.error).toBeUndefined();
  return (reply.result as { backend: string | null }).backend;
}

export async function generateText(
  page: Page,
  prompt: string,
  adapterId: string | null,
  maxNewTokens = 12,
): Promise<string> {
  return (await generate(page, prompt, adapterId, maxNewTokens)).text;
}

/**
 * A greedy reply to `prompt` asked as a chat message (the engine's `messages`, the CLI's
 * `--chat`: the shape training saw): its text and how many tokens it took.
 */
export async function generate(
  page: Page,
  prompt: string,
  adapterId: string | null,
  maxNewTokens = 12,
): Promise<{ text: string; tokens: number }> {
  const reply = await engineRequest(page, 'model.generate', {
    messages: [{ role: 'user', content: prompt }],
    adapterId,
    sampling: { greedy: true, maxNewTokens },
  });
  expect(reply.error).toBeUndefined();
  return reply.result as { text: string; tokens: number };
}

/** The run records, adapters and examples, read from the extension's IndexedDB in the page. */
export function readDb(page: Page): Promise<{
  runs: { id: string; status: string; checkpointStep: number | null }[];
  adapters: { id: string; name: string; method: string; bytes: number; config: Record<string, unknown> }[];
  examples: { instruction: string; output: string; sourceUrl: string }[];
}> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('attune');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as T[]);
        request.onerror = () => reject(request.error);
      });
    const runs = (
      await all<{ id: string; status: string; checkpoint?: { step: number } }>('trainingRuns')
    ).map((r) => ({ id: r.id, status: r.status, checkpointStep: r.checkpoint?.step ?? null }));
    const adapters = (
      await all<{ id: string; name: string; method: string; weights: ArrayBuffer; config: Record<string, unknown> }>('adapters')
    ).map((a) => ({
      id: a.id,
      name: a.name,
      method: a.method,
      bytes: a.weights.byteLength,
      config: a.config,
    }));
    const examples = (await all<{ instruction: string; output: string; sourceUrl: string }>('examples')).map(
      (e) => ({ instruction: e.instruction, output: e.output, sourceUrl: e.sourceUrl }),
    );
    db.close();
    return { runs, adapters, examples };
  });
}

/**
 * Starts a LoRA run of `steps` steps from the Train view (after checking the memory plan it shows)
 * and waits for its first checkpoint (the engine writes one every 5 steps); returns the checkpoint's step. The page is closed again: the
 * run goes on in the engine.
 */
export async function startRunToCheckpoint(ext: LaunchedExtension, steps: number): Promise<number> {
  const page = await dashboard(ext, 'train');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');
  // The memory plan is shown before Train is pressed: the small model's batch fits at once.
  const plan = page.getByTestId('train-memory-plan');
  await expect.poll(() => plan.getAttribute('data-fits')).toBe('true');
  expect(await plan.getAttribute('data-accumulation')).toBe('1');
  expect(await plan.textContent()).toMatch(/estimated peak \d+\.\d\d GiB of 4\.00 GiB/);
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill(String(steps));
  await page.getByTestId('train-start').click();
  const checkpoint = page.getByTestId('train-checkpoint');
  await expect
    .poll(async () => Number(await checkpoint.getAttribute('data-step').catch(() => '0')), { timeout: 300_000 })
    .toBeGreaterThanOrEqual(5);
  const step = Number(await checkpoint.getAttribute('data-step'));
  await page.close();
  return step;
}
