// The background's message door, wired to the real storage repositories on fake-indexeddb:
// foreign senders and malformed messages are refused and nothing reaches the database.
import 'fake-indexeddb/auto';
import { beforeEach, expect, test } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { Browser } from 'wxt/browser';
import { createHandlers } from '../../../src/background/handlers';
import type { CapturePorts } from '../../../src/background/ports';
import { createRouter, listen } from '../../../src/background/router';
import { createStoragePorts } from '../../../src/background/storage-ports';
import { MAX_FIELD_CHARS, MAX_SOURCE_TITLE_CHARS } from '../../../src/dataset/example';
import type { CaptureMode } from '../../../src/messaging/protocol';
import { openAttuneDb, type AttuneDb } from '../../../src/storage/db';
import { countExamples, listExamples } from '../../../src/storage/examples-repo';
import { updateSettings } from '../../../src/storage/settings-repo';

type Sender = Browser.runtime.MessageSender;

let db: AttuneDb;
let openedForms: { tabId: number; mode: CaptureMode }[];

const EXTENSION_ORIGIN = () => fakeBrowser.runtime.getURL('/');
const page = (url = 'https://news.example/story'): Sender => ({ id: fakeBrowser.runtime.id, url, tab: { id: 7 } as Browser.tabs.Tab });
const popup = (): Sender => ({ id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/popup.html') });
const stranger = (): Sender => ({ id: 'some-other-extension', url: 'https://evil.example/' });

const goodSave = {
  instruction: 'Summarise the following text.',
  input: 'A long paragraph about foxes.',
  output: 'Foxes are quick.',
  tags: ['Nature'],
  sourceUrl: 'https://claimed-by-the-page.example/',
  sourceTitle: 'Foxes',
};

beforeEach(async () => {
  fakeBrowser.reset();
  db = await openAttuneDb({ name: `router-${Math.random().toString(36).slice(2)}` });
  openedForms = [];
  const ports: CapturePorts = {
    ...createStoragePorts(async () => db),
    openCaptureForm: async (tabId, mode) => {
      openedForms.push({ tabId, mode });
      return true;
    },
    openDashboard: async () => undefined,
  };
  listen(
    fakeBrowser.runtime.onMessage,
    createRouter({ handlers: createHandlers(ports), extensionId: () => fakeBrowser.runtime.id, extensionOrigin: EXTENSION_ORIGIN }),
  );
});

/** Delivers a message like the browser does and resolves with the reply (undefined: no answer). */
function send(message: unknown, sender: Sender): Promise<unknown> {
  return new Promise((resolve) => {
    void fakeBrowser.runtime.onMessage.trigger(message, sender, resolve).then((results: unknown[]) => {
      if (!results.some((kept) => kept === true)) resolve(undefined);
    });
  });
}

test('a content script saves an example; the source URL comes from the browser, not the payload', async () => {
  const reply = await send({ kind: 'example.save', payload: goodSave }, page('https://news.example/story'));
  expect(reply).toMatchObject({ type: 'result', result: { status: 'saved' } });
  const [stored] = await listExamples(db);
  expect(stored).toMatchObject({ output: 'Foxes are quick.', tags: ['nature'], sourceUrl: 'https://news.example/story' });
});

test('the side panel marks an answer as from the chat; a content script cannot', async () => {
  const sidePanel: Sender = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/sidepanel.html') };
  const fromChat = { ...goodSave, sourceUrl: '', sourceTitle: '', origin: 'chat' };
  expect(await send({ kind: 'example.save', payload: fromChat }, sidePanel)).toMatchObject({ type: 'result' });
  expect(await send({ kind: 'example.save', payload: { ...fromChat, output: 'Other.' } }, page())).toMatchObject({
    type: 'result',
  });
  const stored = await listExamples(db);
  expect(stored.find((e) => e.output === 'Foxes are quick.')?.origin).toBe('chat');
  expect(stored.find((e) => e.output === 'Other.')?.origin).toBeUndefined();
});

test('saving the same example twice reports the first one as a duplicate', async () => {
  const first = (await send({ kind: 'example.save', payload: goodSave }, page())) as { result: { id: string } };
  const second = await send({ kind: 'example.save', payload: { ...goodSave, tags: [] } }, page());
  expect(second).toEqual({ type: 'result', result: { status: 'duplicate', id: first.result.id } });
  expect(await countExamples(db)).toBe(1);
});

test('a message from another extension or a web page is refused and stores nothing', async () => {
  const reply = await send({ kind: 'example.save', payload: goodSave }, stranger());
  expect(reply).toMatchObject({ type: 'error', error: { code: 'foreign-sender' } });
  const noId = await send({ kind: 'example.save', payload: goodSave }, { url: 'https://evil.example/' });
  expect(noId).toMatchObject({ type: 'error', error: { code: 'foreign-sender' } });
  expect(await countExamples(db)).toBe(0);
});

test.each([
  ['a missing field', { ...goodSave, output: undefined }],
  ['a wrong type', { ...goodSave, tags: 'nature' }],
  ['an extra field', { ...goodSave, createdAt: 0 }],
  ['a non-object payload', 'Foxes are quick.'],
  ['a nested object instead of text', { ...goodSave, output: { toString: 'x' } }],
])('a save with %s is refused as malformed and stores nothing', async (_label, payload) => {
  const reply = await send({ kind: 'example.save', payload }, page());
  expect(reply).toMatchObject({ type: 'error', error: { code: 'malformed' } });
  expect(await countExamples(db)).toBe(0);
});

test('an envelope with unknown keys is refused; an unknown kind is left for other listeners', async () => {
  expect(await send({ kind: 'examples.count', payload: {}, extra: 1 }, popup())).toMatchObject({
    type: 'error',
    error: { code: 'malformed' },
  });
  expect(await send({ kind: 'engine/train', payload: {} }, popup())).toBeUndefined();
  expect(await send('example.save', popup())).toBeUndefined();
});

test('an empty or whitespace-only output is refused with the problem named', async () => {
  const reply = await send({ kind: 'example.save', payload: { ...goodSave, output: '  \n ' } }, page());
  expect(reply).toMatchObject({ type: 'error', error: { code: 'invalid-example', problems: [{ field: 'output', code: 'required' }] } });
  expect(await countExamples(db)).toBe(0);
});

test('content over the 20,000-character cap is refused, never silently cut', async () => {
  const payload = { ...goodSave, input: 'x'.repeat(MAX_FIELD_CHARS + 1) };
  const reply = await send({ kind: 'example.save', payload }, page());
  expect(reply).toMatchObject({ type: 'error', error: { code: 'invalid-example', problems: [{ field: 'input', code: 'too-long' }] } });
  expect(await countExamples(db)).toBe(0);
});

test('an overlong page title is shortened to the metadata cap instead of losing the example', async () => {
  await send({ kind: 'example.save', payload: { ...goodSave, sourceTitle: 'T'.repeat(5_000) } }, page());
  const [stored] = await listExamples(db);
  expect(stored?.sourceTitle.length).toBe(MAX_SOURCE_TITLE_CHARS);
});

test('the example count and the chip setting are answered from storage', async () => {
  await send({ kind: 'example.save', payload: goodSave }, page());
  expect(await send({ kind: 'examples.count', payload: {} }, popup())).toEqual({ type: 'result', result: { count: 1 } });
  expect(await send({ kind: 'settings.capture', payload: {} }, page())).toEqual({
    type: 'result',
    result: { chipEnabled: true, locale: 'auto' },
  });
  await updateSettings(db, { chipEnabled: false, locale: 'zh_CN' });
  expect(await send({ kind: 'settings.capture', payload: {} }, page())).toEqual({
    type: 'result',
    result: { chipEnabled: false, locale: 'zh_CN' },
  });
});

test('user templates round-trip through the background; a blank name is refused', async () => {
  const saved = await send({ kind: 'templates.save', payload: { name: ' Haiku ', instruction: 'Write a haiku.', urlPattern: 'Poems.example' } }, page());
  expect(saved).toMatchObject({
    type: 'result',
    result: { template: { name: 'Haiku', instruction: 'Write a haiku.', urlPattern: 'poems.example' } },
  });
  const listed = await send({ kind: 'templates.list', payload: {} }, page());
  expect(listed).toMatchObject({ type: 'result', result: { templates: [{ name: 'Haiku', urlPattern: 'poems.example' }] } });
  expect(await send({ kind: 'templates.save', payload: { name: ' ', instruction: 'x', urlPattern: '' } }, page())).toMatchObject({
    type: 'error',
    error: { code: 'malformed' },
  });
});

test('only extension pages may open the capture form in a tab', async () => {
  const fromPage = await send({ kind: 'capture.start', payload: { tabId: 3, mode: 'output' } }, page());
  expect(fromPage).toMatchObject({ type: 'error', error: { code: 'not-allowed' } });
  expect(openedForms).toEqual([]);
  const fromPopup = await send({ kind: 'capture.start', payload: { tabId: 3, mode: 'output' } }, popup());
  expect(fromPopup).toEqual({ type: 'result', result: { opened: true } });
  expect(openedForms).toEqual([{ tabId: 3, mode: 'output' }]);
  expect(await send({ kind: 'capture.start', payload: { tabId: -1, mode: 'output' } }, popup())).toMatchObject({ type: 'error' });
  expect(await send({ kind: 'capture.start', payload: { tabId: 3, mode: 'everything' } }, popup())).toMatchObject({ type: 'error' });
});
