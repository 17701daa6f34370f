// Learning from use, end to end in real Chromium with the built extension and the shipped model
// (greedy answers, the engine's default backend): an adapter answers a question wrongly; Edit & save
// stores the corrected answer; continuing the adapter's training (warm start + replay) makes it
// v2, which answers with the correction; the Adapters view lists v1 and v2 with their figures;
// restoring v1 brings the old answer back, exactly.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import { CaptureUi } from '../../tools/harness/capture-ui';
import { chatIdle } from './support/chat-state';

const QUESTION = 'What is the capital of Zorbia?';
/** A made-up name the shipped model has never seen, so it cannot say it unless it learned it. */
const CORRECTION = 'The capital of Zorbia is Plimmvale.';
const FIRST_EXAMPLES = Array.from({ length: 4 }, (_, i) =>
  JSON.stringify({ instruction: `Echo ${['apple', 'river', 'stone', 'cloud'][i]}`, output: `${['apple', 'river', 'stone', 'cloud'][i]} ${['apple', 'river', 'stone', 'cloud'][i]}` }),
).join('\n');
/** Continued run: one new example (the correction) and one replayed; enough steps to learn it. */
const CONTINUE_STEPS = '30';
const CONTINUE_LR = '0.01';

let ext: LaunchedExtension;
beforeAll(async () => {
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close();
});

async function dashboard(view: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, `/dashboard.html#${view}`));
  return page;
}

async function train(page: Page, steps: string, lr?: string): Promise<void> {
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-setting-maxSteps').fill(steps);
  if (lr) await page.getByTestId('train-setting-lr').fill(lr);
  // The view opens showing the previous run's final state: wait for this run's.
  const status = page.getByTestId('train-status');
  const previousRun = (await status.count()) > 0 ? await status.getAttribute('data-run-id') : null;
  await page.getByTestId('train-start').click();
  await expect
    .poll(async () => ((await status.getAttribute('data-run-id')) !== previousRun ? status.getAttribute('data-phase') : 'previous run'), { timeout: 240_000 })
    .toBe('completed');
}

/** Asks in a new conversation with the given adapter; returns the answer's text. */
async function ask(adapterId: string): Promise<string> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  await page.getByTestId('chat-adapter').selectOption(adapterId);
  await page.getByTestId('chat-new').click();
  await page.getByLabel('Your message').fill(QUESTION);
  await page.getByLabel('Your message').press('Enter');
  await expect.poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 120_000 }).toBe(1);
  await chatIdle(page).waitFor({ timeout: 30_000 });
  const text = (await page.getByTestId('chat-message-assistant').locator('.chat-markdown').textContent())!.trim();
  await page.close();
  return text;
}

test('chat → Edit & save → continue training → the correction is answered; v2 listed; restore v1 → the old answer', async () => {
  const started = Date.now();
  // v1: a LoRA trained briefly on four examples.
  const examples = await dashboard('examples');
  await examples.getByTestId('examples-import-file').setInputFiles({ name: 'e.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(FIRST_EXAMPLES) });
  await examples.getByTestId('import-confirm').click();
  await expect.poll(() => examples.getByTestId('examples-count').getAttribute('data-total'), { timeout: 30_000 }).toBe('4');
  await examples.close();
  const first = await dashboard('train');
  await expect.poll(() => first.getByTestId('train-example-count').getAttribute('data-count')).toBe('4');
  await train(first, '2');
  const adapterId = (await first.getByTestId('train-status').getAttribute('data-adapter-id'))!;
  await first.close();

  // The adapter answers wrongly; the answer is corrected through Edit & save.
  const side = await ext.context.newPage();
  await side.goto(extensionUrl(ext, '/sidepanel.html'));
  await side.getByTestId('chat').waitFor();
  await side.getByTestId('chat-adapter').selectOption(adapterId);
  await side.getByTestId('chat-new').click();
  await side.getByLabel('Your message').fill(QUESTION);
  await side.getByLabel('Your message').press('Enter');
  await expect.poll(() => side.getByTestId('chat-message-assistant').count(), { timeout: 120_000 }).toBe(1);
  await chatIdle(side).waitFor({ timeout: 30_000 });
  const v1Answer = (await side.getByTestId('chat-message-assistant').locator('.chat-markdown').textContent())!.trim();
  expect(v1Answer).not.toContain('Plimmvale');
  await side.getByTestId('chat-edit').click();
  const ui = await CaptureUi.attach(side);
  await ui.waitFor('capture-form');
  await ui.fill('capture-output', CORRECTION);
  await ui.click('capture-save');
  await ui.waitFor('capture-status');
  await side.close();

  // Continue the adapter: one new example, one replayed; it becomes v2.
  const second = await dashboard('train');
  await expect.poll(() => second.getByTestId('train-example-count').getAttribute('data-count')).toBe('5');
  await second.locator(`[data-testid="train-continue-adapter"][data-adapter-id="${adapterId}"]`).check();
  const plan = second.getByTestId('train-continuation-plan');
  await expect.poll(() => plan.getAttribute('data-new'), { timeout: 60_000 }).toBe('1');
  expect(await plan.getAttribute('data-replayed')).toBe('1');
  await train(second, CONTINUE_STEPS, CONTINUE_LR);
  expect(await second.getByTestId('train-status').getAttribute('data-adapter-id')).toBe(adapterId);
  expect(await second.getByTestId('train-continuation').getAttribute('data-to')).toBe('2');
  await second.close();

  const v2Answer = await ask(adapterId);
  expect(v2Answer).toContain(CORRECTION);

  // The Adapters view lists both versions with their figures; restore v1.
  const adapters = await dashboard('adapters');
  const versionsRow = adapters.locator(`[data-testid="adapter-versions-row"][data-adapter-id="${adapterId}"]`);
  await versionsRow.getByTestId('adapter-versions-toggle').click();
  const versions = versionsRow.getByTestId('adapter-version');
  await expect.poll(() => versions.count(), { timeout: 30_000 }).toBe(2);
  const v2 = versionsRow.locator('[data-testid="adapter-version"][data-version="2"]');
  expect(await v2.getAttribute('data-current')).toBe('true');
  expect(await v2.getByTestId('adapter-version-examples').getAttribute('data-new')).toBe('1');
  expect(await v2.getByTestId('adapter-version-examples').getAttribute('data-replayed')).toBe('1');
  expect(await v2.getByTestId('adapter-version-loss').textContent()).toMatch(/^30 steps, training loss \d+\.\d+ \(no held-out set\)$/);
  await versionsRow.locator('[data-testid="adapter-version"][data-version="1"]').getByRole('button', { name: 'Restore version 1 of' + ' ' + (await adapters.getByTestId('adapter-name').first().textContent())! }).click();
  await expect.poll(() => versions.count(), { timeout: 30_000 }).toBe(3);
  expect(await versionsRow.locator('[data-testid="adapter-version"][data-version="3"]').getAttribute('data-current')).toBe('true');
  await adapters.close();

  expect(await ask(adapterId)).toBe(v1Answer);
  console.log(`learning loop: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
