// Chat state logic on real storage (fake-indexeddb) and a fake engine that streams like the real one.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { EngineRequestError } from '../../../../src/engine/client/engine-client';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { getSettings } from '../../../../src/storage/settings-repo';
import { addExample } from '../../../../src/storage/examples-repo';
import { getConversation, listConversations } from '../../../../src/storage/conversations-repo';
import { exampleMessages } from '../../../../src/tuning/train/data';
import { ChatController, FEW_SHOT_K } from '../../../../src/ui/chat/controller';
import { modelMessages, userTurn } from '../../../../src/ui/chat/messages';
import { toContext, EmptySelectionError } from '../../../../src/ui/chat/page-context';
import { shippedFitter, shippedTokenizer, tokensOf } from './shipped-fitter';
import { CONTEXT_RESERVE_TOKENS } from '../../../../src/ui/chat/context-fitter';
import { templateTokens } from '../../../../src/engine/host/context-fit';
import { FakeEngine } from './fake-engine';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';

let db: AttuneDb;
let engine: FakeEngine;
let controller: ChatController;

beforeEach(async () => {
  db = await openAttuneDb({ name: `chat-${Math.random()}` });
  await saveAdapter(db, {
    id: 'ad1',
    name: 'My style',
    method: 'lora',
    modelId: 'bundled',
    config: {},
    weights: new ArrayBuffer(0),
    createdAt: 1,
    updatedAt: 1,
  });
  engine = new FakeEngine((p) =>
    p.adapterId === null ? 'plain base answer' : `tuned answer from ${p.adapterId}`,
  );
  controller = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (source) =>
      toContext(source, { text: 'The page says hello.', title: 'Greeting page' }, shippedFitter),
  });
  await controller.load();
});

afterEach(() => db.close());

test('the chat user turn is written exactly as training writes it', () => {
  for (const example of [
    { instruction: ' Summarise ', input: ' long text ', output: 'x' },
    { instruction: 'Hi', output: 'x' },
    { instruction: 'A', input: '  ', output: 'x' },
  ]) {
    expect(userTurn(example)).toEqual(exampleMessages(example));
  }
});

test('the adapter choice is the activeAdapterId setting, limited to the active model', async () => {
  await saveAdapter(db, {
    id: 'other',
    name: 'Other model',
    method: 'lora',
    modelId: 'tiny-llama',
    config: {},
    weights: new ArrayBuffer(0),
    createdAt: 2,
    updatedAt: 2,
  });
  await controller.load();
  expect(controller.state.adapters.map((a) => a.id)).toEqual(['ad1']);
  expect(controller.state.adapterId).toBeNull();
  await controller.chooseAdapter('ad1');
  expect((await getSettings(db)).activeAdapterId).toBe('ad1');
  // A panel opened later starts with it (as after the dashboard's "Use in chat").
  const reopened = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async () => toContext('page', { text: 'x', title: '' }, shippedFitter),
  });
  await reopened.load();
  expect(reopened.state.adapterId).toBe('ad1');
  await controller.chooseAdapter('other'); // not for the active model: ignored
  expect(controller.state.adapterId).toBe('ad1');
  await controller.chooseAdapter(null);
  expect((await getSettings(db)).activeAdapterId).toBeNull();
});

test('a message streams, is saved with its answer, and titles the conversation', async () => {
  const seen: string[] = [];
  controller.subscribe((s) => {
    const text = s.streaming[0]?.text;
    if (s.generating && text && seen[seen.length - 1] !== text) seen.push(text);
  });
  await controller.send('  Hello there  ');
  expect(seen.length).toBeGreaterThan(1); // arrived in pieces
  expect(seen[seen.length - 1]).toBe('plain base answer');
  expect(engine.requests[0]).toMatchObject({
    adapterId: null,
    messages: [{ role: 'user', content: 'Hello there' }],
  });
  const state = controller.state;
  expect(state.generating).toBe(false);
  expect(state.current!.title).toBe('Hello there');
  expect(state.current!.messages.map((m) => [m.role, m.content])).toEqual([
    ['user', 'Hello there'],
    ['assistant', 'plain base answer'],
  ]);
  expect(await getConversation(db, state.current!.id)).toEqual(state.current);
  expect(state.conversations.map((c) => c.id)).toEqual([state.current!.id]);
});

