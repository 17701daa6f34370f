// The v4 rung (adapter versions) and the versions repository, on fake-indexeddb.
import './helpers';
import { openDB } from 'idb';
import { expect, test } from 'vitest';
import { openAttuneDb } from '../../../src/storage/db';
import { deleteAdapter, getAdapter, saveAdapter } from '../../../src/storage/adapters-repo';
import {
  addTrainedVersion,
  AdapterVersionNotFoundError,
  listAdapterVersions,
  restoreAdapterVersion,
  saveNewAdapterVersion,
} from '../../../src/storage/adapter-versions-repo';
import type { AdapterRecord } from '../../../src/storage/schema';
import { freshDb, freshDbName } from './helpers';

const bytes = (...values: number[]) => new Uint8Array(values).buffer;

const ADAPTER: AdapterRecord = {
  id: 'a1',
  name: 'Mine',
  method: 'lora',
  modelId: 'bundled',
  config: { r: 8 },
  weights: bytes(1, 2, 3),
  createdAt: 3,
  updatedAt: 3,
  metrics: { heldOutLossBefore: 2.5, heldOutLossAfter: 1.25, steps: 10, trainExamples: 18, runId: 'r1' },
};

test('a v3 database upgrades to v4: every adapter becomes its v1, every other record untouched', async () => {
  const name = freshDbName();
  (await openAttuneDb({ name, version: 3 })).close();
  const raw = await openDB(name, 3);
  await raw.put('adapters', ADAPTER);
  const imported = { ...ADAPTER, id: 'a2', name: 'Imported', metrics: undefined };
  delete (imported as Partial<AdapterRecord>).metrics;
  await raw.put('adapters', imported);
  const run = { id: 'r1', modelId: 'bundled', method: 'lora', status: 'completed', config: { exampleIds: ['e1'] }, metrics: [], startedAt: 1 };
  await raw.put('trainingRuns', run);
  raw.close();

  const db = await openAttuneDb({ name });
  expect(db.version).toBe(4);
  expect(await getAdapter(db, 'a1')).toEqual({ ...ADAPTER, version: 1 });
  expect(await db.get('trainingRuns', 'r1')).toEqual(run);
  const [v1] = await listAdapterVersions(db, 'a1');
  expect(v1).toEqual({
    id: 'a1#1',
    adapterId: 'a1',
    version: 1,
    origin: 'trained',
    config: ADAPTER.config,
    weights: ADAPTER.weights,
    metrics: ADAPTER.metrics,
    createdAt: 3,
    newExamples: 18,
    replayedExamples: 0,
    trainExampleIds: [],
    heldOutExampleIds: [],
  });
  expect(await listAdapterVersions(db, 'a2')).toMatchObject([{ version: 1, origin: 'saved', newExamples: 0 }]);
  expect(await db.getAll('adapterVersions')).toHaveLength(2);
  db.close();
});

test('versions round-trip; continuing adds one; restoring copies an old one as a new version; delete removes them all', async () => {
  const db = await freshDb();
  await saveNewAdapterVersion(db, ADAPTER, { newExamples: 18, replayedExamples: 0, trainExampleIds: ['e1', 'e2'], heldOutExampleIds: ['h1'] });
  const v2 = { config: { r: 8 }, weights: bytes(9, 9), metrics: { heldOutLossBefore: 1.25, heldOutLossAfter: 0.5 }, newExamples: 1, replayedExamples: 1, trainExampleIds: ['e3', 'e1'], heldOutExampleIds: ['h1'] };
  expect(await addTrainedVersion(db, 'a1', v2, 100)).toBe(2);
  expect(await getAdapter(db, 'a1')).toMatchObject({ version: 2, weights: v2.weights, metrics: v2.metrics, updatedAt: 100, createdAt: 3, name: 'Mine' });

  expect(await restoreAdapterVersion(db, 'a1', 1, 200)).toBe(3);
  const versions = await listAdapterVersions(db, 'a1');
  expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
  expect(versions[0]).toMatchObject({ origin: 'trained', trainExampleIds: ['e1', 'e2'], heldOutExampleIds: ['h1'], weights: ADAPTER.weights });
  expect(versions[1]).toMatchObject({ origin: 'continued', ...v2, createdAt: 100 });
  expect(versions[2]).toMatchObject({ origin: 'restored', restoredFrom: 1, weights: ADAPTER.weights, metrics: ADAPTER.metrics, createdAt: 200 });
  expect(await getAdapter(db, 'a1')).toMatchObject({ version: 3, weights: ADAPTER.weights, metrics: ADAPTER.metrics });

  await expect(restoreAdapterVersion(db, 'a1', 7, 300)).rejects.toBeInstanceOf(AdapterVersionNotFoundError);
  await expect(restoreAdapterVersion(db, 'nope', 1, 300)).rejects.toMatchObject({ key: 'error.adapter-not-found' });
  expect((await getAdapter(db, 'a1'))!.version).toBe(3); // the refused restores changed nothing

  await deleteAdapter(db, 'a1');
  expect(await db.getAll('adapterVersions')).toEqual([]);
  db.close();
});

test('an adapter saved without versions (imported, mixed) is its v1; continuing stores that v1 first', async () => {
  const db = await freshDb();
  await saveAdapter(db, { ...ADAPTER, id: 'imp' });
  expect(await listAdapterVersions(db, 'imp')).toMatchObject([{ version: 1, weights: ADAPTER.weights }]);
  expect(await db.getAll('adapterVersions')).toEqual([]);
  await addTrainedVersion(db, 'imp', { config: {}, weights: bytes(7), newExamples: 2, replayedExamples: 0, trainExampleIds: ['x'], heldOutExampleIds: [] }, 50);
  const versions = await listAdapterVersions(db, 'imp');
  expect(versions.map((v) => [v.version, v.origin])).toEqual([[1, 'trained'], [2, 'continued']]);
  expect(new Uint8Array(versions[0]!.weights)).toEqual(new Uint8Array(ADAPTER.weights));
  // v2 has no metrics of its own: the adapter record does not keep v1's.
  expect((await getAdapter(db, 'imp'))!.metrics).toBeUndefined();
  db.close();
});
