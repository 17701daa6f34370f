// Training and chat with the keyboard alone, in real Chromium with the built extension. Setup
// (WASM backend, the tiny fixture model downloaded, 20 examples imported) uses the ordinary
// test helpers; everything the test proves afterwards is done with Tab, Shift+Tab, arrows, Space,
// Enter, Escape and typed text only: no clicks, no fill(), no element.click(). At each stop the
// test checks which control has focus and that the browser shows it (:focus-visible with an
// outline). Capture with the keyboard is covered by capture.test.ts.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setLocale, t } from '../../src/i18n';
import '../../src/i18n/chat';
import '../../src/i18n/train';
import { startModelServer, type ModelServer } from '../unit/model-store/model-server';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import { audit } from './support/axe';
import { chatBusy, chatIdle } from './support/chat-state';
import { EXAMPLES_JSONL } from './support/train-flow';
import { LONG_ANSWER_PROMPT } from '../fixtures/default-model/prompts';

const ADAPTER_NAME = 'Keyboard voice';
/** Enough steps that Pause lands mid-run on this slow machine, few enough to finish quickly. */
const STEPS = 300;

let server: ModelServer;
let ext: LaunchedExtension;
beforeAll(async () => {
  setLocale('en');
  server = await startModelServer();
  ext = await launchExtension();
  await prepare();
});
afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/**
 * Setup, not under test (beforeAll, so Playwright waits rather than expect.poll): the WASM backend (see train.test.ts for why not WebGPU on SwiftShader),
 * tiny-llama downloaded into the extension but not yet active (the chat's Stop check needs the
 * slower shipped model), and the 20 examples imported.
 */
async function prepare(): Promise<void> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/dashboard.html#models'));
  await page.getByTestId('models-backend-override').selectOption('wasm');
  await page
    .locator('[data-testid="models-backend-active"][data-backend="wasm"]')
    .waitFor({ timeout: 60_000 });
  await page.getByTestId('models-url-input').fill(server.folderUrl('tiny-llama'));
  await page.getByTestId('models-url-download').click();
  await page.getByTestId('model-row').filter({ hasText: 'tiny-llama' }).waitFor({ timeout: 60_000 });
  await page.goto(extensionUrl(ext, '/dashboard.html#examples'));
  await page
    .getByTestId('examples-import-file')
    .setInputFiles({
      name: 'examples.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(EXAMPLES_JSONL),
    });
  await page.getByTestId('import-confirm').click();
  await page.locator('[data-testid="examples-count"][data-total="20"]').waitFor({ timeout: 30_000 });
  await page.close();
}

interface Focus {
  testId: string | null;
  id: string;
  tag: string;
  /** The browser treats the focus as keyboard focus and draws a visible outline for it. */
  visible: boolean;
}

function focus(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { testId: null, id: '', tag: 'body', visible: false };
    const style = getComputedStyle(el);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    // A file input's label draws the ring (.file-button:focus-within); others draw their own.
    const ring = outlined || getComputedStyle(el.parentElement ?? el).outlineStyle !== 'none';
    return {
      testId: el.getAttribute('data-testid'),
      id: el.id,
      tag: el.tagName.toLowerCase(),
      visible: el.matches(':focus-visible') && ring,
    };
  });
}

/** Asserts the focused control is `testId` and that its focus is visible. */
async function expectFocus(page: Page, testId: string): Promise<void> {
  expect(await focus(page)).toEqual(expect.objectContaining({ testId, visible: true }));
}

/**
 * Presses Tab (or Shift+Tab) until `testId` has focus, at most `limit` times, and returns how many
 * presses it took: a control that can't be reached this way fails the test with the focus path.
 */
async function tabTo(
  page: Page,
  testId: string,
  limit = 25,
  key: 'Tab' | 'Shift+Tab' = 'Tab',
): Promise<number> {
  const path: string[] = [];
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(key);
    const now = await focus(page);
    path.push(now.testId ?? now.tag);
    if (now.testId === testId) {
      expect(now.visible, `focus on ${testId} is visible`).toBe(true);
      return presses;
    }
  }
  throw new Error(`${testId} not reached with ${key} in ${limit} presses; focus went ${path.join(' → ')}`);
}

