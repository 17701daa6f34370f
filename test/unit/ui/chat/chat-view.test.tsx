// @vitest-environment jsdom
// The chat view driven from the keyboard: Enter sends, Shift+Enter does not, Esc stops; the
// streaming answer is in an aria-live region; controls are labelled.
import 'fake-indexeddb/auto';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import '../../../../src/i18n/chat';
import { setLocale } from '../../../../src/i18n';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { listConversations } from '../../../../src/storage/conversations-repo';
import { countExamples } from '../../../../src/storage/examples-repo';
import { Chat } from '../../../../src/ui/chat/Chat';
import { ChatController } from '../../../../src/ui/chat/controller';
import { toContext } from '../../../../src/ui/chat/page-context';
import { shippedFitter } from './shipped-fitter';
import { FakeEngine } from './fake-engine';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';

let db: AttuneDb;
let container: HTMLElement;
let engine: FakeEngine;
let controller: ChatController;

beforeEach(async () => {
  setLocale('en');
  db = await openAttuneDb({ name: `chat-view-${Math.random()}` });
  engine = new FakeEngine(() => 'streamed words arrive here');
  controller = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (s) => toContext(s, { text: 'page text', title: 'T' }, shippedFitter),
  });
  await controller.load();
  container = document.createElement('div');
  document.body.append(container);
  await act(() => render(<Chat controller={controller} />, container));
});

afterEach(() => {
  render(null, container);
  container.remove();
  db.close();
});

