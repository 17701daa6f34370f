// Capture end to end in real Chromium: the chip on a served page, the closed-shadow-root form,
// the popup count, the dashboard list, the menu/command path, XSS payloads, hostile pages and the
// 20,000-character cap. Run `npm run build` first (npm run test:e2e does).
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import { CaptureUi, selectAll } from '../../tools/harness/capture-ui';
import { CHIP_DECISIONS_GLOBAL } from '../../src/capture/chip-decision-log';
import { startFixtureServer, type FixtureServer } from '../../tools/harness/fixture-server';

/** The slice of the extension API used inside evaluate() callbacks (they run in the browser). */
declare const chrome: {
  tabs: {
    query(query: { active: boolean; lastFocusedWindow: boolean }): Promise<{ id?: number }[]>;
    sendMessage(tabId: number, message: unknown): Promise<unknown>;
  };
  runtime: { sendMessage(message: unknown): Promise<unknown> };
};

let ext: LaunchedExtension;
let server: FixtureServer;
let origin: string;

beforeAll(async () => {
  server = await startFixtureServer();
  origin = server.origin;
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close();
  await server?.close();
});

async function openFixture(name: string): Promise<{ page: Page; ui: CaptureUi }> {
  const page = await ext.context.newPage();
  await page.goto(`${origin}/${name}`);
  await page.bringToFront();
  const ui = await CaptureUi.attach(page);
  await ui.contentScriptReady();
  return { page, ui };
}

/** Asks the background through an extension page, exactly as the popup does. */
async function countExamples(): Promise<number> {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/popup.html'));
  const counter = page.getByTestId('popup-count');
  await expect.poll(() => counter.getAttribute('data-count'), { timeout: 10_000 }).not.toBe('');
  const value = Number(await counter.getAttribute('data-count'));
  await page.close();
  return value;
}

/** Sends the message the context-menu and keyboard-command handlers send to the active tab. */
async function openFormLikeMenu(mode: 'input' | 'output', selectionText?: string): Promise<void> {
  await ext.serviceWorker.evaluate(
    async ({ mode: m, selectionText: s }) => {
      const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
      const payload = s === undefined ? { mode: m } : { mode: m, selectionText: s };
      await chrome.tabs.sendMessage(tab!.id!, { kind: 'capture.open', payload });
    },
    { mode, selectionText },
  );
}

test('chip → form → save: the popup count rises and the dashboard lists the example', async () => {
  const before = await countExamples();
  const { page, ui } = await openFixture('foxes.html');
  const selected = await selectAll(page, 'p-bold');
  await ui.click('capture-chip');
  await ui.waitFor('capture-form');
  expect(await ui.read('capture-output')).toBe(selected.trim());
  expect(await ui.read('capture-source-title')).toBe('How red foxes adapted to city life');
  expect(await ui.read('capture-source-url')).toBe(`${origin}/foxes.html`);
  await ui.fill('capture-instruction', 'Summarise the finding about city foxes in one sentence.');
  await ui.fill('capture-tags', 'foxes, e2e');
  await ui.click('capture-save');
  await expect.poll(() => ui.read('capture-status')).toBe(`Saved. You now have ${before + 1} examples.`);
  expect(await countExamples()).toBe(before + 1);

  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html'));
  const row = dashboard.getByTestId('example-row').filter({ hasText: 'city foxes in one sentence' });
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
  expect(await row.getByTestId('example-output').innerText()).toContain('less easily startled');
  await dashboard.close();
  await page.close();
});

test('saving the same selection again is reported as already saved', async () => {
  const { page, ui } = await openFixture('foxes.html');
  await selectAll(page, 'p-outro');
  await ui.click('capture-chip');
  await ui.click('capture-save');
  await expect.poll(() => ui.read('capture-status')).toMatch(/^Saved\./);
  await expect.poll(() => ui.findTestId('capture-form'), { timeout: 5_000 }).toBeNull(); // closes itself
  const count = await countExamples();
  await page.bringToFront();
  await selectAll(page, 'p-outro');
  await ui.click('capture-chip');
  await ui.click('capture-save');
  await expect.poll(() => ui.read('capture-error')).toBe('Already saved: an identical example exists.');
  expect(await countExamples()).toBe(count);
  await page.close();
});

