// The side panel chat in real Chromium with the shipped model: open sidepanel.html directly,
// send a prompt, watch the answer stream in, press Stop, and find the conversation saved.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { extensionUrl, launchExtension, type LaunchedExtension } from '../../tools/harness/browser';
import type { Page } from 'playwright-core';
import { CaptureUi } from '../../tools/harness/capture-ui';
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
  await expect.poll(() => saved.locator('.chat-stopped').textContent()).toBe('(stopped)');
  // What streamed before Stop is kept (the saved answer holds at least the early text).
  const body = (await saved.locator('.chat-text').textContent()) ?? '';
  expect(body.startsWith(early.slice(0, 20))).toBe(true);
  // Under the answer: the model that wrote it and no adapter (a stopped answer has no speed: the
  // engine never reported how many tokens it wrote).
  expect(await saved.getByTestId('chat-answer-meta').textContent()).toBe('Attune default model · no adapter');
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

/** Reads the store `name` of Attune's IndexedDB from an extension page. */
function readStore<T>(page: Page, name: string): Promise<T[]> {
  return page.evaluate(
    (store) =>
      new Promise<T[]>((done, fail) => {
        const open = indexedDB.open('attune');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => done(request.result as T[]);
          request.onerror = () => fail(request.error);
        };
      }),
    name,
  );
}

/** Sends `prompt` in a new conversation and waits until the whole answer is saved. */
async function ask(page: Page, prompt: string): Promise<void> {
  await page.getByTestId('chat-new').click();
  await page.getByLabel('Your message').fill(prompt);
  await page.getByLabel('Your message').press('Enter');
  // The answer is listed once it is saved, which is when it ends.
  await expect.poll(() => page.getByTestId('chat-message-assistant').count(), { timeout: 240_000 }).toBe(1);
  await chatIdle(page).waitFor({ timeout: 30_000 });
}

test('the side panel is styled: themed buttons and cards, a list without bullets, the dashboard’s tokens, light and dark', async () => {
  // What Chromium draws with no stylesheet, read from a blank page of the same browser.
  const blank = await ext.context.newPage();
  await blank.setContent('<button>b</button><ul><li>i</li></ul>');
  const defaults = await blank.evaluate(() => {
    const button = getComputedStyle(document.querySelector('button')!);
    const list = getComputedStyle(document.querySelector('ul')!);
    return { background: button.backgroundColor, border: button.borderTopStyle, radius: button.borderTopLeftRadius, bullets: list.listStyleType, indent: list.paddingLeft };
  });
  await blank.close();

  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat-conversation').first().waitFor(); // saved by the first test
  const styled = await page.evaluate(() => {
    const buttons = [...document.querySelectorAll('button')].map((b) => {
      const style = getComputedStyle(b);
      return { text: b.textContent, background: style.backgroundColor, border: style.borderTopStyle, radius: style.borderTopLeftRadius };
    });
    const list = getComputedStyle(document.querySelector('[data-testid="chat-conversation-list"]')!);
    const item = getComputedStyle(document.querySelector('[data-testid="chat-conversation"]')!);
    const root = getComputedStyle(document.documentElement);
    return {
      buttons,
      bullets: list.listStyleType,
      indent: list.paddingLeft,
      itemBorder: item.borderTopStyle,
      accent: root.getPropertyValue('--accent').trim(),
      panel: root.getPropertyValue('--panel').trim(),
      body: getComputedStyle(document.body).backgroundColor,
    };
  });
  expect(styled.buttons.length).toBeGreaterThan(5);
  for (const button of styled.buttons) {
    expect(button.border, `${button.text}: border`).not.toBe('outset');
    expect(button.radius, `${button.text}: corners`).not.toBe(defaults.radius);
  }
  expect(styled.buttons.some((b) => b.background !== defaults.background)).toBe(true);
  expect(defaults.bullets).toBe('disc');
  expect(styled.bullets).toBe('none');
  expect(styled.indent).not.toBe(defaults.indent);
  expect(styled.itemBorder).toBe('solid'); // each conversation is a card
  // The same tokens as the dashboard: one stylesheet source.
  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html'));
  await dashboard.getByTestId('dashboard-tab-examples').waitFor();
  const dashboardTokens = await dashboard.evaluate(() => {
    const root = getComputedStyle(document.documentElement);
    return { accent: root.getPropertyValue('--accent').trim(), panel: root.getPropertyValue('--panel').trim() };
  });
  await dashboard.close();
  expect(styled.accent).not.toBe('');
  expect({ accent: styled.accent, panel: styled.panel }).toEqual(dashboardTokens);
  // Dark: the tokens follow the system colour scheme.
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
  }));
  expect(dark.body).not.toBe(styled.body);
  expect(dark.accent).not.toBe(styled.accent);
  await page.close();
});

