// The side panel chat in real Chromium with the shipped model: open sidepanel.html directly,
// send a prompt, watch the answer stream in, press Stop, and find the conversation saved.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import { chatIdle } from './support/chat-state';
import { LONG_ANSWER_PROMPT } from '../fixtures/default-model/prompts';

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
  await page.getByLabel('Your message').fill(LONG_ANSWER_PROMPT); // runs to the token limit
  await page.getByLabel('Your message').press('Enter');

  const answer = page.getByTestId('chat-streaming-answer');
  // The model's text so far ('' while the "Thinking…" placeholder shows).
  const streamed = async () =>
    (await answer.locator('.chat-waiting').count()) > 0
      ? ''
      : ((await answer.locator('.chat-text').textContent()) ?? '');
  // Streaming: the text grows while the answer is being written.
  await expect.poll(async () => (await streamed()).length, { timeout: 120_000 }).toBeGreaterThan(20);
  const early = await streamed();
  await expect.poll(async () => (await streamed()).length, { timeout: 30_000 }).toBeGreaterThan(early.length);

  await page.getByTestId('chat-stop').click();
  await chatIdle(page).waitFor({ timeout: 30_000 });
  const saved = page.getByTestId('chat-message-assistant').last();
  await expect.poll(() => saved.textContent()).toMatch(/\(stopped\)$/);
  // What streamed before Stop is kept (the saved answer holds at least the early text).
  const body = (await saved.locator('.chat-text').textContent()) ?? '';
  expect(body.replace(/\s*\(stopped\)$/, '').startsWith(early.slice(0, 20))).toBe(true);
  expect(await page.getByTestId('chat-conversation').count()).toBe(1);
  expect(await page.getByTestId('chat-conversation').textContent()).toContain(LONG_ANSWER_PROMPT);

  // Saved in IndexedDB: a reload shows the conversation again.
  await page.reload();
  await page.getByTestId('chat-conversation').first().getByRole('button').first().click();
  await expect
    .poll(() => page.getByTestId('chat-message-user').first().textContent())
    .toContain(LONG_ANSWER_PROMPT);
  await page.close();
});

test('few-shot uses the captured examples most like the request', async () => {
  // Three examples through the dashboard's import, two of them about antonyms.
  const jsonl = [
    { instruction: 'Give an antonym of: hot', output: 'cold' },
    { instruction: 'Give an antonym of: tall', output: 'short' },
    { instruction: 'Summarise the news', output: 'Nothing happened.' },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n');
  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html#examples'));
  await dashboard
    .getByTestId('examples-import-file')
    .setInputFiles({ name: 'e.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(jsonl) });
  await dashboard.getByTestId('import-confirm').click();
  await expect
    .poll(() => dashboard.getByTestId('examples-count').getAttribute('data-total'), { timeout: 30_000 })
    .toBe('3');
  await dashboard.close();

  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat-new').click();
  await page.getByTestId('chat-few-shot').check();
  await page.getByLabel('Your message').fill('Give an antonym of: visible');
  await page.getByTestId('chat-send').click();
  await expect
    .poll(() => page.getByTestId('chat-few-shot-count').textContent(), { timeout: 60_000 })
    .toBe('Using 2 of your examples');
  await page.keyboard.press('Escape'); // stops the answer if it is still being written
  await expect.poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 30_000 }).toBe(1);
  await chatIdle(page).waitFor({ timeout: 30_000 });
  await page.close();
});
