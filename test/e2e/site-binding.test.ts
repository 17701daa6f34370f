// An adapter bound to a site answers there by itself: in real Chromium with the built extension,
// the Adapters view binds an adapter to the fixture page's host (and refuses a bad pattern); the
// side panel, beside that page, picks it and says why; the person overrides it for the
// conversation, and the override is still there when the conversation is opened again.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import { startFixtureServer, type FixtureServer } from '../../tools/harness/fixture-server';
import { chatIdle } from './support/chat-state';

let ext: LaunchedExtension;
let fixtures: FixtureServer;
beforeAll(async () => {
  ext = await launchExtension();
  fixtures = await startFixtureServer();
});
afterAll(async () => {
  await ext?.close();
  await fixtures?.close();
});

test('the side panel picks the adapter bound to the page’s host, says why, and keeps an override for the conversation', async () => {
  const host = new URL(fixtures.origin).host; // 127.0.0.1:<port>

  // An adapter of the shipped model, stored as training would store it.
  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html#adapters'));
  await dashboard.evaluate(
    () =>
      new Promise<void>((done, fail) => {
        const open = indexedDB.open('attune');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('adapters', 'readwrite');
          tx.objectStore('adapters').put({
            id: 'e2e-work', name: 'work notes', method: 'lora', modelId: 'bundled', config: {},
            weights: new ArrayBuffer(0), createdAt: 1, updatedAt: 1,
          });
          tx.oncomplete = () => done();
          tx.onerror = () => fail(tx.error);
        };
      }),
  );
  await dashboard.reload();
  const row = dashboard.locator('[data-testid="adapter-row"][data-adapter-id="e2e-work"]');
  await row.getByTestId('adapter-bindings').click();
  const dialog = dashboard.getByTestId('bindings-dialog');
  await dialog.getByLabel('Add a site pattern').fill('ftp://nowhere.example');
  await dialog.getByLabel('Add a site pattern').press('Enter');
  await expect.poll(() => dialog.getByTestId('bindings-sites-error').textContent()).toContain('only http:// and https://');
  await dialog.getByLabel('Add a site pattern').fill(host);
  await dialog.getByLabel('Add a site pattern').press('Enter');
  await expect.poll(() => dialog.getByTestId('bindings-sites-entry').locator('code').allTextContents()).toEqual([host]);
  await dialog.getByTestId('bindings-close').click();
  await expect.poll(() => row.getByTestId('adapter-bindings-summary').textContent()).toBe(`Bound to ${host}`);
  await dashboard.close();

  // The panel, then the page it sits beside, active in the last focused window (as when the
  // person reads it); the panel is asked again as when it gains focus.
  const panel = await ext.context.newPage();
  await panel.goto(extensionUrl(ext, '/sidepanel.html'));
  await panel.getByTestId('chat').waitFor();
  const page = await ext.context.newPage();
  await page.goto(`${fixtures.origin}/foxes.html`);
  await page.bringToFront();
  await panel.evaluate(() => window.dispatchEvent(new Event('focus')));
  const reason = panel.getByTestId('chat-adapter-reason');
  await expect.poll(() => reason.textContent(), { timeout: 15_000 }).toBe(`LoRA “work notes”, bound to ${host}`);
  expect(await panel.getByTestId('chat-adapter').inputValue()).toBe('e2e-work');

  // Override: the base model answers this conversation, and says so.
  await panel.bringToFront();
  await panel.getByTestId('chat-adapter').selectOption('');
  await expect.poll(() => reason.textContent()).toBe('Base model, chosen for this conversation');
  await panel.getByLabel('Your message').fill('Say hello.');
  await panel.getByLabel('Your message').press('Enter');
  await expect.poll(() => panel.getByTestId('chat-message-assistant').count(), { timeout: 240_000 }).toBe(1);
  await chatIdle(panel).waitFor({ timeout: 30_000 });
  expect(await panel.getByTestId('chat-answer-meta').first().textContent()).toContain('no adapter');

  // Beside the bound page again, a reloaded panel reopens the conversation with its override.
  await panel.reload();
  await page.bringToFront();
  await panel.getByTestId('chat-conversation').first().getByRole('button').first().click();
  await expect.poll(() => reason.textContent()).toBe('Base model, chosen for this conversation');
  expect(await panel.getByTestId('chat-adapter').inputValue()).toBe('');
  // A new conversation beside the same page: the binding decides again.
  await panel.getByTestId('chat-new').click();
  await expect.poll(() => reason.textContent(), { timeout: 15_000 }).toBe(`LoRA “work notes”, bound to ${host}`);
  await page.close();
  await panel.close();
});