test('Good saves the question and answer as an example from the chat; Edit & save stores the corrected answer', async () => {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  await ask(page, LONG_ANSWER_PROMPT);
  const answer = page.getByTestId('chat-message-assistant').last();
  // A finished answer says how fast it was written.
  expect(await answer.getByTestId('chat-answer-meta').textContent()).toMatch(
    /^Attune default model · no adapter · \d+\.\d tokens\/s$/,
  );
  await answer.getByTestId('chat-good').click();
  await expect.poll(() => answer.getByTestId('chat-feedback').textContent(), { timeout: 30_000 }).toBe('Saved as an example.');
  const conversations = await readStore<{ messages: { role: string; content: string }[]; updatedAt: number }>(page, 'conversations');
  const latest = conversations.sort((a, b) => b.updatedAt - a.updatedAt)[0]!;
  const answerText = latest.messages.at(-1)!.content; // the Markdown source, as saved

  // Edit & save: the capture form opens with the question and the answer; the output is corrected.
  await answer.getByTestId('chat-edit').click();
  const ui = await CaptureUi.attach(page);
  await ui.waitFor('capture-form');
  expect(await ui.read('capture-instruction')).toBe(LONG_ANSWER_PROMPT);
  expect(await ui.read('capture-output')).toBe(answerText);
  await ui.fill('capture-output', 'The ocean covers most of the Earth.');
  await ui.click('capture-save');
  await ui.waitFor('capture-status');

  // Both are in the dashboard's Examples, marked as from the chat.
  const dashboard = await ext.context.newPage();
  await dashboard.goto(extensionUrl(ext, '/dashboard.html#examples'));
  const rows = dashboard.getByTestId('example-row').filter({ hasText: LONG_ANSWER_PROMPT });
  await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
  const outputs = await rows.getByTestId('example-output').allTextContents();
  expect(outputs.sort()).toEqual([answerText.trim(), 'The ocean covers most of the Earth.'].sort());
  expect(await rows.locator('[data-testid="example-source"][data-origin="chat"]').count()).toBe(2);
  expect(await rows.getByTestId('example-source').first().textContent()).toBe('From the assistant chat');
  await dashboard.close();
  await page.close();
});

test('conversations: search narrows the list, rename is kept, delete asks first', async () => {
  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat-conversation').first().waitFor();
  const titles = () => page.locator('[data-testid="chat-conversation"] .chat-conversation-title').allTextContents();
  const before = await titles();
  expect(before.length).toBeGreaterThan(1);
  await page.getByTestId('chat-search').fill('antonym visible');
  await expect.poll(titles).toEqual(['Give an antonym of: visible']);
  await page.getByTestId('chat-search').fill('');
  await expect.poll(titles).toEqual(before);

  const item = page.getByTestId('chat-conversation').filter({ hasText: 'Give an antonym of: visible' });
  await item.getByTestId('chat-conversation-rename').click();
  await page.getByTestId('chat-rename-input').fill('Antonyms');
  await page.getByTestId('chat-rename-input').press('Enter');
  await expect.poll(titles).toContain('Antonyms');
  await page.reload();
  await expect.poll(titles).toContain('Antonyms');

  // Delete: the confirmation names the conversation; dismissing it keeps it.
  const renamed = page.getByTestId('chat-conversation').filter({ hasText: 'Antonyms' });
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toBe('Delete “Antonyms”? This cannot be undone.');
    void dialog.dismiss();
  });
  await renamed.getByTestId('chat-conversation-delete').click();
  expect(await titles()).toContain('Antonyms');
  page.once('dialog', (dialog) => void dialog.accept());
  await renamed.getByTestId('chat-conversation-delete').click();
  await expect.poll(titles).not.toContain('Antonyms');
  expect((await titles()).length).toBe(before.length - 1);
  await page.close();
});

test('the offscreen engine fits page context in the shipped model’s tokens, as the Node tokenizer counts them', async () => {
  const { readFileSync } = await import('node:fs');
  const { parseConfig } = await import('../../src/model/config');
  const { loadTokenizer } = await import('../../src/model/tokenizer');
  const files = new Map(
    ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map((name) => [name, new Uint8Array(readFileSync(`public/model/${name}`))]),
  );
  const tokenizer = loadTokenizer(files, parseConfig(new TextDecoder().decode(files.get('config.json'))));
  const count = (text: string) => tokenizer.encode(text, { addSpecialTokens: false }).length;
  const paragraphs = Array.from({ length: 20 }, (_, i) => `Paragraph ${i + 1} tells part of a long story about the harbour and the boats that used it.`);
  const text = paragraphs.join('\n\n');

  const page = await ext.context.newPage();
  await page.goto(extensionUrl(ext, '/sidepanel.html'));
  await page.getByTestId('chat').waitFor();
  // The side panel's own path to the engine: make sure it runs, then ask on its Port.
  const fitted = await page.evaluate(
    async ({ text, reserveTokens }) => {
      interface PortLike {
        onMessage: { addListener(listener: (event: { type: string; id?: string; result?: unknown; error?: unknown }) => void): void };
        postMessage(message: unknown): void;
      }
      const runtime = (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown>; connect(o: { name: string }): PortLike } } }).chrome.runtime;
      await runtime.sendMessage({ kind: 'engine.ensure', payload: {} });
      const port = runtime.connect({ name: 'attune-engine' });
      return new Promise<Record<string, unknown>>((done, fail) => {
        port.onMessage.addListener((event) => {
          if (event.id !== 'fit-1') return;
          if (event.type === 'result') done(event.result as Record<string, unknown>);
          else if (event.type === 'error') fail(new Error(JSON.stringify(event.error)));
        });
        port.postMessage({ kind: 'context.fit', id: 'fit-1', payload: { text, reserveTokens } });
      });
    },
    { text, reserveTokens: 176 },
  );
  await page.close();
  // 256 positions − 176 reserved − the template's frame around one user turn.
  const frame = count(tokenizer.applyChatTemplate([{ role: 'user', content: '' }], { addGenerationPrompt: true }));
  expect(fitted.budgetTokens).toBe(256 - 176 - frame);
  expect(fitted.totalTokens).toBe(count(text));
  expect(fitted.cut).toBe('paragraph');
  const kept = fitted.keptParagraphs as number;
  expect(fitted.text).toBe(paragraphs.slice(0, kept).join('\n\n'));
  expect(fitted.keptTokens).toBe(count(fitted.text as string));
  expect(fitted.keptTokens as number).toBeLessThanOrEqual(fitted.budgetTokens as number);
  expect(count(paragraphs.slice(0, kept + 1).join('\n\n'))).toBeGreaterThan(fitted.budgetTokens as number);
});
