// The side panel chat in real Chromium with the shipped model: open sidepanel.html directly,
// send a prompt, watch the answer stream in, press Stop, and find the conversation saved.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, type LaunchedExtension } from './harness';

let ext: LaunchedExtension;
beforeAll(async () => {
  ext = await launchExtension();
});
afterAll(async () => {
  await ext?.close();
});

test('a prompt streams an answer from the shipped model; Stop ends it and it is saved as stopped', async () => {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  await page.getByLabel('Your message').fill('Tell me about the history of the United States.');
  await page.getByLabel('Your message').press('Enter');

  const live = page.getByTestId('chat-streaming-answer').locator('.chat-text');
  // Streaming: the text grows while the answer is being written.
  await expect
    .poll(async () => ((await live.textContent()) ?? '').length, { timeout: 120_000 })
    .toBeGreaterThan(40);
  const early = (await live.textContent()) ?? '';
  await expect
    .poll(async () => ((await live.textContent()) ?? '').length, { timeout: 30_000 })
    .toBeGreaterThan(early.length);

  await page.getByTestId('chat-stop').click();
  await page.getByTestId('chat-send').waitFor({ timeout: 30_000 });
  const saved = page.getByTestId('chat-message-assistant').last();
  await expect.poll(() => saved.textContent()).toMatch(/\(stopped\)$/);
  // What streamed before Stop is kept (the saved answer holds at least the early text).
  const body = (await saved.locator('.chat-text').textContent()) ?? '';
  expect(body.replace(/\s*\(stopped\)$/, '').startsWith(early.slice(0, 20))).toBe(true);
  expect(await page.getByTestId('chat-conversation').count()).toBe(1);
  expect(await page.getByTestId('chat-conversation').textContent()).toContain('Tell me about the history');

  // Saved in IndexedDB: a reload shows the conversation again.
  await page.reload();
  await page.getByTestId('chat-conversation').first().getByRole('button').first().click();
  await expect
    .poll(() => page.getByTestId('chat-message-user').first().textContent())
    .toContain('Tell me about the history');
  await page.close();
});
