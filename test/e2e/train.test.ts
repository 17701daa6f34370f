// Training in the real extension on the WASM backend: a run goes on when the page that started
// it closes, and a browser closed mid-run continues from its IndexedDB checkpoint on relaunch.
// (The one-click train → reload → generate → CLI parity flow runs on WebGPU in
// train-webgpu.test.ts; this file keeps WASM, the CPU fallback most machines without a GPU get,
// covered end to end.) The Train view's method picker shows each method's one-click figures, and
// a method's fixed choice reaches the stored adapter. Full fine-tuning of the shipped model ends
// as a new model in the Models view, not as an adapter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parseConfig } from '../../src/model/config';
import { getMethod, METHOD_NAMES } from '../../src/tuning/registry';
import type { MethodName } from '../../src/tuning/types';
import { extensionUrl } from '../../tools/harness/browser';
import { extensionsForThisFile } from './support/extensions-in-file';
import { chooseBackend, dashboard, engineBackend, engineRequest, importEchoExamples, MODEL_DIR, prepare, readDb } from './support/train-flow';

/** Long enough that the browser is closed well before the end, even on an idle machine. */
const LONG_RUN_STEPS = 60;

const { server, launch } = extensionsForThisFile();

test('a run goes on when its page closes; a browser killed mid-run continues from its checkpoint after relaunch and finishes', async () => {
  const first = await launch();
  await prepare(first, server(), 'wasm');
  const page = await dashboard(first, 'train');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill(String(LONG_RUN_STEPS));
  await page.getByTestId('train-start').click();
  await expect
    .poll(
      async () =>
        Number(
          await page
            .getByTestId('train-progress')
            .getAttribute('data-step')
            .catch(() => '0'),
        ),
      { timeout: 120_000 },
    )
    .toBeGreaterThan(0);
  // Closing the page that started the run does not stop it: a new page finds it further on.
  const stepWhenClosed = Number(await page.getByTestId('train-progress').getAttribute('data-step'));
  await page.close();
  const reopened = await dashboard(first, 'train');
  await expect
    .poll(
      async () =>
        Number(
          await reopened
            .getByTestId('train-progress')
            .getAttribute('data-step')
            .catch(() => '0'),
        ),
      { timeout: 120_000 },
    )
    .toBeGreaterThan(stepWhenClosed);
  // The engine checkpoints every 5 steps: wait for one, then close the browser mid-run.
  const checkpoint = reopened.getByTestId('train-checkpoint');
  await expect
    .poll(async () => Number(await checkpoint.getAttribute('data-step').catch(() => '0')), {
      timeout: 300_000,
    })
    .toBeGreaterThanOrEqual(5);
  const seenCheckpoint = Number(await checkpoint.getAttribute('data-step'));
  expect(Number(await reopened.getByTestId('train-progress').getAttribute('data-step'))).toBeLessThan(
    LONG_RUN_STEPS,
  );
  await first.close();

  const second = await launch({ profileDir: first.profileDir });
  const watcher = await second.context.newPage();
  await watcher.goto(extensionUrl(second, '/dashboard.html#train'));
  const final = await engineRequest(watcher, 'train.watch', {});
  expect(final.error).toBeUndefined();
  const state = final.result as {
    phase: string;
    step: number;
    totalSteps: number;
    resumedFromStep: number | null;
    curve: { step: number }[];
  };
  expect(state.phase).toBe('completed');
  expect(state.step).toBe(LONG_RUN_STEPS);
  expect(state.resumedFromStep).toBeGreaterThanOrEqual(seenCheckpoint); // continued, not restarted
  // Every state seen after the relaunch is at or past the checkpoint (the restored state reports
  // the checkpoint's step), and training went on from there.
  const stepsSeenAfterRelaunch = (final.progress as { phase: string; step: number }[])
    .filter((p) => p.phase === 'running')
    .map((p) => p.step);
  expect(Math.min(...stepsSeenAfterRelaunch)).toBeGreaterThanOrEqual(state.resumedFromStep!);
  expect(stepsSeenAfterRelaunch.filter((s) => s > state.resumedFromStep!).length).toBeGreaterThan(0);
  expect(state.curve.map((p) => p.step)).toEqual(Array.from({ length: LONG_RUN_STEPS }, (_, i) => i + 1));
  const stored = await readDb(watcher);
  expect(stored.runs).toEqual([expect.objectContaining({ status: 'completed', checkpointStep: null })]);
  expect(stored.adapters).toHaveLength(1);
  expect(await engineBackend(watcher)).toBe('wasm');
});

