// Learning from use: an answer marked Good or corrected with Edit & save becomes an example with
// origin 'chat' through the capture save path (the same validating handlers the background runs);
// each answer records the model that wrote it and its tokens per second; conversations can be
// renamed and searched.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { listExamples } from '../../../../src/storage/examples-repo';
import { saveModel } from '../../../../src/storage/models-repo';
import { updateSettings } from '../../../../src/storage/settings-repo';
import { getConversation, listConversations } from '../../../../src/storage/conversations-repo';
import { ChatController, decodingRate } from '../../../../src/ui/chat/controller';
import { filterConversations } from '../../../../src/ui/chat/conversation-search';
import { toContext } from '../../../../src/ui/chat/page-context';
import { shippedFitter } from './shipped-fitter';
import { FakeEngine } from './fake-engine';

let db: AttuneDb;
let controller: ChatController;
/** A clock that moves 250 ms each time it is read. */
let clock: number;

beforeEach(async () => {
  db = await openAttuneDb({ name: `chat-learning-${Math.random()}` });
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
  clock = 10_000;
  controller = new ChatController({
    db,
    engine: new FakeEngine((p) => (p.adapterId === null ? 'base **answer** here' : 'tuned answer here')),
    readContext: async (source) => toContext(source, { text: 'The page says hello.', title: 'Greeting page' }, shippedFitter),
    capture: createWebCaptureApi(async () => db),
    now: () => (clock += 250),
  });
  await controller.load();
});

afterEach(() => db.close());

test('Good saves the question and the answer as an example from the chat; a second Good is a duplicate', async () => {
  await controller.attachContext('page');
  await controller.send('Summarise this');
  const answer = controller.state.current!.messages[1]!;
  expect(await controller.markGood(answer.id)).toMatchObject({ kind: 'saved', count: 1 });
  const [example] = await listExamples(db);
  expect(example).toMatchObject({
    instruction: 'Summarise this',
    input: 'The page says hello.',
    output: 'base **answer** here',
    origin: 'chat',
    sourceUrl: '',
    tags: [],
  });
  expect(controller.state.feedback[answer.id]).toBe('saved');
  expect(await controller.markGood(answer.id)).toEqual({ kind: 'duplicate' });
  expect(await listExamples(db)).toHaveLength(1);
});

test('Edit & save stores the corrected answer, still from the chat; a request is not an answer', async () => {
  await controller.send('Write a haiku');
  const [question, answer] = controller.state.current!.messages;
  const prefill = controller.exampleFor(answer!.id)!;
  expect(prefill).toMatchObject({ instruction: 'Write a haiku', input: '', output: 'base **answer** here' });
  // What the capture form sends: the person's correction (the form itself does not add an origin).
  const outcome = await controller.saveExample(answer!.id, { ...prefill, origin: undefined, output: 'A better haiku' });
  expect(outcome.kind).toBe('saved');
  const [example] = await listExamples(db);
  expect(example).toMatchObject({ output: 'A better haiku', origin: 'chat' });
  expect(controller.exampleFor(question!.id)).toBeNull();
  expect(await controller.markGood(question!.id)).toMatchObject({ kind: 'failed' });
});

test('compare mode: Good on either side saves that side against the one question', async () => {
  await controller.chooseAdapter('ad1');
  controller.setCompare(true);
  await controller.send('Say it');
  const [, base, tuned] = controller.state.current!.messages;
  expect(controller.exampleFor(base!.id)).toMatchObject({ instruction: 'Say it', output: 'base **answer** here' });
  expect(controller.exampleFor(tuned!.id)).toMatchObject({ instruction: 'Say it', output: 'tuned answer here' });
});

test('each answer keeps the model that wrote it and its decoding speed', async () => {
  await saveModel(db, {
    id: 'bundled',
    name: 'Attune tiny',
    source: 'bundled',
    config: {},
    family: 'gpt2',
    parameterCount: null,
    files: {},
    sizeBytes: 0,
    createdAt: 1,
  });
  await updateSettings(db, { activeModelId: 'bundled' });
  await controller.load();
  expect(controller.state.model).toEqual({ id: 'bundled', name: 'Attune tiny' });
  await controller.send('Hello');
  const answer = controller.state.current!.messages[1]!;
  // 'base **answer** here' streams as 3 pieces (3 tokens): the clock is read at the first piece
  // and at the end, 250 ms apart, so 2 tokens in 0.25 s.
  expect(answer.modelId).toBe('bundled');
  expect(answer.tokensPerSecond).toBeCloseTo(8, 10);
  expect((await getConversation(db, controller.state.current!.id)).messages[1]!.tokensPerSecond).toBeCloseTo(8, 10);
});

test('decodingRate: tokens after the first over the time since the first piece; null when unmeasurable', () => {
  expect(decodingRate(11, 1_000, 3_000)).toBe(5);
  expect(decodingRate(1, 1_000, 3_000)).toBeNull();
  expect(decodingRate(5, null, 3_000)).toBeNull();
  expect(decodingRate(5, 3_000, 3_000)).toBeNull();
});

test('rename: trimmed to one line, kept in storage, list order unchanged; an empty name is refused', async () => {
  await controller.send('First question');
  const first = controller.state.current!.id;
  controller.newConversation();
  await controller.send('Second question');
  const order = controller.state.conversations.map((c) => c.id);
  expect(await controller.renameConversation(first, '  Trip\n plans  ')).toBe(true);
  expect((await getConversation(db, first)).title).toBe('Trip plans');
  expect(controller.state.conversations.map((c) => c.id)).toEqual(order);
  expect(await controller.renameConversation(first, '   ')).toBe(false);
  expect(controller.state.error).toMatchObject({ code: 'conversation-title' });
  expect(await controller.renameConversation(first, 'x'.repeat(81))).toBe(false);
  expect((await getConversation(db, first)).title).toBe('Trip plans');
});

test('search matches every word in the title or the messages, ignoring case and width', async () => {
  await controller.send('Foxes in the city');
  controller.newConversation();
  await controller.send('Weather tomorrow');
  const all = await listConversations(db);
  const titles = (query: string) => filterConversations(all, query).map((c) => c.title);
  expect(titles('')).toHaveLength(2);
  expect(titles('fox')).toEqual(['Foxes in the city']);
  expect(titles('ＦＯＸ city')).toEqual(['Foxes in the city']);
  expect(titles('answer weather')).toEqual(['Weather tomorrow']); // "answer" is in the reply
  expect(titles('fox weather')).toEqual([]);
});