/** The model's text of the answer being written ('' while "Thinking…" shows). */
async function streamed(page: Page): Promise<string> {
  const answer = page.getByTestId('chat-streaming-answer');
  if ((await answer.count()) === 0 || (await answer.locator('.chat-waiting').count()) > 0) return '';
  return (await answer.locator('.chat-text').textContent()) ?? '';
}

let adapterId = '';

test('chat with the keyboard: type, Enter sends, Tab to Stop and press it, Escape stops too; focus returns to the text box', async () => {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  await tabTo(page, 'chat-input');
  await page.keyboard.type(LONG_ANSWER_PROMPT); // runs to the token limit: time to reach Stop
  await page.keyboard.press('Enter');
  await chatBusy(page).waitFor();
  await expectFocus(page, 'chat-input'); // sending keeps the focus where the user types
  await expect.poll(async () => (await streamed(page)).length, { timeout: 120_000 }).toBeGreaterThan(5);
  expect(await tabTo(page, 'chat-stop', 1)).toBe(1); // Stop is the next stop after the text box
  await page.keyboard.press('Enter');
  await chatIdle(page).waitFor({ timeout: 60_000 });
  const stopped = page.getByTestId('chat-message-assistant').last();
  await expect.poll(() => stopped.locator('.chat-stopped').count()).toBe(1);
  await expect.poll(() => focus(page)).toEqual(expect.objectContaining({ testId: 'chat-input' })); // not lost with the Stop button

  // Escape stops from the text box as well, pressed at once: the shipped model's answers can be
  // short, and a Stop before the first token still saves an (empty) answer marked stopped.
  await page.keyboard.type('Tell me more.');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 60_000 }).toBe(2);
  await chatIdle(page).waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByTestId('chat-message-assistant').last().locator('.chat-stopped').count()).toBe(1);
  await expectFocus(page, 'chat-input');

  // Few-shot: Shift+Tab back to its checkbox, Space turns it on; the two captured examples that
  // mention "tiger" (and no other) are used for the next request. Then off again, the same way.
  // (Each answer's Copy / Good / Edit & save lie between the options and the text box.)
  await tabTo(page, 'chat-few-shot', 20, 'Shift+Tab');
  await page.keyboard.press('Space');
  await expect.poll(() => page.getByTestId('chat-few-shot').isChecked()).toBe(true);
  await tabTo(page, 'chat-input', 10);
  await page.keyboard.type('Repeat tiger');
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.getByTestId('chat-few-shot-count').textContent(), { timeout: 120_000 })
    .toBe(t('chat.fewShot.using', { count: 2 }));
  await page.keyboard.press('Escape');
  await expect.poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 60_000 }).toBe(3);
  await chatIdle(page).waitFor({ timeout: 60_000 });
  await tabTo(page, 'chat-few-shot', 20, 'Shift+Tab');
  await page.keyboard.press('Space');
  await expect.poll(() => page.getByTestId('chat-few-shot').isChecked()).toBe(false);

  await page.close();
});

