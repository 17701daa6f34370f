// Screenshots of every state of the side panel for the demo report: empty, an answer being
// written, a finished answer (Markdown, who answered, tokens/s, Copy / Good / Edit & save), Good
// pressed, the Edit & save form, compare mode's two columns, the conversation list searched and a
// rename in progress, the dark colour scheme and Simplified Chinese.
import type { Page } from 'playwright-core';
import { CaptureUi } from '../harness/capture-ui';

export interface SidePanelShot {
  file: string;
  caption: string;
}

export interface SidePanelStatesOptions {
  /** Takes one screenshot of the page into the report folder. */
  shot(page: Page, file: string): Promise<void>;
  prompt: string;
  /** A trained adapter for compare mode; without one the compare screenshot is left out. */
  adapterId?: string;
}

const idle = '[data-testid="chat"][data-generating="false"]';
const busy = '[data-testid="chat"][data-generating="true"]';

async function ask(page: Page, prompt: string, answers: number): Promise<void> {
  await page.getByTestId('chat-input').fill(prompt);
  await page.getByTestId('chat-input').press('Enter');
  await page.locator(busy).waitFor();
  await page.getByTestId('chat-message-assistant').nth(answers - 1).waitFor({ timeout: 10 * 60_000 });
  await page.locator(idle).waitFor({ timeout: 60_000 });
}

/** Drives the panel (already open at sidepanel.html) through its states, one screenshot each. */
export async function captureSidePanelStates(page: Page, options: SidePanelStatesOptions): Promise<SidePanelShot[]> {
  const shots: SidePanelShot[] = [];
  const take = async (file: string, caption: string) => {
    await options.shot(page, file);
    shots.push({ file, caption });
  };
  await page.getByTestId('chat-adapter').selectOption('');
  await page.getByTestId('chat-new').click();
  await page.getByTestId('chat-message-assistant').first().waitFor({ state: 'detached' });
  await take('sidepanel-empty.png', 'A new conversation');

  await page.getByTestId('chat-input').fill(options.prompt);
  await page.getByTestId('chat-input').press('Enter');
  await page.getByTestId('chat-streaming-answer').locator('.chat-markdown').waitFor({ timeout: 10 * 60_000 });
  await take('sidepanel-streaming.png', 'An answer being written (Stop enabled, the text streams into a live region)');
  await page.getByTestId('chat-message-assistant').first().waitFor({ timeout: 10 * 60_000 });
  await page.locator(idle).waitFor({ timeout: 60_000 });
  await take('sidepanel-answer.png', 'A finished answer: Markdown, the model and adapter that answered, tokens/s, Copy / Good / Edit & save');

  const answer = page.getByTestId('chat-message-assistant').last();
  await answer.getByTestId('chat-good').click();
  await answer.getByTestId('chat-feedback').filter({ hasText: /\S/ }).waitFor();
  await take('sidepanel-good.png', 'Good: the question and answer saved as an example (source: chat)');

  await answer.getByTestId('chat-edit').click();
  const ui = await CaptureUi.attach(page);
  await ui.waitFor('capture-form');
  await take('sidepanel-edit.png', 'Edit & save: the capture form prefilled with the question and the answer');
  await ui.click('capture-cancel');

  if (options.adapterId) {
    await page.getByTestId('chat-adapter').selectOption(options.adapterId);
    await page.getByTestId('chat-compare').check();
    await page.getByTestId('chat-new').click();
    await ask(page, options.prompt, 2);
    await take('sidepanel-compare.png', 'Compare mode: the base model and the adapter in two columns');
    await page.getByTestId('chat-compare').uncheck();
  }

  await page.getByTestId('chat-search').fill(options.prompt.split(' ')[0]!);
  await take('sidepanel-search.png', 'Conversations searched');
  await page.getByTestId('chat-search').fill('');
  await page.getByTestId('chat-conversation-rename').first().click();
  await page.getByTestId('chat-rename-input').fill('Council notes');
  await take('sidepanel-rename.png', 'A conversation being renamed (Enter saves, Esc cancels)');
  await page.getByTestId('chat-rename-input').press('Escape');

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.emulateMedia({ colorScheme: 'dark' });
  await take('sidepanel-dark.png', 'Dark colour scheme (the same tokens as the dashboard)');
  await page.emulateMedia({ colorScheme: 'light' });
  return shots;
}
