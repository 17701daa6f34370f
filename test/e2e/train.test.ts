// Training in the real extension on the WASM backend: a run goes on when the page that started
// it closes, and a browser closed mid-run continues from its IndexedDB checkpoint on relaunch.
// (The one-click train → reload → generate → CLI parity flow runs on WebGPU in
// train-webgpu.test.ts; this file keeps WASM, the CPU fallback most machines without a GPU get,
// covered end to end.)
import { expect, test } from 'vitest';
import { extensionUrl } from '../../tools/harness/browser';
import { extensionsForThisFile } from './support/extensions-in-file';
import { dashboard, engineBackend, engineRequest, prepare, readDb } from './support/train-flow';

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
