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
import { Chat } from '../../../../src/ui/chat/Chat';
import { ChatController } from '../../../../src/ui/chat/controller';
import { toContext } from '../../../../src/ui/chat/page-context';
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
    readContext: async (s) => toContext(s, { text: 'page text', title: 'T' }),
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