test('training with the keyboard: arrows reach the Train tab, choose examples, method and steps, Space starts, progress is announced, Pause/Resume, focus lands on the result', async () => {
  // Setup: the tiny model becomes the active one (the training model).
  const models = await ext.context.newPage();
  await models.goto(extensionUrl(ext, '/dashboard.html#models'));
  const row = models.getByTestId('model-row').filter({ hasText: 'tiny-llama' });
  await row.getByTestId('model-set-active').click();
  await row.getByTestId('model-active-badge').waitFor();
  await models.close();

  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/dashboard.html#examples'));
  await page.getByTestId('examples-count').waitFor();
  // The tab list is one tab stop; arrows move between tabs and select them.
  await tabTo(page, 'dashboard-tab-examples');
  await page.keyboard.press('ArrowRight');
  await expectFocus(page, 'dashboard-tab-models');
  await page.keyboard.press('ArrowRight');
  await expectFocus(page, 'dashboard-tab-train');
  expect(await page.getByTestId('dashboard-tab-train').getAttribute('aria-selected')).toBe('true');
  await page.getByTestId('train-view').waitFor();
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('20');

  // Examples: the tag "even" (ArrowDown on a closed select changes its value).
  await tabTo(page, 'train-examples', 3);
  const examples = page.getByTestId('train-examples');
  const options = await examples
    .locator('option')
    .evaluateAll((els) => els.map((o) => (o as HTMLOptionElement).value));
  const presses = options.indexOf('even');
  expect(presses).toBeGreaterThan(0);
  for (let i = 0; i < presses; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => examples.inputValue()).toBe('even');
  await expect.poll(() => page.getByTestId('train-example-count').getAttribute('data-count')).toBe('10');

  // Method: down to the soft prompt and back up to LoRA.
  expect(await tabTo(page, 'train-method', 1)).toBe(1);
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => page.getByTestId('train-method').inputValue()).toBe('prompt-tuning');
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => page.getByTestId('train-method').inputValue()).toBe('lora');

  await tabTo(page, 'train-name', 1);
  await page.keyboard.type(ADAPTER_NAME);
  // Advanced is a <details>: Enter on its summary opens it; then few steps and a high rate.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.getByTestId('train-advanced').evaluate((d) => (d as HTMLDetailsElement).open))
    .toBe(true);
  await tabTo(page, 'train-setting-maxSteps', 1);
  await page.keyboard.type(String(STEPS));
  await tabTo(page, 'train-setting-lr', 2);
  await page.keyboard.type('0.05');

  await tabTo(page, 'train-start', 10);
  await page.keyboard.press('Space');
  const status = page.getByTestId('train-status');
  await status.waitFor({ timeout: 60_000 });
  // The Train button is disabled while the run is active: focus goes to the run's status line
  // (a polite live region, so the progress is announced), not to the page.
  await expect
    .poll(() => focus(page))
    .toEqual(expect.objectContaining({ id: 'train-status-line', visible: true }));
  const announcer = page.locator('#train-status-line');
  expect(await announcer.getAttribute('role')).toBe('status');
  expect(await announcer.getAttribute('aria-live')).toBe('polite');
  // While it runs, the announced text names the step the progress bar shows.
  const progressSeen = async () => {
    const { step, text } = await status.evaluate((panel) => ({
      step: Number(panel.querySelector('[data-testid="train-progress"]')?.getAttribute('data-step') ?? 0),
      text: panel.querySelector('[role="status"]')?.textContent ?? '',
    }));
    return step > 0 && text.includes(t('train.progress', { step, total: STEPS }));
  };
  await expect.poll(progressSeen, { timeout: 240_000 }).toBe(true);

  // Pause and Resume: Shift+Tab from the status line reaches the run controls; the button keeps
  // focus as it turns from Pause to Resume and back.
  await tabTo(page, 'train-pause', 3, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expect.poll(() => status.getAttribute('data-phase'), { timeout: 60_000 }).toBe('paused');
  await expect.poll(async () => (await announcer.textContent()) ?? '').toContain(t('train.phase.paused'));
  await expectFocus(page, 'train-resume');
  const pausedAt = Number(await page.getByTestId('train-progress').getAttribute('data-step'));
  expect(pausedAt).toBeLessThan(STEPS);
  await page.keyboard.press('Enter');
  await expect.poll(() => status.getAttribute('data-phase'), { timeout: 60_000 }).not.toBe('paused');
  await expectFocus(page, 'train-pause');

  await expect.poll(() => status.getAttribute('data-phase'), { timeout: 300_000 }).toBe('completed');
  await expect.poll(async () => (await announcer.textContent()) ?? '').toContain(t('train.phase.completed'));
  adapterId = (await status.getAttribute('data-adapter-id'))!;
  expect(adapterId).not.toBe('');
  expect(await page.getByTestId('train-progress').getAttribute('data-step')).toBe(String(STEPS));

  // The Pause button vanished with the run: focus lands on the result's heading, not the page.
  await expect
    .poll(() => focus(page))
    .toEqual(expect.objectContaining({ id: 'train-result-heading', visible: true }));
  expect(await page.locator('#train-result-heading').textContent()).toBe(t('train.result.heading'));
  expect(await page.getByTestId('train-compare-row').count()).toBeGreaterThan(0);
  // The finished run (progress, chart, result table) passes the same audit as a11y.test.ts.
  expect(await audit(page, 'train: completed run')).toEqual([]);
  await page.close();
});