const byTestId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function type(text: string): Promise<HTMLTextAreaElement> {
  const input = byTestId('chat-input') as HTMLTextAreaElement;
  input.value = text;
  await act(() => {
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  return input;
}

async function key(target: EventTarget, init: KeyboardEventInit): Promise<void> {
  await act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await act(() => new Promise((r) => setTimeout(r, 5)));
  expect(check()).toBe(true);
}

test('the text box is labelled and the live answer region is aria-live', () => {
  const input = byTestId('chat-input')!;
  expect(container.querySelector(`label[for="${input.id}"]`)?.textContent).toBe('Your message');
  expect(byTestId('chat-live')!.getAttribute('aria-live')).toBe('polite');
  expect(byTestId('chat-adapter')!.closest('label')!.textContent).toMatch(/Answer with/);
});

test('Shift+Enter does not send; Enter sends and the answer appears', async () => {
  const input = await type('Hello');
  await key(input, { key: 'Enter', shiftKey: true });
  expect(engine.requests).toHaveLength(0);
  await key(input, { key: 'Enter' });
  await until(() => !controller.state.generating && (controller.state.current?.messages.length ?? 0) === 2);
  expect(engine.requests[0]!.messages!.at(-1)!.content).toBe('Hello');
  expect(input.value).toBe('');
  const answers = container.querySelectorAll('[data-testid="chat-message-assistant"]');
  expect(answers[answers.length - 1]!.textContent).toContain('streamed words arrive here');
});

test('Esc stops the answer being streamed; the partial text is kept as stopped', async () => {
  engine.holdStart();
  engine.hold();
  const input = await type('Long answer please');
  await key(input, { key: 'Enter' });
  // Before the first piece arrives, the answer says it is working.
  await until(() => /Thinking/.test(byTestId('chat-streaming-answer')?.textContent ?? ''));
  engine.start();
  await until(() => (byTestId('chat-streaming-answer')?.textContent ?? '').includes('streamed'));
  expect(byTestId('chat-streaming-answer')?.textContent).not.toMatch(/Thinking/);
  // Send and Stop keep their places; only which one is enabled changes.
  expect((byTestId('chat-stop') as HTMLButtonElement).disabled).toBe(false);
  expect((byTestId('chat-send') as HTMLButtonElement).disabled).toBe(true);
  expect(byTestId('chat')?.getAttribute('data-generating')).toBe('true');
  await key(document, { key: 'Escape' });
  await until(() => !controller.state.generating);
  expect((byTestId('chat-stop') as HTMLButtonElement).disabled).toBe(true);
  expect(byTestId('chat')?.getAttribute('data-generating')).toBe('false');
  const answer = container.querySelectorAll('[data-testid="chat-message-assistant"]');
  expect(answer[0]!.textContent).toMatch(/streamed\s*\(stopped\)/);
});

test('an adapter trained while the panel is open appears when the panel gets focus', async () => {
  const options = () =>
    [...container.querySelectorAll('[data-testid="chat-adapter"] option')].map((o) => o.textContent);
  expect(options()).toEqual(['Base model (no adapter)']);
  await saveAdapter(db, {
    id: 'new',
    name: 'Fresh adapter',
    method: 'lora',
    modelId: 'bundled',
    config: {},
    weights: new ArrayBuffer(0),
    createdAt: 1,
    updatedAt: 1,
  });
  await act(() => {
    window.dispatchEvent(new Event('focus'));
  });
  await until(() => options().length === 2);
  expect(options()[1]).toBe('Fresh adapter');
});

test('a click on Stop just after the answer ended sends nothing, and focus goes back to the text box', async () => {
  engine.hold();
  const input = await type('First question');
  await key(input, { key: 'Enter' });
  await until(() => (byTestId('chat-streaming-answer')?.textContent ?? '').includes('streamed'));
  // The person types the next question while the answer is written, then reaches for Stop.
  await type('Second question, not finished');
  const stop = byTestId('chat-stop') as HTMLButtonElement;
  stop.focus();
  engine.release();
  await until(() => !controller.state.generating);
  // Stop is still where it was, now disabled: the click the person aimed at it does nothing.
  expect(byTestId('chat-stop')).toBe(stop);
  expect(stop.disabled).toBe(true);
  await act(() => {
    stop.click();
  });
  const users = container.querySelectorAll('[data-testid="chat-message-user"]');
  expect(users).toHaveLength(1);
  expect((byTestId('chat-input') as HTMLTextAreaElement).value).toBe('Second question, not finished');
  expect(document.activeElement).toBe(byTestId('chat-input'));
});

async function askAndWait(text: string): Promise<void> {
  const input = await type(text);
  await key(input, { key: 'Enter' });
  await until(() => !controller.state.generating && (controller.state.current?.messages.length ?? 0) % 2 === 0);
}

async function click(element: HTMLElement): Promise<void> {
  await act(() => {
    element.click();
  });
}

test('under an answer: which model and adapter answered, its tokens/s, and Copy, Good, Edit & save', async () => {
  await askAndWait('Hello');
  const answer = byTestId('chat-message-assistant')!;
  expect(answer.querySelector('[data-testid="chat-answer-meta"]')!.textContent).toMatch(
    /^Attune default model · no adapter · \d+\.\d tokens\/s$/,
  );
  const actions = answer.querySelector('[role="group"]')!;
  expect(actions.getAttribute('aria-label')).toBe('Answer actions');
  expect([...actions.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Copy', 'Good', 'Edit & save']);

  const copied: string[] = [];
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (text: string) => void copied.push(text) },
  });
  await click(answer.querySelector<HTMLElement>('[data-testid="chat-copy"]')!);
  await until(() => byTestId('chat-feedback')!.textContent === 'Copied.');
  expect(copied).toEqual(['streamed words arrive here']);

  await click(answer.querySelector<HTMLElement>('[data-testid="chat-good"]')!);
  await until(() => byTestId('chat-feedback')!.textContent === 'Saved as an example.');
  await click(answer.querySelector<HTMLElement>('[data-testid="chat-good"]')!);
  await until(() => byTestId('chat-feedback')!.textContent === 'Already among your examples.');
  expect(await countExamples(db)).toBe(1);
});

test('the conversation list: search filters it, a rename is typed in place (Enter saves, Esc cancels)', async () => {
  await askAndWait('Foxes in the city');
  await click(byTestId('chat-new')!);
  await askAndWait('Weather tomorrow');
  const titles = () =>
    [...container.querySelectorAll('[data-testid="chat-conversation"] .chat-conversation-title')].map((e) => e.textContent);
  expect(titles()).toEqual(['Weather tomorrow', 'Foxes in the city']);

  const search = byTestId('chat-search') as HTMLInputElement;
  expect(search.closest('label')!.textContent).toBe('Search conversations');
  search.value = 'fox';
  await act(() => {
    search.dispatchEvent(new Event('input', { bubbles: true }));
  });
  expect(titles()).toEqual(['Foxes in the city']);
  search.value = 'nothing like this';
  await act(() => {
    search.dispatchEvent(new Event('input', { bubbles: true }));
  });
  expect(titles()).toEqual([]);
  expect(byTestId('chat-search-empty')!.textContent).toBe('No conversation matches “nothing like this”.');
  search.value = '';
  await act(() => {
    search.dispatchEvent(new Event('input', { bubbles: true }));
  });

  const renameButton = byTestId('chat-conversation-rename')!;
  expect(renameButton.getAttribute('aria-label')).toBe('Rename: Weather tomorrow');
  await click(renameButton);
  const field = byTestId('chat-rename-input') as HTMLInputElement;
  expect(document.activeElement).toBe(field);
  await key(field, { key: 'Escape' });
  expect(byTestId('chat-rename-input')).toBeNull();
  expect(document.activeElement).toBe(byTestId('chat-conversation-rename'));

  await click(byTestId('chat-conversation-rename')!);
  const again = byTestId('chat-rename-input') as HTMLInputElement;
  again.value = 'Forecast';
  await act(() => {
    again.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await act(() => {
    again.form!.requestSubmit();
  });
  await until(() => titles()[0] === 'Forecast');
  expect(document.activeElement).toBe(byTestId('chat-conversation-rename'));
  expect((await listConversations(db)).map((c) => c.title)).toEqual(['Forecast', 'Foxes in the city']);
});

test('answers are Markdown: formatting rendered, the model’s HTML shown as text', async () => {
  engine = new FakeEngine(() => 'Use **bold** and <b>tags</b>');
  controller = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (s) => toContext(s, { text: 'page text', title: 'T' }, shippedFitter),
  });
  await controller.load();
  await act(() => render(<Chat controller={controller} />, container));
  await askAndWait('Format something');
  const text = byTestId('chat-message-assistant')!.querySelector('.chat-text')!;
  expect(text.querySelector('strong')?.textContent).toBe('bold');
  expect(text.querySelector('b')).toBeNull();
  expect(text.textContent).toContain('<b>tags</b>');
});
