// The v3 rung (conversations) and the conversations repository, on fake-indexeddb.
import './helpers';
import { openDB } from 'idb';
import { expect, test } from 'vitest';
import { openAttuneDb } from '../../../src/storage/db';
import {
  appendMessage,
  ConversationNotFoundError,
  conversationToJson,
  createConversation,
  deleteConversation,
  getConversation,
  InvalidMessageError,
  listConversations,
  MAX_CONVERSATION_TITLE_CHARS,
  renameConversation,
} from '../../../src/storage/conversations-repo';
import { freshDb, freshDbName } from './helpers';

const V2_STORES = ['adapters', 'examples', 'models', 'settings', 'trainingRuns', 'userTemplates'] as const;

test('a v2 database with data in every store upgrades to v3 losing nothing', async () => {
  const name = freshDbName();
  (await openAttuneDb({ name, version: 2 })).close();
  const raw = await openDB(name, 2);
  const records: Record<(typeof V2_STORES)[number], Record<string, unknown>> = {
    examples: {
      id: 'e1',
      instruction: 'Summarise',
      input: 'x',
      output: 'y',
      tags: ['t'],
      sourceUrl: '',
      sourceTitle: '',
      createdAt: 1,
      updatedAt: 2,
      sourceHost: '',
      dedupeHash: 'h',
    },
    adapters: {
      id: 'a1',
      name: 'Mine',
      method: 'lora',
      modelId: 'bundled',
      config: { r: 8 },
      weights: new Uint8Array([1, 2, 3]).buffer,
      createdAt: 3,
      updatedAt: 3,
    },
    models: {
      id: 'm1',
      name: 'M',
      source: 'imported',
      config: {},
      family: 'gpt2',
      parameterCount: 10,
      files: { 'config.json': 2 },
      sizeBytes: 2,
      createdAt: 4,
    },
    trainingRuns: {
      id: 'r1',
      modelId: 'm1',
      method: 'lora',
      status: 'completed',
      config: {},
      metrics: [{ step: 1, loss: 2 }],
      startedAt: 5,
    },
    settings: { key: 'locale', value: 'zh_CN' },
    userTemplates: { id: 'u1', name: 'T', instruction: 'Do it', urlPattern: '', createdAt: 6, updatedAt: 6 },
  };
  for (const store of V2_STORES) await raw.put(store, records[store]);
  raw.close();

  const db = await openAttuneDb({ name, version: 3 }); // this rung alone (v4's is in adapter-versions.test.ts)
  expect(db.version).toBe(3);
  expect([...db.objectStoreNames].sort()).toEqual([...V2_STORES, 'conversations'].sort());
  for (const store of V2_STORES) expect(await db.getAll(store)).toEqual([records[store]]);
  expect(await listConversations(db)).toEqual([]);
  db.close();
});

test('create, append, list newest first, export, delete', async () => {
  const db = await freshDb();
  const first = await createConversation(db, '', 1_000, 'c1');
  const second = await createConversation(db, 'Named', 2_000, 'c2');
  expect(first).toMatchObject({ id: 'c1', title: '', messages: [] });
  expect(second.title).toBe('Named');

  await appendMessage(db, 'c1', { role: 'user', content: '  Translate\nthis   please ' }, 3_000, 'm1');
  const after = await appendMessage(
    db,
    'c1',
    { role: 'assistant', content: 'Sure', adapterId: 'a1', variant: 'tuned', demonstrations: 2 },
    4_000,
    'm2',
  );
  expect(after.title).toBe('Translate this please'); // from the first user message, one line
  expect(after.messages.map((m) => [m.id, m.role, m.content])).toEqual([
    ['m1', 'user', '  Translate\nthis   please '],
    ['m2', 'assistant', 'Sure'],
  ]);
  expect(await getConversation(db, 'c1')).toEqual(after);
  expect((await listConversations(db)).map((c) => c.id)).toEqual(['c1', 'c2']); // c1 active last

  const exported = JSON.parse(conversationToJson(after));
  expect(exported).toMatchObject({
    format: 'attune-conversation',
    version: 1,
    title: 'Translate this please',
    createdAt: new Date(1_000).toISOString(),
  });
  expect(exported.messages[1]).toEqual({
    role: 'assistant',
    content: 'Sure',
    adapterId: 'a1',
    variant: 'tuned',
    demonstrations: 2,
    createdAt: new Date(4_000).toISOString(),
  });

  await deleteConversation(db, 'c1');
  expect((await listConversations(db)).map((c) => c.id)).toEqual(['c2']);
  await expect(appendMessage(db, 'c1', { role: 'user', content: 'late' })).rejects.toBeInstanceOf(
    ConversationNotFoundError,
  );
  db.close();
});

test('long titles are cut; bad messages are refused and change nothing', async () => {
  const db = await freshDb();
  const long = await createConversation(db, 'word '.repeat(50));
  expect(long.title.length).toBe(MAX_CONVERSATION_TITLE_CHARS);
  expect(long.title.endsWith('…')).toBe(true);
  await expect(appendMessage(db, long.id, { role: 'system' as 'user', content: 'x' })).rejects.toBeInstanceOf(
    InvalidMessageError,
  );
  await expect(
    appendMessage(db, long.id, { role: 'user', content: 'x'.repeat(100_001) }),
  ).rejects.toBeInstanceOf(InvalidMessageError);
  expect((await getConversation(db, long.id)).messages).toEqual([]);
  db.close();
});

test('rename: one trimmed line, same activity time; empty, too long or missing is refused and changes nothing', async () => {
  const db = await freshDb();
  await createConversation(db, 'Old name', 1_000, 'c1');
  const renamed = await renameConversation(db, 'c1', '  New\n\tname ');
  expect(renamed).toMatchObject({ title: 'New name', updatedAt: 1_000 });
  expect((await getConversation(db, 'c1')).title).toBe('New name');
  await expect(renameConversation(db, 'c1', ' \n ')).rejects.toMatchObject({ code: 'conversation-title' });
  await expect(renameConversation(db, 'c1', 'x'.repeat(81))).rejects.toMatchObject({ code: 'conversation-title' });
  await expect(renameConversation(db, 'gone', 'Name')).rejects.toMatchObject({ code: 'conversation-missing' });
  expect((await getConversation(db, 'c1')).title).toBe('New name');
  expect(await renameConversation(db, 'c1', 'x'.repeat(80))).toMatchObject({ title: 'x'.repeat(80) });
});