test('the menu/command path opens the same form; an empty output is refused visibly', async () => {
  const { page, ui } = await openFixture('bread.html');
  const before = await countExamples();
  await page.bringToFront();
  await openFormLikeMenu('input', 'Stir the flour, salt and yeast together');
  await ui.waitFor('capture-form');
  expect(await ui.read('capture-input')).toBe('Stir the flour, salt and yeast together');
  expect(await ui.read('capture-output')).toBe('');
  const fieldBefore = await ui.box('capture-instruction');
  await ui.click('capture-save');
  await expect.poll(() => ui.read('capture-error')).toMatch(/output is empty/i);
  // The form grew by the error message; what was under the pointer stays where it was.
  expect(await ui.box('capture-instruction')).toEqual(fieldBefore);
  expect(await countExamples()).toBe(before);
  // Keyboard only: the focused output field takes typing, Escape closes, nothing is stored.
  await page.bringToFront();
  await ui.fill('capture-output', 'Mix the dry ingredients first.');
  await page.keyboard.press('Escape');
  await expect.poll(() => ui.findTestId('capture-form')).toBeNull();
  expect(await countExamples()).toBe(before);
  await page.close();
});

test('a page whose CSS hides or restyles injected elements cannot hide the chip or the form', async () => {
  for (const [name, id] of [
    ['rivers.html', 'p-detail'],
    ['bread.html', 'p-rise'],
  ] as const) {
    const { page, ui } = await openFixture(name);
    await selectAll(page, id);
    await ui.click('capture-chip'); // fails if the chip has no box (hidden by page CSS)
    await ui.click('capture-cancel');
    await expect.poll(() => ui.findTestId('capture-form')).toBeNull();
    await page.close();
  }
});

test('HTML and script payloads in the selection are shown and stored literally, never executed', async () => {
  const { page, ui } = await openFixture('hostile.html');
  const selected = await selectAll(page, 'p-img');
  expect(selected).toContain('<img src=x onerror=');
  await ui.click('capture-chip');
  expect(await ui.read('capture-output')).toBe(selected.trim());
  expect(await ui.read('capture-source-title')).toBe("<script>window.__attuneXss = 'title'</script> Security notes");
  await ui.fill('capture-input', "<script>window.__attuneXss = 'input'</script>");
  await ui.click('capture-save');
  await expect.poll(() => ui.read('capture-status')).toMatch(/^Saved\./);
  expect(await ui.find('img, script')).toBeNull();
  expect(await page.evaluate(() => (window as { __attuneXss?: unknown }).__attuneXss)).toBeUndefined();

  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html'));
  const row = dashboard.getByTestId('example-row').filter({ hasText: 'classic payload' });
  await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
  expect(await row.getByTestId('example-output').innerText()).toContain('<img src=x onerror="window.__attuneXss = \'img\'">');
  expect(await row.locator('img, script').count()).toBe(0);
  expect(await dashboard.evaluate(() => (window as { __attuneXss?: unknown }).__attuneXss)).toBeUndefined();
  await dashboard.close();
  await page.close();
});

