// Training survives what the browser does to it, in the real extension: the extension reloaded
// (as by an update), the offscreen engine document closed by the browser, and the browser killed
// outright while training on WebGPU. Each time the run continues from its last checkpoint, with
// no page involved in bringing it back. The runs are long enough never to finish during a test:
// once the continued run has stepped past its checkpoint it is cancelled, so no test depends on
// how fast training is.
import type { Worker } from 'playwright-core';
import { expect, test } from 'vitest';
import { extensionUrl, killBrowser, type LaunchedExtension } from '../../tools/harness/browser';
import { extensionsForThisFile } from './support/extensions-in-file';
import { engineBackend, engineRequest, prepare, readDb, startRunToCheckpoint } from './support/train-flow';

const NEVER_FINISHES = 100_000;

const { server, launch } = extensionsForThisFile();

interface RunState {
  phase: string;
  step: number;
  resumedFromStep: number | null;
}

/** The parts of the extension API these tests call inside the service worker. */
interface WorkerChrome {
  runtime: {
    getContexts(filter: { contextTypes: string[] }): Promise<{ documentId?: string }[]>;
  };
  offscreen: { closeDocument(): Promise<void> };
}

/** The offscreen documents that exist, by id, as the service worker sees them. */
function offscreenDocuments(worker: Worker): Promise<string[]> {
  return worker.evaluate(async () => {
    const { chrome } = globalThis as unknown as { chrome: WorkerChrome };
    const contexts = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
    return contexts.map((c) => c.documentId ?? '');
  });
}

/**
 * The run was continued from a checkpoint at or after `seenCheckpoint` and has trained on from
 * there; then it is cancelled. Asked from a page opened only now.
 */
async function expectContinued(ext: LaunchedExtension, seenCheckpoint: number): Promise<void> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/dashboard.html#examples'));
  const first = await engineRequest(page, 'train.watch', {}, { untilStep: 0 });
  expect(first.error).toBeUndefined();
  const restored = first.progress.at(-1) as RunState;
  expect(restored.resumedFromStep).toBeGreaterThanOrEqual(seenCheckpoint); // continued, not restarted
  const resumedFrom = restored.resumedFromStep!;
  const later = await engineRequest(page, 'train.watch', {}, { untilStep: resumedFrom + 1 });
  expect(later.error).toBeUndefined();
  const running = later.progress.at(-1) as RunState;
  expect(running).toMatchObject({ phase: 'running', resumedFromStep: resumedFrom });
  expect(running.step).toBeGreaterThan(resumedFrom);
  expect((await engineRequest(page, 'train.cancel', {})).error).toBeUndefined();
  const stored = await readDb(page);
  expect(stored.runs).toHaveLength(1); // the same run, not a second one
  await page.close();
}

test('the extension reloaded mid-run (chrome://extensions, as an update does) continues the run from its checkpoint', async () => {
  const ext = await launch();
  await prepare(ext, server(), 'wasm');
  const seen = await startRunToCheckpoint(ext, NEVER_FINISHES);
  // The Reload button of chrome://extensions (developer mode). chrome.runtime.reload() from the
  // worker is no stand-in: Chromium leaves an extension loaded with --load-extension disabled after it.
  const extensions = await ext.context.newPage();
  await extensions.goto('chrome://extensions');
  await extensions.locator('#devMode').click();
  const restarted = ext.context.waitForEvent('serviceworker', { timeout: 90_000 });
  await extensions.locator('#dev-reload-button').click();
  const worker = await restarted;
  await extensions.close();
  // The new service worker brings the engine back by itself (no Attune page is open).
  await expect.poll(async () => (await offscreenDocuments(worker)).length, { timeout: 60_000 }).toBe(1);
  await expectContinued(ext, seen);
});

test('the offscreen engine closed by the browser mid-run is recreated and continues the run', async () => {
  const ext = await launch();
  await prepare(ext, server(), 'wasm');
  const seen = await startRunToCheckpoint(ext, NEVER_FINISHES);
  const [before] = await offscreenDocuments(ext.serviceWorker);
  expect(before).toBeTruthy();
  await ext.serviceWorker.evaluate(() =>
    (globalThis as unknown as { chrome: WorkerChrome }).chrome.offscreen.closeDocument(),
  );
  // A new document (another id) appears without any page asking for it.
  await expect
    .poll(async () => (await offscreenDocuments(ext.serviceWorker)).filter((id) => id !== before), { timeout: 60_000 })
    .toHaveLength(1);
  await expectContinued(ext, seen);
});

test('the browser killed mid-run on WebGPU continues from its checkpoint on WebGPU after relaunch', async () => {
  const first = await launch({ webgpu: true });
  await prepare(first, server(), 'webgpu');
  const seen = await startRunToCheckpoint(first, NEVER_FINISHES);
  await killBrowser(first);
  const second = await launch({ webgpu: true, profileDir: first.profileDir });
  await expect.poll(async () => (await offscreenDocuments(second.serviceWorker)).length, { timeout: 60_000 }).toBe(1);
  await expectContinued(second, seen);
  const page = await second.context.newPage();
  await page.goto(extensionUrl(second, '/dashboard.html#examples'));
  expect(await engineBackend(page)).toBe('webgpu');
  await page.close();
});
