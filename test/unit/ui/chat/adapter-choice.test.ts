// The side panel picks the adapter bound to the page beside it, says why, and keeps the person's
// override for that conversation (real storage through fake-indexeddb, a fake engine).
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { setLocale } from '../../../../src/i18n';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { addExample } from '../../../../src/storage/examples-repo';
import { getConversation } from '../../../../src/storage/conversations-repo';
import { updateSettings } from '../../../../src/storage/settings-repo';
import type { AdapterRecord } from '../../../../src/storage/schema';
import { ChatController } from '../../../../src/ui/chat/controller';
import { adapterReasonText } from '../../../../src/ui/chat/adapter-reason';
import { toContext } from '../../../../src/ui/chat/page-context';
import { shippedFitter } from './shipped-fitter';
import { FakeEngine } from './fake-engine';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';

let db: AttuneDb;
let engine: FakeEngine;
let pageUrl: string | null;

const adapter = (id: string, name: string, extra: Partial<AdapterRecord> = {}): AdapterRecord => ({
  id,
  name,
  method: 'lora',
  modelId: 'bundled',
  config: {},
  weights: new ArrayBuffer(0),
  createdAt: 1,
  updatedAt: 1,
  ...extra,
});

function newController(): ChatController {
  return new ChatController({
    capture: createWebCaptureApi(async () => db),
    db,
    engine,
    readContext: async (source) => toContext(source, { text: 'x', title: 'x' }, shippedFitter),
    pageUrl: async () => pageUrl,
  });
}

beforeEach(async () => {
  setLocale('en');
  db = await openAttuneDb({ name: `choice-${Math.random()}` });
  await saveAdapter(db, adapter('work', 'work notes', { sites: ['*.example.com'], createdAt: 2 }));
  await saveAdapter(db, adapter('wiki', 'wiki voice', { sites: ['https://docs.example.com/wiki/*'], config: { use_dora: true } }));
  await saveAdapter(db, adapter('food', 'recipes', { tags: ['cooking'] }));
  await saveAdapter(db, adapter('plain', 'plain'));
  engine = new FakeEngine((p) => `answer from ${p.adapterId ?? 'base'}`);
  pageUrl = null;
});
afterEach(() => db.close());

test('a new conversation answers with the adapter bound to the page, and says why', async () => {
  pageUrl = 'https://mail.example.com/inbox';
  const controller = newController();
  await controller.load();
  expect(controller.state.adapterId).toBe('work');
  expect(adapterReasonText(controller.state)).toBe('LoRA “work notes”, bound to *.example.com');

  pageUrl = 'https://docs.example.com/wiki/Fox';
  await controller.newConversation();
  expect(controller.state.adapterId).toBe('wiki'); // the more specific pattern
  expect(adapterReasonText(controller.state)).toBe('DoRA “wiki voice”, bound to https://docs.example.com/wiki/*');

  await controller.send('Hello');
  expect(engine.requests.at(-1)!.adapterId).toBe('wiki');
});

test('no binding: the default adapter setting, else the base model, each with its reason', async () => {
  pageUrl = 'https://elsewhere.org/';
  const controller = newController();
  await controller.load();
  expect(controller.state.adapterId).toBeNull();
  expect(adapterReasonText(controller.state)).toBe('Base model: no adapter is bound to this site');
  await updateSettings(db, { activeAdapterId: 'plain' });
  await controller.load();
  expect(controller.state.adapterId).toBe('plain');
  expect(adapterReasonText(controller.state)).toBe('LoRA “plain”, your default adapter');
});

test('a tag binding answers where the person’s examples from that host carry the tag', async () => {
  await addExample(db, { instruction: 'q', output: 'a', tags: ['cooking'], sourceUrl: 'https://food.test:8080/soup' });
  pageUrl = 'https://food.test:8080/bread';
  const controller = newController();
  await controller.load();
  expect(controller.state.adapterId).toBe('food');
  expect(adapterReasonText(controller.state)).toBe('LoRA “recipes”, bound to tag “cooking” (your examples from food.test:8080 carry it)');
});

test('an override sticks to its conversation: answers, reopening, a panel reload, and a later focus', async () => {
  pageUrl = 'https://mail.example.com/';
  const controller = newController();
  await controller.load();
  await controller.chooseAdapter('plain'); // before the conversation exists
  expect(adapterReasonText(controller.state)).toBe('LoRA “plain”, chosen for this conversation');
  await controller.send('First');
  expect(engine.requests.at(-1)!.adapterId).toBe('plain');
  const id = controller.state.current!.id;
  expect((await getConversation(db, id)).adapterOverride).toEqual({ adapterId: 'plain' });

  await controller.load(); // the panel regains focus: the open conversation keeps its choice
  expect(controller.state.adapterId).toBe('plain');

  await controller.newConversation(); // a new conversation: the page decides again
  expect(controller.state.adapterId).toBe('work');

  // Overriding to the base model in an open conversation is remembered too.
  await controller.send('Second');
  await controller.chooseAdapter(null);
  const second = controller.state.current!.id;
  expect((await getConversation(db, second)).adapterOverride).toEqual({ adapterId: null });

  const reloaded = newController();
  await reloaded.load();
  await reloaded.openConversation(id);
  expect(reloaded.state.adapterId).toBe('plain');
  expect(reloaded.state.adapterReason).toEqual({ kind: 'chosen' });
  await reloaded.openConversation(second);
  expect(reloaded.state.adapterId).toBeNull();
  expect(adapterReasonText(reloaded.state)).toBe('Base model, chosen for this conversation');
});