test('a page cannot store anything or raise the chip through postMessage, runtime messaging, events or the shadow root', async () => {
  const before = await countExamples();
  const { page, ui } = await openFixture('hostile.html');
  const decided = (await ui.chipDecisions()).total;
  await selectAll(page, 'p-plain');
  expect(await ui.nextChipDecision(decided)).toBe('shown'); // the chip (and its shadow root) exist while the page attacks
  // Resolves once the page's own last window message has come back: every listener has had them all.
  const attempts = await page.evaluate(
    (id) => (window as unknown as { __attackExtension(id: string): Promise<string[]> }).__attackExtension(id),
    ext.extensionId,
  );
  console.info('[hostile page]', attempts.join(' | '));
  expect(attempts).toHaveLength(8);
  expect(attempts.find((line) => line.startsWith('shadowRoot'))).toBe('shadowRoot: no shadow root reachable');
  expect(attempts.find((line) => line.startsWith('runtime.sendMessage'))).not.toBe('runtime.sendMessage: sent');
  expect(attempts.find((line) => line.startsWith('runtime.connect'))).not.toBe('runtime.connect: sent');
  // The page's synthetic mouseup and keyup reached the content script, which refused both.
  expect(await ui.nextChipDecision(decided + 1)).toBe('untrusted');
  expect(await ui.nextChipDecision(decided + 2)).toBe('untrusted');
  // The content script's record of those decisions is in its own world, not the page's.
  expect(await page.evaluate((name) => name in window, CHIP_DECISIONS_GLOBAL)).toBe(false);
  // The person's own save from this page, made after the content script had handled everything
  // the page sent, is the only new example: a save the page had set off would have reached the
  // background first, and the count is read after this one is stored.
  await ui.click('capture-chip');
  await ui.fill('capture-instruction', 'What does a well-behaved tool do with these payloads?');
  await ui.click('capture-save');
  // The status appears once, with the count the background gave after storing this save.
  expect(await ui.read('capture-status')).toBe(`Saved. You now have ${before + 1} examples.`);
  expect(await countExamples()).toBe(before + 1);
  await page.close();
});

test('a selection over 20,000 characters is truncated with a visible notice', async () => {
  const { page, ui } = await openFixture('long-article.html');
  const selected = await selectAll(page, 'p-long');
  expect(selected.length).toBeGreaterThan(20_000);
  await ui.click('capture-chip');
  expect((await ui.read('capture-output')).length).toBe(20_000);
  const notice = await ui.read('capture-truncated');
  expect(notice).toContain('20,000');
  expect(notice).toContain(selected.trim().length.toLocaleString('en-US'));
  await page.close();
});

test('the popup shows a disabled capture button, with the reason, on pages extensions cannot use', async () => {
  const popup = await ext.context.newPage();
  await popup.goto(extensionUrl(ext, '/popup.html')); // its own active tab is an extension page
  await expect.poll(() => popup.getByTestId('popup-capture').isDisabled()).toBe(true);
  expect(await popup.getByTestId('popup-disabled-reason').innerText()).toMatch(/cannot be captured/);
  await popup.close();
});

test("the popup's capture request opens the same form in the page's tab", async () => {
  const { page, ui } = await openFixture('rivers.html');
  const selected = await selectAll(page, 'p-lead');
  const tabId = await ext.serviceWorker.evaluate(
    async () => (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0]!.id!,
  );
  const popup = await ext.context.newPage();
  await popup.goto(extensionUrl(ext, '/popup.html'));
  const reply = await popup.evaluate(
    (id) => chrome.runtime.sendMessage({ kind: 'capture.start', payload: { tabId: id, mode: 'output' } }),
    tabId,
  );
  expect(reply).toEqual({ type: 'result', result: { opened: true } });
  await popup.close();
  await page.bringToFront();
  expect(await ui.read('capture-output')).toBe(selected.trim());
  await ui.click('capture-cancel');
  await page.close();
});

test('turning the chip off in the dashboard settings stops the chip from appearing', async () => {
  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html'));
  await dashboard.getByTestId('dashboard-tab-settings').click();
  const toggle = dashboard.getByTestId('settings-chip');
  await expect.poll(() => toggle.isChecked(), { timeout: 10_000 }).toBe(true);
  await toggle.click();
  await expect.poll(() => toggle.isChecked()).toBe(false);

  const { page, ui } = await openFixture('foxes.html');
  const decided = (await ui.chipDecisions()).total;
  await selectAll(page, 'p-intro');
  // The content script decides after reading the setting; once it has, there is no chip.
  expect(await ui.nextChipDecision(decided)).toBe('chip-off');
  expect(await ui.findTestId('capture-chip')).toBeNull();
  // The form is still one shortcut away.
  await openFormLikeMenu('output');
  await ui.waitFor('capture-form');
  await page.keyboard.press('Escape');

  await dashboard.bringToFront();
  await toggle.click();
  await expect.poll(() => toggle.isChecked()).toBe(true);
  await dashboard.close();
  await page.close();
});
