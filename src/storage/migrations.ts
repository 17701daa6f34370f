// The migration ladder: one rung per schema version, each written once and never edited, run in
// order from the version the user's database is at. A rung may only touch the upgrade
// transaction it is given (no foreign awaits), so the whole upgrade commits or none of it does.

import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { exampleDedupeHash } from '../dataset/example';
import type { AttuneSchema, StoredExample } from './schema';
import { hostOf } from './host';

type UpgradeTx = IDBPTransaction<AttuneSchema, StoreNames<AttuneSchema>[], 'versionchange'>;
type Rung = (db: IDBPDatabase<AttuneSchema>, tx: UpgradeTx) => Promise<void> | void;

/**
 * v1 (the first release): examples only, listed newest first.
 */
const toV1: Rung = (db) => {
  const examples = db.createObjectStore('examples', { keyPath: 'id' });
  examples.createIndex('byCreatedAt', 'createdAt');
};

/**
 * v2: filters by site and tag, duplicate detection, and the stores training needs. Existing
 * examples get the derived fields the new indexes read (sourceHost, dedupeHash) and a normalised
 * tags list, so nothing captured under v1 drops out of a filter.
 */
const toV2: Rung = async (db, tx) => {
  const examples = tx.objectStore('examples');
  examples.createIndex('bySourceHost', 'sourceHost');
  examples.createIndex('byTag', 'tags', { multiEntry: true });
  examples.createIndex('byDedupeHash', 'dedupeHash');
  const adapters = db.createObjectStore('adapters', { keyPath: 'id' });
  adapters.createIndex('byModelId', 'modelId');
  adapters.createIndex('byCreatedAt', 'createdAt');
  db.createObjectStore('models', { keyPath: 'id' });
  db.createObjectStore('trainingRuns', { keyPath: 'id' }).createIndex('byStartedAt', 'startedAt');
  db.createObjectStore('settings', { keyPath: 'key' });
  db.createObjectStore('userTemplates', { keyPath: 'id' });

  for (let cursor = await examples.openCursor(); cursor; cursor = await cursor.continue()) {
    // v1 records were written by older code: coerce every field, so one odd record cannot make
    // the upgrade (and with it the whole database) fail.
    const old = cursor.value as Partial<StoredExample> & { id: string };
    const example = {
      instruction: textOrEmpty(old.instruction),
      input: textOrEmpty(old.input),
      output: textOrEmpty(old.output),
    };
    const createdAt = typeof old.createdAt === 'number' ? old.createdAt : 0;
    const sourceUrl = textOrEmpty(old.sourceUrl);
    await cursor.update({
      ...old,
      ...example,
      tags: Array.isArray(old.tags) ? old.tags.filter((tag) => typeof tag === 'string') : [],
      sourceUrl,
      sourceTitle: textOrEmpty(old.sourceTitle),
      createdAt,
      updatedAt: typeof old.updatedAt === 'number' ? old.updatedAt : createdAt,
      sourceHost: hostOf(sourceUrl),
      dedupeHash: exampleDedupeHash(example),
    });
  }
};

/**
 * v3: side-panel conversations, listed most recently active first. Adds a store only; no
 * existing record is touched.
 */
const toV3: Rung = (db) => {
  db.createObjectStore('conversations', { keyPath: 'id' }).createIndex('byUpdatedAt', 'updatedAt');
};

/**
 * v4: adapter versions (v1, v2, ... each restorable). Every existing adapter becomes its own v1:
 * a copy of its current config, weights and figures. Which examples it trained on is not copied
 * here: the engine reads that from the adapter's training run when it continues training.
 */
const toV4: Rung = async (db, tx) => {
  db.createObjectStore('adapterVersions', { keyPath: 'id' }).createIndex('byAdapterId', 'adapterId');
  const versions = tx.objectStore('adapterVersions');
  for (let cursor = await tx.objectStore('adapters').openCursor(); cursor; cursor = await cursor.continue()) {
    const adapter = cursor.value;
    const metrics = adapter.metrics;
    const trained = metrics !== undefined && typeof metrics.steps === 'number';
    await versions.put({
      id: `${adapter.id}#1`,
      adapterId: adapter.id,
      version: 1,
      origin: trained ? 'trained' : 'saved',
      config: adapter.config,
      weights: adapter.weights,
      ...(metrics ? { metrics } : {}),
      createdAt: typeof adapter.createdAt === 'number' ? adapter.createdAt : 0,
      newExamples: trained && typeof metrics.trainExamples === 'number' ? metrics.trainExamples : 0,
      replayedExamples: 0,
      trainExampleIds: [],
      heldOutExampleIds: [],
    });
    await cursor.update({ ...adapter, version: 1 });
  }
};

function textOrEmpty(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Index i upgrades a database to version i + 1. */
export const MIGRATIONS: readonly Rung[] = [toV1, toV2, toV3, toV4];

/** Runs every rung above `oldVersion` up to `newVersion`, in order, inside the upgrade transaction. */
export async function runMigrations(
  db: IDBPDatabase<AttuneSchema>,
  tx: UpgradeTx,
  oldVersion: number,
  newVersion: number,
): Promise<void> {
  for (let version = oldVersion + 1; version <= newVersion; version++) {
    const rung = MIGRATIONS[version - 1];
    if (!rung) throw new Error(`No migration to schema version ${version}.`);
    const pending = rung(db, tx);
    if (pending) await pending; // sync rungs add no await, keeping the transaction's task tight

  }
}