test('the method picker shows every method with its parameters, memory and time; a fixed choice reaches the stored adapter', async () => {
  const ext = await launch();
  await prepare(ext, server(), 'wasm');
  const page = await dashboard(ext, 'train');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');
  const model = parseConfig(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8'));
  const expectedParameters = (name: MethodName) => {
    const method = getMethod(name);
    return method.parameterCount(method.defaultConfig(model) as never, model);
  };

  // Every option names the method with its one-click figures, before anything is trained.
  const figures = page.getByTestId('train-method-figures');
  await expect.poll(() => figures.getAttribute('data-parameters'), { timeout: 60_000 }).toBe(String(expectedParameters('lora')));
  const options = await page.getByTestId('train-method').locator('option').allTextContents();
  expect(options).toHaveLength(METHOD_NAMES.length);
  for (const option of options) expect(option).toMatch(/ — [\d.]+( [kMG])? parameters, ~\d+/);
  // The picked method's line: description, memory from the plan, time from tokens and an assumed speed.
  expect(await page.getByTestId('train-method-description').textContent()).toBe(getMethod('lora').text.en.description);
  expect(Number(await figures.getAttribute('data-peak-bytes'))).toBeGreaterThan(0);
  expect(Number(await figures.getAttribute('data-seconds'))).toBeGreaterThanOrEqual(0);
  expect(await figures.getAttribute('data-measured')).toBe('false');
  expect(await figures.textContent()).toMatch(/GiB.*tokens\/s, assumed/);

  // Bottleneck adapters, placed Pfeiffer-style (a string with fixed choices), two steps.
  await page.getByTestId('train-method').selectOption('adapter');
  await expect.poll(() => figures.getAttribute('data-parameters'), { timeout: 60_000 }).toBe(String(expectedParameters('adapter')));
  await page.getByTestId('train-advanced').locator('summary').click();
  const kind = page.getByTestId('train-setting-kind');
  expect(await kind.locator('option').allTextContents()).toEqual(['Automatic (houlsby)', 'houlsby', 'pfeiffer']);
  await kind.selectOption('pfeiffer');
  await page.getByTestId('train-setting-maxSteps').fill('2');
  await page.getByTestId('train-start').click();
  await expect.poll(() => page.getByTestId('train-status').getAttribute('data-phase'), { timeout: 240_000 }).toBe('completed');
  const stored = await readDb(page);
  expect(stored.adapters).toEqual([expect.objectContaining({ method: 'adapter', config: expect.objectContaining({ adapter_kind: 'pfeiffer' }) })]);

  // The next estimate of that method uses the speed this run measured.
  await page.reload();
  await page.getByTestId('train-method').selectOption('adapter');
  await expect.poll(() => figures.getAttribute('data-measured'), { timeout: 60_000 }).toBe('true');
});

test('full fine-tuning of the shipped model in the Train view ends as a new model in Models, usable for chat', async () => {
  const started = performance.now();
  const ext = await launch();
  await (await chooseBackend(ext, 'wasm')).close(); // no model download: the shipped one is active
  await importEchoExamples(ext);
  const page = await dashboard(ext, 'train');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');
  await page.getByTestId('train-method').selectOption('full');
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill('2');
  await page.getByTestId('train-start').click();
  await expect.poll(() => page.getByTestId('train-status').getAttribute('data-phase'), { timeout: 240_000 }).toBe('completed');

  // The result says where it went, by name; no adapter was made.
  const saved = page.getByTestId('train-saved-model');
  await expect.poll(() => saved.textContent()).toMatch(/Saved as a new model, “Attune default · Full fine-tuning · \d{4}-\d\d-\d\d \d\d:\d\d”, in the Models tab\./);
  const name = /“(.+)”/.exec((await saved.textContent())!)![1]!;
  expect((await readDb(page)).adapters).toEqual([]);

  // Use it for chat, then open Models: it is listed, trained from the shipped model, and active.
  await page.getByTestId('train-use-model').click();
  await page.getByTestId('train-open-models').click();
  await page.getByTestId('models-view').waitFor();
  const row = page.getByTestId('model-row').filter({ hasText: name });
  await row.getByTestId('model-active-badge').waitFor();
  expect(await row.getByTestId('model-trained-from').textContent()).toBe('Trained here from Attune default');
  console.log(`[e2e] full fine-tuning to Models: ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