test('chat with the keyboard: choose the trained adapter and compare mode, send; the base and the tuned answer arrive', async () => {
  expect(adapterId).not.toBe(''); // the training test ran first
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  await tabTo(page, 'chat-new', 40); // a fresh conversation for this exchange
  await page.keyboard.press('Enter');
  await expect.poll(() => page.getByTestId('chat-message-user').count()).toBe(0);

  await tabTo(page, 'chat-adapter', 40, 'Shift+Tab');
  const adapter = page.getByTestId('chat-adapter');
  const listed = await adapter
    .locator('option')
    .evaluateAll((els) => els.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent })));
  expect(listed).toContainEqual({ value: adapterId, text: ADAPTER_NAME });
  const index = listed.findIndex((o) => o.value === adapterId);
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await expect.poll(() => adapter.inputValue()).toBe(adapterId);

  await tabTo(page, 'chat-compare', 1);
  await page.keyboard.press('Space');
  await expect.poll(() => page.getByTestId('chat-compare').isChecked()).toBe(true);
  // Few-shot stays off: the tiny model's context has no room for demonstrations.
  expect(await page.getByTestId('chat-few-shot').isChecked()).toBe(false);

  await tabTo(page, 'chat-input', 10);
  await page.keyboard.type('Echo tiger');
  await page.keyboard.press('Enter');
  // Both answers are saved side by side, base first, the tuned one named after the adapter.
  const answers = page.getByTestId('chat-message-assistant');
  await expect.poll(() => answers.count(), { timeout: 240_000 }).toBe(2);
  await chatIdle(page).waitFor({ timeout: 30_000 });
  const headings = await answers.locator('.chat-who').allTextContents();
  // Both have text, and the adapter changed the answer (as in train.test.ts).
  const [baseText, tunedText] = await answers.locator('.chat-text').allTextContents();
  expect(baseText!.trim()).not.toBe('');
  expect(tunedText!.trim()).not.toBe('');
  expect(tunedText).not.toBe(baseText);
  expect(headings).toEqual([t('chat.base'), t('chat.tuned', { name: ADAPTER_NAME })]);
  // Two clear columns: side by side, the same width, tops aligned.
  const [baseBox, tunedBox] = await Promise.all([answers.nth(0).boundingBox(), answers.nth(1).boundingBox()]);
  expect(baseBox!.x + baseBox!.width).toBeLessThanOrEqual(tunedBox!.x);
  expect(baseBox!.y).toBe(tunedBox!.y);
  expect(Math.abs(baseBox!.width - tunedBox!.width)).toBeLessThan(1);
  await expectFocus(page, 'chat-input');
  expect(await audit(page, 'side panel: compare answers')).toEqual([]);

  // An answer's actions (here, after the training test: Good adds an example): Tab from the
  // options reaches the base answer's Copy, then Good; Enter saves it as an example and the focus
  // stays on Good (a second press would say it is already saved).
  await tabTo(page, 'chat-few-shot', 20, 'Shift+Tab');
  expect(await tabTo(page, 'chat-copy', 1)).toBe(1);
  expect(await tabTo(page, 'chat-good', 1)).toBe(1);
  await page.keyboard.press('Enter');
  const firstAnswer = page.getByTestId('chat-message-assistant').first();
  await expect.poll(() => firstAnswer.getByTestId('chat-feedback').textContent()).toBe(t('chat.good.saved'));
  await expectFocus(page, 'chat-good');
  // Edit & save opens the capture form with the focus inside it; Esc closes it and the focus
  // comes back to Edit & save.
  expect(await tabTo(page, 'chat-edit', 1)).toBe(1);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => document.activeElement?.localName)).toBe('attune-capture');
  await page.keyboard.press('Escape');
  await expect.poll(() => focus(page)).toEqual(expect.objectContaining({ testId: 'chat-edit' }));

  // Rename from the list: Enter opens the name field (text selected), typing replaces it, Enter
  // saves, and the focus returns to Rename.
  await tabTo(page, 'chat-conversation-rename', 30);
  await page.keyboard.press('Enter');
  await expect.poll(() => focus(page)).toEqual(expect.objectContaining({ testId: 'chat-rename-input' }));
  await page.keyboard.type('Echoes, compared');
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.locator('.chat-conversation-title').allTextContents())
    .toContain('Echoes, compared');
  await expect.poll(() => focus(page)).toEqual(expect.objectContaining({ testId: 'chat-conversation-rename' }));
  await page.close();
});
