// The web app's capture API saves straight to IndexedDB through the background's own validating
// handlers: the same checks as the extension, with no background to message.
import 'fake-indexeddb/auto';
import { expect, test } from 'vitest';
import { MAX_FIELD_CHARS } from '../../../../src/dataset/example';
import type { ExampleSavePayload } from '../../../../src/messaging/protocol';
import { createWebCaptureApi } from '../../../../src/platform/web/capture-api';
import { openAttuneDb } from '../../../../src/storage/db';
import { allExamplesOldestFirst } from '../../../../src/storage/examples-repo';

let dbCount = 0;

async function setup() {
  const db = await openAttuneDb({ name: `pwa-capture-${dbCount++}` });
  return { db, api: createWebCaptureApi(async () => db) };
}

const payload = (patch: Partial<ExampleSavePayload> = {}): ExampleSavePayload => ({
  instruction: 'What do city foxes learn?',
  input: '',
  output: 'Traffic light timing.',
  tags: ['foxes'],
  sourceUrl: 'https://example.org/foxes',
  sourceTitle: 'Foxes',
  ...patch,
});

test('a valid capture is stored with its source; saving it again is a duplicate', async () => {
  const { db, api } = await setup();
  expect(await api.save(payload())).toEqual({ kind: 'saved', count: 1 });
  expect(await api.save(payload())).toEqual({ kind: 'duplicate' });
  const stored = await allExamplesOldestFirst(db);
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({
    output: 'Traffic light timing.',
    sourceUrl: 'https://example.org/foxes',
    tags: ['foxes'],
  });
});

test('an invalid capture is refused with the problem, and nothing is stored', async () => {
  const { db, api } = await setup();
  const empty = await api.save(payload({ output: '   ' }));
  expect(empty.kind).toBe('failed');
  const tooLong = await api.save(payload({ output: 'x'.repeat(MAX_FIELD_CHARS + 1) }));
  expect(tooLong).toMatchObject({ kind: 'failed' });
  expect((tooLong as { reason: string }).reason).toMatch(/20,?000/);
  expect(await allExamplesOldestFirst(db)).toHaveLength(0);
});

test('overlong source metadata is shortened rather than refused (as in the background)', async () => {
  const { db, api } = await setup();
  expect((await api.save(payload({ sourceTitle: 't'.repeat(5000) }))).kind).toBe('saved');
  expect((await allExamplesOldestFirst(db))[0]!.sourceTitle.length).toBe(500);
});

test('templates are validated and listed; capture settings come from storage', async () => {
  const { api } = await setup();
  await expect(api.saveTemplate('  ', 'Summarise', '')).rejects.toThrow(/template name/);
  const saved = await api.saveTemplate('Fox facts', 'List the fox facts.', 'Example.ORG');
  expect(saved).toMatchObject({
    name: 'Fox facts',
    instruction: 'List the fox facts.',
    urlPattern: 'example.org',
  });
  expect(await api.listUserTemplates()).toEqual([saved]);
  expect(await api.settings()).toEqual({ chipEnabled: expect.any(Boolean), locale: 'auto' });
});
