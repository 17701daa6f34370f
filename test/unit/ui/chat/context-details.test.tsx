// @vitest-environment jsdom
// The attached page context in the chat view: where it came from, a visible notice of what was
// cut, an expandable exact copy of what is sent, and the same copy under the sent message.
import 'fake-indexeddb/auto';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, expect, test } from 'vitest';
import '../../../../src/i18n/chat';
import { setLocale } from '../../../../src/i18n';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { Chat } from '../../../../src/ui/chat/Chat';
import { ChatController } from '../../../../src/ui/chat/controller';
import { toContext } from '../../../../src/ui/chat/page-context';
import { CONTEXT_RESERVE_TOKENS } from '../../../../src/ui/chat/context-fitter';
import { templateTokens } from '../../../../src/engine/host/context-fit';
import { fitRequests, shippedFitter, shippedTokenizer, tokensOf } from './shipped-fitter';
import { FakeEngine } from './fake-engine';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';

const PARAGRAPH = 'Each paragraph of this long page says a little more about tides and harbours and boats.';
const PAGE = Array.from({ length: 40 }, () => PARAGRAPH).join('\n\n');

let db: AttuneDb;
let container: HTMLElement;
let engine: FakeEngine;
let controller: ChatController;

beforeEach(async () => {
  setLocale('en');
  db = await openAttuneDb({ name: `context-details-${Math.random()}` });
  engine = new FakeEngine(() => 'an answer');
  controller = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (source) => toContext(source, { text: PAGE, title: 'Tides' }, shippedFitter, 'article'),
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

const byTestId = (id: string, root: ParentNode = container) =>
  root.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await act(() => new Promise((r) => setTimeout(r, 5)));
  expect(check()).toBe(true);
}

test('a long page: the notice says how many of its tokens are sent, and the sent view holds exactly that text', async () => {
  await act(() => byTestId('chat-context-page')!.click());
  await until(() => byTestId('chat-context-details') !== null);
  // The shipped model's 256 positions, less the answer and question room and the template frame.
  const budget = 256 - CONTEXT_RESERVE_TOKENS - templateTokens(shippedTokenizer);
  expect(fitRequests.at(-1)).toEqual({ text: PAGE, reserveTokens: CONTEXT_RESERVE_TOKENS });
  const paragraphs = (k: number) => Array.from({ length: k }, () => PARAGRAPH).join('\n\n');
  let kept = 0;
  while (tokensOf(paragraphs(kept + 1)) <= budget) kept++;
  expect(kept).toBeGreaterThan(0);
  const sent = paragraphs(kept);
  expect(byTestId('chat-context-from')!.textContent).toBe(
    'Main content only: menus, adverts and footers left out.',
  );
  const cut = byTestId('chat-context-cut')!;
  expect(cut.getAttribute('role')).toBe('status');
  expect(cut.textContent).toBe(
    `Kept ${tokensOf(sent).toLocaleString()} of ${tokensOf(PAGE).toLocaleString()} tokens of this page to fit the model: the first ${kept} of 40 paragraphs.`,
  );
  const view = byTestId('chat-context-sent')! as HTMLDetailsElement;
  expect(view.tagName).toBe('DETAILS');
  expect(view.open).toBe(false);
  expect(view.querySelector('summary')!.textContent).toBe('What will be sent to the model');
  expect(byTestId('chat-context-text')!.textContent).toBe(sent);

  // Sent: the model gets that text as the request's input, and the message keeps a copy to open.
  const input = byTestId('chat-input') as HTMLTextAreaElement;
  input.value = 'Summarise this page.';
  await act(() => {
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await act(() => byTestId('chat-send')!.click());
  await until(() => !controller.state.generating && (controller.state.current?.messages.length ?? 0) === 2);
  expect(engine.requests[0]!.messages!.at(-1)!.content).toBe(`Summarise this page.\n\n${sent}`);
  const message = byTestId('chat-message-user')!;
  expect(byTestId('chat-context-sent', message)!.querySelector('summary')!.textContent).toBe(
    'Sent to the model',
  );
  expect(byTestId('chat-context-text', message)!.textContent).toBe(sent);
  expect(byTestId('chat-context-details')).toBeNull(); // the context went with the message
});

test('an uncut selection has no cut notice and no "main content" line', async () => {
  controller = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (source) => toContext(source, { text: 'A short selection.', title: 'Tides' }, shippedFitter),
  });
  await act(() => render(<Chat controller={controller} />, container));
  await act(() => byTestId('chat-context-selection')!.click());
  await until(() => byTestId('chat-context-details') !== null);
  expect(byTestId('chat-context-cut')).toBeNull();
  expect(byTestId('chat-context-fits')!.textContent).toBe(
    `All ${tokensOf('A short selection.')} tokens fit the model’s context.`,
  );
  expect(byTestId('chat-context-from')).toBeNull();
  expect(byTestId('chat-context-text')!.textContent).toBe('A short selection.');
});

test('every page-context string has a Simplified Chinese translation with the same placeholders', async () => {
  const { pageContextCatalogue } = await import('../../../../src/i18n/page-context');
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, english] of Object.entries(pageContextCatalogue.en)) {
    const chinese = pageContextCatalogue.zh_CN[key];
    expect(chinese, key).toBeTypeOf('string');
    expect(placeholders(chinese!), key).toEqual(placeholders(english));
  }
});

test('while the page is read and fitted (the engine may be starting), the panel says so and the buttons wait', async () => {
  let finish: () => void = () => undefined;
  const fitted = new Promise<void>((resolve) => (finish = resolve));
  controller = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (source) => {
      await fitted;
      return toContext(source, { text: 'A short selection.', title: 'Tides' }, shippedFitter);
    },
  });
  await act(() => render(<Chat controller={controller} />, container));
  await act(() => byTestId('chat-context-selection')!.click());
  expect(byTestId('chat-context-reading')!.textContent!.trim()).toBe('Reading and fitting it to the model…');
  expect(byTestId('chat-context-reading')!.getAttribute('role')).toBe('status');
  expect((byTestId('chat-context-page') as HTMLButtonElement).disabled).toBe(true);
  finish();
  await until(() => byTestId('chat-context-details') !== null);
  expect(byTestId('chat-context-reading')).toBeNull();
  expect(byTestId('chat-context')!.textContent).toContain(`Selection attached (${tokensOf('A short selection.')} tokens)`);
});