test('Stop cancels through the engine and keeps the partial answer, marked stopped', async () => {
  engine.hold();
  engine.onHeld = () => controller.stop();
  await controller.send('Tell me a long story');
  const answer = controller.state.current!.messages[1]!;
  expect(answer).toMatchObject({ role: 'assistant', content: 'plain ', stopped: true });
  expect(controller.state.error).toBeNull();
  expect(controller.state.generating).toBe(false);
  // The panel is usable again right away.
  engine.release();
  engine.onHeld = null;
  await controller.send('Again');
  expect(controller.state.current!.messages.at(-1)).toMatchObject({ content: 'plain base answer' });
  expect(controller.state.current!.messages.at(-1)!.stopped).toBeUndefined();
});

test('Stop pressed before the answer begins still saves an (empty, stopped) answer', async () => {
  await controller.chooseAdapter('ad1');
  controller.setCompare(true);
  const sending = controller.send('Never mind');
  controller.stop(); // before the conversation is even stored
  await sending;
  expect(engine.requests).toEqual([]); // the engine was never asked
  const saved = await getConversation(db, controller.state.current!.id);
  expect(saved!.messages.map((m) => [m.role, m.content, m.stopped ?? false])).toEqual([
    ['user', 'Never mind', false],
    ['assistant', '', true],
  ]);
  expect(controller.state.generating).toBe(false);
  // The next turn is answered, and the conversation alternates user/assistant throughout.
  controller.setCompare(false);
  await controller.send('Hello again');
  expect(controller.state.current!.messages.map((m) => m.role)).toEqual([
    'user',
    'assistant',
    'user',
    'assistant',
  ]);
});

test('compare mode asks base then tuned for the same prompt and saves both', async () => {
  controller.setCompare(true);
  expect(controller.state.compare).toBe(false); // needs an adapter first
  await controller.chooseAdapter('ad1');
  controller.setCompare(true);
  await controller.send('Compare me');
  expect(engine.requests.map((r) => r.adapterId)).toEqual([null, 'ad1']);
  expect(engine.requests[0]!.messages).toEqual(engine.requests[1]!.messages);
  const answers = controller.state.current!.messages.slice(1);
  expect(answers.map((m) => [m.variant, m.adapterId, m.content])).toEqual([
    ['base', null, 'plain base answer'],
    ['tuned', 'ad1', 'tuned answer from ad1'],
  ]);
  // The next turn continues from the tuned answer only.
  await controller.send('And then?');
  const history = engine.requests[2]!.messages!;
  expect(history.map((m) => m.content)).toEqual(['Compare me', 'tuned answer from ad1', 'And then?']);
  await controller.chooseAdapter(null);
  expect(controller.state.compare).toBe(false);
});

test('few-shot retrieves the most similar captured examples as earlier turns', async () => {
  await addExample(db, { instruction: 'Translate to French', input: 'good night', output: 'bonne nuit' });
  await addExample(db, { instruction: 'Summarise the article', output: 'Short.' });
  await addExample(db, { instruction: 'Translate to French', input: 'thank you', output: 'merci' });
  controller.setFewShot(true);
  let shownCount = 0;
  controller.subscribe((s) => (shownCount = Math.max(shownCount, s.demonstrations)));
  await controller.send('Translate to French: see you soon');
  const messages = engine.requests[0]!.messages!;
  // Two translation examples match; the summary shares no word and is left out.
  expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
  expect(
    messages
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content)
      .sort(),
  ).toEqual(['bonne nuit', 'merci']);
  expect(messages[0]!.content).toMatch(/^Translate to French\n\n(good night|thank you)$/);
  expect(shownCount).toBe(2);
  expect(controller.state.current!.messages[1]!.demonstrations).toBe(2);
  expect(FEW_SHOT_K).toBeGreaterThanOrEqual(2);
});

