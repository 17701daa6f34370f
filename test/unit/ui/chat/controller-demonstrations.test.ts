// The chat with an adapter trained with retrieved demonstrations (instruction prompt tuning): its
// stored adapter_config.json asks for K, so the controller retrieves K captured examples as
// earlier turns even with few-shot off, and the answer records how many it used.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';
import { openAttuneDb, type AttuneDb } from '../../../../src/storage/db';
import { saveAdapter } from '../../../../src/storage/adapters-repo';
import { addExample } from '../../../../src/storage/examples-repo';
import { retrievalSettingsFields } from '../../../../src/tuning/peft/retrieval-settings';
import { ChatController, FEW_SHOT_K } from '../../../../src/ui/chat/controller';
import { toContext } from '../../../../src/ui/chat/page-context';
import { shippedFitter } from './shipped-fitter';
import { FakeEngine } from './fake-engine';

let db: AttuneDb;
let engine: FakeEngine;
let controller: ChatController;

const adapterRecord = (id: string, method: string, config: Record<string, unknown>) => ({
  id,
  name: id,
  method,
  modelId: 'bundled',
  config,
  weights: new ArrayBuffer(0),
  createdAt: 1,
  updatedAt: 1,
});

beforeEach(async () => {
  db = await openAttuneDb({ name: `chat-demos-${Math.random()}` });
  await saveAdapter(db, adapterRecord('ipt', 'instruction-prompt-tuning', { peft_type: 'PROMPT_TUNING', num_virtual_tokens: 8, ...retrievalSettingsFields({ demonstrations: 1 }) }));
  await saveAdapter(db, adapterRecord('soft', 'prompt-tuning', { peft_type: 'PROMPT_TUNING', num_virtual_tokens: 8 }));
  await addExample(db, { instruction: 'Translate to French', input: 'good night', output: 'bonne nuit' });
  await addExample(db, { instruction: 'Summarise the article', output: 'Short.' });
  await addExample(db, { instruction: 'Translate to French', input: 'thank you', output: 'merci' });
  engine = new FakeEngine((p) => `answer from ${p.adapterId ?? 'base'}`);
  controller = new ChatController({ capture: createWebCaptureApi(async () => db), db, engine, readContext: async (source) => toContext(source, { text: 'x', title: '' }, shippedFitter) });
  await controller.load();
});

afterEach(() => db.close());

test("an adapter whose stored config asks for demonstrations gets its K, with few-shot off", async () => {
  await controller.chooseAdapter('ipt');
  expect(controller.state.fewShot).toBe(false);
  let shown = 0;
  controller.subscribe((s) => (shown = Math.max(shown, s.demonstrations)));
  await controller.send('Translate to French: thank you very much');
  const request = engine.requests[0]!;
  expect(request.adapterId).toBe('ipt');
  // One demonstration, the most similar ("thank you" shares the most words), as an earlier turn.
  expect(request.messages).toEqual([
    { role: 'user', content: 'Translate to French\n\nthank you' },
    { role: 'assistant', content: 'merci' },
    { role: 'user', content: 'Translate to French: thank you very much' },
  ]);
  expect(shown).toBe(1);
  expect(controller.state.current!.messages[1]).toMatchObject({ role: 'assistant', adapterId: 'ipt', demonstrations: 1 });
});

test('an adapter without retrieval settings, or the base model, gets none unless few-shot is on', async () => {
  await controller.chooseAdapter('soft');
  await controller.send('Translate to French: thank you');
  expect(engine.requests[0]!.messages).toHaveLength(1);
  await controller.chooseAdapter(null);
  controller.newConversation();
  await controller.send('Translate to French: good night');
  expect(engine.requests[1]!.messages).toEqual([{ role: 'user', content: 'Translate to French: good night' }]);
  expect(controller.state.demonstrations).toBe(0);
});

test('few-shot on with such an adapter: the larger of the two counts', async () => {
  await controller.chooseAdapter('ipt');
  controller.setFewShot(true);
  controller.newConversation();
  await controller.send('Translate to French: see you soon');
  // Few-shot asks for FEW_SHOT_K (3) and the adapter for 1; two captured examples match.
  expect(FEW_SHOT_K).toBeGreaterThan(1);
  expect(controller.state.demonstrations).toBe(2);
});
