import './helpers';
import { openDB } from 'idb';
import { expect, test } from 'vitest';
import { addExample, listExamples, listSites, listTags } from '../../../src/storage/examples-repo';
import { openAttuneDb } from '../../../src/storage/db';
import { DB_VERSION } from '../../../src/storage/schema';
import { StorageUnavailableError } from '../../../src/storage/errors';
import { getSettings } from '../../../src/storage/settings-repo';
import { freshDbName } from './helpers';

// Records exactly as v1 code wrote them: no derived index fields; one lacks optional fields.
const V1_RECORDS = [
  {
    id: 'a',
    instruction: 'Summarise',
    input: 'Long article',
    output: 'Short summary',
    tags: ['news', 'summary'],
    sourceUrl: 'https://Example.com/a',
    sourceTitle: 'A',
    createdAt: 1_000,
    updatedAt: 1_500,
  },
  { id: 'b', instruction: 'Translate to French', output: 'Bonjour', createdAt: 2_000 },
];

test('upgrading a v1 database keeps every example and makes it findable by the new indexes', async () => {
  const name = freshDbName();
  const v1 = await openAttuneDb({ name, version: 1 });
  expect([...v1.objectStoreNames]).toEqual(['examples']);
  // Write through plain idb, as the v1 release did (the v1 schema type has no derived fields).
  v1.close();
  const raw = await openDB(name, 1);
  for (const record of V1_RECORDS) await raw.put('examples', record);
  raw.close();

  const db = await openAttuneDb({ name });
  expect(db.version).toBe(DB_VERSION);
  expect([...db.objectStoreNames].sort()).toEqual(
    ['adapterVersions', 'adapters', 'conversations', 'examples', 'models', 'settings', 'trainingRuns', 'userTemplates'].sort(),
  );

  const all = await listExamples(db);
  expect(all.map((e) => e.id)).toEqual(['b', 'a']); // newest first
  expect(all.find((e) => e.id === 'a')).toEqual(V1_RECORDS[0]);
  expect(all.find((e) => e.id === 'b')).toEqual({
    id: 'b',
    instruction: 'Translate to French',
    input: '',
    output: 'Bonjour',
    tags: [],
    sourceUrl: '',
    sourceTitle: '',
    createdAt: 2_000,
    updatedAt: 2_000,
  });
  expect((await listExamples(db, { tag: 'news' })).map((e) => e.id)).toEqual(['a']);
  expect(await listSites(db)).toEqual([{ value: 'example.com', count: 1 }]);
  expect(await listTags(db)).toEqual([
    { value: 'news', count: 1 },
    { value: 'summary', count: 1 },
  ]);
  // The dedupe index was backfilled: re-capturing a v1 example is recognised as a duplicate.
  const again = await addExample(db, { instruction: 'Translate to French', output: 'Bonjour' });
  expect(again).toMatchObject({ status: 'duplicate', existing: { id: 'b' } });
  expect(await getSettings(db)).toMatchObject({ chipEnabled: true });
  db.close();
});

test('a v1 record with broken fields does not block the upgrade', async () => {
  const name = freshDbName();
  (await openAttuneDb({ name, version: 1 })).close();
  const raw = await openDB(name, 1);
  await raw.put('examples', { id: 'odd', instruction: 42, output: 'kept', tags: 'not-a-list', createdAt: 'soon' });
  raw.close();

  const db = await openAttuneDb({ name });
  const [odd] = await listExamples(db);
  expect(odd).toMatchObject({ id: 'odd', instruction: '', output: 'kept', tags: [], createdAt: 0 });
  db.close();
});

test('opening an existing current database runs no migration and keeps its data', async () => {
  const name = freshDbName();
  const first = await openAttuneDb({ name });
  await addExample(first, { instruction: 'Keep me', output: 'ok' });
  first.close();
  const second = await openAttuneDb({ name });
  expect((await listExamples(second)).map((e) => e.instruction)).toEqual(['Keep me']);
  second.close();
});

test('a failing upgrade aborts as a whole: typed error, old version and data intact', async () => {
  const name = freshDbName();
  const db = await openAttuneDb({ name });
  await addExample(db, { instruction: 'Survivor', output: 'still here' });
  db.close();
  // No rung exists beyond DB_VERSION, so this upgrade fails part-way through the ladder.
  const error = await openAttuneDb({ name, version: DB_VERSION + 2 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageUnavailableError);
  expect((error as Error).message).toMatch(/No migration to schema version/);
  const reopened = await openAttuneDb({ name });
  expect(reopened.version).toBe(DB_VERSION);
  expect((await listExamples(reopened)).map((e) => e.instruction)).toEqual(['Survivor']);
  reopened.close();
});