test('page context travels as the input of the user turn, once', async () => {
  await controller.attachContext('page');
  expect(controller.state.context).toMatchObject({ source: 'page', title: 'Greeting page' });
  await controller.send('What does it say?');
  expect(engine.requests[0]!.messages!.at(-1)!.content).toBe('What does it say?\n\nThe page says hello.');
  expect(controller.state.current!.messages[0]).toMatchObject({
    content: 'What does it say?',
    context: 'The page says hello.',
  });
  expect(controller.state.context).toBeNull();
});

test('context problems and engine errors are shown, not thrown; nothing is lost', async () => {
  const failing = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine: new FakeEngine(
      () => new EngineRequestError({ code: 'no-model', message: 'No model is loaded.' }),
    ),
    readContext: async (source) => toContext(source, { text: '   ', title: '' }, shippedFitter),
  });
  await failing.attachContext('selection');
  expect(failing.state.error).toMatchObject({ code: 'empty-selection', message: new EmptySelectionError().message });
  await failing.send('Hello?');
  expect(failing.state.error).toMatchObject({ code: 'no-model' });
  expect(failing.state.current!.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(failing.state.generating).toBe(false);
});

test('a request that fills the whole context is explained instead of answered with nothing', async () => {
  const full = new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine: { request: async () => ({ text: '', tokens: 0, stopReason: 'context-full' }) },
    readContext: async (source) => toContext(source, { text: 'x', title: '' }, shippedFitter),
  });
  await full.send('A very long request');
  expect(full.state.error).toMatchObject({ code: 'too-long' });
  expect(full.state.generating).toBe(false);
});

test('conversations: open, export, delete', async () => {
  await controller.send('First chat');
  const first = controller.state.current!.id;
  controller.newConversation();
  await controller.send('Second chat');
  expect(controller.state.conversations.map((c) => c.title)).toEqual(['Second chat', 'First chat']);
  await controller.openConversation(first);
  expect(controller.state.current!.messages[0]!.content).toBe('First chat');
  const exported = await controller.exportConversation(first);
  expect(exported.fileName).toMatch(/^attune-conversation-\d{4}-\d\d-\d\d\.json$/);
  expect(JSON.parse(exported.json).messages.map((m: { content: string }) => m.content)).toEqual([
    'First chat',
    'plain base answer',
  ]);
  await controller.deleteConversation(first);
  expect(controller.state.current).toBeNull();
  expect((await listConversations(db)).map((c) => c.title)).toEqual(['Second chat']);
  // A conversation deleted elsewhere: reported in the panel, the list refreshed, nothing thrown.
  await controller.openConversation(first);
  expect(controller.state.error).toMatchObject({
    code: 'conversation-missing',
    message: expect.stringMatching(/no longer exists/),
  });
  expect(controller.state.conversations.map((c) => c.title)).toEqual(['Second chat']);
});

test('modelMessages keeps only the last exchange and never starts with an answer', async () => {
  const m = (role: 'user' | 'assistant', content: string) => ({ id: content, role, content, createdAt: 0 });
  const messages = modelMessages({
    history: [m('user', 'q1'), m('assistant', 'a1'), m('user', 'q2'), m('assistant', 'a2')],
    demonstrations: [],
    text: 'q3',
  });
  expect(messages.map((x) => x.content)).toEqual(['q2', 'a2', 'q3']);
  // One long word has no boundary: it is cut at a character, within the model's token budget.
  const word = 'x'.repeat(5_000);
  const long = await toContext('page', { text: word, title: 't' }, shippedFitter);
  expect(long.truncated).toBe(true);
  expect(long.cut).toBe('character');
  expect(word.startsWith(long.text)).toBe(true);
  expect(long.totalTokens).toBe(tokensOf(word));
  expect(long.keptTokens).toBe(tokensOf(long.text));
  const budget = 256 - CONTEXT_RESERVE_TOKENS - templateTokens(shippedTokenizer);
  expect(long.keptTokens).toBeLessThanOrEqual(budget);
  expect(long.keptTokens).toBeGreaterThan(budget - 2);
});
